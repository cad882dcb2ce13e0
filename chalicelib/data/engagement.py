"""Access patterns for engagement: viewers' counted events, post facts, brand summaries and their heads.

- `mark_seen`: one UpdateItem per (viewer, receipt hour) both spends the viewer's hourly event
  limit and records which (post, type) pairs counted (a binary set of 8-byte digests), answering
  what was there before: the pairs it did not hold are the new ones. No read.
- `post_facts`: the posts of a batch in one BatchGetItem, and their products' brands (from a
  process cache: a product never changes brand; a miss costs one more BatchGetItem).
- Brand summaries (`BSUM#<brand>` partition, services/summaries.py): `read_brand` reads what a
  flush needs in one consistent BatchGetItem; `save` writes a flush: one conditional PutItem of
  the day item when that is all that changed (the common case), else one transaction of the
  changed periods (each on condition of its version), the head, the campaign list, idempotency
  markers and brand-author marks.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chalicelib import caches
from chalicelib.data import connection, keys, ownership
from chalicelib.data.batch_reads import BatchReads
from chalicelib.data.connection import Outcome, Tx, transact
from chalicelib.data.models import (
    AppliedMarkerItem,
    BrandAuthorItem,
    BrandCampaignsItem,
    BrandHeadItem,
    BrandSummaryItem,
    CampaignBackfillItem,
    FlintItem,
    PostItem,
    ProductItem,
    UserItem,
    ViewerHourItem,
)
from chalicelib.data.ownership import Erased, OwnedKind
from chalicelib.data.pages import Page
from chalicelib.data.posts import LIVE
from chalicelib.data.summaries import Period, Sketch, TrackedCampaign

MARKER_DAYS = 7
VIEWER_HOUR_TTL_HOURS = 3
BATCH_GET_LIMIT = 100
_PRODUCT_BRANDS_KEPT = 20_000


# --- the edge: viewers' counted events ----------------------------------------------------------


def mark_seen(viewer: str, hour: int, digests: Sequence[bytes], limit: int) -> set[bytes] | None:
    """Spend len(digests) of the viewer's events for this receipt hour and record the digests.

    The digests not seen before in that hour (they count); None when the limit would be passed
    (nothing is spent or recorded).
    """
    key = keys.viewer_hour(viewer, hour)
    cost = len(digests)
    expires = datetime.fromtimestamp((hour + 1 + VIEWER_HOUR_TTL_HOURS) * 3600).astimezone()
    old = connection.update_returning_old(
        ViewerHourItem(key.pk, key.sk),
        [
            ViewerHourItem.entity.set(ViewerHourItem),  # type: ignore[arg-type]
            ViewerHourItem.n.add(cost),
            ViewerHourItem.seen.add(set(digests)),
            ViewerHourItem.expires_at.set(expires),
        ],
        condition=ViewerHourItem.n.does_not_exist() | (ViewerHourItem.n <= limit - cost),
    )
    if old is None:
        return None
    if "n" in old and "seen" not in old:
        # The item existed (`n` always changes) but the set did not: every digest was in it. (AWS
        # may or may not list an attribute an update left unchanged; the emulator does not.)
        return set()
    before = {bytes(d) for d in (old.get("seen") or {}).get("BS", [])}
    return set(digests) - before


# --- posts and their brands ---------------------------------------------------------------------


@dataclass(frozen=True)
class PostFacts:
    """What counting needs of a post: who wrote it, what it tags, where it belongs."""

    post_id: str
    author_id: str
    product_ids: list[str]
    interests: list[str]
    labels: list[str]
    created_at: str
    live: bool


_brands_lock = threading.Lock()
_product_brands: dict[str, str] = {}


def _forget_product_brands() -> None:
    with _brands_lock:
        _product_brands.clear()


caches.register(_forget_product_brands)


def _facts(item: PostItem) -> PostFacts:
    return PostFacts(
        post_id=item.post_id,
        author_id=item.author_id,
        product_ids=list(item.product_ids or []),
        interests=list(item.interests or []),
        labels=list(getattr(item, "labels", None) or []),
        created_at=item.created_at,
        live=item.state == LIVE,
    )


# Inside `posts_read_once`: post id -> its facts (None: no such post) as first read there.
_read_once: BatchReads[str, PostFacts | None] = BatchReads("posts_read_once")


def posts_read_once() -> AbstractContextManager[None]:
    """Within, `post_facts` reads each post at most once: a stream batch's consumers (inbox,
    audiences, the engagement queue) ask for the same posts, and none of them changes a post."""
    return _read_once.scope()


def post_facts(post_ids: Iterable[str]) -> dict[str, PostFacts]:
    """Posts (any state) by id: one BatchGetItem per 100 (of those not read yet in `posts_read_once`)."""
    wanted = list(dict.fromkeys(post_ids))
    read = _read_once.current()
    missing = wanted if read is None else [p for p in wanted if p not in read]
    found = (
        {item.post_id: _facts(item) for item in PostItem.batch_get([keys.post(p) for p in missing])}
        if missing
        else {}
    )
    if read is None:
        return found
    read.update({p: found.get(p) for p in missing})
    return {p: facts for p in wanted if (facts := read[p]) is not None}


def product_brands(product_ids: Iterable[str]) -> dict[str, str]:
    """product id -> brand id; products never change brand, so a warm process remembers them."""
    wanted = list(dict.fromkeys(product_ids))
    with _brands_lock:
        found = {p: _product_brands[p] for p in wanted if p in _product_brands}
    missing = [p for p in wanted if p not in found]
    if missing:
        fetched = {
            i.product_id: i.brand_id for i in ProductItem.batch_get([keys.product(p) for p in missing])
        }
        with _brands_lock:
            if len(_product_brands) + len(fetched) > _PRODUCT_BRANDS_KEPT:
                _product_brands.clear()
            _product_brands.update(fetched)
        found.update(fetched)
    return found


# --- brand summaries ----------------------------------------------------------------------------


@dataclass
class Head:
    first_day: str | None = None
    last_day: str | None = None
    compacted_through: str | None = None
    version: int = 0
    exists: bool = False
    changed: bool = False


@dataclass
class CampaignList:
    campaigns: list[TrackedCampaign] = field(default_factory=list)
    version: int = 0
    exists: bool = False
    changed: bool = False


@dataclass
class BrandState:
    """What one flush of one brand reads: head, campaign list, periods, and who its actors are."""

    head: Head
    campaigns: CampaignList
    periods: dict[tuple[str, str], Period]
    brand_authors: set[str]
    opted_out: set[str]  # opted out of brand audiences, or leaving (DELETE /me)
    marked: set[str] = field(default_factory=set)  # members with a mark (keys.brand_author)


def _period(item: BrandSummaryItem) -> Period:
    level, _, start = item.SK.partition("#")
    return Period(
        level=level,
        start=start,
        version=int(item.version or 0),
        exists=True,
        days={d: list(v) for d, v in (item.days or {}).items()},
        camps={c: list(v) for c, v in (item.camps or {}).items()},
        sketch=Sketch.unpack(item.packed),
    )


def _batch_get(
    wanted: Sequence[keys.Key], *, consistent: bool, attributes: list[str] | None = None
) -> list[FlintItem]:
    found: list[FlintItem] = []
    unique = list(dict.fromkeys(wanted))
    for start in range(0, len(unique), BATCH_GET_LIMIT):
        chunk = unique[start : start + BATCH_GET_LIMIT]
        found += list(FlintItem.batch_get(chunk, consistent_read=consistent, attributes_to_get=attributes))
    return found


def read_brand(
    brand_id: str, periods: Iterable[tuple[str, str]], actors: Iterable[str], authors: Iterable[str]
) -> BrandState:
    """Everything a flush needs, in one consistent BatchGetItem (more only past 100 keys)."""
    head_key, list_key = keys.brand_head(brand_id), keys.brand_campaigns(brand_id)
    wanted = [head_key, list_key]
    wanted += [keys.brand_summary(brand_id, level, start) for level, start in periods]
    actors, authors = list(dict.fromkeys(actors)), list(dict.fromkeys(authors))
    members = list(dict.fromkeys([*actors, *authors]))
    wanted += [keys.brand_author(brand_id, m) for m in members]
    wanted += [keys.user(m) for m in members]
    state = BrandState(Head(), CampaignList(), {}, set(), set())
    for item in _batch_get(wanted, consistent=True):
        if isinstance(item, BrandHeadItem):
            state.head = Head(
                item.first_day, item.last_day, item.compacted_through, int(item.version or 0), exists=True
            )
        elif isinstance(item, BrandCampaignsItem):
            state.campaigns = CampaignList(
                [TrackedCampaign.from_json(c) for c in item.campaigns or []], int(item.version or 0), True
            )
        elif isinstance(item, BrandSummaryItem):
            period = _period(item)
            state.periods[(period.level, period.start)] = period
        elif isinstance(item, BrandAuthorItem):
            state.marked.add(item.SK)
            if (item.posts or 0) > 0:
                state.brand_authors.add(item.SK)
        elif isinstance(item, UserItem) and (item.audience_opt_out or item.erasing_since):
            state.opted_out.add(item.user_id)
    return state


def day_periods(brand_id: str, first_day: str, last_day: str) -> list[Period]:
    """The brand's day items from first_day to last_day (one Query, paged past 1 MB)."""
    partition, low, high = keys.brand_days(brand_id, first_day, last_day)
    return [
        _period(item)
        for item in BrandSummaryItem.query(
            partition, BrandSummaryItem.SK.between(low, high), consistent_read=True
        )
        if isinstance(item, BrandSummaryItem)
    ]


def window_periods(
    brand_id: str, periods: Iterable[tuple[str, str]], *, sketches: bool = True
) -> dict[tuple[str, str], Period]:
    """The periods tiling a window (one BatchGetItem of at most 100 keys); without `sketches`, only
    the day and campaign totals are fetched (what a campaign report needs)."""
    wanted = [keys.brand_summary(brand_id, level, start) for level, start in periods]
    attributes = None if sketches else ["PK", "SK", "type", "version", "days", "camps"]
    out: dict[tuple[str, str], Period] = {}
    for item in _batch_get(wanted, consistent=False, attributes=attributes):
        if isinstance(item, BrandSummaryItem):
            period = _period(item)
            out[(period.level, period.start)] = period
    return out


def _summary_item(brand_id: str, period: Period) -> BrandSummaryItem:
    key = keys.brand_summary(brand_id, period.level, period.start)
    return BrandSummaryItem(
        key.pk,
        key.sk,
        version=period.version + 1,
        days=period.days or None,
        camps=period.camps or None,
        packed=period.sketch.pack(),
    )


def _versioned(model: type[FlintItem], exists: bool, version: int) -> object:
    return model.version == version if exists else model.PK.does_not_exist()  # type: ignore[attr-defined]


def save(
    brand_id: str,
    periods: Sequence[Period],
    *,
    head: Head | None = None,
    campaigns: CampaignList | None = None,
    backfill: tuple[str, dict[str, list[int]]] | None = None,
    markers: Sequence[str] = (),
    unchanged: Sequence[Period] = (),
    now: datetime,
) -> Outcome:
    """Write a flush: every item on condition that nobody wrote it since it was read.

    A failed outcome names `period:<level>#<start>`, `head`, `campaigns` (someone else wrote
    first: read again) or `marker:<token>` (that message was applied before: drop it).
    `unchanged` periods are not written but must still be as read (a backfill computed from them).
    """
    changed = [p for p in periods if p.changed]
    writes = len(changed) + bool(head and head.changed) + bool(campaigns and campaigns.changed)
    writes += len(markers) + bool(backfill) + len(unchanged)
    if writes == 1 and changed:
        period = changed[0]
        ok = connection.put(
            _summary_item(brand_id, period),
            condition=_versioned(BrandSummaryItem, period.exists, period.version),  # type: ignore[arg-type]
        )
        return Outcome() if ok else Outcome(frozenset({f"period:{period.level}#{period.start}"}))

    def write(tx: Tx) -> None:
        for period in unchanged:
            key = keys.brand_summary(brand_id, period.level, period.start)
            tx.check(
                BrandSummaryItem,
                (key.pk, key.sk),
                _versioned(BrandSummaryItem, period.exists, period.version),  # type: ignore[arg-type]
                label=f"period:{period.level}#{period.start}",
            )
        for period in changed:
            tx.put(
                _summary_item(brand_id, period),
                condition=_versioned(BrandSummaryItem, period.exists, period.version),  # type: ignore[arg-type]
                label=f"period:{period.level}#{period.start}",
            )
        if head is not None and head.changed:
            key = keys.brand_head(brand_id)
            tx.put(
                BrandHeadItem(
                    key.pk,
                    key.sk,
                    version=head.version + 1,
                    first_day=head.first_day,
                    last_day=head.last_day,
                    compacted_through=head.compacted_through,
                ),
                condition=_versioned(BrandHeadItem, head.exists, head.version),  # type: ignore[arg-type]
                label="head",
            )
        if campaigns is not None and campaigns.changed:
            key = keys.brand_campaigns(brand_id)
            tx.put(
                BrandCampaignsItem(
                    key.pk,
                    key.sk,
                    version=campaigns.version + 1,
                    campaigns=[c.to_json() for c in campaigns.campaigns],
                ),
                condition=_versioned(BrandCampaignsItem, campaigns.exists, campaigns.version),  # type: ignore[arg-type]
                label="campaigns",
            )
        if backfill is not None:
            campaign_id, days = backfill
            key = keys.campaign_backfill(brand_id, campaign_id)
            tx.put(CampaignBackfillItem(key.pk, key.sk, days=days or None))
        for token in markers:
            key = keys.applied_marker(token)
            tx.put(
                AppliedMarkerItem(
                    key.pk, key.sk, applied_at=now.isoformat(), expires_at=now + timedelta(days=MARKER_DAYS)
                ),
                condition=AppliedMarkerItem.PK.does_not_exist(),
                label=f"marker:{token}",
            )

    return transact(write)


BRAND_MEMBER_KIND = "brand_member"  # GSI4 kind of the marks (keys.member_owned)


def mark_brand_members(brand_id: str, author_ids: Iterable[str], member_ids: Iterable[str] = ()) -> None:
    """Mark members as named in the brand's summaries: authors as having posted about it, the
    others (engaged members, authors of posts from before the marks) without posts. Idempotent
    puts (BatchWriteItem by 25), each with its GSI4 entry so erasure finds the brand.

    Written before the summaries that name them: a retry rewrites the same marks."""
    authors = set(author_ids)
    with BrandAuthorItem.batch_write() as batch:
        for member_id in dict.fromkeys([*authors, *member_ids]):
            key = keys.brand_author(brand_id, member_id)
            owned = keys.member_owned(member_id, BRAND_MEMBER_KIND, brand_id)
            batch.save(
                BrandAuthorItem(
                    key.pk,
                    key.sk,
                    posts=1 if member_id in authors else 0,
                    GSI4PK=owned.pk,
                    GSI4SK=owned.sk,
                )
            )


def campaign_backfill(brand_id: str, campaign_id: str) -> dict[str, list[int]] | None:
    key = keys.campaign_backfill(brand_id, campaign_id)
    try:
        item = CampaignBackfillItem.get(key.pk, key.sk)
    except CampaignBackfillItem.DoesNotExist:
        return None
    return {d: list(v) for d, v in (item.days or {}).items()}


def brand_head(brand_id: str) -> Head:
    key = keys.brand_head(brand_id)
    try:
        item = BrandHeadItem.get(key.pk, key.sk)
    except BrandHeadItem.DoesNotExist:
        return Head()
    return Head(item.first_day, item.last_day, item.compacted_through, int(item.version or 0), exists=True)


def brand_authors(brand_id: str, member_ids: Iterable[str]) -> set[str]:
    """Which of these members ever posted about the brand (one BatchGetItem per 100)."""
    wanted = [keys.brand_author(brand_id, m) for m in dict.fromkeys(member_ids)]
    return {
        i.SK
        for i in _batch_get(wanted, consistent=False)
        if isinstance(i, BrandAuthorItem) and (i.posts or 0) > 0
    }


# --- what a member owns here (chalicelib/data/ownership.py) ------------------------------------
# A brand's summaries name members in their author and engaged-member lists (and as the author of
# a listed post). Each brand that does holds the member's mark (keys.brand_author, GSI4): erasing
# it takes the member out of every summary item of that brand (their counts stay in the brand's
# totals, under `rest`), then removes the mark. The member is "leaving" from DELETE /me on, so a
# flush in between lists them nowhere (read_brand counts them as opted out).


def _marks(member_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    page = ownership.find_owned(member_id, BRAND_MEMBER_KIND, limit, start)
    return Page(ownership.load(page.items), page.last_key)


def scrub_member(brand_id: str, member_id: str) -> int:
    """Take the member out of every summary item of the brand (one Query of the brand's periods,
    paged; each item that names them rewritten on condition of its version). Items rewritten."""
    rewritten = 0
    for item in BrandSummaryItem.query(
        f"BSUM#{brand_id}", BrandSummaryItem.SK.between("D#", "W#~"), consistent_read=True
    ):
        if not isinstance(item, BrandSummaryItem):
            continue
        for _ in range(5):
            period = _period(item)
            if not period.sketch.forget(member_id):
                break
            ok = connection.put(
                _summary_item(brand_id, period),
                condition=BrandSummaryItem.version == period.version,
            )
            if ok:
                rewritten += 1
                break
            item = BrandSummaryItem.get(item.PK, item.SK, consistent_read=True)
        else:
            raise RuntimeError(f"brand {brand_id} summary {item.SK}: still contended")
    return rewritten


def _erase_mark(member_id: str, mark: BrandAuthorItem) -> Erased:
    scrub_member(mark.PK.removeprefix("BAUTHOR#"), member_id)
    ownership.delete([(mark.PK, mark.SK)])
    return Erased.GONE


def _viewer_hours(member_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    """The member's viewer-hour items (a few: they expire 3 hours after their hour)."""
    page = ViewerHourItem.query(
        keys.member_viewer_hours(member_id),
        limit=limit,
        last_evaluated_key=start,
        attributes_to_get=["PK", "SK"],
    )
    found = [(i.PK, i.SK) for i in page]
    return Page(found, page.last_evaluated_key)


ownership.register(
    OwnedKind(
        "brand_audiences",
        (BrandAuthorItem, BrandSummaryItem),
        ("brand_author",),
        _marks,
        _erase_mark,
        lambda mark: {"brand_id": mark.PK.removeprefix("BAUTHOR#"), "posted_about": int(mark.posts or 0) > 0},
        phase=2,  # after their posts, smiles and comments (phase 1), whose undoing the brands count
    )
)
ownership.register(
    OwnedKind(
        "viewer_hours",
        (ViewerHourItem,),
        ("member_viewer_hours",),
        _viewer_hours,
        ownership.erase_by_deleting,
    )
)
