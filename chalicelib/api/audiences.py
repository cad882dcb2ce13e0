"""Routes: brand audiences, one-click communities, and members answering invitations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib import paths
from chalicelib.api.routing import Access, Call, endpoint
from chalicelib.lazy import lazy_module

if TYPE_CHECKING:
    from chalicelib.schemas.audiences import (
        AudienceIn,
        AudienceMembersQuery,
        AudienceOut,
        AudiencePage,
        InvitationOut,
    )
    from chalicelib.schemas.catalog import PageQuery

# Imported by the first request that needs it (chalicelib/lazy.py).
audiences = lazy_module("chalicelib.services.audiences")

audiences_blueprint = Blueprint(__name__)
TAG = "audiences"


@endpoint(
    audiences_blueprint,
    "/brands/{brand_id}/audiences",
    "POST",
    summary="Save an audience: rules over the brand's fans, opinion leaders and potential customers",
    access=Access.BRAND,
    tag=TAG,
    body="audiences.AudienceIn",
    response="audiences.AudienceOut",
    status=201,
    errors=(403, 404, 409, 422),
    rate_limit="brands",
)
def create_audience(call: Call[AudienceIn, Any]) -> AudienceOut:
    return audiences.create_audience(call.member, call.params["brand_id"], call.body)


@endpoint(
    audiences_blueprint,
    "/brands/{brand_id}/audiences",
    "GET",
    summary="The brand's audiences, oldest first, each with its community's counts",
    access=Access.BRAND,
    tag=TAG,
    query="catalog.PageQuery",
    response="audiences.AudiencePage",
    errors=(403, 404),
)
def list_audiences(call: Call[Any, PageQuery]) -> AudiencePage:
    return audiences.list_audiences(call.member, call.params["brand_id"], call.query.limit, call.query.cursor)


@endpoint(
    audiences_blueprint,
    "/brands/{brand_id}/audiences/{audience_id}",
    "GET",
    summary="One audience: its rules, whether it is filled, its community's counts",
    access=Access.BRAND,
    tag=TAG,
    response="audiences.AudienceOut",
    errors=(403, 404),
)
def get_audience(call: Call[Any, Any]) -> AudienceOut:
    return audiences.get_audience(call.member, call.params["brand_id"], call.params["audience_id"])


@endpoint(
    audiences_blueprint,
    "/brands/{brand_id}/audiences/{audience_id}",
    "DELETE",
    summary="Delete an audience and its community (409 while a campaign that has not ended targets it)",
    access=Access.BRAND,
    tag=TAG,
    status=204,
    errors=(403, 404, 409, 429),
    rate_limit="audience_deletes",  # removing never spends the budget for creating
)
def delete_audience(call: Call[Any, Any]) -> None:
    audiences.delete_audience(call.member, call.params["brand_id"], call.params["audience_id"])


@endpoint(
    audiences_blueprint,
    "/brands/{brand_id}/audiences/{audience_id}/members",
    "GET",
    summary="A page of the audience's members with their automatic tags (?format=csv: as text/csv)",
    access=Access.BRAND,
    tag=TAG,
    query="audiences.AudienceMembersQuery",
    response="audiences.AudienceMemberPage",
    errors=(403, 404),
    csv=True,
)
def audience_members(call: Call[Any, AudienceMembersQuery]) -> Any:
    query = call.query
    return audiences.audience_members(
        call.member,
        call.params["brand_id"],
        call.params["audience_id"],
        query.limit,
        query.cursor,
        as_csv=query.format == "csv",
    )


@endpoint(
    audiences_blueprint,
    "/brands/{brand_id}/audiences/{audience_id}/community",
    "POST",
    summary="One click: create the audience's brand community and invite its members (in the background)",
    access=Access.BRAND,
    tag=TAG,
    response="audiences.AudienceOut",
    status=202,
    errors=(403, 404, 409, 429),
    rate_limit="brands",
)
def create_community(call: Call[Any, Any]) -> AudienceOut:
    return audiences.create_community(call.member, call.params["brand_id"], call.params["audience_id"])


@endpoint(
    audiences_blueprint,
    paths.route(paths.INVITATION_ANSWER, answer="accept"),
    "POST",
    summary="Accept a brand's invitation: follow the brand",
    access=Access.MEMBER,
    tag=TAG,
    response="audiences.InvitationOut",
    errors=(403, 404, 409, 429),
    rate_limit="follows",
)
def accept_invitation(call: Call[Any, Any]) -> InvitationOut:
    return audiences.accept_invitation(call.member, call.params["brand_id"])


@endpoint(
    audiences_blueprint,
    paths.route(paths.INVITATION_ANSWER, answer="decline"),
    "POST",
    summary="Decline a brand's invitation",
    access=Access.MEMBER,
    tag=TAG,
    response="audiences.InvitationOut",
    errors=(404, 429),
    rate_limit="inbox",
)
def decline_invitation(call: Call[Any, Any]) -> InvitationOut:
    return audiences.decline_invitation(call.member, call.params["brand_id"])
