"""Community rules: smiles and comments (Prime only), follows, who may delete what."""

from __future__ import annotations

from chalicelib import clock, cursors, ids
from chalicelib.auth import Identity
from chalicelib.data import posts as post_store
from chalicelib.data import social as store
from chalicelib.data import users
from chalicelib.data.social import Comment, EdgeChange
from chalicelib.errors import Forbidden, NotFound, ValidationFailed, field_error
from chalicelib.observability import metrics
from chalicelib.schemas.social import CommentOut, CommentPage, FollowOut, SmileOut
from chalicelib.services.presenters import comment_out

# A smile or unsmile is two requests: one consistent read (the post, and for unsmile the member's
# smile), one transaction whose conditions make it idempotent. The count answered is that read's
# count plus this change: exact for the member's own action, while other members' smiles landing
# in the same few milliseconds show on the next read (docs/data-model.md).
UNSMILE_RACES = 5


def _live_post(post_id: str) -> post_store.PostRecord:
    post = post_store.get_post(post_id)
    if post is None:
        raise NotFound("No such post.")
    return post


def smile(identity: Identity, post_id: str) -> SmileOut:
    post = post_store.get_post(post_id, consistent=True)
    if post is None:
        raise NotFound("No such post.")
    change = store.add_smile(post, identity.user_id, clock.now_iso())
    if change is EdgeChange.TARGET_GONE:
        raise NotFound("No such post.")
    if change is EdgeChange.CHANGED:
        metrics.add_metric(name="Smile", unit="Count", value=1)
        return SmileOut(smiled=True, smile_count=post.smile_count + 1)
    return SmileOut(smiled=True, smile_count=post.smile_count)


def unsmile(identity: Identity, post_id: str) -> SmileOut:
    count = 0
    for _ in range(UNSMILE_RACES):
        post, existing = store.post_and_smile(post_id, identity.user_id)
        if post is None:
            raise NotFound("No such post.")
        count = post.smile_count
        if existing is None:
            break
        change = store.remove_smile(post, existing)
        if change is EdgeChange.TARGET_GONE:
            raise NotFound("No such post.")
        if change is EdgeChange.CHANGED:
            count = max(0, post.smile_count - 1)
            break
        # UNCHANGED: the smile was re-made meanwhile (new created_at): read it again.
    return SmileOut(smiled=False, smile_count=count)


def add_comment(identity: Identity, post_id: str, text: str) -> CommentOut:
    """Two requests: one BatchGetItem (the post, for its author, and the commenter's profile) and
    the transaction, whose conditions check the post is live and its author has not blocked the
    commenter."""
    post, member = store.post_and_member(post_id, identity.user_id)
    if post is None:
        raise NotFound("No such post.")
    if member is not None and member.banned:
        raise Forbidden("Your account is banned: you can no longer comment.", code="banned")
    comment = Comment(ids.new_id("cmt"), post_id, identity.user_id, text, clock.now_iso())
    change = store.add_comment(comment, post.author_id)
    if change is EdgeChange.BLOCKED:
        raise Forbidden("You cannot comment on this member's posts.", code="blocked")
    if change is not EdgeChange.CHANGED:
        raise NotFound("No such post.")
    metrics.add_metric(name="Comment", unit="Count", value=1)
    return comment_out(comment, member)


def list_comments(
    post_id: str, limit: int, cursor: str | None, viewer: Identity | None = None
) -> CommentPage:
    """One Query of the post's comments, one BatchGetItem of their authors (and the viewer's block
    list): hidden comments, banned members' comments and those of members the viewer blocked are
    left out, so a page may be shorter than `limit`."""
    # The cursor is scoped to this post: replayed on another post's comments it is a 400, not a
    # start key outside the query (a ValidationException, i.e. a 500, in DynamoDB).
    scope = f"posts/{post_id}/comments"
    page = store.list_comments(post_id, limit, cursors.decode(cursor, scope=scope))
    if not page.items and cursor is None:
        _live_post(post_id)  # an empty first page: is there a post at all?
    authors, blocked = users.members_and_blocks(
        [c.author_id for c in page.items], viewer.user_id if viewer else None
    )
    shown = [
        c
        for c in page.items
        if c.author_id not in blocked and not (c.author_id in authors and authors[c.author_id].banned)
    ]
    return CommentPage(
        items=[comment_out(c, authors.get(c.author_id)) for c in shown],
        next_cursor=cursors.encode(page.last_key, scope=scope),
    )


def delete_comment(identity: Identity, post_id: str, comment_id: str) -> None:
    comment, post = store.get_comment_and_post(post_id, comment_id)
    if comment is None or post is None:
        raise NotFound("No such comment.")
    if identity.user_id not in (comment.author_id, post.author_id):
        raise Forbidden("Only the comment's author or the post's owner may delete it.", code="not_owner")
    store.remove_comment(post_id, comment_id, hidden=comment.hidden)


def follow(identity: Identity, user_id: str) -> FollowOut:
    if user_id == identity.user_id:
        raise ValidationFailed(
            "You cannot follow yourself.", [field_error("user_id", "is you", "self_follow")]
        )
    change = store.follow(identity.user_id, user_id, clock.now_iso())
    if change is EdgeChange.TARGET_GONE:
        raise NotFound("No such member.")
    if change is EdgeChange.BANNED:
        raise Forbidden("Your account is banned: you can no longer follow members.", code="banned")
    if change is EdgeChange.BLOCKED:
        raise Forbidden("You cannot follow this member.", code="blocked")
    return FollowOut(following=True)


def unfollow(identity: Identity, user_id: str) -> FollowOut:
    if user_id == identity.user_id:
        raise ValidationFailed(
            "You cannot follow yourself.", [field_error("user_id", "is you", "self_follow")]
        )
    change = store.unfollow(identity.user_id, user_id)
    if change is EdgeChange.TARGET_GONE:
        raise NotFound("No such member.")
    return FollowOut(following=False)
