"""Routes: publishing, reading and deleting posts; post listings by member, interest and product."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib.api.routing import Access, Call, endpoint
from chalicelib.lazy import lazy_module

if TYPE_CHECKING:
    from chalicelib.schemas.catalog import PageQuery
    from chalicelib.schemas.posts import PostIn, PostOut, PostPage

# Imported by the first request that needs it (chalicelib/lazy.py).
posts = lazy_module("chalicelib.services.posts")

posts_blueprint = Blueprint(__name__)
TAG = "posts"


@endpoint(
    posts_blueprint,
    "/posts",
    "POST",
    summary="Publish a photo, story or idea",
    access=Access.PRIME,
    tag=TAG,
    body="posts.PostIn",
    response="posts.PostOut",
    status=201,
    errors=(403, 409),
    rate_limit="posts",
)
def create_post(call: Call[PostIn, Any]) -> PostOut:
    return posts.create_post(call.member, call.body)


@endpoint(
    posts_blueprint,
    "/posts/{post_id}",
    "GET",
    summary="A post with hydrated product tags",
    access=Access.PUBLIC,
    tag=TAG,
    response="posts.PostOut",
    errors=(404,),
)
def get_post(call: Call[Any, Any]) -> PostOut:
    return posts.get_post(call.params["post_id"], call.identity)


@endpoint(
    posts_blueprint,
    "/posts/{post_id}",
    "DELETE",
    summary="Delete own post and everything it owns",
    access=Access.MEMBER,
    tag=TAG,
    status=204,
    errors=(403, 404, 429),
    rate_limit="post_deletes",
)
def delete_post(call: Call[Any, Any]) -> None:
    posts.delete_post(call.member, call.params["post_id"])


@endpoint(
    posts_blueprint,
    "/users/{user_id}/posts",
    "GET",
    summary="A member's posts, newest first",
    access=Access.PUBLIC,
    tag=TAG,
    query="catalog.PageQuery",
    response="posts.PostPage",
    errors=(404,),
)
def member_posts(call: Call[Any, PageQuery]) -> PostPage:
    return posts.member_posts(call.params["user_id"], call.query.limit, call.query.cursor, call.identity)


@endpoint(
    posts_blueprint,
    "/interests/{interest_id}/posts",
    "GET",
    summary="An interest's posts, newest first",
    access=Access.PUBLIC,
    tag=TAG,
    query="catalog.PageQuery",
    response="posts.PostPage",
    errors=(404,),
)
def interest_posts(call: Call[Any, PageQuery]) -> PostPage:
    return posts.interest_posts(
        call.params["interest_id"], call.query.limit, call.query.cursor, call.identity
    )


@endpoint(
    posts_blueprint,
    "/products/{product_id}/posts",
    "GET",
    summary="Posts tagging a product, newest first",
    access=Access.PUBLIC,
    tag=TAG,
    query="catalog.PageQuery",
    response="posts.PostPage",
    errors=(404,),
)
def product_posts(call: Call[Any, PageQuery]) -> PostPage:
    return posts.product_posts(call.params["product_id"], call.query.limit, call.query.cursor, call.identity)
