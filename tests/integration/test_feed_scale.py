"""Feed refresh cost as the community grows: DynamoDB requests per refreshed member stay flat.

The fixture is written straight through the data layer's models (BatchWriteItem), mirroring what
sign-up, onboarding, follows and `create_post` write, so hundreds of members and thousands of posts
take seconds. The refresh then runs through its real event path: schedule -> planner -> SQS -> worker.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import boto3
import pytest

from chalicelib import clock
from chalicelib.data import keys
from chalicelib.data.models import FollowItem, UserItem
from chalicelib.settings import get_settings
from local.bulk import bulk_posts, post_record
from local.demo_data import INTERESTS
from tests.conftest import SignedInMember
from tests.support.aws_calls import ApiCalls, record_api_calls
from tests.support.feeds import (
    FeedEvents,
    discard_refreshes,
    joined,
    queued_refreshes,
    stored_post,
)

INTEREST_IDS = [interest_id for interest_id, _ in INTERESTS]
INTERESTS_PER_MEMBER = 5
FOLLOWS_PER_MEMBER = 5
POSTS_PER_MEMBER = 10
SAMPLE_BATCHES = 1  # 10 members refreshed (and measured) per run
# The community before and after it grows 4x: enough for every trending list a refresh reads to be
# full before (TRENDING_CANDIDATES), so the ratio measures growth, not a filling fixture.
SMALL, GROWN = 30, 120


@dataclass(frozen=True)
class RefreshCost:
    planned: int
    members: int
    planner_requests: int
    worker_requests: int
    worker_write_units: int
    worker_by_operation: dict[str, int]

    @property
    def requests_per_member(self) -> float:
        return self.worker_requests / self.members

    @property
    def write_units_per_member(self) -> float:
        return self.worker_write_units / self.members


pytestmark = pytest.mark.usefixtures("feeds_of_their_own")


def _value_size(value: dict[str, Any]) -> int:
    """Bytes DynamoDB bills for one attribute value (its item-size rules, close enough to bill by)."""
    [(kind, raw)] = value.items()
    if kind == "S":
        return len(raw.encode())
    if kind == "N":
        return math.ceil(len(raw.lstrip("-").replace(".", "").lstrip("0") or "0") / 2) + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + _value_size(v) for v in raw)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + _value_size(v) for k, v in raw.items())
    if kind in ("SS", "NS"):
        return sum(len(v.encode()) for v in raw)
    return len(str(raw))


def _write_units(item: dict[str, Any]) -> int:
    size = sum(len(name.encode()) + _value_size(value) for name, value in item.items())
    return max(1, math.ceil(size / 1024))


def _billed_writes(calls: ApiCalls) -> int:
    units = 0
    for operation, params in calls.calls:
        if operation == "PutItem":
            units += _write_units(params["Item"])
        elif operation == "BatchWriteItem":
            for requests in params["RequestItems"].values():
                # A delete is billed by the deleted item's size: count each as one unit at least.
                units += sum(
                    _write_units(r["PutRequest"]["Item"]) if "PutRequest" in r else 1 for r in requests
                )
        elif operation in ("UpdateItem", "DeleteItem"):
            units += 1
    return units


def _by_operation(calls: ApiCalls) -> dict[str, int]:
    counts: dict[str, int] = {}
    for operation, _ in calls.calls:
        counts[operation] = counts.get(operation, 0) + 1
    return dict(sorted(counts.items()))


def _add_members(rng: random.Random, first: int, count: int) -> list[str]:
    """Onboarded members active today, with their recent posts.

    What sign-up, PUT /me/interests, the activity mark and publishing write: each profile carries its
    `posts` count, `last_posted_at` and newest post ids, so the posts are written without one
    UpdateItem per author.
    """
    now = clock.now()
    member_ids = [f"scale-member-{i:04d}" for i in range(first, first + count)]
    posts = [
        post_record(
            author,
            rng.sample(INTEREST_IDS, rng.randint(1, 3)),
            clock.iso(now - timedelta(minutes=rng.randint(1, 70 * 60))),  # within the trending window
        )
        for author in member_ids
        for _ in range(POSTS_PER_MEMBER)
    ]
    bulk_posts(posts, update_authors=False)
    last_posted = {p.author_id: p.created_at for p in sorted(posts, key=lambda p: p.created_at)}
    newest: dict[str, set[str]] = {}
    for post in posts:
        newest.setdefault(post.author_id, set()).add(post.post_id)
    today = clock.iso(now)
    with UserItem.batch_write() as batch:
        for user_id in member_ids:
            key, active = keys.user(user_id), keys.active_member(user_id, today)
            batch.save(
                UserItem(
                    key.pk,
                    key.sk,
                    GSI2PK=active.pk,
                    GSI2SK=active.sk,
                    user_id=user_id,
                    display_name=user_id,
                    interests=rng.sample(INTEREST_IDS, INTERESTS_PER_MEMBER),
                    onboarded=True,
                    posts=POSTS_PER_MEMBER,
                    created_at=today,
                    last_active_at=today,
                    last_posted_at=last_posted[user_id],
                    recent_posts=newest[user_id],
                )
            )
    return member_ids


def _add_follows(rng: random.Random, followers: Sequence[str], everyone: Sequence[str]) -> None:
    now = clock.now_iso()
    with FollowItem.batch_write() as batch:
        for follower in followers:
            for followee in rng.sample([m for m in everyone if m != follower], FOLLOWS_PER_MEMBER):
                edge = keys.follow(follower, followee)
                batch.save(
                    FollowItem(
                        edge.pk,
                        edge.sk,
                        follower_id=follower,
                        followee_id=followee,
                        created_at=now,
                    )
                )


def _scheduled_refresh(monkeypatch: pytest.MonkeyPatch, sample_batches: int) -> RefreshCost:
    """Fire the planner, let the worker plan its shards (every active member queued), then take
    `sample_batches` batches of refreshes.

    The embedded DynamoDB answers a Query by sorting its whole table, so refreshing every member of a
    large fixture takes minutes here (not in AWS); a sample of the queue, which the planner fills in
    index-shard order (a hash of the member id, so new and old members mix), measures the per-member
    cost, and the rest of the queue is discarded.
    """
    events = FeedEvents.for_app()
    with record_api_calls(monkeypatch, "dynamodb") as planner_calls:
        summary = events.plan()
        shards = events.runner.poll_queue_once(events.worker)  # the planner's messages, one per shard
    assert shards == summary["shards"]
    planned = len(queued_refreshes())
    with record_api_calls(monkeypatch, "dynamodb") as worker_calls:
        refreshed = sum(events.runner.poll_queue_once(events.worker) for _ in range(sample_batches))
    discard_refreshes()
    assert events.runner.stats.failed == 0
    return RefreshCost(
        planned=planned,
        members=refreshed,
        planner_requests=len(planner_calls.calls),
        worker_requests=len(worker_calls.calls),
        worker_write_units=_billed_writes(worker_calls),
        worker_by_operation=_by_operation(worker_calls),
    )


def _partition_first_queries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Speed only: moto answers every Query by sorting its whole table (O(n log n) per request).

    Its Query code filters the table's items and sorts the matches itself, so handing it the items
    unsorted returns the same results; only Scan relies on that order, and this test makes none
    (asserted below).
    """
    from moto.dynamodb.models.table import Table

    def unsorted_items(table: Table) -> list[Any]:
        if not table.range_key_attr:
            return list(table.items.values())
        return [item for partition in table.items.values() for item in partition.values()]

    monkeypatch.setattr(Table, "all_items", unsorted_items)


def test_requests_per_refreshed_member_stay_flat_as_members_grow(
    stack: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    _partition_first_queries(monkeypatch)
    rng = random.Random(2026)

    # Given 30 onboarded members, each following 5 others, and 300 recent posts
    small = _add_members(rng, 0, SMALL)
    _add_follows(rng, small, small)

    # When the scheduled refresh runs
    before = _scheduled_refresh(monkeypatch, SAMPLE_BATCHES)

    # And the community grows to 120 members and 1,200 posts, and it runs again
    grown = small + _add_members(rng, SMALL, GROWN - SMALL)
    _add_follows(rng, grown[SMALL:], grown)
    after = _scheduled_refresh(monkeypatch, SAMPLE_BATCHES)

    # Then every active member was planned each time
    assert (before.planned, after.planned) == (SMALL, GROWN)
    assert before.members == after.members == SAMPLE_BATCHES * 10
    # and the worker's requests per member stayed flat: the run grows linearly, not quadratically
    assert after.requests_per_member == pytest.approx(before.requests_per_member, rel=0.15), (before, after)
    assert after.write_units_per_member == pytest.approx(before.write_units_per_member, rel=0.15)
    # and no request read a whole table
    assert "Scan" not in before.worker_by_operation and "Scan" not in after.worker_by_operation

    elapsed = time.monotonic() - started
    with capsys.disabled():
        for label, cost in (("before", before), ("after", after)):
            print(
                f"\nfeed scale {label}: {cost.planned} members, {cost.planned * POSTS_PER_MEMBER} posts:"
                f" planner {cost.planner_requests}"
                f" requests; worker {cost.worker_requests} requests for {cost.members} members"
                f" = {cost.requests_per_member:.1f}/member"
                f" {cost.worker_by_operation}; ~{cost.write_units_per_member:.1f} write units/member"
            )
        print(f"feed scale: {elapsed:.1f} s")


def _raw_items(post_id: str, author_id: str) -> dict[str, dict[str, Any]]:
    table = boto3.resource("dynamodb", region_name="us-east-1").Table(get_settings().table_name)
    found: dict[str, dict[str, Any]] = {}
    for item in table.scan(ConsistentRead=True)["Items"]:
        if post_id in str(item):
            if item["SK"] == "PROFILE":
                continue
            name = "post" if item["SK"] == "POST" else str(item["PK"]).split("#")[0]
            found[name] = {
                k: str(v).replace(post_id, "<post>").replace(post_id[5:15], "<time>") for k, v in item.items()
            }
    return found


def test_the_bulk_fixture_writes_what_publishing_a_post_writes(
    api: Any, new_member: Callable[..., SignedInMember]
) -> None:
    # Given the same post published through create_post's transaction and through the bulk fixture
    author = joined(api, new_member("prime"))
    at = clock.now_iso()
    published = stored_post(author.user_id, ["hiking", "camping"], at)
    bulk = post_record(author.user_id, ["hiking", "camping"], at)
    bulk_posts([bulk])

    # Then they wrote the same items, attribute for attribute (the author's profile aside: it is
    # one item, which names both posts among its newest)
    assert _raw_items(bulk.post_id, author.user_id) == _raw_items(published, author.user_id)
    profile = UserItem.get(*keys.user(author.user_id))
    assert (profile.posts, profile.last_posted_at) == (2, at)
    assert profile.recent_posts == {bulk.post_id, published}
