"""Brand insights and campaign reports, computed from the precomputed daily counters.

Cost of one insights call, whatever the brand's size: 1 GetItem (the brand, for the owner
check), 4 Queries (one per counter shard, the window's counters; one more page per shard only
past 1 MB of one window's counters, ~8,000 counters a shard), and 3 BatchGetItems of at most 100
keys: which engaged members ever posted about the brand (60 candidates), the shown posts and
products, and the profiles of everyone shown. 8 requests. Lists hold at most 20 entries.

Ranking (pure functions below, unit-tested):
- fans: members who posted about the brand in the window, by posts, then smiles received.
- opinion leaders: fans ranked by influence =
  recency-weighted engagement per post x (1 + log10(1 + followers)) x 1.25 if they hold a badge,
  where engagement (smiles + comments + tag clicks on their brand posts) of a day d is weighted
  0.5 ** (days from d to the window's end / 14): the last two weeks count most.
  `engagement_per_post` is the plain (unweighted) figure.
- potential customers: members who smiled at, commented on or tapped a tag of the brand's posts
  in the window and never posted about the brand, by engagement given.
- top posts: by engagement rate (engagement / impressions, at most 1), then engagement.
- top interests: by engagement, then posts; labels: by posts.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from chalicelib import clock, cursors, ids
from chalicelib.auth import Identity
from chalicelib.data import brands as brand_store
from chalicelib.data import engagement as store
from chalicelib.data import posts as post_store
from chalicelib.data.brands import Campaign
from chalicelib.data.engagement import CounterRow
from chalicelib.data.users import Member
from chalicelib.errors import BadRequest, NotFound, ValidationFailed, field_error
from chalicelib.schemas.brands import (
    MAX_WINDOW_DAYS,
    CampaignIn,
    CampaignOut,
    CampaignPage,
    CampaignReport,
    DayOut,
    FanOut,
    InsightsOut,
    InterestOut,
    LabelOut,
    LeaderOut,
    ProductFunnel,
    ProspectOut,
    TopPostOut,
    Totals,
)
from chalicelib.schemas.dates import FIRST_DAY, stored_day
from chalicelib.schemas.posts import AuthorOut
from chalicelib.services.catalog import owned_brand
from chalicelib.services.presenters import author_out, summary

LIST_SIZE = 20
DEFAULT_WINDOW_DAYS = 28
HALF_LIFE_DAYS = 14.0
BADGE_BOOST = 1.25
# Sized so each of the three BatchGetItems holds at most 100 keys: brand-author marks of the
# prospect candidates (60); shown posts and products (25 + 20); profiles of fans, leader
# candidates, prospects and the shown posts' authors (20 + 30 + 20 + 25).
POST_CANDIDATES = 25
LEADER_CANDIDATES = 30
PROSPECT_CANDIDATES = 60
TOTAL_FIELDS = ("posts", "impressions", "smiles", "comments", "tag_clicks", "product_clicks")


@dataclass
class Tally:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TOTAL_FIELDS, 0))
    weighted_engagement: float = 0.0

    def add(self, counts: Mapping[str, int], weight: float = 1.0) -> None:
        for name, value in counts.items():
            self.counts[name] = self.counts.get(name, 0) + value
        self.weighted_engagement += weight * engagement_of(counts)

    @property
    def engagement(self) -> int:
        return engagement_of(self.counts)


def engagement_of(counts: Mapping[str, int]) -> int:
    return int(counts.get("smiles", 0)) + int(counts.get("comments", 0)) + int(counts.get("tag_clicks", 0))


def rate(part: int, whole: int) -> float:
    return round(min(1.0, part / whole), 4) if whole > 0 and part > 0 else 0.0


def recency_weight(day: str, last_day: date) -> float:
    age = max(0, (last_day - date.fromisoformat(day)).days)
    return 0.5 ** (age / HALF_LIFE_DAYS)


@dataclass
class Window:
    """The counters of one window, grouped by dimension."""

    first: date
    last: date
    days: dict[str, Tally] = field(default_factory=dict)
    by: dict[str, dict[str, Tally]] = field(default_factory=lambda: defaultdict(dict))

    @classmethod
    def of(cls, rows: Iterable[CounterRow], first: date, last: date) -> Window:
        window = cls(first, last)
        for row in rows:
            if not first.isoformat() <= row.day <= last.isoformat():
                continue
            weight = recency_weight(row.day, last)
            if row.dimension == "T":
                window.days.setdefault(row.day, Tally()).add(row.counts, weight)
                continue
            kind, _, key = row.dimension.partition("#")
            window.by[kind].setdefault(key, Tally()).add(row.counts, weight)
        return window

    def totals(self) -> Totals:
        total = Tally()
        for tally in self.days.values():
            total.add(tally.counts)
        return totals_out(total.counts)


def totals_out(counts: Mapping[str, int]) -> Totals:
    c = {name: max(0, int(counts.get(name, 0))) for name in TOTAL_FIELDS}
    return Totals(
        **c,
        tag_click_rate=rate(c["tag_clicks"], c["impressions"]),
        product_click_rate=rate(c["product_clicks"], c["impressions"]),
    )


def series(window: Window) -> list[DayOut]:
    out, day = [], window.first
    while day <= window.last:
        counts = window.days.get(day.isoformat(), Tally()).counts
        out.append(DayOut(date=day.isoformat(), **{n: max(0, int(counts.get(n, 0))) for n in TOTAL_FIELDS}))
        day += timedelta(days=1)
    return out


# --- rankings (pure) ----------------------------------------------------------------------------


def rank_fans(authors: Mapping[str, Tally]) -> list[tuple[str, Tally]]:
    fans = [(m, t) for m, t in authors.items() if t.counts.get("posts", 0) > 0]
    return sorted(fans, key=lambda mt: (-mt[1].counts["posts"], -mt[1].counts.get("smiles", 0), mt[0]))[
        :LIST_SIZE
    ]


def influence(tally: Tally, followers: int, has_badge: bool) -> float:
    posts = tally.counts.get("posts", 0)
    if posts <= 0:
        return 0.0
    score = tally.weighted_engagement / posts * (1 + math.log10(1 + max(0, followers)))
    return round(score * (BADGE_BOOST if has_badge else 1.0), 4)


def leader_candidates(authors: Mapping[str, Tally]) -> list[str]:
    """Fans with the best weighted engagement per post: the only ones whose profiles are read."""
    fans = [(m, t) for m, t in authors.items() if t.counts.get("posts", 0) > 0]
    fans.sort(key=lambda mt: (-mt[1].weighted_engagement / mt[1].counts["posts"], mt[0]))
    return [m for m, _ in fans[:LEADER_CANDIDATES]]


def rank_leaders(
    authors: Mapping[str, Tally], candidates: Iterable[str], profiles: Mapping[str, Member]
) -> list[tuple[str, Tally, float]]:
    scored = []
    for member_id in candidates:
        tally, member = authors[member_id], profiles.get(member_id)
        followers = member.followers if member else 0
        badge = bool(member.badges) if member else False
        scored.append((member_id, tally, influence(tally, followers, badge)))
    return sorted(scored, key=lambda s: (-s[2], s[0]))[:LIST_SIZE]


def prospect_candidates(engaged: Mapping[str, Tally]) -> list[str]:
    ranked = sorted(
        ((m, t) for m, t in engaged.items() if t.engagement > 0), key=lambda mt: (-mt[1].engagement, mt[0])
    )
    return [m for m, _ in ranked[:PROSPECT_CANDIDATES]]


def rank_prospects(
    engaged: Mapping[str, Tally], candidates: Iterable[str], authors_ever: set[str]
) -> list[str]:
    return [m for m in candidates if m not in authors_ever][:LIST_SIZE]


def rank_posts(posts: Mapping[str, Tally]) -> list[str]:
    def key(item: tuple[str, Tally]) -> tuple[float, int, str]:
        tally = item[1]
        return (-rate(tally.engagement, tally.counts.get("impressions", 0)), -tally.engagement, item[0])

    return [p for p, _ in sorted(posts.items(), key=key)]


# --- reads --------------------------------------------------------------------------------------


def window_of(first: date | None, last: date | None, today: date | None = None) -> tuple[date, date]:
    last = last or today or clock.now().date()
    first = first or max(FIRST_DAY, last - timedelta(days=DEFAULT_WINDOW_DAYS - 1))
    if last < first:
        raise BadRequest("`to` is before `from`.", code="bad_parameter")
    if (last - first).days + 1 > MAX_WINDOW_DAYS:
        raise BadRequest(f"A window holds at most {MAX_WINDOW_DAYS} days.", code="bad_parameter")
    return first, last


def insights(identity: Identity, brand_id: str, first: date | None, last: date | None) -> InsightsOut:
    brand = owned_brand(identity, brand_id)
    first, last = window_of(first, last)
    window = Window.of(store.read_window(brand.brand_id, first.isoformat(), last.isoformat()), first, last)
    authors, engaged = window.by.get("A", {}), window.by.get("E", {})

    fans = rank_fans(authors)
    leaders_wanted = leader_candidates(authors)
    prospects_wanted = prospect_candidates(engaged)
    authors_ever = store.brand_authors(brand.brand_id, prospects_wanted)
    prospects = rank_prospects(engaged, prospects_wanted, authors_ever)
    post_ids = rank_posts(window.by.get("X", {}))[:POST_CANDIDATES]  # room for deleted ones
    products = sorted(
        window.by.get("P", {}).items(),
        key=lambda pt: (-pt[1].counts.get("impressions", 0), -pt[1].counts.get("posts", 0), pt[0]),
    )[:LIST_SIZE]
    hydrated = post_store.hydrate(post_ids, viewer_id=None, product_ids=[p for p, _ in products])
    members = [m for m, _ in fans] + leaders_wanted + prospects
    members += [p.author_id for p in hydrated.posts.values()]
    profiles = post_store.hydrate([], viewer_id=None, author_ids=members).authors
    leaders = rank_leaders(authors, leaders_wanted, profiles)

    def member(member_id: str) -> AuthorOut:
        return author_out(member_id, profiles.get(member_id))

    top_posts = []
    for post_id in post_ids:
        post = hydrated.posts.get(post_id)
        if post is None:
            continue  # deleted: its history stays in the totals, but it is no longer shown
        tally = window.by["X"][post_id]
        top_posts.append(
            TopPostOut(
                post=summary(post, profiles.get(post.author_id), smiled=False),
                impressions=tally.counts.get("impressions", 0),
                engagement=tally.engagement,
                engagement_rate=rate(tally.engagement, tally.counts.get("impressions", 0)),
            )
        )
    interests = sorted(
        window.by.get("I", {}).items(),
        key=lambda it: (-it[1].engagement, -it[1].counts.get("posts", 0), it[0]),
    )
    labels = sorted(
        ((label, t) for label, t in window.by.get("L", {}).items() if t.counts.get("posts", 0) > 0),
        key=lambda lt: (-lt[1].counts["posts"], lt[0]),
    )
    return InsightsOut(
        brand_id=brand.brand_id,
        from_=first.isoformat(),
        to=last.isoformat(),
        totals=window.totals(),
        series=series(window),
        products=[
            ProductFunnel(
                product_id=product_id,
                title=hydrated.products[product_id].title if product_id in hydrated.products else product_id,
                posts=max(0, t.counts.get("posts", 0)),
                impressions=t.counts.get("impressions", 0),
                tag_clicks=t.counts.get("tag_clicks", 0),
                product_clicks=t.counts.get("product_clicks", 0),
            )
            for product_id, t in products
        ],
        fans=[
            FanOut(
                member=member(m), posts=t.counts["posts"], smiles_received=max(0, t.counts.get("smiles", 0))
            )
            for m, t in fans
        ],
        opinion_leaders=[
            LeaderOut(
                member=member(m),
                posts=t.counts["posts"],
                engagement_per_post=round(t.engagement / t.counts["posts"], 4),
                influence=score,
            )
            for m, t, score in leaders
        ],
        potential_customers=[
            ProspectOut(
                member=member(m),
                smiles=max(0, engaged[m].counts.get("smiles", 0)),
                comments=max(0, engaged[m].counts.get("comments", 0)),
                tag_clicks=engaged[m].counts.get("tag_clicks", 0),
            )
            for m in prospects
        ],
        top_posts=top_posts[:LIST_SIZE],
        top_interests=[
            InterestOut(interest=i, posts=max(0, t.counts.get("posts", 0)), engagement=t.engagement)
            for i, t in interests[:LIST_SIZE]
        ],
        labels=[LabelOut(label=label, posts=t.counts["posts"]) for label, t in labels[:LIST_SIZE]],
    )


# --- campaigns ----------------------------------------------------------------------------------


def campaign_out(campaign: Campaign) -> CampaignOut:
    return CampaignOut(
        id=campaign.campaign_id,
        name=campaign.name,
        product_ids=campaign.product_ids,
        starts_at=campaign.starts_at,
        ends_at=campaign.ends_at,
    )


def create_campaign(identity: Identity, brand_id: str, data: CampaignIn) -> CampaignOut:
    brand = owned_brand(identity, brand_id)
    wanted = list(dict.fromkeys(data.product_ids))
    found = brand_store.brand_product_titles(brand.brand_id, wanted)
    bad = [
        field_error(f"product_ids.{i}", f"{pid!r} is not a product of this brand", "unknown_product")
        for i, pid in enumerate(data.product_ids)
        if found.get(pid, ("", ""))[0] != brand.brand_id
    ]
    if bad:
        raise ValidationFailed("Some products are not this brand's.", bad)
    campaign = Campaign(
        campaign_id=ids.new_id("camp"),
        brand_id=brand.brand_id,
        name=data.name,
        product_ids=wanted,
        starts_at=data.starts_at.isoformat(),
        ends_at=data.ends_at.isoformat(),
    )
    brand_store.put_campaign(campaign, clock.now_iso())
    return campaign_out(campaign)


def list_campaigns(identity: Identity, brand_id: str, limit: int, cursor: str | None) -> CampaignPage:
    brand = owned_brand(identity, brand_id)
    scope = f"campaigns:{brand.brand_id}"
    page = brand_store.list_campaigns(brand.brand_id, limit, cursors.decode(cursor, scope=scope))
    return CampaignPage(
        items=[campaign_out(c) for c in page.items], next_cursor=cursors.encode(page.last_key, scope=scope)
    )


def product_totals(rows: Iterable[CounterRow], product_ids: set[str], first: date, last: date) -> Totals:
    """The totals shape over the campaign's products: each product's counters, summed."""
    total = Tally()
    for row in rows:
        in_window = first.isoformat() <= row.day <= last.isoformat()
        if in_window and row.dimension.startswith("P#") and row.dimension[2:] in product_ids:
            total.add(row.counts)
    return totals_out(total.counts)


def lift(metrics: Totals, previous: Totals) -> dict[str, float | None]:
    now, before = metrics.model_dump(), previous.model_dump()
    return {name: (round(now[name] / before[name] - 1, 4) if before[name] else None) for name in now}


def campaign_report(identity: Identity, brand_id: str, campaign_id: str) -> CampaignReport:
    brand = owned_brand(identity, brand_id)
    campaign = brand_store.get_campaign(brand.brand_id, campaign_id)
    if campaign is None:
        raise NotFound("No such campaign.")
    # Stored days are clamped into the API's range: no stored campaign can make this read fail.
    first, last = stored_day(campaign.starts_at), stored_day(campaign.ends_at)
    last = min(max(first, last), first + timedelta(days=MAX_WINDOW_DAYS - 1))
    length = (last - first).days + 1
    before_first, before_last = first - timedelta(days=length), first - timedelta(days=1)
    rows = store.read_window(brand.brand_id, before_first.isoformat(), last.isoformat())
    products = set(campaign.product_ids)
    metrics = product_totals(rows, products, first, last)
    previous = product_totals(rows, products, before_first, before_last)
    return CampaignReport(
        **campaign_out(campaign).model_dump(),
        metrics=metrics,
        previous=previous,
        lift=lift(metrics, previous),
    )
