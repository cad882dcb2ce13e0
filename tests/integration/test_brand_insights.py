"""Brands, engagement events and insights through the real app: routes, receipts, queue, stream, summaries.

The aggregators run as Lambda would run them: the event runner delivers the table's stream
records and the engagement queue's messages (read from the embedded AWS) to the app's handlers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from tests.conftest import SignedInMember
from tests.support.brands import (
    begin,
    event,
    fresh_name,
    insights,
    make_brand_world,
    new_session,
    photo_post_tagging,
    receipt,
    run_aggregators,
    runner,
    send_events,
    today,
)
from tests.support.catalog import fresh_interest
from tests.support.community import assert_error, call, ok, smile, unsmile


@pytest.fixture(autouse=True)
def _stream_start(stack: Any) -> None:
    begin()


@pytest.fixture
def brand_world(api: Any, new_member: Callable[..., SignedInMember]) -> dict[str, Any]:
    return make_brand_world(api, new_member)


def test_a_brand_account_creates_a_brand_and_sees_it_on_me(
    api: Any, new_member: Callable[..., SignedInMember]
) -> None:
    owner = new_member("brand")
    name = fresh_name("Lumen")
    brand = ok(call(api, "POST", "/brands", owner, {"name": name}), 201)
    me = ok(call(api, "GET", "/me", owner))
    assert me["brands"] == [{"id": brand["id"], "name": name}]


def test_brand_routes_check_the_caller(api: Any, new_member: Callable[..., SignedInMember]) -> None:
    owner, other, prime = new_member("brand"), new_member("brand"), new_member("prime")
    brand = ok(call(api, "POST", "/brands", owner, {"name": fresh_name("Lumen")}), 201)
    routes = [
        ("GET", f"/brands/{brand['id']}/insights", None),
        ("GET", f"/brands/{brand['id']}/insights/fans", None),
        ("GET", f"/brands/{brand['id']}/insights/top-posts?format=csv", None),
        ("GET", f"/brands/{brand['id']}/campaigns", None),
        (
            "POST",
            f"/brands/{brand['id']}/campaigns",
            {"name": "c", "product_ids": ["p"], "starts_at": "2026-01-01", "ends_at": "2026-01-10"},
        ),
        ("GET", f"/brands/{brand['id']}/campaigns/camp_x", None),
        (
            "POST",
            f"/brands/{brand['id']}/products",
            {"title": "t", "price": {"amount": "1.00", "currency": "USD"}, "url": "https://x.test"},
        ),
    ]
    for method, path, payload in routes:
        assert_error(call(api, method, path, other, payload), 403, "not_owner")
        assert_error(call(api, method, path, prime, payload), 403, "brand_required")
        assert call(api, method, path, None, payload).status_code == 401
    assert_error(call(api, "POST", "/brands", prime, {"name": "x"}), 403, "brand_required")


def test_events_are_validated_at_the_edge(api: Any) -> None:
    for payload in (
        {"events": []},
        {"events": [{"type": "wink", "post_id": "p"}]},
        {"events": [{"type": "tag_click", "post_id": "p"}]},
        {"events": [{"type": "impression", "post_id": "p"}] * 101},
        {"batch_id": "short", "events": [{"type": "impression", "post_id": "p"}]},
        {"events": [{"type": "impression", "post_id": "p", "receipt": "r" * 65}]},
    ):
        error = assert_error(call(api, "POST", "/events", None, payload), 422, "validation_error")
        assert error["details"]


def test_every_shown_post_carries_a_receipt_for_its_viewer(
    api: Any, new_member: Callable[..., SignedInMember], brand_world: dict[str, Any]
) -> None:
    # A post of its own in an interest of its own: other tests' posts (some dated days ahead by
    # their clocks) never push it off the interest's first page
    interest = fresh_interest()
    author = brand_world["author"]
    post = photo_post_tagging(api, author, [brand_world["product"]["id"]], interests=[interest])
    member, session = new_member(), new_session(api)
    as_member = receipt(api, post["id"], member)
    as_session = receipt(api, post["id"], session=session)
    assert as_member != as_session
    # Listings carry it too: the author's posts, the product's posts, the interest's posts
    for path in (
        f"/users/{author.user_id}/posts",
        f"/products/{brand_world['product']['id']}/posts",
        f"/interests/{interest}/posts",
    ):
        items = ok(call(api, "GET", path, member))["items"]
        assert [p["receipt"] for p in items if p["id"] == post["id"]] == [as_member], path
    # An anonymous caller without a session gets no receipt, so none of its events can count
    assert ok(call(api, "GET", f"/posts/{post['id']}"))["receipt"] is None


def test_events_table_changes_and_replays_add_up_exactly_once(
    api: Any, new_member: Callable[..., SignedInMember], brand_world: dict[str, Any]
) -> None:
    # Given a tagged post, a fan who smiles and comments, and a member who smiles then unsmiles
    owner, brand, post = brand_world["owner"], brand_world["brand"], brand_world["post"]
    product_id = brand_world["product"]["id"]
    fan, fickle = new_member("prime", name="Fan"), new_member("prime", name="Fickle")
    smile(api, fan, post["id"])
    ok(call(api, "POST", f"/posts/{post['id']}/comments", fan, {"text": "Great tent"}), 201)
    smile(api, fickle, post["id"])
    unsmile(api, fickle, post["id"])
    # And three viewers: the fan, an anonymous session and another member
    session, viewer = new_session(api), new_member()
    fan_receipt = receipt(api, post["id"], fan)
    batch = [
        event("impression", post["id"], fan_receipt),
        event("impression", post["id"], fan_receipt),  # the same impression again: counts once
        event("tag_click", post["id"], fan_receipt, product_id),
        event("product_click", post["id"], fan_receipt, product_id),
        event("impression", "post_unknown", fan_receipt),
        event("tag_click", post["id"], fan_receipt, "prod_not_tagged"),
    ]
    # When the fan sends its batch twice, the others an impression each, and the aggregators run twice
    assert send_events(api, batch, fan, batch_id="batch-0001") == {"accepted": 3, "dropped": 3}
    assert send_events(api, batch, fan, batch_id="batch-0001") == {"accepted": 0, "dropped": 6}
    anonymous = [event("impression", post["id"], receipt(api, post["id"], session=session))]
    assert send_events(api, anonymous, session=session) == {"accepted": 1, "dropped": 0}
    member_event = [event("impression", post["id"], receipt(api, post["id"], viewer))]
    assert send_events(api, member_event, viewer) == {"accepted": 1, "dropped": 0}
    run_aggregators()
    run_aggregators()  # a fresh runner re-reads the stream from its start: every record again

    # Then every number counts once
    report = insights(api, owner, brand["id"])
    assert report["totals"] == {
        "posts": 1,
        "impressions": 3,
        "smiles": 1,
        "comments": 1,
        "tag_clicks": 1,
        "product_clicks": 1,
        "tag_click_rate": 0.3333,
        "product_click_rate": 0.3333,
        "filtered": {"impressions": 0, "tag_clicks": 0, "product_clicks": 0},
    }
    assert report["series"] == [
        {
            "date": today(),
            "posts": 1,
            "impressions": 3,
            "smiles": 1,
            "comments": 1,
            "tag_clicks": 1,
            "product_clicks": 1,
            "filtered": 0,
        }
    ]
    assert report["products"] == [
        {
            "product_id": product_id,
            "title": "Trail tent",
            "posts": 1,
            "impressions": 3,
            "tag_clicks": 1,
            "product_clicks": 1,
        }
    ]
    author = brand_world["author"]
    assert [(f["member"]["id"], f["posts"], f["smiles_received"]) for f in report["fans"]] == [
        (author.user_id, 1, 1)
    ]
    assert [(p["member"]["id"], p["smiles"], p["comments"]) for p in report["potential_customers"]] == [
        (fan.user_id, 1, 1)
    ]
    assert [t["post"]["id"] for t in report["top_posts"]] == [post["id"]]
    assert report["top_posts"][0]["engagement"] == 3
    assert report["top_interests"] == [{"interest": "hiking", "posts": 1, "engagement": 3}]
    [leader] = report["opinion_leaders"]
    assert (leader["member"]["id"], leader["posts"], leader["engagement_per_post"]) == (
        author.user_id,
        1,
        3.0,
    )
    assert report["data_from"] == today() and report["complete"] is True


def test_a_deleted_post_keeps_its_history_and_stops_counting(
    api: Any,
    new_member: Callable[..., SignedInMember],
    brand_world: dict[str, Any],
) -> None:
    owner, brand, post, author = (
        brand_world["owner"],
        brand_world["brand"],
        brand_world["post"],
        brand_world["author"],
    )
    fan, session = new_member("prime"), new_session(api)
    smile(api, fan, post["id"])
    seen = receipt(api, post["id"], session=session)
    send_events(api, [event("impression", post["id"], seen)], session=session)
    run_aggregators()
    late_viewer = new_member()
    late_receipt = receipt(api, post["id"], late_viewer)
    assert call(api, "DELETE", f"/posts/{post['id']}", author).status_code == 204
    late = send_events(api, [event("impression", post["id"], late_receipt)], late_viewer)
    run_aggregators()
    assert late == {"accepted": 0, "dropped": 1}
    totals = insights(api, owner, brand["id"])["totals"]
    assert (totals["posts"], totals["impressions"], totals["smiles"]) == (1, 1, 1)
    assert insights(api, owner, brand["id"])["top_posts"] == []


def test_a_campaign_reports_its_window_against_the_previous_one(
    api: Any,
    new_member: Callable[..., SignedInMember],
    brand_world: dict[str, Any],
) -> None:
    owner, brand, post = brand_world["owner"], brand_world["brand"], brand_world["post"]
    product_id = brand_world["product"]["id"]
    for _ in range(4):
        viewer = new_member()
        send_events(api, [event("impression", post["id"], receipt(api, post["id"], viewer))], viewer)
    run_aggregators()
    start = (datetime.now(UTC).date() - timedelta(days=6)).isoformat()
    created = ok(
        call(
            api,
            "POST",
            f"/brands/{brand['id']}/campaigns",
            owner,
            {"name": "Spring", "product_ids": [product_id], "starts_at": start, "ends_at": today()},
        ),
        201,
    )
    run_aggregators()  # the campaign is backfilled from the day summaries, in the brand's queue order
    listed = ok(call(api, "GET", f"/brands/{brand['id']}/campaigns", owner))
    assert [c["id"] for c in listed["items"]] == [created["id"]]
    report = ok(call(api, "GET", f"/brands/{brand['id']}/campaigns/{created['id']}", owner))
    assert report["metrics"]["impressions"] == 4 and report["metrics"]["posts"] == 1
    assert report["previous"]["impressions"] == 0
    assert report["lift"]["impressions"] is None and report["lift_interval"]["impressions"] is None
    assert (report["status"], report["compared_days"]) == ("ended", 7) or report["status"] == "running"
    # And an event after it started is attributed as it arrives
    viewer = new_member()
    send_events(api, [event("impression", post["id"], receipt(api, post["id"], viewer))], viewer)
    run_aggregators()
    report = ok(call(api, "GET", f"/brands/{brand['id']}/campaigns/{created['id']}", owner))
    assert report["metrics"]["impressions"] == 5
    assert report["baseline"]["metrics"]["impressions"] == 0


@pytest.mark.parametrize(
    "change",
    [
        {"product_ids": ["prod_of_someone_else"]},
        {"ends_at": "2020-01-01"},
        {"starts_at": "2020-01-01", "ends_at": "2020-06-01"},
    ],
)
def test_bad_campaigns_are_422(api: Any, brand_world: dict[str, Any], change: dict[str, Any]) -> None:
    owner, brand = brand_world["owner"], brand_world["brand"]
    payload = {
        "name": "c",
        "product_ids": [brand_world["product"]["id"]],
        "starts_at": "2020-01-02",
        "ends_at": "2020-01-30",
    }
    assert_error(
        call(api, "POST", f"/brands/{brand['id']}/campaigns", owner, payload | change),
        422,
        "validation_error",
    )


def test_stream_events_have_lambdas_shape(brand_world: dict[str, Any]) -> None:
    events = runner()
    stream = events.stream_sources[0]
    seen: list[dict[str, Any]] = []
    from app import app

    original = app.handler_map[stream.name]
    app.handler_map[stream.name] = lambda event, context: (
        seen.append(json.loads(json.dumps(event))) or original(event, context)
    )
    try:
        events.poll_stream_once(stream)
    finally:
        app.handler_map[stream.name] = original
    record = seen[0]["Records"][0]
    assert record["eventSource"] == "aws:dynamodb" and record["eventSourceARN"].startswith(
        "arn:aws:dynamodb:"
    )
    assert {"Keys", "SequenceNumber", "StreamViewType"} <= set(record["dynamodb"])


def test_a_redelivered_message_counts_once(api: Any, brand_world: dict[str, Any]) -> None:
    from app import app
    from local.event_runner import lambda_context, sqs_event

    owner, brand, post = brand_world["owner"], brand_world["brand"], brand_world["post"]
    run_aggregators()  # the post itself, from the stream
    session = new_session(api)
    sent = send_events(
        api, [event("impression", post["id"], receipt(api, post["id"], session=session))], session=session
    )
    assert sent == {"accepted": 1, "dropped": 0}
    # Given the queued message, delivered to the aggregator twice (as SQS may redeliver)
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.get_queue_url(QueueName="flint-dev-engagement.fifo")["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    mine = [m for m in messages if json.loads(m["Body"])["b"] == brand["id"]]
    for other in (m for m in messages if m not in mine):  # other tests' messages: back in the queue
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=other["ReceiptHandle"], VisibilityTimeout=0)
    assert len(mine) == 1
    event_ = sqs_event(mine, "arn:aws:sqs:us-east-1:123456789012:flint-dev-engagement.fifo")
    for _ in range(2):
        result = app.handler_map["engagement_worker"](event_, lambda_context("engagement_worker"))
        assert result == {"batchItemFailures": []}
    # Then the redelivery counted once
    assert insights(api, owner, brand["id"])["totals"]["impressions"] == 1
