"""Personalised feeds, precomputed by a scheduled planner and a queue worker, read in 2 requests.

Planner (every 5 minutes): finds members active in the last 7 days (sparse
index, no Scan), computes trending once for everyone, and enqueues one
message per member. Worker: gathers candidates (the member's interests,
recently-posting followees, trending), ranks them (ranking.py) and writes a
new generation in one item; readers see either the old or the new one,
never half of one. Members who have not been active for a week get no
precomputed feed: their first visit is served from trending and queues a
refresh.

There is no fan-out on write: a post is pulled into feeds by the refresh, so
an author with a million followers costs nothing extra when posting; each
refresh only Queries followees whose `last_posted_at` is recent.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib import aws, clock, cursors
from chalicelib.auth import Identity
from chalicelib.data import feeds as store
from chalicelib.data import keys
from chalicelib.data import posts as post_store
from chalicelib.data import social as social_store
from chalicelib.data.feeds import FeedEntry, Generation
from chalicelib.errors import BadRequest
from chalicelib.observability import logger, metrics
from chalicelib.schemas.feeds import FeedItemOut, FeedPage
from chalicelib.services import ranking
from chalicelib.services.enthusiasts import BADGE
from chalicelib.services.posts import page_size, summary
from chalicelib.settings import get_settings

CANDIDATES_PER_INTEREST = 30
POSTS_PER_FOLLOWEE = 10
MAX_FOLLOWEES = 1000
TRENDING_CANDIDATES = 100
PER_INTEREST_TRENDING = 50
SEND_BATCH = 10
# A reader without a feed queues a refresh at most this often per warm process.
_REQUEUE_SECONDS = 300
_requeued: dict[str, float] = {}
_requeued_lock = threading.Lock()


@dataclass(frozen=True)
class PlanSummary:
    generation: str
    members: int
    trending: int


def _parse(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def _weights() -> ranking.RankingWeights:
    return ranking.RankingWeights(feed_size=get_settings().feed_size)


def _expiry(now: datetime) -> datetime:
    return now + timedelta(days=1)


def compute_trending(now: datetime) -> list[ranking.RankedEntry]:
    """Every recent post ranked by recency and engagement velocity alone."""
    settings = get_settings()
    days = [(now - timedelta(days=d)).strftime("%Y-%m-%d") for d in range(settings.trending_days)]
    stats = store.recent_post_stats(days)
    authors = store.author_info(s.author_id for s in stats)
    candidates = [
        ranking.Candidate(
            s.post_id,
            s.author_id,
            _parse(s.created_at),
            s.smiles,
            s.comments,
            author_is_enthusiast=BADGE in (authors[s.author_id].badges if s.author_id in authors else []),
            reasons=[ranking.TRENDING],
        )
        for s in stats
    ]
    weights = ranking.RankingWeights(feed_size=settings.trending_size)
    return ranking.rank(candidates, viewer_id=None, now=now, weights=weights)


def _to_entries(ranked: Iterable[ranking.RankedEntry]) -> list[FeedEntry]:
    return [FeedEntry(r.post_id, r.author_id, r.reasons) for r in ranked]


def enqueue_refresh(member_ids: list[str], generation: str) -> None:
    sqs = aws.client("sqs")
    url = aws.queue_url(get_settings().feed_refresh_queue)
    for start in range(0, len(member_ids), SEND_BATCH):
        chunk = member_ids[start : start + SEND_BATCH]
        response = sqs.send_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "MessageBody": json.dumps({"member_id": m, "generation": generation})}
                for i, m in enumerate(chunk)
            ],
        )
        if response.get("Failed"):
            raise RuntimeError(f"could not enqueue {len(response['Failed'])} feed refreshes")


def plan(now: datetime | None = None) -> PlanSummary:
    """One planner run: shared trending lists, then one refresh message per active member."""
    settings = get_settings()
    now = now or clock.now()
    generation = clock.iso(now)
    trending = compute_trending(now)
    store.save_generation(keys.trending_owner(), generation, _to_entries(trending), generation, _expiry(now))
    by_interest: dict[str, list[ranking.RankedEntry]] = {}
    stats = store.post_stats(e.post_id for e in trending)
    for entry in trending:
        for interest_id in stats[entry.post_id].interests if entry.post_id in stats else []:
            by_interest.setdefault(interest_id, []).append(entry)
    for interest_id, entries in by_interest.items():
        store.save_generation(
            keys.trending_owner(interest_id),
            generation,
            _to_entries(entries[:PER_INTEREST_TRENDING]),
            generation,
            _expiry(now),
        )
    # Like members' feeds, the shared lists keep their newest generations only: TTL is a clean-up
    # aid, not something correctness (or the local emulator, which never expires items) relies on.
    for owner in [keys.trending_owner(), *(keys.trending_owner(i) for i in by_interest)]:
        store.prune_generations(owner, settings.feed_generations_kept)
    since = clock.iso(now - timedelta(days=settings.feed_active_days))
    members = store.active_member_ids(since)
    enqueue_refresh(members, generation)
    logger.info(
        "feed plan", extra={"generation": generation, "members": len(members), "trending": len(trending)}
    )
    metrics.add_metric(name="FeedRefreshesPlanned", unit="Count", value=len(members))
    return PlanSummary(generation, len(members), len(trending))


def _candidates(member: store.AuthorInfo, member_id: str, now: datetime) -> dict[str, ranking.Candidate]:
    found: dict[str, ranking.Candidate] = {}

    def add(post_id: str, author_id: str, reason: str) -> None:
        found.setdefault(post_id, ranking.Candidate(post_id, author_id, now)).add_reason(reason)

    for interest_id in member.interests:
        for ref in post_store.list_interest_post_ids(interest_id, CANDIDATES_PER_INTEREST, None).items:
            add(ref.post_id, ref.author_id, f"{ranking.INTEREST}:{interest_id}")
    followees = social_store.following_ids(member_id, limit=MAX_FOLLOWEES)
    recent_since = clock.iso(now - timedelta(days=get_settings().feed_active_days))
    for followee in store.author_info(followees).values():
        if followee.last_posted_at and followee.last_posted_at >= recent_since:
            for ref in post_store.list_author_post_ids(followee.user_id, POSTS_PER_FOLLOWEE, None).items:
                add(ref.post_id, ref.author_id, f"{ranking.FOLLOWING}:{followee.user_id}")
    trending = store.newest_generation(keys.trending_owner())
    for entry in (trending.entries if trending else [])[:TRENDING_CANDIDATES]:
        add(entry.post_id, entry.author_id, ranking.TRENDING)
    return found


def refresh_member(member_id: str, generation: str, now: datetime | None = None) -> int:
    """Build and publish one member's feed generation; idempotent for the same generation id."""
    settings = get_settings()
    now = now or clock.now()
    member = store.author_info([member_id]).get(member_id)
    if member is None or not member.onboarded:
        return 0  # no interests yet: they read the trending feed
    # The same Query serves the pruning below. A feed computed at or after this message's
    # generation was planned already holds everything this refresh would find: skip it. That makes
    # a redelivered message a no-op, and lets a worker that fell behind (several planner runs queued
    # for one member) catch up in one pass instead of refreshing each member once per run missed.
    stamps = store.generation_stamps(member_id)
    if stamps and max(s.generated_at for s in stamps) >= generation:
        metrics.add_metric(name="FeedRefreshSkipped", unit="Count", value=1)
        return 0
    candidates = _candidates(member, member_id, now)
    stats = store.post_stats(candidates)
    authors = store.author_info(s.author_id for s in stats.values())
    live = []
    for post_id, candidate in candidates.items():
        if post_id not in stats:
            continue  # deleted since it was listed
        s = stats[post_id]
        candidate.created_at, candidate.smiles, candidate.comments = (
            _parse(s.created_at),
            s.smiles,
            s.comments,
        )
        candidate.author_is_enthusiast = BADGE in (
            authors[s.author_id].badges if s.author_id in authors else []
        )
        live.append(candidate)
    ranked = ranking.rank(live, viewer_id=member_id, now=now, weights=_weights())
    if store.save_generation(member_id, generation, _to_entries(ranked), clock.iso(now), _expiry(now)):
        kept = sorted({generation, *(s.generation for s in stamps)}, reverse=True)
        store.delete_generations(member_id, kept[settings.feed_generations_kept :])
    metrics.add_metric(name="FeedRefreshed", unit="Count", value=1)
    return len(ranked)


def _requeue_once(member_id: str) -> None:
    now = time.monotonic()
    with _requeued_lock:
        if now - _requeued.get(member_id, -_REQUEUE_SECONDS) < _REQUEUE_SECONDS:
            return
        _requeued[member_id] = now
    enqueue_refresh([member_id], clock.now_iso())


def _generation_for(viewer: Identity | None, cursor: dict[str, object] | None) -> Generation | None:
    if cursor is not None:
        owner, generation = str(cursor.get("o", "")), str(cursor.get("g", ""))
        if owner not in (keys.trending_owner(), viewer.user_id if viewer else None):
            raise BadRequest("This cursor belongs to another feed.", code="bad_cursor")
        found = store.get_generation(owner, generation)
        if found is None:
            raise BadRequest("This feed page expired; start again without a cursor.", code="cursor_expired")
        return found
    if viewer is not None:
        own = store.newest_generation(viewer.user_id)
        stale_before = clock.iso(clock.now() - timedelta(days=get_settings().feed_active_days))
        if own is not None and own.generated_at >= stale_before:
            return own
        _requeue_once(viewer.user_id)  # first visit in a long while: trending now, own feed soon
    return store.newest_generation(keys.trending_owner())


def read_feed(viewer: Identity | None, limit: int, cursor: str | None) -> FeedPage:
    """A page of a generation: its entries plus one BatchGetItem, so counts are fresh."""
    position = cursors.decode(cursor)
    generation = _generation_for(viewer, position)
    if generation is None:
        return FeedPage(items=[], next_cursor=None)
    offset = int(position.get("i", 0)) if position else 0
    size = page_size(limit, viewer)
    window = generation.entries[offset : offset + size]
    hydrated = post_store.hydrate(
        [e.post_id for e in window],
        viewer_id=viewer.user_id if viewer else None,
        author_ids=[e.author_id for e in window],
    )
    items = [
        FeedItemOut(
            post=summary(
                hydrated.posts[e.post_id], hydrated.authors.get(e.author_id), e.post_id in hydrated.smiled
            ),
            reasons=e.reasons,
        )
        for e in window
        if e.post_id in hydrated.posts
    ]
    end = offset + len(window)
    next_cursor = (
        cursors.encode({"o": generation.owner, "g": generation.generation, "i": end})
        if end < len(generation.entries)
        else None
    )
    return FeedPage(items=items, next_cursor=next_cursor)
