"""The engagement worker sums a whole delivery per brand, and events keep the channel they came from.

Several `POST /events` requests queue several messages for one brand; SQS hands them to one
worker invocation (FIFO: up to 10 of a message group at once). The worker writes the brand's day
item once for the delivery, whatever the number of messages, events or tags, counts a redelivered
delivery once, and insights break the events down by `channel` (issue 22).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from chalicelib.data import engagement as engagement_store
from tests.conftest import SignedInMember
from tests.support.brands import (
    begin,
    brand_with_product,
    fresh_name,
    insights,
    new_session,
    photo_post_tagging,
    receipt,
    run_aggregators,
    send_events,
)
from tests.support.community import assert_error, call, ok

QUEUE = "flint-dev-engagement.fifo"
ARN = "arn:aws:sqs:us-east-1:123456789012:flint-dev-engagement.fifo"


@pytest.fixture(autouse=True)
def _stream_start(stack: Any) -> None:
    begin()


def _tagged_post(api: Any, owner: SignedInMember, author: SignedInMember, tags: int) -> dict[str, Any]:
    """A brand with `tags` products and a photo post by `author` tagging all of them."""
    brand, first = brand_with_product(api, owner, fresh_name("Northpeak"))
    products = [first]
    for n in range(1, tags):
        body = {
            "title": f"Item {n}",
            "price": {"amount": "9.00", "currency": "USD"},
            "url": "https://x.test/i",
        }
        products.append(ok(call(api, "POST", f"/brands/{brand['id']}/products", owner, body), 201))
    post = photo_post_tagging(api, author, [p["id"] for p in products])
    return {"brand": brand, "products": products, "post": post}


def _event(
    kind: str, post_id: str, receipt_: str, product_id: str | None, channel: str | None
) -> dict[str, Any]:
    out: dict[str, Any] = {"type": kind, "post_id": post_id, "receipt": receipt_}
    if product_id:
        out["product_id"] = product_id
    if channel:
        out["channel"] = channel
    return out


def _receive(brand_id: str, expected: int) -> list[dict[str, Any]]:
    """The brand's queued messages as one SQS delivery would hand them over; other tests'
    messages go back to the queue."""
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    mine: list[dict[str, Any]] = []
    for _ in range(20):
        if len(mine) >= expected:
            break
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])
        for message in received.get("Messages", []):
            if json.loads(message["Body"])["b"] == brand_id:
                mine.append(message)
            else:
                sqs.change_message_visibility(
                    QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
    assert len(mine) == expected, f"{len(mine)} of the brand's {expected} messages received"
    return mine


def _deliver(messages: list[dict[str, Any]]) -> dict[str, Any]:
    from app import app
    from local.event_runner import lambda_context, sqs_event

    event = sqs_event(messages, ARN)
    answer = dict(app.handler_map["engagement_worker"](event, lambda_context("engagement_worker")))
    # As Lambda's SQS integration does after a batch without failures: delivered messages leave the
    # shared queue, so no later test's drain hands them to its own table.
    failed = {failure["itemIdentifier"] for failure in answer.get("batchItemFailures", [])}
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    for message in messages:
        if message["MessageId"] not in failed:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return answer


def _counting_saves(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The brands whose summaries the worker writes, one entry per write (data/engagement.py `save`)."""
    saved: list[str] = []
    original = engagement_store.save

    def save(brand_id: str, *args: Any, **kwargs: Any) -> Any:
        saved.append(brand_id)
        return original(brand_id, *args, **kwargs)

    monkeypatch.setattr(engagement_store, "save", save)
    return saved


def test_several_requests_in_one_delivery_are_one_write_and_a_redelivery_counts_once(
    api: Any, new_member: Callable[..., SignedInMember], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a post tagging 5 of a brand's products (the most a photo takes), counted from the stream
    owner, author = new_member("brand", name="Owner"), new_member("prime", name="Author")
    world = _tagged_post(api, owner, author, tags=5)
    brand_id, post_id = world["brand"]["id"], world["post"]["id"]
    products = [p["id"] for p in world["products"]]
    run_aggregators()
    # And 6 viewers, each sending its own request: an impression (of all 5 tagged products) and a
    # tap on one of them (a viewer's taps on one post count once an hour)
    channels = ["feed", "post", "gallery", None, "brand_page", "gallery"]
    for n, channel in enumerate(channels):
        session = new_session(api)
        ticket = receipt(api, post_id, session=session)
        batch = [_event("impression", post_id, ticket, None, channel)]
        batch += [_event("tag_click", post_id, ticket, products[n % len(products)], channel)]
        assert send_events(api, batch, session=session) == {"accepted": 2, "dropped": 0}
    messages = _receive(brand_id, expected=len(channels))

    # When the 6 messages reach the worker in one delivery, and that delivery comes again
    saved = _counting_saves(monkeypatch)
    assert _deliver(messages) == {"batchItemFailures": []}
    assert _deliver(messages) == {"batchItemFailures": []}

    # Then the brand's summaries were written once, whatever the messages, events and tags
    assert saved == [brand_id]
    report = insights(api, owner, brand_id)
    assert report["totals"]["impressions"] == 6
    assert report["totals"]["tag_clicks"] == 6
    assert sorted((p["product_id"], p["impressions"]) for p in report["products"]) == [
        (p, 6) for p in sorted(products)
    ]
    # And each event kept its channel (none named: feed)
    assert report["channels"] == [
        {"channel": "feed", "impressions": 2, "tag_clicks": 2, "product_clicks": 0, "tag_click_rate": 1.0},
        {"channel": "gallery", "impressions": 2, "tag_clicks": 2, "product_clicks": 0, "tag_click_rate": 1.0},
        {
            "channel": "brand_page",
            "impressions": 1,
            "tag_clicks": 1,
            "product_clicks": 0,
            "tag_click_rate": 1.0,
        },
        {"channel": "post", "impressions": 1, "tag_clicks": 1, "product_clicks": 0, "tag_click_rate": 1.0},
    ]


def test_one_delivery_of_two_brands_writes_each_brand_once(
    api: Any, new_member: Callable[..., SignedInMember], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two brands' posts, each engaged with by 3 requests
    author = new_member("prime", name="Author")
    worlds = [_tagged_post(api, new_member("brand"), author, tags=2) for _ in range(2)]
    run_aggregators()
    for world in worlds:
        post_id = world["post"]["id"]
        for _ in range(3):
            session = new_session(api)
            ticket = receipt(api, post_id, session=session)
            batch = [_event("impression", post_id, ticket, None, "interest")]
            assert send_events(api, batch, session=session) == {"accepted": 1, "dropped": 0}
    # When both brands' messages come in one delivery
    messages = [m for w in worlds for m in _receive(w["brand"]["id"], expected=3)]
    saved = _counting_saves(monkeypatch)
    assert _deliver(messages) == {"batchItemFailures": []}
    # Then each brand's summaries are written once
    assert sorted(saved) == sorted(w["brand"]["id"] for w in worlds)


def test_channels_from_post_events_reach_insights(
    api: Any, new_member: Callable[..., SignedInMember]
) -> None:
    # Given a tagged post and viewers on three channels, one product click from a product page
    owner, author = new_member("brand"), new_member("prime")
    world = _tagged_post(api, owner, author, tags=1)
    brand_id, post_id, product_id = world["brand"]["id"], world["post"]["id"], world["products"][0]["id"]
    for channel, kinds in (("profile", ["impression"]), ("product", ["impression", "product_click"])):
        viewer = new_member()
        ticket = receipt(api, post_id, viewer)
        batch = [
            _event(k, post_id, ticket, product_id if k != "impression" else None, channel) for k in kinds
        ]
        assert send_events(api, batch, viewer)["accepted"] == len(kinds)
    # When the queue and the stream are delivered as the event runner does
    run_aggregators()
    # Then insights show each channel's counted events
    report = insights(api, owner, brand_id)
    assert [(c["channel"], c["impressions"], c["product_clicks"]) for c in report["channels"]] == [
        ("product", 1, 1),
        ("profile", 1, 0),
    ]


def test_an_unknown_channel_is_a_validation_error(api: Any) -> None:
    session = new_session(api)
    body = {"events": [{"type": "impression", "post_id": "post_x", "receipt": "r", "channel": "email"}]}
    headers = {"X-Flint-Session": session, "Content-Type": "application/json"}
    response = api.http.post("/events", headers=headers, body=json.dumps(body).encode())
    assert_error(response, 422, "validation_error")
