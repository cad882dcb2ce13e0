"""Everything Flint holds about a member: one registry each data module contributes its kinds to.

A kind says how to find a member's items of one sort (a page at a time), how to erase one
(idempotently: erasing something already gone is fine) and how to show one in an export. The
erasure job (services/erasure.py) walks every kind in `phase` order; `GET /me/export` pages
through every kind that exports. Items a member owns outside their own partitions carry the
GSI4 key `MEMBER#<member>` (keys.member_owned), so every kind is found with Queries, never a
Scan.

A new item type that names a member must be registered here (a kind listing its model and the
keys.py functions that build its keys with a member id), or declared in NOT_MEMBER_DATA with the
reason: tests/unit/test_ownership_registry.py fails otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from chalicelib.data import keys
from chalicelib.data.models import FlintItem
from chalicelib.data.pages import Page


class Erased(StrEnum):
    GONE = "gone"  # erased now, or already gone
    WAIT = "wait"  # cannot go yet (e.g. its post's own deletion is under way): try again later


@dataclass(frozen=True)
class OwnedKind:
    name: str
    # The item classes of this kind, and the keys.py functions that build their keys from a member id.
    models: tuple[type[FlintItem], ...]
    key_functions: tuple[str, ...]
    find: Callable[[str, int, dict[str, Any] | None], Page]  # (member, limit, start) -> records
    erase: Callable[[str, Any], Erased]  # (member, record)
    export: Callable[[Any], dict[str, Any]] | None = None  # record -> its JSON in GET /me/export
    phase: int = 1  # erased in ascending phase; the profile itself goes last


_KINDS: dict[str, OwnedKind] = {}
INDEX = "GSI4"


def register(kind: OwnedKind) -> OwnedKind:
    if kind.name in _KINDS and _KINDS[kind.name] != kind:
        raise ValueError(f"two kinds named {kind.name!r}")
    _KINDS[kind.name] = kind
    return kind


def kinds() -> list[OwnedKind]:
    """Every registered kind, in erasure order (services/erasure.py imports every contributor first)."""
    return sorted(_KINDS.values(), key=lambda k: (k.phase, k.name))


def find_owned(member_id: str, kind: str, limit: int, start: dict[str, Any] | None) -> Page:
    """Table keys `(PK, SK)` of a member's items of one GSI4 kind (one Query; keys only).

    Through the table connection, not `FlintItem.gsi4.query`: a keys-only entry has no `type`,
    and PynamoDB's polymorphic query filters on it.
    """
    condition = keys.member_owned_kind(member_id, kind)
    response = FlintItem._get_connection().query(
        condition.pk,
        FlintItem.GSI4SK.startswith(condition.sk),
        index_name=INDEX,
        limit=limit,
        exclusive_start_key=start,
    )
    found = [(item["PK"]["S"], item["SK"]["S"]) for item in response.get("Items", [])]
    return Page(found, response.get("LastEvaluatedKey"))


def load(table_keys: Iterable[tuple[str, str]]) -> list[FlintItem]:
    """The items behind keys a keys-only Query returned (one consistent BatchGetItem per 100)."""
    wanted = list(dict.fromkeys(table_keys))
    return list(FlintItem.batch_get(wanted, consistent_read=True)) if wanted else []


def delete(table_keys: Iterable[tuple[str, str]]) -> None:
    with FlintItem.batch_write() as batch:
        for pk, sk in dict.fromkeys(table_keys):
            batch.delete(FlintItem(pk, sk))


def erase_by_deleting(member_id: str, table_key: tuple[str, str]) -> Erased:
    """The `erase` of a kind whose records are table keys and whose items just go (a delete of
    something already gone is fine)."""
    delete([table_key])
    return Erased.GONE


# Item classes that hold nothing about a member, and why (the registry test checks every model).
NOT_MEMBER_DATA: dict[str, str] = {
    "FlintItem": "the base class",
    "InterestItem": "the interest catalog",
    "ProductItem": "a brand's catalog product",
    "AudienceCampaignsItem": "an audience's live campaigns (brand, days, featured post ids): no member id",
    "CampaignGroupsItem": "a campaign's group sizes and engaged counts: numbers, nobody named",
    "VisualSignatureItem": "a catalog product's visual signature (image discovery)",
    "TagSuggestionItem": (
        "a brand's tag suggestion, in the post's partition: it goes with the post (the post kind's "
        "cascade); its asker is the brand account acting for its brand"
    ),
    "AuditItem": (
        "the moderation audit trail: append-only, it is the record of what moderators did and is "
        "kept after an erasure (ids only, of no one once the profile and sign-in are gone: "
        "docs/privacy.md)"
    ),
    "CampaignItem": "a brand's campaign (brands are not members: see docs/privacy.md)",
    "AppliedMarkerItem": "an idempotency token of one aggregated delivery (a hash, no member id)",
    "PostRefItem": "a listing entry of a post: it goes with the post (the post kind's cascade)",
    "FeedListItem": "a shared candidate list: ids of live posts and their authors; a deleted post "
    "(erasure deletes every post) leaves it at the next planner run",
    "FeedChangeItem": "the feed change log: post and author ids the stream saw, expiring in 2 days",
    "FeedRunItem": "a planner run record: 4-byte hashes of authors who posted, deleted post ids; 2 days",
    "FeedPlanItem": "the feed planner's own state",
    "BrandNameItem": "a brand's name claim",
    "BrandHeadItem": "a brand's summary head (days with data)",
    "BrandCampaignsItem": "a brand's tracked campaigns (ids, products, days)",
    "CampaignBackfillItem": "a campaign's day totals (counts only)",
    "GalleryItem": "a brand's gallery: post ids only; a post's deletion or its author's erasure "
    "withdraws its rights (data/rights.py), and a gallery shows only posts whose rights are approved",
    "AudienceItem": "a brand's saved audience: its name and rules",
    "CommunityItem": "an audience's community: a cursor and counts, nobody named",
    "AudienceCleanupItem": "a deleted audience's clean-up position: nobody named",
}
