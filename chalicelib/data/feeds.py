"""Access patterns for precomputed feeds and the inputs the refresh reads.

A feed generation is one item holding the ranked entries (post, author,
reasons), compressed, so writing a generation is atomic and reading a page of
it is one request. Each feed also has a small head item (current generation,
last check, digest of the ranked entries): the refresh reads the head, not a
generation, to decide whether there is anything to do, and writes nothing but
`checked_at` when the ranked entries did not change.

A member's superseded generations are not deleted: they expire (TTL, when the
member could no longer be served them). Deleting costs write units by item
size, as much as writing the generation did; expiring is free, and storing a
week of an active member's generations costs a few hundredths of a cent a month.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.data import connection, keys, ownership
from chalicelib.data.models import (
    POST_STATS_ATTRIBUTES,
    FeedHeadItem,
    FeedItem,
    FlintItem,
    PostItem,
    UserItem,
)
from chalicelib.data.ownership import Erased, OwnedKind
from chalicelib.data.pages import Page
from chalicelib.data.posts import LIVE


@dataclass(frozen=True)
class FeedEntry:
    post_id: str
    author_id: str
    reasons: list[str]
    # Ranking inputs, carried by the shared candidate lists (trending, per interest) only.
    created_at: str | None = None
    smiles: int = 0
    comments: int = 0
    enthusiast: bool = False


@dataclass(frozen=True)
class Generation:
    owner: str
    generation: str
    generated_at: str
    entries: list[FeedEntry]


@dataclass(frozen=True)
class FeedHead:
    generation: str
    generated_at: str
    checked_at: str
    digest: str


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


def _entry_json(entry: FeedEntry) -> dict[str, Any]:
    raw: dict[str, Any] = {"p": entry.post_id, "a": entry.author_id, "r": entry.reasons}
    if entry.created_at is not None:
        raw.update(c=entry.created_at, s=entry.smiles, m=entry.comments)
        if entry.enthusiast:
            raw["e"] = True
    return raw


def _entries(raw: list[dict[str, Any]]) -> list[FeedEntry]:
    return [
        FeedEntry(
            e["p"],
            e["a"],
            list(e.get("r") or []),
            e.get("c"),
            int(e.get("s") or 0),
            int(e.get("m") or 0),
            bool(e.get("e")),
        )
        for e in raw
    ]


def to_generation(item: FeedItem) -> Generation:
    raw = json.loads(zlib.decompress(item.packed)) if item.packed else (item.entries or [])
    return Generation(item.owner, item.generation, item.generated_at, _entries(raw))


def _pack(entries: Iterable[FeedEntry]) -> bytes:
    text = json.dumps([_entry_json(e) for e in entries], separators=(",", ":"))
    return zlib.compress(text.encode(), 6)


def save_generation(
    owner: str,
    generation: str,
    entries: Iterable[FeedEntry],
    generated_at: str,
    expires_at: datetime,
    digest: str | None = None,
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
        packed=_pack(entries),
        digest=digest,
    )
    item.expires_at = expires_at
    return connection.put(item, condition=FeedItem.PK.does_not_exist())


def get_head(owner: str) -> FeedHead | None:
    """The feed's head: one GetItem of a ~200-byte item."""
    key = keys.feed_head(owner)
    try:
        item = FeedHeadItem.get(key.pk, key.sk)
    except FeedHeadItem.DoesNotExist:
        return None
    return FeedHead(item.generation, item.generated_at, item.checked_at, item.digest)


def put_head(owner: str, head: FeedHead, expires_at: datetime) -> None:
    """Point the feed at its new current generation (written after the generation itself).

    A worker killed between the two writes leaves the head on the previous generation: readers
    never read the head, and the next refresh finds a digest mismatch and completes the work.
    """
    key = keys.feed_head(owner)
    item = FeedHeadItem(
        key.pk,
        key.sk,
        generation=head.generation,
        generated_at=head.generated_at,
        checked_at=head.checked_at,
        digest=head.digest,
    )
    item.expires_at = expires_at
    connection.put(item)


def touch_head(owner: str, checked_at: str) -> None:
    """Record a refresh that found nothing new: one small UpdateItem, no generation written."""
    key = keys.feed_head(owner)
    connection.update(FeedHeadItem(key.pk, key.sk), [FeedHeadItem.checked_at.set(checked_at)])


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
        return to_generation(item)
    return None


def get_generation(owner: str, generation: str) -> Generation | None:
    key = keys.feed_generation(owner, generation)
    try:
        return to_generation(FeedItem.get(key.pk, key.sk))
    except FeedItem.DoesNotExist:
        return None


@dataclass(frozen=True)
class GenerationStamp:
    generation: str
    generated_at: str


def generation_stamps(owner: str) -> list[GenerationStamp]:
    """Every stored generation's id and computation time, newest first (one Query).

    Reads whole generations (a projection does not reduce read units): only the planner's few
    shared lists use it; members' generations expire instead.
    """
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
_STATS_ATTRIBUTES = ["PK", "SK", *POST_STATS_ATTRIBUTES]


def recent_post_stats(days: Iterable[str]) -> list[PostStats]:
    """Posts created on these days (one Query per day of GSI2), with their counters."""
    stats: list[PostStats] = []
    for day in days:
        for item in FlintItem.gsi2.query(keys.recent_partition(day), attributes_to_get=_STATS_ATTRIBUTES):
            if isinstance(item, PostItem) and item.state == LIVE:
                stats.append(_stats(item))
    return stats


def author_recent_stats(author_id: str, limit: int) -> list[PostStats]:
    """An author's newest live posts with their counters: one Query of the narrow GSI3."""
    results = FlintItem.gsi3.query(
        keys.author_posts(author_id),
        FlintItem.GSI3SK.startswith(keys.POST_REF_PREFIX),
        scan_index_forward=False,
        limit=limit,
        page_size=limit,
    )
    return [_stats(i) for i in results if isinstance(i, PostItem) and i.state == LIVE]


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


# --- what a member owns here (chalicelib/data/ownership.py) ------------------------------------
# The member's own feed (its head and generations). Entries for their posts in other members'
# feeds hold only ids, are dropped when read once the post is gone, and expire with their
# generation (a week at most: docs/privacy.md).


def _member_feed(member_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    results = FlintItem.query(
        keys.feed_partition(member_id),
        limit=limit,
        page_size=limit,
        last_evaluated_key=start,
        attributes_to_get=["PK", "SK"],
    )
    return Page([(i.PK, i.SK) for i in results], results.last_evaluated_key)


def _erase_feed_item(member_id: str, table_key: tuple[str, str]) -> Erased:
    ownership.delete([table_key])
    return Erased.GONE


ownership.register(
    OwnedKind(
        "feed",
        (FeedItem, FeedHeadItem),
        ("feed_generation", "feed_head", "feed_partition"),
        _member_feed,
        _erase_feed_item,
    )
)
