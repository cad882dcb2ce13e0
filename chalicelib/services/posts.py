"""Post rules: who may publish what, tagging, reading pages cheaply, deleting everything.

Reads: a post page is a GetItem plus one BatchGetItem (author, current product
data, the viewer's smile); a list page is one Query of ids plus one
BatchGetItem (posts, authors, the viewer's smiles).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib import clock, cursors, ids
from chalicelib.auth import Identity
from chalicelib.data import catalog as catalog_store
from chalicelib.data import media as media_store
from chalicelib.data import posts as store
from chalicelib.data import social as social_store
from chalicelib.data import users
from chalicelib.data.pages import Page
from chalicelib.data.posts import PhotoRecord, PostRecord, TagRecord
from chalicelib.data.users import Member
from chalicelib.errors import Conflict, Forbidden, NotFound, ValidationFailed, field_error
from chalicelib.observability import logger, metrics
from chalicelib.schemas.catalog import Price
from chalicelib.schemas.posts import AuthorOut, PhotoOut, PostIn, PostOut, PostPage, PostSummary, TagOut
from chalicelib.services.media import delete_media, renditions_out
from chalicelib.settings import get_settings

FORMER_MEMBER = "Former member"


def page_size(limit: int, viewer: Identity | None) -> int:
    """Largest page whose hydration fits one BatchGetItem: post + author (+ viewer's smile) per card."""
    keys_per_card = 3 if viewer else 2
    return max(1, min(limit, store.BATCH_GET_LIMIT // keys_per_card))


def author_out(author_id: str, member: Member | None) -> AuthorOut:
    if member is None:
        return AuthorOut(id=author_id, display_name=FORMER_MEMBER, badges=[])
    return AuthorOut(id=member.user_id, display_name=member.display_name, badges=member.badges)


def _tag_out(tag: TagRecord, product: Any | None) -> TagOut:
    if product is not None:  # the post page shows the product as it is now
        return TagOut(
            product_id=tag.product_id,
            x=tag.x,
            y=tag.y,
            title=product.title,
            price=Price(amount=product.price_amount, currency=product.currency),
            url=product.url,
        )
    return TagOut(
        product_id=tag.product_id,
        x=tag.x,
        y=tag.y,
        title=tag.title,
        price=Price(amount=tag.price_amount, currency=tag.currency),
        url=tag.url,
    )


def summary(
    post: PostRecord, author: Member | None, smiled: bool, products: dict[str, Any] | None = None
) -> PostSummary:
    settings = get_settings()
    products = products or {}
    return PostSummary(
        id=post.post_id,
        kind=post.kind,  # type: ignore[arg-type]
        caption=post.caption,
        created_at=post.created_at,
        author=author_out(post.author_id, author),
        interests=post.interests,
        photos=[
            PhotoOut(
                width=photo.width,
                height=photo.height,
                thumbnails=renditions_out(settings, photo.renditions),
                palette=photo.palette,
                tags=[_tag_out(t, products.get(t.product_id)) for t in photo.tags],
            )
            for photo in post.photos
        ],
        shop_count=len(post.product_ids),
        smile_count=post.smile_count,
        comment_count=post.comment_count,
        smiled_by_me=smiled,
    )


def _check_interests(interest_ids: list[str]) -> None:
    known = users.find_interests(interest_ids)
    unknown = [
        field_error(f"interests.{i}", f"unknown interest id {iid!r}", "unknown_interest")
        for i, iid in enumerate(interest_ids)
        if iid not in known
    ]
    if unknown:
        raise ValidationFailed("Some interests do not exist.", unknown)


def _check_uploads(identity: Identity, data: PostIn) -> dict[str, media_store.Upload]:
    uploads = media_store.get_uploads(p.upload_id for p in data.photos)
    unknown = [
        field_error(f"photos.{i}.upload_id", f"unknown upload {p.upload_id!r}", "unknown_upload")
        for i, p in enumerate(data.photos)
        if p.upload_id not in uploads
    ]
    if unknown:
        raise ValidationFailed("Some uploads do not exist.", unknown)
    for upload in uploads.values():
        if upload.owner_id != identity.user_id:
            raise Forbidden(f"Upload {upload.upload_id} is not yours.", code="not_owner")
        if upload.status != media_store.READY:
            raise Conflict(
                f"Upload {upload.upload_id} is {upload.status}, not ready.", code="upload_not_ready"
            )
        if upload.post_id:
            raise Conflict(f"Upload {upload.upload_id} is already in a post.", code="upload_already_used")
    return uploads


def _check_products(data: PostIn) -> dict[str, catalog_store.Product]:
    wanted = [t.product_id for p in data.photos for t in p.tags]
    products = catalog_store.get_products(wanted)
    unknown = [
        field_error(f"photos.{i}.tags.{j}.product_id", f"unknown product {t.product_id!r}", "unknown_product")
        for i, p in enumerate(data.photos)
        for j, t in enumerate(p.tags)
        if t.product_id not in products
    ]
    if unknown:
        raise ValidationFailed("Some tagged products do not exist.", unknown)
    return products


def create_post(identity: Identity, data: PostIn) -> PostOut:
    _check_interests(data.interests)
    interests = list(dict.fromkeys(data.interests))  # a repeated interest files the post once
    uploads = _check_uploads(identity, data)
    products = _check_products(data)
    photos = []
    for photo in data.photos:
        upload = uploads[photo.upload_id]
        tags = [
            TagRecord(
                t.product_id,
                t.x,
                t.y,
                products[t.product_id].title,
                products[t.product_id].price_amount,
                products[t.product_id].currency,
                products[t.product_id].url,
            )
            for t in photo.tags
        ]
        photos.append(
            PhotoRecord(
                upload_id=upload.upload_id,
                width=upload.width or 0,
                height=upload.height or 0,
                renditions={
                    r.name: {"key": r.key, "width": r.width, "height": r.height} for r in upload.renditions
                },
                palette=upload.palette,
                tags=tags,
            )
        )
    record = PostRecord(
        post_id=ids.new_id("post"),
        author_id=identity.user_id,
        kind=data.kind,
        caption=data.caption,
        body=data.body,
        interests=interests,
        photos=photos,
        created_at=clock.now_iso(),
        product_ids=list(dict.fromkeys(t.product_id for p in data.photos for t in p.tags)),
        labels=list(dict.fromkeys(label for u in uploads.values() for label in u.labels)),
    )
    try:
        store.create_post(record)
    except store.PostWriteConflict as exc:
        logger.info("post transaction cancelled", extra={"reasons": exc.reasons})
        raise Conflict(
            "An upload or product changed while publishing; check them and retry.", code="upload_not_ready"
        ) from exc
    metrics.add_metric(name="PostPublished", unit="Count", value=1)
    author = users.get_member(identity.user_id)
    return PostOut(**summary(record, author, smiled=False).model_dump(), body=record.body)


def get_post(post_id: str, viewer: Identity | None) -> PostOut:
    post = store.get_post(post_id)
    if post is None:
        raise NotFound("No such post.")
    hydrated = store.hydrate(
        [],
        viewer_id=viewer.user_id if viewer else None,
        author_ids=[post.author_id],
        product_ids=post.product_ids,
        smile_post_ids=[post_id],
    )
    base = summary(post, hydrated.authors.get(post.author_id), post_id in hydrated.smiled, hydrated.products)
    return PostOut(**base.model_dump(), body=post.body)


def _page(
    list_refs: Callable[[int, dict[str, Any] | None], Page],
    limit: int,
    cursor: str | None,
    viewer: Identity | None,
    *,
    scope: str,
    check_exists: Callable[[], None],
) -> PostPage:
    """One Query of ids, one BatchGetItem to hydrate them.

    Listing entries only exist for a member, interest or product that exists, so the parent is
    looked up (`check_exists` raises NotFound) only when the page comes back empty. The cursor is
    scoped to the listing: replayed against another one it is a 400, not a foreign start key.
    """
    refs_page = list_refs(page_size(limit, viewer), cursors.decode(cursor, scope=scope))
    refs = refs_page.items
    if not refs:
        check_exists()
    hydrated = store.hydrate(
        [r.post_id for r in refs],
        viewer_id=viewer.user_id if viewer else None,
        author_ids=[r.author_id for r in refs],
    )
    items = [
        summary(hydrated.posts[r.post_id], hydrated.authors.get(r.author_id), r.post_id in hydrated.smiled)
        for r in refs
        if r.post_id in hydrated.posts
    ]
    return PostPage(items=items, next_cursor=cursors.encode(refs_page.last_key, scope=scope))


def member_posts(user_id: str, limit: int, cursor: str | None, viewer: Identity | None) -> PostPage:
    def check_exists() -> None:
        if users.get_member(user_id) is None:
            raise NotFound("No such member.")

    return _page(
        lambda n, start: store.list_author_post_ids(user_id, n, start),
        limit,
        cursor,
        viewer,
        scope=f"users/{user_id}/posts",
        check_exists=check_exists,
    )


def interest_posts(interest_id: str, limit: int, cursor: str | None, viewer: Identity | None) -> PostPage:
    def check_exists() -> None:
        if not users.find_interests([interest_id]):
            raise NotFound("No such interest.")

    return _page(
        lambda n, start: store.list_interest_post_ids(interest_id, n, start),
        limit,
        cursor,
        viewer,
        scope=f"interests/{interest_id}/posts",
        check_exists=check_exists,
    )


def product_posts(product_id: str, limit: int, cursor: str | None, viewer: Identity | None) -> PostPage:
    def check_exists() -> None:
        if catalog_store.get_product(product_id) is None:
            raise NotFound("No such product.")

    return _page(
        lambda n, start: store.list_product_post_ids(product_id, n, start),
        limit,
        cursor,
        viewer,
        scope=f"products/{product_id}/posts",
        check_exists=check_exists,
    )


def delete_post(identity: Identity, post_id: str) -> None:
    """Hide the post at once, then remove everything that belongs to it. Retrying finishes a cascade."""
    post = store.begin_delete(post_id, identity.user_id)
    if post is None:
        found = store.get_post_any_state(post_id)
        if found is None:
            raise NotFound("No such post.")
        raise Forbidden("Only the author may delete this post.", code="not_owner")
    # Images first, the post item last: a crash anywhere leaves a hidden post a retry can finish.
    upload_ids = [p.upload_id for p in post.photos]
    originals = [u.object_key for u in media_store.get_uploads(upload_ids).values()]
    delete_media(upload_ids, originals)
    media_store.delete_uploads(upload_ids)
    social_store.settle_deleted_post_smiles(post, social_store.smiles_of_post(post_id))
    store.finish_delete(post, store.post_partition_keys(post_id))
    metrics.add_metric(name="PostDeleted", unit="Count", value=1)
