"""Routes: the caller's own profile, public profiles, the interest catalog."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib.api.routing import Access, Call, endpoint
from chalicelib.lazy import lazy_module

if TYPE_CHECKING:
    from chalicelib.schemas.catalog import PageQuery
    from chalicelib.schemas.media import UploadRequest, UploadTicket
    from chalicelib.schemas.members import (
        ErasureOut,
        ExportPage,
        InterestList,
        InterestsBody,
        InterestsOut,
        Me,
        Profile,
        ProfilePatch,
    )

# Imported by the first request that needs it (chalicelib/lazy.py).
erasure = lazy_module("chalicelib.services.erasure")
media = lazy_module("chalicelib.services.media")
members = lazy_module("chalicelib.services.members")
member_schemas = lazy_module("chalicelib.schemas.members")

members_blueprint = Blueprint(__name__)
TAG = "members"


@endpoint(
    members_blueprint,
    "/interests",
    "GET",
    summary="The interest catalog",
    access=Access.PUBLIC,
    tag=TAG,
    response="members.InterestList",
    personalised=False,
)
def list_interests(call: Call[Any, Any]) -> InterestList:
    return member_schemas.InterestList(items=members.interest_catalog())


@endpoint(
    members_blueprint,
    "/me",
    "GET",
    summary="Own profile",
    access=Access.MEMBER,
    tag=TAG,
    response="members.Me",
)
def get_me(call: Call[Any, Any]) -> Me:
    return members.get_me(call.member)


@endpoint(
    members_blueprint,
    "/me",
    "PATCH",
    summary="Edit own profile",
    access=Access.MEMBER,
    tag=TAG,
    body="members.ProfilePatch",
    response="members.Me",
    errors=(403, 409, 422),
    rate_limit="profile",
)
def patch_me(call: Call[ProfilePatch, Any]) -> Me:
    return members.update_me(call.member, call.body)


@endpoint(
    members_blueprint,
    "/me/avatar",
    "POST",
    summary="Get a presigned S3 POST for a new avatar (then PATCH /me with its upload id)",
    access=Access.MEMBER,
    tag=TAG,
    body="media.UploadRequest",
    response="media.UploadTicket",
    status=201,
    errors=(413,),
    rate_limit="uploads",
)
def create_avatar_upload(call: Call[UploadRequest, Any]) -> UploadTicket:
    return media.create_upload(call.member, call.body.content_type, call.body.size)


@endpoint(
    members_blueprint,
    "/me",
    "DELETE",
    summary="Delete own account and everything that is the member's (erased in the background)",
    access=Access.MEMBER,
    tag=TAG,
    response="members.ErasureOut",
    status=202,
    rate_limit="profile",
)
def delete_me(call: Call[Any, Any]) -> ErasureOut:
    return erasure.request_erasure(call.member)


@endpoint(
    members_blueprint,
    "/me/export",
    "GET",
    summary="Everything Flint holds about the member, a page at a time",
    access=Access.MEMBER,
    tag=TAG,
    query="catalog.PageQuery",
    response="members.ExportPage",
    errors=(400,),
)
def export_me(call: Call[Any, PageQuery]) -> ExportPage:
    return erasure.export_page(call.member, call.query.limit, call.query.cursor)


@endpoint(
    members_blueprint,
    "/me/interests",
    "PUT",
    summary="Choose interests (onboarding)",
    access=Access.MEMBER,
    tag=TAG,
    body="members.InterestsBody",
    response="members.InterestsOut",
    errors=(422,),
    rate_limit="profile",
)
def put_interests(call: Call[InterestsBody, Any]) -> InterestsOut:
    return member_schemas.InterestsOut(interests=members.choose_interests(call.member, call.body.interests))


@endpoint(
    members_blueprint,
    "/users/{user_id}",
    "GET",
    summary="A member's public profile",
    access=Access.PUBLIC,
    tag=TAG,
    response="members.Profile",
    errors=(404,),
)
def get_user(call: Call[Any, Any]) -> Profile:
    return members.get_profile(call.params["user_id"], call.identity)
