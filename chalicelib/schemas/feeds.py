"""Response models for feeds."""

from __future__ import annotations

from pydantic import BaseModel, Field

from chalicelib.schemas.posts import PostSummary


class FeaturedOut(BaseModel):
    """The campaign a featured card comes from: label it "Featured by <brand_name>"."""

    brand_id: str
    brand_name: str
    campaign_id: str


class FeedItemOut(BaseModel):
    post: PostSummary
    reasons: list[str] = Field(
        description='"interest:<id>", "following:<user_id>", "brand:<brand_id>", "featured:<brand_id>", '
        '"trending" or "enthusiast"'
    )
    featured: FeaturedOut | None = Field(
        default=None,
        description='A brand campaign\'s featured card (reason "featured:<brand_id>"): show it labelled '
        '"Featured by <brand_name>"; null for every other card',
    )


class FeedPage(BaseModel):
    items: list[FeedItemOut]
    next_cursor: str | None
    generated_at: str | None = Field(
        default=None, description="When the feed generation this page comes from was computed (ISO 8601)"
    )
    refreshing: bool = Field(
        default=False,
        description="A first page served from a member's stale feed: a fresher one is being computed "
        "(poll GET /feed/status)",
    )


class FeedStatus(BaseModel):
    refreshing: bool = Field(description="The member's feed is stale and its refresh has not finished yet")
    generated_at: str | None = Field(
        description="When the member's current feed was computed; null before their first feed"
    )
