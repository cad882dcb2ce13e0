"""Members' activity inbox (issue 22): new followers, smiles and comments on one's posts, and
brands' rights requests and invitations to their communities (services/rights.py, services/audiences.py).

Written from the table's stream, never on the request path: a new follow edge notifies the
member followed, a new smile or comment notifies the post's author (never for their own), a
brand's new (or renewed) pending rights request notifies the post's author. One
BatchGetItem of the commented posts' authors per stream batch (smiles carry their post's author),
one BatchWriteItem per 25 notifications. Each notification expires after `NOTIFICATION_DAYS`.

Reading (`GET /me/notifications`): one Query of the page, one BatchGetItem (actors, the
member's block list and read mark), and one COUNT Query when the page alone cannot tell the
unread count. Actors who left, are banned or whom the member blocked are not shown. A brand's
notification (a rights request, an invitation) has the brand as its actor; a page holding such
notifications reads their current status (one BatchGetItem per kind present) so that their actions
(approve/decline, accept/decline) show only while the request or invitation is open.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from chalicelib import clock, cursors, paths
from chalicelib.auth import Identity
from chalicelib.data import engagement as engagement_store
from chalicelib.data import inbox as store
from chalicelib.data import rights as rights_store
from chalicelib.data.audiences import INVITED
from chalicelib.data.discovery import PENDING as SUGGESTION_PENDING
from chalicelib.data.inbox import Answerable, InboxView, Notification
from chalicelib.schemas.inbox import InboxReadOut, NotificationAction, NotificationOut, NotificationPage
from chalicelib.schemas.members import BrandRef
from chalicelib.services.presenters import author_out, brand_actor_out

NOTIFICATION_DAYS = 30
FOLLOWER, SMILE, COMMENT = "follower", "smile", "comment"
RIGHTS_REQUEST = "rights_request"
RIGHTS_ACTIONS = ("approve", "decline")
INVITATION = "invitation"
INVITATION_ACTIONS = ("accept", "decline")
TAG_SUGGESTION = "tag_suggestion"  # a brand suggests tagging its product (services/discovery.py)
SUGGESTION_ACTIONS = ("accept", "decline")


def _token(event_id: str) -> str:
    return hashlib.sha256(event_id.encode()).hexdigest()[:8]


def notifications_of(changes: Sequence[Any], post_authors: dict[str, str]) -> list[Notification]:
    """The notifications new follows, smiles and comments in a stream batch make (pure).

    `changes` are stream records as plain values (services/engagement.TableChange);
    `post_authors`: post id -> author, for comments (a smile carries its post's author)."""
    found: list[Notification] = []
    for change in changes:
        actionable = _rights_request(change) or _invitation(change)
        if actionable is not None:
            found.append(actionable)
            continue
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
                product_id=str(product) if product else None,
            )
        )
    return found


def _rights_request(change: Any) -> Notification | None:
    """A brand's rights request that became pending (new, or asked again after a decline): its
    post's author is notified, the brand is the actor and the terms are the text."""
    image = change.new
    if change.name not in ("INSERT", "MODIFY") or not image or image.get("type") != RIGHTS_REQUEST:
        return None
    before = change.old or {}
    if image.get("status") != rights_store.PENDING or (
        before.get("status") == rights_store.PENDING
        and before.get("requested_at") == image.get("requested_at")
    ):
        return None
    if not image.get("author_id"):
        return None
    created_at = str(image["requested_at"])
    return Notification(
        str(image["author_id"]),
        f"{created_at}#{_token(change.event_id)}",
        RIGHTS_REQUEST,
        str(image["brand_id"]),
        created_at,
        str(image["post_id"]),
        None,
        str(image["brand_id"]),
        str(image.get("terms") or ""),
    )


def _invitation(change: Any) -> Notification | None:
    """A brand's new invitation to its community (services/audiences.py): the invited member is
    notified, the brand is the actor."""
    image = change.new
    if change.name != "INSERT" or not image or image.get("type") != INVITATION:
        return None
    created_at, brand_id = str(image["created_at"]), str(image["brand_id"])
    return Notification(
        str(image["member_id"]),
        f"{created_at}#{_token(change.event_id)}",
        INVITATION,
        brand_id,
        created_at,
        brand_id=brand_id,
    )


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
    view = store.inbox_view(
        identity.user_id,
        [n.actor_id for n in page.items if n.brand_id is None],
        [n.brand_id for n in page.items if n.brand_id],
        _answerable(page.items),
    )
    after = [n for n in page.items if n.sort > view.read_until]
    if position is None and (len(after) < len(page.items) or page.last_key is None):
        unread = len(after)  # the first page reaches the read mark (or the end): nothing to count
    else:
        unread = store.count_after(identity.user_id, view.read_until)
    return NotificationPage(
        items=[_out(n, view) for n in page.items if _shown(n, view)],
        next_cursor=cursors.encode(page.last_key, scope=scope),
        unread=min(unread, store.UNREAD_COUNTED),
    )


def _shown(n: Notification, view: InboxView) -> bool:
    if n.brand_id is not None:
        return n.brand_id in view.brands
    return n.actor_id in view.actors and not view.actors[n.actor_id].banned and n.actor_id not in view.blocked


def _answerable(page: Sequence[Notification]) -> Answerable:
    """What the page's rights requests, invitations and tag suggestions ask about: their status is
    read in the page's one BatchGetItem, so that their actions show only while they are open."""
    return Answerable(
        rights_requests=[(str(n.post_id), str(n.brand_id)) for n in page if n.kind == RIGHTS_REQUEST],
        invitations=[str(n.brand_id) for n in page if n.kind == INVITATION],
        suggestions=[(str(n.post_id), str(n.product_id)) for n in page if n.kind == TAG_SUGGESTION],
    )


def _actions(n: Notification, view: InboxView) -> list[NotificationAction] | None:
    """The answers still open to the member (None once answered, and for plain kinds)."""
    post, brand, product = str(n.post_id), str(n.brand_id), str(n.product_id)
    if n.kind == RIGHTS_REQUEST and view.rights_requests.get((post, brand)) == rights_store.PENDING:
        links = {
            a: paths.link(paths.RIGHTS_DECISION, post_id=post, brand_id=brand, decision=a)
            for a in RIGHTS_ACTIONS
        }
    elif n.kind == TAG_SUGGESTION and view.suggestions.get((post, product)) == SUGGESTION_PENDING:
        links = {
            a: paths.link(paths.TAG_SUGGESTION_ANSWER, post_id=post, product_id=product, answer=a)
            for a in SUGGESTION_ACTIONS
        }
    elif n.kind == INVITATION and view.invitations.get(brand) == INVITED:
        links = {a: paths.link(paths.INVITATION_ANSWER, brand_id=brand, answer=a) for a in INVITATION_ACTIONS}
    else:
        return None
    return [NotificationAction(name=a, path=path) for a, path in links.items()]


def _out(n: Notification, view: InboxView) -> NotificationOut:
    brand = view.brands.get(n.brand_id) if n.brand_id else None
    return NotificationOut(
        id=n.sort,
        type=n.kind,  # type: ignore[arg-type]
        actor=brand_actor_out(brand.brand_id, brand.name)
        if brand
        else author_out(n.actor_id, view.actors[n.actor_id]),
        post_id=n.post_id,
        comment_id=n.comment_id,
        product_id=n.product_id,
        created_at=n.created_at,
        unread=n.sort > view.read_until,
        brand=BrandRef(id=brand.brand_id, name=brand.name) if brand else None,
        text=n.text,
        actions=_actions(n, view),
    )


def mark_read(identity: Identity) -> InboxReadOut:
    """Everything up to now is read: one conditional UpdateItem (the mark only moves forward)."""
    store.mark_read(identity.user_id, f"{clock.now_iso()}#~")
    return InboxReadOut(unread=0)
