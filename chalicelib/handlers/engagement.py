"""Brand aggregates' entry point: the engagement FIFO queue.

The queue's message group is the brand, so SQS hands one brand's messages to one invocation at a
time, in order. An invocation applies each brand's messages together (services/engagement.py
`aggregate`); a brand that fails has all of its messages reported as failures (partial batch
response) and is retried alone, in order, while the other brands of the batch are done.

The stream worker (handlers/stream.py) forwards relevant changes to the same queue
(services/engagement.py `forward_changes`); if sending fails, the whole stream batch is retried,
and the markers its messages carry make the retry count once.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from chalicelib.observability import logger
from chalicelib.services import engagement


def event_worker(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Each record is one brand's message; a brand's records are applied together, in order."""
    by_brand: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    failures: list[dict[str, str]] = []
    for record in event.get("Records", []):
        try:
            body = json.loads(record["body"])
            by_brand[str(body["b"])].append((str(record["messageId"]), body))
        except (ValueError, KeyError, TypeError):
            logger.error("unreadable engagement message", extra={"message_id": record.get("messageId")})
            failures.append({"itemIdentifier": str(record.get("messageId"))})
    for brand_id, records in by_brand.items():
        try:
            engagement.aggregate([body for _, body in records])
        except Exception:
            logger.exception("brand aggregation failed", extra={"brand_id": brand_id})
            failures += [{"itemIdentifier": message_id} for message_id, _ in records]
    return {"batchItemFailures": failures}
