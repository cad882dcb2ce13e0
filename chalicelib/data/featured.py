"""Access patterns for campaigns that reach people (issue 22): which live campaigns target an
audience, which group (treated or holdout) each reached member is in, and each group's counts.

- **Audience index** (`AUDCAMP#<audience>` / `LIVE`): one item per audience holding its live
  campaigns (brand, brand name, days, featured post ids: no member id). A member's feed refresh
  reads one per audience the member is in, inside the BatchGetItem it already makes. Rewritten
  (read, then put on condition of its version) only when a brand creates, edits or ends a campaign.
- **Memberships** (`CAMPMEM#<campaign>` / `<member>`): a member's group, created once with
  `attribute_not_exists` together with an ADD on the group's size (one transaction), and marked
  engaged once together with an ADD on the group's engaged count: retries and redeliveries never
  count a member twice.
- **Groups** (`BRAND#<brand>` / `CAMPGROUPS#<campaign>`): the four counters the report reads, in
  the BatchGetItem the report already makes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.data import connection, keys, ownership
from chalicelib.data.audiences import MEMBER_KIND
from chalicelib.data.connection import Tx, transact
from chalicelib.data.models import AudienceCampaignsItem, CampaignGroupsItem, CampaignMemberItem
from chalicelib.data.ownership import OwnedKind

TREATED, HOLDOUT = "treated", "holdout"
MEMBERSHIP_KIND = "campaign_member"  # GSI4 kind: a member's campaign groups
MAX_AUDIENCES_READ = 50  # audiences of one member a refresh looks at (one Query page)
WRITE_ATTEMPTS = 4
# The counters item is created by its first ADD: its type is set with it (polymorphic reads need it).
_GROUPS_TYPE = CampaignGroupsItem.entity.set(CampaignGroupsItem)  # type: ignore[arg-type]


@dataclass(frozen=True)
class LiveCampaign:
    """A campaign as a feed refresh sees it through its audience."""

    campaign_id: str
    brand_id: str
    brand_name: str
    first: str  # ISO day
    last: str
    posts: tuple[str, ...]  # featured post ids, in the brand's order


@dataclass(frozen=True)
class Groups:
    treated: int = 0
    holdout: int = 0
    treated_engaged: int = 0
    holdout_engaged: int = 0


def _live(raw: Mapping[str, Any]) -> list[LiveCampaign]:
    return [
        LiveCampaign(
            campaign_id,
            str(entry["b"]),
            str(entry.get("n") or ""),
            str(entry["s"]),
            str(entry["e"]),
            tuple(str(p) for p in entry.get("p") or []),
        )
        for campaign_id, entry in sorted(raw.items())
    ]


def live_campaigns(item: AudienceCampaignsItem) -> list[LiveCampaign]:
    """An audience index item read alongside others (a refresh's BatchGetItem)."""
    return _live(item.campaigns or {})


def entry_of(campaign: LiveCampaign) -> dict[str, Any]:
    return {
        "b": campaign.brand_id,
        "n": campaign.brand_name,
        "s": campaign.first,
        "e": campaign.last,
        "p": list(campaign.posts),
    }


def member_audience_ids(member_id: str) -> list[str]:
    """The audiences a member is in (GSI4, keys only: one Query of at most MAX_AUDIENCES_READ)."""
    page = ownership.find_owned(member_id, MEMBER_KIND, MAX_AUDIENCES_READ, None)
    prefix = keys.audience_members("")
    return [pk.removeprefix(prefix) for pk, _ in page.items]


def set_live(audience_id: str, campaign: LiveCampaign | None, campaign_id: str, today: str) -> None:
    """Put (or with `campaign` None take out) one campaign in the audience's index, dropping the
    entries whose last day passed: one consistent GetItem and one conditional PutItem (again on a
    concurrent rewrite)."""
    key = keys.audience_campaigns(audience_id)
    for _ in range(WRITE_ATTEMPTS):
        try:
            current = AudienceCampaignsItem.get(key.pk, key.sk, consistent_read=True)
            entries, version = dict(current.campaigns or {}), int(current.version or 0)
            condition = AudienceCampaignsItem.version == version
        except AudienceCampaignsItem.DoesNotExist:
            entries, version = {}, 0
            condition = AudienceCampaignsItem.PK.does_not_exist()
        entries = {c: e for c, e in entries.items() if str(e.get("e", "")) >= today and c != campaign_id}
        if campaign is not None:
            entries[campaign_id] = entry_of(campaign)
        item = AudienceCampaignsItem(key.pk, key.sk, campaigns=entries, version=version + 1)
        if connection.put(item, condition=condition):
            return
    raise RuntimeError(f"audience {audience_id}: campaign index still contended")


def assign(brand_id: str, campaign_id: str, member_id: str, group: str, at: str) -> bool:
    """Put the member in a group of the campaign and count them, once (one transaction); False
    when they were assigned before."""
    key = keys.campaign_member(campaign_id, member_id)
    owned = keys.member_owned(member_id, MEMBERSHIP_KIND, campaign_id)
    counters = keys.campaign_groups(brand_id, campaign_id)

    def write(tx: Tx) -> None:
        tx.put(
            CampaignMemberItem(
                key.pk,
                key.sk,
                GSI4PK=owned.pk,
                GSI4SK=owned.sk,
                campaign_id=campaign_id,
                member_id=member_id,
                group=group,
                assigned_at=at,
            ),
            condition=CampaignMemberItem.PK.does_not_exist(),
            label="member",
        )
        size = CampaignGroupsItem.treated if group == TREATED else CampaignGroupsItem.holdout
        tx.update(CampaignGroupsItem(counters.pk, counters.sk), [_GROUPS_TYPE, size.add(1)], label="groups")

    return transact(write).committed


def memberships(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, bool]]:
    """(campaign, member) -> (group, engaged already), for those assigned: one consistent
    BatchGetItem per 100 pairs."""
    wanted = [keys.campaign_member(c, m) for c, m in dict.fromkeys(pairs)]
    if not wanted:
        return {}
    return {
        (item.campaign_id, item.member_id): (item.group, item.engaged_at is not None)
        for item in CampaignMemberItem.batch_get(wanted, consistent_read=True)
    }


def mark_engaged(brand_id: str, campaign_id: str, member_id: str, group: str, at: str) -> bool:
    """Count an assigned member as engaged, once (one transaction: the membership's condition and
    the group's ADD); False when they were counted before or are not assigned."""
    key = keys.campaign_member(campaign_id, member_id)
    counters = keys.campaign_groups(brand_id, campaign_id)

    def write(tx: Tx) -> None:
        tx.update(
            CampaignMemberItem(key.pk, key.sk),
            [CampaignMemberItem.engaged_at.set(at)],
            condition=CampaignMemberItem.PK.exists() & CampaignMemberItem.engaged_at.does_not_exist(),
            label="member",
        )
        engaged = (
            CampaignGroupsItem.treated_engaged if group == TREATED else CampaignGroupsItem.holdout_engaged
        )
        groups = CampaignGroupsItem(counters.pk, counters.sk)
        tx.update(groups, [_GROUPS_TYPE, engaged.add(1)], label="groups")

    return transact(write).committed


def groups_of(item: CampaignGroupsItem) -> Groups:
    """A groups item read alongside others (the campaign report's BatchGetItem)."""
    return Groups(
        int(item.treated or 0),
        int(item.holdout or 0),
        int(item.treated_engaged or 0),
        int(item.holdout_engaged or 0),
    )


# --- what a member owns here (chalicelib/data/ownership.py) ------------------------------------
# Their group in each campaign goes; the group counts stay (numbers, nobody named).

ownership.register(
    OwnedKind(
        "campaign_memberships",
        (CampaignMemberItem,),
        ("campaign_member",),
        lambda member_id, limit, start: ownership.find_owned(member_id, MEMBERSHIP_KIND, limit, start),
        ownership.erase_by_deleting,
    )
)
