"""Access patterns for members' activity inboxes (issue 22): notifications written from the stream.

A notification is one item in the recipient's `INBOX#<member>` partition, keyed by the event's
time and stream event id (a retried stream batch rewrites the same items), expiring after
`NOTIFICATION_DAYS` (TTL: the storage per member is bounded by what a month brings). How far the
member has read is one small item beside them (`READ`); the unread count is what lies after it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from chalicelib.data import connection, keys, ownership
from chalicelib.data.catalog import Brand
from chalicelib.data.models import (
    BlockListItem,
    BrandItem,
    FlintItem,
    InboxReadItem,
    InvitationItem,
    NotificationItem,
    RightsRequestItem,
    TagSuggestionItem,
    UserItem,
)
from chalicelib.data.ownership import OwnedKind
from chalicelib.data.pages import Page
from chalicelib.data.users import Member, to_member

NOTIFIED_KIND = "notified"  # GSI4 kind: notifications naming a member as the actor
UNREAD_COUNTED = 100  # the unread count stops here ("100 or more")


@dataclass(frozen=True)
class Notification:
    member_id: str
    sort: str  # `<event time>#<event token>`: the id clients see
    kind: str
    actor_id: str
    created_at: str
    post_id: str | None = None
    comment_id: str | None = None
    # A brand's notification (a rights request): the brand is the actor; `text` is what it asks.
    brand_id: str | None = None
    text: str | None = None
    product_id: str | None = None  # tag_suggestion: the product suggested


@dataclass(frozen=True)
class Answerable:
    """What an inbox page's actionable notifications ask about (their items' keys)."""

    rights_requests: Iterable[tuple[str, str]] = ()  # (post, brand)
    invitations: Iterable[str] = ()  # brand (the member is the inbox's owner)
    suggestions: Iterable[tuple[str, str]] = ()  # (post, product)


@dataclass(frozen=True)
class InboxView:
    """What a page of the inbox needs besides the notifications: actors, block list, read mark
    (and the brands behind brands' notifications, and the current status of what they ask)."""

    actors: dict[str, Member]
    blocked: set[str]
    read_until: str
    brands: dict[str, Brand] = field(default_factory=dict)
    rights_requests: dict[tuple[str, str], str] = field(default_factory=dict)  # (post, brand) -> status
    invitations: dict[str, str] = field(default_factory=dict)  # brand -> status
    suggestions: dict[tuple[str, str], str] = field(default_factory=dict)  # (post, product) -> status


def _notification(item: NotificationItem) -> Notification:
    return Notification(
        item.member_id,
        item.SK.removeprefix(keys.NOTIFICATION_PREFIX),
        item.kind,
        item.actor_id,
        item.created_at,
        item.post_id,
        item.comment_id,
        item.brand_id,
        item.text,
        item.product_id,
    )


def put_notifications(notifications: Sequence[Notification], expires_at: datetime) -> int:
    """Write them (BatchWriteItem, 25 a request); the same event always writes the same item."""
    with FlintItem.batch_write() as batch:
        for n in notifications:
            key = keys.notification(n.member_id, n.sort)
            item = NotificationItem(
                key.pk,
                key.sk,
                member_id=n.member_id,
                kind=n.kind,
                actor_id=n.actor_id,
                post_id=n.post_id,
                comment_id=n.comment_id,
                product_id=n.product_id,
                created_at=n.created_at,
                brand_id=n.brand_id,
                text=n.text,
            )
            if n.brand_id is None:  # a member acted: their erasure finds it (a brand is no member)
                owned = keys.member_owned(n.actor_id, NOTIFIED_KIND, f"{n.member_id}#{n.sort}")
                item.GSI4PK, item.GSI4SK = owned.pk, owned.sk
            item.expires_at = expires_at
            batch.save(item)
    return len(notifications)


def list_notifications(member_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    """A page of the member's notifications, newest first (one Query)."""
    results = NotificationItem.query(
        keys.inbox_partition(member_id),
        NotificationItem.SK.startswith(keys.NOTIFICATION_PREFIX),
        scan_index_forward=False,
        limit=limit,
        page_size=limit,
        last_evaluated_key=start,
    )
    return Page([_notification(i) for i in results], results.last_evaluated_key)


def inbox_view(
    member_id: str,
    actor_ids: Iterable[str],
    brand_ids: Iterable[str] = (),
    answerable: Answerable = Answerable(),
) -> InboxView:
    """The actors' profiles (and brands), the member's block list and read mark, and the status of
    the requests, invitations and suggestions the page's notifications ask about: one
    BatchGetItem (PynamoDB splits it past 100 keys: a page of more than ~48 actionable
    notifications from distinct actors)."""
    wanted = [keys.user(a) for a in dict.fromkeys(actor_ids)]
    wanted += [keys.brand(b) for b in dict.fromkeys(brand_ids)]
    wanted += [keys.block_list(member_id), keys.inbox_read_mark(member_id)]
    wanted += [keys.rights_request(p, b) for p, b in dict.fromkeys(answerable.rights_requests)]
    wanted += [keys.invitation(b, member_id) for b in dict.fromkeys(answerable.invitations)]
    wanted += [keys.tag_suggestion(p, q) for p, q in dict.fromkeys(answerable.suggestions)]
    view = InboxView({}, set(), "")
    for item in FlintItem.batch_get(wanted):
        if isinstance(item, BrandItem):
            view.brands[item.brand_id] = Brand(item.brand_id, item.name, item.owner_id)
        elif isinstance(item, UserItem):
            if item.erasing_since is None:
                view.actors[item.user_id] = to_member(item)
        elif isinstance(item, BlockListItem):
            view.blocked.update(item.ids or ())
        elif isinstance(item, InboxReadItem):
            view = replace(view, read_until=item.read_until)
        elif isinstance(item, RightsRequestItem):
            view.rights_requests[(item.post_id, item.brand_id)] = item.status
        elif isinstance(item, InvitationItem):
            view.invitations[item.brand_id] = item.status
        elif isinstance(item, TagSuggestionItem):
            view.suggestions[(item.post_id, item.product_id)] = item.status
    return view


def count_after(member_id: str, read_until: str) -> int:
    """Notifications after the read mark, up to UNREAD_COUNTED (one Query, keys only, COUNT)."""
    response = FlintItem._get_connection().query(
        keys.inbox_partition(member_id),
        NotificationItem.SK > f"{keys.NOTIFICATION_PREFIX}{read_until}",  # noqa: SIM300 - a PynamoDB condition
        limit=UNREAD_COUNTED,
        select="COUNT",
    )
    return int(response.get("Count", 0))


def mark_read(member_id: str, read_until: str) -> None:
    """Move the read mark forward (never back: a late, older request leaves it)."""
    key = keys.inbox_read_mark(member_id)
    connection.update(
        InboxReadItem(key.pk, key.sk),
        [InboxReadItem.entity.set(InboxReadItem), InboxReadItem.read_until.set(read_until)],  # type: ignore[arg-type]
        condition=InboxReadItem.read_until.does_not_exist() | (InboxReadItem.read_until < read_until),
    )


# --- what a member owns here (chalicelib/data/ownership.py) ------------------------------------


def _own_inbox(member_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    results = FlintItem.query(
        keys.inbox_partition(member_id),
        limit=limit,
        page_size=limit,
        last_evaluated_key=start,
        attributes_to_get=["PK", "SK"],
    )
    return Page([(i.PK, i.SK) for i in results], results.last_evaluated_key)


def _notified(member_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    return ownership.find_owned(member_id, NOTIFIED_KIND, limit, start)


ownership.register(
    OwnedKind(
        "inbox",
        (NotificationItem, InboxReadItem),
        ("inbox_partition", "notification", "inbox_read_mark"),
        _own_inbox,
        ownership.erase_by_deleting,
    )
)
# Notifications in other members' inboxes that name the leaving member as who smiled, commented
# or followed: they go too (their smiles, comments and follows are undone by the other kinds).
ownership.register(OwnedKind("notified", (NotificationItem,), (), _notified, ownership.erase_by_deleting))
