"""Response models for feeds."""

from __future__ import annotations

from pydantic import BaseModel, Field

from chalicelib.schemas.posts import PostSummary


class FeedItemOut(BaseModel):
    post: PostSummary
    reasons: list[str] = Field(
        description='"interest:<id>", "following:<user_id>", "trending" or "enthusiast"'
    )


class FeedPage(BaseModel):
    items: list[FeedItemOut]
    next_cursor: str | None
