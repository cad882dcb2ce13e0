"""Routes: presigned uploads and their processing status."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.routing import Access, Call, endpoint
from chalicelib.schemas.media import UploadOut, UploadRequest, UploadTicket
from chalicelib.services import media

media_blueprint = Blueprint(__name__)
TAG = "uploads"


@endpoint(
    media_blueprint,
    "/uploads",
    "POST",
    summary="Get a presigned S3 POST for one image",
    access=Access.PRIME,
    tag=TAG,
    body=UploadRequest,
    response=UploadTicket,
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
    response=UploadOut,
    errors=(403, 404),
)
def get_upload(call: Call[Any, Any]) -> UploadOut:
    return media.get_upload(call.member, call.params["upload_id"])
