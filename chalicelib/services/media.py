"""Uploads and the thumbnailer.

A Prime member asks for an upload; we record it `pending` and hand back a
presigned S3 POST whose policy pins the key, the content type and the size.
S3 then notifies the thumbnail queue; `process_uploaded_object` validates
the bytes (S3 enforces nothing locally, and clients lie), writes renditions
to the media bucket and finishes the upload exactly once: `ready` or
`rejected`, never flipped afterwards.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Any

from botocore.exceptions import ClientError

from chalicelib import aws, clock, ids
from chalicelib.auth import Identity
from chalicelib.data import keys
from chalicelib.data import media as store
from chalicelib.data.media import RenditionRecord, Upload
from chalicelib.errors import Forbidden, NotFound, TooLarge
from chalicelib.observability import logger, metrics
from chalicelib.schemas.media import Rendition, UploadOut, UploadTicket
from chalicelib.services.labels import image_labels
from chalicelib.settings import Settings, get_settings

ALLOWED_CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp")
PRESIGN_SECONDS = 600
# Never-used uploads are tidied after this (TTL is clean-up only, never relied on).
UNUSED_UPLOAD_DAYS = 7
CACHE_FOREVER = "public, max-age=31536000, immutable"


class Outcome(StrEnum):
    READY = "ready"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"  # already final: a redelivered or replayed event
    IGNORED = "ignored"  # not an upload we know (stray key, deleted post)


def upload_conditions(*, key: str, content_type: str, max_bytes: int) -> list[Any]:
    """The POST policy conditions: exactly this key and type, 1 byte to max_bytes."""
    return [{"key": key}, {"Content-Type": content_type}, ["content-length-range", 1, max_bytes]]


def rendition_url(settings: Settings, object_key: str) -> str:
    return f"{settings.media_url}/{object_key}"


def renditions_out(settings: Settings, renditions: dict[str, dict[str, Any]]) -> dict[str, Rendition]:
    return {
        name: Rendition(url=rendition_url(settings, r["key"]), width=int(r["width"]), height=int(r["height"]))
        for name, r in renditions.items()
    }


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
    presigned = aws.client("s3").generate_presigned_post(
        Bucket=settings.uploads_bucket,
        Key=object_key,
        Fields={"Content-Type": content_type},
        Conditions=upload_conditions(
            key=object_key, content_type=content_type, max_bytes=settings.max_upload_bytes
        ),
        ExpiresIn=PRESIGN_SECONDS,
    )
    metrics.add_metric(name="UploadRequested", unit="Count", value=1)
    return UploadTicket(
        upload_id=upload_id,
        url=presigned["url"],
        fields=presigned["fields"],
        expires_at=clock.iso(now + timedelta(seconds=PRESIGN_SECONDS)),
    )


def upload_out(upload: Upload) -> UploadOut:
    settings = get_settings()
    return UploadOut(
        upload_id=upload.upload_id,
        status=upload.status,
        reason=upload.reason,
        width=upload.width,
        height=upload.height,
        thumbnails={
            r.name: Rendition(url=rendition_url(settings, r.key), width=r.width, height=r.height)
            for r in upload.renditions
        },
        palette=upload.palette,
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
    aws.client("s3").delete_object(Bucket=bucket, Key=upload.object_key)
    if not finished:
        return Outcome.DUPLICATE
    logger.info("upload rejected", extra={"upload_id": upload.upload_id, "reason": reason})
    metrics.add_metric(name="UploadRejected", unit="Count", value=1)
    return Outcome.REJECTED


def process_uploaded_object(bucket: str, object_key: str) -> Outcome:
    """Turn an uploaded original into renditions; safe to call any number of times."""
    from chalicelib.services.imaging import ImageRejected, process_image  # Pillow: thumbnailer only

    settings = get_settings()
    parsed = keys.parse_upload_object(object_key)
    upload = store.get_upload(parsed[1]) if parsed else None
    if parsed is None or upload is None or upload.owner_id != parsed[0] or upload.object_key != object_key:
        logger.warning("object is not a known upload", extra={"bucket": bucket, "key": object_key})
        return Outcome.IGNORED
    if upload.status != store.PENDING:
        return Outcome.DUPLICATE
    s3 = aws.client("s3")
    try:
        head = s3.head_object(Bucket=bucket, Key=object_key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            logger.warning("uploaded object is gone", extra={"key": object_key})
            return Outcome.IGNORED
        raise
    if int(head["ContentLength"]) > settings.max_upload_bytes:
        return _reject(upload, bucket, "too_large")
    data = s3.get_object(Bucket=bucket, Key=object_key)["Body"].read(settings.max_upload_bytes + 1)
    try:
        image = process_image(data, sizes=settings.thumbnail_sizes, max_bytes=settings.max_upload_bytes)
    except ImageRejected as rejected:
        return _reject(upload, bucket, rejected.reason)
    renditions = []
    for rendition in image.renditions:
        media_key = keys.rendition_object(upload.upload_id, rendition.name, rendition.extension)
        s3.put_object(
            Bucket=settings.media_bucket,
            Key=media_key,
            Body=rendition.data,
            ContentType=rendition.content_type,
            CacheControl=CACHE_FOREVER,
        )
        renditions.append(RenditionRecord(rendition.name, media_key, rendition.width, rendition.height))
    labels = image_labels(settings, data, bucket=bucket, key=object_key, palette=image.palette)
    finished = store.mark_ready(
        upload.upload_id,
        width=image.width,
        height=image.height,
        palette=image.palette,
        renditions=renditions,
        at=clock.now_iso(),
        labels=labels,
    )
    if not finished:
        return Outcome.DUPLICATE
    logger.info("upload ready", extra={"upload_id": upload.upload_id, "renditions": len(renditions)})
    metrics.add_metric(name="UploadProcessed", unit="Count", value=1)
    return Outcome.READY


def delete_media(upload_ids: list[str], original_keys: list[str]) -> None:
    """Remove an upload's renditions and original (a deleted post's images)."""
    settings = get_settings()
    s3 = aws.client("s3")
    media_keys: list[str] = []
    for upload_id in upload_ids:
        listed = s3.list_objects_v2(Bucket=settings.media_bucket, Prefix=keys.rendition_prefix(upload_id))
        media_keys += [o["Key"] for o in listed.get("Contents", [])]
    for bucket, object_keys in (
        (settings.media_bucket, media_keys),
        (settings.uploads_bucket, original_keys),
    ):
        for start in range(0, len(object_keys), 1000):
            chunk = object_keys[start : start + 1000]
            if chunk:
                s3.delete_objects(
                    Bucket=bucket, Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True}
                )
