"""Access patterns for precomputed feeds and the inputs the refresh reads.

A feed generation is one item holding the ranked entries (post, author,
reasons), so writing a generation is atomic and reading a page of it is one
request. Generations sort by id (time); old ones are pruned by the worker and
also carry a TTL as a clean-up aid.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import PutError

from chalicelib.data import keys
from chalicelib.data.models import FeedItem, FlintItem, PostItem, UserItem
from chalicelib.data.posts import LIVE


@dataclass(frozen=True)
class FeedEntry:
    post_id: str
    author_id: str
    reasons: list[str]


@dataclass(frozen=True)
class Generation:
    owner: str
    generation: str
    generated_at: str
    entries: list[FeedEntry]


@dataclass(frozen=True)
class PostStats:
    post_id: str
    author_id: str
    created_at: str
    interests: list[str]
    smiles: int
    comments: int


@dataclass(frozen=True)
class AuthorInfo:
    user_id: str
    badges: list[str]
    last_posted_at: str | None
    interests: list[str]
    onboarded: bool


def _entries(raw: list[dict[str, Any]]) -> list[FeedEntry]:
    return [FeedEntry(e["p"], e["a"], list(e.get("r") or [])) for e in raw]


def _generation(item: FeedItem) -> Generation:
    return Generation(item.owner, item.generation, item.generated_at, _entries(item.entries or []))


def save_generation(
    owner: str, generation: str, entries: Iterable[FeedEntry], generated_at: str, expires_at: datetime
) -> bool:
    """Publish a generation once; False if it already exists (a redelivered refresh), which is kept.

    A generation never changes after it is written: a reader paging through it by offset would
    otherwise see posts twice or miss some when a retry ranks a changed world into the same id.
    """
    key = keys.feed_generation(owner, generation)
    item = FeedItem(
        key.pk,
        key.sk,
        owner=owner,
        generation=generation,
        generated_at=generated_at,
        entries=[{"p": e.post_id, "a": e.author_id, "r": e.reasons} for e in entries],
    )
    item.expires_at = expires_at
    try:
        item.save(condition=FeedItem.PK.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def newest_generation(owner: str) -> Generation | None:
    """The current generation: one Query, newest first, Limit 1."""
    results = FeedItem.query(
        keys.feed_partition(owner),
        FeedItem.SK.startswith(keys.GENERATION_PREFIX),
        scan_index_forward=False,
        limit=1,
        page_size=1,
    )
    for item in results:
        return _generation(item)
    return None


def get_generation(owner: str, generation: str) -> Generation | None:
    key = keys.feed_generation(owner, generation)
    try:
        return _generation(FeedItem.get(key.pk, key.sk))
    except FeedItem.DoesNotExist:
        return None


@dataclass(frozen=True)
class GenerationStamp:
    generation: str
    generated_at: str


def generation_stamps(owner: str) -> list[GenerationStamp]:
    """Every stored generation's id and computation time, newest first: one Query, no entries decoded."""
    results = FeedItem.query(
        keys.feed_partition(owner),
        FeedItem.SK.startswith(keys.GENERATION_PREFIX),
        scan_index_forward=False,
        attributes_to_get=["PK", "SK", "generated_at"],
    )
    return [
        GenerationStamp(item.SK.removeprefix(keys.GENERATION_PREFIX), item.generated_at or "")
        for item in results
    ]


def delete_generations(owner: str, generations: Iterable[str]) -> int:
    """Delete these generations (BatchWriteItem); returns how many."""
    doomed = [keys.feed_generation(owner, g) for g in generations]
    with FlintItem.batch_write() as batch:
        for key in doomed:
            batch.delete(FlintItem(key.pk, key.sk))
    return len(doomed)


def prune_generations(owner: str, keep: int) -> int:
    """Delete all but the newest `keep` generations; returns how many went."""
    return delete_generations(owner, [s.generation for s in generation_stamps(owner)[keep:]])


def active_member_ids(since: str) -> list[str]:
    """Members active since `since`: one Query per shard of the sparse GSI2 index."""
    found: list[str] = []
    for shard in range(keys.ACTIVE_SHARDS):
        for item in FlintItem.gsi2.query(keys.active_partition(shard), FlintItem.GSI2SK >= since):  # noqa: SIM300 - a PynamoDB condition
            if isinstance(item, UserItem):
                found.append(item.user_id)
    return found


# What ranking needs of a post: the refresh never decodes photos, tags or bodies it would drop.
_STATS_ATTRIBUTES = [
    "PK",
    "SK",
    "type",
    "post_id",
    "author_id",
    "created_at",
    "interests",
    "smile_count",
    "comment_count",
    "state",
]


def recent_post_stats(days: Iterable[str]) -> list[PostStats]:
    """Posts created on these days (one Query per day of GSI2), with their counters."""
    stats: list[PostStats] = []
    for day in days:
        for item in FlintItem.gsi2.query(keys.recent_partition(day), attributes_to_get=_STATS_ATTRIBUTES):
            if isinstance(item, PostItem) and item.state == LIVE:
                stats.append(_stats(item))
    return stats


def _stats(item: PostItem) -> PostStats:
    return PostStats(
        item.post_id,
        item.author_id,
        item.created_at,
        list(item.interests or []),
        int(item.smile_count or 0),
        int(item.comment_count or 0),
    )


def post_stats(post_ids: Iterable[str]) -> dict[str, PostStats]:
    """Live posts' counters (BatchGetItem, 100 keys a call)."""
    wanted = [keys.post(p) for p in dict.fromkeys(post_ids)]
    if not wanted:
        return {}
    return {
        i.post_id: _stats(i)
        for i in PostItem.batch_get(wanted, attributes_to_get=_STATS_ATTRIBUTES)
        if i.state == LIVE
    }


def author_info(user_ids: Iterable[str]) -> dict[str, AuthorInfo]:
    wanted = [keys.user(u) for u in dict.fromkeys(user_ids)]
    if not wanted:
        return {}
    return {
        i.user_id: AuthorInfo(
            i.user_id, list(i.badges or []), i.last_posted_at, list(i.interests or []), bool(i.onboarded)
        )
        for i in UserItem.batch_get(wanted)
    }
