"""Access patterns for UGC rights requests and shoppable galleries (issue 22).

A rights request is one item per brand x post (keys.rights_request), so "one open request per
brand and post" is a condition on that item, never a read-then-write. Its status moves only by
conditional updates: pending -> approved | declined (the author), approved -> withdrawn (the
author, the post's deletion, the author's erasure). A gallery is one item holding its posts in
order (with their authors, so a public read hydrates everything in one BatchGetItem).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.data import connection, keys, ownership
from chalicelib.data.catalog import Brand
from chalicelib.data.models import (
    BrandItem,
    FlintItem,
    GalleryItem,
    PostItem,
    RightsRequestItem,
)
from chalicelib.data.ownership import Erased, OwnedKind
from chalicelib.data.pages import Page
from chalicelib.data.posts import LIVE, PostRecord, to_post

PENDING, APPROVED, DECLINED, WITHDRAWN = "pending", "approved", "declined", "withdrawn"
OWNED_KIND = "rights"  # GSI4 kind: the requests about a member's posts


@dataclass(frozen=True)
class RightsRequest:
    post_id: str
    brand_id: str
    author_id: str | None
    terms: str
    status: str
    requested_at: str
    decided_at: str | None = None


def _request(item: RightsRequestItem) -> RightsRequest:
    return RightsRequest(
        item.post_id,
        item.brand_id,
        item.author_id,
        item.terms,
        item.status,
        item.requested_at,
        item.decided_at,
    )


@dataclass(frozen=True)
class RequestInputs:
    """What asking for a post's rights checks: the brand, the live post (None otherwise)."""

    brand: Brand | None
    post: PostRecord | None


def request_inputs(brand_id: str, post_id: str) -> RequestInputs:
    """The brand and the post (live only): one BatchGetItem."""
    brand, post = None, None
    for item in FlintItem.batch_get([keys.brand(brand_id), keys.post(post_id)]):
        if isinstance(item, BrandItem):
            brand = Brand(item.brand_id, item.name, item.owner_id)
        elif isinstance(item, PostItem) and item.state == LIVE:
            post = to_post(item)
    return RequestInputs(brand, post)


def put_request(request: RightsRequest) -> bool:
    """Open the request: one conditional PutItem. False when one is already pending or approved
    (a declined or withdrawn one may be asked again: the put replaces it)."""
    key = keys.rights_request(request.post_id, request.brand_id)
    listed = keys.brand_rights(request.brand_id, request.requested_at, request.post_id)
    owned = keys.member_owned(str(request.author_id), OWNED_KIND, f"{request.post_id}#{request.brand_id}")
    item = RightsRequestItem(
        key.pk,
        key.sk,
        GSI1PK=listed.pk,
        GSI1SK=listed.sk,
        GSI4PK=owned.pk,
        GSI4SK=owned.sk,
        post_id=request.post_id,
        brand_id=request.brand_id,
        author_id=request.author_id,
        terms=request.terms,
        status=PENDING,
        requested_at=request.requested_at,
    )
    return connection.put(
        item,
        condition=RightsRequestItem.PK.does_not_exist() | RightsRequestItem.status.is_in(DECLINED, WITHDRAWN),
    )


def get_request(post_id: str, brand_id: str) -> RightsRequest | None:
    key = keys.rights_request(post_id, brand_id)
    try:
        return _request(RightsRequestItem.get(key.pk, key.sk, consistent_read=True))
    except RightsRequestItem.DoesNotExist:
        return None


def decide(post_id: str, brand_id: str, author_id: str, was: str, becomes: str, at: str) -> bool:
    """Move a request of the author's from `was` to `becomes`: one conditional UpdateItem."""
    key = keys.rights_request(post_id, brand_id)
    return connection.update(
        RightsRequestItem(key.pk, key.sk),
        [RightsRequestItem.status.set(becomes), RightsRequestItem.decided_at.set(at)],
        condition=(RightsRequestItem.author_id == author_id) & (RightsRequestItem.status == was),
    )


def list_brand_requests(brand_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    """The brand's requests, newest first (one Query of GSI1)."""
    return _newest_first(keys.brand_rights_partition(brand_id), RightsRequestItem, _request, limit, start)


def _newest_first(
    partition: str, model: type[FlintItem], record: Any, limit: int, start: dict[str, Any] | None
) -> Page:
    """A page of one GSI1 partition's items of `model`, as records, newest first (one Query)."""
    results = FlintItem.gsi1.query(
        partition, scan_index_forward=False, limit=limit, page_size=limit, last_evaluated_key=start
    )
    return Page([record(i) for i in results if isinstance(i, model)], results.last_evaluated_key)


def withdraw_post(post_id: str, at: str) -> int:
    """The post is gone: every pending or approved request about it is withdrawn (one Query of
    the post's requests, one conditional UpdateItem each). Returns how many changed."""
    changed = 0
    for item in RightsRequestItem.query(keys.rights_partition(post_id)):
        if item.status in (PENDING, APPROVED) and connection.update(
            item,
            [RightsRequestItem.status.set(WITHDRAWN), RightsRequestItem.decided_at.set(at)],
            condition=RightsRequestItem.status.is_in(PENDING, APPROVED),
        ):
            changed += 1
    return changed


# --- galleries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gallery:
    gallery_id: str
    brand_id: str
    name: str
    post_ids: list[str]
    created_at: str
    updated_at: str


def _gallery(item: GalleryItem) -> Gallery:
    return Gallery(
        item.gallery_id,
        item.brand_id,
        item.name,
        list(item.post_ids or []),
        item.created_at,
        item.updated_at,
    )


def _gallery_item(gallery: Gallery) -> GalleryItem:
    key, listed = keys.gallery(gallery.gallery_id), keys.brand_gallery(gallery.brand_id, gallery.gallery_id)
    return GalleryItem(
        key.pk,
        key.sk,
        GSI1PK=listed.pk,
        GSI1SK=listed.sk,
        gallery_id=gallery.gallery_id,
        brand_id=gallery.brand_id,
        name=gallery.name,
        post_ids=gallery.post_ids,
        created_at=gallery.created_at,
        updated_at=gallery.updated_at,
    )


def put_gallery(gallery: Gallery) -> bool:
    """Create it; False when the id is taken."""
    return connection.put(_gallery_item(gallery), condition=GalleryItem.PK.does_not_exist())


def replace_gallery(gallery: Gallery) -> bool:
    """Write its new name and posts; False when it is gone or another brand's."""
    return connection.put(
        _gallery_item(gallery),
        condition=GalleryItem.PK.exists() & (GalleryItem.brand_id == gallery.brand_id),
    )


def get_gallery(gallery_id: str) -> Gallery | None:
    key = keys.gallery(gallery_id)
    try:
        return _gallery(GalleryItem.get(key.pk, key.sk))
    except GalleryItem.DoesNotExist:
        return None


def list_galleries(brand_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    """The brand's galleries, newest first (one Query of GSI1)."""
    return _newest_first(keys.brand_galleries_partition(brand_id), GalleryItem, _gallery, limit, start)


@dataclass(frozen=True)
class Featured:
    """What showing some posts of a brand needs: the brand, the live posts and the brand's
    requests about them (by post id)."""

    brand: Brand | None
    posts: dict[str, PostRecord]
    requests: dict[str, RightsRequest]


def featured_items(brand_id: str, post_ids: Sequence[str]) -> Featured:
    """The brand, posts and rights requests: one BatchGetItem of at most 100 keys (the caller
    bounds `post_ids`: 2 keys each, plus the brand)."""
    wanted = [keys.brand(brand_id)]
    wanted += [keys.post(p) for p in dict.fromkeys(post_ids)]
    wanted += [keys.rights_request(p, brand_id) for p in dict.fromkeys(post_ids)]
    brand = None
    posts: dict[str, PostRecord] = {}
    requests: dict[str, RightsRequest] = {}
    for item in FlintItem.batch_get(wanted):
        if isinstance(item, BrandItem):
            brand = Brand(item.brand_id, item.name, item.owner_id)
        elif isinstance(item, PostItem):
            if item.state == LIVE:
                posts[item.post_id] = to_post(item)
        elif isinstance(item, RightsRequestItem):
            requests[item.post_id] = _request(item)
    return Featured(brand, posts, requests)


# --- what a member owns here (chalicelib/data/ownership.py) ------------------------------------
# Requests about a member's posts: their erasure withdraws each (the brand keeps a record that it
# asked and that the rights are gone, without the author), so no gallery can show the post.


def _owned_requests(member_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    return ownership.find_owned(member_id, OWNED_KIND, limit, start)


def _withdraw_for_erasure(member_id: str, table_key: tuple[str, str]) -> Erased:
    connection.update(
        RightsRequestItem(*table_key),
        [
            RightsRequestItem.status.set(WITHDRAWN),
            RightsRequestItem.author_id.remove(),
            RightsRequestItem.GSI4PK.remove(),
            RightsRequestItem.GSI4SK.remove(),
        ],
        condition=RightsRequestItem.author_id == member_id,
    )
    return Erased.GONE  # withdrawn now, or by an earlier attempt (the condition failed)


ownership.register(
    OwnedKind(
        "rights_requests",
        (RightsRequestItem,),
        ("rights_request",),
        _owned_requests,
        _withdraw_for_erasure,
        lambda key: {
            "post_id": key[0].removeprefix(keys.RIGHTS_PREFIX),
            "brand_id": key[1].removeprefix("BRAND#"),
        },
    )
)
