"""The SQS adapter: a failed send is retried, and what never got in fails the caller loudly."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from chalicelib import aws
from chalicelib.data import queues
from chalicelib.settings import get_settings
from tests.support.faults import Fault, inject


def _received(queue_name: str) -> list[str]:
    sqs = aws.client("sqs")
    url = aws.queue_url(queue_name)
    bodies: list[str] = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return bodies
        bodies += [m["Body"] for m in messages]
        for m in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def test_a_send_failing_twice_is_retried_and_every_message_arrives_once(stack: Any) -> None:
    # Given SQS failing the next two batch sends
    queue = get_settings().feed_refresh_queue
    mine = uuid.uuid4().hex  # the queue is the session's: this test's messages are those naming it
    bodies = [f'{{"member_id": "{mine}-{i}"}}' for i in range(12)]

    # When twelve messages are sent
    with inject(aws.client("sqs"), Fault("SendMessageBatch", code="ServiceUnavailable", status=503, times=2)):
        sent = queues.send(queue, bodies)

    # Then all arrived, once each
    assert sent == 12
    assert sorted(body for body in _received(queue) if mine in body) == sorted(bodies)


def test_a_send_that_keeps_failing_raises_so_the_planner_run_fails_and_is_retried(stack: Any) -> None:
    # Given SQS failing every batch send
    queue = get_settings().feed_refresh_queue

    # When messages are sent
    fault = Fault("SendMessageBatch", code="ServiceUnavailable", status=503)
    with inject(aws.client("sqs"), fault), pytest.raises(queues.SendFailed) as failed:
        queues.send(queue, ["a", "b"])

    # Then the caller hears how many never got in, after bounded attempts
    assert failed.value.failed == 2
    assert fault.injected == queues.ATTEMPTS
