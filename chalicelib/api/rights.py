"""Routes: UGC rights requests (brands ask, authors decide) and shoppable galleries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response

from chalicelib import paths
from chalicelib.api.routing import JSON_HEADERS, Access, Call, endpoint
from chalicelib.lazy import lazy_module

if TYPE_CHECKING:
    from chalicelib.schemas.catalog import PageQuery
    from chalicelib.schemas.rights import (
        GalleryIn,
        GalleryOut,
        GalleryPage,
        RightsRequestIn,
        RightsRequestOut,
        RightsRequestPage,
    )

# Imported by the first request that needs it (chalicelib/lazy.py).
galleries = lazy_module("chalicelib.services.galleries")
rights = lazy_module("chalicelib.services.rights")

rights_blueprint = Blueprint(__name__)
TAG = "rights and galleries"
# The embed reads the gallery on every page view of the brand's site: browsers and the CDN keep it
# a minute. With a viewer (session or token) the posts carry that viewer's receipts: private.
PUBLIC_CACHE = "public, max-age=60"
PRIVATE_CACHE = "private, max-age=60"


@endpoint(
    rights_blueprint,
    "/brands/{brand_id}/rights-requests",
    "POST",
    summary="Ask a post's author for permission to feature the post (terms shown to the author)",
    access=Access.BRAND,
    tag=TAG,
    body="rights.RightsRequestIn",
    response="rights.RightsRequestOut",
    status=201,
    errors=(403, 404, 409, 422, 429),
    rate_limit="rights_requests",  # services/rights.RIGHTS_LIMIT: spent per brand
    limit_in_view=True,
)
def request_rights(call: Call[RightsRequestIn, Any]) -> RightsRequestOut:
    # The limit is the brand's, spent once the caller is known to own it (services/rights.py).
    return rights.request_rights(call.member, call.params["brand_id"], call.body)


@endpoint(
    rights_blueprint,
    "/brands/{brand_id}/rights-requests",
    "GET",
    summary="The brand's rights requests with their status, newest first",
    access=Access.BRAND,
    tag=TAG,
    query="catalog.PageQuery",
    response="rights.RightsRequestPage",
    errors=(403, 404),
)
def list_rights_requests(call: Call[Any, PageQuery]) -> RightsRequestPage:
    return rights.brand_requests(call.member, call.params["brand_id"], call.query.limit, call.query.cursor)


def _decision_route(decision: str, summary: str) -> None:
    def view(call: Call[Any, Any]) -> RightsRequestOut:
        return rights.decide(call.member, call.params["post_id"], call.params["brand_id"], decision)

    view.__name__ = f"{decision}_rights_request"
    endpoint(
        rights_blueprint,
        paths.route(paths.RIGHTS_DECISION, decision=decision),
        "POST",
        summary=summary,
        access=Access.MEMBER,
        tag=TAG,
        response="rights.RightsRequestOut",
        errors=(403, 404, 409, 429),
        rate_limit="inbox",
    )(view)


_decision_route("approve", "The post's author approves a brand's pending rights request")
_decision_route("decline", "The post's author declines a brand's pending rights request")
_decision_route(
    "withdraw", "The post's author takes an approval back: the brand may no longer feature the post"
)


@endpoint(
    rights_blueprint,
    "/brands/{brand_id}/galleries",
    "POST",
    summary="Create a shoppable gallery of posts the brand has the rights to feature",
    access=Access.BRAND,
    tag=TAG,
    body="rights.GalleryIn",
    response="rights.GalleryOut",
    status=201,
    errors=(403, 404, 409, 422),
    rate_limit="brands",
)
def create_gallery(call: Call[GalleryIn, Any]) -> GalleryOut:
    return galleries.create_gallery(call.member, call.params["brand_id"], call.body)


@endpoint(
    rights_blueprint,
    "/brands/{brand_id}/galleries/{gallery_id}",
    "PUT",
    summary="Replace a gallery's name and posts (in display order)",
    access=Access.BRAND,
    tag=TAG,
    body="rights.GalleryIn",
    response="rights.GalleryOut",
    errors=(403, 404, 409, 422),
    rate_limit="brands",
)
def update_gallery(call: Call[GalleryIn, Any]) -> GalleryOut:
    return galleries.update_gallery(
        call.member, call.params["brand_id"], call.params["gallery_id"], call.body
    )


@endpoint(
    rights_blueprint,
    "/brands/{brand_id}/galleries",
    "GET",
    summary="The brand's galleries, newest first",
    access=Access.BRAND,
    tag=TAG,
    query="catalog.PageQuery",
    response="rights.GalleryPage",
    errors=(403, 404),
)
def list_galleries(call: Call[Any, PageQuery]) -> GalleryPage:
    return galleries.brand_galleries(
        call.member, call.params["brand_id"], call.query.limit, call.query.cursor
    )


@endpoint(
    rights_blueprint,
    "/galleries/{gallery_id}",
    "GET",
    summary="A gallery as its embed shows it: featurable posts in order, with hotspots (cacheable)",
    access=Access.PUBLIC,
    tag=TAG,
    response="rights.PublicGalleryOut",
    errors=(404,),
)
def public_gallery(call: Call[Any, Any]) -> Response:
    # Personalised only by the receipts its posts carry (for the embed's impressions and clicks).
    shown = galleries.public_gallery(call.params["gallery_id"])
    cache = PRIVATE_CACHE if call.viewer else PUBLIC_CACHE
    return Response(
        body=shown.model_dump(mode="json"),
        status_code=200,
        headers={**JSON_HEADERS, "Cache-Control": cache, "Vary": "Authorization, X-Flint-Session"},
    )
