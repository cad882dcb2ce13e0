"""Response models for the activity inbox."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from chalicelib.schemas.posts import AuthorOut


class NotificationOut(BaseModel):
    id: str
    type: Literal["follower", "smile", "comment"]
    actor: AuthorOut
    post_id: str | None = Field(default=None, description="The caller's post smiled at or commented on")
    comment_id: str | None = None
    created_at: str
    unread: bool


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None
    unread: int = Field(description="Notifications after the read mark, counted up to 100 (100: 100 or more)")


class InboxReadOut(BaseModel):
    unread: int
