"""Feed helpers for tests: onboarding, quick posts, the refresh pipeline's real event path, reading feeds."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
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
from tests.support.events import app_runner
from tests.support.posts import JSON, body_of, post_body, published

# Five distinct catalog interests (local/demo_data.py), the fewest a member may choose.
HIKER = ("hiking", "camping", "outdoors", "travel", "photography")
BAKER = ("baking", "cooking", "coffee", "books", "home-decor")


def onboard(api: Any, member: Any, interests: Sequence[str] = HIKER) -> None:
    """PUT /me/interests: the member becomes onboarded (and active, through the authorizer)."""
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


@dataclass
class FeedEvents:
    """The feed handlers driven as AWS drives them: the EventBridge event, then SQS batches."""

    runner: EventRunner

    @classmethod
    def for_app(cls) -> FeedEvents:
        return cls(app_runner())

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
        result = self.runner.fire_schedule(self.planner)
        assert result is not None, "the feed planner raised (see the log)"
        return dict(result)

    def work(self, max_batches: int = 100) -> int:
        """Deliver refresh messages until the queue is empty; returns how many were delivered."""
        delivered = 0
        for _ in range(max_batches):
            received = self.runner.poll_queue_once(self.worker)
            if not received:
                return delivered
            delivered += received
        raise AssertionError("the refresh queue never emptied")

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


def refresh(member_id: str) -> int:
    """What one planner run does for a member of the active tier: the shared lists, then their refresh."""
    from chalicelib.services import feeds

    feeds.write_shared_lists(clock.now())
    return feeds.refresh_member(member_id, clock.now_iso())


def entry_ids(item: FeedItem) -> list[str]:
    return [e.post_id for e in feed_store.to_generation(item).entries]
