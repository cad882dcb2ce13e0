"""Request and response models for engagement events, brands, insights and campaigns."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chalicelib.schemas.catalog import PageQuery
from chalicelib.schemas.common import Name, StrictModel
from chalicelib.schemas.dates import Day
from chalicelib.schemas.posts import AuthorOut, PostSummary

MAX_EVENTS = 100
MAX_WINDOW_DAYS = 92
MAX_CAMPAIGN_PRODUCTS = 50

EventType = Literal["impression", "tag_click", "product_click"]


class EventIn(StrictModel):
    type: EventType
    post_id: str = Field(min_length=1, max_length=100)
    product_id: str | None = Field(default=None, min_length=1, max_length=100)

    @model_validator(mode="after")
    def _clicks_name_a_product(self) -> EventIn:
        if self.type != "impression" and self.product_id is None:
            raise ValueError(f"a {self.type} names the product_id of a tag on the post")
        return self


class EventBatchIn(StrictModel):
    batch_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{8,64}$")
    events: list[EventIn] = Field(min_length=1, max_length=MAX_EVENTS)


class EventBatchOut(BaseModel):
    accepted: int
    dropped: int


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


class WindowQuery(StrictModel):
    from_: Day | None = Field(
        default=None, alias="from", description="First day (UTC), default 27 days before `to`"
    )
    to: Day | None = Field(default=None, description="Last day (UTC, inclusive), default today")


class Counts(BaseModel):
    posts: int
    impressions: int
    smiles: int
    comments: int
    tag_clicks: int
    product_clicks: int


class Totals(Counts):
    tag_click_rate: float
    product_click_rate: float


class DayOut(Counts):
    date: str


class ProductFunnel(BaseModel):
    product_id: str
    title: str
    posts: int
    impressions: int
    tag_clicks: int
    product_clicks: int


class FanOut(BaseModel):
    member: AuthorOut
    posts: int
    smiles_received: int


class LeaderOut(BaseModel):
    member: AuthorOut
    posts: int
    engagement_per_post: float
    influence: float


class ProspectOut(BaseModel):
    member: AuthorOut
    smiles: int
    comments: int
    tag_clicks: int


class TopPostOut(BaseModel):
    post: PostSummary
    impressions: int
    engagement: int
    engagement_rate: float


class InterestOut(BaseModel):
    interest: str
    posts: int
    engagement: int


class LabelOut(BaseModel):
    label: str
    posts: int


class InsightsOut(BaseModel):
    # `from` is a Python keyword: the field is `from_` in code and `from` on the wire and in
    # /openapi.json (the document is generated in validation mode, so the alias must be the
    # validation alias too, not only the serialisation one).
    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True, validate_by_alias=True)

    brand_id: str
    from_: str = Field(alias="from")
    to: str
    totals: Totals
    series: list[DayOut]
    products: list[ProductFunnel]
    fans: list[FanOut]
    opinion_leaders: list[LeaderOut]
    potential_customers: list[ProspectOut]
    top_posts: list[TopPostOut]
    top_interests: list[InterestOut]
    labels: list[LabelOut]


class CampaignIn(StrictModel):
    name: Name = Field(min_length=1, max_length=100)
    product_ids: list[str] = Field(min_length=1, max_length=MAX_CAMPAIGN_PRODUCTS)
    starts_at: Day
    ends_at: Day

    @model_validator(mode="after")
    def _window(self) -> CampaignIn:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if (self.ends_at - self.starts_at).days + 1 > MAX_WINDOW_DAYS:
            raise ValueError(f"a campaign lasts at most {MAX_WINDOW_DAYS} days")
        return self


class CampaignOut(BaseModel):
    id: str
    name: str
    product_ids: list[str]
    starts_at: str
    ends_at: str


class CampaignPage(BaseModel):
    items: list[CampaignOut]
    next_cursor: str | None


class CampaignReport(CampaignOut):
    metrics: Totals
    previous: Totals
    lift: dict[str, float | None]


class CampaignQuery(PageQuery):
    pass
