"""Brand pages and brand follows: the first slice of issue 22's one-click brand community.

- **The page** (`GET /brands/{brand_id}/page`, public): the brand's profile and follower count,
  the first page of its products, and the community's best posts. Three requests whatever the
  brand's size: one BatchGetItem (brand, community list, the viewer's profile), one Query of the
  brand's products (GSI1), one BatchGetItem hydrating at most `TOP_POSTS` posts.
- **The community list** is kept from the table's stream (`apply_post_changes`, called by the
  stream worker): a post that tags a brand's products enters, moves or leaves that brand's
  bounded list (`COMMUNITY_LIST_SIZE` best by the feeds' rank key: recent and engaged) as it is
  published, smiled at, commented on, hidden or deleted. Stream images carry the post, so the
  work is one BatchGetItem of the touched lists and one conditional PutItem per changed list per
  stream batch (product -> brand comes from the engagement worker's cached lookup); absolute
  values, so a retried batch changes nothing.
- **Follows** are allowed to any signed-in member (API.md reserves posting, smiling and
  commenting to Prime): one transaction moves the member's set and the brand's counter together.
- **Feeds**: a follower's refresh (services/feeds.py) reads each followed brand's list in the
  BatchGetItem that already reads their interest lists, and shows its posts with the reason
  `brand:<brand_id>` ("Because you follow Northpeak").
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from chalicelib import clock, cursors
from chalicelib.auth import Identity
from chalicelib.data import brand_pages as store
from chalicelib.data import engagement as engagement_store
from chalicelib.data import feeds as feed_store
from chalicelib.data import keys
from chalicelib.data import posts as post_store
from chalicelib.data.feeds import ListEntry, SharedList
from chalicelib.data.social import EdgeChange
from chalicelib.errors import Conflict, Forbidden, NotFound
from chalicelib.observability import logger, metrics
from chalicelib.schemas.brand_pages import (
    BrandFollowOut,
    BrandPageOut,
    BrandProfileOut,
    FollowedBrand,
    FollowedBrandPage,
)
from chalicelib.schemas.catalog import ProductPage
from chalicelib.services import ranking
from chalicelib.services.presenters import product_out, summary

MAX_BRAND_FOLLOWS = 50  # brands one member may follow: their set rides on every profile read
TOP_POSTS = 12  # best community posts a brand page shows
COMMUNITY_LIST_SIZE = 40  # posts a brand's community list keeps (the page and followers' feeds)
BRAND_REASON = "brand"
# What a post's stream record must change for its place in a community list to move.
_COUNTED = ("smile_count", "comment_count", "state", "product_ids")
_LIVE = "live"
WRITE_ATTEMPTS = 5


def brand_reason(brand_id: str) -> str:
    return f"{BRAND_REASON}:{brand_id}"


def _profile_out(brand: store.BrandProfile) -> BrandProfileOut:
    return BrandProfileOut(id=brand.brand_id, name=brand.name, followers=brand.followers)


def brand_page(brand_id: str, viewer: Identity | None, limit: int) -> BrandPageOut:
    viewer_id = viewer.user_id if viewer else None
    start = store.page_start(brand_id, viewer_id)
    if start.brand is None:
        raise NotFound("No such brand.")
    products = brand_products(brand_id, limit, None, known=True)
    best = start.community.entries[:TOP_POSTS] if start.community else []
    hydrated = post_store.hydrate(
        [e.post_id for e in best], viewer_id=viewer_id, author_ids=[e.author_id for e in best]
    )
    top_posts = [
        summary(hydrated.posts[e.post_id], hydrated.authors.get(e.author_id), e.post_id in hydrated.smiled)
        for e in best
        if e.post_id in hydrated.posts  # live, and not by a member the viewer blocked
    ]
    return BrandPageOut(
        brand=_profile_out(start.brand),
        followed_by_me=start.followed_by_viewer,
        products=products,
        top_posts=top_posts,
    )


def brand_products(brand_id: str, limit: int, cursor: str | None, *, known: bool = False) -> ProductPage:
    """A page of the brand's catalog (one Query); an unknown brand is a 404."""
    scope = f"brands/{brand_id}/products"
    page = store.list_brand_products(brand_id, limit, cursors.decode(cursor, scope=scope))
    if not page.items and cursor is None and not known and store.get_brand_profile(brand_id) is None:
        raise NotFound("No such brand.")
    return ProductPage(
        items=[product_out(p) for p in page.items], next_cursor=cursors.encode(page.last_key, scope=scope)
    )


def follow(identity: Identity, brand_id: str) -> BrandFollowOut:
    """Two requests: the transaction (idempotent by its condition), then the brand's count."""
    change = store.follow_brand(identity.user_id, brand_id, MAX_BRAND_FOLLOWS)
    if change is EdgeChange.TARGET_GONE:
        raise NotFound("No such brand.")
    if change is EdgeChange.BANNED:
        raise Forbidden("Your account is banned: you can no longer follow brands.", code="banned")
    if change == store.LIMIT:
        raise Conflict(
            f"You follow {MAX_BRAND_FOLLOWS} brands already: unfollow one first.", code="too_many_brands"
        )
    if change is EdgeChange.CHANGED:
        metrics.add_metric(name="BrandFollow", unit="Count", value=1)
    return BrandFollowOut(following=True, followers=_followers(brand_id))


def unfollow(identity: Identity, brand_id: str) -> BrandFollowOut:
    change = store.unfollow_brand(identity.user_id, brand_id)
    if change is EdgeChange.TARGET_GONE:
        store.drop_followed_brand(identity.user_id, brand_id)
        raise NotFound("No such brand.")
    return BrandFollowOut(following=False, followers=_followers(brand_id))


def _followers(brand_id: str) -> int:
    brand = store.get_brand_profile(brand_id, consistent=True)
    if brand is None:
        raise NotFound("No such brand.")
    return brand.followers


def followed_brands(identity: Identity) -> FollowedBrandPage:
    """The brands the member follows, by name: the profile's set and one BatchGetItem (capped)."""
    brands = store.get_brands(store.followed_brand_ids(identity.user_id))
    ordered = sorted(brands.values(), key=lambda b: (b.name.casefold(), b.brand_id))
    return FollowedBrandPage(items=[FollowedBrand(id=b.brand_id, name=b.name) for b in ordered])


# --- the community lists, from the table's stream -------------------------------------------


def _parse(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def post_entry(image: Mapping[str, Any], now: datetime) -> ListEntry:
    """A post's place in a community list, from its stream image (the feeds' rank key)."""
    smiles, comments = int(image.get("smile_count") or 0), int(image.get("comment_count") or 0)
    created_at = str(image["created_at"])
    return ListEntry(
        str(image["post_id"]),
        str(image["author_id"]),
        created_at,
        smiles,
        comments,
        False,  # the Enthusiast boost is the reader's to apply (a follower's refresh knows the holders)
        ranking.post_key(_parse(created_at), smiles, comments, now=now),
    )


def community_changes(changes: Iterable[Any], now: datetime) -> dict[str, tuple[list[str], ListEntry | None]]:
    """post id -> (its product ids, its entry or None to remove it), the last state in the batch.

    `changes` are stream records as plain values (services/engagement.TableChange); records of
    anything but a post, and edits that move nothing a list holds, are skipped."""
    latest: dict[str, tuple[list[str], ListEntry | None]] = {}
    for change in changes:
        if change.entity != "post":
            continue
        new, old = change.new or {}, change.old or {}
        if change.name == "MODIFY" and all(new.get(a) == old.get(a) for a in _COUNTED):
            continue
        image = old if change.name == "REMOVE" else new
        products = [str(p) for p in image.get("product_ids") or []]
        if not products and not old.get("product_ids"):
            continue
        live = change.name != "REMOVE" and image.get("state", _LIVE) == _LIVE
        products = products or [str(p) for p in old.get("product_ids") or []]
        latest[str(image["post_id"])] = (products, post_entry(image, now) if live else None)
    return latest


def updated_list(current: list[ListEntry], changes: Mapping[str, ListEntry | None]) -> list[ListEntry]:
    """The list with these posts upserted or removed, best rank key first, cut to its size."""
    by_post = {e.post_id: e for e in current}
    for post_id, entry in changes.items():
        if entry is None:
            by_post.pop(post_id, None)
        else:
            by_post[post_id] = entry
    ordered = sorted(by_post.values(), key=lambda e: (-e.key, e.post_id))
    return ordered[:COMMUNITY_LIST_SIZE]


def apply_post_changes(changes: Iterable[Any], now: datetime | None = None) -> int:
    """Apply one stream batch's post changes to the brands' community lists; returns lists written."""
    moment = now or clock.now()
    latest = community_changes(changes, moment)
    if not latest:
        return 0
    brands = engagement_store.product_brands(p for products, _ in latest.values() for p in products)
    per_brand: dict[str, dict[str, ListEntry | None]] = {}
    for post_id, (products, entry) in latest.items():
        for brand_id in {brands[p] for p in products if p in brands}:
            per_brand.setdefault(keys.brand_community_owner(brand_id), {})[post_id] = entry
    written = 0
    pending = dict(per_brand)
    for _ in range(WRITE_ATTEMPTS):
        current = feed_store.get_versioned_lists(pending)
        contended: dict[str, dict[str, ListEntry | None]] = {}
        for owner, wanted in pending.items():
            before, version = current.get(owner, (SharedList(owner, []), None))
            entries = updated_list(before.entries, wanted)
            if entries == before.entries:
                continue
            # The version is the write's time plus a random token: two writers never share one.
            updated_at = f"{clock.iso(moment)}#{secrets.token_hex(4)}"
            if feed_store.put_list_if(SharedList(owner, entries), updated_at, version):
                written += 1
            else:
                contended[owner] = wanted
        if not contended:
            return written
        pending = contended
    logger.warning("brand community lists contended", extra={"lists": sorted(pending)})
    raise RuntimeError(f"{len(pending)} brand community lists still contended")
