"""Access patterns for brand pages and brand follows (issue 22, first slice).

- A member's brand follows are one string set on their profile (`brands_followed`): the set is
  the edge. Following is one transaction: the set gains the brand on condition it lacks it (and
  holds fewer than the cap), and the brand's `followers` counter moves with it, so a retried or
  repeated follow counts once.
- A brand's community list (`FEED#BRAND#<brand>` / `LIST`, keys.brand_community_owner) holds
  the best posts that tag its products by rank key, in the shared lists' format (data/feeds.py):
  the brand page reads it with one GetItem, a follower's feed refresh in the BatchGetItem that
  reads their interest lists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pynamodb.expressions.condition import size

from chalicelib.data import keys, ownership
from chalicelib.data.catalog import Brand, Product, to_product
from chalicelib.data.connection import Tx, transact
from chalicelib.data.feeds import SharedList, to_shared_list
from chalicelib.data.models import BrandItem, FeedListItem, FlintItem, ProductItem, UserItem
from chalicelib.data.ownership import Erased, OwnedKind
from chalicelib.data.pages import Page
from chalicelib.data.social import EDGE, TARGET, EdgeChange, edge_change
from chalicelib.data.users import not_banned

LIMIT = "limit"  # the member already follows as many brands as allowed


@dataclass(frozen=True)
class BrandProfile:
    brand_id: str
    name: str
    followers: int


@dataclass(frozen=True)
class PageStart:
    """What a brand page reads first, in one BatchGetItem."""

    brand: BrandProfile | None
    community: SharedList | None
    followed_by_viewer: bool


def _profile(item: BrandItem) -> BrandProfile:
    return BrandProfile(item.brand_id, item.name, max(0, int(item.followers or 0)))


def page_start(brand_id: str, viewer_id: str | None) -> PageStart:
    """The brand, its community list and (signed in) the viewer's profile: one BatchGetItem."""
    wanted = [keys.brand(brand_id), keys.feed_list(keys.brand_community_owner(brand_id))]
    if viewer_id:
        wanted.append(keys.user(viewer_id))
    brand: BrandProfile | None = None
    community: SharedList | None = None
    followed = False
    for item in FlintItem.batch_get(wanted):
        if isinstance(item, BrandItem):
            brand = _profile(item)
        elif isinstance(item, FeedListItem):
            community = to_shared_list(item)
        elif isinstance(item, UserItem):
            followed = brand_id in (item.brands_followed or ())
    return PageStart(brand, community, followed)


def get_brand_profile(brand_id: str, *, consistent: bool = False) -> BrandProfile | None:
    key = keys.brand(brand_id)
    try:
        return _profile(BrandItem.get(key.pk, key.sk, consistent_read=consistent))
    except BrandItem.DoesNotExist:
        return None


def get_brands(brand_ids: Iterable[str]) -> dict[str, BrandProfile]:
    wanted = [keys.brand(b) for b in dict.fromkeys(brand_ids)]
    return {i.brand_id: _profile(i) for i in BrandItem.batch_get(wanted)} if wanted else {}


def list_brand_products(brand_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    """A brand's catalog in product id order (one Query of GSI1 `BRAND#<brand>`)."""
    condition = keys.brand_products(brand_id)
    results = FlintItem.gsi1.query(
        condition.pk,
        FlintItem.GSI1SK.startswith(condition.sk),
        limit=limit,
        page_size=limit,
        last_evaluated_key=start,
    )
    items: list[Product] = [to_product(i) for i in results if isinstance(i, ProductItem)]
    return Page(items, results.last_evaluated_key)


def followed_brand_ids(member_id: str) -> list[str]:
    """The brands a member follows (one consistent GetItem of the profile), sorted."""
    key = keys.user(member_id)
    try:
        item = UserItem.get(key.pk, key.sk, consistent_read=True, attributes_to_get=["brands_followed"])
    except UserItem.DoesNotExist:
        return []
    return sorted(item.brands_followed or ())


def follow_brand(member_id: str, brand_id: str, max_follows: int) -> EdgeChange | str:
    """Add the brand to the member's set and count them on the brand, once (one transaction).

    `LIMIT` when they follow `max_follows` brands already (and not this one)."""
    me, brand = keys.user(member_id), keys.brand(brand_id)

    def write(tx: Tx) -> None:
        tx.update(
            BrandItem(brand.pk, brand.sk),
            actions=[BrandItem.followers.add(1)],
            condition=BrandItem.PK.exists(),
            label=TARGET,
        )
        tx.update(
            UserItem(me.pk, me.sk),
            actions=[UserItem.brands_followed.add({brand_id})],
            # One condition for the edge, the ban and the cap (a transaction may not check an item
            # it also updates): a failure is told apart by one read, off the usual path.
            condition=not_banned()
            & ~UserItem.brands_followed.contains(brand_id)
            & (UserItem.brands_followed.does_not_exist() | (size(UserItem.brands_followed) < max_follows)),
            label=EDGE,
        )

    outcome = transact(write)
    if outcome.committed or TARGET in outcome.failed:
        return edge_change(outcome)
    return _why_not_followed(member_id, brand_id, max_follows)


def _why_not_followed(member_id: str, brand_id: str, max_follows: int) -> EdgeChange | str:
    key = keys.user(member_id)
    try:
        item = UserItem.get(key.pk, key.sk, consistent_read=True)
    except UserItem.DoesNotExist:
        return EdgeChange.BANNED
    if item.banned:
        return EdgeChange.BANNED
    if brand_id in (item.brands_followed or ()):
        return EdgeChange.UNCHANGED
    if len(item.brands_followed or ()) >= max_follows:
        return LIMIT
    return EdgeChange.UNCHANGED


def _leave(tx: Tx, member_id: str, brand_id: str) -> None:
    """Add to a transaction: the brand leaves the member's set (label `edge`: it was there)."""
    me = keys.user(member_id)
    tx.update(
        UserItem(me.pk, me.sk),
        actions=[UserItem.brands_followed.delete({brand_id})],
        condition=UserItem.brands_followed.contains(brand_id),
        label=EDGE,
    )


def unfollow_brand(member_id: str, brand_id: str) -> EdgeChange:
    """Take the brand out of the member's set and uncount them, once (one transaction)."""
    brand = keys.brand(brand_id)

    def write(tx: Tx) -> None:
        _leave(tx, member_id, brand_id)
        tx.update(
            BrandItem(brand.pk, brand.sk),
            actions=[BrandItem.followers.add(-1)],
            condition=BrandItem.PK.exists(),
            label=TARGET,
        )

    return edge_change(transact(write))


def drop_followed_brand(member_id: str, brand_id: str) -> None:
    """A brand that no longer exists leaves the member's set (nothing to uncount)."""
    transact(lambda tx: _leave(tx, member_id, brand_id))


# --- what a member owns here (chalicelib/data/ownership.py) ------------------------------------


def _member_brand_follows(member_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    # The set is small (capped): one page, read from the profile.
    return Page([Brand(b, "", None) for b in followed_brand_ids(member_id)], None)


def _erase_brand_follow(member_id: str, brand: Brand) -> Erased:
    if unfollow_brand(member_id, brand.brand_id) is EdgeChange.TARGET_GONE:
        drop_followed_brand(member_id, brand.brand_id)
    return Erased.GONE


ownership.register(
    OwnedKind(
        "brand_follows",
        (UserItem,),
        ("user",),
        _member_brand_follows,
        _erase_brand_follow,
        lambda b: {"brand_id": b.brand_id},
    )
)
