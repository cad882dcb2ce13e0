"""Feed entry points: the scheduled planner, the refresh queue's worker, and the table's stream.

The stream consumer (`stream_worker` in app.py) calls `log_post_changes` with each batch first:
the batch's post changes become one change-log item the planner reads on its next run.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.data.feeds import PostChange
from chalicelib.observability import logger
from chalicelib.services import feeds

_COUNTED = ("smile_count", "comment_count", "state")
_LIVE = "live"


def planner(event: dict[str, Any]) -> dict[str, Any]:
    summary = feeds.plan()
    logger.info("feed planner done", extra={"event_id": event.get("id"), "changes": summary.changes})
    return {
        "generation": summary.generation,
        "changes": summary.changes,
        "lists_written": summary.lists_written,
        "trending": summary.trending,
        "shards": summary.shards,
    }


def record_handler(record: SQSRecord) -> None:
    message = json.loads(record.body)
    if "plan_shard" in message:
        planned = feeds.plan_shard(
            int(message["plan_shard"]), str(message["since"]), str(message["generation"])
        )
        logger.debug("feed shard planned", extra={"shard": message["plan_shard"], "members": planned})
        return
    entries = feeds.refresh_member(str(message["member_id"]), str(message["generation"]))
    logger.debug("feed refreshed", extra={"member_id": message["member_id"], "entries": entries})


def worker(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One member (or one shard of the active tier) per message: a failure retries only that one."""
    return process_partial_response(
        event=event,
        record_handler=record_handler,
        processor=BatchProcessor(event_type=EventType.SQS),
        context=context,
    )


def _value(raw: dict[str, Any] | None) -> Any:
    """One attribute of a stream image (DynamoDB JSON), as far as posts' ranking inputs need."""
    if not raw:
        return None
    [(kind, value)] = raw.items()
    if kind == "N":
        return int(float(value))
    if kind == "L":
        return [_value(v) for v in value]
    return value


def post_change(record: dict[str, Any]) -> PostChange | None:
    """A stream record as a post change the feed lists care about; None for anything else."""
    data = record.get("dynamodb") or {}
    new, old = data.get("NewImage") or {}, data.get("OldImage") or {}
    image = new or old
    if _value(image.get("type")) != "post":
        return None
    name = record.get("eventName")
    if name == "MODIFY" and all(_value(new.get(a)) == _value(old.get(a)) for a in _COUNTED):
        return None  # nothing ranking reads changed
    return PostChange(
        post_id=str(_value(image.get("post_id"))),
        author_id=str(_value(image.get("author_id"))),
        created_at=str(_value(image.get("created_at"))),
        interests=[str(i) for i in _value(image.get("interests")) or []],
        smiles=int(_value(image.get("smile_count")) or 0),
        comments=int(_value(image.get("comment_count")) or 0),
        live=name != "REMOVE" and _value(image.get("state")) in (None, _LIVE),
        new=name == "INSERT",
    )


def log_post_changes(event: dict[str, Any]) -> int:
    """Log a stream batch's post changes for the feed planner (one PutItem, none when no post
    changed); a retried batch logs again, harmlessly: changes carry absolute counters."""
    records = event.get("Records") or []
    changes = [c for c in (post_change(r) for r in records) if c is not None]
    if changes:
        feeds.log_post_changes(changes, str(records[0].get("eventID", "")))
    return len(changes)
