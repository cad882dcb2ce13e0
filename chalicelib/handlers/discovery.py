"""Brands' untagged mentions from the table's stream (`stream_worker` in app.py).

A failure raises, so Lambda retries the whole batch: a mention is keyed by post x product, so a
retry rewrites the same items.
"""

from __future__ import annotations

from typing import Any

from chalicelib.handlers.engagement import table_change
from chalicelib.services import discovery


def mentions_from_stream(event: dict[str, Any]) -> int:
    """Write the mentions a stream batch's newly published posts make."""
    return discovery.mentions_from_stream([table_change(r) for r in event.get("Records") or []])
