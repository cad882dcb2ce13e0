"""The moderation queue and moderators' actions (the `moderator` Cognito group).

Every action is one transaction: the change to the target, the resolution of its open case (if
any) and an append-only audit entry, so there is never an action without its record, nor a record
of an action that did not happen. A repeated action changes nothing and records nothing
(`changed: false`). Hiding works through the post's own state (`hidden`), which every read
already filters on, so a hidden post leaves feeds, profiles, interest and product lists, search
and brand insights at once.

A ban flags the profile (every write a member makes checks it), removes the member from search,
then hides each of their live posts (`hidden_reason = ban`; work proportional to their posts; a
repeated ban finishes an interrupted cascade). Their comments are left out when read (comment
pages read their authors anyway). Unban reverses exactly what the ban hid.
"""

from __future__ import annotations

from collections.abc import Callable

from chalicelib import clock, cursors, ids
from chalicelib.auth import Identity
from chalicelib.data import keys, objects, users
from chalicelib.data import media as media_store
from chalicelib.data import moderation as store
from chalicelib.data import posts as post_store
from chalicelib.data import social as social_store
from chalicelib.data.connection import Tx
from chalicelib.data.media import RenditionRecord, Upload
from chalicelib.data.moderation import AuditRecord, Case, Subjects, Target
from chalicelib.errors import Conflict, NotFound
from chalicelib.observability import logger, metrics
from chalicelib.schemas.safety import (
    ActionIn,
    ActionOut,
    AuditOut,
    AuditPage,
    CaseOut,
    CommentPreview,
    ModerationTarget,
    QueuePage,
    UploadPreview,
)
from chalicelib.services.presenters import author_out, renditions_at, summary
from chalicelib.settings import get_settings

# Moderators see held photos through URLs that expire after this long.
PREVIEW_SECONDS = 600
# A page of the queue hydrates in one BatchGetItem: at most 3 keys a case (target, its post, author).
QUEUE_PAGE = 30
BAN, MODERATION = "ban", "moderation"


def _target_out(target: Target) -> ModerationTarget:
    return ModerationTarget(type=target.type, id=target.id, post_id=target.post_id)  # type: ignore[arg-type]


def _audit_out(record: AuditRecord) -> AuditOut:
    return AuditOut(
        id=record.audit_id,
        action=record.action,  # type: ignore[arg-type]
        target=_target_out(record.target),
        moderator_id=record.moderator_id,
        note=record.note,
        created_at=record.created_at,
    )


def _state(target: Target, found: Subjects) -> str:
    if target.type == "post":
        post = found.posts.get(target.id)
        return post.state if post else "deleted"
    if target.type == "comment":
        comment = found.comments.get(target.id)
        return "deleted" if comment is None else ("hidden" if comment.hidden else "live")
    if target.type == "member":
        member = found.members.get(target.id)
        return "deleted" if member is None else ("banned" if member.banned else "active")
    upload = found.uploads.get(target.id)
    return upload.status if upload else "deleted"


def _held_preview(upload: Upload) -> UploadPreview:
    settings = get_settings()
    thumbnails = renditions_at(
        upload.renditions, lambda key: objects.presigned_get(settings.media_bucket, key, PREVIEW_SECONDS)
    )
    return UploadPreview(
        reason=upload.reason,
        width=upload.width,
        height=upload.height,
        thumbnails=thumbnails,
        labels=upload.labels,
    )


def _case_out(case: Case, found: Subjects) -> CaseOut:
    target = case.target
    author = found.members.get(case.author_id or "")
    out = CaseOut(
        target=_target_out(target),
        source=case.source,  # type: ignore[arg-type]
        reports=case.reports,
        reasons=case.reasons,
        last_note=case.last_note,
        opened_at=case.opened_at,
        last_reported_at=case.last_reported_at,
        state=_state(target, found),
        author=author_out(case.author_id, author) if case.author_id else None,
    )
    if target.type == "post" and target.id in found.posts:
        out.post = summary(found.posts[target.id], author, smiled=False)
    elif target.type == "comment" and target.id in found.comments:
        comment = found.comments[target.id]
        out.comment = CommentPreview(
            id=comment.comment_id, text=comment.text, created_at=comment.created_at, hidden=comment.hidden
        )
    elif target.type == "upload" and target.id in found.uploads:
        out.upload = _held_preview(found.uploads[target.id])
    return out


def queue(limit: int, cursor: str | None) -> QueuePage:
    """Open cases, oldest first: one Query of the queue index, one BatchGetItem of what they are about."""
    scope = "moderation/queue"
    page = store.open_cases(min(limit, QUEUE_PAGE), cursors.decode(cursor, scope=scope))
    cases: list[Case] = page.items
    found = store.subjects([c.target for c in cases], [c.author_id for c in cases if c.author_id])
    return QueuePage(
        items=[_case_out(c, found) for c in cases], next_cursor=cursors.encode(page.last_key, scope=scope)
    )


def audit_trail(limit: int, cursor: str | None) -> AuditPage:
    scope = "moderation/audit"
    page = store.audit_trail(limit, cursors.decode(cursor, scope=scope))
    return AuditPage(
        items=[_audit_out(r) for r in page.items], next_cursor=cursors.encode(page.last_key, scope=scope)
    )


# --- actions -----------------------------------------------------------------------------------


def act(identity: Identity, data: ActionIn) -> ActionOut:
    target = Target(data.target.type, data.target.id, data.target.post_id)
    found = store.subjects([target], with_cases=True)
    case = found.cases.get(target)
    open_case = case is not None and case.status == store.OPEN
    audit = AuditRecord(ids.new_id("act"), identity.user_id, data.action, target, data.note, clock.now_iso())
    change = _change(data.action, target, found, open_case)
    changed = False
    if change is not None:
        outcome = store.record_action(change, audit, resolve=open_case, resolution=data.action)
        if not outcome.committed:
            if data.action == "approve":  # the public copies made for it must not outlive it
                objects.delete_many(get_settings().media_bucket, _public_keys(found.uploads[target.id]))
            raise Conflict("The target changed meanwhile; look again and retry.", code="conflict")
        changed = True
        metrics.add_metric(name="ModerationAction", unit="Count", value=1)
        logger.info(
            "moderation action", extra={"action": data.action, "target": target.type, "id": target.id}
        )
    _after(data.action, target, found, changed)
    state = _state(target, store.subjects([target]))
    return ActionOut(
        action=data.action,
        target=data.target,
        changed=changed,
        state=state,
        audit=_audit_out(audit) if changed else None,
    )


def _change(action: str, target: Target, found: Subjects, open_case: bool) -> Callable[[Tx], None] | None:
    """The transaction part that changes the target; None when it is already in the wanted state
    (then nothing is written or recorded). Unknown targets are a 404."""
    if action == "dismiss":
        return (lambda tx: None) if open_case else None
    if target.type == "post":
        return _post_change(action, target, found)
    if target.type == "comment":
        comment = found.comments.get(target.id)
        if comment is None or target.post_id is None:
            raise NotFound("No such comment.")
        hide = action == "hide"
        if comment.hidden == hide:
            return None
        post_id = target.post_id
        return lambda tx: social_store.set_comment_hidden(tx, post_id, target.id, hide)
    if target.type == "member":
        member = found.members.get(target.id)
        if member is None:
            raise NotFound("No such member.")
        ban = action == "ban"
        if member.banned == ban:
            return None
        return lambda tx: users.set_banned(tx, member, ban)
    upload = found.uploads.get(target.id)
    if upload is None:
        raise NotFound("No such upload.")
    if upload.status != media_store.HELD:
        return None
    if action == "approve":
        published = [
            RenditionRecord(
                r.name, objects.publish_held(get_settings().media_bucket, r.key), r.width, r.height
            )
            for r in upload.renditions
        ]
        return lambda tx: media_store.set_review_outcome(tx, upload, approved=True, renditions=published)
    return lambda tx: media_store.set_review_outcome(tx, upload, approved=False, renditions=[])


def _public_keys(upload: Upload) -> list[str]:
    return [keys.published_rendition(r.key) for r in upload.renditions]


def _post_change(action: str, target: Target, found: Subjects) -> Callable[[Tx], None] | None:
    post = found.posts.get(target.id)
    if post is None or post.state == post_store.DELETING:
        raise NotFound("No such post.")
    hide = action == "hide"
    if (post.state == post_store.HIDDEN) == hide:
        return None
    if not hide and post.hidden_reason == BAN:
        author = users.get_member(post.author_id)
        if author is not None and author.banned:
            raise Conflict("Its author is banned: unban them to restore their posts.", code="member_banned")
    return lambda tx: post_store.set_post_hidden(tx, post, hide, MODERATION)


def _after(action: str, target: Target, found: Subjects, changed: bool) -> None:
    """Work that follows a committed action: a ban's cascade over the member's posts, a reviewed
    photo's files. Safe to repeat: a repeated ban or unban finishes an interrupted cascade."""
    settings = get_settings()
    struck = _struck_member(action, target, found) if changed else None
    if struck is not None:
        # An upheld report (or a rejected held photo): the member's uploads are screened every
        # time again until they rebuild a clean record (services/screening.py, trust).
        users.reset_screened_clean(struck)
    if action in ("ban", "unban"):
        _cascade(target.id, hide=action == "ban")
    elif action == "approve" and changed:
        upload = found.uploads[target.id]
        objects.delete_many(settings.media_bucket, [r.key for r in upload.renditions])
    elif action == "reject" and changed:
        upload = found.uploads[target.id]
        objects.delete_many(settings.media_bucket, [r.key for r in upload.renditions])
        originals = [k for k in (upload.object_key, upload.original_key) if k]
        objects.delete_many(settings.uploads_bucket, originals)


def _struck_member(action: str, target: Target, found: Subjects) -> str | None:
    """Whose screening record a committed action ends: the author of a post or comment a
    moderator hid, the owner of an upload they rejected, a member they banned."""
    if action == "hide" and target.type == "post" and target.id in found.posts:
        return found.posts[target.id].author_id
    if action == "hide" and target.type == "comment" and target.id in found.comments:
        return found.comments[target.id].author_id
    if action == "reject" and target.id in found.uploads:
        return found.uploads[target.id].owner_id
    if action == "ban":
        return target.id
    return None


def _cascade(member_id: str, *, hide: bool) -> int:
    """Hide a banned member's live posts (or restore the ones their ban hid); returns how many."""
    wanted = post_store.LIVE if hide else post_store.HIDDEN
    moved = 0
    start = None
    while True:
        page = post_store.author_posts_in_state(member_id, wanted, start)
        for post in page.items:
            if hide or post.hidden_reason == BAN:
                moved += post_store.hide_post(post, hide, BAN)
        start = page.last_key
        if not start:
            return moved
