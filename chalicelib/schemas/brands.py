"""Request and response models for engagement events, sessions, brands, insights and campaigns."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chalicelib.schemas.catalog import PageQuery
from chalicelib.schemas.common import Id, IsoDate, Name, QueryModel, StrictModel
from chalicelib.schemas.posts import AuthorOut, PostSummary

MAX_EVENTS = 100
MAX_WINDOW_DAYS = 92
MAX_CAMPAIGN_PRODUCTS = 50
MAX_FEATURED_POSTS = 20

EventType = Literal["impression", "tag_click", "product_click"]
# Where an event happened (issue 22 "Channels"); insights break events down by it.
Channel = Literal["feed", "post", "profile", "interest", "product", "brand_page", "gallery"]
CHANNELS: tuple[str, ...] = get_args(Channel)
DEFAULT_CHANNEL = "feed"


class EventIn(StrictModel):
    type: EventType
    post_id: str = Field(min_length=1, max_length=100)
    product_id: str | None = Field(default=None, min_length=1, max_length=100)
    receipt: str | None = Field(
        default=None,
        max_length=64,
        description="The `receipt` of the card or page the event came from; without a valid one the "
        "event is dropped",
    )
    channel: Channel = Field(
        default=DEFAULT_CHANNEL,
        description="Where the event happened: feed, post (a post page), profile, interest, product (a "
        "product page), brand_page, gallery (a brand's embedded gallery); default feed",
    )

    @model_validator(mode="after")
    def _clicks_name_a_product(self) -> EventIn:
        if self.type != "impression" and self.product_id is None:
            raise ValueError(f"a {self.type} names the product_id of a tag on the post")
        return self


class EventBatchIn(StrictModel):
    batch_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{8,64}$")
    events: list[EventIn] = Field(min_length=1, max_length=MAX_EVENTS)


class EventBatchOut(BaseModel):
    accepted: int = Field(description="Events that count")
    dropped: int = Field(
        description="Events that do not: no valid receipt, already counted this hour, an unknown or "
        "deleted post, a product not tagged on it, or the viewer's own post"
    )


class SessionOut(BaseModel):
    session: str = Field(description="Send as the X-Flint-Session header on public routes and POST /events")
    expires_at: str


class BrandIn(StrictModel):
    name: Name = Field(
        min_length=1,
        max_length=100,
        description="Unique: two brands may not share a name after NFKC normalisation and case folding",
    )


class BrandOut(BaseModel):
    id: str
    name: str


class BrandList(BaseModel):
    brands: list[BrandOut]


class WindowQuery(QueryModel):
    from_: IsoDate | None = Field(
        default=None, alias="from", description="First day (UTC), default 27 days before `to`"
    )
    to: IsoDate | None = Field(default=None, description="Last day (UTC, inclusive), default today")


class Counts(BaseModel):
    posts: int
    impressions: int
    smiles: int
    comments: int
    tag_clicks: int
    product_clicks: int


class Filtered(BaseModel):
    """Events held back by the spike rule: counted apart, never in totals, rates or lists."""

    impressions: int
    tag_clicks: int
    product_clicks: int


class Totals(Counts):
    tag_click_rate: float
    product_click_rate: float
    filtered: Filtered = Field(
        description="Events held as filtered: a post's events of one kind in one hour beyond "
        "max(floor, 10 x its usual hourly rate)"
    )


class DayOut(Counts):
    date: str
    filtered: int = Field(description="Events of the day held as filtered (every kind)")


_PER_PRODUCT = (
    "Per product: a post that tags several of the brand's products counts for each of them, so "
    "these add up to more than the brand's totals"
)


class ProductFunnel(BaseModel):
    model_config = ConfigDict(json_schema_extra={"description": _PER_PRODUCT})

    product_id: str
    title: str
    posts: int = Field(description="Posts tagging this product (a post tagging several counts for each)")
    impressions: int = Field(description="Impressions of posts tagging this product")
    tag_clicks: int = Field(description="Taps on this product's hotspots")
    product_clicks: int = Field(description="Opens of this product from a post")


class FanOut(BaseModel):
    member: AuthorOut
    posts: int
    smiles_received: int


class LeaderOut(BaseModel):
    member: AuthorOut
    posts: int = Field(description="The member's brand posts that earned engagement in the window")
    engagement_per_post: float
    influence: float = Field(
        description="engagement_per_post x (1 + log10(1 + followers)) x 1.25 with a badge (docs/api.md)"
    )


class ProspectOut(BaseModel):
    member: AuthorOut
    smiles: int
    comments: int


class TopPostOut(BaseModel):
    post: PostSummary
    impressions: int
    engagement: int
    engagement_rate: float = Field(description="engagement / impressions, at most 1")
    smoothed_rate: float = Field(
        description="What creatives are ranked by: (engagement + 50 x the brand's rate) / (impressions + 50)"
    )


class InterestOut(BaseModel):
    interest: str
    posts: int
    engagement: int


class LabelOut(BaseModel):
    label: str
    posts: int


class ChannelOut(BaseModel):
    channel: Channel
    impressions: int
    tag_clicks: int
    product_clicks: int
    tag_click_rate: float = Field(description="tag_clicks / impressions in this channel, at most 1")


class InsightsOut(BaseModel):
    # `from` is a Python keyword: the field is `from_` in code and `from` on the wire and in
    # /openapi.json (the document is generated in validation mode, so the alias must be the
    # validation alias too, not only the serialisation one).
    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True, validate_by_alias=True)

    brand_id: str
    from_: str = Field(alias="from")
    to: str
    data_from: str | None = Field(description="The first day the brand has any data (null: none yet)")
    totals: Totals
    series: list[DayOut]
    products: list[ProductFunnel] = Field(description=_PER_PRODUCT)
    fans: list[FanOut]
    opinion_leaders: list[LeaderOut]
    potential_customers: list[ProspectOut]
    top_posts: list[TopPostOut]
    top_interests: list[InterestOut]
    labels: list[LabelOut]
    channels: list[ChannelOut] = Field(
        description="Counted events by where they happened, most impressions first (channels with "
        "none are absent); smiles, comments and posts have no channel"
    )
    complete: bool = Field(
        description="True when every post and member of the window fits the lists kept per period; "
        "false for very large brands, whose lists are their heaviest hitters (docs/api.md)"
    )


class InsightsListQuery(PageQuery):
    from_: IsoDate | None = Field(default=None, alias="from", description="First day (UTC)")
    to: IsoDate | None = Field(default=None, description="Last day (UTC, inclusive), default today")
    format: Literal["json", "csv"] = Field(default="json", description="csv: the whole list as text/csv")


class ProductFunnelPage(BaseModel):
    items: list[ProductFunnel]
    next_cursor: str | None


class FanPage(BaseModel):
    items: list[FanOut]
    next_cursor: str | None


class LeaderPage(BaseModel):
    items: list[LeaderOut]
    next_cursor: str | None


class ProspectPage(BaseModel):
    items: list[ProspectOut]
    next_cursor: str | None


class TopPostPage(BaseModel):
    items: list[TopPostOut]
    next_cursor: str | None


class InterestPage(BaseModel):
    items: list[InterestOut]
    next_cursor: str | None


class LabelPage(BaseModel):
    items: list[LabelOut]
    next_cursor: str | None


class CampaignIn(StrictModel):
    name: Name = Field(min_length=1, max_length=100)
    product_ids: list[str] = Field(min_length=1, max_length=MAX_CAMPAIGN_PRODUCTS)
    starts_at: IsoDate
    ends_at: IsoDate
    audience_id: Id | None = Field(
        default=None, description="One of the brand's audiences: its members get the featured slot"
    )
    featured_post_ids: list[Id] = Field(
        default_factory=list,
        max_length=MAX_FEATURED_POSTS,
        description="Posts it features; each must be featurable (rights approved), else 409 not_featurable",
    )

    @model_validator(mode="after")
    def _window(self) -> CampaignIn:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if (self.ends_at - self.starts_at).days + 1 > MAX_WINDOW_DAYS:
            raise ValueError(f"a campaign lasts at most {MAX_WINDOW_DAYS} days")
        return self


class CampaignPatch(StrictModel):
    """What an owner may change on a campaign that has not ended: absent fields stay as they are;
    `audience_id: null` stops targeting."""

    name: Name | None = Field(default=None, min_length=1, max_length=100)
    audience_id: Id | None = None
    featured_post_ids: list[Id] | None = Field(default=None, max_length=MAX_FEATURED_POSTS)


class CampaignOut(BaseModel):
    id: str
    name: str
    product_ids: list[str]
    starts_at: str
    ends_at: str
    audience_id: str | None = None
    featured_post_ids: list[str] = Field(default_factory=list)
    ended_at: str | None = Field(default=None, description="When the brand ended it early")


class CampaignPage(BaseModel):
    items: list[CampaignOut]
    next_cursor: str | None


class Baseline(BaseModel):
    """The brand's posts that tag none of the campaign's products, over the same two windows."""

    metrics: Totals
    previous: Totals
    lift: dict[str, float | None]


class GroupOut(BaseModel):
    members: int = Field(description="Members assigned to the group (their first feed refresh while it ran)")
    engaged: int = Field(description="Of them, members who engaged with its products on its days, once each")
    rate: float | None = Field(description="engaged / members; null without members")


class HoldoutLift(BaseModel):
    """Lift against the holdout (docs/api.md): treated members saw the featured slot, the holdout
    (~10% of the audience) did not."""

    treated: GroupOut
    holdout: GroupOut
    lift: float | None = Field(description="treated rate / holdout rate - 1; null with a reason")
    reason: Literal["no_audience", "empty_holdout", "empty_treated", "zero_holdout_rate"] | None = None


class CampaignReport(CampaignOut):
    status: Literal["scheduled", "running", "ended"]
    compared_days: int = Field(description="Days compared: the elapsed days while it runs, all once it ended")
    metrics: Totals = Field(description="Its products' posts, each post once, over its elapsed days")
    previous: Totals = Field(description="The same over as many days just before it started")
    previous_from: str
    previous_to: str
    lift: dict[str, float | None] = Field(
        description="metrics / previous - 1 per metric; null unless both windows have enough data "
        "(docs/api.md: at least 10 of a count, 100 impressions for a rate)"
    )
    lift_interval: dict[str, list[float] | None] = Field(
        description="95% interval of each lift shown (counts as Poisson, rates as binomial); null with lift"
    )
    baseline: Baseline
    holdout_lift: HoldoutLift = Field(
        description="Members who engaged with its products, treated (featured slot) vs holdout (none)"
    )


class CampaignQuery(PageQuery):
    pass
