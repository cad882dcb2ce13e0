"""Uploads and the thumbnailer.

A Prime member asks for an upload; we record it `pending` and hand back a
presigned S3 POST whose policy pins the key, the content type and the size.
S3 then notifies the thumbnail queue; `process_uploaded_object` validates
the bytes (S3 enforces nothing locally, and clients lie), writes renditions
to the media bucket and finishes the upload exactly once: `ready` or
`rejected`, never flipped afterwards, or `held` when screening flags the photo (then only a
moderator moves it on, to `ready` or `rejected`; services/moderation.py).

Originals are immutable once ready (or held). The presigned POST can be replayed until it expires, and a
replay replaces the object at its key (in AWS as under the emulator). So the thumbnailer reads
that key once, and keeps the very bytes it screened, measured and labelled under
`keys.accepted_original` (named by their SHA-256; no POST policy names that prefix and only the
thumbnailer may write it); the upload's record points there, and the POST's key is emptied. An
object landing on that key after the upload is final (a replay) is never read. This needs no S3
feature the emulator lacks (it enforces no POST policy and sends no version ids), and costs one
PutObject of the original and one DeleteObject per upload.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from enum import StrEnum
from typing import Any

from chalicelib import clock, ids
from chalicelib.auth import Identity
from chalicelib.data import keys, objects, ownership
from chalicelib.data import media as store
from chalicelib.data import moderation as moderation_store
from chalicelib.data import posts as post_store
from chalicelib.data.media import RenditionRecord, Upload, avif_name, webp_name
from chalicelib.data.models import UploadItem
from chalicelib.data.ownership import Erased, OwnedKind
from chalicelib.data.pages import Page
from chalicelib.errors import Forbidden, NotFound, TooLarge
from chalicelib.observability import logger, metrics
from chalicelib.schemas.media import UploadOut, UploadTicket
from chalicelib.services import screening
from chalicelib.services.labels import colour_only_labels
from chalicelib.services.presenters import upload_out
from chalicelib.settings import get_settings

ALLOWED_CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp")
PRESIGN_SECONDS = 600
# Never-used uploads are tidied after this (TTL is clean-up only, never relied on).
UNUSED_UPLOAD_DAYS = 7


class Outcome(StrEnum):
    READY = "ready"
    REJECTED = "rejected"
    HELD = "held"  # screening flagged it: waiting for a moderator
    DUPLICATE = "duplicate"  # already final: a redelivered or replayed event
    IGNORED = "ignored"  # not an upload we know (stray key, deleted post)


def upload_conditions(*, key: str, content_type: str, max_bytes: int) -> list[Any]:
    """The POST policy conditions: exactly this key and type, 1 byte to max_bytes."""
    return [{"key": key}, {"Content-Type": content_type}, ["content-length-range", 1, max_bytes]]


def create_upload(identity: Identity, content_type: str, size: int) -> UploadTicket:
    settings = get_settings()
    if size > settings.max_upload_bytes:
        raise TooLarge(f"Uploads are limited to {settings.max_upload_bytes} bytes.")
    upload_id = ids.new_id("up")
    object_key = keys.upload_object(identity.user_id, upload_id)
    now = clock.now()
    store.create_upload(
        Upload(upload_id, identity.user_id, store.PENDING, content_type, size, object_key),
        created_at=clock.iso(now),
        expires_at=now + timedelta(days=UNUSED_UPLOAD_DAYS),
    )
    presigned = objects.presigned_upload(
        settings.uploads_bucket,
        object_key,
        content_type,
        upload_conditions(key=object_key, content_type=content_type, max_bytes=settings.max_upload_bytes),
        PRESIGN_SECONDS,
    )
    metrics.add_metric(name="UploadRequested", unit="Count", value=1)
    return UploadTicket(
        upload_id=upload_id,
        url=presigned["url"],
        fields=presigned["fields"],
        expires_at=clock.iso(now + timedelta(seconds=PRESIGN_SECONDS)),
    )


def get_upload(identity: Identity, upload_id: str) -> UploadOut:
    upload = store.get_upload(upload_id)
    if upload is None:
        raise NotFound("No such upload.")
    if upload.owner_id != identity.user_id:
        raise Forbidden("This upload is not yours.", code="not_owner")
    return upload_out(upload)


def _reject(upload: Upload, bucket: str, reason: str) -> Outcome:
    finished = store.mark_rejected(upload.upload_id, reason=reason, at=clock.now_iso())
    # The original is useless and possibly hostile: don't keep it around.
    objects.delete(bucket, upload.object_key)
    if not finished:
        return Outcome.DUPLICATE
    logger.info("upload rejected", extra={"upload_id": upload.upload_id, "reason": reason})
    metrics.add_metric(name="UploadRejected", unit="Count", value=1)
    return Outcome.REJECTED


def _hold(
    upload: Upload,
    image: Any,
    renditions: list[RenditionRecord],
    labels: list[str],
    original_key: str,
    reason: str,
) -> bool:
    """Finish the upload as `held` and open its moderation case (one transaction); False if it
    was already final."""
    at = clock.now_iso()
    return store.mark_held(
        upload.upload_id,
        reason=reason,
        width=image.width,
        height=image.height,
        palette=image.palette,
        renditions=renditions,
        original_key=original_key,
        at=at,
        labels=labels,
        open_case=lambda tx: moderation_store.open_screening_case(
            tx, upload.upload_id, upload.owner_id, [reason], at
        ),
    )


def process_uploaded_object(bucket: str, object_key: str) -> Outcome:
    """Turn an uploaded original into renditions; safe to call any number of times."""
    settings = get_settings()
    parsed = keys.parse_upload_object(object_key)
    upload = store.get_upload(parsed[1]) if parsed else None
    if parsed is None or upload is None or upload.owner_id != parsed[0] or upload.object_key != object_key:
        logger.warning("object is not a known upload", extra={"bucket": bucket, "key": object_key})
        return Outcome.IGNORED
    if upload.status != store.PENDING:
        # A redelivery, or a replayed POST after the upload was final: no work at all. What a
        # replay left at the POST's key was never screened and nothing reads it (the accepted
        # bytes are kept elsewhere); it goes with the post, or with the bucket's expiry rule.
        return Outcome.DUPLICATE
    # Gone (deleted since the event) is final: ignored. Denied raises ObjectAccessDenied: the
    # record is retried and ends in the dead-letter queue, because a wrong policy needs a person.
    head = objects.head(bucket, object_key)
    if head is None:
        logger.warning("uploaded object is gone", extra={"key": object_key})
        return Outcome.IGNORED
    if head.size > settings.max_upload_bytes:
        return _reject(upload, bucket, "too_large")
    data = objects.read(bucket, object_key, settings.max_upload_bytes + 1)
    if data is None:
        logger.warning("uploaded object is gone", extra={"key": object_key})
        return Outcome.IGNORED
    return finish_upload(upload, data, bucket=bucket)


def finish_upload(upload: Upload, data: bytes, *, bucket: str) -> Outcome:
    """A pending upload's bytes -> renditions in the media bucket, labels, and `ready` (or
    `rejected`, or `held` when screening flags them), exactly once. The thumbnailer calls it with
    what it read from `bucket`; bulk demo seeding calls it directly, so its photos are screened too."""
    from chalicelib.services.imaging import ImageRejected, process_image  # Pillow: thumbnailer only

    settings = get_settings()
    try:
        image = process_image(
            data, sizes=settings.thumbnail_sizes, max_bytes=settings.max_upload_bytes, webp=True
        )
    except ImageRejected as rejected:
        return _reject(upload, bucket, rejected.reason)
    # Kept first, so screening now and Rekognition's labels at publish (for photos that tag a
    # product) see exactly these bytes.
    original_key = keys.accepted_original(upload.owner_id, upload.upload_id, hashlib.sha256(data).hexdigest())
    objects.put_original(bucket, original_key, data, f"image/{image.source_format}")
    # Screened before anything is written where the public can read it: a held photo's
    # thumbnails go under held/ (outside what the CDN serves) until a moderator decides.
    # Members with a clean record are screened on a sample (services/screening.py, trust).
    verdict = screening.screen_upload(
        settings, data, bucket=bucket, key=original_key, upload_id=upload.upload_id, owner_id=upload.owner_id
    )
    renditions = []
    for rendition in image.renditions:
        media_key = objects.put_rendition(
            settings.media_bucket,
            upload.upload_id,
            rendition.name,
            rendition.extension,
            rendition.data,
            rendition.content_type,
            held=verdict.held,
        )
        renditions.append(RenditionRecord(rendition.name, media_key, rendition.width, rendition.height))
        # Its WebP and AVIF copies are more rendition records ("<size>.webp", "<size>.avif"), so
        # publishing, deleting and erasing handle them as any other; presenters show them as the
        # size's `webp_url` and `avif_url`.
        copies = (("webp", rendition.webp, webp_name), ("avif", rendition.avif, avif_name))
        for extension, data_of_copy, record_name in copies:
            if data_of_copy is None:
                continue
            copy_key = objects.put_rendition(
                settings.media_bucket,
                upload.upload_id,
                rendition.name,
                extension,
                data_of_copy,
                f"image/{extension}",
                held=verdict.held,
            )
            renditions.append(
                RenditionRecord(record_name(rendition.name), copy_key, rendition.width, rendition.height)
            )
    # Colours only: Rekognition labels the photos that tag a product when they are published
    # (from the accepted original kept above).
    labels = colour_only_labels(image.palette)
    if verdict.held:
        finished = _hold(upload, image, renditions, labels, original_key, verdict.reason or "screening")
    else:
        finished = store.mark_ready(
            upload.upload_id,
            width=image.width,
            height=image.height,
            palette=image.palette,
            renditions=renditions,
            original_key=original_key,
            at=clock.now_iso(),
            labels=labels,
        )
    if not finished:
        # Another attempt (a replay read while pending) finished first, with its own bytes.
        winner = store.get_upload(upload.upload_id)
        if winner is None or winner.original_key != original_key:
            objects.delete(bucket, original_key)
        return Outcome.DUPLICATE
    objects.delete(bucket, upload.object_key)
    screening.record(upload.owner_id, verdict)
    if verdict.held:
        logger.info(
            "upload held for review",
            extra={"upload_id": upload.upload_id, "reason": verdict.reason, "labels": list(verdict.labels)},
        )
        return Outcome.HELD
    # Image discovery: the photo's signature and best product matches, from the smallest
    # rendition still in memory (services/discovery.py).
    from chalicelib.services import discovery

    discovery.discover_upload(upload.upload_id, image.renditions[-1].data)
    logger.info("upload ready", extra={"upload_id": upload.upload_id, "renditions": len(renditions)})
    metrics.add_metric(name="UploadProcessed", unit="Count", value=1)
    return Outcome.READY


# --- what a member owns here (chalicelib/data/ownership.py) ------------------------------------
# Their uploads: a post's uploads go with the post (the posts kind, phase 1); the rest (pending,
# rejected, or ready and never posted) go here with every version of their images.
ORIGINAL_LINK_SECONDS = 3600


def _member_uploads(member_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    page = ownership.find_owned(member_id, store.UPLOAD_KIND, limit, start)
    found = store.get_uploads(upload_id for _, upload_id in (k[0].split("#", 1) for k in page.items))
    return Page(list(found.values()), page.last_key)


def _erase_upload(member_id: str, upload: Upload) -> Erased:
    if upload.post_id and post_store.get_post_any_state(upload.post_id) is not None:
        return Erased.WAIT  # its post's deletion removes it
    originals = [k for k in (upload.object_key, upload.original_key) if k]
    objects.purge_upload_images([upload.upload_id], originals)
    store.delete_uploads([upload.upload_id])
    return Erased.GONE


def _upload_json(upload: Upload) -> dict[str, Any]:
    out = upload_out(upload).model_dump(mode="json")
    # The original as accepted (or as sent, before it was screened), while it is kept: a link
    # valid for an hour.
    original = upload.original_key or upload.object_key
    out["original_url"] = objects.presigned_original(original, ORIGINAL_LINK_SECONDS)
    out["post_id"] = upload.post_id
    return out


ownership.register(
    OwnedKind(
        "uploads",
        (UploadItem,),
        ("upload", "upload_object", "accepted_original"),
        _member_uploads,
        _erase_upload,
        _upload_json,
        phase=2,
    )
)
