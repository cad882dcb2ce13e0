"""Brand summaries, as pure functions: what a period holds, how a fact changes it, how periods tile a window.

A brand's engagement is kept per **period**: a day (`D`), a week starting on Monday (`W`) and a
4-week block aligned to Monday 2000-01-03 (`Q`). Every period holds
- `days`: its totals per day (the counts vector below), so the periods tiling a window give the
  window's daily series and totals exactly;
- `camps`: its totals per campaign (each post counted once however many campaign products it tags);
- a **sketch**: bounded top-K lists of posts, products, authors, engaged members, interests and
  labels, each entry a counts vector, cut to the heaviest K (the rest summed apart) each time it
  is stored (data/summaries.py); a brand whose posts and members fit the lists (most brands, on
  most days) gets exact lists.

Day periods are written as counts arrive (one item per brand and flush); week and 4-week blocks
are compacted from finished days once (`compact`), so a window of up to 92 days is tiled by at
most 21 periods (`tile`), whatever the brand's size.

The spike rule (`spike_threshold`): a post's counted events of one kind in one hour stop at
max(floor, 10 x its usual hourly rate); the rest are held as *filtered*: counted apart, shown
as filtered, never in the totals, rates or lists.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from chalicelib.data.summaries import (
    CLICKS,
    COMMENTS,
    F_CLICKS,
    F_IMPRESSIONS,
    F_TAPS,
    IMPRESSIONS,
    POSTS,
    SMILES,
    TAPS,
    Period,
    Sketch,
    TrackedCampaign,
    Vector,
    add,
    zero,
)

# Event kinds in messages (short: a queued message carries up to 100 of them).
IMPRESSION, TAG_CLICK, PRODUCT_CLICK, POST, SMILE, COMMENT = "i", "t", "c", "p", "s", "o"
EVENT_KINDS = {"impression": IMPRESSION, "tag_click": TAG_CLICK, "product_click": PRODUCT_CLICK}
_COUNTED = {IMPRESSION: IMPRESSIONS, TAG_CLICK: TAPS, PRODUCT_CLICK: CLICKS, SMILE: SMILES, COMMENT: COMMENTS}
_FILTERED = {IMPRESSION: F_IMPRESSIONS, TAG_CLICK: F_TAPS, PRODUCT_CLICK: F_CLICKS}
_HOURLY_SLOT = {IMPRESSION: 0, TAG_CLICK: 1, PRODUCT_CLICK: 2}

# Spike rule: per post, kind and hour.
SPIKE_FLOOR = {IMPRESSION: 100, TAG_CLICK: 30, PRODUCT_CLICK: 30}
SPIKE_MULTIPLIER = 10

BLOCK_EPOCH = date(2000, 1, 3)  # a Monday: 4-week blocks are counted from it
BLOCK_DAYS = 28


# --- facts: what the aggregator applies ---------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """One counted thing about one brand: an event, a new post, a smile or comment (or its removal).

    `products` are the brand's products tagged on the post; `product` the one a click names;
    `actor` the member who smiled or commented (public actions only; never set for events).
    """

    kind: str
    post_id: str
    author_id: str
    products: tuple[str, ...]
    day: str
    amount: int = 1
    product: str | None = None
    interests: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    actor: str | None = None
    hour: int | None = None
    channel: str | None = None  # where a client event happened (schemas/brands.py CHANNELS)
    # The member who tapped or clicked (events only): counted once per campaign towards its lift
    # against the holdout (services/featured.py), never shown nor kept in the summaries.
    member: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "k": self.kind,
            "p": self.post_id,
            "a": self.author_id,
            "r": list(self.products),
        }
        out["d"] = self.day
        if self.amount != 1:
            out["n"] = self.amount
        optional = (
            ("x", self.product),
            ("m", self.actor),
            ("h", self.hour),
            ("ch", self.channel),
            ("v", self.member),
        )
        for name, value in optional:
            if value is not None:
                out[name] = value
        if self.interests:
            out["i"] = list(self.interests)
        if self.labels:
            out["l"] = list(self.labels)
        return out

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Fact:
        return cls(
            kind=str(raw["k"]),
            post_id=str(raw["p"]),
            author_id=str(raw["a"]),
            products=tuple(raw.get("r", ())),
            day=str(raw["d"]),
            amount=int(raw.get("n", 1)),
            product=raw.get("x"),
            interests=tuple(raw.get("i", ())),
            labels=tuple(raw.get("l", ())),
            actor=raw.get("m"),
            hour=raw.get("h"),
            channel=raw.get("ch"),
            member=raw.get("v"),
        )


@dataclass
class Audience:
    """Who may appear in member lists: not members who opted out; engaged lists skip brand authors."""

    opted_out: set[str] = field(default_factory=set)
    brand_authors: set[str] = field(default_factory=set)


# The kinds that change an author's list entry (what their brand posts earned, or a new post).
CHANGES_AUTHORS = frozenset({POST, SMILE, COMMENT, TAG_CLICK})


def members_named(facts: Iterable[Fact], audience: Audience) -> set[str]:
    """The members `apply` names in a period's lists for these facts (each needs a brand mark)."""
    named: set[str] = set()
    for fact in facts:
        if fact.kind in CHANGES_AUTHORS and fact.author_id not in audience.opted_out:
            named.add(fact.author_id)
        if (
            fact.kind in (SMILE, COMMENT)
            and fact.actor
            and fact.actor not in audience.opted_out
            and fact.actor not in audience.brand_authors
        ):
            named.add(fact.actor)
    return named


def fact_vector(fact: Fact, filtered: bool = False) -> Vector:
    out = zero()
    if fact.kind == POST:
        out[POSTS] = fact.amount
    elif filtered:
        out[_FILTERED[fact.kind]] = fact.amount
    else:
        out[_COUNTED[fact.kind]] = fact.amount
    return out


def apply(
    period: Period, fact: Fact, audience: Audience, campaigns: Iterable[TrackedCampaign], filtered: bool
) -> None:
    """Add one fact to one period (a day, or a compacted block the fact's day belongs to)."""
    counts = fact_vector(fact, filtered)
    add(period.days.setdefault(fact.day, zero()), counts)
    period.changed = True
    sketch = period.sketch
    author = "" if fact.author_id in audience.opted_out else fact.author_id
    sketch.bump("posts", fact.post_id, counts, meta=[author, list(fact.products)])
    if filtered:
        return
    if fact.channel:
        # One entry per channel in the same item: the dimension adds no write, whatever the events.
        sketch.bump("channels", fact.channel, counts)
    for campaign in campaigns:
        if campaign.takes(fact.day, fact.products):
            add(period.camps.setdefault(campaign.campaign_id, zero()), counts)
    if fact.kind in (IMPRESSION, POST):
        for product_id in fact.products:
            sketch.bump("products", product_id, counts)
    elif fact.kind in (TAG_CLICK, PRODUCT_CLICK) and fact.product:
        sketch.bump("products", fact.product, counts)
    if fact.author_id not in audience.opted_out and fact.kind in CHANGES_AUTHORS:
        sketch.bump("authors", fact.author_id, counts)
    if fact.kind in (POST, SMILE, COMMENT, TAG_CLICK):
        for interest in dict.fromkeys(fact.interests):
            sketch.bump("interests", interest, counts)
    if fact.kind == POST:
        for label in dict.fromkeys(fact.labels):
            sketch.bump("labels", label, counts)
    if (
        fact.kind in (SMILE, COMMENT)
        and fact.actor
        and fact.actor not in audience.opted_out
        and fact.actor not in audience.brand_authors
    ):
        sketch.bump("engaged", fact.actor, counts)


# --- the spike rule -----------------------------------------------------------------------------


def usual_hourly_rate(
    post_id: str, kind: str, today: Sketch, yesterday: Sketch | None, hours_today: int
) -> float:
    """A post's counted events of one kind per hour over yesterday and today before this hour."""
    slot = _COUNTED[kind]
    earlier = (
        today.lists["posts"].get(post_id, zero())[slot]
        - today.hourly.get(post_id, [0, 0, 0])[_HOURLY_SLOT[kind]]
    )
    before = (yesterday.lists["posts"].get(post_id, zero())[slot] if yesterday else 0) + max(0, earlier)
    hours = hours_today + (24 if yesterday else 0)
    return before / hours if hours else 0.0


def spike_threshold(kind: str, usual_per_hour: float) -> int:
    """Counted events of one kind a post may get in one hour; beyond it they are held as filtered."""
    return max(SPIKE_FLOOR[kind], math.ceil(SPIKE_MULTIPLIER * usual_per_hour))


def count_in_hour(today: Sketch, fact: Fact) -> int:
    """This fact's kind's counted events on its post so far in the day item's current hour."""
    if fact.hour is None or fact.kind not in _HOURLY_SLOT:
        return 0
    if today.hour is None or fact.hour > today.hour:
        today.hour, today.hourly = fact.hour, {}
    if fact.hour < today.hour:
        return 0  # late for an hour already closed: its spike check has passed
    return today.hourly.get(fact.post_id, [0, 0, 0])[_HOURLY_SLOT[fact.kind]]


def note_in_hour(today: Sketch, fact: Fact) -> None:
    if fact.hour is None or fact.kind not in _HOURLY_SLOT or fact.hour != today.hour:
        return
    counters = today.hourly.setdefault(fact.post_id, [0, 0, 0])
    counters[_HOURLY_SLOT[fact.kind]] += 1


# --- periods and windows ------------------------------------------------------------------------


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def block_start(day: date) -> date:
    return BLOCK_EPOCH + timedelta(days=((day - BLOCK_EPOCH).days // BLOCK_DAYS) * BLOCK_DAYS)


def blocks_of(day: date) -> list[tuple[str, date]]:
    """The compacted blocks a day belongs to."""
    return [("W", week_start(day)), ("Q", block_start(day))]


def tile(first: date, last: date, compacted_through: date | None) -> list[tuple[str, date]]:
    """The fewest periods that cover first..last exactly once: 4-week and week blocks where every
    day is compacted, single days elsewhere. At most 21 for 92 days (6 + 3 + 3 + 3 + 6)."""
    out: list[tuple[str, date]] = []
    day = first
    while day <= last:
        if compacted_through is not None and day <= compacted_through:
            bound = min(last, compacted_through)
            if block_start(day) == day and day + timedelta(days=BLOCK_DAYS - 1) <= bound:
                out.append(("Q", day))
                day += timedelta(days=BLOCK_DAYS)
                continue
            if week_start(day) == day and day + timedelta(days=6) <= bound:
                out.append(("W", day))
                day += timedelta(days=7)
                continue
        out.append(("D", day))
        day += timedelta(days=1)
    return out


def fold(block: Period, day_item: Period) -> None:
    """Compaction: add a finished day's totals, campaign totals and lists into a block."""
    for day, counts in day_item.days.items():
        add(block.days.setdefault(day, zero()), counts)
    for campaign_id, counts in day_item.camps.items():
        add(block.camps.setdefault(campaign_id, zero()), counts)
    block.sketch.merge(day_item.sketch)
    block.changed = True


def days_between(first: date, last: date) -> list[str]:
    return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


# --- campaign backfill --------------------------------------------------------------------------


def campaign_days(day_periods: Iterable[Period], products: frozenset[str]) -> dict[str, Vector]:
    """A campaign's counts per day from day summaries: each listed post that tags one of its
    products, once. Posts that fell out of a day's list cannot be attributed (a lower bound)."""
    out: dict[str, Vector] = {}
    for period in day_periods:
        total = zero()
        for post_id, counts in period.sketch.lists["posts"].items():
            meta = period.sketch.meta.get(post_id)
            if meta and not products.isdisjoint(meta[1]):
                add(total, counts)
        if any(total):
            out[period.start] = total
    return out
