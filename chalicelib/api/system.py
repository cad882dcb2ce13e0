"""Routes: health, public configuration and the OpenAPI document."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib.api.routing import Access, Call, endpoint
from chalicelib.lazy import lazy_module
from chalicelib.settings import get_settings

if TYPE_CHECKING:
    from chalicelib.schemas.common import Health, OpenApiDocument
    from chalicelib.schemas.members import PublicConfig

# Imported by the first request that needs it (chalicelib/lazy.py).
openapi_module = lazy_module("chalicelib.api.openapi")
common = lazy_module("chalicelib.schemas.common")
member_schemas = lazy_module("chalicelib.schemas.members")

system_blueprint = Blueprint(__name__)
TAG = "system"


@endpoint(
    system_blueprint,
    "/health",
    "GET",
    summary="Liveness",
    access=Access.PUBLIC,
    tag=TAG,
    response="common.Health",
    personalised=False,
)
def health(call: Call[Any, Any]) -> Health:
    return common.Health()


@endpoint(
    system_blueprint,
    "/config",
    "GET",
    summary="What a client needs to sign in and upload",
    access=Access.PUBLIC,
    tag=TAG,
    response="members.PublicConfig",
    personalised=False,
)
def public_config(call: Call[Any, Any]) -> PublicConfig:
    settings = get_settings()
    return member_schemas.PublicConfig(
        region=settings.region,
        user_pool_id=settings.user_pool_id,
        user_pool_client_id=settings.user_pool_client_id,
        cognito_endpoint=settings.aws_endpoint_url,
        max_upload_bytes=settings.max_upload_bytes,
        thumbnail_sizes=settings.thumbnail_sizes,
        min_interests=settings.min_interests,
        max_interests=settings.max_interests,
        shop_url_template=settings.shop_url_template,
        prime_join_url=settings.prime_join_url,
    )


@endpoint(
    system_blueprint,
    "/openapi.json",
    "GET",
    summary="This API's OpenAPI 3 document",
    access=Access.PUBLIC,
    tag=TAG,
    response="common.OpenApiDocument",
    personalised=False,
)
def openapi(call: Call[Any, Any]) -> OpenApiDocument:
    return common.OpenApiDocument(openapi_module.openapi_document())
