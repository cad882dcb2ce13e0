"""Access patterns for uploads: created pending, finished exactly once (ready or rejected)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.data import connection, keys
from chalicelib.data.models import UploadItem

PENDING = "pending"
READY = "ready"
REJECTED = "rejected"
UPLOAD_KIND = "upload"  # in GSI4 (keys.member_owned): a member's uploads


@dataclass(frozen=True)
class RenditionRecord:
    name: str
    key: str
    width: int
    height: int


@dataclass(frozen=True)
class Upload:
    upload_id: str
    owner_id: str
    status: str
    content_type: str
    declared_size: int
    object_key: str
    reason: str | None = None
    width: int | None = None
    height: int | None = None
    palette: list[str] = field(default_factory=list)
    renditions: list[RenditionRecord] = field(default_factory=list)
    post_id: str | None = None
    labels: list[str] = field(default_factory=list)
    original_key: str | None = None  # set when ready: the accepted bytes, immutable


def _renditions(raw: dict[str, Any] | None) -> list[RenditionRecord]:
    return [
        RenditionRecord(name, str(r["key"]), int(r["width"]), int(r["height"]))
        for name, r in (raw or {}).items()
    ]


def to_upload(item: UploadItem) -> Upload:
    return Upload(
        upload_id=item.upload_id,
        owner_id=item.owner_id,
        status=item.status,
        content_type=item.content_type,
        declared_size=int(item.declared_size),
        object_key=item.object_key,
        reason=item.reason,
        width=int(item.width) if item.width is not None else None,
        height=int(item.height) if item.height is not None else None,
        palette=list(item.palette or []),
        renditions=_renditions(item.renditions),
        post_id=item.post_id,
        labels=list(item.labels or []),
        original_key=item.original_key,
    )


def create_upload(upload: Upload, created_at: str, expires_at: datetime) -> None:
    key = keys.upload(upload.upload_id)
    owned = keys.member_owned(upload.owner_id, UPLOAD_KIND, upload.upload_id)
    item = UploadItem(
        key.pk,
        key.sk,
        GSI4PK=owned.pk,
        GSI4SK=owned.sk,
        upload_id=upload.upload_id,
        owner_id=upload.owner_id,
        status=PENDING,
        content_type=upload.content_type,
        declared_size=upload.declared_size,
        object_key=upload.object_key,
        created_at=created_at,
    )
    # TTL only tidies never-used uploads; a post's uploads have the TTL removed when published.
    item.expires_at = expires_at
    if not connection.put(item, condition=UploadItem.PK.does_not_exist()):
        raise RuntimeError(f"upload id {upload.upload_id} already exists")  # ids are random: never


def get_upload(upload_id: str) -> Upload | None:
    key = keys.upload(upload_id)
    try:
        return to_upload(UploadItem.get(key.pk, key.sk, consistent_read=True))
    except UploadItem.DoesNotExist:
        return None


def get_uploads(upload_ids: Iterable[str]) -> dict[str, Upload]:
    wanted = list(dict.fromkeys(upload_ids))
    if not wanted:
        return {}
    return {
        i.upload_id: to_upload(i)
        for i in UploadItem.batch_get([keys.upload(u) for u in wanted], consistent_read=True)
    }


def _finish(upload_id: str, actions: list[Any]) -> bool:
    """Apply a final status once: only a pending upload changes. False if it was already final."""
    key = keys.upload(upload_id)
    return connection.update(UploadItem(key.pk, key.sk), actions, condition=UploadItem.status == PENDING)


def mark_ready(
    upload_id: str,
    *,
    width: int,
    height: int,
    palette: list[str],
    renditions: list[RenditionRecord],
    original_key: str,
    at: str,
    labels: list[str] | None = None,
) -> bool:
    return _finish(
        upload_id,
        [
            UploadItem.status.set(READY),
            UploadItem.original_key.set(original_key),
            UploadItem.width.set(width),
            UploadItem.height.set(height),
            UploadItem.palette.set(palette),
            UploadItem.renditions.set(
                {r.name: {"key": r.key, "width": r.width, "height": r.height} for r in renditions}
            ),
            UploadItem.processed_at.set(at),
            UploadItem.labels.set(labels or []),
        ],
    )


def mark_rejected(upload_id: str, *, reason: str, at: str) -> bool:
    return _finish(
        upload_id,
        [UploadItem.status.set(REJECTED), UploadItem.reason.set(reason), UploadItem.processed_at.set(at)],
    )


def delete_uploads(upload_ids: Iterable[str]) -> None:
    with UploadItem.batch_write() as batch:
        for upload_id in upload_ids:
            key = keys.upload(upload_id)
            batch.delete(UploadItem(key.pk, key.sk))
