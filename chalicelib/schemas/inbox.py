"""Response models for the activity inbox."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from chalicelib.schemas.posts import AuthorOut


class NotificationAction(BaseModel):
    """A button the client shows on an actionable notification: it sends `method path`."""

    name: str = Field(description='What the button does, e.g. "accept", "decline"')
    method: Literal["POST"]
    path: str = Field(description="API path the button calls (no body)")


class BrandRef(BaseModel):
    id: str
    name: str


class NotificationOut(BaseModel):
    id: str
    type: Literal["follower", "smile", "comment", "invitation"]
    actor: AuthorOut | None = Field(description="The member who acted; null when a brand did (see `brand`)")
    brand: BrandRef | None = Field(
        default=None, description="The brand of a brand's notification (an invitation)"
    )
    actions: list[NotificationAction] | None = Field(
        default=None, description="Buttons of an actionable notification still open; null for plain kinds"
    )
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
