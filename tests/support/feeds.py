"""Feed helpers for tests: onboarding, quick posts, the refresh pipeline's real event path, reading feeds."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from chalicelib import caches, clock
from chalicelib.data import feeds as feed_store
from chalicelib.data import keys
from chalicelib.data import posts as post_store
from chalicelib.data.models import FeedItem
from chalicelib.settings import get_settings
from local.bulk import post_record
from local.event_runner import EventRunner
from tests.support.aws import REGION
from tests.support.events import app_runner
from tests.support.posts import JSON, body_of, post_body, published


@contextmanager
def days_ago(monkeypatch: pytest.MonkeyPatch, days: float) -> Iterator[None]:
    """Run the block with the app's clock turned back (tokens stay valid: they use real time);
    a negative `days` moves it forward."""
    then = datetime.now(UTC) - timedelta(days=days)
    with monkeypatch.context() as patch:
        patch.setattr(clock, "now", lambda: then)
        yield


def minutes_later(monkeypatch: pytest.MonkeyPatch, minutes: float) -> AbstractContextManager[None]:
    """Run the block with the app's clock moved forward."""
    return days_ago(monkeypatch, -minutes / (24 * 60))


# Five distinct catalog interests (local/demo_data.py), the fewest a member may choose.
HIKER = ("hiking", "camping", "outdoors", "travel", "photography")
BAKER = ("baking", "cooking", "coffee", "books", "home-decor")


def onboard(api: Any, member: Any, interests: Sequence[str] = HIKER) -> None:
    """A member with interests and no feed yet, active (GET /me, through the authorizer): what the
    feed pipeline's tests start from. Interests are written through the data layer, because
    PUT /me/interests also builds the feed at once (`onboard_through_the_api`)."""
    from chalicelib.data import users

    response = api.http.get("/me", headers=member.headers)
    assert response.status_code == 200, response.body
    assert users.set_interests(member.user_id, list(interests)) is not None


def onboard_through_the_api(api: Any, member: Any, interests: Sequence[str] = HIKER) -> None:
    """PUT /me/interests, as the web client's onboarding sends it (the feed is built at once)."""
    response = api.http.put(
        "/me/interests", body=json.dumps({"interests": list(interests)}), headers={**JSON, **member.headers}
    )
    assert response.status_code == 200, response.body


def joined(api: Any, member: Any) -> Any:
    """The member's first API call, which creates their profile (and marks them active)."""
    response = api.http.get("/me", headers=member.headers)
    assert response.status_code == 200, response.body
    return member


def follow(api: Any, follower: Any, followee_id: str) -> None:
    response = api.http.put(f"/users/{followee_id}/follow", headers=follower.headers)
    assert response.status_code == 200, response.body


def idea(api: Any, author: Any, interests: Sequence[str], caption: str = "An idea") -> dict[str, Any]:
    """POST /posts of an `idea` (no photos, so no uploads needed); the author must be Prime."""
    return published(api, author, post_body("idea", interests=interests, caption=caption, body="Details."))


def stored_post(author_id: str, interests: Sequence[str], created_at: str, caption: str = "stored") -> str:
    """A post published through the data layer's one transaction, exactly as POST /posts does."""
    record = post_record(author_id, interests, created_at, caption)
    post_store.create_post(record)
    return record.post_id


def _until_empty(poll: Callable[[], int], max_batches: int, source: str) -> int:
    """Call `poll` (one delivery round; returns what it delivered) until a round delivers nothing."""
    delivered = 0
    for _ in range(max_batches):
        received = poll()
        if not received:
            return delivered
        delivered += received
    raise AssertionError(f"{source} never ran dry")


# The table's stream -> the one runner that reads it for the feed helpers (it keeps its position in
# each shard, so every record reaches the stream worker once, as Lambda's mapping delivers it).
_stream_readers: dict[str, EventRunner] = {}


@dataclass
class FeedEvents:
    """The feed handlers driven as AWS drives them: the table's stream, the EventBridge event, then
    SQS batches. The planner learns what changed from the stream (the stream worker logs post
    changes), so `plan()` first delivers the stream, as Lambda's stream mapping would have."""

    runner: EventRunner

    @classmethod
    def for_app(cls) -> FeedEvents:
        return cls(app_runner())

    def deliver_stream(self, max_batches: int = 1000) -> int:
        """Hand the table's stream to the stream worker until nothing new is left; returns records.

        Feed tests that plan have a table of their own (`private_table`), so its stream holds only
        their records: its reader starts at the stream's first record and is kept for the table.
        """
        streams = boto3.client("dynamodbstreams", region_name=REGION)
        found = streams.list_streams(TableName=get_settings().table_name).get("Streams", [])
        if not found:
            return 0
        reader = _stream_readers.setdefault(found[-1]["StreamArn"], app_runner(streams=True))
        source = next(s for s in reader.stream_sources if s.name == "stream_worker")
        return _until_empty(lambda: reader.poll_stream_once(source), max_batches, "the table's stream")

    @property
    def planner(self) -> Any:
        return next(s for s in self.runner.schedule_sources if s.name == "feed_planner")

    @property
    def worker(self) -> Any:
        """The feed worker's event source, on the refresh queue settings name (a test's own queue
        when `own_refresh_queue` made one; the app registered the session's at import)."""
        source = copy.copy(next(s for s in self.runner.queue_sources if s.name == "feed_worker"))
        source.queue = refresh_queue_name()
        return source

    def plan(self) -> dict[str, Any]:
        self.deliver_stream()
        result = self.runner.fire_schedule(self.planner)
        assert result is not None, "the feed planner raised (see the log)"
        return dict(result)

    def work(self, max_batches: int = 100) -> int:
        """Deliver refresh messages until the queue is empty; returns how many were delivered."""
        return _until_empty(
            lambda: self.runner.poll_queue_once(self.worker), max_batches, "the refresh queue"
        )

    def refresh_all(self) -> dict[str, Any]:
        summary = self.plan()
        self.work()
        return summary


def sqs() -> Any:
    return boto3.client("sqs", region_name="us-east-1")


@contextmanager
def own_refresh_queue(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A refresh queue of the test's own, which settings name while the block runs: feed tests count
    exactly what the planner queued and what the worker took, and may leave failed (hidden) messages
    behind, which a shared queue would hand to a later test. Dropped afterwards."""
    name = f"flint-t-{uuid.uuid4().hex[:12]}-feed-refresh"
    url = sqs().create_queue(QueueName=name)["QueueUrl"]
    monkeypatch.setenv("FLINT_FEED_REFRESH_QUEUE", name)
    caches.reset()
    try:
        yield name
    finally:
        sqs().delete_queue(QueueUrl=url)


def refresh_queue_name() -> str:
    return get_settings().feed_refresh_queue


def refresh_queue_url() -> str:
    return str(sqs().get_queue_url(QueueName=refresh_queue_name())["QueueUrl"])


def queued_refreshes(*, release: bool = True) -> list[dict[str, Any]]:
    """The bodies of every message waiting on the refresh queue.

    With `release`, the messages are made visible again afterwards, so the worker still gets them.
    """
    bodies: list[dict[str, Any]] = []
    handles: list[str] = []
    url = refresh_queue_url()
    while True:
        messages = (
            sqs().receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        )
        if not messages:
            break
        bodies += [json.loads(m["Body"]) for m in messages]
        handles += [m["ReceiptHandle"] for m in messages]
    if release:
        for handle in handles:
            sqs().change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
    return bodies


def discard_refreshes() -> int:
    """Delete every message waiting on the refresh queue (PurgeQueue allows one call a minute)."""
    url, discarded = refresh_queue_url(), 0
    while True:
        messages = (
            sqs().receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        )
        if not messages:
            return discarded
        sqs().delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
        )
        discarded += len(messages)


def send_refresh(body: str) -> str:
    """Put one raw message on the refresh queue, as the planner would; returns its message id."""
    return str(sqs().send_message(QueueUrl=refresh_queue_url(), MessageBody=body)["MessageId"])


def get_feed(api: Any, member: Any | None = None, limit: int = 20, cursor: str | None = None) -> Any:
    query = f"?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
    return api.http.get("/feed" + query, headers=member.headers if member else {})


def feed_page(
    api: Any, member: Any | None = None, limit: int = 20, cursor: str | None = None
) -> dict[str, Any]:
    response = get_feed(api, member, limit, cursor)
    assert response.status_code == 200, response.body
    return dict(body_of(response))


def whole_feed(api: Any, member: Any | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """Every card, following next_cursor to the end."""
    cards: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(100):
        page = feed_page(api, member, limit, cursor)
        cards += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return cards
    raise AssertionError("the feed never ends")


def reasons_by_post(cards: list[dict[str, Any]]) -> dict[str, list[str]]:
    return {card["post"]["id"]: card["reasons"] for card in cards}


def generation_items(owner: str) -> list[FeedItem]:
    """Every stored generation of a feed (consistent read), oldest first."""
    return list(
        FeedItem.query(
            keys.feed_partition(owner),
            FeedItem.SK.startswith(keys.GENERATION_PREFIX),
            consistent_read=True,
        )
    )


def update_lists() -> None:
    """What a planner run does to the shared lists: the stream delivered, then the lists updated."""
    from chalicelib.services import feeds

    FeedEvents.for_app().deliver_stream()
    feeds.update_shared_lists(clock.now())


def refresh(member_id: str) -> int:
    """What one planner run does for a member of the active tier: the shared lists, then their refresh."""
    from chalicelib.services import feeds

    update_lists()
    return feeds.refresh_member(member_id, clock.now_iso())


def entry_ids(item: FeedItem) -> list[str]:
    return [e.post_id for e in feed_store.to_generation(item).entries]
