"""Access patterns for engagement: event checks, sharded daily brand counters, idempotency markers.

Writes are exactly-once per delivery: `apply_once` puts a marker item (`attribute_not_exists`)
in the same transaction as the counter ADDs it guards, through connection.transact().
A delivery seen before (a redelivered SQS message, a replayed client batch, a retried stream
batch) fails the marker's condition and changes nothing. Updates are split into transactions of
99 (plus the marker); each part has its own marker, so a part that failed is redone alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chalicelib.data import keys, ownership
from chalicelib.data.connection import Tx, transact
from chalicelib.data.models import (
    AppliedMarkerItem,
    BrandAuthorItem,
    BrandCounterItem,
    FlintItem,
    PostItem,
    ProductItem,
)
from chalicelib.data.ownership import Erased, OwnedKind
from chalicelib.data.pages import Page
from chalicelib.data.posts import LIVE

COUNTER_FIELDS = ("posts", "impressions", "smiles", "comments", "tag_clicks", "product_clicks")
MARKER_DAYS = 7
_TRANSACTION_ITEMS = 100  # DynamoDB's TransactWriteItems limit: the marker plus 99 updates


@dataclass(frozen=True)
class PostFacts:
    """What aggregation needs of a post: who wrote it, what it tags, where it belongs."""

    post_id: str
    author_id: str
    product_ids: list[str]
    interests: list[str]
    labels: list[str]
    created_at: str
    live: bool


@dataclass(frozen=True)
class CounterKey:
    brand_id: str
    day: str
    dimension: str


@dataclass
class Deltas:
    """Counter changes of one delivery, summed per counter before they are written."""

    counters: dict[CounterKey, dict[str, int]] = field(default_factory=dict)
    authors: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, brand_id: str, day: str, dimension: str, **amounts: int) -> None:
        counts = self.counters.setdefault(CounterKey(brand_id, day, dimension), {})
        for name, amount in amounts.items():
            counts[name] = counts.get(name, 0) + amount

    def add_author(self, brand_id: str, author_id: str, posts: int) -> None:
        self.authors[(brand_id, author_id)] = self.authors.get((brand_id, author_id), 0) + posts

    def __bool__(self) -> bool:
        return bool(self.counters or self.authors)


@dataclass(frozen=True)
class CounterRow:
    day: str
    dimension: str
    counts: dict[str, int]


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


def get_posts_and_products(
    post_ids: Iterable[str], product_ids: Iterable[str] = ()
) -> tuple[dict[str, PostFacts], dict[str, str]]:
    """Posts (any state) and products' brand ids in one BatchGetItem (100 keys at most)."""
    wanted = [keys.post(p) for p in dict.fromkeys(post_ids)]
    wanted += [keys.product(p) for p in dict.fromkeys(product_ids)]
    posts: dict[str, PostFacts] = {}
    brands: dict[str, str] = {}
    if not wanted:
        return posts, brands
    for item in FlintItem.batch_get(wanted):
        if isinstance(item, PostItem):
            posts[item.post_id] = _facts(item)
        elif isinstance(item, ProductItem):
            brands[item.product_id] = item.brand_id
    return posts, brands


def product_brands(product_ids: Iterable[str]) -> dict[str, str]:
    return get_posts_and_products((), product_ids)[1]


# Kinds of a member's items in GSI4 (keys.member_owned; chalicelib/data/ownership.py).
BRAND_COUNTER_KIND, BRAND_AUTHOR_KIND = "brand_counter", "brand_author"
# Counter dimensions that name a member: `A#<author>` (fans) and `E#<member>` (engaged members).
MEMBER_DIMENSIONS = ("A#", "E#")


def _member_of(dimension: str) -> str | None:
    return dimension[2:] if dimension.startswith(MEMBER_DIMENSIONS) else None


def _updates(deltas: Deltas, shard: int) -> list[tuple[FlintItem, list[object]]]:
    updates: list[tuple[FlintItem, list[object]]] = []
    for counter, counts in sorted(
        deltas.counters.items(), key=lambda kv: (kv[0].brand_id, kv[0].day, kv[0].dimension)
    ):
        key = keys.brand_counter(counter.brand_id, shard, counter.day, counter.dimension)
        actions: list[object] = [
            BrandCounterItem.entity.set(BrandCounterItem),  # type: ignore[arg-type]
            BrandCounterItem.brand_id.set(counter.brand_id),
            BrandCounterItem.day.set(counter.day),
            BrandCounterItem.dimension.set(counter.dimension),
        ]
        member = _member_of(counter.dimension)
        if member:
            # A counter naming a member (fan or engaged member) is theirs: erasure finds it in GSI4.
            owned = keys.member_owned(member, BRAND_COUNTER_KIND, f"{counter.brand_id}#{shard}#{counter.day}")
            actions += [BrandCounterItem.GSI4PK.set(owned.pk), BrandCounterItem.GSI4SK.set(owned.sk)]
        counted = [getattr(BrandCounterItem, name).add(n) for name, n in sorted(counts.items()) if n]
        if counted:
            updates.append((BrandCounterItem(key.pk, key.sk), actions + counted))
    for (brand_id, author_id), posts in sorted(deltas.authors.items()):
        key = keys.brand_author(brand_id, author_id)
        owned = keys.member_owned(author_id, BRAND_AUTHOR_KIND, brand_id)
        updates.append(
            (
                BrandAuthorItem(key.pk, key.sk),
                [
                    BrandAuthorItem.entity.set(BrandAuthorItem),  # type: ignore[arg-type]
                    BrandAuthorItem.GSI4PK.set(owned.pk),
                    BrandAuthorItem.GSI4SK.set(owned.sk),
                    BrandAuthorItem.posts.add(posts),
                ],
            )
        )
    return updates


def apply_once(token: str, deltas: Deltas, now: datetime) -> bool:
    """ADD `deltas` into the counters unless `token` was applied before. True if anything was new.

    The shard is chosen by the token, so one delivery writes one shard and concurrent deliveries
    about the same brand and day spread over all of them.
    """
    shard = keys.engagement_shard(token)
    updates = _updates(deltas, shard)
    size = _TRANSACTION_ITEMS - 1
    parts = [updates[i : i + size] for i in range(0, len(updates), size)] or [[]]
    applied = False
    for index, part in enumerate(parts):
        applied |= _apply_part(f"{token}#{index}", part, now)
    return applied


def _apply_part(token: str, part: Sequence[tuple[FlintItem, list[object]]], now: datetime) -> bool:
    marker_key = keys.applied_marker(token)
    marker = AppliedMarkerItem(
        marker_key.pk,
        marker_key.sk,
        applied_at=now.isoformat(),
        expires_at=now + timedelta(days=MARKER_DAYS),
    )

    def write(tx: Tx) -> None:
        tx.put(marker, condition=AppliedMarkerItem.PK.does_not_exist(), label="marker")
        for item, actions in part:
            tx.update(item, actions, label="counter")

    # The marker's condition failing means applied before: a redelivery or a replay.
    return not transact(write).failed_on("marker")


def read_window(brand_id: str, first_day: str, last_day: str) -> list[CounterRow]:
    """Every counter of the brand in [first_day, last_day]: one Query per shard, shards summed."""
    merged: dict[tuple[str, str], dict[str, int]] = {}
    for shard in range(keys.ENGAGEMENT_SHARDS):
        partition, low, high = keys.brand_counter_window(brand_id, shard, first_day, last_day)
        for item in BrandCounterItem.query(partition, BrandCounterItem.SK.between(low, high)):
            counts = merged.setdefault((item.day, item.dimension), {})
            for name in COUNTER_FIELDS:
                value = getattr(item, name)
                if value:
                    counts[name] = counts.get(name, 0) + int(value)
    return [CounterRow(day, dimension, counts) for (day, dimension), counts in sorted(merged.items())]


def brand_authors(brand_id: str, member_ids: Iterable[str]) -> set[str]:
    """Which of these members ever posted about the brand (one BatchGetItem per 100)."""
    wanted = [keys.brand_author(brand_id, m) for m in dict.fromkeys(member_ids)]
    if not wanted:
        return set()
    return {item.SK for item in BrandAuthorItem.batch_get(wanted) if (item.posts or 0) > 0}


def counter_fields() -> Mapping[str, int]:
    return dict.fromkeys(COUNTER_FIELDS, 0)


# --- what a member owns here (chalicelib/data/ownership.py) ------------------------------------
# The counters naming a member (`A#<member>` as a fan, `E#<member>` as an engaged member) and the
# mark that they posted about a brand. Erasing them removes the member from every brand's member
# lists; the brand's totals (`T`, per post, product, interest, label) keep what happened.


def _member_rows(kind: str) -> Callable[[str, int, dict[str, Any] | None], Page]:
    def find(member_id: str, limit: int, start: dict[str, Any] | None) -> Page:
        page = ownership.find_owned(member_id, kind, limit, start)
        return Page(ownership.load(page.items), page.last_key)

    return find


def _erase_row(member_id: str, item: FlintItem) -> Erased:
    ownership.delete([(item.PK, item.SK)])
    return Erased.GONE


def _counter_json(item: FlintItem) -> dict[str, Any]:
    counts = {name: int(getattr(item, name)) for name in COUNTER_FIELDS if getattr(item, name, None)}
    role = "fan" if str(getattr(item, "dimension", "")).startswith("A#") else "engaged"
    brand, day = getattr(item, "brand_id", None), getattr(item, "day", None)
    return {"brand_id": brand, "day": day, "as": role, **counts}


ownership.register(
    OwnedKind(
        "brand_counters",
        (BrandCounterItem,),
        ("brand_counter",),
        _member_rows(BRAND_COUNTER_KIND),
        _erase_row,
        _counter_json,
    )
)
ownership.register(
    OwnedKind(
        "brand_authorship",
        (BrandAuthorItem,),
        ("brand_author",),
        _member_rows(BRAND_AUTHOR_KIND),
        _erase_row,
        lambda item: {"brand_id": item.PK.removeprefix("BAUTHOR#"), "posts": int(item.posts or 0)},
    )
)
