"""Response models for the activity inbox."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from chalicelib.schemas.posts import AuthorOut


class NotificationAction(BaseModel):
    """A button the inbox shows: the client calls `method path` (no body) with the member's token."""

    name: str = Field(description="accept | decline | ...")
    method: Literal["POST"]
    path: str


class NotificationOut(BaseModel):
    id: str
    type: Literal["follower", "smile", "comment", "tag_suggestion"]
    actor: AuthorOut
    post_id: str | None = Field(default=None, description="The caller's post smiled at or commented on")
    comment_id: str | None = None
    product_id: str | None = Field(default=None, description="tag_suggestion: the product the brand suggests")
    created_at: str
    unread: bool
    actions: list[NotificationAction] | None = Field(
        default=None,
        description="For actionable kinds only (e.g. tag_suggestion): what the member may answer",
    )


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None
    unread: int = Field(description="Notifications after the read mark, counted up to 100 (100: 100 or more)")


class InboxReadOut(BaseModel):
    unread: int
