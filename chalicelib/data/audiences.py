"""Access patterns for brand audiences, their members and one-click communities (issue 22).

- **Rows** (`AUDROW#<brand>` / `<member>`): what one member did publicly about one brand, kept
  from the table's stream as **sets** (post ids posted, smiles and comments given, what others
  gave their brand posts, interests and labels seen), so a replayed stream batch is harmless:
  adding or removing an element twice changes nothing. One UpdateItem per touched row and batch.
- **Audiences** (`AUD#<brand>` / `A#<audience>`) and their **communities** (`AUD#<brand>` /
  `C#<audience>`): one Query lists a brand's (at most `MAX_AUDIENCES` of each).
- **Members** of an audience (`AUDMEM#<audience>` / `<member>`, with their tags): a page is one
  Query (one request; the recency filter may leave it short, the cursor goes on).
- **Invitations** (`INVITE#<brand>` / `<member>`): one per (brand, member) ever, created with
  `attribute_not_exists`; answering moves its status and the community's `joined` together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pynamodb.expressions.condition import size

from chalicelib.data import connection, keys, ownership
from chalicelib.data.catalog import Brand
from chalicelib.data.connection import Tx, transact
from chalicelib.data.models import (
    AudienceCleanupItem,
    AudienceItem,
    AudienceMemberItem,
    AudienceRowItem,
    BrandItem,
    CampaignItem,
    CommunityItem,
    FlintItem,
    InvitationItem,
)
from chalicelib.data.ownership import OwnedKind
from chalicelib.data.pages import Page

ROW_KIND, MEMBER_KIND, INVITATION_KIND = "audience_row", "audience_member", "invitation"
INVITED, ACCEPTED, DECLINED = "invited", "accepted", "declined"
EARNED_CAP = 500  # what others gave a member's brand posts is counted up to here (then it is "500+")
MAX_AUDIENCES = 20  # per brand: the stream evaluates each touched row against every one


@dataclass(frozen=True)
class Audience:
    audience_id: str
    brand_id: str
    name: str
    rules: dict[str, Any]
    created_at: str
    backfill_cursor: dict[str, Any] | None = None
    backfill_step: int = 0
    backfilled: bool = False


@dataclass(frozen=True)
class Community:
    brand_id: str
    audience_id: str
    status: str
    created_at: str
    cursor: dict[str, Any] | None = None
    step: int = 0
    invited: int = 0
    joined: int = 0
    retry_at: str | None = None


@dataclass(frozen=True)
class Row:
    brand_id: str
    member_id: str
    posted: frozenset[str] = frozenset()
    engaged: frozenset[str] = frozenset()
    earned: frozenset[str] = frozenset()
    interests: frozenset[str] = frozenset()
    labels: frozenset[str] = frozenset()
    last_active: str | None = None


@dataclass(frozen=True)
class Membership:
    audience_id: str
    brand_id: str
    member_id: str
    tags: list[str]
    last_active: str | None
    followers: int


@dataclass(frozen=True)
class Invitation:
    brand_id: str
    member_id: str
    audience_id: str
    status: str
    created_at: str


@dataclass
class RowChange:
    """What one stream batch adds to and removes from one row."""

    brand_id: str
    member_id: str
    add: dict[str, set[str]] = field(default_factory=dict)  # set attribute -> elements
    remove: dict[str, set[str]] = field(default_factory=dict)
    earned_add: set[str] = field(default_factory=set)
    last_active: str | None = None


def _audience(item: AudienceItem) -> Audience:
    return Audience(
        item.audience_id,
        item.brand_id,
        item.name,
        dict(item.rules or {}),
        item.created_at,
        item.backfill_cursor,
        int(item.backfill_step or 0),
        bool(item.backfilled),
    )


def _community(item: CommunityItem) -> Community:
    return Community(
        item.brand_id,
        item.audience_id,
        item.status,
        item.created_at,
        item.cursor,
        int(item.step or 0),
        max(0, int(item.invited or 0)),
        max(0, int(item.joined or 0)),
        item.retry_at,
    )


def _row(item: AudienceRowItem) -> Row:
    return Row(
        item.brand_id,
        item.member_id,
        frozenset(item.posted or ()),
        frozenset(item.engaged or ()),
        frozenset(item.earned or ()),
        frozenset(item.interests or ()),
        frozenset(item.labels or ()),
        item.last_active,
    )


def _membership(item: AudienceMemberItem) -> Membership:
    return Membership(
        item.audience_id,
        item.brand_id,
        item.member_id,
        list(item.tags or []),
        item.last_active,
        int(item.followers or 0),
    )


# --- audiences and communities ----------------------------------------------------------------


def put_audience(audience: Audience) -> bool:
    key = keys.audience(audience.brand_id, audience.audience_id)
    item = AudienceItem(
        key.pk,
        key.sk,
        audience_id=audience.audience_id,
        brand_id=audience.brand_id,
        name=audience.name,
        rules=audience.rules,
        created_at=audience.created_at,
    )
    return connection.put(item, condition=AudienceItem.PK.does_not_exist())


def brand_audiences(brand_id: str) -> tuple[list[Audience], dict[str, Community]]:
    """A brand's audiences (oldest first) and their communities: one Query of `AUD#<brand>`."""
    audiences: list[Audience] = []
    communities: dict[str, Community] = {}
    for item in FlintItem.query(keys.audience_partition(brand_id)):
        if isinstance(item, AudienceItem):
            audiences.append(_audience(item))
        elif isinstance(item, CommunityItem):
            communities[item.audience_id] = _community(item)
    return audiences, communities


def get_audience(brand_id: str, audience_id: str) -> Audience | None:
    """One audience of a brand (one GetItem); None when the brand has no such audience."""
    key = keys.audience(brand_id, audience_id)
    try:
        return _audience(AudienceItem.get(key.pk, key.sk))
    except AudienceItem.DoesNotExist:
        return None


def audience_view(brand_id: str, audience_id: str) -> tuple[Brand | None, Audience | None, Community | None]:
    """The brand (its owner), the audience and its community: one consistent BatchGetItem."""
    found_brand, found_audience, found_community = None, None, None
    wanted = [
        keys.brand(brand_id),
        keys.audience(brand_id, audience_id),
        keys.community(brand_id, audience_id),
    ]
    for item in FlintItem.batch_get(wanted, consistent_read=True):
        if isinstance(item, BrandItem):
            found_brand = Brand(item.brand_id, item.name, item.owner_id)
        elif isinstance(item, AudienceItem):
            found_audience = _audience(item)
        elif isinstance(item, CommunityItem):
            found_community = _community(item)
    return found_brand, found_audience, found_community


def advance_backfill(audience: Audience, cursor: dict[str, Any] | None) -> bool:
    """Move the backfill on one page (done when `cursor` is None), once: on condition of its step."""
    key = keys.audience(audience.brand_id, audience.audience_id)
    return connection.update(
        AudienceItem(key.pk, key.sk),
        [
            AudienceItem.backfill_cursor.set(cursor) if cursor else AudienceItem.backfill_cursor.remove(),
            AudienceItem.backfill_step.set(audience.backfill_step + 1),
            AudienceItem.backfilled.set(cursor is None),
        ],
        condition=AudienceItem.backfill_step == audience.backfill_step,
    )


def put_community(community: Community) -> bool:
    key = keys.community(community.brand_id, community.audience_id)
    item = CommunityItem(
        key.pk,
        key.sk,
        brand_id=community.brand_id,
        audience_id=community.audience_id,
        status=community.status,
        created_at=community.created_at,
    )
    return connection.put(item, condition=CommunityItem.PK.does_not_exist())


def restart_community(community: Community, *, from_start: bool) -> bool:
    """Invite again (after a throttled pause, or from the start for members who joined since)."""
    key = keys.community(community.brand_id, community.audience_id)
    actions = [
        CommunityItem.status.set("inviting"),
        CommunityItem.step.set(community.step + 1),
        CommunityItem.retry_at.remove(),
    ]
    if from_start:
        actions.append(CommunityItem.cursor.remove())
    return connection.update(
        CommunityItem(key.pk, key.sk), actions, condition=CommunityItem.step == community.step
    )


def advance_community(
    community: Community,
    cursor: dict[str, Any] | None,
    invited: int,
    status: str,
    retry_at: str | None = None,
) -> bool:
    """One page of invitations done: move the cursor and count them, once (on condition of the step)."""
    key = keys.community(community.brand_id, community.audience_id)
    actions = [
        CommunityItem.status.set(status),
        CommunityItem.invited.add(invited),
        CommunityItem.cursor.set(cursor) if cursor else CommunityItem.cursor.remove(),
        CommunityItem.retry_at.set(retry_at) if retry_at else CommunityItem.retry_at.remove(),
    ]
    if status == "inviting":
        actions.append(CommunityItem.step.set(community.step + 1))
    return connection.update(
        CommunityItem(key.pk, key.sk), actions, condition=CommunityItem.step == community.step
    )


def live_campaigns_targeting(brand_id: str, audience_id: str, today: str) -> list[str]:
    """Ids of the brand's campaigns that target the audience and have not ended (one Query of the
    brand's campaigns, filtered server-side: it reads every campaign the brand ever ran)."""
    results = CampaignItem.query(
        keys.brand(brand_id).pk,
        CampaignItem.SK.startswith(keys.CAMPAIGN_PREFIX),
        filter_condition=(CampaignItem.audience_id == audience_id)
        & CampaignItem.ended_at.does_not_exist()
        & (CampaignItem.ends_at >= today),
    )
    return [item.campaign_id for item in results]


def delete_audience(brand_id: str, audience_id: str, deleted_at: str) -> bool:
    """Delete the audience and its community, and leave the clean-up marker of its members, in one
    transaction (3 items, whatever the audience's size); False when it was gone already."""
    audience, community = keys.audience(brand_id, audience_id), keys.community(brand_id, audience_id)
    marker = keys.audience_cleanup(audience_id)

    def write(tx: Tx) -> None:
        tx.delete(
            AudienceItem(audience.pk, audience.sk), condition=AudienceItem.PK.exists(), label="audience"
        )
        tx.delete(CommunityItem(community.pk, community.sk), label="community")
        tx.put(
            AudienceCleanupItem(
                marker.pk, marker.sk, brand_id=brand_id, audience_id=audience_id, deleted_at=deleted_at
            ),
            label="cleanup",
        )

    return transact(write).committed


def cleanup_step(audience_id: str, step: int, page_size: int) -> bool | None:
    """Remove one page of a deleted audience's members: a consistent read of the marker (its
    step guards against replays), one keys-only Query of the members before it (each page starts
    at the first one left), one BatchWriteItem per 25. Then the marker's step moves on (its change
    is the stream's cue for the next page), or, once no member is left after the page, the marker
    goes with it. True: done; False: more to do; None: a step already taken (nothing done)."""
    marker = keys.audience_cleanup(audience_id)
    # A BatchGetItem of one key: the stream worker's policy reads by BatchGetItem only.
    found = list(AudienceCleanupItem.batch_get([marker], consistent_read=True))
    if not found or int(found[0].step or 0) != step:
        return None
    response = FlintItem._get_connection().query(
        marker.pk,
        FlintItem.SK < marker.sk,  # noqa: SIM300 - a PynamoDB condition
        limit=page_size,
        attributes_to_get=["PK", "SK"],
        consistent_read=True,
    )
    done = "LastEvaluatedKey" not in response
    with FlintItem.batch_write() as batch:
        for raw in response.get("Items", []):
            batch.delete(FlintItem(marker.pk, raw["SK"]["S"]))
        if done:
            batch.delete(FlintItem(marker.pk, marker.sk))
    if not done:
        connection.update(
            AudienceCleanupItem(marker.pk, marker.sk),
            [AudienceCleanupItem.step.set(step + 1)],
            condition=AudienceCleanupItem.step == step,
        )
    return done


# --- rows -------------------------------------------------------------------------------------

_SETS = {
    "posted": AudienceRowItem.posted,
    "engaged": AudienceRowItem.engaged,
    "interests": AudienceRowItem.interests,
    "labels": AudienceRowItem.labels,
    "earned": AudienceRowItem.earned,
}


def apply_row_change(change: RowChange) -> None:
    """At most three UpdateItems (adds; removals; the capped `earned` adds), each idempotent; one
    when only `earned` grows (an author's row after smiles and comments)."""
    key = keys.audience_row(change.brand_id, change.member_id)
    owned = keys.member_owned(change.member_id, ROW_KIND, change.brand_id)
    base = [
        AudienceRowItem.entity.set(AudienceRowItem),  # type: ignore[arg-type]
        AudienceRowItem.brand_id.set(change.brand_id),
        AudienceRowItem.member_id.set(change.member_id),
        AudienceRowItem.GSI4PK.set(owned.pk),
        AudienceRowItem.GSI4SK.set(owned.sk),
    ]
    adds = [_SETS[name].add(values) for name, values in change.add.items() if values]
    if change.last_active:
        adds.append(AudienceRowItem.last_active.set(change.last_active))
    removals = [_SETS[name].delete(values) for name, values in change.remove.items() if values]
    item = AudienceRowItem(key.pk, key.sk)
    # Past the cap nothing is added: the row stays small whatever the author's fame.
    under_cap = AudienceRowItem.earned.does_not_exist() | (size(AudienceRowItem.earned) < EARNED_CAP)
    if change.earned_add and not adds and not removals:
        # The row's own attributes ride on the capped add: a row past the cap exists already, so
        # when the condition fails nothing else is lost.
        connection.update(item, [*base, AudienceRowItem.earned.add(change.earned_add)], condition=under_cap)
        return
    connection.update(item, [*base, *adds])
    if removals:
        connection.update(item, removals)
    if change.earned_add:
        connection.update(item, [AudienceRowItem.earned.add(change.earned_add)], condition=under_cap)


def get_rows(wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Row]:
    """(brand, member) -> row: one consistent BatchGetItem per 100."""
    table_keys = [keys.audience_row(b, m) for b, m in dict.fromkeys(wanted)]
    if not table_keys:
        return {}
    return {
        (i.brand_id, i.member_id): _row(i)
        for i in AudienceRowItem.batch_get(table_keys, consistent_read=True)
    }


def rows_page(brand_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    """A page of a brand's rows (one Query): an audience's backfill."""
    results = AudienceRowItem.query(
        keys.audience_rows(brand_id), limit=limit, page_size=limit, last_evaluated_key=start
    )
    return Page([_row(i) for i in results], results.last_evaluated_key)


def member_row_brands(member_id: str) -> list[str]:
    """The brands a member has a row of (GSI4, keys only; pages until done: one per ~1,000 brands)."""
    brands: list[str] = []
    start = None
    while True:
        page = ownership.find_owned(member_id, ROW_KIND, 1000, start)
        brands += [pk.removeprefix(keys.audience_rows("")) for pk, _ in page.items]
        if page.last_key is None:
            return brands
        start = page.last_key


# --- memberships ------------------------------------------------------------------------------


def write_memberships(puts: Sequence[Membership], deletes: Sequence[tuple[str, str]]) -> None:
    """Put members in audiences and take others out (BatchWriteItem, 25 a request); idempotent."""
    if not puts and not deletes:
        return
    with FlintItem.batch_write() as batch:
        for m in puts:
            key = keys.audience_member(m.audience_id, m.member_id)
            owned = keys.member_owned(m.member_id, MEMBER_KIND, m.audience_id)
            batch.save(
                AudienceMemberItem(
                    key.pk,
                    key.sk,
                    GSI4PK=owned.pk,
                    GSI4SK=owned.sk,
                    audience_id=m.audience_id,
                    brand_id=m.brand_id,
                    member_id=m.member_id,
                    tags=m.tags,
                    last_active=m.last_active,
                    followers=m.followers,
                )
            )
        for audience_id, member_id in deletes:
            key = keys.audience_member(audience_id, member_id)
            batch.delete(FlintItem(key.pk, key.sk))


def members_page(
    audience_id: str, limit: int, start: dict[str, Any] | None, active_since: str | None
) -> Page:
    """A page of an audience's members by member id: exactly one Query request (the recency
    filter may leave it short of `limit`; the cursor goes on from where the read stopped)."""
    kwargs: dict[str, Any] = {}
    if active_since:
        kwargs["filter_condition"] = AudienceMemberItem.last_active >= active_since
    response = FlintItem._get_connection().query(
        keys.audience_members(audience_id), limit=limit, exclusive_start_key=start, **kwargs
    )
    items = [AudienceMemberItem.from_raw_data(raw) for raw in response.get("Items", [])]
    return Page([_membership(i) for i in items], response.get("LastEvaluatedKey"))


# --- invitations ------------------------------------------------------------------------------


def put_invitation(invitation: Invitation) -> bool:
    """Create the invitation unless the brand ever invited this member (False then)."""
    key = keys.invitation(invitation.brand_id, invitation.member_id)
    owned = keys.member_owned(invitation.member_id, INVITATION_KIND, invitation.brand_id)
    item = InvitationItem(
        key.pk,
        key.sk,
        GSI4PK=owned.pk,
        GSI4SK=owned.sk,
        brand_id=invitation.brand_id,
        member_id=invitation.member_id,
        audience_id=invitation.audience_id,
        status=INVITED,
        created_at=invitation.created_at,
    )
    return connection.put(item, condition=InvitationItem.PK.does_not_exist())


def get_invitation(brand_id: str, member_id: str) -> Invitation | None:
    key = keys.invitation(brand_id, member_id)
    try:
        item = InvitationItem.get(key.pk, key.sk, consistent_read=True)
    except InvitationItem.DoesNotExist:
        return None
    return Invitation(item.brand_id, item.member_id, item.audience_id, item.status, item.created_at)


def answer_invitation(invitation: Invitation, status: str, now: str) -> bool:
    """Move an open invitation to accepted or declined; an acceptance counts on the community in
    the same transaction. False when it was answered already (nothing changes then)."""
    key = keys.invitation(invitation.brand_id, invitation.member_id)
    community = keys.community(invitation.brand_id, invitation.audience_id)

    # Accepting may follow a decline (a change of mind); declining only an open one.
    open_ = (InvitationItem.status != ACCEPTED) if status == ACCEPTED else (InvitationItem.status == INVITED)

    def write(tx: Tx, counted: bool) -> None:
        tx.update(
            InvitationItem(key.pk, key.sk),
            actions=[InvitationItem.status.set(status), InvitationItem.answered_at.set(now)],
            condition=open_,
            label="invitation",
        )
        if counted:
            tx.update(
                CommunityItem(community.pk, community.sk),
                actions=[CommunityItem.joined.add(1)],
                condition=CommunityItem.PK.exists(),
                label="community",
            )

    outcome = transact(lambda tx: write(tx, status == ACCEPTED))
    if not outcome.committed and outcome.failed_on("community") and not outcome.failed_on("invitation"):
        # The audience (and its community) was deleted since: the answer stands, uncounted.
        outcome = transact(lambda tx: write(tx, False))
    return outcome.committed


# --- what a member owns here (chalicelib/data/ownership.py) ------------------------------------


def _finder(kind: str) -> Any:
    return lambda member_id, limit, start: ownership.find_owned(member_id, kind, limit, start)


ownership.register(
    OwnedKind(
        "audience_rows",
        (AudienceRowItem,),
        ("audience_row",),
        _finder(ROW_KIND),
        ownership.erase_by_deleting,
    )
)
ownership.register(
    OwnedKind(
        "audience_memberships",
        (AudienceMemberItem,),
        ("audience_member",),
        _finder(MEMBER_KIND),
        ownership.erase_by_deleting,
    )
)
# The brand's invitation goes; the community's counts stay (numbers, nobody named).
ownership.register(
    OwnedKind(
        "invitations",
        (InvitationItem,),
        ("invitation",),
        _finder(INVITATION_KIND),
        ownership.erase_by_deleting,
    )
)
