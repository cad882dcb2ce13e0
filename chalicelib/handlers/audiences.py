"""Brand audiences from the table's stream (`stream_worker` in app.py calls this after the inbox).

A failure raises, so Lambda retries the whole batch: rows are sets (adding an element twice changes
nothing), memberships are put or deleted whole, and each backfill or invitation step is taken on
condition of its step number, invitations on condition that none exists.
"""

from __future__ import annotations

from typing import Any

from chalicelib.handlers.engagement import table_change
from chalicelib.services import audiences


def apply_stream(event: dict[str, Any]) -> int:
    """Apply a stream batch to the brands' audience rows, memberships and communities."""
    return audiences.apply_changes([table_change(r) for r in event.get("Records") or []])
