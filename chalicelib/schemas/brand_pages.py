"""Request and response models for brand pages and brand follows."""

from __future__ import annotations

from pydantic import BaseModel, Field

from chalicelib.schemas.catalog import ProductPage
from chalicelib.schemas.common import QueryInt, QueryModel
from chalicelib.schemas.posts import PostSummary


class BrandProfileOut(BaseModel):
    id: str
    name: str
    followers: int = Field(description="Members following the brand")


class BrandPageOut(BaseModel):
    brand: BrandProfileOut
    followed_by_me: bool
    products: ProductPage = Field(
        description="The first page of the brand's products (more: GET /brands/{brand_id}/products)"
    )
    top_posts: list[PostSummary] = Field(
        description="The community's best posts that tag the brand's products, best first (at most 12)"
    )


class BrandPageQuery(QueryModel):
    limit: QueryInt = Field(default=12, ge=1, le=50, description="How many products the page lists first")


class BrandFollowOut(BaseModel):
    following: bool
    followers: int


class FollowedBrand(BaseModel):
    id: str
    name: str


class FollowedBrandPage(BaseModel):
    items: list[FollowedBrand]
    next_cursor: str | None = None
