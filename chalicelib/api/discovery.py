"""Routes: image discovery (brands' untagged mentions) and tag suggestions (issue 22)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib import paths
from chalicelib.api.routing import Access, Call, endpoint
from chalicelib.lazy import lazy_module

if TYPE_CHECKING:
    from chalicelib.schemas.catalog import PageQuery
    from chalicelib.schemas.discovery import (
        MentionPage,
        ProductImageIn,
        ProductImageOut,
        TagSuggestionIn,
        TagSuggestionOut,
    )

# Imported by the first request that needs it (chalicelib/lazy.py).
discovery = lazy_module("chalicelib.services.discovery")

discovery_blueprint = Blueprint(__name__)
TAG = "discovery"


@endpoint(
    discovery_blueprint,
    "/brands/{brand_id}/products/{product_id}/image",
    "PUT",
    summary="Set a product's packshot (a ready upload of the caller's): photos are matched against it",
    access=Access.BRAND,
    tag=TAG,
    body="discovery.ProductImageIn",
    response="discovery.ProductImageOut",
    errors=(403, 404, 409, 422),
    rate_limit="brands",
)
def set_product_image(call: Call[ProductImageIn, Any]) -> ProductImageOut:
    return discovery.set_product_image(
        call.member, call.params["brand_id"], call.params["product_id"], call.body
    )


@endpoint(
    discovery_blueprint,
    "/brands/{brand_id}/mentions",
    "GET",
    summary="Posts that likely show the brand's products without tagging them, newest first, with confidence",
    access=Access.BRAND,
    tag=TAG,
    query="catalog.PageQuery",
    response="discovery.MentionPage",
    errors=(403, 404),
)
def list_mentions(call: Call[Any, PageQuery]) -> MentionPage:
    return discovery.mentions(call.member, call.params["brand_id"], call.query.limit, call.query.cursor)


@endpoint(
    discovery_blueprint,
    "/brands/{brand_id}/tag-suggestions",
    "POST",
    summary="Suggest to a post's author to tag one of the brand's products (once per post and product)",
    access=Access.BRAND,
    tag=TAG,
    body="discovery.TagSuggestionIn",
    response="discovery.TagSuggestionOut",
    status=201,
    errors=(403, 404, 409, 422),
    rate_limit="tag_suggestions",
)
def suggest_tag(call: Call[TagSuggestionIn, Any]) -> TagSuggestionOut:
    return discovery.suggest_tag(call.member, call.params["brand_id"], call.body)


@endpoint(
    discovery_blueprint,
    paths.route(paths.TAG_SUGGESTION_ANSWER, answer="accept"),
    "POST",
    summary="The post's author accepts a brand's tag suggestion: the tag is added to the post",
    access=Access.MEMBER,
    tag=TAG,
    response="discovery.TagSuggestionOut",
    errors=(403, 404, 409),
    rate_limit="inbox",
)
def accept_suggestion(call: Call[Any, Any]) -> TagSuggestionOut:
    return discovery.accept_suggestion(call.member, call.params["post_id"], call.params["product_id"])


@endpoint(
    discovery_blueprint,
    paths.route(paths.TAG_SUGGESTION_ANSWER, answer="decline"),
    "POST",
    summary="The post's author declines a brand's tag suggestion",
    access=Access.MEMBER,
    tag=TAG,
    response="discovery.TagSuggestionOut",
    errors=(403, 404, 409),
    rate_limit="inbox",
)
def decline_suggestion(call: Call[Any, Any]) -> TagSuggestionOut:
    return discovery.decline_suggestion(call.member, call.params["post_id"], call.params["product_id"])
