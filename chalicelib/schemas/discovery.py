"""Request and response models for image discovery and tag suggestions (issue 22)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, StrictFloat, StrictInt

from chalicelib.schemas.common import StrictModel
from chalicelib.schemas.media import SuggestedTag
from chalicelib.schemas.posts import PostSummary

__all__ = [
    "MentionOut",
    "MentionPage",
    "ProductImageIn",
    "ProductImageOut",
    "SuggestedTag",
    "TagSuggestionIn",
    "TagSuggestionOut",
]


class MentionOut(BaseModel):
    post: PostSummary
    product_id: str
    product_title: str
    confidence: float = Field(ge=0, le=1)
    x: float = Field(ge=0, le=1, description="Where the product likely is (the suggested tag point)")
    y: float = Field(ge=0, le=1)
    suggestion: Literal["pending", "accepted", "declined"] | None = Field(
        default=None, description="The brand's tag suggestion for this post and product, if sent"
    )


class MentionPage(BaseModel):
    items: list[MentionOut]
    next_cursor: str | None


class TagSuggestionIn(StrictModel):
    post_id: str = Field(min_length=1, max_length=64)
    product_id: str = Field(min_length=1, max_length=64)
    photo_index: StrictInt = Field(default=0, ge=0, le=9)
    x: StrictFloat = Field(ge=0, le=1)
    y: StrictFloat = Field(ge=0, le=1)


class TagSuggestionOut(BaseModel):
    post_id: str
    product_id: str
    brand_id: str
    photo_index: int
    x: float
    y: float
    status: Literal["pending", "accepted", "declined"]
    created_at: str


class ProductImageIn(StrictModel):
    upload_id: str = Field(
        min_length=1,
        max_length=64,
        description="A ready upload of the caller's: the product on a plain backdrop",
    )


class ProductImageOut(BaseModel):
    product_id: str
    buckets: list[str] = Field(description="The colour buckets the product is now indexed under")
