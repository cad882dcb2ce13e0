"""Routes: reports, blocks, and the moderation queue (the `moderator` group)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib.api.routing import Access, Call, endpoint
from chalicelib.lazy import lazy_module

if TYPE_CHECKING:
    from chalicelib.schemas.catalog import PageQuery
    from chalicelib.schemas.safety import (
        ActionIn,
        ActionOut,
        AuditPage,
        BlockedPage,
        BlockOut,
        QueuePage,
        ReportIn,
        ReportOut,
    )

# Imported by the first request that needs it (chalicelib/lazy.py).
moderation = lazy_module("chalicelib.services.moderation")
safety = lazy_module("chalicelib.services.safety")

safety_blueprint = Blueprint(__name__)
TAG = "safety"


@endpoint(
    safety_blueprint,
    "/reports",
    "POST",
    summary="Report a post, comment or member (idempotent per reporter and target)",
    access=Access.MEMBER,
    tag=TAG,
    body="safety.ReportIn",
    response="safety.ReportOut",
    status=201,
    errors=(403, 404, 422),
    rate_limit="reports",
)
def report(call: Call[ReportIn, Any]) -> ReportOut:
    return safety.report(call.member, call.body)


@endpoint(
    safety_blueprint,
    "/users/{user_id}/block",
    "PUT",
    summary="Block a member (idempotent): their posts and comments disappear for you",
    access=Access.MEMBER,
    tag=TAG,
    response="safety.BlockOut",
    errors=(404, 422),
    rate_limit="blocks",
)
def block(call: Call[Any, Any]) -> BlockOut:
    return safety.block(call.member, call.params["user_id"])


@endpoint(
    safety_blueprint,
    "/users/{user_id}/block",
    "DELETE",
    summary="Unblock a member (idempotent)",
    access=Access.MEMBER,
    tag=TAG,
    response="safety.BlockOut",
    errors=(422,),
    rate_limit="blocks",
)
def unblock(call: Call[Any, Any]) -> BlockOut:
    return safety.unblock(call.member, call.params["user_id"])


@endpoint(
    safety_blueprint,
    "/me/blocks",
    "GET",
    summary="Members you blocked",
    access=Access.MEMBER,
    tag=TAG,
    query="catalog.PageQuery",
    response="safety.BlockedPage",
)
def blocked(call: Call[Any, PageQuery]) -> BlockedPage:
    return safety.blocked_members(call.member, call.query.limit, call.query.cursor)


@endpoint(
    safety_blueprint,
    "/moderation/queue",
    "GET",
    summary="Open moderation cases, oldest first",
    access=Access.MODERATOR,
    tag=TAG,
    query="catalog.PageQuery",
    response="safety.QueuePage",
)
def moderation_queue(call: Call[Any, PageQuery]) -> QueuePage:
    return moderation.queue(call.query.limit, call.query.cursor)


@endpoint(
    safety_blueprint,
    "/moderation/actions",
    "POST",
    summary="Hide/restore a post or comment, ban/unban a member, approve/reject a held photo, dismiss",
    access=Access.MODERATOR,
    tag=TAG,
    body="safety.ActionIn",
    response="safety.ActionOut",
    errors=(404, 409, 422),
    rate_limit="moderation",
)
def moderation_action(call: Call[ActionIn, Any]) -> ActionOut:
    return moderation.act(call.member, call.body)


@endpoint(
    safety_blueprint,
    "/moderation/audit",
    "GET",
    summary="The moderation audit trail, newest first",
    access=Access.MODERATOR,
    tag=TAG,
    query="catalog.PageQuery",
    response="safety.AuditPage",
)
def moderation_audit(call: Call[Any, PageQuery]) -> AuditPage:
    return moderation.audit_trail(call.query.limit, call.query.cursor)
