"""SQS adapter: services send message bodies to a queue by name, never holding a client.

`send()` batches by ten (SQS's limit), resends only the entries SQS reports as failed (a batch
call can partly succeed), and raises `SendFailed` naming how many never got in, so the caller's
invocation fails and is retried instead of silently dropping work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from chalicelib import aws

BATCH = 10
ATTEMPTS = 3


class SendFailed(Exception):
    """Some messages could not be queued after retries."""

    def __init__(self, queue_name: str, failed: int, reason: str):
        super().__init__(f"{failed} message(s) not queued on {queue_name}: {reason}")
        self.failed = failed


@dataclass(frozen=True)
class FifoMessage:
    """A message for a FIFO queue: delivered in order within its group, once per dedup id (5 min)."""

    body: str
    group: str
    dedup_id: str


def send(queue_name: str, bodies: Sequence[str | FifoMessage], *, delay_seconds: int = 0) -> int:
    """Queue every body (SendMessageBatch, ten a call), visible after `delay_seconds` (at most 900;
    standard queues only: FIFO queues take a queue-level delay)."""
    delay = {"DelaySeconds": min(900, delay_seconds)} if delay_seconds > 0 else {}
    sqs = aws.client("sqs")
    url = aws.queue_url(queue_name)
    for start in range(0, len(bodies), BATCH):
        pending = {str(i): body for i, body in enumerate(bodies[start : start + BATCH])}
        reason = ""
        for _ in range(ATTEMPTS):
            try:
                response = sqs.send_message_batch(
                    QueueUrl=url, Entries=[{**_entry(i, b), **delay} for i, b in pending.items()]
                )
            except ClientError as exc:
                reason = str(exc.response.get("Error", {}).get("Code", "error"))
                continue
            failed = {f["Id"] for f in response.get("Failed", [])}
            reason = ", ".join(sorted({str(f.get("Code", "")) for f in response.get("Failed", [])}))
            pending = {i: b for i, b in pending.items() if i in failed}
            if not pending:
                break
        if pending:
            raise SendFailed(queue_name, len(pending), reason)
    return len(bodies)


def _entry(entry_id: str, body: str | FifoMessage) -> dict[str, Any]:
    if isinstance(body, FifoMessage):
        return {
            "Id": entry_id,
            "MessageBody": body.body,
            "MessageGroupId": body.group,
            "MessageDeduplicationId": body.dedup_id,
        }
    return {"Id": entry_id, "MessageBody": body}
