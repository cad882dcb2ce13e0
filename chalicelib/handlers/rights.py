"""Rights requests from the table's stream (`stream_worker` in app.py): a post whose deletion began
(or that is gone) has its brands' rights requests withdrawn. Conditional writes: a retried batch
changes nothing twice."""

from __future__ import annotations

from typing import Any

from chalicelib.handlers.engagement import table_change
from chalicelib.services import rights


def withdraw_from_stream(event: dict[str, Any]) -> int:
    return rights.withdraw_from_stream([table_change(r) for r in event.get("Records") or []])
