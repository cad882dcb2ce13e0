"""Personalised feeds, precomputed where they are read, read in 2 requests.

Work follows what changed, never the size of the window (issue 19):

- The shared candidate lists (trending, one per interest) are bounded top-K lists by rank key
  (services/ranking.py: a key does not depend on the clock, so a post is scored once, when it is
  published or its counters change). The table's stream handler logs each batch's post changes;
  each planner run reads the log since its last run, upserts or removes just those posts, trims
  the lists it touched and rewrites only those. It reads the Enthusiast holders from the daily
  job's one ranking item. A run with nothing new writes nothing.
- The planner then fans the active tier out on SQS: one message per shard of the "recently
  active" index; the worker turns each into one refresh message per member, so the planner's work
  does not grow with the members either.
- A member's refresh fans in independently of how many members they follow: it batch-reads the
  followees who posted since its last refresh (the run records say who, in 4 bytes an author; each
  profile holds its author's newest post ids), carries the followees' posts it already ranked
  forward from its current generation, and reads the interest lists and trending in the same
  BatchGetItem. Whom the member follows it learns from the fan-in summary, one item under 4 KB at
  any follow count: the ids themselves for up to 160 followees, else 3 bytes a followee, and the
  ids in buckets it reads only for followees the run records name (one more request). 6 requests
  (7 past 160 follows, when a followee posted) whatever the follow count; a full re-read of the
  follow list only after a follow change, or an absence longer than reading the run records is
  worth (`fanin_horizon`: an hour for a few follows, up to a day for hundreds). The 6th request is
  the member's audiences (campaigns' featured slots: services/featured.py).

Refresh tiers:
- active: members seen in the last `feed_active_minutes` (10) are refreshed by the planner every
  interval (5 minutes in AWS), so a new post reaches an active reader within one interval;
- on read: a first page served from a feed not checked for `feed_stale_minutes` (5) queues a
  refresh (at most once per stale window per warm process), so a member returning after any
  absence costs one refresh, not one per interval while they were away; the page says so
  (`refreshing`) and the client polls the feed's head (`feed_status`) until the refresh is done;
- away: a feed not checked for `feed_active_days` (7) is not served; trending is.

There is no fan-out on write: an author with a million followers costs nothing extra when posting.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from chalicelib import caches, clock, cursors, ids
from chalicelib.auth import Identity
from chalicelib.data import featured as featured_store
from chalicelib.data import feeds as store
from chalicelib.data import keys, queues
from chalicelib.data import posts as post_store
from chalicelib.data import social as social_store
from chalicelib.data import users as user_store
from chalicelib.data.feeds import (
    FeaturedSlot,
    FeedEntry,
    FeedHead,
    Generation,
    ListEntry,
    PostChange,
    SharedList,
)
from chalicelib.errors import BadRequest
from chalicelib.observability import logger, metrics
from chalicelib.schemas.feeds import FeaturedOut, FeedItemOut, FeedPage, FeedStatus
from chalicelib.services import featured, ranking
from chalicelib.services.enthusiasts import BADGE
from chalicelib.services.posts import page_size
from chalicelib.services.presenters import summary
from chalicelib.settings import get_settings

INTEREST_LIST_SIZE = 60  # best posts of each interest a member's refresh considers
TRENDING_CANDIDATES = 100  # best trending posts a member's refresh considers
# Lists keep a quarter more than readers use, so deletions and unsmiles leave them full.
LIST_SLACK = 1.25
MAX_FOLLOWEES = 1000
MAX_BRANDS = 50  # followed brands whose community lists a refresh reads (services/brand_pages.py)
POSTS_PER_FOLLOWEE = post_store.RECENT_POSTS_KEPT
# How far back a refresh reads the run records rather than every followee's profile: a run record
# costs about one read (4 bytes an author, ~1,000 authors a run at a million members), a followee
# about half of one, so the records win while there are fewer runs than followees; at least an
# hour, at most a day (records are kept two: TTL never removes one a refresh still needs).
FANIN_HORIZON_MIN, FANIN_HORIZON_MAX = timedelta(hours=1), timedelta(days=1)
# A refresh re-reads this much of the run records: a planner run that was writing when it read.
RUN_OVERLAP = timedelta(minutes=5)
# The planner re-reads this much of the change log: a stream batch whose write was in flight.
CHANGE_OVERLAP = timedelta(minutes=2)
# Change log and run records are clean-up-only TTL'd after this (nothing reads them that late).
LOG_DAYS = 2
# The digest keeps the order of a first page (the most a signed-in member's page holds): deeper
# order changes are written with the next change of what the feed holds.
FIRST_PAGE = 33
FEATURED_REASON = "featured"  # a campaign's featured card: "featured:<brand_id>" (services/featured.py)
# A reader without a fresh feed queues a refresh at most once per stale window per warm process.
_requeued: dict[str, float] = {}
_requeued_lock = threading.Lock()
caches.register(_requeued.clear)


@dataclass(frozen=True)
class PlanSummary:
    generation: str
    changes: int
    lists_written: int
    trending: int
    shards: int


def _parse(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, separators=(",", ":")).encode()).hexdigest()[:32]


def _expiry(now: datetime) -> datetime:
    # Kept as long as a returning member may still be served it (TTL is a clean-up aid only).
    return now + timedelta(days=get_settings().feed_active_days)


def enqueue_refresh(member_ids: Sequence[str], requested_at: str) -> None:
    bodies = [json.dumps({"member_id": m, "generation": requested_at}) for m in member_ids]
    queues.send(get_settings().feed_refresh_queue, bodies)


# --- the shared lists: updated from the change log ------------------------------------------


def _list_entry(change: PostChange, holders: frozenset[str], now: datetime) -> ListEntry:
    enthusiast = change.author_id in holders
    key = ranking.post_key(_parse(change.created_at), change.smiles, change.comments, enthusiast, now=now)
    return ListEntry(
        change.post_id, change.author_id, change.created_at, change.smiles, change.comments, enthusiast, key
    )


def _trim(entries: Iterable[ListEntry], size: int, oldest: str) -> list[ListEntry]:
    kept = [e for e in entries if e.created_at >= oldest]
    kept.sort(key=lambda e: (-e.key, e.post_id))
    return kept[: int(size * LIST_SLACK)]


def _with_holders(entry: ListEntry, holders: frozenset[str]) -> ListEntry:
    enthusiast = entry.author_id in holders
    if enthusiast == entry.enthusiast:
        return entry
    key = ranking.post_key(_parse(entry.created_at), entry.smiles, entry.comments, enthusiast)
    return ListEntry(
        entry.post_id, entry.author_id, entry.created_at, entry.smiles, entry.comments, enthusiast, key
    )


def _latest_changes(logged: Iterable[store.LoggedChanges]) -> dict[str, PostChange]:
    """The last change of each post, in log order; a post published in any of them stays `new`."""
    latest: dict[str, PostChange] = {}
    for batch in logged:
        for change in batch.changes:
            before = latest.get(change.post_id)
            if before is not None and before.new and not change.new:
                change = replace(change, new=True)
            latest[change.post_id] = change
    return latest


def _trending_generation(trending: SharedList) -> list[FeedEntry]:
    """What visitors read: the trending list ranked (diversity applied), with the trending reason."""
    size = get_settings().trending_size
    candidates = [
        ranking.Candidate(e.post_id, e.author_id, e.key, e.enthusiast, [ranking.TRENDING])
        for e in trending.entries[:size]
    ]
    ranked = ranking.rank(candidates, viewer_id=None, weights=ranking.RankingWeights(feed_size=size))
    return [FeedEntry(r.post_id, r.author_id, r.reasons, r.key) for r in ranked]


def update_shared_lists(now: datetime) -> tuple[int, int, int]:
    """Apply the change log since the last run to the shared lists; returns (changes applied,
    lists written, trending entries). Reads and writes grow with the changes, not the window."""
    settings = get_settings()
    state, holders, holders_at = store.plan_inputs()
    lower = clock.iso(_parse(state.read_until) - CHANGE_OVERLAP) if state.read_until else None
    logged = [batch for batch in store.changes_since(lower) if batch.sort_key not in state.applied]
    latest = _latest_changes(logged)
    holders_changed = holders_at != state.holders_at
    if not latest and not holders_changed:
        return 0, 0, 0
    trending_owner = keys.trending_owner()
    owners = {trending_owner}
    for change in latest.values():
        owners.update(keys.trending_owner(i) for i in change.interests)
    if holders_changed:
        owners.update(keys.trending_owner(i.interest_id) for i in user_store.list_interests())
    current = store.get_lists(owners)
    entries = {o: {e.post_id: e for e in current[o].entries} if o in current else {} for o in owners}
    touched: set[str] = set()
    if holders_changed:
        for owner, by_post in entries.items():
            entries[owner] = {p: _with_holders(e, holders) for p, e in by_post.items()}
            touched.add(owner)
    trending_oldest = clock.iso(now - timedelta(days=settings.trending_days))
    for change in latest.values():
        entry = _list_entry(change, holders, now)
        for owner in (trending_owner, *(keys.trending_owner(i) for i in change.interests)):
            if change.live and (owner != trending_owner or change.created_at >= trending_oldest):
                entries[owner][change.post_id] = entry
            else:
                entries[owner].pop(change.post_id, None)
            touched.add(owner)
    interest_oldest = clock.iso(now - timedelta(days=settings.feed_active_days))
    written: list[SharedList] = []
    for owner in touched:
        if owner == trending_owner:
            trimmed = _trim(entries[owner].values(), settings.trending_size, trending_oldest)
        else:
            trimmed = _trim(entries[owner].values(), INTEREST_LIST_SIZE, interest_oldest)
        before = current.get(owner)
        carried = holders if owner == trending_owner else frozenset()
        if before is None or before.entries != trimmed or before.holders != carried:
            written.append(SharedList(owner, trimmed, carried))
    generation = clock.iso(now)
    store.put_lists(written, generation)
    trending = next((s for s in written if s.owner == trending_owner), current.get(trending_owner))
    generations = list(state.trending_generations)
    trending_entries = _trending_generation(trending) if trending else []
    if any(s.owner == trending_owner for s in written):
        digest = _digest([(e.post_id, e.reasons) for e in trending_entries])
        if digest != state.trending_digest:
            store.save_generation(
                trending_owner, generation, trending_entries, generation, _expiry(now), digest
            )
            generations.append(generation)
            state = replace(state, trending_digest=digest)
    kept = settings.feed_generations_kept
    if len(generations) > kept:
        # Like members' feeds, readers page a generation by id; only the newest are kept (TTL is a
        # clean-up aid, not something correctness, or the local emulator, relies on).
        store.delete_generations(trending_owner, generations[:-kept])
        generations = generations[-kept:]
    new_authors = {store.author_hash(c.author_id) for c in latest.values() if c.new and c.live}
    deleted = {c.post_id for c in latest.values() if not c.live}
    if new_authors or deleted:
        store.put_run(generation, new_authors, deleted, now + timedelta(days=LOG_DAYS))
    applied_after = clock.iso(now - CHANGE_OVERLAP)
    store.put_plan_state(
        store.PlanState(
            read_until=generation,
            applied=frozenset(
                k for k in [*state.applied, *(b.sort_key for b in logged)] if k > applied_after
            ),
            holders_at=holders_at,
            trending_generations=generations,
            trending_digest=state.trending_digest,
        )
    )
    return len(latest), len(written), len(trending_entries)


def plan(now: datetime | None = None) -> PlanSummary:
    """One planner run: the shared lists from what changed, then the active tier fanned out on SQS
    (one message per shard of the "recently active" index; the worker plans each shard)."""
    settings = get_settings()
    now = now or clock.now()
    generation = clock.iso(now)
    changes, written, trending = update_shared_lists(now)
    since = clock.iso(now - timedelta(minutes=settings.feed_active_minutes))
    bodies = [
        json.dumps({"plan_shard": shard, "since": since, "generation": generation})
        for shard in range(keys.ACTIVE_SHARDS)
    ]
    queues.send(settings.feed_refresh_queue, bodies)
    logger.info(
        "feed plan",
        extra={"generation": generation, "changes": changes, "lists_written": written, "trending": trending},
    )
    metrics.add_metric(name="FeedListChangesApplied", unit="Count", value=changes)
    return PlanSummary(generation, changes, written, trending, keys.ACTIVE_SHARDS)


def plan_shard(shard: int, since: str, generation: str) -> int:
    """One shard of the active tier: one refresh message per member seen since `since`."""
    members = store.active_member_ids(shard, since)
    enqueue_refresh(members, generation)
    metrics.add_metric(name="FeedRefreshesPlanned", unit="Count", value=len(members))
    return len(members)


# --- a member's refresh ----------------------------------------------------------------------


@dataclass
class _Pool:
    """The candidates of one refresh, by post."""

    found: dict[str, ranking.Candidate]

    def add(self, post_id: str, author_id: str, key: float, enthusiast: bool, reason: str) -> None:
        candidate = self.found.setdefault(post_id, ranking.Candidate(post_id, author_id, key, enthusiast))
        candidate.add_reason(reason)


def _following(reasons: Iterable[str]) -> bool:
    return any(r.startswith(f"{ranking.FOLLOWING}:") for r in reasons)


def _following_reasons(entry: FeedEntry, followed: Callable[[str], bool]) -> list[str]:
    prefix = f"{ranking.FOLLOWING}:"
    return [r for r in entry.reasons if r.startswith(prefix) and followed(r.removeprefix(prefix))]


def fanin_horizon(followees: int) -> timedelta:
    """How long after its last check a refresh still reads the run records (see FANIN_HORIZON_*)."""
    runs = timedelta(minutes=get_settings().refresh_rate_minutes) * followees
    return min(max(runs, FANIN_HORIZON_MIN), FANIN_HORIZON_MAX)


def candidate_digest(ranked: Sequence[ranking.RankedEntry]) -> str:
    """What a reader would see change: which posts for which reasons, and the first page's order."""
    held = sorted((r.post_id, sorted(r.reasons)) for r in ranked)
    return _digest([held, [r.post_id for r in ranked[:FIRST_PAGE]]])


def refresh_member(member_id: str, requested_at: str, now: datetime | None = None) -> int:
    """Refresh one member's feed; returns the entries written (0: skipped or unchanged).

    A message planned at or before the feed's last check is a redelivery or was overtaken by a
    newer refresh: the head says so in the first read, and nothing else is read.
    """
    settings = get_settings()
    now = now or clock.now()
    start = store.refresh_start(member_id)
    head, fanin, member = start.head, start.fanin, start.member
    if head is not None and head.checked_at >= requested_at:
        metrics.add_metric(name="FeedRefreshSkipped", unit="Count", value=1)
        return 0
    if member is None or not member.onboarded:
        return 0  # no interests yet: they read the trending feed
    holders = start.trending.holders if start.trending else frozenset()
    horizon = clock.iso(now - fanin_horizon(fanin.count if fanin else 0))
    full = (
        fanin is None
        or fanin.follow_version != member.follow_version
        or head is None
        or head.run_position is None
        or head.run_position < horizon
    )
    deleted: set[str] = set()
    floor = clock.iso(now - RUN_OVERLAP)
    buckets: set[int] = set()
    posted: frozenset[int] = frozenset()
    if full:
        followees = social_store.following_ids(member_id, limit=MAX_FOLLOWEES)
        followed: Callable[[str], bool] = set(followees).__contains__
        run_position = floor
    else:
        assert fanin is not None and head is not None and head.run_position is not None
        runs = store.runs_since(head.run_position)
        posted = frozenset().union(*(r.author_hashes for r in runs))
        deleted = set().union(*(r.deleted for r in runs))
        if fanin.ids is not None:  # a few followees: their ids came with the summary
            followees = [f for f in fanin.ids if store.author_hash(f) in posted]
        else:
            buckets = {fanin.bucket_of(h) for h in posted if fanin.may_follow(h)}
            followees = []
        # No follow change since the generation was ranked: this only guards against one ranked
        # before its fan-in was written (a refresh that died between the two).
        followed = fanin.follows
        # Runs up to `floor` were all written by now (a run takes less than the overlap): past it, or
        # past the newest run read, the next refresh starts.
        run_position = max(floor, head.run_position, *(r.run_at for r in runs))
    # Followed brands' community lists ride in the same BatchGetItem as the interest lists (issue 22).
    brand_lists = {keys.brand_community_owner(b): b for b in member.brands[:MAX_BRANDS]}
    # The campaigns targeting the member's audiences (services/featured.py): one Query of their
    # audiences, whose campaign index items ride in the same BatchGetItem.
    audience_ids = [] if member.audience_opt_out else featured_store.member_audience_ids(member_id)
    rest = store.refresh_rest(
        (member_id, head.generation) if head is not None and not full else None,
        [*(keys.trending_owner(i) for i in member.interests), *brand_lists],
        followees,
        (member_id, buckets) if buckets else None,
        audience_ids,
    )
    profiles = rest.followees
    if buckets:  # the followees the run records name (a bucket also holds followees who did not post)
        posters = [f for f in rest.bucket_ids if store.author_hash(f) in posted]
        profiles = store.refresh_rest(None, [], posters).followees if posters else {}
    pool = _Pool({})
    known: dict[str, float] = {}  # the freshest key of every post in a shared list
    for interest_id in member.interests:
        shared = rest.lists.get(keys.trending_owner(interest_id))
        for e in shared.entries[:INTEREST_LIST_SIZE] if shared else []:
            pool.add(e.post_id, e.author_id, e.key, e.enthusiast, f"{ranking.INTEREST}:{interest_id}")
            known[e.post_id] = e.key
    for e in start.trending.entries[:TRENDING_CANDIDATES] if start.trending else []:
        pool.add(e.post_id, e.author_id, e.key, e.enthusiast, ranking.TRENDING)
        known[e.post_id] = e.key
    oldest = now - timedelta(days=settings.feed_active_days)
    oldest_iso = clock.iso(oldest)
    for owner, brand_id in brand_lists.items():
        shared = rest.lists.get(owner)
        for e in shared.entries if shared else []:
            if e.created_at >= oldest_iso:
                key = known.get(e.post_id, e.key)
                pool.add(e.post_id, e.author_id, key, e.author_id in holders, f"{ranking.BRAND}:{brand_id}")
    if rest.generation is not None:  # the followees' posts it ranked before, carried forward
        for entry in rest.generation.entries:
            reasons = _following_reasons(entry, followed)
            created = ids.issued_at(entry.post_id)
            if not reasons or entry.post_id in deleted or created is None or created < oldest:
                continue
            key = known.get(entry.post_id, entry.key)
            if key is None:  # a generation written before entries carried their key
                key = ranking.post_key(created, now=now)
            for reason in reasons:
                pool.add(entry.post_id, entry.author_id, key, entry.author_id in holders, reason)
    for followee in profiles.values():
        enthusiast = BADGE in followee.badges
        for post_id in followee.recent_posts[:POSTS_PER_FOLLOWEE]:
            created = ids.issued_at(post_id)
            if created is None or created < oldest or post_id in deleted:
                continue
            key = known.get(post_id)
            if key is None:
                key = ranking.post_key(created, enthusiast=enthusiast, now=now)
            pool.add(post_id, followee.user_id, key, enthusiast, f"{ranking.FOLLOWING}:{followee.user_id}")
    ranked = ranking.rank(
        pool.found.values(), viewer_id=member_id, weights=ranking.RankingWeights(feed_size=settings.feed_size)
    )
    digest = candidate_digest(ranked)
    checked_at = clock.iso(now)
    expires_at = _expiry(now)
    live = featured.running(rest.campaigns, now.date().isoformat())
    was_assigned = head.campaigns if head is not None else frozenset()
    assigned = featured.assign(member_id, live, was_assigned, checked_at)
    cards = featured.cards_for(member_id, live) if live else []
    if cards:
        digest = _digest([digest, [(c.post_id, c.campaign_id) for c in cards]])
    if full and fanin != store.Fanin.of(followees, member.follow_version):
        store.put_fanin(member_id, followees, member.follow_version, fanin)
    # An unchanged feed is not rewritten, unless its generation is half way to expiring (TTL).
    renew_before = clock.iso(now - timedelta(days=settings.feed_active_days / 2))
    if head is not None and head.digest == digest and head.generated_at >= renew_before:
        store.touch_head(member_id, checked_at, run_position, assigned if assigned != was_assigned else None)
        metrics.add_metric(name="FeedRefreshUnchanged", unit="Count", value=1)
        return 0
    # Only followees' posts carry their key: the next refresh carries them forward from here, and
    # reads every other candidate from the shared lists again (a smaller item to write).
    entries = [
        FeedEntry(r.post_id, r.author_id, r.reasons, r.key if _following(r.reasons) else None) for r in ranked
    ]
    slots = [
        FeedEntry(
            c.post_id,
            c.author_id,
            [f"{FEATURED_REASON}:{c.brand_id}"],
            featured=FeaturedSlot(c.brand_id, c.brand_name, c.campaign_id, c.last),
        )
        for c in cards
    ]
    # A featured post the member would see anyway moves to its featured slot (shown once, labelled).
    entries = featured.interleave([e for e in entries if e.post_id not in {c.post_id for c in cards}], slots)
    store.save_generation(member_id, requested_at, entries, checked_at, expires_at, digest)
    store.put_head(
        member_id,
        FeedHead(requested_at, checked_at, checked_at, digest, run_position, assigned),
        expires_at,
    )
    metrics.add_metric(name="FeedRefreshed", unit="Count", value=1)
    return len(ranked)


# --- the stream: post changes into the log ---------------------------------------------------


def log_post_changes(changes: Sequence[PostChange], token: str, now: datetime | None = None) -> bool:
    """Log one stream batch's post changes for the planner (one PutItem); False when none."""
    if not changes:
        return False
    moment = now or clock.now()
    store.log_changes(changes, clock.iso(moment), token, moment + timedelta(days=LOG_DAYS))
    return True


# --- reading ---------------------------------------------------------------------------------


def _requeue_once(member_id: str) -> None:
    window = get_settings().feed_stale_minutes * 60
    now = time.monotonic()
    with _requeued_lock:
        if now - _requeued.get(member_id, -window) < window:
            return
        _requeued[member_id] = now
    enqueue_refresh([member_id], clock.now_iso())


def _stale(checked_at: str | None, now: datetime) -> bool:
    """Not checked for `feed_stale_minutes`: the first page read queues a refresh."""
    window = timedelta(minutes=get_settings().feed_stale_minutes)
    return checked_at is None or checked_at < clock.iso(now - window)


def _generation_for(
    viewer: Identity | None, cursor: dict[str, object] | None
) -> tuple[Generation | None, bool]:
    """The generation to page, and whether a fresher one of the member's own is on its way."""
    if cursor is not None:
        owner, generation = str(cursor.get("o", "")), str(cursor.get("g", ""))
        if owner not in (keys.trending_owner(), viewer.user_id if viewer else None):
            raise BadRequest("This cursor belongs to another feed.", code="bad_cursor")
        found = store.get_generation(owner, generation)
        if found is None:
            raise BadRequest("This feed page expired; start again without a cursor.", code="cursor_expired")
        return found, False
    refreshing = False
    if viewer is not None:
        settings = get_settings()
        now = clock.now()
        head, own = store.head_and_newest(viewer.user_id)
        checked = head.checked_at if head else (own.generated_at if own else None)
        # Not checked lately: serve what they have (or trending) at once, and refresh where it is read.
        if _stale(checked, now):
            _requeue_once(viewer.user_id)
            # Only a member who has a feed is told a fresher one is coming (issue 24): one without
            # is not onboarded yet (onboarding builds the feed), so the refresh may build nothing.
            refreshing = checked is not None
        if (
            own is not None
            and checked
            and checked >= clock.iso(now - timedelta(days=settings.feed_active_days))
        ):
            return own, refreshing
    return store.newest_generation(keys.trending_owner()), refreshing


def feed_status(viewer: Identity) -> FeedStatus:
    """What a client polls after a first page said `refreshing`: one GetItem of the feed's ~200-byte
    head. The refresh is done once the head was checked within the stale window (a changed feed
    also has a new `generated_at`; an unchanged one only a new check)."""
    head = store.get_head(viewer.user_id)
    if head is None:
        return FeedStatus(refreshing=False, generated_at=None)
    return FeedStatus(refreshing=_stale(head.checked_at, clock.now()), generated_at=head.generated_at)


def _featured_out(slot: FeaturedSlot | None) -> FeaturedOut | None:
    if slot is None:
        return None
    return FeaturedOut(brand_id=slot.brand_id, brand_name=slot.brand_name, campaign_id=slot.campaign_id)


def read_feed(viewer: Identity | None, limit: int, cursor: str | None) -> FeedPage:
    """A page of a generation: its entries plus one BatchGetItem, so counts are fresh."""
    position = cursors.decode(cursor)
    generation, refreshing = _generation_for(viewer, position)
    if generation is None:
        return FeedPage(items=[], next_cursor=None, refreshing=refreshing)
    offset = int(position.get("i", 0)) if position else 0
    size = page_size(limit, viewer)
    window = generation.entries[offset : offset + size]
    slots = [e for e in window if e.featured is not None]
    viewer_id = viewer.user_id if viewer else None
    hydrated = post_store.hydrate(
        [e.post_id for e in window],
        viewer_id=viewer_id,
        # A featured card is re-checked in the same request: its rights, its campaign, the viewer's opt-out.
        author_ids=[e.author_id for e in window] + ([viewer_id] if slots and viewer_id else []),
        featured=[(e.post_id, e.featured.brand_id, e.featured.campaign_id) for e in slots if e.featured],
    )
    today = clock.now().date().isoformat()
    viewer_profile = hydrated.authors.get(viewer_id or "")
    items = [
        FeedItemOut(
            post=summary(
                hydrated.posts[e.post_id], hydrated.authors.get(e.author_id), e.post_id in hydrated.smiled
            ),
            reasons=e.reasons,
            featured=_featured_out(e.featured),
        )
        for e in window
        if e.post_id in hydrated.posts
        and (
            e.featured is None
            or featured.still_shown(
                e.post_id,
                e.featured.brand_id,
                e.featured.campaign_id,
                e.featured.last,
                today,
                hydrated.featurable,
                hydrated.open_campaigns,
                viewer_profile is None or viewer_profile.audience_opt_out,
            )
        )
    ]
    end = offset + len(window)
    next_cursor = (
        cursors.encode({"o": generation.owner, "g": generation.generation, "i": end})
        if end < len(generation.entries)
        else None
    )
    return FeedPage(
        items=items, next_cursor=next_cursor, generated_at=generation.generated_at, refreshing=refreshing
    )
