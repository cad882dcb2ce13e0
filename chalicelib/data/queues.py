"""SQS adapter: services hand message bodies here and never hold a boto3 client."""

from __future__ import annotations

from collections.abc import Sequence

from chalicelib import aws

SEND_BATCH = 10  # SQS SendMessageBatch takes at most 10 entries


def send(queue_name: str, bodies: Sequence[str]) -> None:
    """Send every body (in batches of 10); raises if SQS refused any."""
    sqs = aws.client("sqs")
    url = aws.queue_url(queue_name)
    for start in range(0, len(bodies), SEND_BATCH):
        chunk = bodies[start : start + SEND_BATCH]
        response = sqs.send_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": body} for i, body in enumerate(chunk)]
        )
        if response.get("Failed"):
            raise RuntimeError(f"{queue_name}: {len(response['Failed'])} messages were not sent")
