"""Routes: public brand pages, a brand's catalog, and members following brands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib.api.routing import Access, Call, endpoint
from chalicelib.lazy import lazy_module

if TYPE_CHECKING:
    from chalicelib.schemas.brand_pages import BrandFollowOut, BrandPageOut, BrandPageQuery, FollowedBrandPage
    from chalicelib.schemas.catalog import PageQuery, ProductPage

# Imported by the first request that needs it (chalicelib/lazy.py).
brand_pages = lazy_module("chalicelib.services.brand_pages")

brand_pages_blueprint = Blueprint(__name__)
TAG = "brand pages"


@endpoint(
    brand_pages_blueprint,
    "/brands/{brand_id}/page",
    "GET",
    summary="A brand's public page: profile, follower count, products and the community's best posts",
    access=Access.PUBLIC,
    tag=TAG,
    query="brand_pages.BrandPageQuery",
    response="brand_pages.BrandPageOut",
    errors=(404,),
)
def brand_page(call: Call[Any, BrandPageQuery]) -> BrandPageOut:
    # Personalised: `followed_by_me`, `smiled_by_me`, posts of members the viewer blocked left out.
    return brand_pages.brand_page(call.params["brand_id"], call.identity, call.query.limit)


@endpoint(
    brand_pages_blueprint,
    "/brands/{brand_id}/products",
    "GET",
    summary="A page of a brand's products",
    access=Access.PUBLIC,
    tag=TAG,
    query="catalog.PageQuery",
    response="catalog.ProductPage",
    errors=(404,),
    personalised=False,
)
def brand_products(call: Call[Any, PageQuery]) -> ProductPage:
    return brand_pages.brand_products(call.params["brand_id"], call.query.limit, call.query.cursor)


@endpoint(
    brand_pages_blueprint,
    "/brands/{brand_id}/follow",
    "PUT",
    summary="Follow a brand (idempotent)",
    access=Access.MEMBER,
    tag=TAG,
    response="brand_pages.BrandFollowOut",
    errors=(403, 404, 409, 429),
    rate_limit="follows",
)
def follow_brand(call: Call[Any, Any]) -> BrandFollowOut:
    return brand_pages.follow(call.member, call.params["brand_id"])


@endpoint(
    brand_pages_blueprint,
    "/brands/{brand_id}/follow",
    "DELETE",
    summary="Stop following a brand (idempotent)",
    access=Access.MEMBER,
    tag=TAG,
    response="brand_pages.BrandFollowOut",
    errors=(404, 429),
    rate_limit="follows",
)
def unfollow_brand(call: Call[Any, Any]) -> BrandFollowOut:
    return brand_pages.unfollow(call.member, call.params["brand_id"])


@endpoint(
    brand_pages_blueprint,
    "/me/followed-brands",
    "GET",
    summary="The brands the caller follows, by name",
    access=Access.MEMBER,
    tag=TAG,
    response="brand_pages.FollowedBrandPage",
)
def followed_brands(call: Call[Any, Any]) -> FollowedBrandPage:
    return brand_pages.followed_brands(call.member)
