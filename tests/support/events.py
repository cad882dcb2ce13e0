"""The app's queue, stream and schedule handlers driven as AWS drives them, from a test.

`app_runner()` is local/event_runner.py's runner over the real app without its background loops:
a test polls a queue, reads the stream or fires a schedule when it wants, and nothing waits (long
polls off). The session's stream holds every earlier test's records, so a test that reads it starts
where the stream ended when the test began (`stream_start`), and a runner made later from those
positions reads the same records again (a replay, as Lambda's retries do).
"""

from __future__ import annotations

from typing import Any

import boto3

from local.event_runner import EventRunner
from tests.support.aws import REGION


def app_runner(*, streams: bool = False, positions: dict[str, str | None] | None = None) -> EventRunner:
    """A runner over the app; with `streams`, reading the table's stream from `positions`."""
    from app import app

    return EventRunner(
        app,
        boto3.client("sqs", region_name=REGION),
        wait_seconds=0,
        streams=boto3.client("dynamodbstreams", region_name=REGION) if streams else None,
        stream_positions=positions,
    )


def stream_start() -> dict[str, str | None]:
    """Where the table's stream ends now: a runner from here reads only what is written after."""
    return app_runner(streams=True).start_streams_at_end().stream_positions()


def queue_source(runner: EventRunner, handler: str) -> Any:
    return next(s for s in runner.queue_sources if s.name == handler)


def purge(*queue_names: str) -> None:
    """Empty these queues of the session, hidden (in-flight, failed) messages included, for a test
    that counts what its handlers receive or leaves poison behind. The emulator allows a purge at
    any time (AWS: one a minute), and nothing else polls the queues during a test."""
    sqs = boto3.client("sqs", region_name=REGION)
    for name in queue_names:
        sqs.purge_queue(QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"])


def app_queues() -> list[str]:
    """Every queue the app's handlers read, and their dead-letter queues."""
    names = [EventRunner.queue_name(source) for source in app_runner().queue_sources]
    return names + [dead_letter_queue(name) for name in names]


def dead_letter_queue(name: str) -> str:
    """A queue's dead-letter queue (infra/template.yaml): `<name>-dlq`, `.fifo` kept last."""
    stem, fifo = (name.removesuffix(".fifo"), ".fifo") if name.endswith(".fifo") else (name, "")
    return f"{stem}-dlq{fifo}"
