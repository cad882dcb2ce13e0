"""Request and response models for the one search box."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from chalicelib.schemas.catalog import PageQuery, ProductOut
from chalicelib.schemas.members import Interest
from chalicelib.schemas.posts import AuthorOut, PostSummary

SearchKind = Literal["product", "member", "interest", "post"]


class SearchQuery(PageQuery):
    q: str = Field(default="", max_length=200, description="Words to match (prefixes of 2+ letters)")
    type: SearchKind | None = Field(default=None, description="Only this kind; all four when left out")


class SearchHit(BaseModel):
    """One result: `type` says which of the other fields is set."""

    type: SearchKind
    product: ProductOut | None = None
    member: AuthorOut | None = None
    interest: Interest | None = None
    post: PostSummary | None = None


class SearchPage(BaseModel):
    items: list[SearchHit] = Field(description="Interests, members, products, then posts")
    next_cursor: str | None
