"""Request and response models for UGC rights requests and shoppable galleries (issue 22)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

from chalicelib.schemas.common import Id, Name, StrictModel, VisibleText
from chalicelib.schemas.members import BrandRef
from chalicelib.schemas.posts import PostSummary

MAX_TERMS_CHARS = 1000
MAX_GALLERY_POSTS = 24  # a public read hydrates them in one BatchGetItem (2 keys a post, plus the brand)

RightsStatus = Literal["pending", "approved", "declined", "withdrawn"]


class RightsRequestIn(StrictModel):
    post_id: Id
    terms: VisibleText = Field(
        min_length=1,
        max_length=MAX_TERMS_CHARS,
        description="What the brand will do with the post (where, how long, credit): shown to its author",
    )


class RightsRequestOut(BaseModel):
    post_id: str
    brand: BrandRef
    terms: str
    status: RightsStatus = Field(
        description="pending until the author decides; approved or declined by the author; withdrawn when "
        "the author takes an approval back, deletes the post or leaves Flint"
    )
    requested_at: str
    decided_at: str | None
    post: PostSummary | None = Field(
        default=None, description="The post while it is live (lists only; null once it is gone or hidden)"
    )


class RightsRequestPage(BaseModel):
    items: list[RightsRequestOut]
    next_cursor: str | None


class GalleryIn(StrictModel):
    name: Name = Field(min_length=1, max_length=100)
    post_ids: list[Id] = Field(
        default_factory=list,
        max_length=MAX_GALLERY_POSTS,
        description="Posts in display order; each must be live with its rights approved for this brand",
    )

    @field_validator("post_ids")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a post appears once in a gallery")
        return value


class GalleryOut(BaseModel):
    id: str
    brand_id: str
    name: str
    post_ids: list[str] = Field(
        description="As the brand ordered them (a post whose rights were withdrawn is not shown)"
    )
    created_at: str
    updated_at: str


class GalleryPage(BaseModel):
    items: list[GalleryOut]
    next_cursor: str | None


class PublicGalleryOut(BaseModel):
    id: str
    name: str
    brand: BrandRef
    posts: list[PostSummary] = Field(
        description="The gallery's posts in order, only those live with approved rights; each photo's tags "
        "are its hotspots (x, y in 0..1) with the product's title, price and url"
    )
