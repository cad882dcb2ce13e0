"""Brand aggregate entry points: the engagement-event queue and the table's DynamoDB stream.

Both answer partial batch responses (Powertools BatchProcessor): a failed record is retried
alone. Both are exactly-once per delivery (data/engagement.py's marker items), so a retried
batch, a redelivered message or a replayed client batch never counts twice.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from boto3.dynamodb.types import TypeDeserializer

from chalicelib.observability import logger, metrics
from chalicelib.services import engagement
from chalicelib.services.engagement import Context, TableChange

_deserializer = TypeDeserializer()


def event_worker(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One SQS message is one accepted client batch."""

    def record_handler(record: SQSRecord) -> None:
        applied = engagement.aggregate_events([json.loads(record.body)])
        metrics.add_metric(name="EngagementBatchesAggregated", unit="Count", value=applied)

    return process_partial_response(
        event=event,
        record_handler=record_handler,
        processor=BatchProcessor(event_type=EventType.SQS),
        context=context,
    )


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
    """Posts, smiles and comments feed the brand aggregates; everything else is skipped."""
    changes = {str(r["eventID"]): table_change(r) for r in event.get("Records", [])}
    # The posts and brands the batch touches, read once (two BatchGetItems), not per record.
    shared: Context = engagement.stream_context(changes.values())

    def record_handler(record: DynamoDBRecord) -> None:
        change = changes[str(record.event_id)]
        if engagement.aggregate_change(change, shared):
            logger.debug("table change aggregated", extra={"event_id": change.event_id})

    return process_partial_response(
        event=event,
        record_handler=record_handler,
        processor=BatchProcessor(event_type=EventType.DynamoDBStreams),
        context=context,
    )
