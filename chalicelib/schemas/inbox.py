"""Response models for the activity inbox."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from chalicelib.schemas.members import BrandRef
from chalicelib.schemas.posts import AuthorOut


class NotificationAction(BaseModel):
    """Something the member can answer from the inbox: send `method` to `path` (no body)."""

    name: str = Field(description="What the button says, e.g. approve, decline, accept")
    method: Literal["POST"] = "POST"
    path: str = Field(description="An API path of the notification's own feature")


class NotificationOut(BaseModel):
    id: str
    type: Literal["follower", "smile", "comment", "rights_request", "invitation", "tag_suggestion"]
    actor: AuthorOut = Field(
        description="Who acted; for a brand's notification (`brand` set) the brand: its id and name"
    )
    post_id: str | None = Field(default=None, description="The caller's post smiled at or commented on")
    comment_id: str | None = None
    product_id: str | None = Field(default=None, description="tag_suggestion: the product the brand suggests")
    created_at: str
    unread: bool
    brand: BrandRef | None = Field(default=None, description="The brand behind a brand's notification")
    text: str | None = Field(default=None, description="What is asked (a rights request's terms)")
    actions: list[NotificationAction] | None = Field(
        default=None, description="Answers still open (absent for plain kinds and once answered)"
    )


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None
    unread: int = Field(description="Notifications after the read mark, counted up to 100 (100: 100 or more)")


class InboxReadOut(BaseModel):
    unread: int
