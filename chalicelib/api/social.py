"""Routes: smiles, comments, follows and the Enthusiast list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib.api.routing import Access, Call, endpoint
from chalicelib.lazy import lazy_module

if TYPE_CHECKING:
    from chalicelib.schemas.catalog import PageQuery
    from chalicelib.schemas.social import (
        CommentIn,
        CommentOut,
        CommentPage,
        EnthusiastList,
        EnthusiastQuery,
        FollowOut,
        SmileOut,
    )

# Imported by the first request that needs it (chalicelib/lazy.py).
enthusiasts = lazy_module("chalicelib.services.enthusiasts")
social = lazy_module("chalicelib.services.social")
social_schemas = lazy_module("chalicelib.schemas.social")

social_blueprint = Blueprint(__name__)
TAG = "community"


@endpoint(
    social_blueprint,
    "/posts/{post_id}/smile",
    "PUT",
    summary="Smile at a post (idempotent)",
    access=Access.PRIME,
    tag=TAG,
    response="social.SmileOut",
    errors=(404, 429),
    rate_limit="smiles",
)
def smile(call: Call[Any, Any]) -> SmileOut:
    return social.smile(call.member, call.params["post_id"])


@endpoint(
    social_blueprint,
    "/posts/{post_id}/smile",
    "DELETE",
    summary="Take a smile back (idempotent)",
    access=Access.PRIME,
    tag=TAG,
    response="social.SmileOut",
    errors=(404, 429),
    rate_limit="smiles",
)
def unsmile(call: Call[Any, Any]) -> SmileOut:
    return social.unsmile(call.member, call.params["post_id"])


@endpoint(
    social_blueprint,
    "/posts/{post_id}/comments",
    "GET",
    summary="A post's comments, oldest first",
    access=Access.PUBLIC,
    tag=TAG,
    query="catalog.PageQuery",
    response="social.CommentPage",
    errors=(404,),
)
def list_comments(call: Call[Any, PageQuery]) -> CommentPage:
    # Personalised: a signed-in reader never sees comments of members they blocked.
    return social.list_comments(call.params["post_id"], call.query.limit, call.query.cursor, call.identity)


@endpoint(
    social_blueprint,
    "/posts/{post_id}/comments",
    "POST",
    summary="Comment on a post",
    access=Access.PRIME,
    tag=TAG,
    body="social.CommentIn",
    response="social.CommentOut",
    status=201,
    errors=(403, 404, 429),
    rate_limit="comments",
)
def add_comment(call: Call[CommentIn, Any]) -> CommentOut:
    return social.add_comment(call.member, call.params["post_id"], call.body.text)


@endpoint(
    social_blueprint,
    "/posts/{post_id}/comments/{comment_id}",
    "DELETE",
    summary="Delete a comment (its author or the post's owner)",
    access=Access.MEMBER,
    tag=TAG,
    status=204,
    errors=(403, 404, 429),
    rate_limit="comment_deletes",
)
def delete_comment(call: Call[Any, Any]) -> None:
    social.delete_comment(call.member, call.params["post_id"], call.params["comment_id"])


@endpoint(
    social_blueprint,
    "/users/{user_id}/follow",
    "PUT",
    summary="Follow a member (idempotent)",
    access=Access.MEMBER,
    tag=TAG,
    response="social.FollowOut",
    errors=(403, 404, 422),
    rate_limit="follows",
)
def follow(call: Call[Any, Any]) -> FollowOut:
    return social.follow(call.member, call.params["user_id"])


@endpoint(
    social_blueprint,
    "/users/{user_id}/follow",
    "DELETE",
    summary="Stop following a member (idempotent)",
    access=Access.MEMBER,
    tag=TAG,
    response="social.FollowOut",
    errors=(404, 422),
    rate_limit="follows",
)
def unfollow(call: Call[Any, Any]) -> FollowOut:
    if call.params["user_id"] == call.member.user_id:
        return social_schemas.FollowOut(
            following=False
        )  # nobody follows themselves: already true, idempotently
    return social.unfollow(call.member, call.params["user_id"])


@endpoint(
    social_blueprint,
    "/enthusiasts",
    "GET",
    summary="Enthusiast badge holders, ranked",
    access=Access.PUBLIC,
    tag=TAG,
    query="social.EnthusiastQuery",
    response="social.EnthusiastList",
    errors=(404,),
)
def list_enthusiasts(call: Call[Any, EnthusiastQuery]) -> EnthusiastList:
    return enthusiasts.list_enthusiasts(call.query.interest, call.identity)
