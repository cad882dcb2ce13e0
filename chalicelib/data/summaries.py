"""Brand summary records and their storage format: counts vectors, bounded top-K sketches, periods.

A period (a day `D`, a Monday week `W`, a 4-week block `Q`) of one brand holds its totals per
day, its totals per campaign and a sketch: bounded top-K lists (posts, products, authors,
engaged members, interests, labels) whose entries are counts vectors. Before a period is stored,
each list keeps its heaviest K entries and adds the others into `rest`, so an entry's counts are
exact from the flush it entered and a list holds the period's heaviest hitters (exact for a
brand whose posts and members fit, i.e. most brands on most days). The rules that fill periods are in
services/summaries.py; this module is what they are and how they are stored.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

FIELDS = (
    "posts",
    "impressions",
    "smiles",
    "comments",
    "tag_clicks",
    "product_clicks",
    "filtered_impressions",
    "filtered_tag_clicks",
    "filtered_product_clicks",
)
POSTS, IMPRESSIONS, SMILES, COMMENTS, TAPS, CLICKS, F_IMPRESSIONS, F_TAPS, F_CLICKS = range(len(FIELDS))
Vector = list[int]

# How many entries each top-K list keeps per period (sized so 21 periods stay well under 200 KB).
LIMITS: dict[str, int] = {
    "posts": 40,
    "products": 40,
    "authors": 30,
    "engaged": 40,
    "interests": 24,
    "labels": 24,
    "channels": 8,  # schemas/brands.py CHANNELS: 7, all kept
}
# The lists keyed by a member id (erasure takes a leaving member out of them).
MEMBER_LISTS = ("authors", "engaged")
HOURLY_LIMIT = 40
# A FIFO group redelivers only the batch in flight (at most 10 messages): a margin of 20 tokens.
TOKENS_KEPT = 20


def zero() -> Vector:
    return [0] * len(FIELDS)


def vector(**counts: int) -> Vector:
    out = zero()
    for name, value in counts.items():
        out[FIELDS.index(name)] = value
    return out


def add(into: Vector, other: Iterable[int], sign: int = 1) -> Vector:
    for index, value in enumerate(other):
        if index < len(into):
            into[index] += sign * value
    return into


def engagement(v: Vector) -> int:
    """Engagement as the contract defines it: smiles + comments + tag clicks."""
    return v[SMILES] + v[COMMENTS] + v[TAPS]


def weight(v: Vector) -> int:
    """What keeps an entry in a full list: shown, engaged with, posted about."""
    return v[IMPRESSIONS] + 10 * engagement(v) + 5 * v[CLICKS] + 50 * v[POSTS]


def as_dict(v: Vector) -> dict[str, int]:
    return dict(zip(FIELDS, v, strict=False))


# --- the sketch ---------------------------------------------------------------------------------


@dataclass
class Sketch:
    """Bounded top-K lists of one period, plus today's spike counters and recent message tokens."""

    lists: dict[str, dict[str, Vector]] = field(default_factory=lambda: {d: {} for d in LIMITS})
    meta: dict[str, list[Any]] = field(default_factory=dict)  # post id -> [author id, [products]]
    rest: dict[str, Vector] = field(default_factory=dict)  # what fell out of each list
    hour: int | None = None
    hourly: dict[str, list[int]] = field(default_factory=dict)  # post -> [impressions, taps, clicks]
    tokens: list[str] = field(default_factory=list)

    def bump(self, dimension: str, key: str, delta: Iterable[int], meta: list[Any] | None = None) -> None:
        entries = self.lists[dimension]
        current = entries.get(key)
        if current is None:
            entries[key] = current = zero()
        add(current, delta)
        if meta is not None and dimension == "posts":
            self.meta[key] = meta

    def truncate(self) -> None:
        """Keep each list's heaviest entries (ties: by key); what the others held goes to `rest`.

        Lists grow freely while a flush or a compaction adds to them and are cut once, before they
        are stored, so entries compete on everything the flush brought, not on arrival order."""
        for dimension, entries in self.lists.items():
            limit = LIMITS.get(dimension, 0)
            if len(entries) <= limit:
                continue
            ranked = sorted(entries, key=lambda k: (-weight(entries[k]), k))
            for key in ranked[limit:]:
                add(self.rest.setdefault(dimension, zero()), entries.pop(key))
                if dimension == "posts":
                    self.meta.pop(key, None)
        if len(self.hourly) > HOURLY_LIMIT:
            # The hour's busiest posts are kept: a quiet one dropped restarts from 0 (spikes are busy).
            busiest = sorted(self.hourly, key=lambda p: (-sum(self.hourly[p]), p))[:HOURLY_LIMIT]
            self.hourly = {p: self.hourly[p] for p in busiest}

    def merge(self, other: Sketch) -> None:
        """Add another period's lists into this one (compaction): sums, then the heaviest kept."""
        for dimension, entries in other.lists.items():
            mine = self.lists.setdefault(dimension, {})
            for key, counts in entries.items():
                add(mine.setdefault(key, zero()), counts)
            if dimension == "posts":
                for post_id in entries:
                    if post_id in other.meta:
                        self.meta.setdefault(post_id, other.meta[post_id])
        for dimension, counts in other.rest.items():
            add(self.rest.setdefault(dimension, zero()), counts)

    def forget(self, member_id: str) -> bool:
        """Take a member out of the lists (their counts go to `rest`) and off their posts' entries
        (author ""). True if they were named anywhere."""
        changed = False
        for dimension in MEMBER_LISTS:
            counts = self.lists.get(dimension, {}).pop(member_id, None)
            if counts is not None:
                add(self.rest.setdefault(dimension, zero()), counts)
                changed = True
        for post_id, meta in self.meta.items():
            if meta and meta[0] == member_id:
                self.meta[post_id] = ["", *meta[1:]]
                changed = True
        return changed

    def without_today_state(self) -> Sketch:
        """The sketch once its day is over (compaction): the spike counters go, the message tokens
        stay, so a batch applied before its day was compacted and then redelivered (its invocation
        died after the write) is still recognised. tests/integration/test_engagement_properties.py"""
        return Sketch(self.lists, self.meta, self.rest, tokens=self.tokens)

    def pack(self) -> bytes:
        self.truncate()
        body: dict[str, Any] = {"l": {d: e for d, e in self.lists.items() if e}, "m": self.meta}
        if self.rest:
            body["r"] = self.rest
        if self.hour is not None:
            body["h"], body["hc"] = self.hour, self.hourly
        if self.tokens:
            body["t"] = self.tokens
        return zlib.compress(json.dumps(body, separators=(",", ":")).encode(), 6)

    @classmethod
    def unpack(cls, raw: bytes | None) -> Sketch:
        if not raw:
            return cls()
        body = json.loads(zlib.decompress(raw))
        lists = {d: {} for d in LIMITS} | {d: dict(e) for d, e in body.get("l", {}).items()}
        return cls(
            lists=lists,
            meta=dict(body.get("m", {})),
            rest=dict(body.get("r", {})),
            hour=body.get("h"),
            hourly=dict(body.get("hc", {})),
            tokens=list(body.get("t", [])),
        )


@dataclass
class Period:
    """One period of one brand, as stored: its day totals, campaign totals and sketch."""

    level: str
    start: str
    version: int = 0
    exists: bool = False
    days: dict[str, Vector] = field(default_factory=dict)
    camps: dict[str, Vector] = field(default_factory=dict)
    sketch: Sketch = field(default_factory=Sketch)
    changed: bool = False

    def totals(self) -> Vector:
        out = zero()
        for counts in self.days.values():
            add(out, counts)
        return out


@dataclass(frozen=True)
class TrackedCampaign:
    """A campaign the aggregator attributes to as counts arrive, on days `first`..`last`."""

    campaign_id: str
    products: frozenset[str]
    first: str
    last: str
    # Its own first day (`first` reaches back as far again, for the report's comparison): members'
    # engagement counts towards its lift against the holdout from here to `last` (None: not counted).
    starts: str | None = None

    def takes(self, day: str, products: Iterable[str]) -> bool:
        return self.first <= day <= self.last and not self.products.isdisjoint(products)

    def runs(self, day: str, products: Iterable[str]) -> bool:
        """The day is one of the campaign's own and the products are some of its."""
        return self.starts is not None and self.starts <= day <= self.last and self.takes(day, products)

    def to_json(self) -> dict[str, Any]:
        out = {
            "id": self.campaign_id,
            "products": sorted(self.products),
            "from": self.first,
            "to": self.last,
        }
        if self.starts is not None:
            out["starts"] = self.starts
        return out

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> TrackedCampaign:
        return cls(
            str(raw["id"]),
            frozenset(raw.get("products", ())),
            str(raw["from"]),
            str(raw["to"]),
            raw.get("starts"),
        )
