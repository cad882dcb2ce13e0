"""Member safety: reporting posts, comments and members; blocking members.

A block hides the blocked member's posts and comments from the blocker (every read adds the
blocker's block list to the BatchGetItem it already makes, `posts.hydrate`), forbids them to
comment on the blocker's posts or follow them (conditions in those transactions), and ends any
follow edge between the two (in the block's own transaction).
"""

from __future__ import annotations

from chalicelib import clock, cursors
from chalicelib.auth import Identity
from chalicelib.data import moderation as moderation_store
from chalicelib.data import safety as store
from chalicelib.data import users
from chalicelib.data.moderation import Target
from chalicelib.data.safety import BlockChange
from chalicelib.errors import Forbidden, NotFound, ValidationFailed, field_error
from chalicelib.observability import metrics
from chalicelib.schemas.safety import BlockedPage, BlockOut, ReportIn, ReportOut
from chalicelib.services.presenters import author_out

# A block re-reads and retries when a follow edge between the two changed in the meantime.
BLOCK_ATTEMPTS = 3


def _not_yourself(identity: Identity, user_id: str, what: str) -> None:
    if user_id == identity.user_id:
        raise ValidationFailed(
            f"You cannot {what} yourself.", [field_error("user_id", "is you", f"self_{what}")]
        )


def block(identity: Identity, user_id: str) -> BlockOut:
    """Two requests: one consistent BatchGetItem (both profiles, the block list, both follow edges)
    and one transaction."""
    _not_yourself(identity, user_id, "block")
    for _ in range(BLOCK_ATTEMPTS):
        state = store.block_state(identity.user_id, user_id)
        if state.target is None:
            raise NotFound("No such member.")
        if user_id in state.blocked:
            return BlockOut(blocked=True)
        if len(state.blocked) >= store.MAX_BLOCKS:
            raise ValidationFailed(
                f"You can block at most {store.MAX_BLOCKS} members; unblock someone first.",
                [field_error("user_id", "block list full", "too_many_blocks")],
            )
        change = store.block(state, identity.user_id, user_id, clock.now_iso())
        if change is not BlockChange.STALE:
            if change is BlockChange.CHANGED:
                metrics.add_metric(name="MemberBlocked", unit="Count", value=1)
            return BlockOut(blocked=True)
    raise ValidationFailed(
        "The two of you changed follows meanwhile; try again.", [field_error("user_id", "contended", "retry")]
    )


def unblock(identity: Identity, user_id: str) -> BlockOut:
    _not_yourself(identity, user_id, "block")
    store.unblock(identity.user_id, user_id, clock.now_iso())
    return BlockOut(blocked=False)


def blocked_members(identity: Identity, limit: int, cursor: str | None) -> BlockedPage:
    """A page of whom the caller blocked, by id (one GetItem of the list, one BatchGetItem)."""
    scope = "me/blocks"
    position = cursors.decode(cursor, scope=scope)
    offset = int(position.get("i", 0)) if position else 0
    blocked = store.blocked_ids(identity.user_id)
    window = blocked[offset : offset + min(limit, 100)]
    members = users.get_members(window)
    end = offset + len(window)
    return BlockedPage(
        items=[author_out(u, members.get(u)) for u in window],
        next_cursor=cursors.encode({"i": end}, scope=scope) if end < len(blocked) else None,
    )


def report(identity: Identity, data: ReportIn) -> ReportOut:
    """Two requests: one consistent BatchGetItem (the target and the reporter) and one transaction
    (the report, idempotent per reporter and target, and its case in the moderation queue)."""
    target = Target(data.target.type, data.target.id, data.target.post_id)
    found = moderation_store.subjects([target], [identity.user_id])
    reporter = found.members.get(identity.user_id)
    if reporter is not None and reporter.banned:
        raise Forbidden("Your account is banned: you can no longer report.", code="banned")
    author_id = _live_author(target, found)
    if author_id is None:
        raise NotFound(f"No such {target.type}.")
    if author_id == identity.user_id:
        raise ValidationFailed(
            "You cannot report yourself or what you made; delete it instead.",
            [field_error("target", "is yours", "self_report")],
        )
    created = moderation_store.file_report(
        target, author_id, identity.user_id, data.reason, data.text, clock.now_iso()
    )
    if created:
        metrics.add_metric(name="ReportFiled", unit="Count", value=1)
    return ReportOut(target=data.target, reason=data.reason, received=True)


def _live_author(target: Target, found: moderation_store.Subjects) -> str | None:
    """Who made the target, if members can still see it (a live post, a shown comment on a live
    post, a member who is not banned); None otherwise."""
    if target.type == "post":
        post = found.posts.get(target.id)
        return post.author_id if post is not None and post.state == "live" else None
    if target.type == "comment":
        comment = found.comments.get(target.id)
        post = found.posts.get(target.post_id or "")
        visible = comment is not None and not comment.hidden and post is not None and post.state == "live"
        return comment.author_id if visible and comment is not None else None
    member = found.members.get(target.id)
    return member.user_id if member is not None and not member.banned else None
