"""Access patterns for brand accounts: the brands a member owns, and brand campaigns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chalicelib.data import connection, keys, ownership
from chalicelib.data.catalog import Brand, Product, to_product
from chalicelib.data.engagement import Head
from chalicelib.data.featured import Groups, groups_of
from chalicelib.data.models import (
    BrandAuthorItem,
    BrandHeadItem,
    BrandItem,
    CampaignBackfillItem,
    CampaignGroupsItem,
    CampaignItem,
    FlintItem,
    PostItem,
    ProductItem,
)
from chalicelib.data.ownership import Erased, OwnedKind
from chalicelib.data.pages import Page
from chalicelib.data.posts import LIVE, PostRecord, to_post


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    brand_id: str
    name: str
    product_ids: list[str]
    starts_at: str
    ends_at: str
    audience_id: str | None = None
    featured_post_ids: list[str] = field(default_factory=list)
    ended_at: str | None = None


def owned_brands(owner_id: str) -> list[Brand]:
    """The member's brands, by id (one Query on GSI1)."""
    condition = keys.owner_brands(owner_id)
    return [
        Brand(item.brand_id, item.name, item.owner_id)
        for item in FlintItem.gsi1.query(condition.pk, FlintItem.GSI1SK.startswith(condition.sk))
        if isinstance(item, BrandItem)
    ]


def brand_product_titles(brand_id: str, product_ids: list[str]) -> dict[str, tuple[str, str]]:
    """(brand id, title) of these products (one BatchGetItem per 100), for any brand."""
    wanted = [keys.product(p) for p in dict.fromkeys(product_ids)]
    if not wanted:
        return {}
    return {item.product_id: (item.brand_id, item.title) for item in ProductItem.batch_get(wanted)}


def _campaign(item: CampaignItem) -> Campaign:
    return Campaign(
        campaign_id=item.campaign_id,
        brand_id=item.brand_id,
        name=item.name,
        product_ids=list(item.product_ids or []),
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        audience_id=item.audience_id,
        featured_post_ids=list(item.featured_post_ids or []),
        ended_at=item.ended_at,
    )


def put_campaign(campaign: Campaign, created_at: str) -> bool:
    """Store a new campaign; False when the id is taken (through the spine: a failed condition is a
    result, never an exception)."""
    key = keys.campaign(campaign.brand_id, campaign.campaign_id)
    item = CampaignItem(
        key.pk,
        key.sk,
        campaign_id=campaign.campaign_id,
        brand_id=campaign.brand_id,
        name=campaign.name,
        product_ids=campaign.product_ids,
        starts_at=campaign.starts_at,
        ends_at=campaign.ends_at,
        created_at=created_at,
        audience_id=campaign.audience_id,
        featured_post_ids=campaign.featured_post_ids,
    )
    return connection.put(item, condition=CampaignItem.PK.does_not_exist())


def update_campaign(campaign: Campaign) -> bool:
    """Store a campaign's name and targeting; False when it is gone or was ended meanwhile (one
    conditional UpdateItem)."""
    key = keys.campaign(campaign.brand_id, campaign.campaign_id)
    actions = [
        CampaignItem.name.set(campaign.name),
        CampaignItem.featured_post_ids.set(campaign.featured_post_ids),
        CampaignItem.audience_id.set(campaign.audience_id)
        if campaign.audience_id
        else CampaignItem.audience_id.remove(),
    ]
    condition = CampaignItem.PK.exists() & CampaignItem.ended_at.does_not_exist()
    return connection.update(CampaignItem(key.pk, key.sk), actions, condition=condition)


def end_campaign(brand_id: str, campaign_id: str, ends_at: str, ended_at: str) -> bool:
    """End a campaign now: its last day becomes `ends_at`; False when it is gone or already ended
    (one conditional UpdateItem)."""
    key = keys.campaign(brand_id, campaign_id)
    actions = [CampaignItem.ends_at.set(ends_at), CampaignItem.ended_at.set(ended_at)]
    condition = CampaignItem.PK.exists() & CampaignItem.ended_at.does_not_exist()
    return connection.update(CampaignItem(key.pk, key.sk), actions, condition=condition)


def get_campaign(brand_id: str, campaign_id: str) -> Campaign | None:
    key = keys.campaign(brand_id, campaign_id)
    try:
        return _campaign(CampaignItem.get(key.pk, key.sk))
    except CampaignItem.DoesNotExist:
        return None


def list_campaigns(brand_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    """The brand's campaigns, newest first (one Query of its partition)."""
    partition = keys.brand(brand_id).pk
    results = CampaignItem.query(
        partition,
        CampaignItem.SK.startswith(keys.CAMPAIGN_PREFIX),
        scan_index_forward=False,
        limit=limit,
        page_size=limit,
        last_evaluated_key=start,
    )
    return Page([_campaign(i) for i in results], results.last_evaluated_key)


def set_owner(brand_id: str, owner_id: str) -> bool:
    """Give an existing brand to a brand account (its GSI1 entry makes it one of theirs); False
    when there is no such brand."""
    key, owned = keys.brand(brand_id), keys.brand_owner(owner_id, brand_id)
    return connection.update(
        BrandItem(key.pk, key.sk),
        [
            BrandItem.owner_id.set(owner_id),
            BrandItem.GSI1PK.set(owned.pk),
            BrandItem.GSI1SK.set(owned.sk),
        ],
        condition=BrandItem.PK.exists(),
    )


@dataclass(frozen=True)
class BrandOverview:
    """A brand, its summary head and (for a campaign report) the campaign and its backfill."""

    brand: Brand | None
    head: Head
    campaign: Campaign | None = None
    backfill: dict[str, list[int]] | None = None
    groups: Groups | None = None  # its treated and holdout groups (data/featured.py)


def brand_overview(brand_id: str, campaign_id: str | None = None) -> BrandOverview:
    """The brand and its head (and a campaign with its backfill and groups), in one BatchGetItem."""
    wanted = [keys.brand(brand_id), keys.brand_head(brand_id)]
    if campaign_id:
        wanted += [
            keys.campaign(brand_id, campaign_id),
            keys.campaign_backfill(brand_id, campaign_id),
            keys.campaign_groups(brand_id, campaign_id),
        ]
    brand, head, campaign, backfill, groups = None, Head(), None, None, None
    for item in FlintItem.batch_get(wanted):
        if isinstance(item, BrandItem):
            brand = Brand(item.brand_id, item.name, item.owner_id)
        elif isinstance(item, BrandHeadItem):
            head = Head(
                item.first_day, item.last_day, item.compacted_through, int(item.version or 0), exists=True
            )
        elif isinstance(item, CampaignItem):
            campaign = _campaign(item)
        elif isinstance(item, CampaignBackfillItem):
            backfill = {d: list(v) for d, v in (item.days or {}).items()}
        elif isinstance(item, CampaignGroupsItem):
            groups = groups_of(item)
    return BrandOverview(brand, head, campaign, backfill, groups)


@dataclass(frozen=True)
class InsightItems:
    posts: dict[str, PostRecord]  # live posts only
    products: dict[str, Product]
    ever_authors: set[str]  # of the members asked about: who ever posted about the brand


def insight_items(
    brand_id: str, post_ids: list[str], product_ids: list[str], member_ids: list[str]
) -> InsightItems:
    """Shown posts, products' titles and which members ever posted about the brand: one
    BatchGetItem of at most 100 keys (the caller sizes the lists)."""
    wanted = [keys.post(p) for p in dict.fromkeys(post_ids)]
    wanted += [keys.product(p) for p in dict.fromkeys(product_ids)]
    wanted += [keys.brand_author(brand_id, m) for m in dict.fromkeys(member_ids)]
    found = InsightItems({}, {}, set())
    for start in range(0, len(wanted), 100):
        for item in FlintItem.batch_get(wanted[start : start + 100]):
            if isinstance(item, PostItem) and item.state == LIVE:
                found.posts[item.post_id] = to_post(item)
            elif isinstance(item, ProductItem):
                found.products[item.product_id] = to_product(item)
            elif isinstance(item, BrandAuthorItem) and (item.posts or 0) > 0:
                found.ever_authors.add(item.SK)
    return found


# --- what a member owns here (chalicelib/data/ownership.py) ------------------------------------
# A brand is a business, not personal data: when its owner's account is erased the brand, its
# products, campaigns and counters stay, without an owner (no brand account can open its
# insights) until an operator gives it to another account (set_owner). docs/privacy.md.


def _owned(member_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    return Page(owned_brands(member_id)[:limit], None)


def _release(member_id: str, brand: Brand) -> Erased:
    key = keys.brand(brand.brand_id)
    connection.update(
        BrandItem(key.pk, key.sk),
        [BrandItem.owner_id.remove(), BrandItem.GSI1PK.remove(), BrandItem.GSI1SK.remove()],
        condition=BrandItem.owner_id == member_id,
    )
    return Erased.GONE  # released now, or by an earlier attempt (the condition failed)


ownership.register(
    OwnedKind(
        "brands_owned",
        (BrandItem,),
        ("brand_owner", "owner_brands"),
        _owned,
        _release,
        lambda b: {"brand_id": b.brand_id, "name": b.name},
    )
)
