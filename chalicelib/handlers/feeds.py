"""Feed refresh entry points: the scheduled planner and the per-member queue worker."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.observability import logger
from chalicelib.services import feeds


def planner(event: dict[str, Any]) -> dict[str, Any]:
    summary = feeds.plan()
    logger.info("feed planner done", extra={"event_id": event.get("id"), "members": summary.members})
    return {"generation": summary.generation, "members": summary.members, "trending": summary.trending}


def record_handler(record: SQSRecord) -> None:
    message = json.loads(record.body)
    entries = feeds.refresh_member(str(message["member_id"]), str(message["generation"]))
    logger.debug("feed refreshed", extra={"member_id": message["member_id"], "entries": entries})


def worker(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One member per message: a failure retries only that member (partial batch response)."""
    return process_partial_response(
        event=event,
        record_handler=record_handler,
        processor=BatchProcessor(event_type=EventType.SQS),
        context=context,
    )
