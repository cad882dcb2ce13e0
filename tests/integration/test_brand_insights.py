"""Brands, engagement events and insights through the real app: routes, queue, stream, counters.

The aggregators run as Lambda would run them: the event runner delivers the engagement queue's
messages and the table's stream records (read from the embedded AWS) to the app's handlers.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from local.seed import seed_interests
from tests.conftest import SignedInMember
from tests.support.community import assert_error, call, ok, smile, unsmile
from tests.support.events import app_runner, stream_start
from tests.support.uploads import jpeg_bytes, upload_image

TODAY = datetime.now(UTC).date().isoformat()


@pytest.fixture
def start(stack: Any) -> dict[str, str | None]:
    """Where the table's stream ended when the test began: its aggregators read only its records."""
    return stream_start()


def run_aggregators(start: dict[str, str | None]) -> None:
    """Deliver the engagement queue and the table's stream (from the test's start) until both are
    drained: a fresh runner each time, so every record of the test is read again."""
    events = app_runner(streams=True, positions=start)
    queue = next(s for s in events.queue_sources if s.name == "engagement_worker")
    stream = next(s for s in events.stream_sources if s.name == "stream_worker")
    for _ in range(20):
        if not (events.poll_queue_once(queue) + events.poll_stream_once(stream)):
            return


@pytest.fixture
def brand_world(
    api: Any, new_member: Callable[..., SignedInMember], start: dict[str, str | None]
) -> dict[str, Any]:
    seed_interests()
    owner = new_member("brand", name="Brand Owner")
    brand = ok(call(api, "POST", "/brands", owner, {"name": "Northpeak"}), 201)
    product = ok(
        call(
            api,
            "POST",
            f"/brands/{brand['id']}/products",
            owner,
            {
                "title": "Trail tent",
                "price": {"amount": "199.00", "currency": "USD"},
                "url": "https://x.test/t",
            },
        ),
        201,
    )
    author = new_member("prime", name="Author")
    upload_id = upload_image(api, author, jpeg_bytes(64, 48))
    post = ok(
        call(
            api,
            "POST",
            "/posts",
            author,
            {
                "kind": "photo",
                "caption": "Camp",
                "interests": ["hiking"],
                "photos": [
                    {"upload_id": upload_id, "tags": [{"product_id": product["id"], "x": 0.5, "y": 0.5}]}
                ],
            },
        ),
        201,
    )
    return {"owner": owner, "brand": brand, "product": product, "author": author, "post": post}


def insights(api: Any, owner: SignedInMember, brand_id: str) -> dict[str, Any]:
    return dict(ok(call(api, "GET", f"/brands/{brand_id}/insights?from={TODAY}&to={TODAY}", owner)))


def test_a_brand_account_creates_a_brand_and_sees_it_on_me(
    api: Any, new_member: Callable[..., SignedInMember]
) -> None:
    owner = new_member("brand")
    brand = ok(call(api, "POST", "/brands", owner, {"name": "Lumen"}), 201)
    me = ok(call(api, "GET", "/me", owner))
    assert me["brands"] == [{"id": brand["id"], "name": "Lumen"}]


def test_brand_routes_check_the_caller(api: Any, new_member: Callable[..., SignedInMember]) -> None:
    owner, other, prime = new_member("brand"), new_member("brand"), new_member("prime")
    brand = ok(call(api, "POST", "/brands", owner, {"name": "Lumen"}), 201)
    routes = [
        ("GET", f"/brands/{brand['id']}/insights", None),
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
    ):
        error = assert_error(call(api, "POST", "/events", None, payload), 422, "validation_error")
        assert error["details"]


def test_events_replays_and_table_changes_add_up_exactly_once(
    api: Any,
    new_member: Callable[..., SignedInMember],
    brand_world: dict[str, Any],
    start: dict[str, str | None],
) -> None:
    # Given a tagged post, a fan who smiles and comments, and a member who smiles then unsmiles
    owner, brand, post = brand_world["owner"], brand_world["brand"], brand_world["post"]
    product_id = brand_world["product"]["id"]
    fan, fickle = new_member("prime", name="Fan"), new_member("prime", name="Fickle")
    smile(api, fan, post["id"])
    ok(call(api, "POST", f"/posts/{post['id']}/comments", fan, {"text": "Great tent"}), 201)
    smile(api, fickle, post["id"])
    unsmile(api, fickle, post["id"])
    batch = {
        "batch_id": f"batch-{uuid.uuid4().hex}",  # batch ids are remembered table-wide
        "events": [
            {"type": "impression", "post_id": post["id"]},
            {"type": "impression", "post_id": post["id"]},
            {"type": "impression", "post_id": post["id"]},
            {"type": "tag_click", "post_id": post["id"], "product_id": product_id},
            {"type": "product_click", "post_id": post["id"], "product_id": product_id},
            {"type": "impression", "post_id": "post_unknown"},
            {"type": "tag_click", "post_id": post["id"], "product_id": "prod_not_tagged"},
        ],
    }
    # When the batch is sent twice by the fan and the aggregators run (twice: redeliveries)
    assert ok(call(api, "POST", "/events", fan, batch), 202) == {"accepted": 5, "dropped": 2}
    assert ok(call(api, "POST", "/events", fan, batch), 202) == {"accepted": 5, "dropped": 2}
    run_aggregators(start)
    run_aggregators(start)  # a fresh runner re-reads the stream from the test's start: every record again

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
    }
    assert report["series"] == [
        {
            "date": TODAY,
            "posts": 1,
            "impressions": 3,
            "smiles": 1,
            "comments": 1,
            "tag_clicks": 1,
            "product_clicks": 1,
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
    assert [p["member"]["id"] for p in report["potential_customers"]] == [fan.user_id]
    assert report["potential_customers"][0] | {"member": None} == {
        "member": None,
        "smiles": 1,
        "comments": 1,
        "tag_clicks": 1,
    }
    assert [t["post"]["id"] for t in report["top_posts"]] == [post["id"]]
    assert report["top_posts"][0]["engagement"] == 3
    assert report["top_interests"] == [{"interest": "hiking", "posts": 1, "engagement": 3}]
    assert report["opinion_leaders"][0]["engagement_per_post"] == 3.0


def test_a_deleted_post_keeps_its_history_and_stops_counting(
    api: Any,
    new_member: Callable[..., SignedInMember],
    brand_world: dict[str, Any],
    start: dict[str, str | None],
) -> None:
    owner, brand, post, author = (
        brand_world["owner"],
        brand_world["brand"],
        brand_world["post"],
        brand_world["author"],
    )
    fan = new_member("prime")
    smile(api, fan, post["id"])
    ok(call(api, "POST", "/events", None, {"events": [{"type": "impression", "post_id": post["id"]}]}), 202)
    run_aggregators(start)
    assert call(api, "DELETE", f"/posts/{post['id']}", author).status_code == 204
    late = ok(
        call(api, "POST", "/events", None, {"events": [{"type": "impression", "post_id": post["id"]}]}), 202
    )
    run_aggregators(start)
    assert late == {"accepted": 0, "dropped": 1}
    totals = insights(api, owner, brand["id"])["totals"]
    assert (totals["posts"], totals["impressions"], totals["smiles"]) == (1, 1, 1)
    assert insights(api, owner, brand["id"])["top_posts"] == []


def test_a_campaign_reports_its_window_against_the_previous_one(
    api: Any,
    new_member: Callable[..., SignedInMember],
    brand_world: dict[str, Any],
    start: dict[str, str | None],
) -> None:
    owner, brand, post = brand_world["owner"], brand_world["brand"], brand_world["post"]
    product_id = brand_world["product"]["id"]
    ok(
        call(api, "POST", "/events", None, {"events": [{"type": "impression", "post_id": post["id"]}] * 4}),
        202,
    )
    run_aggregators(start)
    start = (datetime.now(UTC).date() - timedelta(days=6)).isoformat()
    created = ok(
        call(
            api,
            "POST",
            f"/brands/{brand['id']}/campaigns",
            owner,
            {"name": "Spring", "product_ids": [product_id], "starts_at": start, "ends_at": TODAY},
        ),
        201,
    )
    listed = ok(call(api, "GET", f"/brands/{brand['id']}/campaigns", owner))
    assert [c["id"] for c in listed["items"]] == [created["id"]]
    report = ok(call(api, "GET", f"/brands/{brand['id']}/campaigns/{created['id']}", owner))
    assert report["metrics"]["impressions"] == 4 and report["metrics"]["posts"] == 1
    assert report["previous"]["impressions"] == 0
    assert report["lift"]["impressions"] is None


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


def test_stream_events_have_lambdas_shape(brand_world: dict[str, Any], start: dict[str, str | None]) -> None:
    events = app_runner(streams=True, positions=start)
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


def test_a_redelivered_message_and_an_anonymous_replay_count_once(
    api: Any, brand_world: dict[str, Any], start: dict[str, str | None]
) -> None:
    from app import app
    from local.event_runner import lambda_context, sqs_event

    owner, brand, post = brand_world["owner"], brand_world["brand"], brand_world["post"]
    run_aggregators(start)  # the post itself, from the stream (and what earlier tests left queued)
    batch = {
        "batch_id": f"anon-{uuid.uuid4().hex}",
        "events": [{"type": "impression", "post_id": post["id"]}] * 2,
    }
    assert ok(call(api, "POST", "/events", None, batch), 202) == {"accepted": 2, "dropped": 0}
    assert ok(call(api, "POST", "/events", None, batch), 202) == {"accepted": 2, "dropped": 0}
    # Given the queued messages, delivered to the aggregator twice (as SQS may redeliver)
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.get_queue_url(QueueName="flint-dev-engagement")["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)["Messages"]
    assert len(messages) == 2
    event = sqs_event(messages, "arn:aws:sqs:us-east-1:123456789012:flint-dev-engagement")
    for _ in range(2):
        result = app.handler_map["engagement_worker"](event, lambda_context("engagement_worker"))
        assert result == {"batchItemFailures": []}
    # Then the replayed batch and the redelivery counted once: 2 impressions
    assert insights(api, owner, brand["id"])["totals"]["impressions"] == 2
