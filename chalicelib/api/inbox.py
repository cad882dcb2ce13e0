"""Routes: the member's activity inbox."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib.api.routing import Access, Call, endpoint
from chalicelib.lazy import lazy_module

if TYPE_CHECKING:
    from chalicelib.schemas.catalog import PageQuery
    from chalicelib.schemas.inbox import InboxReadOut, NotificationPage

# Imported by the first request that needs it (chalicelib/lazy.py).
inbox = lazy_module("chalicelib.services.inbox")

inbox_blueprint = Blueprint(__name__)
TAG = "inbox"


@endpoint(
    inbox_blueprint,
    "/me/notifications",
    "GET",
    summary="The caller's notifications (new followers, smiles and comments on their posts), newest first",
    access=Access.MEMBER,
    tag=TAG,
    query="catalog.PageQuery",
    response="inbox.NotificationPage",
)
def list_notifications(call: Call[Any, PageQuery]) -> NotificationPage:
    return inbox.notifications(call.member, call.query.limit, call.query.cursor)


@endpoint(
    inbox_blueprint,
    "/me/notifications/read",
    "POST",
    summary="Mark every notification so far as read",
    access=Access.MEMBER,
    tag=TAG,
    response="inbox.InboxReadOut",
    rate_limit="inbox",
)
def mark_read(call: Call[Any, Any]) -> InboxReadOut:
    return inbox.mark_read(call.member)
