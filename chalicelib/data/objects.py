"""S3 adapter: originals in the uploads bucket, renditions in the media bucket.

Services never hold an S3 client; every object key comes from `keys.py`. Errors S3 answers are
turned into what they mean here: a missing object is `None` (the thumbnailer's policy grants
`s3:ListBucket` on `uploads/*`, so S3 answers 404 rather than 403 for a key that is gone), and a
refusal is `ObjectAccessDenied`, which the caller must not mistake for "gone".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from chalicelib import aws
from chalicelib.data import keys
from chalicelib.settings import get_settings

CACHE_FOREVER = "public, max-age=31536000, immutable"
MISSING = frozenset({"404", "NoSuchKey", "NotFound"})
DENIED = frozenset({"403", "AccessDenied", "Forbidden"})
DELETE_BATCH = 1000


class ObjectAccessDenied(Exception):
    """S3 refused the call (403): a permission problem to fix, never an object that is gone."""


@dataclass(frozen=True)
class ObjectHead:
    size: int
    etag: str


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _denied(exc: ClientError, bucket: str, key: str) -> ObjectAccessDenied:
    return ObjectAccessDenied(
        f"S3 denied access to s3://{bucket}/{key} ({_code(exc)}): check the function's policy"
    )


@contextmanager
def _missing_is_none(bucket: str, key: str) -> Iterator[list[bool]]:
    """Inside: a 404 sets the yielded flag (the caller answers None), a 403 is ObjectAccessDenied."""
    missing = [False]
    try:
        yield missing
    except ClientError as exc:
        if _code(exc) in MISSING:
            missing[0] = True
        elif _code(exc) in DENIED:
            raise _denied(exc, bucket, key) from exc
        else:
            raise


def head(bucket: str, key: str) -> ObjectHead | None:
    """The object's size and ETag; None when it does not exist."""
    with _missing_is_none(bucket, key) as missing:
        response = aws.client("s3").head_object(Bucket=bucket, Key=key)
    if missing[0]:
        return None
    return ObjectHead(int(response["ContentLength"]), str(response.get("ETag", "")))


def read(bucket: str, key: str, max_bytes: int) -> bytes | None:
    """At most `max_bytes` of the object; None when it does not exist."""
    with _missing_is_none(bucket, key) as missing:
        data = bytes(aws.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read(max_bytes))
    return None if missing[0] else data


def put_original(bucket: str, key: str, data: bytes, content_type: str) -> None:
    """Keep the accepted bytes of an upload (key from `keys.accepted_original`)."""
    aws.client("s3").put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type)


def delete(bucket: str, key: str) -> None:
    aws.client("s3").delete_object(Bucket=bucket, Key=key)


def put_rendition(
    bucket: str,
    upload_id: str,
    name: str,
    extension: str,
    data: bytes,
    content_type: str,
    *,
    held: bool = False,
) -> str:
    """Write a thumbnail (immutable, cached forever); returns its key. A `held` one (screening
    flagged the photo) goes under `held/`, which the site's CDN does not serve."""
    key = (keys.held_rendition_object if held else keys.rendition_object)(upload_id, name, extension)
    aws.client("s3").put_object(
        Bucket=bucket, Key=key, Body=data, ContentType=content_type, CacheControl=CACHE_FOREVER
    )
    return key


def publish_held(bucket: str, held_key: str) -> str:
    """Copy a held thumbnail to its public key (same upload, size and extension); returns that key."""
    public_key = keys.published_rendition(held_key)
    # The copy keeps the held object's Content-Type and Cache-Control (MetadataDirective COPY).
    aws.client("s3").copy_object(
        Bucket=bucket, Key=public_key, CopySource={"Bucket": bucket, "Key": held_key}
    )
    return public_key


def presigned_get(bucket: str, key: str, expires_in: int) -> str:
    """A short-lived URL to one private object (moderators' view of a held photo)."""
    return str(
        aws.client("s3").generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires_in
        )
    )


def rendition_keys(bucket: str, upload_id: str) -> list[str]:
    """Every stored rendition of an upload (one ListObjectsV2 of its prefix)."""
    listed = aws.client("s3").list_objects_v2(Bucket=bucket, Prefix=keys.rendition_prefix(upload_id))
    return [str(o["Key"]) for o in listed.get("Contents", [])]


def presigned_upload(
    bucket: str, key: str, content_type: str, conditions: list[Any], expires_in: int
) -> dict[str, Any]:
    """A presigned POST for exactly this key (the policy's conditions pin type and size)."""
    return dict(
        aws.client("s3").generate_presigned_post(
            Bucket=bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=conditions,
            ExpiresIn=expires_in,
        )
    )


def delete_many(bucket: str, object_keys: list[str]) -> None:
    s3 = aws.client("s3")
    for start in range(0, len(object_keys), DELETE_BATCH):
        chunk = object_keys[start : start + DELETE_BATCH]
        if chunk:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True})


def delete_upload_images(upload_ids: list[str], original_keys: list[str]) -> None:
    """Remove uploads' renditions and originals (a deleted post's images)."""
    settings = get_settings()
    media_keys = [k for upload_id in upload_ids for k in rendition_keys(settings.media_bucket, upload_id)]
    delete_many(settings.media_bucket, media_keys)
    delete_many(settings.uploads_bucket, original_keys)


def purge_upload_images(upload_ids: list[str], original_keys: list[str]) -> None:
    """Remove uploads' images for good: every version of every rendition (the media bucket keeps
    replaced and deleted versions for 30 days), and the originals (the uploads bucket keeps none).

    For erasing a member; deleting a post keeps the old versions restorable for those 30 days.
    """
    settings = get_settings()
    s3 = aws.client("s3")
    versions: list[dict[str, str]] = []
    # Held thumbnails (screening) live under their own prefix until a moderator decides.
    prefixes = [p for u in upload_ids for p in (keys.rendition_prefix(u), keys.held_rendition_prefix(u))]
    for prefix in prefixes:
        pages = s3.get_paginator("list_object_versions").paginate(Bucket=settings.media_bucket, Prefix=prefix)
        for page in pages:
            for entry in page.get("Versions", []) + page.get("DeleteMarkers", []):
                versions.append({"Key": entry["Key"], "VersionId": entry["VersionId"]})
    for start in range(0, len(versions), DELETE_BATCH):
        chunk = versions[start : start + DELETE_BATCH]
        s3.delete_objects(Bucket=settings.media_bucket, Delete={"Objects": chunk, "Quiet": True})
    delete_many(settings.uploads_bucket, original_keys)


def presigned_original(key: str, expires_in: int) -> str | None:
    """A time-limited link to an upload's original, while it exists (originals expire after 7 days)."""
    bucket = get_settings().uploads_bucket
    if head(bucket, key) is None:
        return None
    return str(
        aws.client("s3").generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires_in
        )
    )
