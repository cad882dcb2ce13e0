"""Brand insights and campaign reports, read from the brand's period summaries (services/summaries.py).

**Cost of one insights call, whatever the brand's size** (pinned in tests/integration/test_read_cost.py):
1 BatchGetItem (the brand for the owner check, and its summary head), 1 BatchGetItem of the at
most 21 periods that tile the window, 1 BatchGetItem of the shown posts, the funnel's products
and which prospect candidates ever posted about the brand, 1 BatchGetItem of the profiles
shown: 4 requests. Lists hold at most 20 entries; the list routes page through the rest.

**Formulas** (pure functions below, each pinned by tests/unit/test_insight_rules.py):
- totals and series: every day's counts clamped at 0 (a removal of a smile counted before these
  counters existed can make a day negative), and the totals are the sums of the clamped days,
  so they always agree. Rates are fractions of impressions, at most 1, 0 when nothing was shown.
- fans: members who posted about the brand in the window, by posts, then smiles received.
- opinion leaders: members whose brand posts earned engagement in the window (smiles, comments
  and tag clicks from others), by influence = E / N x (1 + log10(1 + followers)) x 1.25 with a
  badge, where E is that engagement and N the number of their brand posts that earned any of it
  in the window, whenever they were posted. `posts` is N, `engagement_per_post` E / N.
- potential customers: members who smiled at or commented on the brand's posts in the window
  (public actions only: taps and clicks are never tied to a member), minus anyone who ever
  posted about the brand and anyone who opted out, removed *before* ranking; by smiles +
  comments given.
- top posts (creatives): by smoothed engagement rate (E + 50 p) / (I + 50), p the brand's rate in
  the window (5% when nothing was shown), posts with at least 50 impressions first; so a post
  with 1 impression and 1 smile does not outrank one with 10,000 and 900.
- products: the hotspot funnel per product, by impressions. A post that tags several of the
  brand's products counts for each: per-product figures add up to more than the totals.
- top interests: by engagement, then posts; labels: by posts.

Member lists never show a member who opted out of brand audiences (PATCH /me).

**Campaigns**: see `campaign_report`; lift rule in `lift_of`.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, get_args

from chalice import Response
from pydantic import BaseModel

from chalicelib import clock, cursors, ids
from chalicelib.auth import Identity
from chalicelib.data import brands as brand_store
from chalicelib.data import engagement as store
from chalicelib.data import users
from chalicelib.data.brands import Campaign
from chalicelib.data.engagement import Head
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
    Vector,
    add,
    engagement,
    zero,
)
from chalicelib.data.users import Member
from chalicelib.errors import BadRequest, Conflict, NotFound, ValidationFailed, field_error
from chalicelib.schemas.brands import (
    MAX_WINDOW_DAYS,
    Baseline,
    CampaignIn,
    CampaignOut,
    CampaignPage,
    CampaignReport,
    ChannelOut,
    DayOut,
    FanOut,
    FanPage,
    Filtered,
    InsightsOut,
    InterestOut,
    InterestPage,
    LabelOut,
    LabelPage,
    LeaderOut,
    LeaderPage,
    ProductFunnel,
    ProductFunnelPage,
    ProspectOut,
    ProspectPage,
    TopPostOut,
    TopPostPage,
    Totals,
)
from chalicelib.schemas.dates import FIRST_DAY, stored_day
from chalicelib.schemas.posts import AuthorOut
from chalicelib.services import campaigns, summaries
from chalicelib.services import engagement as engagement_service
from chalicelib.services.campaigns import tracked
from chalicelib.services.catalog import check_owner, owned_brand
from chalicelib.services.presenters import author_out, summary

LIST_SIZE = 20
DEFAULT_WINDOW_DAYS = 28
BADGE_BOOST = 1.25
# Creatives: the prior's weight in impressions, the rate assumed with nothing shown, the exposure
# under which a post ranks after every post that has it.
PRIOR_IMPRESSIONS = 50
DEFAULT_RATE = 0.05
MIN_EXPOSURE = 50
# Lift: the least data either window needs before a change is shown (see `lift_of`).
MIN_COUNT = 10
MIN_IMPRESSIONS = 100
Z95 = 1.96
# Sized so the two hydration BatchGetItems each hold at most 100 keys: shown posts (20 + 5 deleted
# ones) + products (20) + prospects checked for ever posting (40); profiles of fans (20), leader
# candidates (25), prospects (25) and the shown posts' authors (25).
POST_CANDIDATES = 25
LEADER_CANDIDATES = 25
PROSPECT_CHECKS = 40
PROSPECT_PROFILES = 25
CSV_ROWS = 1000


# --- counts out -----------------------------------------------------------------------------------


def rate(part: int, whole: int) -> float:
    return round(min(1.0, part / whole), 4) if whole > 0 and part > 0 else 0.0


def clamped(v: Sequence[int]) -> Vector:
    return [max(0, int(x)) for x in v]


def _counted(c: Sequence[int]) -> dict[str, int]:
    """The counted figures of a (clamped) vector, as totals and series name them."""
    return {
        "posts": c[POSTS],
        "impressions": c[IMPRESSIONS],
        "smiles": c[SMILES],
        "comments": c[COMMENTS],
        "tag_clicks": c[TAPS],
        "product_clicks": c[CLICKS],
    }


def totals_out(v: Sequence[int]) -> Totals:
    c = clamped(v)
    return Totals(
        **_counted(c),
        tag_click_rate=rate(c[TAPS], c[IMPRESSIONS]),
        product_click_rate=rate(c[CLICKS], c[IMPRESSIONS]),
        filtered=Filtered(impressions=c[F_IMPRESSIONS], tag_clicks=c[F_TAPS], product_clicks=c[F_CLICKS]),
    )


def series_and_totals(days: Mapping[str, Vector], first: date, last: date) -> tuple[list[DayOut], Vector]:
    """One entry per day of the window, each clamped at 0; the totals are their sums."""
    out, total, day = [], zero(), first
    while day <= last:
        c = clamped(days.get(day.isoformat(), zero()))
        add(total, c)
        out.append(
            DayOut(
                date=day.isoformat(),
                **_counted(c),
                filtered=c[F_IMPRESSIONS] + c[F_TAPS] + c[F_CLICKS],
            )
        )
        day += timedelta(days=1)
    return out, total


# --- the window -----------------------------------------------------------------------------------


@dataclass
class Window:
    """A window's daily counts and the merged lists of the periods that tile it."""

    first: date
    last: date
    days: dict[str, Vector] = field(default_factory=dict)
    lists: dict[str, dict[str, Vector]] = field(default_factory=dict)
    meta: dict[str, list[Any]] = field(default_factory=dict)
    complete: bool = True

    def list(self, dimension: str) -> dict[str, Vector]:
        return self.lists.get(dimension, {})

    @classmethod
    def of(cls, periods: Iterable[Period], first: date, last: date) -> Window:
        window = cls(first, last)
        low, high = first.isoformat(), last.isoformat()
        for period in periods:
            for day, counts in period.days.items():
                if low <= day <= high:
                    add(window.days.setdefault(day, zero()), counts)
            for dimension, entries in period.sketch.lists.items():
                merged = window.lists.setdefault(dimension, {})
                for key, counts in entries.items():
                    add(merged.setdefault(key, zero()), counts)
            for post_id, meta in period.sketch.meta.items():
                window.meta.setdefault(post_id, meta)
            if any(any(v) for v in period.sketch.rest.values()):
                window.complete = False
        return window


def window_of(first: date | None, last: date | None, today: date | None = None) -> tuple[date, date]:
    last = last or today or clock.now().date()
    first = first or max(FIRST_DAY, last - timedelta(days=DEFAULT_WINDOW_DAYS - 1))
    if last < first:
        raise BadRequest("`to` is before `from`.", code="bad_parameter")
    if (last - first).days + 1 > MAX_WINDOW_DAYS:
        raise BadRequest(f"A window holds at most {MAX_WINDOW_DAYS} days.", code="bad_parameter")
    return first, last


def tiles(head: Head, first: date, last: date) -> list[tuple[str, str]]:
    """The periods to read for first..last: none outside the days the brand has data."""
    if head.first_day is None or head.last_day is None:
        return []
    low = max(first, date.fromisoformat(head.first_day))
    high = min(last, date.fromisoformat(head.last_day))
    if low > high:
        return []
    compacted = date.fromisoformat(head.compacted_through) if head.compacted_through else None
    return [(level, start.isoformat()) for level, start in summaries.tile(low, high, compacted)]


def read_window(brand_id: str, head: Head, first: date, last: date) -> Window:
    """One BatchGetItem of at most 21 periods, whatever the brand's size."""
    periods = store.window_periods(brand_id, tiles(head, first, last))
    return Window.of(periods.values(), first, last)


# --- rankings (pure) ------------------------------------------------------------------------------


def rank_fans(authors: Mapping[str, Vector]) -> list[tuple[str, Vector]]:
    fans = [(m, v) for m, v in authors.items() if v[POSTS] > 0]
    return sorted(fans, key=lambda mv: (-mv[1][POSTS], -mv[1][SMILES], mv[0]))


def engaged_posts(posts: Mapping[str, Vector], meta: Mapping[str, list[Any]]) -> dict[str, int]:
    """author -> how many of their brand posts earned engagement in the window."""
    found: dict[str, int] = {}
    for post_id, counts in posts.items():
        if engagement(counts) > 0 and post_id in meta:
            author = str(meta[post_id][0])
            found[author] = found.get(author, 0) + 1
    return found


def influence(earned: int, posts: int, followers: int, has_badge: bool) -> float:
    """E / N x (1 + log10(1 + followers)) x 1.25 with a badge; 0 without engagement."""
    if earned <= 0:
        return 0.0
    score = earned / max(1, posts) * (1 + math.log10(1 + max(0, followers)))
    return round(score * (BADGE_BOOST if has_badge else 1.0), 4)


def leader_candidates(authors: Mapping[str, Vector], engaged: Mapping[str, int]) -> list[str]:
    """Members whose brand posts earned engagement, best engagement per post first: the only ones
    whose profiles (followers, badges) are read."""
    scored = [(m, engagement(v) / max(1, engaged.get(m, 1))) for m, v in authors.items() if engagement(v) > 0]
    return [m for m, _ in sorted(scored, key=lambda ms: (-ms[1], ms[0]))[:LEADER_CANDIDATES]]


def rank_leaders(
    authors: Mapping[str, Vector],
    engaged: Mapping[str, int],
    candidates: Iterable[str],
    profiles: Mapping[str, Member],
) -> list[tuple[str, int, float, float]]:
    """(member, posts that earned engagement, engagement per post, influence), best first."""
    scored = []
    for member_id in candidates:
        earned, posts = engagement(authors[member_id]), max(1, engaged.get(member_id, 1))
        member = profiles.get(member_id)
        followers, badge = (member.followers, bool(member.badges)) if member else (0, False)
        scored.append(
            (member_id, posts, round(earned / posts, 4), influence(earned, posts, followers, badge))
        )
    return sorted(scored, key=lambda s: (-s[3], s[0]))


def rank_prospects(engaged: Mapping[str, Vector], excluded: set[str]) -> list[str]:
    """Members who smiled or commented, with everyone excluded removed first, then ranked."""
    eligible = [(m, v) for m, v in engaged.items() if m not in excluded and v[SMILES] + v[COMMENTS] > 0]
    return [m for m, _ in sorted(eligible, key=lambda mv: (-(mv[1][SMILES] + mv[1][COMMENTS]), mv[0]))]


def smoothed_rate(counts: Sequence[int], brand_rate: float) -> float:
    return (engagement(counts) + PRIOR_IMPRESSIONS * brand_rate) / (counts[IMPRESSIONS] + PRIOR_IMPRESSIONS)


def brand_rate(totals: Sequence[int]) -> float:
    return engagement(totals) / totals[IMPRESSIONS] if totals[IMPRESSIONS] > 0 else DEFAULT_RATE


def rank_posts(posts: Mapping[str, Vector], prior: float) -> list[str]:
    """By smoothed rate, posts with enough exposure first; then engagement."""

    def key(item: tuple[str, Vector]) -> tuple[bool, float, int, str]:
        counts = item[1]
        return (
            counts[IMPRESSIONS] < MIN_EXPOSURE,
            -smoothed_rate(counts, prior),
            -engagement(counts),
            item[0],
        )

    return [p for p, c in sorted(posts.items(), key=key) if c[IMPRESSIONS] > 0 or engagement(c) > 0]


def rank_products(products: Mapping[str, Vector]) -> list[str]:
    return [
        p for p, _ in sorted(products.items(), key=lambda pv: (-pv[1][IMPRESSIONS], -pv[1][POSTS], pv[0]))
    ]


def rank_interests(interests: Mapping[str, Vector]) -> list[str]:
    return [
        i for i, _ in sorted(interests.items(), key=lambda iv: (-engagement(iv[1]), -iv[1][POSTS], iv[0]))
    ]


def channels_out(channels: Mapping[str, Vector]) -> list[ChannelOut]:
    """Counted events by channel, most impressions first (then taps, then the name)."""
    ranked = sorted(channels.items(), key=lambda cv: (-cv[1][IMPRESSIONS], -cv[1][TAPS], cv[0]))
    return [
        ChannelOut(
            channel=name,  # type: ignore[arg-type]
            impressions=max(0, v[IMPRESSIONS]),
            tag_clicks=max(0, v[TAPS]),
            product_clicks=max(0, v[CLICKS]),
            tag_click_rate=rate(v[TAPS], v[IMPRESSIONS]),
        )
        for name, v in ranked
        if v[IMPRESSIONS] > 0 or v[TAPS] > 0 or v[CLICKS] > 0
    ]


def rank_labels(labels: Mapping[str, Vector]) -> list[str]:
    return [
        label for label, v in sorted(labels.items(), key=lambda lv: (-lv[1][POSTS], lv[0])) if v[POSTS] > 0
    ]


# --- insights -------------------------------------------------------------------------------------


@dataclass
class Shown:
    """Everything the insights page shows, ranked and hydrated."""

    products: list[ProductFunnel]
    fans: list[FanOut]
    leaders: list[LeaderOut]
    prospects: list[ProspectOut]
    top_posts: list[TopPostOut]
    interests: list[InterestOut]
    labels: list[LabelOut]


def _owned(identity: Identity, brand_id: str) -> tuple[str, Head]:
    overview = brand_store.brand_overview(brand_id)
    brand = check_owner(identity, overview.brand)
    return brand.brand_id, overview.head


def _visible(profiles: Mapping[str, Member]) -> Callable[[str], bool]:
    return lambda member_id: not (member_id in profiles and profiles[member_id].audience_opt_out)


def _shown(brand_id: str, window: Window, totals: Vector, size: int) -> Shown:
    """Rank every list, then hydrate what is shown in two BatchGetItems."""
    authors, engaged_members = window.list("authors"), window.list("engaged")
    fans = rank_fans(authors)[: size + 5]
    by_author = engaged_posts(window.list("posts"), window.meta)
    leaders_wanted = leader_candidates(authors, by_author)[: max(size, LEADER_CANDIDATES)]
    prospect_order = rank_prospects(engaged_members, excluded={m for m, v in authors.items() if v[POSTS] > 0})
    post_order = rank_posts(window.list("posts"), brand_rate(totals))[: size + 5]
    product_order = rank_products(window.list("products"))[:size]
    items = brand_store.insight_items(
        brand_id, post_order, product_order, prospect_order[: max(size * 2, PROSPECT_CHECKS)]
    )
    prospects = [m for m in prospect_order[: max(size * 2, PROSPECT_CHECKS)] if m not in items.ever_authors]
    prospects = prospects[: size + 5]
    shown_posts = [p for p in post_order if p in items.posts][:size]
    members = [m for m, _ in fans] + leaders_wanted + prospects
    members += [items.posts[p].author_id for p in shown_posts]
    profiles = users.get_members(members)
    visible = _visible(profiles)

    def member(member_id: str) -> AuthorOut:
        return author_out(member_id, profiles.get(member_id))

    def title(product_id: str) -> str:
        product = items.products.get(product_id)
        return product.title if product else product_id

    prior = brand_rate(totals)
    posts_list = window.list("posts")
    return Shown(
        products=[
            ProductFunnel(
                product_id=p,
                title=title(p),
                posts=max(0, v[POSTS]),
                impressions=max(0, v[IMPRESSIONS]),
                tag_clicks=max(0, v[TAPS]),
                product_clicks=max(0, v[CLICKS]),
            )
            for p in product_order
            for v in [window.list("products")[p]]
        ],
        fans=[
            FanOut(member=member(m), posts=v[POSTS], smiles_received=max(0, v[SMILES]))
            for m, v in fans
            if visible(m)
        ][:size],
        leaders=[
            LeaderOut(member=member(m), posts=n, engagement_per_post=per_post, influence=score)
            for m, n, per_post, score in rank_leaders(authors, by_author, leaders_wanted, profiles)
            if visible(m)
        ][:size],
        prospects=[
            ProspectOut(
                member=member(m),
                smiles=max(0, engaged_members[m][SMILES]),
                comments=max(0, engaged_members[m][COMMENTS]),
            )
            for m in prospects
            if visible(m)
        ][:size],
        top_posts=[
            TopPostOut(
                post=summary(items.posts[p], profiles.get(items.posts[p].author_id), smiled=False),
                impressions=max(0, posts_list[p][IMPRESSIONS]),
                engagement=max(0, engagement(posts_list[p])),
                engagement_rate=rate(engagement(posts_list[p]), posts_list[p][IMPRESSIONS]),
                smoothed_rate=round(smoothed_rate(posts_list[p], prior), 4),
            )
            for p in shown_posts
        ],
        interests=[
            InterestOut(interest=i, posts=max(0, v[POSTS]), engagement=max(0, engagement(v)))
            for i in rank_interests(window.list("interests"))[:size]
            for v in [window.list("interests")[i]]
        ],
        labels=[
            LabelOut(label=label, posts=window.list("labels")[label][POSTS])
            for label in rank_labels(window.list("labels"))[:size]
        ],
    )


def insights(identity: Identity, brand_id: str, first: date | None, last: date | None) -> InsightsOut:
    brand_id, head = _owned(identity, brand_id)
    first, last = window_of(first, last)
    window = read_window(brand_id, head, first, last)
    series, totals = series_and_totals(window.days, first, last)
    shown = _shown(brand_id, window, totals, LIST_SIZE)
    return InsightsOut(
        brand_id=brand_id,
        from_=first.isoformat(),
        to=last.isoformat(),
        data_from=head.first_day,
        totals=totals_out(totals),
        series=series,
        products=shown.products,
        fans=shown.fans,
        opinion_leaders=shown.leaders,
        potential_customers=shown.prospects,
        top_posts=shown.top_posts,
        top_interests=shown.interests,
        labels=shown.labels,
        channels=channels_out(window.list("channels")),
        complete=window.complete,
    )


# --- lists, paged and as CSV ----------------------------------------------------------------------

LISTS = {
    "products": ("products", ProductFunnelPage),
    "fans": ("fans", FanPage),
    "opinion-leaders": ("leaders", LeaderPage),
    "potential-customers": ("prospects", ProspectPage),
    "top-posts": ("top_posts", TopPostPage),
    "interests": ("interests", InterestPage),
    "labels": ("labels", LabelPage),
}


def _flat(row: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in row.items():
        if isinstance(value, Mapping):
            out.update(_flat(value, f"{prefix}{name}."))
        elif isinstance(value, list):
            out[f"{prefix}{name}"] = " ".join(str(v) for v in value if not isinstance(v, Mapping))
        else:
            out[f"{prefix}{name}"] = value
    return out


# Post summaries are long: a creatives CSV keeps what a spreadsheet needs of them.
_CSV_POST_FIELDS = (
    "post.id",
    "post.caption",
    "post.created_at",
    "post.author.id",
    "post.author.display_name",
)


def _columns(model: type[BaseModel], prefix: str = "") -> list[str]:
    """The flattened column names of a row model, so an empty list still exports its header."""
    columns: list[str] = []
    for name, spec in model.model_fields.items():
        kinds = (spec.annotation, *get_args(spec.annotation))
        nested = next((k for k in kinds if isinstance(k, type) and issubclass(k, BaseModel)), None)
        columns += _columns(nested, f"{prefix}{name}.") if nested else [f"{prefix}{name}"]
    return columns


def _csv(rows: Sequence[Any], row_model: type[BaseModel], filename: str) -> Response:
    flat = [_flat(r.model_dump(mode="json")) for r in rows]
    columns = list(dict.fromkeys([*_columns(row_model), *(k for r in flat for k in r)]))
    columns = [k for k in columns if not k.startswith("post.") or k in _CSV_POST_FIELDS]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in flat:
        # A cell starting with = + - @ is a formula to a spreadsheet: quote it as text.
        writer.writerow({k: f"'{v}" if isinstance(v, str) and v[:1] in "=+-@" else v for k, v in row.items()})
    return Response(
        body=buffer.getvalue(),
        status_code=200,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
    )


def insights_list(
    identity: Identity,
    brand_id: str,
    name: str,
    first: date | None,
    last: date | None,
    limit: int,
    cursor: str | None,
    as_csv: bool,
) -> Any:
    """One insights list, paged (the same reads as the insights page) or whole as CSV."""
    attribute, page_model = LISTS[name]
    brand_id, head = _owned(identity, brand_id)
    first, last = window_of(first, last)
    scope = f"insights/{brand_id}/{name}/{first.isoformat()}/{last.isoformat()}"
    offset = int((cursors.decode(cursor, scope=scope) or {}).get("i", 0))
    window = read_window(brand_id, head, first, last)
    _, totals = series_and_totals(window.days, first, last)
    size = CSV_ROWS if as_csv else offset + limit + 1  # one more: is there a next page?
    rows = getattr(_shown(brand_id, window, totals, size), attribute)
    if as_csv:
        (row_model,) = get_args(page_model.model_fields["items"].annotation)
        return _csv(rows, row_model, f"{brand_id}-{name}-{first.isoformat()}-{last.isoformat()}.csv")
    page = rows[offset : offset + limit]
    more = len(rows) > offset + limit
    return page_model(
        items=page, next_cursor=cursors.encode({"i": offset + limit}, scope=scope) if more else None
    )


# --- campaigns ------------------------------------------------------------------------------------


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
    featured = list(dict.fromkeys(data.featured_post_ids))
    campaigns.check_targeting(brand.brand_id, data.audience_id, featured)
    campaign = Campaign(
        campaign_id=ids.new_id("camp"),
        brand_id=brand.brand_id,
        name=data.name,
        product_ids=wanted,
        starts_at=data.starts_at.isoformat(),
        ends_at=data.ends_at.isoformat(),
        audience_id=data.audience_id,
        featured_post_ids=featured,
    )
    if not brand_store.put_campaign(campaign, clock.now_iso()):
        # A server-chosen id taken already: only a replayed id could do it; the client retries.
        raise Conflict("That campaign could not be created; try again.", code="conflict")
    campaigns.publish(brand, campaign)
    engagement_service.track_campaign(brand.brand_id, tracked(campaign))
    return campaigns.campaign_out(campaign)


def list_campaigns(identity: Identity, brand_id: str, limit: int, cursor: str | None) -> CampaignPage:
    brand = owned_brand(identity, brand_id)
    scope = f"campaigns:{brand.brand_id}"
    page = brand_store.list_campaigns(brand.brand_id, limit, cursors.decode(cursor, scope=scope))
    return CampaignPage(
        items=[campaigns.campaign_out(c) for c in page.items],
        next_cursor=cursors.encode(page.last_key, scope=scope),
    )


_LIFT_COUNTS = {
    "posts": POSTS,
    "impressions": IMPRESSIONS,
    "smiles": SMILES,
    "comments": COMMENTS,
    "tag_clicks": TAPS,
    "product_clicks": CLICKS,
}
_LIFT_RATES = {"tag_click_rate": TAPS, "product_click_rate": CLICKS}


def lift_of(
    now: Sequence[int], before: Sequence[int]
) -> tuple[dict[str, float | None], dict[str, list[float] | None]]:
    """Lift per metric (now / before - 1) and its 95% interval, only where there is enough data.

    Rule: a count's lift is shown when both windows have at least MIN_COUNT (10) of it; a rate's
    when both have at least MIN_IMPRESSIONS (100) impressions and MIN_COUNT of its clicks. The
    interval: for counts, the ratio of two Poisson counts (log ratio +- 1.96 sqrt(1/a + 1/b));
    for rates, the ratio of two proportions (log ratio +- 1.96 sqrt(1/a - 1/n + 1/b - 1/m)).
    """
    lift: dict[str, float | None] = {}
    interval: dict[str, list[float] | None] = {}
    for name, i in _LIFT_COUNTS.items():
        a, b = now[i], before[i]
        if a >= MIN_COUNT and b >= MIN_COUNT:
            spread = Z95 * math.sqrt(1 / a + 1 / b)
            lift[name] = round(a / b - 1, 4)
            interval[name] = [round(a / b * math.exp(-spread) - 1, 4), round(a / b * math.exp(spread) - 1, 4)]
        else:
            lift[name], interval[name] = None, None
    for name, i in _LIFT_RATES.items():
        a, n, b, m = now[i], now[IMPRESSIONS], before[i], before[IMPRESSIONS]
        if min(n, m) >= MIN_IMPRESSIONS and min(a, b) >= MIN_COUNT and a <= n and b <= m:
            ratio = (a / n) / (b / m)
            spread = Z95 * math.sqrt(max(0.0, 1 / a - 1 / n + 1 / b - 1 / m))
            lift[name] = round(ratio - 1, 4)
            interval[name] = [round(ratio * math.exp(-spread) - 1, 4), round(ratio * math.exp(spread) - 1, 4)]
        else:
            lift[name], interval[name] = None, None
    return lift, interval


def _campaign_vector(
    periods: Mapping[tuple[str, str], Period],
    keys_: Iterable[tuple[str, str]],
    campaign_id: str,
    backfill: Mapping[str, list[int]],
    first: date,
    last: date,
) -> Vector:
    total = zero()
    for key in keys_:
        period = periods.get(key)
        if period is not None:
            add(total, period.camps.get(campaign_id, zero()))
    low, high = first.isoformat(), last.isoformat()
    for day, counts in backfill.items():
        if low <= day <= high:
            add(total, counts)
    return total


def campaign_windows(campaign: Campaign, today: date) -> tuple[str, date, date, date, date, int]:
    """(status, first, last, previous first, previous last, compared days) of a stored campaign.

    Running: its elapsed days, against as many days just before it started; ended: all of it.
    """
    first, end = stored_day(campaign.starts_at), stored_day(campaign.ends_at)
    end = min(max(first, end), first + timedelta(days=MAX_WINDOW_DAYS - 1))
    status = "scheduled" if today < first else "ended" if today > end else "running"
    last = min(end, today)
    compared = max(0, (last - first).days + 1)
    return status, first, last, first - timedelta(days=compared), first - timedelta(days=1), compared


def campaign_figures(
    brand_days: Mapping[str, Vector], campaign: Vector, first: date, last: date
) -> tuple[Vector, Vector]:
    """(campaign, baseline) counts of one window: the campaign clamped so it never exceeds the
    brand, and the baseline the brand's other posts (brand minus campaign)."""
    _, brand = series_and_totals(brand_days, first, last)
    mine = [min(b, max(0, c)) for b, c in zip(brand, campaign, strict=True)]
    return mine, [b - c for b, c in zip(brand, mine, strict=True)]


def campaign_report(identity: Identity, brand_id: str, campaign_id: str) -> CampaignReport:
    """GetItem-free: 1 BatchGetItem (brand, head, campaign, backfill) + 1 BatchGetItem of the day
    and campaign totals of the periods tiling both windows (no lists read)."""
    overview = brand_store.brand_overview(brand_id, campaign_id)
    brand = check_owner(identity, overview.brand)
    campaign = overview.campaign
    if campaign is None:
        raise NotFound("No such campaign.")
    status, first, last, before_first, before_last, compared = campaign_windows(campaign, clock.now().date())
    now_keys = tiles(overview.head, first, last) if compared else []
    before_keys = tiles(overview.head, before_first, before_last) if compared else []
    periods = store.window_periods(brand.brand_id, [*now_keys, *before_keys], sketches=False)
    backfill = overview.backfill or {}
    figures = []
    for keys_, low, high in ((now_keys, first, last), (before_keys, before_first, before_last)):
        window = Window.of((periods[k] for k in keys_ if k in periods), low, high)
        mine = _campaign_vector(periods, keys_, campaign.campaign_id, backfill, low, high)
        figures.append(campaign_figures(window.days, mine, low, high))
    (metrics, others_now), (previous, others_before) = figures
    lift, interval = lift_of(metrics, previous)
    return CampaignReport(
        **campaigns.campaign_out(campaign).model_dump(),
        status=status,
        compared_days=compared,
        metrics=totals_out(metrics),
        previous=totals_out(previous),
        previous_from=before_first.isoformat(),
        previous_to=before_last.isoformat(),
        lift=lift,
        lift_interval=interval,
        baseline=Baseline(
            metrics=totals_out(others_now),
            previous=totals_out(others_before),
            lift=lift_of(others_now, others_before)[0],
        ),
        holdout_lift=campaigns.holdout_lift(overview.groups, campaign.audience_id is not None),
    )
