"""Routes: the home feed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib.api.routing import Access, Call, endpoint
from chalicelib.lazy import lazy_module

if TYPE_CHECKING:
    from chalicelib.schemas.catalog import PageQuery
    from chalicelib.schemas.feeds import FeedPage, FeedStatus

# Imported by the first request that needs it (chalicelib/lazy.py).
feeds = lazy_module("chalicelib.services.feeds")

feeds_blueprint = Blueprint(__name__)


@endpoint(
    feeds_blueprint,
    "/feed",
    "GET",
    summary="Personalised feed (trending for visitors and new members)",
    access=Access.PUBLIC,
    tag="feeds",
    query="catalog.PageQuery",
    response="feeds.FeedPage",
    errors=(400,),
)
def get_feed(call: Call[Any, PageQuery]) -> FeedPage:
    return feeds.read_feed(call.identity, call.query.limit, call.query.cursor)


@endpoint(
    feeds_blueprint,
    "/feed/status",
    "GET",
    summary="Whether the member's feed is being refreshed, and when it was computed (cheap to poll)",
    access=Access.MEMBER,
    tag="feeds",
    response="feeds.FeedStatus",
)
def get_feed_status(call: Call[Any, Any]) -> FeedStatus:
    return feeds.feed_status(call.member)
