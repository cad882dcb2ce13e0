"""Access patterns for uploads: created pending, finished exactly once (ready or rejected)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.data import connection, keys
from chalicelib.data.connection import Tx, transact
from chalicelib.data.models import UploadItem

PENDING = "pending"
READY = "ready"
REJECTED = "rejected"
# Flagged by screening: kept out of the public media prefix until a moderator approves (-> ready)
# or rejects it (-> rejected). Statuses: pending -> ready | rejected | held; held -> ready | rejected.
HELD = "held"
UPLOAD_KIND = "upload"  # in GSI4 (keys.member_owned): a member's uploads


@dataclass(frozen=True)
class RenditionRecord:
    name: str
    key: str
    width: int
    height: int


WEBP_SUFFIX = ".webp"
AVIF_SUFFIX = ".avif"


def webp_name(size_name: str) -> str:
    """The record name of a size's WebP copy ("small" -> "small.webp"; services/imaging.py)."""
    return size_name + WEBP_SUFFIX


def avif_name(size_name: str) -> str:
    """The record name of a size's AVIF copy ("small" -> "small.avif")."""
    return size_name + AVIF_SUFFIX


def size_of_webp(name: str) -> str | None:
    """The size a WebP copy's record belongs to (None: not a copy)."""
    return name.removesuffix(WEBP_SUFFIX) if name.endswith(WEBP_SUFFIX) else None


def size_of_avif(name: str) -> str | None:
    """The size an AVIF copy's record belongs to (None: not a copy)."""
    return name.removesuffix(AVIF_SUFFIX) if name.endswith(AVIF_SUFFIX) else None


def is_copy(name: str) -> bool:
    """A record of a size's other-format copy (WebP or AVIF), not a size of its own."""
    return size_of_webp(name) is not None or size_of_avif(name) is not None


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
    avatar_of: str | None = None
    created_at: str | None = None
    original_key: str | None = None  # set when ready: the accepted bytes, immutable
    # Image discovery (services/discovery.py): the best product matches, once computed.
    matches: list[dict[str, Any]] = field(default_factory=list)


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
        avatar_of=item.avatar_of,
        created_at=item.created_at,
        original_key=item.original_key,
        matches=list(item.matches or []),
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
            *_processed(original_key, width, height, palette, renditions, at, labels or []),
        ],
    )


def _processed(
    original_key: str,
    width: int,
    height: int,
    palette: list[str],
    renditions: list[RenditionRecord],
    at: str,
    labels: list[str],
) -> list[Any]:
    """What processing found, whichever status it ends in (ready or held)."""
    return [
        UploadItem.original_key.set(original_key),
        UploadItem.width.set(width),
        UploadItem.height.set(height),
        UploadItem.palette.set(palette),
        UploadItem.renditions.set(_renditions_json(renditions)),
        UploadItem.processed_at.set(at),
        UploadItem.labels.set(labels),
    ]


def _renditions_json(renditions: list[RenditionRecord]) -> dict[str, dict[str, Any]]:
    return {r.name: {"key": r.key, "width": r.width, "height": r.height} for r in renditions}


def mark_held(
    upload_id: str,
    *,
    reason: str,
    width: int,
    height: int,
    palette: list[str],
    renditions: list[RenditionRecord],
    original_key: str,
    at: str,
    labels: list[str],
    open_case: Callable[[Tx], None],
) -> bool:
    """Finish a pending upload as `held` (screening flagged it) and open its moderation case, in one
    transaction (`open_case(tx)` adds the case). False if the upload was already final."""
    key = keys.upload(upload_id)

    def write(tx: Tx) -> None:
        tx.update(
            UploadItem(key.pk, key.sk),
            actions=[
                UploadItem.status.set(HELD),
                UploadItem.reason.set(reason),
                *_processed(original_key, width, height, palette, renditions, at, labels),
            ],
            condition=UploadItem.status == PENDING,
            label="upload",
        )
        open_case(tx)

    return transact(write).committed


def set_review_outcome(tx: Tx, upload: Upload, *, approved: bool, renditions: list[RenditionRecord]) -> None:
    """Add to a transaction: a held upload approved (`ready`, its renditions now public) or
    rejected. Condition (label `upload`): it is still held."""
    key = keys.upload(upload.upload_id)
    actions: list[Any]
    if approved:
        actions = [
            UploadItem.status.set(READY),
            UploadItem.reason.remove(),
            UploadItem.renditions.set(_renditions_json(renditions)),
        ]
    else:
        actions = [UploadItem.status.set(REJECTED), UploadItem.reason.set("refused_in_review")]
    tx.update(
        UploadItem(key.pk, key.sk), actions=actions, condition=UploadItem.status == HELD, label="upload"
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
