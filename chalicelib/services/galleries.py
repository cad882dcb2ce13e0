"""Shoppable galleries (issue 22): a brand's ordered selection of posts it has the rights to feature.

A brand builds a gallery from posts whose rights request the author approved
(services/rights.py `featurable_posts`: the one rule); the public read (`GET /galleries/{id}`) is
what the embed on the brand's own site shows: the posts still featurable, in the brand's order,
each photo's tags as hotspots with the product's title, price and link. It costs one GetItem (the
gallery), one BatchGetItem (brand, posts, rights requests) and one BatchGetItem (authors), whatever
the gallery (at most 24 posts). A post whose rights were withdrawn, or that was hidden or deleted,
drops out of the read at once; the brand's own list still names it until the brand edits it.
"""

from __future__ import annotations

from chalicelib import clock, cursors, ids
from chalicelib.auth import Identity
from chalicelib.data import rights as store
from chalicelib.data import users
from chalicelib.data.rights import Gallery
from chalicelib.errors import Conflict, NotFound
from chalicelib.observability import metrics
from chalicelib.schemas.members import BrandRef
from chalicelib.schemas.rights import GalleryIn, GalleryOut, GalleryPage, PublicGalleryOut
from chalicelib.services import rights
from chalicelib.services.catalog import check_owner, owned_brand
from chalicelib.services.presenters import summary


def _out(gallery: Gallery) -> GalleryOut:
    return GalleryOut(
        id=gallery.gallery_id,
        brand_id=gallery.brand_id,
        name=gallery.name,
        post_ids=gallery.post_ids,
        created_at=gallery.created_at,
        updated_at=gallery.updated_at,
    )


def _check_featurable(identity: Identity, brand_id: str, post_ids: list[str]) -> None:
    """The caller owns the brand and may feature every post (one BatchGetItem)."""
    found, allowed = rights.featurable_posts(brand_id, post_ids)
    check_owner(identity, found.brand)
    rights.refuse_unfeaturable(post_ids, allowed, "post_ids")


def create_gallery(identity: Identity, brand_id: str, data: GalleryIn) -> GalleryOut:
    _check_featurable(identity, brand_id, data.post_ids)
    now = clock.now_iso()
    gallery = Gallery(ids.new_id("gal"), brand_id, data.name, data.post_ids, now, now)
    if not store.put_gallery(gallery):
        raise Conflict("That gallery id is taken; try again.", code="already_exists")
    metrics.add_metric(name="GalleryCreated", unit="Count", value=1)
    return _out(gallery)


def update_gallery(identity: Identity, brand_id: str, gallery_id: str, data: GalleryIn) -> GalleryOut:
    """Replace its name and posts (the order is the list's)."""
    current = store.get_gallery(gallery_id)
    if current is None or current.brand_id != brand_id:
        owned_brand(identity, brand_id)  # another brand's gallery is this brand's 404, after its 403
        raise NotFound("No such gallery.")
    _check_featurable(identity, brand_id, data.post_ids)
    gallery = Gallery(gallery_id, brand_id, data.name, data.post_ids, current.created_at, clock.now_iso())
    if not store.replace_gallery(gallery):
        raise NotFound("No such gallery.")
    return _out(gallery)


def brand_galleries(identity: Identity, brand_id: str, limit: int, cursor: str | None) -> GalleryPage:
    owned_brand(identity, brand_id)
    scope = f"brands/{brand_id}/galleries"
    page = store.list_galleries(brand_id, limit, cursors.decode(cursor, scope=scope))
    return GalleryPage(
        items=[_out(g) for g in page.items], next_cursor=cursors.encode(page.last_key, scope=scope)
    )


def public_gallery(gallery_id: str) -> PublicGalleryOut:
    """What the embed shows: three DynamoDB requests, whatever the gallery."""
    gallery = store.get_gallery(gallery_id)
    if gallery is None:
        raise NotFound("No such gallery.")
    found, shown = rights.featurable_posts(gallery.brand_id, gallery.post_ids)
    if found.brand is None:
        raise NotFound("No such gallery.")
    authors = users.get_members({found.posts[p].author_id for p in shown})
    return PublicGalleryOut(
        id=gallery.gallery_id,
        name=gallery.name,
        brand=BrandRef(id=found.brand.brand_id, name=found.brand.name),
        posts=[summary(found.posts[p], authors.get(found.posts[p].author_id), False) for p in shown],
    )
