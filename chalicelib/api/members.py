"""Routes: the caller's own profile, public profiles, the interest catalog."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.routing import Access, Call, endpoint
from chalicelib.schemas.members import (
    InterestList,
    InterestsBody,
    InterestsOut,
    Me,
    Profile,
    ProfilePatch,
)
from chalicelib.services import members

members_blueprint = Blueprint(__name__)
TAG = "members"


@endpoint(
    members_blueprint,
    "/interests",
    "GET",
    summary="The interest catalog",
    access=Access.PUBLIC,
    tag=TAG,
    response=InterestList,
    personalised=False,
)
def list_interests(call: Call[Any, Any]) -> InterestList:
    return InterestList(items=members.interest_catalog())


@endpoint(members_blueprint, "/me", "GET", summary="Own profile", access=Access.MEMBER, tag=TAG, response=Me)
def get_me(call: Call[Any, Any]) -> Me:
    return members.get_me(call.member)


@endpoint(
    members_blueprint,
    "/me",
    "PATCH",
    summary="Edit own profile",
    access=Access.MEMBER,
    tag=TAG,
    body=ProfilePatch,
    response=Me,
    errors=(422,),
    rate_limit="profile",
)
def patch_me(call: Call[ProfilePatch, Any]) -> Me:
    return members.update_me(
        call.member,
        display_name=call.body.display_name,
        bio=call.body.bio,
        brand_audiences=call.body.brand_audiences,
    )


@endpoint(
    members_blueprint,
    "/me/interests",
    "PUT",
    summary="Choose interests (onboarding)",
    access=Access.MEMBER,
    tag=TAG,
    body=InterestsBody,
    response=InterestsOut,
    errors=(422,),
    rate_limit="profile",
)
def put_interests(call: Call[InterestsBody, Any]) -> InterestsOut:
    return InterestsOut(interests=members.choose_interests(call.member, call.body.interests))


@endpoint(
    members_blueprint,
    "/users/{user_id}",
    "GET",
    summary="A member's public profile",
    access=Access.PUBLIC,
    tag=TAG,
    response=Profile,
    errors=(404,),
)
def get_user(call: Call[Any, Any]) -> Profile:
    return members.get_profile(call.params["user_id"], call.identity)
