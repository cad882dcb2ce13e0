"""Routes: presigned uploads and their processing status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib.api.routing import Access, Call, endpoint
from chalicelib.lazy import lazy_module

if TYPE_CHECKING:
    from chalicelib.schemas.media import UploadOut, UploadRequest, UploadTicket

# Imported by the first request that needs it (chalicelib/lazy.py).
media = lazy_module("chalicelib.services.media")

media_blueprint = Blueprint(__name__)
TAG = "uploads"


@endpoint(
    media_blueprint,
    "/uploads",
    "POST",
    summary="Get a presigned S3 POST for one image",
    access=Access.PRIME,
    tag=TAG,
    body="media.UploadRequest",
    response="media.UploadTicket",
    status=201,
    errors=(413,),
    rate_limit="uploads",
)
def create_upload(call: Call[UploadRequest, Any]) -> UploadTicket:
    return media.create_upload(call.member, call.body.content_type, call.body.size)


@endpoint(
    media_blueprint,
    "/uploads/{upload_id}",
    "GET",
    summary="An upload's processing status and thumbnails",
    access=Access.MEMBER,
    tag=TAG,
    response="media.UploadOut",
    errors=(403, 404),
)
def get_upload(call: Call[Any, Any]) -> UploadOut:
    return media.get_upload(call.member, call.params["upload_id"])
