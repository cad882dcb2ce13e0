"""The erasure queue's entry point: one member per message (services/erasure.py does the work).

A pass that ran out of time, or must wait (a post's own deletion, the final sweep after every
token expired), queues the member again, with a delay, before the message is acknowledged;
a crash instead leaves the message to SQS, which delivers it again. Either way the next pass
resumes from what is left.
"""

from __future__ import annotations

import json
import time
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib import clock
from chalicelib.data import queues
from chalicelib.observability import metrics
from chalicelib.services import erasure
from chalicelib.settings import get_settings

# Seconds a pass keeps for itself at the end of the invocation (queueing the member again).
MARGIN_SECONDS = 15
DEFAULT_BUDGET_SECONDS = 90


def worker(event: dict[str, Any], context: Any) -> dict[str, Any]:
    remaining_ms = getattr(context, "get_remaining_time_in_millis", None)
    budget = (remaining_ms() / 1000 - MARGIN_SECONDS) if callable(remaining_ms) else DEFAULT_BUDGET_SECONDS
    deadline = time.monotonic() + max(1.0, budget)

    def record_handler(record: SQSRecord) -> None:
        member_id = str(json.loads(record.body)["member_id"])
        result = erasure.run(member_id, now=clock.now(), deadline=deadline)
        if not result.done:
            queues.send(get_settings().erasure_queue, [record.body], delay_seconds=result.delay_seconds)
        metrics.add_metric(name="ErasurePasses", unit="Count", value=1)

    return process_partial_response(
        event=event,
        record_handler=record_handler,
        processor=BatchProcessor(event_type=EventType.SQS),
        context=context,
    )
