"""Image discovery and tag suggestions (issue 22).

Products that a photo likely shows, even where its author tagged nothing:
- A product's packshot gets a signature once (`index_product_image`: silhouette hash, aspect and
  colour, services/signatures.py), stored under its colour bucket(s): the candidate index.
- A photo gets its grid signature when the thumbnailer has made its renditions
  (`discover_upload`, from the smallest rendition already in memory). Its candidates are the
  products of the photo's colour buckets, at most `CANDIDATES_PER_BUCKET` each (one Query per
  bucket, at most `MAX_BUCKETS` buckets): never the catalog. Each candidate is scored
  (signatures.match); the best `MATCHES_KEPT` at or above `MATCH_THRESHOLD` are kept on the
  upload. They are the author's suggested tags while posting (GET /uploads/{id}).
- When the post is published, the stream turns its photos' matches that it does not tag into
  **mentions** in each product's brand partition (`mentions_from_stream`).
- The brand reads its mentions (GET /brands/{id}/mentions) and sends the author a **tag
  suggestion** (one per post x product, conditional put); the stream turns the suggestion into
  an inbox notification with accept/decline actions; accepting adds the tag to the post (the
  same items publishing writes: photo tag, product listing, tag count) in one transaction.

`MATCH_THRESHOLD` is chosen by bench/bench_discovery.py on half of a labelled demo set and
measured on the other half (bench/results.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import clock, cursors
from chalicelib.auth import Identity
from chalicelib.data import catalog as catalog_store
from chalicelib.data import discovery as store
from chalicelib.data import media as media_store
from chalicelib.data import objects
from chalicelib.data import posts as post_store
from chalicelib.data.discovery import Candidate, CandidateReads, Mention, Suggestion
from chalicelib.errors import Conflict, Forbidden, NotFound, ValidationFailed, field_error
from chalicelib.observability import logger, metrics
from chalicelib.schemas.discovery import (
    MentionOut,
    MentionPage,
    ProductImageIn,
    ProductImageOut,
    SuggestedTag,
    TagSuggestionIn,
    TagSuggestionOut,
)
from chalicelib.schemas.posts import MAX_TAGS_PER_PHOTO
from chalicelib.services import signatures
from chalicelib.services.catalog import owned_brand
from chalicelib.services.presenters import summary
from chalicelib.settings import get_settings

# Chosen on the bench's training half (bench/bench_discovery.py; numbers in bench/results.md).
MATCH_THRESHOLD = 0.79
MATCHES_KEPT = 3  # suggested tags while posting: the author picks among them
MENTION_MATCHES = 1  # mentions: only a photo's best match (brands read precision)
CANDIDATES_PER_BUCKET = 50
MAX_BUCKETS = 6


# --- signatures and matching ---------------------------------------------------------------


def index_product_image(product_id: str, data: bytes) -> list[str]:
    """Compute a product's signature from its packshot and index it; the buckets it is indexed
    under, [] when no object stands out of the backdrop (or the product is unknown)."""
    product = catalog_store.get_product(product_id)
    signature = signatures.product_signature_of(data) if product else None
    if product is None or signature is None:
        return []
    buckets = signatures.product_buckets(signature)
    store.put_product_signature(
        Candidate(product.product_id, product.brand_id, product.title, signature.encode()), buckets
    )
    return buckets


def set_product_image(
    identity: Identity, brand_id: str, product_id: str, data: ProductImageIn
) -> ProductImageOut:
    """A brand owner's packshot for one of its products (a ready upload of theirs, read once from
    its smallest rendition) becomes the product's signature in the candidate index."""
    brand = owned_brand(identity, brand_id)
    product = catalog_store.get_product(product_id)
    if product is None or product.brand_id != brand.brand_id:
        raise NotFound("No such product in this brand's catalog.")
    upload = media_store.get_upload(data.upload_id)
    if upload is None or upload.owner_id != identity.user_id:
        raise ValidationFailed(
            "The upload is not one of yours.", [field_error("upload_id", "not your upload", "unknown_upload")]
        )
    if upload.status != media_store.READY or not upload.renditions:
        raise Conflict("The upload is not ready.", code="upload_not_ready")
    smallest = min(upload.renditions, key=lambda r: r.width)
    settings = get_settings()
    picture = objects.read(settings.media_bucket, smallest.key, settings.max_upload_bytes)
    buckets = index_product_image(product.product_id, picture) if picture else []
    if not buckets:
        raise ValidationFailed(
            "No product stands out of the picture's backdrop.",
            [field_error("upload_id", "shoot the product alone on a plain backdrop", "no_object")],
        )
    return ProductImageOut(product_id=product.product_id, buckets=buckets)


def rank_matches(
    photo_signature: str,
    candidates: Sequence[Candidate],
    *,
    threshold: float = MATCH_THRESHOLD,
    kept: int = MATCHES_KEPT,
) -> list[SuggestedTag]:
    """The best `kept` candidates the photo matches at `threshold` or more, best first (pure)."""
    photo = signatures.PhotoSignature.decode(photo_signature)
    found = []
    for candidate in candidates:
        product = signatures.ProductSignature.decode(candidate.signature)
        hit = signatures.match(photo, product)
        if hit is not None and hit.score >= threshold:
            found.append(
                SuggestedTag(
                    product_id=candidate.product_id,
                    brand_id=candidate.brand_id,
                    title=candidate.title,
                    confidence=hit.score,
                    x=hit.x,
                    y=hit.y,
                )
            )
    # Equal scores (products that look the same) go to the newest product: ids sort by creation.
    found.sort(key=lambda t: t.product_id, reverse=True)
    found.sort(key=lambda t: -t.confidence)
    return found[:kept]


def candidates_read_once(shared: CandidateReads | None = None) -> AbstractContextManager[None]:
    """Within, each colour bucket's candidates are read once (data/discovery.py): for a batch of
    photos (the thumbnailer's, a bulk load's)."""
    return store.candidates_read_once(shared)


def photo_candidates(photo_signature: str) -> list[Candidate]:
    """The bounded candidate set: products of the photo's colour buckets (one Query each)."""
    photo = signatures.PhotoSignature.decode(photo_signature)
    return store.candidates(signatures.photo_buckets(photo)[:MAX_BUCKETS], CANDIDATES_PER_BUCKET)


def discover_upload(upload_id: str, rendition: bytes) -> list[SuggestedTag]:
    """A ready photo's signature (from its smallest rendition) and best matches, stored on the
    upload. A storage failure is logged and counted, never fails the upload."""
    signature = signatures.photo_signature_of(rendition)
    try:
        matches = rank_matches(signature, photo_candidates(signature))
        store.set_upload_matches(upload_id, signature, [m.model_dump(mode="json") for m in matches])
    except (ClientError, BotoCoreError) as exc:
        logger.warning("image discovery unavailable", extra={"upload_id": upload_id, "error": str(exc)})
        metrics.add_metric(name="DiscoveryUnavailable", unit="Count", value=1)
        return []
    return matches


def suggested_tags(matches: Sequence[dict[str, Any]]) -> list[SuggestedTag]:
    return [SuggestedTag.model_validate(m) for m in matches]


# --- mentions, from the stream ---------------------------------------------------------------


def mentions_of(changes: Sequence[Any], uploads: dict[str, media_store.Upload]) -> list[Mention]:
    """The mentions newly published posts make: their photos' matches they do not tag (pure)."""
    found: list[Mention] = []
    for change in changes:
        image = change.new
        if change.name != "INSERT" or not image or image.get("type") != "post":
            continue
        tagged = set(image.get("product_ids") or [])
        seen: set[str] = set()
        for photo in _photos(image):
            upload = uploads.get(str(photo.get("upload_id")))
            for match in (upload.matches if upload else [])[:MENTION_MATCHES]:
                product_id = str(match["product_id"])
                if product_id in tagged or product_id in seen:
                    continue
                seen.add(product_id)
                found.append(
                    Mention(
                        str(match["brand_id"]),
                        str(image["post_id"]),
                        product_id,
                        str(image["author_id"]),
                        float(match["confidence"]),
                        float(match["x"]),
                        float(match["y"]),
                        str(image["created_at"]),
                    )
                )
    return found


def _photos(image: dict[str, Any]) -> list[dict[str, Any]]:
    import json

    raw = image.get("photos") or []
    return list(json.loads(raw) if isinstance(raw, str) else raw)


def mentions_from_stream(changes: Sequence[Any]) -> int:
    """Write the mentions a stream batch's new posts make: one BatchGetItem of their uploads."""
    upload_ids = [
        str(p.get("upload_id"))
        for c in changes
        if c.name == "INSERT" and c.new and c.new.get("type") == "post"
        for p in _photos(c.new)
    ]
    if not upload_ids:
        return 0
    mentions = mentions_of(changes, media_store.get_uploads(upload_ids))
    return store.put_mentions(mentions) if mentions else 0


# --- brands: mentions and suggestions --------------------------------------------------------


def mentions(identity: Identity, brand_id: str, limit: int, cursor: str | None) -> MentionPage:
    """A page of the brand's untagged mentions: one Query, one BatchGetItem (posts, authors,
    products), one BatchGetItem of the suggestions already sent. Posts gone, hidden or tagged
    with the product since are left out (a page may hold fewer than `limit`)."""
    owned_brand(identity, brand_id)
    scope = f"brands/{brand_id}/mentions"
    page = store.list_mentions(brand_id, limit, cursors.decode(cursor, scope=scope))
    found: list[Mention] = page.items
    hydrated = post_store.hydrate(
        [m.post_id for m in found],
        viewer_id=None,
        author_ids=[m.author_id for m in found],
        product_ids=[m.product_id for m in found],
    )
    sent = store.suggestions_of((m.post_id, m.product_id) for m in found)
    items = []
    for m in found:
        post = hydrated.posts.get(m.post_id)
        product = hydrated.products.get(m.product_id)
        suggestion = sent.get((m.post_id, m.product_id))
        if post is None or product is None or (m.product_id in post.product_ids and suggestion is None):
            continue  # gone, hidden, or tagged by its author since
        items.append(
            MentionOut(
                post=summary(post, hydrated.authors.get(post.author_id), False),
                product_id=m.product_id,
                product_title=product.title,
                confidence=m.confidence,
                x=m.x,
                y=m.y,
                suggestion=suggestion.status if suggestion else None,  # type: ignore[arg-type]
            )
        )
    return MentionPage(items=items, next_cursor=cursors.encode(page.last_key, scope=scope))


def _suggestion_out(s: Suggestion) -> TagSuggestionOut:
    return TagSuggestionOut(
        post_id=s.post_id,
        product_id=s.product_id,
        brand_id=s.brand_id,
        photo_index=s.photo_index,
        x=s.x,
        y=s.y,
        status=s.status,  # type: ignore[arg-type]
        created_at=s.created_at,
    )


def suggest_tag(identity: Identity, brand_id: str, data: TagSuggestionIn) -> TagSuggestionOut:
    """Ask a post's author to tag one of the brand's products (once per post x product)."""
    brand = owned_brand(identity, brand_id)
    product = catalog_store.get_product(data.product_id)
    if product is None or product.brand_id != brand.brand_id:
        raise ValidationFailed(
            "The product is not one of this brand's.",
            [field_error("product_id", "not a product of this brand", "unknown_product")],
        )
    post = post_store.get_post(data.post_id)
    if post is None:
        raise NotFound("No such post.")
    if data.photo_index >= len(post.photos):
        raise ValidationFailed(
            "The post has no such photo.", [field_error("photo_index", "no such photo", "out_of_range")]
        )
    if data.product_id in post.product_ids:
        raise Conflict("The post already tags this product.", code="already_tagged")
    suggestion = Suggestion(
        post.post_id,
        product.product_id,
        brand.brand_id,
        post.author_id,
        identity.user_id,
        data.photo_index,
        data.x,
        data.y,
        store.PENDING,
        clock.now_iso(),
    )
    if not store.create_suggestion(suggestion):
        raise Conflict("A tag suggestion for this post and product was already sent.", code="already_exists")
    metrics.add_metric(name="TagSuggested", unit="Count", value=1)
    return _suggestion_out(suggestion)


def _pending_for_author(identity: Identity, post_id: str, product_id: str) -> Suggestion:
    suggestion = store.get_suggestion(post_id, product_id)
    if suggestion is None:
        raise NotFound("No such tag suggestion.")
    if suggestion.author_id != identity.user_id:
        raise Forbidden("Only the post's author may answer this suggestion.", code="not_owner")
    if suggestion.status != store.PENDING:
        raise Conflict(f"The suggestion was already {suggestion.status}.", code="already_decided")
    return suggestion


def accept_suggestion(identity: Identity, post_id: str, product_id: str) -> TagSuggestionOut:
    """The author accepts: the tag is added to the post (as if tagged when publishing)."""
    suggestion = _pending_for_author(identity, post_id, product_id)
    post = post_store.get_post(post_id, consistent=True)
    product = catalog_store.get_product(product_id)
    if post is None or product is None:
        raise NotFound("The post or the product is gone.")
    if (
        suggestion.photo_index >= len(post.photos)
        or len(post.photos[suggestion.photo_index].tags) >= MAX_TAGS_PER_PHOTO
    ):
        raise Conflict("That photo cannot take another tag.", code="too_many_tags")
    tag = post_store.TagRecord(
        product.product_id,
        suggestion.x,
        suggestion.y,
        product.title,
        product.price_amount,
        product.currency,
        product.url,
    )
    outcome = store.accept(suggestion, post, tag)
    if not outcome.committed:
        if outcome.failed_on(store.SUGGESTION):
            raise Conflict("The suggestion was already answered.", code="already_decided")
        raise Conflict("The post changed meanwhile: try again.", code="post_changed")
    metrics.add_metric(name="TagSuggestionAccepted", unit="Count", value=1)
    return _suggestion_out(Suggestion(**{**suggestion.__dict__, "status": store.ACCEPTED}))


def decline_suggestion(identity: Identity, post_id: str, product_id: str) -> TagSuggestionOut:
    suggestion = _pending_for_author(identity, post_id, product_id)
    if not store.decline(suggestion).committed:
        raise Conflict("The suggestion was already answered.", code="already_decided")
    return _suggestion_out(Suggestion(**{**suggestion.__dict__, "status": store.DECLINED}))
