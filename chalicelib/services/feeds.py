"""Personalised feeds, precomputed where they are read, read in 2 requests.

Refresh tiers (README "Feed refresh tiers"):
- active: members seen in the last `feed_active_minutes` (60). The planner refreshes them every
  interval (5 minutes in AWS), so a new post reaches an active reader within one interval.
- returning: anyone else costs nothing until they read. Their first read serves the generation
  they have (or trending) at once and queues a refresh; from then on they are active.
- away: a generation older than `feed_active_days` (7) is not served; trending is, and a refresh
  is queued.

What a refresh reads and writes:
- the feed's head (one ~200-byte GetItem): a message planned before the last check is a
  duplicate or was overtaken, and stops there;
- candidates without hydrating a post: the planner writes, once per interval for everyone, a
  candidate list per interest and the trending list, each entry carrying the post's ranking
  inputs (time, smiles, comments, Enthusiast author); followees who posted lately are read from
  the narrow GSI3 (ids, time, counters: ~150 bytes a post);
- a digest of the ranked candidate set: when it matches the current generation's (and that one
  is under an hour old), only the head's `checked_at` is written; otherwise a new generation
  (compressed, ~8 KB for 200 entries). Superseded generations expire by TTL rather than being
  deleted: a delete costs as many write units as the write did, an expiry nothing.

There is no fan-out on write: a post is pulled into feeds by the refresh, so an author with a
million followers costs nothing extra when posting; each refresh only Queries followees whose
`last_posted_at` is recent.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib import caches, clock, cursors
from chalicelib.auth import Identity
from chalicelib.data import feeds as store
from chalicelib.data import keys, queues
from chalicelib.data import posts as post_store
from chalicelib.data import social as social_store
from chalicelib.data import users as user_store
from chalicelib.data.feeds import FeedEntry, FeedHead, Generation, PostStats
from chalicelib.errors import BadRequest
from chalicelib.observability import logger, metrics
from chalicelib.schemas.feeds import FeedItemOut, FeedPage
from chalicelib.services import ranking
from chalicelib.services.enthusiasts import BADGE
from chalicelib.services.posts import page_size
from chalicelib.services.presenters import summary
from chalicelib.settings import get_settings

CANDIDATES_PER_INTEREST = 30  # newest posts of each interest considered by the planner
INTEREST_LIST_SIZE = 60  # best-ranked posts kept per interest for members' refreshes
POSTS_PER_FOLLOWEE = 10
MAX_FOLLOWEES = 1000
TRENDING_CANDIDATES = 100
# An unchanged candidate set is not rewritten, unless the current generation is this old: scores
# decay with time, so the order is refreshed at least this often for members who are reading.
RERANK_MINUTES = 60
# A reader without a fresh feed queues a refresh at most this often per warm process.
_REQUEUE_SECONDS = 300
_requeued: dict[str, float] = {}
_requeued_lock = threading.Lock()
caches.register(_requeued.clear)
# Shared lists this warm planner last wrote: owner -> (digest of the entries, when written). The
# planner runs every interval with reserved concurrency 1, so its process usually stays warm.
_shared_written: dict[str, tuple[str, datetime]] = {}
caches.register(_shared_written.clear)


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
    # Kept as long as a returning member may still be served it (TTL is a clean-up aid only).
    return now + timedelta(days=get_settings().feed_active_days)


def _candidate(stats: PostStats, reason: str, enthusiasts: set[str]) -> ranking.Candidate:
    return ranking.Candidate(
        stats.post_id,
        stats.author_id,
        _parse(stats.created_at),
        stats.smiles,
        stats.comments,
        author_is_enthusiast=stats.author_id in enthusiasts,
        reasons=[reason],
    )


def _shared_entries(
    ranked: Iterable[ranking.RankedEntry], by_id: dict[str, ranking.Candidate]
) -> list[FeedEntry]:
    """Entries of a shared list: each carries the ranking inputs members' refreshes need."""
    entries = []
    for r in ranked:
        c = by_id[r.post_id]
        entries.append(
            FeedEntry(
                r.post_id,
                r.author_id,
                r.reasons,
                clock.iso(c.created_at),
                c.smiles,
                c.comments,
                c.author_is_enthusiast,
            )
        )
    return entries


def _enthusiast_ids(author_ids: Iterable[str]) -> set[str]:
    return {a.user_id for a in store.author_info(author_ids).values() if BADGE in a.badges}


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, separators=(",", ":")).encode()).hexdigest()[:32]


def _shared_digest(entries: list[FeedEntry]) -> str:
    return _digest([(e.post_id, e.smiles, e.comments, e.enthusiast) for e in entries])


def _save_shared(owner: str, generation: str, entries: list[FeedEntry], now: datetime) -> bool:
    """Publish a shared list unless this warm planner wrote the very same list within the rerank
    window (then readers keep that generation, and the run writes and prunes nothing)."""
    digest = _shared_digest(entries)
    last = _shared_written.get(owner)
    if last is not None and last[0] == digest and now - last[1] < timedelta(minutes=RERANK_MINUTES):
        return False
    store.save_generation(owner, generation, entries, generation, _expiry(now))
    # Like members' feeds, the shared lists keep their newest generations only: TTL is a clean-up
    # aid, not something correctness (or the local emulator, which never expires items) relies on.
    store.prune_generations(owner, get_settings().feed_generations_kept)
    _shared_written[owner] = (digest, now)
    return True


def compute_shared_lists(now: datetime) -> tuple[list[FeedEntry], dict[str, list[FeedEntry]]]:
    """Trending (recent posts by recency and engagement alone) and one candidate list per interest.

    Costs the same whatever the number of members: it runs once per planner run, for everyone.
    """
    settings = get_settings()
    days = [(now - timedelta(days=d)).strftime("%Y-%m-%d") for d in range(settings.trending_days)]
    recent = {s.post_id: s for s in store.recent_post_stats(days)}
    newest_by_interest = {
        i.interest_id: [
            ref.post_id
            for ref in post_store.list_interest_post_ids(i.interest_id, CANDIDATES_PER_INTEREST, None).items
        ]
        for i in user_store.list_interests()
    }
    listed = {p for ids in newest_by_interest.values() for p in ids if p not in recent}
    stats = {**store.post_stats(listed), **recent}
    enthusiasts = _enthusiast_ids(s.author_id for s in stats.values())

    trending_by_id = {p: _candidate(s, ranking.TRENDING, enthusiasts) for p, s in recent.items()}
    trending_weights = ranking.RankingWeights(feed_size=settings.trending_size)
    trending = _shared_entries(
        ranking.rank(trending_by_id.values(), viewer_id=None, now=now, weights=trending_weights),
        trending_by_id,
    )
    by_interest: dict[str, list[FeedEntry]] = {}
    list_weights = ranking.RankingWeights(feed_size=INTEREST_LIST_SIZE)
    for interest_id, newest in newest_by_interest.items():
        reason = f"{ranking.INTEREST}:{interest_id}"
        pool = {p for p in newest if p in stats} | {
            p for p, s in recent.items() if interest_id in s.interests
        }
        by_id = {p: _candidate(stats[p], reason, enthusiasts) for p in pool}
        ranked = ranking.rank(by_id.values(), viewer_id=None, now=now, weights=list_weights)
        by_interest[interest_id] = _shared_entries(ranked, by_id)
    return trending, by_interest


def enqueue_refresh(member_ids: list[str], requested_at: str) -> None:
    bodies = [json.dumps({"member_id": m, "generation": requested_at}) for m in member_ids]
    queues.send(get_settings().feed_refresh_queue, bodies)


def write_shared_lists(now: datetime) -> list[FeedEntry]:
    """Compute and publish trending and the per-interest candidate lists; returns trending."""
    generation = clock.iso(now)
    trending, by_interest = compute_shared_lists(now)
    _save_shared(keys.trending_owner(), generation, trending, now)
    for interest_id, entries in by_interest.items():
        _save_shared(keys.trending_owner(interest_id), generation, entries, now)
    return trending


def plan(now: datetime | None = None) -> PlanSummary:
    """One planner run: the shared lists, then one refresh message per member of the active tier."""
    settings = get_settings()
    now = now or clock.now()
    generation = clock.iso(now)
    trending = write_shared_lists(now)
    since = clock.iso(now - timedelta(minutes=settings.feed_active_minutes))
    members = store.active_member_ids(since)
    enqueue_refresh(members, generation)
    logger.info(
        "feed plan", extra={"generation": generation, "members": len(members), "trending": len(trending)}
    )
    metrics.add_metric(name="FeedRefreshesPlanned", unit="Count", value=len(members))
    return PlanSummary(generation, len(members), len(trending))


def _candidates(member: store.AuthorInfo, member_id: str, now: datetime) -> list[ranking.Candidate]:
    found: dict[str, ranking.Candidate] = {}

    def add(
        post_id: str,
        author_id: str,
        created_at: str | None,
        smiles: int,
        comments: int,
        enthusiast: bool,
        reason: str,
    ) -> None:
        if created_at is None:
            return  # a list written before entries carried ranking inputs: the next plan replaces it
        candidate = found.setdefault(
            post_id,
            ranking.Candidate(post_id, author_id, _parse(created_at), smiles, comments, enthusiast),
        )
        candidate.add_reason(reason)

    for interest_id in member.interests:
        listed = store.newest_generation(keys.trending_owner(interest_id))
        for e in listed.entries if listed else []:
            add(
                e.post_id,
                e.author_id,
                e.created_at,
                e.smiles,
                e.comments,
                e.enthusiast,
                f"{ranking.INTEREST}:{interest_id}",
            )
    followees = social_store.following_ids(member_id, limit=MAX_FOLLOWEES)
    recent_since = clock.iso(now - timedelta(days=get_settings().feed_active_days))
    for followee in store.author_info(followees).values():
        if followee.last_posted_at and followee.last_posted_at >= recent_since:
            enthusiast = BADGE in followee.badges
            for s in store.author_recent_stats(followee.user_id, POSTS_PER_FOLLOWEE):
                if s.created_at >= recent_since:
                    add(
                        s.post_id,
                        s.author_id,
                        s.created_at,
                        s.smiles,
                        s.comments,
                        enthusiast,
                        f"{ranking.FOLLOWING}:{followee.user_id}",
                    )
    trending = store.newest_generation(keys.trending_owner())
    for e in (trending.entries if trending else [])[:TRENDING_CANDIDATES]:
        add(e.post_id, e.author_id, e.created_at, e.smiles, e.comments, e.enthusiast, ranking.TRENDING)
    return list(found.values())


def candidate_digest(ranked: Iterable[ranking.RankedEntry]) -> str:
    """The ranked candidate set as a set: which posts, for which reasons (order and counts aside)."""
    canonical = sorted((r.post_id, sorted(r.reasons)) for r in ranked)
    return _digest(canonical)


def refresh_member(member_id: str, requested_at: str, now: datetime | None = None) -> int:
    """Refresh one member's feed; returns the entries written (0: skipped or unchanged).

    A message planned at or before the feed's last check is a redelivery or was overtaken by a
    newer refresh: the head says so in one small GetItem, and nothing else is read.
    """
    now = now or clock.now()
    head = store.get_head(member_id)
    if head is not None and head.checked_at >= requested_at:
        metrics.add_metric(name="FeedRefreshSkipped", unit="Count", value=1)
        return 0
    member = store.author_info([member_id]).get(member_id)
    if member is None or not member.onboarded:
        return 0  # no interests yet: they read the trending feed
    ranked = ranking.rank(
        _candidates(member, member_id, now), viewer_id=member_id, now=now, weights=_weights()
    )
    digest = candidate_digest(ranked)
    checked_at = clock.iso(now)
    rerank_after = clock.iso(now - timedelta(minutes=RERANK_MINUTES))
    if head is not None and head.digest == digest and head.generated_at >= rerank_after:
        store.touch_head(member_id, checked_at)
        metrics.add_metric(name="FeedRefreshUnchanged", unit="Count", value=1)
        return 0
    entries = [FeedEntry(r.post_id, r.author_id, r.reasons) for r in ranked]
    expires_at = _expiry(now)
    store.save_generation(member_id, requested_at, entries, checked_at, expires_at, digest)
    store.put_head(member_id, FeedHead(requested_at, checked_at, checked_at, digest), expires_at)
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
        settings = get_settings()
        now = clock.now()
        own = store.newest_generation(viewer.user_id)
        # Not refreshed within the active tier's window: a returning member. Serve what they have
        # (or trending) at once, and refresh where it is read.
        if own is None or own.generated_at < clock.iso(now - timedelta(minutes=settings.feed_active_minutes)):
            _requeue_once(viewer.user_id)
        if own is not None and own.generated_at >= clock.iso(now - timedelta(days=settings.feed_active_days)):
            return own
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
