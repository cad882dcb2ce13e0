"""Brand community lists from the table's stream (`stream_worker` in app.py calls this second).

A failure raises, so Lambda retries the whole stream batch: the feed change log and the brand
counters are idempotent (absolute values, markers), and so are these lists (absolute values).
"""

from __future__ import annotations

from typing import Any

from chalicelib.handlers.engagement import table_change
from chalicelib.services import brand_pages


def apply_stream(event: dict[str, Any]) -> int:
    """Apply a stream batch's post changes to the brands' community lists; returns lists written."""
    return brand_pages.apply_post_changes(table_change(r) for r in event.get("Records") or [])
