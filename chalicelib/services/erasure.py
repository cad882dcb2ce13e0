"""Members leaving: `DELETE /me` erases everything that is theirs; `GET /me/export` shows all of it.

What a member owns is declared once, in the registry each data module contributes its kinds to
(chalicelib/data/ownership.py); this module runs the registry, it knows no item type itself.

Erasure is a queue-driven job, idempotent and resumable:
1. The request turns the profile into a tombstone (hidden everywhere; activity can no longer
   re-create it, and the authorizer refuses the member's tokens) and queues one message.
2. The erasure worker signs the member out everywhere and disables their Cognito user, then
   walks every kind in phase order, erasing item by item with the write paths' own rules
   (unsmile, uncomment, unfollow, the post-delete cascade), so every counter stays exact. It
   stops before its time runs out and queues the member again; a crash just means SQS delivers
   the message again. Each pass starts from what is left, so nothing is done twice.
3. After the first complete pass the Cognito user is deleted. One more pass runs once every ID
   token issued before the request has expired (`erasure_final_sweep_seconds`), catching
   anything a still-valid token wrote meanwhile; then the tombstone goes.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chalicelib import clock, cursors
from chalicelib.auth import Identity
from chalicelib.data import identities, ownership, queues, users
from chalicelib.data.models import UserItem
from chalicelib.data.ownership import Erased, OwnedKind
from chalicelib.data.pages import Page
from chalicelib.errors import NotFound
from chalicelib.observability import logger, metrics
from chalicelib.schemas.members import ErasureOut, ExportPage
from chalicelib.settings import get_settings

PROFILE_PHASE = 9  # the tombstone goes last, after the final sweep
PAGE = 25  # items read per Query while erasing
RETRY_WAITING_SECONDS = 60  # something had to wait (e.g. a post's own deletion): look again then


def _contributors() -> None:
    """Import every module that registers a kind, so the registry is complete wherever this runs."""
    from chalicelib.data import (  # noqa: F401
        audiences,
        brand_pages,
        brands,
        discovery,
        engagement,
        enthusiasts,
        featured,
        feeds,
        inbox,
        moderation,
        ratelimits,
        rights,
        safety,
        social,
        users,
    )
    from chalicelib.services import media, posts  # noqa: F401


def _profile(member_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    return Page([member_id] if users.erasing_since(member_id) is not None else [], None)


def _erase_profile(member_id: str, _: str) -> Erased:
    users.delete_tombstone(member_id)
    return Erased.GONE


# The profile is exported in the export's `member` block; it is erased last, by the job.
PROFILE = ownership.register(
    OwnedKind(
        "profile", (UserItem,), ("user", "active_member"), _profile, _erase_profile, phase=PROFILE_PHASE
    )
)


def kinds() -> list[OwnedKind]:
    _contributors()
    return ownership.kinds()


# --- DELETE /me ---------------------------------------------------------------------------------


def request_erasure(identity: Identity) -> ErasureOut:
    """Two requests: the tombstone, the queued job. Asking again changes nothing."""
    since = users.mark_erasing(identity.user_id, clock.now_iso())
    queues.send(get_settings().erasure_queue, [json.dumps({"member_id": identity.user_id})])
    metrics.add_metric(name="ErasureRequested", unit="Count", value=1)
    return ErasureOut(status="erasing", requested_at=since)


@dataclass
class Pass:
    """What one run of the job did, and whether the member is gone."""

    done: bool
    delay_seconds: int = 0  # when to run again (not done)
    erased: Counter[str] = field(default_factory=Counter)
    waiting: Counter[str] = field(default_factory=Counter)


def run(member_id: str, *, now: datetime, deadline: float) -> Pass:
    """Erase what is left of the member until `deadline` (time.monotonic()); see the module docstring."""
    since = users.erasing_since(member_id)
    result = Pass(done=since is None)
    if since is None:
        return result  # finished before (a redelivery), or never asked: nothing to do
    identities.sign_out_and_disable(member_id)
    for kind in kinds():
        if kind.phase >= PROFILE_PHASE:
            continue
        start: dict[str, Any] | None = None
        while True:
            page = kind.find(member_id, PAGE, start)
            for record in page.items:
                if time.monotonic() > deadline:
                    result.done = False
                    return result  # out of time: the caller queues the member again at once
                outcome = kind.erase(member_id, record)
                (result.erased if outcome is Erased.GONE else result.waiting)[kind.name] += 1
            start = page.last_key
            if not start:
                break
    identities.delete(member_id)
    if result.waiting:
        result.delay_seconds = RETRY_WAITING_SECONDS
        return result
    sweep_at = datetime.fromisoformat(since.replace("Z", "+00:00")) + timedelta(
        seconds=get_settings().erasure_final_sweep_seconds
    )
    if now < sweep_at:
        result.delay_seconds = max(1, int((sweep_at - now).total_seconds()))
        return result
    PROFILE.erase(member_id, member_id)
    result.done = True
    metrics.add_metric(name="MemberErased", unit="Count", value=1)
    logger.info("member erased", extra={"erased": dict(result.erased)})
    return result


# --- GET /me/export -----------------------------------------------------------------------------


def export_page(identity: Identity, limit: int, cursor: str | None) -> ExportPage:
    """One page of everything Flint holds about the member, kind after kind (docs/api.md).

    The first page also carries the `member` block: the profile and the sign-in identity's
    attributes. A page reads at most `limit` items, whatever the member's history.
    """
    exportable = [k for k in kinds() if k.export is not None]
    position = cursors.decode(cursor, scope="me/export") or {"k": 0, "s": None}
    index, start = int(position["k"]), position.get("s")
    member = None
    if cursor is None:
        profile = users.get_member(identity.user_id)
        if profile is None:
            raise NotFound("Profile not found.")
        member = {
            "id": profile.user_id,
            "display_name": profile.display_name,
            "bio": profile.bio,
            "interests": profile.interests,
            "badges": profile.badges,
            "created_at": profile.created_at,
            "groups": sorted(identity.groups),
            "sign_in": identities.attributes(identity.user_id),
        }
    items: list[dict[str, Any]] = []
    while index < len(exportable) and len(items) < limit:
        kind = exportable[index]
        page = kind.find(identity.user_id, limit - len(items), start)
        items += [{"type": kind.name, **kind.export(record)} for record in page.items]  # type: ignore[misc]
        start = page.last_key
        if not start:
            index, start = index + 1, None
    more = index < len(exportable)
    return ExportPage(
        member=member,
        items=items,
        next_cursor=cursors.encode({"k": index, "s": start}, scope="me/export") if more else None,
    )
