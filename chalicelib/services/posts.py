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
from chalicelib.data import objects, ownership, users
from chalicelib.data import posts as store
from chalicelib.data import search as search_index
from chalicelib.data import social as social_store
from chalicelib.data.connection import Outcome
from chalicelib.data.models import PostItem
from chalicelib.data.ownership import Erased, OwnedKind
from chalicelib.data.pages import Page
from chalicelib.data.posts import PhotoRecord, PostRecord, PublishInputs, TagRecord
from chalicelib.errors import Conflict, Forbidden, NotFound, ValidationFailed, field_error
from chalicelib.observability import logger, metrics
from chalicelib.schemas.posts import PostIn, PostOut, PostPage
from chalicelib.services import members
from chalicelib.services.presenters import post_out, summary

__all__ = ["page_size", "summary"]  # the feed service pages and presents cards the same way


def page_size(limit: int, viewer: Identity | None) -> int:
    """Largest page whose hydration fits one BatchGetItem: post + author (+ viewer's smile) per
    card, plus the viewer's block list once."""
    keys_per_card = 3 if viewer else 2
    reserved = 1 if viewer else 0
    return max(1, min(limit, (store.BATCH_GET_LIMIT - reserved) // keys_per_card))


def _check_interests(interest_ids: list[str], found: PublishInputs) -> None:
    unknown = [
        field_error(f"interests.{i}", f"unknown interest id {iid!r}", "unknown_interest")
        for i, iid in enumerate(interest_ids)
        if iid not in found.interests
    ]
    if unknown:
        raise ValidationFailed("Some interests do not exist.", unknown)


def _upload_conflict(upload: media_store.Upload) -> Conflict:
    if upload.post_id or upload.avatar_of:
        return Conflict(f"Upload {upload.upload_id} is already in a post.", code="upload_already_used")
    return Conflict(f"Upload {upload.upload_id} is {upload.status}, not ready.", code="upload_not_ready")


def _check_uploads(identity: Identity, data: PostIn, found: PublishInputs) -> None:
    unknown = [
        field_error(f"photos.{i}.upload_id", f"unknown upload {p.upload_id!r}", "unknown_upload")
        for i, p in enumerate(data.photos)
        if p.upload_id not in found.uploads
    ]
    if unknown:
        raise ValidationFailed("Some uploads do not exist.", unknown)
    for upload in found.uploads.values():
        if upload.owner_id != identity.user_id:
            raise Forbidden(f"Upload {upload.upload_id} is not yours.", code="not_owner")
        if upload.status != media_store.READY or upload.post_id or upload.avatar_of:
            raise _upload_conflict(upload)


def _unknown_products(data: PostIn, known: set[str] | dict[str, object]) -> ValidationFailed | None:
    unknown = [
        field_error(f"photos.{i}.tags.{j}.product_id", f"unknown product {t.product_id!r}", "unknown_product")
        for i, p in enumerate(data.photos)
        for j, t in enumerate(p.tags)
        if t.product_id not in known
    ]
    return ValidationFailed("Some tagged products do not exist.", unknown) if unknown else None


def create_post(identity: Identity, data: PostIn) -> PostOut:
    """Publish in two requests: one consistent BatchGetItem of what it checks, one transaction."""
    interests = list(dict.fromkeys(data.interests))  # a repeated interest files the post once
    product_ids = list(dict.fromkeys(t.product_id for p in data.photos for t in p.tags))
    found = store.publish_inputs(identity.user_id, interests, [p.upload_id for p in data.photos], product_ids)
    if found.author is not None and found.author.banned:
        raise Forbidden("Your account is banned: you can no longer post.", code="banned")
    _check_interests(data.interests, found)
    _check_uploads(identity, data, found)
    unknown = _unknown_products(data, found.products)
    if unknown:
        raise unknown
    products = found.products
    photos = []
    for photo in data.photos:
        upload = found.uploads[photo.upload_id]
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
    labels = list(dict.fromkeys(label for u in found.uploads.values() for label in u.labels))
    record = PostRecord(
        post_id=ids.new_id("post"),
        author_id=identity.user_id,
        kind=data.kind,
        caption=data.caption,
        body=data.body,
        interests=interests,
        photos=photos,
        created_at=clock.now_iso(),
        product_ids=product_ids,
        labels=labels,
        search_words=search_index.post_words(data.caption, data.body, labels),
    )
    outcome = store.create_post(record)
    if not outcome.committed:
        # Contention never lands here (retried, then a 429): only a condition that really failed.
        logger.info("post transaction cancelled", extra={"failed": sorted(outcome.failed)})
        _raise_publish_failure(data, outcome, found)
    metrics.add_metric(name="PostPublished", unit="Count", value=1)
    if found.author is not None:
        members.ensure_searchable(found.author)
    return post_out(record, found.author, smiled=False)


def _raise_publish_failure(data: PostIn, outcome: Outcome, found: PublishInputs) -> None:
    """Name what changed between the read and the write: an upload, a product, the profile."""
    taken = outcome.failed_like(store.UPLOAD)
    if taken:
        upload = media_store.get_uploads(taken).get(taken[0]) or found.uploads[taken[0]]
        raise _upload_conflict(upload)
    gone = outcome.failed_like(store.PRODUCT)
    if gone:
        unknown = _unknown_products(data, set(found.products) - set(gone))
        if unknown:
            raise unknown
    if outcome.failed_on(store.AUTHOR):
        if found.author is None:
            raise NotFound("Your profile is gone; sign in again.")
        raise Forbidden("Your account was banned: you can no longer post.", code="banned")
    raise Conflict("The post could not be published; retry.", code="conflict")


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
    if post.author_id in hydrated.blocked:
        raise NotFound("You blocked this post's author: unblock them to see it.")
    return post_out(post, hydrated.authors.get(post.author_id), post_id in hydrated.smiled, hydrated.products)


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
    _cascade(post)
    metrics.add_metric(name="PostDeleted", unit="Count", value=1)


def _cascade(post: PostRecord, *, purge: bool = False) -> None:
    """Everything a hidden (`deleting`) post owns goes; `purge` also drops its images' old versions."""
    # Images first, the post item last: a crash anywhere leaves a hidden post a retry can finish.
    upload_ids = [p.upload_id for p in post.photos]
    uploads = media_store.get_uploads(upload_ids).values()
    originals = [k for u in uploads for k in (u.object_key, u.original_key) if k]
    if purge:
        objects.purge_upload_images(upload_ids, originals)
    objects.delete_upload_images(upload_ids, originals)
    media_store.delete_uploads(upload_ids)
    social_store.settle_deleted_post_smiles(post, social_store.smiles_of_post(post.post_id))
    store.finish_delete(post, store.post_partition_keys(post.post_id))


# --- what a member owns here (chalicelib/data/ownership.py) ------------------------------------
# Their posts, erased with the same cascade as DELETE /posts/{id} (smiles, comments, tags, listing
# entries and counters), plus every old version of their images.


def _member_posts(member_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    refs = store.list_author_post_ids(member_id, limit, start)
    return Page(store.get_posts_any_state([r.post_id for r in refs.items]), refs.last_key)


def _erase_post(member_id: str, post: PostRecord) -> Erased:
    hidden = store.begin_delete(post.post_id, member_id)
    if hidden is not None:
        _cascade(hidden, purge=True)
    return Erased.GONE


def _post_json(post: PostRecord) -> dict[str, Any]:
    return post_out(post, None, smiled=False).model_dump(mode="json", exclude={"author", "smiled_by_me"})


ownership.register(
    OwnedKind(
        "posts",
        (PostItem,),
        ("post_by_author", "author_posts"),
        _member_posts,
        _erase_post,
        _post_json,
        phase=1,
    )
)
