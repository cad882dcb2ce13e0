"""Route: the one search box (products, members, interests, posts)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib.api.routing import Access, Call, endpoint
from chalicelib.lazy import lazy_module

if TYPE_CHECKING:
    from chalicelib.schemas.search import SearchPage, SearchQuery

# Imported by the first request that needs it (chalicelib/lazy.py).
search = lazy_module("chalicelib.services.search")

search_blueprint = Blueprint(__name__)


@endpoint(
    search_blueprint,
    "/search",
    "GET",
    summary="Search products, members, interests and posts",
    access=Access.PUBLIC,
    tag="search",
    query="search.SearchQuery",
    response="search.SearchPage",
)
def search_everything(call: Call[Any, SearchQuery]) -> SearchPage:
    return search.search(call.query.q, call.query.type, call.query.limit, call.query.cursor, call.identity)
