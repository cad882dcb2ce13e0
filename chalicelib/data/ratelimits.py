"""Fixed-window abuse limits, counted in the Flint table.

One conditional UpdateItem per request and no read: `ADD n 1` on the window's counter item,
on condition that the counter is still below the limit. A failed condition means the caller
has used up this window: the answer is how long until the next one. The item's TTL removes it
after its window; correctness never depends on that (an old window is simply never counted
again, since the window start is part of its key).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalicelib.data import connection, keys, ownership
from chalicelib.data.models import RateWindowItem
from chalicelib.data.ownership import OwnedKind
from chalicelib.data.pages import Page
from chalicelib.settings import get_settings


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the window resets (0 when allowed)


def hit(
    action: str, subject: str, *, limit: int, window_seconds: int, now: float, amount: int = 1
) -> Verdict:
    """Count `amount` (one request, by default) of `subject` for `action` in the current window, if
    the limit allows all of it.

    Through the spine's conditional update: a failed condition is the verdict, and DynamoDB
    throttling is a 429 `throttled` like every other write's, never a 500.
    """
    window_start = int(now) - int(now) % window_seconds
    window_end = window_start + window_seconds
    key = keys.rate_window(action, subject, window_start)
    allowed = connection.update(
        RateWindowItem(key.pk, key.sk),
        [
            RateWindowItem.n.add(amount),
            RateWindowItem.entity.set(RateWindowItem),  # type: ignore[arg-type]
            RateWindowItem.expires_at.set(datetime.fromtimestamp(window_end + 60, UTC)),
        ],
        condition=RateWindowItem.n.does_not_exist() | (RateWindowItem.n <= limit - amount),
    )
    return Verdict(True, 0) if allowed else Verdict(False, max(1, window_end - int(now)))


# --- what a member owns here (chalicelib/data/ownership.py) ------------------------------------


def _member_windows(member_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    """The member's abuse-limit windows: one Query per limit named in settings (a handful)."""
    found = []
    for action in sorted(get_settings().rate_limits):
        found += [(i.PK, i.SK) for i in RateWindowItem.query(keys.rate_partition(action, member_id))]
    return Page(found[:limit], None)


ownership.register(
    OwnedKind(
        "rate_limits",
        (RateWindowItem,),
        ("rate_window", "rate_partition"),
        _member_windows,
        ownership.erase_by_deleting,
    )
)
