"""Route: the one search box (products, members, interests, posts)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.routing import Access, Call, endpoint
from chalicelib.schemas.search import SearchPage, SearchQuery
from chalicelib.services import search

search_blueprint = Blueprint(__name__)


@endpoint(
    search_blueprint,
    "/search",
    "GET",
    summary="Search products, members, interests and posts",
    access=Access.PUBLIC,
    tag="search",
    query=SearchQuery,
    response=SearchPage,
)
def search_everything(call: Call[Any, SearchQuery]) -> SearchPage:
    return search.search(call.query.q, call.query.type, call.query.limit, call.query.cursor, call.identity)
