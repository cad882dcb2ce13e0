"""Access patterns for precomputed feeds, the shared candidate lists and what keeps them current.

A feed generation is one item holding the ranked entries (post, author, reasons, rank key),
compressed, so writing a generation is atomic and reading a page of it is one request. Each feed
also has a small head item (current generation, last check, digest of the ranked entries, how far
the refresh has read the run log): the refresh reads the head, not a generation, to decide whether
there is anything to do, and writes nothing but the head when the ranked entries did not change.

A member's superseded generations are not deleted: they expire (TTL, when the member could no
longer be served them). Deleting costs write units by item size, as much as writing the
generation did; expiring is free.

What keeps the shared lists current without reading the window (issue 19):
- the table's stream handler writes each batch's post changes to the change log (`FEEDLOG`);
- the planner reads the log since its last run, updates the bounded lists (`FEED#TRENDING…/LIST`)
  and writes one run record (`FEEDRUN`): who posted, what was deleted;
- a member's refresh reads the run records since its last refresh and batch-reads only the
  followees who posted (their profile holds their newest post ids). Who they follow it learns
  from their fan-in summary (3 bytes a followee, one item under 4 KB at the 1,000 follows a
  refresh reads): the followee ids are kept in buckets by author hash, and a refresh reads only
  the buckets of followees the run records name, so its reads do not grow with the follow count.
"""

from __future__ import annotations

import hashlib
import json
import struct
import uuid
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from chalicelib.data import connection, keys, ownership
from chalicelib.data.featured import LiveCampaign, live_campaigns
from chalicelib.data.models import (
    AudienceCampaignsItem,
    EnthusiastsItem,
    FeedChangeItem,
    FeedFaninIdsItem,
    FeedFaninItem,
    FeedHeadItem,
    FeedItem,
    FeedListItem,
    FeedPlanItem,
    FeedRunItem,
    FlintItem,
    UserItem,
)
from chalicelib.data.ownership import OwnedKind
from chalicelib.data.pages import Page

# --- records ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeaturedSlot:
    """What a featured card says (services/featured.py): whose campaign, until which day."""

    brand_id: str
    brand_name: str
    campaign_id: str
    last: str


@dataclass(frozen=True)
class FeedEntry:
    """A card of a generation: the post, its author, why it is shown and its rank key."""

    post_id: str
    author_id: str
    reasons: list[str]
    key: float | None = None
    featured: FeaturedSlot | None = None


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
    run_position: str | None = None
    campaigns: frozenset[str] = frozenset()  # running campaigns the member was assigned to


@dataclass(frozen=True)
class ListEntry:
    """A post in a shared candidate list, with the inputs its rank key was computed from."""

    post_id: str
    author_id: str
    created_at: str
    smiles: int
    comments: int
    enthusiast: bool
    key: float


@dataclass(frozen=True)
class SharedList:
    owner: str
    entries: list[ListEntry]
    holders: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PostChange:
    """A post as the stream last showed it: absolute counters, so applying it twice is harmless."""

    post_id: str
    author_id: str
    created_at: str
    interests: list[str]
    smiles: int
    comments: int
    live: bool
    new: bool  # the post was published in this change (an INSERT)


@dataclass(frozen=True)
class LoggedChanges:
    sort_key: str
    changes: list[PostChange]


@dataclass(frozen=True)
class PlanState:
    read_until: str | None = None
    applied: frozenset[str] = frozenset()
    holders_at: str | None = None
    trending_generations: list[str] = field(default_factory=list)
    trending_digest: str | None = None


@dataclass(frozen=True)
class RunRecord:
    run_at: str
    author_hashes: frozenset[int]
    deleted: frozenset[str]


# Up to this many followees, their ids (16 bytes each, 2.6 KB) are kept in the summary itself; past
# it, in buckets of about this many: under the 4 KB one read unit covers, even when the hash fills
# a bucket a few standard deviations above the mean.
FANIN_BUCKET_SIZE = 160


def _prefix(author_hash_value: int) -> int:
    """The 3 bytes of an author hash the fan-in summary keeps (a refresh's summary of 1,000
    followees matches a run's ~1,000 authors by chance about once in 16 refreshes: one needless
    bucket read, never a wrong feed: the bucket's ids are checked against the full hash)."""
    return author_hash_value >> 8


@dataclass(frozen=True)
class Fanin:
    """What every refresh reads of whom the member follows (one item under 4 KB): the followee ids
    themselves up to FANIN_BUCKET_SIZE of them (`ids`, no buckets), else 3 bytes of each one's author
    hash and how many id buckets hold the ids; and the profile's follow version they were read at."""

    prefixes: frozenset[int]
    count: int
    buckets: int
    follow_version: int
    ids: tuple[str, ...] | None = None

    @classmethod
    def of(cls, followees: Sequence[str], follow_version: int) -> Fanin:
        unique = tuple(dict.fromkeys(followees))
        prefixes = frozenset(_prefix(author_hash(f)) for f in unique)
        if len(unique) <= FANIN_BUCKET_SIZE:
            return cls(prefixes, len(unique), 0, follow_version, unique)
        return cls(prefixes, len(unique), -(-len(unique) // FANIN_BUCKET_SIZE), follow_version)

    def may_follow(self, author_hash_value: int) -> bool:
        """False: not a followee. True: a followee, or (with buckets, rarely) a stranger sharing 3 bytes
        of hash with one."""
        return _prefix(author_hash_value) in self.prefixes

    def follows(self, author_id: str) -> bool:
        """Exact with the ids inline; with buckets, as `may_follow`."""
        if self.ids is not None:
            return author_id in self.ids
        return self.may_follow(author_hash(author_id))

    def bucket_of(self, author_hash_value: int) -> int:
        return author_hash_value % max(1, self.buckets)


@dataclass(frozen=True)
class FeedMember:
    """What a refresh needs of the member's own profile."""

    user_id: str
    interests: list[str]
    onboarded: bool
    follow_version: int
    brands: list[str] = field(default_factory=list)  # the brands they follow (sorted)
    audience_opt_out: bool = False  # left brand audiences: no featured slot, no campaign group


@dataclass(frozen=True)
class Followee:
    """What a refresh needs of a followee: their newest post ids and badges."""

    user_id: str
    recent_posts: list[str]
    badges: list[str]


@dataclass(frozen=True)
class RefreshStart:
    head: FeedHead | None
    fanin: Fanin | None
    member: FeedMember | None
    trending: SharedList | None


@dataclass(frozen=True)
class RefreshRest:
    generation: Generation | None
    lists: dict[str, SharedList]
    followees: dict[str, Followee]
    bucket_ids: list[str] = field(default_factory=list)  # the followee ids in the buckets read
    campaigns: list[LiveCampaign] = field(default_factory=list)  # targeting the member's audiences


# --- packing ---------------------------------------------------------------------------------


def _pack_json(value: Any) -> bytes:
    return zlib.compress(json.dumps(value, separators=(",", ":")).encode(), 6)


def _unpack_json(packed: bytes | None) -> Any:
    return json.loads(zlib.decompress(packed)) if packed else []


# A "following:<id>" reason always names the post's author: stored as this marker, so a generation
# does not carry every followee's id twice (write and read units follow its size).
_FOLLOWING_AUTHOR = "f"


def _entry_json(entry: FeedEntry) -> dict[str, Any]:
    own = f"following:{entry.author_id}"
    reasons = [_FOLLOWING_AUTHOR if r == own else r for r in entry.reasons]
    raw: dict[str, Any] = {"p": entry.post_id, "a": entry.author_id, "r": reasons}
    if entry.key is not None:
        raw["k"] = round(entry.key, 4)
    if entry.featured is not None:
        slot = entry.featured
        raw["F"] = [slot.brand_id, slot.brand_name, slot.campaign_id, slot.last]
    return raw


def _entries(raw: list[dict[str, Any]]) -> list[FeedEntry]:
    return [
        FeedEntry(
            e["p"],
            e["a"],
            [f"following:{e['a']}" if r == _FOLLOWING_AUTHOR else r for r in e.get("r") or []],
            e.get("k"),
            FeaturedSlot(*e["F"]) if e.get("F") else None,
        )
        for e in raw
    ]


def _list_entry_json(entry: ListEntry) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "p": entry.post_id,
        "a": entry.author_id,
        "c": entry.created_at,
        "s": entry.smiles,
        "m": entry.comments,
        "k": round(entry.key, 4),
    }
    if entry.enthusiast:
        raw["e"] = True
    return raw


def _list_entries(raw: list[dict[str, Any]]) -> list[ListEntry]:
    return [
        ListEntry(
            e["p"],
            e["a"],
            e["c"],
            int(e.get("s") or 0),
            int(e.get("m") or 0),
            bool(e.get("e")),
            float(e["k"]),
        )
        for e in raw
    ]


def _change_json(change: PostChange) -> dict[str, Any]:
    return {
        "p": change.post_id,
        "a": change.author_id,
        "c": change.created_at,
        "i": change.interests,
        "s": change.smiles,
        "m": change.comments,
        "l": change.live,
        "n": change.new,
    }


def _changes(raw: list[dict[str, Any]]) -> list[PostChange]:
    return [
        PostChange(
            c["p"],
            c["a"],
            c["c"],
            list(c.get("i") or []),
            int(c["s"]),
            int(c["m"]),
            bool(c["l"]),
            bool(c["n"]),
        )
        for c in raw
    ]


def author_hash(author_id: str) -> int:
    """4 bytes of the author's id hash: a run record names authors in 4 bytes each (a false match,
    about 1 in 4 billion per pair, costs one needless profile read, never a wrong feed)."""
    return int.from_bytes(hashlib.blake2b(author_id.encode(), digest_size=4).digest(), "big")


def _pack_hashes(hashes: Iterable[int]) -> bytes:
    ordered = sorted(set(hashes))
    return struct.pack(f">{len(ordered)}I", *ordered)


def _unpack_hashes(packed: bytes | None) -> frozenset[int]:
    if not packed:
        return frozenset()
    return frozenset(struct.unpack(f">{len(packed) // 4}I", packed))


def _pack_ids(ids: Sequence[str]) -> bytes:
    """Followee ids: Cognito subs (UUIDs) as 16 bytes each, anything else zlib'd text."""
    try:
        if all(str(uuid.UUID(i)) == i for i in ids):
            return b"U" + b"".join(uuid.UUID(i).bytes for i in ids)
    except ValueError:
        pass
    return b"Z" + zlib.compress("\n".join(ids).encode(), 6)


def _unpack_ids(packed: bytes) -> list[str]:
    kind, body = packed[:1], packed[1:]
    if kind == b"U":
        return [str(uuid.UUID(bytes=body[i : i + 16])) for i in range(0, len(body), 16)]
    text = zlib.decompress(body).decode()
    return text.split("\n") if text else []


def _pack_prefixes(prefixes: Iterable[int]) -> bytes:
    return b"".join(p.to_bytes(3, "big") for p in sorted(prefixes))


def _unpack_prefixes(packed: bytes) -> frozenset[int]:
    return frozenset(int.from_bytes(packed[i : i + 3], "big") for i in range(0, len(packed), 3))


def _fanin(item: FeedFaninItem) -> Fanin:
    if item.followees is not None:  # the ids inline (or an item from before the buckets: the same)
        ids = _unpack_ids(item.followees)
        return replace(Fanin.of(ids, int(item.follow_version or 0)), buckets=0, ids=tuple(ids))
    return Fanin(
        _unpack_prefixes(item.hashes or b""),
        int(item.count or 0),
        int(item.buckets or 0),
        int(item.follow_version or 0),
    )


# --- member feeds ----------------------------------------------------------------------------


def to_generation(item: FeedItem) -> Generation:
    raw = _unpack_json(item.packed) if item.packed else (item.entries or [])
    return Generation(item.owner, item.generation, item.generated_at, _entries(raw))


def _head(item: FeedHeadItem) -> FeedHead:
    return FeedHead(
        item.generation,
        item.generated_at,
        item.checked_at,
        item.digest,
        item.run_position,
        frozenset(item.campaigns or ()),
    )


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
        packed=_pack_json([_entry_json(e) for e in entries]),
        digest=digest,
    )
    item.expires_at = expires_at
    return connection.put(item, condition=FeedItem.PK.does_not_exist())


def get_head(owner: str) -> FeedHead | None:
    """The feed's head: one GetItem of a ~200-byte item."""
    key = keys.feed_head(owner)
    try:
        return _head(FeedHeadItem.get(key.pk, key.sk))
    except FeedHeadItem.DoesNotExist:
        return None


def put_head(owner: str, head: FeedHead, expires_at: datetime) -> None:
    """Point the feed at its new current generation (written after the generation itself).

    A worker killed between the two writes leaves the head on the previous generation: readers
    serve the newest generation, and the next refresh finds a digest mismatch and completes the work.
    """
    key = keys.feed_head(owner)
    item = FeedHeadItem(
        key.pk,
        key.sk,
        generation=head.generation,
        generated_at=head.generated_at,
        checked_at=head.checked_at,
        digest=head.digest,
        run_position=head.run_position,
        campaigns=set(head.campaigns) or None,
    )
    item.expires_at = expires_at
    connection.put(item)


def touch_head(
    owner: str, checked_at: str, run_position: str | None, campaigns: frozenset[str] | None = None
) -> None:
    """Record a refresh that found nothing new: one small UpdateItem, no generation written
    (`campaigns`: the assigned campaigns, when they changed)."""
    key = keys.feed_head(owner)
    actions = [FeedHeadItem.checked_at.set(checked_at)]
    if run_position is not None:
        actions.append(FeedHeadItem.run_position.set(run_position))
    if campaigns is not None:
        actions.append(
            FeedHeadItem.campaigns.set(set(campaigns)) if campaigns else FeedHeadItem.campaigns.remove()
        )
    connection.update(FeedHeadItem(key.pk, key.sk), actions)


def head_and_newest(owner: str) -> tuple[FeedHead | None, Generation | None]:
    """The head and the newest generation in one Query (descending, Limit 2: `HEAD` sorts after
    every `GEN#`). What a feed's first page reads."""
    head: FeedHead | None = None
    newest: Generation | None = None
    for item in FlintItem.query(keys.feed_partition(owner), scan_index_forward=False, limit=2, page_size=2):
        if isinstance(item, FeedHeadItem):
            head = _head(item)
        elif isinstance(item, FeedItem) and newest is None:
            newest = to_generation(item)
    return head, newest


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


def delete_generations(owner: str, generations: Iterable[str]) -> int:
    """Delete these generations (BatchWriteItem); returns how many."""
    doomed = [keys.feed_generation(owner, g) for g in generations]
    with FlintItem.batch_write() as batch:
        for key in doomed:
            batch.delete(FlintItem(key.pk, key.sk))
    return len(doomed)


def active_member_ids(shard: int, since: str) -> list[str]:
    """Members of one shard of the sparse "recently active" index active since `since` (one Query)."""
    return [
        item.user_id
        for item in FlintItem.gsi2.query(
            keys.active_partition(shard),
            FlintItem.GSI2SK >= since,  # noqa: SIM300 - a PynamoDB condition
            attributes_to_get=["PK", "SK", "type", "user_id"],
        )
        if isinstance(item, UserItem)
    ]


# --- a member's refresh ----------------------------------------------------------------------


def _shared_list(owner: str, item: FeedListItem) -> SharedList:
    return SharedList(owner, _list_entries(_unpack_json(item.packed)), frozenset(item.holders or ()))


def _owner_of(partition: str) -> str:
    return partition.removeprefix("FEED#")


def to_shared_list(item: FeedListItem) -> SharedList:
    """A list item read alongside other items (a brand page's BatchGetItem)."""
    return _shared_list(_owner_of(item.PK), item)


def refresh_start(member_id: str) -> RefreshStart:
    """The head, the fan-in summary, the member's profile and the trending list: one BatchGetItem
    (each item under 4 KB but trending's, whatever the follow count)."""
    wanted = [
        keys.feed_head(member_id),
        keys.feed_fanin(member_id),
        keys.user(member_id),
        keys.feed_list(keys.trending_owner()),
    ]
    head: FeedHead | None = None
    fanin: Fanin | None = None
    member: FeedMember | None = None
    trending: SharedList | None = None
    for item in FlintItem.batch_get(wanted):
        if isinstance(item, FeedHeadItem):
            head = _head(item)
        elif isinstance(item, FeedFaninItem):
            fanin = _fanin(item)
        elif isinstance(item, UserItem):
            member = FeedMember(
                item.user_id,
                list(item.interests or []),
                bool(item.onboarded),
                int(item.follow_version or 0),
                sorted(item.brands_followed or ()),
                bool(item.audience_opt_out),
            )
        elif isinstance(item, FeedListItem):
            trending = _shared_list(_owner_of(item.PK), item)
    return RefreshStart(head, fanin, member, trending)


def refresh_rest(
    generation: tuple[str, str] | None,
    list_owners: Iterable[str],
    followee_ids: Iterable[str] = (),
    fanin_buckets: tuple[str, Iterable[int]] | None = None,
    audience_ids: Iterable[str] = (),
) -> RefreshRest:
    """The current generation, the interest lists, followees' profiles, (member, buckets) of the
    member's followee ids and the campaign index of the member's audiences: one BatchGetItem per
    100 keys (so about followees / 100 requests after a follow change, never one Query per
    followee)."""
    wanted = [keys.feed_list(o) for o in dict.fromkeys(list_owners)]
    wanted += [keys.audience_campaigns(a) for a in dict.fromkeys(audience_ids)]
    wanted += [keys.user(u) for u in dict.fromkeys(followee_ids)]
    if generation is not None:
        wanted.append(keys.feed_generation(*generation))
    if fanin_buckets is not None:
        member_id, buckets = fanin_buckets
        wanted += [keys.feed_fanin_ids(member_id, b) for b in sorted(set(buckets))]
    found_generation: Generation | None = None
    lists: dict[str, SharedList] = {}
    followees: dict[str, Followee] = {}
    bucket_ids: list[str] = []
    campaigns: list[LiveCampaign] = []
    if not wanted:
        return RefreshRest(None, lists, followees)
    for item in FlintItem.batch_get(wanted):
        if isinstance(item, FeedListItem):
            owner = _owner_of(item.PK)
            lists[owner] = _shared_list(owner, item)
        elif isinstance(item, UserItem):
            followees[item.user_id] = Followee(
                item.user_id, sorted(item.recent_posts or (), reverse=True), list(item.badges or [])
            )
        elif isinstance(item, FeedItem):
            found_generation = to_generation(item)
        elif isinstance(item, FeedFaninIdsItem):
            bucket_ids += _unpack_ids(item.followees)
        elif isinstance(item, AudienceCampaignsItem):
            campaigns += live_campaigns(item)
    return RefreshRest(found_generation, lists, followees, bucket_ids, campaigns)


def put_fanin(member_id: str, followees: Sequence[str], follow_version: int, before: Fanin | None) -> Fanin:
    """Write the member's fan-in: the summary alone (ids inline) up to FANIN_BUCKET_SIZE followees;
    past it, the id buckets first (BatchWriteItem), then the summary that points at them, so a
    refresh that dies between the two leaves the earlier summary, whose follow version sends the
    next refresh down the full path. Buckets the earlier fan-in had beyond the new count go."""
    fanin = Fanin.of(followees, follow_version)
    by_bucket: dict[int, list[str]] = {b: [] for b in range(fanin.buckets)}
    if fanin.ids is None:
        for followee in dict.fromkeys(followees):
            by_bucket[fanin.bucket_of(author_hash(followee))].append(followee)
    stale = range(fanin.buckets, before.buckets if before else 0)
    if by_bucket or stale:
        with FlintItem.batch_write() as batch:
            for bucket, ids in by_bucket.items():
                key = keys.feed_fanin_ids(member_id, bucket)
                batch.save(FeedFaninIdsItem(key.pk, key.sk, followees=_pack_ids(ids)))
            for bucket in stale:
                key = keys.feed_fanin_ids(member_id, bucket)
                batch.delete(FlintItem(key.pk, key.sk))
    key = keys.feed_fanin(member_id)
    item = FeedFaninItem(key.pk, key.sk, count=fanin.count, follow_version=fanin.follow_version)
    if fanin.ids is not None:
        item.followees = _pack_ids(fanin.ids)
    else:
        item.hashes = _pack_prefixes(fanin.prefixes)
        item.buckets = fanin.buckets
    connection.put(item)
    return fanin


def runs_since(position: str) -> list[RunRecord]:
    """Planner runs recorded after `position`, oldest first (one Query; ~4 bytes per author)."""
    return [
        RunRecord(item.SK, _unpack_hashes(item.authors), frozenset(item.deleted or ()))
        for item in FeedRunItem.query(keys.FEED_RUNS, FeedRunItem.SK > position)  # noqa: SIM300 - a PynamoDB condition
    ]


# --- the planner -----------------------------------------------------------------------------


def plan_inputs() -> tuple[PlanState, frozenset[str], str | None]:
    """The planner's state and the Enthusiast holders (the daily job's overall ranking item, with
    when it was computed), in one BatchGetItem: never one read per author."""
    state = PlanState()
    holders: frozenset[str] = frozenset()
    holders_at: str | None = None
    for item in FlintItem.batch_get([keys.feed_plan_state(), keys.enthusiasts(None)]):
        if isinstance(item, FeedPlanItem):
            state = PlanState(
                item.read_until,
                frozenset(item.applied or ()),
                item.holders_at,
                list(item.trending_generations or []),
                item.trending_digest,
            )
        elif isinstance(item, EnthusiastsItem):
            holders = frozenset(str(r["user_id"]) for r in item.ranking or [])
            holders_at = item.computed_at
    return state, holders, holders_at


def put_plan_state(state: PlanState) -> None:
    key = keys.feed_plan_state()
    connection.put(
        FeedPlanItem(
            key.pk,
            key.sk,
            read_until=state.read_until,
            applied=set(state.applied) or None,
            holders_at=state.holders_at,
            trending_generations=state.trending_generations,
            trending_digest=state.trending_digest,
        )
    )


def changes_since(after: str | None) -> list[LoggedChanges]:
    """Change-log items written after `after` (every item when None), oldest first (one Query)."""
    condition = FeedChangeItem.SK > after if after else None  # noqa: SIM300 - a PynamoDB condition
    return [
        LoggedChanges(item.SK, _changes(_unpack_json(item.packed)))
        for item in FeedChangeItem.query(keys.FEED_CHANGES, condition)
    ]


def get_lists(owners: Iterable[str]) -> dict[str, SharedList]:
    """Shared lists by owner (BatchGetItem, 100 keys a request); a list never written is absent."""
    wanted = [keys.feed_list(o) for o in dict.fromkeys(owners)]
    if not wanted:
        return {}
    return {
        _owner_of(item.PK): _shared_list(_owner_of(item.PK), item) for item in FeedListItem.batch_get(wanted)
    }


def put_lists(lists: Iterable[SharedList], updated_at: str) -> int:
    """Rewrite these lists (BatchWriteItem, 25 a request); returns how many."""
    count = 0
    with FlintItem.batch_write() as batch:
        for shared in lists:
            key = keys.feed_list(shared.owner)
            batch.save(
                FeedListItem(
                    key.pk,
                    key.sk,
                    packed=_pack_json([_list_entry_json(e) for e in shared.entries]),
                    updated_at=updated_at,
                    holders=set(shared.holders) or None,
                )
            )
            count += 1
    return count


def get_versioned_lists(owners: Iterable[str]) -> dict[str, tuple[SharedList, str]]:
    """Shared lists by owner with the `updated_at` each was written at (a conditional rewrite's
    version): one BatchGetItem, consistent (brand community lists: services/brand_pages.py)."""
    wanted = [keys.feed_list(o) for o in dict.fromkeys(owners)]
    if not wanted:
        return {}
    return {
        _owner_of(item.PK): (_shared_list(_owner_of(item.PK), item), item.updated_at)
        for item in FeedListItem.batch_get(wanted, consistent_read=True)
    }


def put_list_if(shared: SharedList, updated_at: str, previous: str | None) -> bool:
    """Rewrite one list on condition it is still the version read (`previous` None: there was
    none); False when another writer got there first."""
    key = keys.feed_list(shared.owner)
    item = FeedListItem(
        key.pk,
        key.sk,
        packed=_pack_json([_list_entry_json(e) for e in shared.entries]),
        updated_at=updated_at,
    )
    condition = FeedListItem.PK.does_not_exist() if previous is None else FeedListItem.updated_at == previous
    return connection.put(item, condition=condition)


def put_run(run_at: str, author_hashes: Iterable[int], deleted: Iterable[str], expires_at: datetime) -> None:
    key = keys.feed_run(run_at)
    item = FeedRunItem(
        key.pk, key.sk, authors=_pack_hashes(author_hashes) or None, deleted=set(deleted) or None
    )
    item.expires_at = expires_at
    connection.put(item)


# --- the stream handler ----------------------------------------------------------------------


def log_changes(changes: Sequence[PostChange], written_at: str, token: str, expires_at: datetime) -> None:
    """One change-log item for a stream batch's post changes (PutItem; a retried batch rewrites it)."""
    key = keys.feed_change(written_at, token)
    item = FeedChangeItem(key.pk, key.sk, packed=_pack_json([_change_json(c) for c in changes]))
    item.expires_at = expires_at
    connection.put(item)


# --- what a member owns here (chalicelib/data/ownership.py) ------------------------------------
# The member's own feed (its head, generations, fan-in summary and followee id buckets). Entries
# for their posts in other members' feeds hold only ids, are dropped when read once the post is
# gone, and expire with their generation (a week at most: docs/privacy.md).


def _member_feed(member_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    results = FlintItem.query(
        keys.feed_partition(member_id),
        limit=limit,
        page_size=limit,
        last_evaluated_key=start,
        attributes_to_get=["PK", "SK"],
    )
    return Page([(i.PK, i.SK) for i in results], results.last_evaluated_key)


ownership.register(
    OwnedKind(
        "feed",
        (FeedItem, FeedHeadItem, FeedFaninItem, FeedFaninIdsItem),
        ("feed_generation", "feed_head", "feed_fanin", "feed_fanin_ids", "feed_partition"),
        _member_feed,
        ownership.erase_by_deleting,
    )
)
