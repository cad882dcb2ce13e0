"""Feed helpers for tests: onboarding, quick posts, the refresh pipeline's real event path, reading feeds."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import boto3

from chalicelib import clock, ids
from chalicelib.data import feeds as feed_store
from chalicelib.data import keys
from chalicelib.data import posts as post_store
from chalicelib.data.models import FeedItem, FlintItem, PostItem, PostRefItem, UserItem
from chalicelib.data.posts import PostRecord
from local.event_runner import EventRunner
from tests.support.posts import JSON, body_of, post_body, published

# Five distinct catalog interests (local/demo_data.py), the fewest a member may choose.
HIKER = ("hiking", "camping", "outdoors", "travel", "photography")
BAKER = ("baking", "cooking", "coffee", "books", "home-decor")
REFRESH_QUEUE = "flint-dev-feed-refresh"


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


def post_record(
    author_id: str, interests: Sequence[str], created_at: str, caption: str = "stored"
) -> PostRecord:
    """A photo-less post (an idea), so no uploads are needed."""
    return PostRecord(
        post_id=ids.new_id("post", at=datetime.fromisoformat(created_at.replace("Z", "+00:00"))),
        author_id=author_id,
        kind="idea",
        caption=caption,
        body="Details.",
        interests=list(dict.fromkeys(interests)),
        photos=[],
        created_at=created_at,
    )


def stored_post(author_id: str, interests: Sequence[str], created_at: str, caption: str = "stored") -> str:
    """A post published through the data layer's one transaction, exactly as POST /posts does."""
    record = post_record(author_id, interests, created_at, caption)
    post_store.create_post(record)
    return record.post_id


def bulk_posts(posts: Sequence[PostRecord], *, update_authors: bool = True) -> None:
    """What `create_post` writes for photo-less, untagged posts, in BatchWriteItem calls.

    The embedded DynamoDB copies every table for each transaction, so fixtures of hundreds of posts
    are written this way; tests/integration/test_feed_scale.py checks the items match create_post's.
    Without `update_authors`, the caller writes the authors' `posts` and `last_posted_at` itself.
    """
    latest: dict[str, tuple[int, str]] = {}
    with FlintItem.batch_write() as batch:
        for post in posts:
            key = keys.post(post.post_id)
            by_author = keys.post_by_author(post.author_id, post.post_id)
            batch.save(
                PostItem(
                    key.pk,
                    key.sk,
                    GSI3PK=by_author.pk,
                    GSI3SK=by_author.sk,
                    post_id=post.post_id,
                    author_id=post.author_id,
                    kind=post.kind,
                    caption=post.caption,
                    body=post.body,
                    interests=post.interests,
                    photos=[],
                    product_ids=[],
                    smile_count=0,
                    comment_count=0,
                    created_at=post.created_at,
                    state=post_store.LIVE,
                    labels=[],
                )
            )
            for interest_id in post.interests:
                ref = keys.interest_post(interest_id, post.post_id)
                batch.save(
                    PostRefItem(
                        ref.pk,
                        ref.sk,
                        post_id=post.post_id,
                        author_id=post.author_id,
                        created_at=post.created_at,
                    )
                )
            count, last = latest.get(post.author_id, (0, ""))
            latest[post.author_id] = (count + 1, max(last, post.created_at))
    newest: dict[str, list[str]] = {}
    for post in posts:
        newest.setdefault(post.author_id, []).append(post.post_id)
    for author_id, (count, last) in latest.items() if update_authors else ():
        author = keys.user(author_id)
        UserItem(author.pk, author.sk).update(
            actions=[
                UserItem.posts.add(count),
                UserItem.last_posted_at.set(last),
                UserItem.recent_posts.add(set(sorted(newest[author_id])[-post_store.RECENT_POSTS_KEPT :])),
            ],
            condition=UserItem.PK.exists(),
        )


# Stream ARN -> the runner that reads it (and keeps its position in each shard).
_stream_runners: dict[str, EventRunner] = {}


@dataclass
class FeedEvents:
    """The feed handlers driven as AWS drives them: the table's stream, the EventBridge event, then
    SQS batches. The planner learns what changed from the stream (the stream worker logs post
    changes), so `plan()` first delivers the stream, as Lambda's stream mapping would have."""

    runner: EventRunner

    @classmethod
    def for_app(cls) -> FeedEvents:
        from app import app

        return cls(
            EventRunner(
                app,
                boto3.client("sqs", region_name="us-east-1"),
                wait_seconds=0,
                streams=boto3.client("dynamodbstreams", region_name="us-east-1"),
            )
        )

    def deliver_stream(self, max_batches: int = 1000) -> int:
        """Hand the table's stream to the stream worker until nothing new is left.

        One runner per stream reads it, so each record is delivered once, as Lambda's mapping
        does (a fresh runner would start again from the stream's first record).
        """
        source = next(s for s in self.runner.stream_sources if s.name == "stream_worker")
        streams = boto3.client("dynamodbstreams", region_name="us-east-1")
        found = streams.list_streams(TableName=self.runner._table_name).get("Streams", [])
        if not found:
            return 0
        runner = _stream_runners.setdefault(found[-1]["StreamArn"], self.runner)
        delivered = 0
        for _ in range(max_batches):
            read = runner.poll_stream_once(source)
            if not read:
                return delivered
            delivered += read
        raise AssertionError("the stream never ran dry")

    @property
    def planner(self) -> Any:
        return next(s for s in self.runner.schedule_sources if s.name == "feed_planner")

    @property
    def worker(self) -> Any:
        return next(s for s in self.runner.queue_sources if s.name == "feed_worker")

    def plan(self) -> dict[str, Any]:
        self.deliver_stream()
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


def refresh_queue_url() -> str:
    return str(sqs().get_queue_url(QueueName=REFRESH_QUEUE)["QueueUrl"])


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
