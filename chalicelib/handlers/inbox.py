"""Activity inbox notifications from the table's stream (`stream_worker` in app.py calls this third).

A failure raises, so Lambda retries the whole batch: notifications are keyed by their stream
event, so a retry rewrites the same items.
"""

from __future__ import annotations

from typing import Any

from chalicelib.handlers.engagement import table_change
from chalicelib.services import inbox


def notify_from_stream(event: dict[str, Any]) -> int:
    """Write the notifications a stream batch's new follows, smiles and comments make."""
    return inbox.notify([table_change(r) for r in event.get("Records") or []])
