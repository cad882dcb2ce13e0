"""Brand insights end to end over the running local stack, exactly as clients would drive it.

A brand account creates a brand and products; a member posts a photo tagging them; others smile,
comment and unsmile; clients send engagement events with the receipts the posts they saw carry
(one batch twice, one naming an unknown post, an anonymous session's repeated impression). The
stack's event runner delivers the table's stream and the engagement queue to the aggregators
(drained through its control API before reading), and the insights and a campaign report show
exactly the expected numbers.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import requests
from PIL import Image

from tests.e2e.conftest import Client, LocalStack
from tests.support.http import ok

pytestmark = pytest.mark.e2e


def _ready_upload(local_stack: LocalStack, member: Client) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 60, 200)).save(buffer, "JPEG")
    data = buffer.getvalue()
    ticket = ok(
        member.request("POST", "/uploads", json={"content_type": "image/jpeg", "size": len(data)}), 201
    )
    requests.post(
        ticket["url"], data=ticket["fields"], files={"file": ("p.jpg", data, "image/jpeg")}, timeout=30
    )
    local_stack.drain()  # S3's notification, through the thumbnailer
    upload = ok(member.request("GET", f"/uploads/{ticket['upload_id']}"))
    assert upload["status"] == "ready", upload
    return str(ticket["upload_id"])


def test_insights_and_a_campaign_report_count_exactly_what_happened(
    local_stack: LocalStack, sign_up: Callable[..., Client]
) -> None:
    today = datetime.now(UTC).date()
    # Given a brand with two products, and a photo post tagging both
    owner = sign_up("brand", name="E2E Brand")
    brand = ok(owner.request("POST", "/brands", json={"name": f"E2E Outdoors {uuid.uuid4().hex[:8]}"}), 201)
    price = {"amount": "49.00", "currency": "USD"}
    tent, lamp = (
        ok(
            owner.request(
                "POST",
                f"/brands/{brand['id']}/products",
                json={"title": title, "price": price, "url": "https://shop.example.com/x"},
            ),
            201,
        )
        for title in ("E2E Tent", "E2E Lamp")
    )
    assert {b["id"] for b in ok(owner.request("GET", "/me"))["brands"]} == {brand["id"]}
    author = sign_up("prime", name="E2E Author")
    upload_id = _ready_upload(local_stack, author)
    tags = [{"product_id": tent["id"], "x": 0.3, "y": 0.4}, {"product_id": lamp["id"], "x": 0.7, "y": 0.6}]
    post = ok(
        author.request(
            "POST",
            "/posts",
            json={
                "kind": "photo",
                "caption": "Camp",
                "interests": ["camping"],
                "photos": [{"upload_id": upload_id, "tags": tags}],
            },
        ),
        201,
    )
    # And a fan who smiles and comments, and a member who smiles then takes it back
    fan, fickle = sign_up("prime", name="E2E Fan"), sign_up("prime", name="E2E Fickle")
    ok(fan.request("PUT", f"/posts/{post['id']}/smile"))
    ok(fan.request("POST", f"/posts/{post['id']}/comments", json={"text": "Want it"}), 201)
    ok(fickle.request("PUT", f"/posts/{post['id']}/smile"))
    ok(fickle.request("DELETE", f"/posts/{post['id']}/smile"))

    # When clients send events with the receipt of the post they saw: the fan's batch twice (a
    # replay), and an anonymous visitor's session the same impression twice
    seen = ok(fan.request("GET", f"/posts/{post['id']}"))["receipt"]
    batch = {
        "batch_id": f"e2e-{post['id'][-12:]}",
        "events": [{"type": "impression", "post_id": post["id"], "receipt": seen}] * 4
        + [
            {"type": "tag_click", "post_id": post["id"], "product_id": tent["id"], "receipt": seen},
            {"type": "product_click", "post_id": post["id"], "product_id": tent["id"], "receipt": seen},
            {"type": "impression", "post_id": "post_does_not_exist", "receipt": seen},
        ],
    }
    assert ok(fan.request("POST", "/events", json=batch), 202) == {"accepted": 3, "dropped": 4}
    assert ok(fan.request("POST", "/events", json=batch), 202) == {"accepted": 0, "dropped": 7}
    session = ok(requests.post(f"{local_stack.api}/sessions", timeout=30), 201)["session"]
    headers = {"X-Flint-Session": session}
    anonymous_receipt = ok(
        requests.get(f"{local_stack.api}/posts/{post['id']}", headers=headers, timeout=30)
    )["receipt"]
    anonymous = {"events": [{"type": "impression", "post_id": post["id"], "receipt": anonymous_receipt}] * 2}
    assert ok(
        requests.post(f"{local_stack.api}/events", json=anonymous, headers=headers, timeout=30), 202
    ) == {
        "accepted": 1,
        "dropped": 1,
    }

    # Then, once the aggregators ran, the insights hold exactly what happened
    expected = {
        "posts": 1,
        "impressions": 2,
        "smiles": 1,
        "comments": 1,
        "tag_clicks": 1,
        "product_clicks": 1,
        "tag_click_rate": 0.5,
        "product_click_rate": 0.5,
        "filtered": {"impressions": 0, "tag_clicks": 0, "product_clicks": 0},
    }
    local_stack.drain()  # the engagement queue and the table's stream, through the aggregators
    path = f"/brands/{brand['id']}/insights?from={today.isoformat()}&to={today.isoformat()}"
    report = ok(owner.request("GET", path))
    assert report["totals"] == expected
    funnel = {
        p["product_id"]: (p["posts"], p["impressions"], p["tag_clicks"], p["product_clicks"])
        for p in report["products"]
    }
    assert funnel == {tent["id"]: (1, 2, 1, 1), lamp["id"]: (1, 2, 0, 0)}
    assert [(f["member"]["id"], f["posts"], f["smiles_received"]) for f in report["fans"]] == [
        (author.user_id, 1, 1)
    ]
    assert [(p["member"]["id"], p["smiles"], p["comments"]) for p in report["potential_customers"]] == [
        (fan.user_id, 1, 1)
    ]
    assert [(t["post"]["id"], t["impressions"], t["engagement"]) for t in report["top_posts"]] == [
        (post["id"], 2, 3)
    ]
    assert report["top_interests"] == [{"interest": "camping", "posts": 1, "engagement": 3}]
    assert {"label": "blue", "posts": 1} in report["labels"]

    # And a campaign over the tent for the last week compares with the week before
    campaign = ok(
        owner.request(
            "POST",
            f"/brands/{brand['id']}/campaigns",
            json={
                "name": "Tent week",
                "product_ids": [tent["id"]],
                "starts_at": (today - timedelta(days=6)).isoformat(),
                "ends_at": today.isoformat(),
            },
        ),
        201,
    )
    # (the aggregator backfills it from the day summaries, in the brand's queue order)
    local_stack.drain()
    result = ok(owner.request("GET", f"/brands/{brand['id']}/campaigns/{campaign['id']}"))
    assert result["metrics"] == expected
    assert result["previous"]["impressions"] == 0 and result["status"] in ("running", "ended")
    assert set(result["lift"].values()) == {None}
    assert result["baseline"]["metrics"]["impressions"] == 0
