"""Members' activity inbox (issue 22): new followers, smiles and comments on one's posts.

Written from the table's stream, never on the request path: a new follow edge notifies the
member followed, a new smile or comment notifies the post's author (never for their own). One
BatchGetItem of the commented posts' authors per stream batch (smiles carry their post's author),
one BatchWriteItem per 25 notifications. Each notification expires after `NOTIFICATION_DAYS`.

Reading (`GET /me/notifications`): one Query of the page, one BatchGetItem (actors, the
member's block list and read mark), and one COUNT Query when the page alone cannot tell the
unread count. Actors who left, are banned or whom the member blocked are not shown.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from chalicelib import clock, cursors
from chalicelib.auth import Identity
from chalicelib.data import engagement as engagement_store
from chalicelib.data import inbox as store
from chalicelib.data.inbox import Notification
from chalicelib.schemas.inbox import InboxReadOut, NotificationAction, NotificationOut, NotificationPage
from chalicelib.services.presenters import author_out

NOTIFICATION_DAYS = 30
FOLLOWER, SMILE, COMMENT = "follower", "smile", "comment"
TAG_SUGGESTION = "tag_suggestion"  # a brand suggests tagging its product (services/discovery.py)


def _token(event_id: str) -> str:
    return hashlib.sha256(event_id.encode()).hexdigest()[:8]


def notifications_of(changes: Sequence[Any], post_authors: dict[str, str]) -> list[Notification]:
    """The notifications new follows, smiles and comments in a stream batch make (pure).

    `changes` are stream records as plain values (services/engagement.TableChange);
    `post_authors`: post id -> author, for comments (a smile carries its post's author)."""
    found: list[Notification] = []
    for change in changes:
        if change.name != "INSERT" or not change.new:
            continue
        image = change.new
        entity = image.get("type")
        product = None
        if entity == "follow":
            member, actor, kind, post, comment = (
                image["followee_id"],
                image["follower_id"],
                FOLLOWER,
                None,
                None,
            )
        elif entity == "smile":
            member, actor, kind = image["author_id"], image["user_id"], SMILE
            post, comment = image["post_id"], None
        elif entity == "tag_suggestion":
            member, actor, kind = image["author_id"], image["suggested_by"], TAG_SUGGESTION
            post, comment, product = image["post_id"], None, image["product_id"]
        elif entity == "comment":
            member = post_authors.get(str(image["post_id"]))
            actor, kind, post, comment = image["author_id"], COMMENT, image["post_id"], image["comment_id"]
        else:
            continue
        if member is None or member == actor:
            continue  # an unknown post, or one's own smile or comment
        created_at = str(image["created_at"])
        found.append(
            Notification(
                str(member),
                f"{created_at}#{_token(change.event_id)}",
                kind,
                str(actor),
                created_at,
                str(post) if post else None,
                str(comment) if comment else None,
                str(product) if product else None,
            )
        )
    return found


def notify(changes: Sequence[Any], now: datetime | None = None) -> int:
    """Write a stream batch's notifications; returns how many."""
    commented = [
        str(c.new["post_id"])
        for c in changes
        if c.name == "INSERT" and c.new and c.new.get("type") == "comment"
    ]
    authors = {p: f.author_id for p, f in engagement_store.post_facts(commented).items()} if commented else {}
    notifications = notifications_of(changes, authors)
    if not notifications:
        return 0
    return store.put_notifications(notifications, (now or clock.now()) + timedelta(days=NOTIFICATION_DAYS))


def _scope(member_id: str) -> str:
    return f"me/notifications/{member_id}"


def notifications(identity: Identity, limit: int, cursor: str | None) -> NotificationPage:
    scope = _scope(identity.user_id)
    position = cursors.decode(cursor, scope=scope)
    page = store.list_notifications(identity.user_id, limit, position)
    view = store.inbox_view(identity.user_id, [n.actor_id for n in page.items])
    after = [n for n in page.items if n.sort > view.read_until]
    if position is None and (len(after) < len(page.items) or page.last_key is None):
        unread = len(after)  # the first page reaches the read mark (or the end): nothing to count
    else:
        unread = store.count_after(identity.user_id, view.read_until)
    shown = [
        n
        for n in page.items
        if n.actor_id in view.actors and not view.actors[n.actor_id].banned and n.actor_id not in view.blocked
    ]
    return NotificationPage(
        items=[
            NotificationOut(
                id=n.sort,
                type=n.kind,  # type: ignore[arg-type]
                actor=author_out(n.actor_id, view.actors[n.actor_id]),
                post_id=n.post_id,
                comment_id=n.comment_id,
                product_id=n.product_id,
                created_at=n.created_at,
                unread=n.sort > view.read_until,
                actions=_actions(n),
            )
            for n in shown
        ],
        next_cursor=cursors.encode(page.last_key, scope=scope),
        unread=min(unread, store.UNREAD_COUNTED),
    )


def _actions(n: Notification) -> list[NotificationAction] | None:
    """The buttons an actionable notification carries, pointing at its feature's own routes."""
    if n.kind == TAG_SUGGESTION and n.post_id and n.product_id:
        base = f"/posts/{n.post_id}/tag-suggestions/{n.product_id}"
        return [
            NotificationAction(name="accept", method="POST", path=f"{base}/accept"),
            NotificationAction(name="decline", method="POST", path=f"{base}/decline"),
        ]
    return None


def mark_read(identity: Identity) -> InboxReadOut:
    """Everything up to now is read: one conditional UpdateItem (the mark only moves forward)."""
    store.mark_read(identity.user_id, f"{clock.now_iso()}#~")
    return InboxReadOut(unread=0)
