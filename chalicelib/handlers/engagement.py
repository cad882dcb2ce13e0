"""Brand aggregate entry points: the engagement FIFO queue and the table's DynamoDB stream.

The queue's message group is the brand, so SQS hands one brand's messages to one invocation at a
time, in order. An invocation applies each brand's messages together (services/engagement.py
`aggregate`); a brand that fails has all of its messages reported as failures (partial batch
response) and is retried alone, in order, while the other brands of the batch are done.

The stream worker forwards relevant changes to the same queue (services/engagement.py
`forward_changes`); if sending fails, the whole stream batch is retried, and the markers its
messages carry make the retry count once.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from chalicelib.observability import logger
from chalicelib.services import engagement
from chalicelib.services.engagement import TableChange

_deserializer = TypeDeserializer()


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


def _image(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    if not raw:
        return None
    return {name: _deserializer.deserialize(value) for name, value in raw.items()}


def table_change(record: dict[str, Any]) -> TableChange:
    """A stream record as Lambda delivers it (DynamoDB JSON images) -> plain values."""
    data = record.get("dynamodb") or {}
    return TableChange(
        event_id=str(record["eventID"]),
        name=str(record["eventName"]),
        new=_image(data.get("NewImage")),
        old=_image(data.get("OldImage")),
    )


def stream_worker(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Posts, smiles and comments about brands' posts go to the engagement queue; the rest is skipped."""
    engagement.forward_changes(table_change(r) for r in event.get("Records", []))
    return {"batchItemFailures": []}
