"""Routes: public brand pages, a brand's catalog, and members following brands."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.routing import Access, Call, endpoint
from chalicelib.schemas.brand_pages import BrandFollowOut, BrandPageOut, BrandPageQuery, FollowedBrandPage
from chalicelib.schemas.catalog import PageQuery, ProductPage
from chalicelib.services import brand_pages

brand_pages_blueprint = Blueprint(__name__)
TAG = "brand pages"


@endpoint(
    brand_pages_blueprint,
    "/brands/{brand_id}/page",
    "GET",
    summary="A brand's public page: profile, follower count, products and the community's best posts",
    access=Access.PUBLIC,
    tag=TAG,
    query=BrandPageQuery,
    response=BrandPageOut,
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
    query=PageQuery,
    response=ProductPage,
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
    response=BrandFollowOut,
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
    response=BrandFollowOut,
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
    response=FollowedBrandPage,
)
def followed_brands(call: Call[Any, Any]) -> FollowedBrandPage:
    return brand_pages.followed_brands(call.member)
