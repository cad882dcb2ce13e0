"""Does locally what AWS does and `chalice local` does not: deliver queue messages and fire schedules.

For every `@app.on_sqs_message` handler it long-polls the queue, builds the
exact SQS event Lambda would send (batch of records), invokes the handler and
deletes what succeeded. A `batchItemFailures` answer (partial batch response)
leaves only the failed messages in the queue; an exception leaves the whole
batch. Either way SQS redelivers after the visibility timeout and, after the
queue's maxReceiveCount, moves the message to its dead-letter queue, as in AWS.

For every `@app.on_dynamodb_record` handler it reads the table's stream in the embedded AWS
(ListStreams by table name, DescribeStream, GetShardIterator from TRIM_HORIZON, GetRecords),
keeps its position per shard, and hands the handler the event Lambda's stream mapping sends
(`{"Records": [...]}`, each with `eventSourceARN`). A `batchItemFailures` answer resumes the
shard at the first failed record, as Lambda does with ReportBatchItemFailures.

For every `@app.schedule` handler it sends the scheduled CloudWatch event on a
local interval: FLINT_REFRESH_SECONDS (default 15 s) unless a per-handler
`FLINT_SCHEDULE_<NAME>_SECONDS` says otherwise. With FLINT_SCHEDULES_HELD=1 the intervals
start only at `POST /schedules/start`: `make dev` loads its demo data first, and a planner
run every 15 s over a table still being written would only compete with the loading.

A quiet stack does not run its jobs every 15 s for nothing: given `idle_seconds` (`make dev`:
FLINT_SCHEDULE_IDLE_SECONDS, 300 = the planner's rate in AWS), a schedule with a shorter interval
skips a tick when the table's stream brought nothing since its last run but the writes of the
jobs themselves (`own_prefixes`: partition keys starting with those), and runs at least every
`idle_seconds`. Anything else written (a post, a follow, a member's activity) makes the next tick
run, so a followee's new post still reaches an active reader within one interval.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import signal
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from chalice.app import Chalice, DynamoDBEventConfig, ScheduledEventConfig, SQSEventConfig
from chalice.local import LambdaContext

log = logging.getLogger("flint.events")

REGION = os.environ.get("AWS_REGION", "us-east-1")
ACCOUNT_ID = "123456789012"
MAX_DRAIN_SECONDS = 600
# Lambda reads each shard of a DynamoDB stream four times a second.
STREAM_POLL_SECONDS = 0.25


def _event_message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    """A message attribute as Lambda writes it in the event (camelCase, binaries base64),
    from the shape SQS's ReceiveMessage answers (`{"StringValue", "DataType"}`)."""
    attribute: dict[str, Any] = {
        "stringListValues": list(value.get("StringListValues", [])),
        "binaryListValues": [base64.b64encode(v).decode() for v in value.get("BinaryListValues", [])],
        "dataType": value["DataType"],
    }
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
    return attribute


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The event Lambda's SQS poller sends for a batch of received messages."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": {
                    name: _event_message_attribute(value)
                    for name, value in message.get("MessageAttributes", {}).items()
                },
                "md5OfBody": message.get("MD5OfBody") or hashlib.md5(message["Body"].encode()).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
            for message in messages
        ]
    }


def _epoch(value: Any) -> Any:
    return value.timestamp() if isinstance(value, datetime) else value


def stream_event(records: list[dict[str, Any]], stream_arn: str) -> dict[str, Any]:
    """The event Lambda's DynamoDB stream mapping sends for records GetRecords returned."""
    out = []
    for record in records:
        data = dict(record["dynamodb"])
        if "ApproximateCreationDateTime" in data:
            data["ApproximateCreationDateTime"] = _epoch(data["ApproximateCreationDateTime"])
        out.append(
            {
                "eventID": record["eventID"],
                "eventName": record["eventName"],
                "eventVersion": record.get("eventVersion", "1.1"),
                "eventSource": "aws:dynamodb",
                "awsRegion": record.get("awsRegion", REGION),
                "dynamodb": data,
                "eventSourceARN": stream_arn,
            }
        )
    return {"Records": out}


def scheduled_event(rule_name: str, at: datetime | None = None) -> dict[str, Any]:
    """The event EventBridge sends when a schedule rule fires."""
    moment = (at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": moment,
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{rule_name}"],
        "detail": {},
    }


def lambda_context(function_name: str) -> LambdaContext:
    return LambdaContext(function_name=function_name, memory_size=1024, max_runtime_ms=300_000)


def failed_message_ids(result: Any) -> set[str] | None:
    """Ids a partial batch response reports as failed; None when the handler didn't answer one."""
    if isinstance(result, dict) and "batchItemFailures" in result:
        return {str(f["itemIdentifier"]) for f in result["batchItemFailures"]}
    return None


@dataclass
class Stats:
    invocations: int = 0
    delivered: int = 0
    failed: int = 0
    by_handler: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "invocations": self.invocations,
            "delivered": self.delivered,
            "failed": self.failed,
            "by_handler": dict(self.by_handler),
        }


@dataclass
class DrainReport:
    """What `drain()` delivered, by handler; `complete` unless its bound ran out with work left."""

    delivered: dict[str, int] = field(default_factory=dict)
    failed: int = 0
    rounds: int = 0
    complete: bool = True
    busy: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "delivered": dict(self.delivered),
            "failed": self.failed,
            "rounds": self.rounds,
            "complete": self.complete,
            "busy": list(self.busy),
        }


class UnknownSchedule(KeyError):
    pass


class EventRunner:
    def __init__(
        self,
        app: Chalice,
        sqs: Any,
        *,
        refresh_seconds: float = 15.0,
        wait_seconds: int = 1,
        pollers: int = 1,
        streams: Any = None,
        table_name: str | None = None,
        stream_positions: dict[str, str | None] | None = None,
        stream_idle_seconds: float = 4.0,
        schedules_held: bool = False,
        idle_seconds: float | None = None,
        own_prefixes: tuple[str, ...] = (),
    ):
        self._app = app
        self._sqs = sqs
        self._streams = streams
        self._table_name = table_name or os.environ.get("FLINT_TABLE_NAME", "flint-dev")
        # shard id -> the iterator to read next (None once a closed shard is drained)
        self._positions: dict[str, str | None] = dict(stream_positions or {})
        self._stream_arn: str | None = None
        self._shards: list[str] = []
        self._shards_read_at = -1e9
        # One reader of the stream at a time: the background loop and `drain()` share positions.
        self._stream_lock = threading.Lock()
        self._stream_idle_seconds = stream_idle_seconds
        # refresh_seconds <= 0: schedules never fire on their own (`run_schedule` still runs them).
        self._refresh_seconds = refresh_seconds
        self._wait_seconds = wait_seconds
        self._pollers = pollers
        self._stop = threading.Event()
        self._schedules_started = threading.Event()
        if not schedules_held:
            self._schedules_started.set()
        self._threads: list[threading.Thread] = []
        self.stats = Stats()
        self._stats_lock = threading.Lock()
        self._queue_urls: dict[str, str] = {}
        # Per queue: set while its first poller finds messages, so the other pollers take some too.
        self._backlogs: dict[str, threading.Event] = {}
        # Messages this runner received and has not yet deleted or failed, per queue; and when each
        # message it failed was left to reappear (SQS hides it for the visibility timeout).
        self._flight = threading.Condition()
        self._in_flight: dict[str, int] = {}
        self._failed_at: dict[str, dict[str, float]] = {}
        # Scheduled functions run one at a time (reserved concurrency 1 in the template).
        self._schedule_locks = {s.name: threading.Lock() for s in self.schedule_sources}
        self._idle_seconds = idle_seconds
        self._own_prefixes = own_prefixes
        # Stream records seen that the jobs did not write themselves; and, per schedule, that count
        # and the moment its last run started.
        self._changes = 0
        self._last_runs: dict[str, tuple[int, float]] = {}

    @property
    def queue_sources(self) -> list[SQSEventConfig]:
        return [s for s in self._app.event_sources if isinstance(s, SQSEventConfig)]

    @property
    def stream_sources(self) -> list[DynamoDBEventConfig]:
        return [s for s in self._app.event_sources if isinstance(s, DynamoDBEventConfig)]

    @property
    def schedule_sources(self) -> list[ScheduledEventConfig]:
        return [s for s in self._app.event_sources if isinstance(s, ScheduledEventConfig)]

    def _handler(self, name: str) -> Callable[[dict[str, Any], Any], Any]:
        return self._app.handler_map[name]

    def _count(self, name: str, delivered: int, failed: int) -> None:
        with self._stats_lock:
            self.stats.invocations += 1
            self.stats.delivered += delivered
            self.stats.failed += failed
            self.stats.by_handler[name] = self.stats.by_handler.get(name, 0) + 1

    # --- queues -------------------------------------------------------------------------------

    @staticmethod
    def queue_name(source: SQSEventConfig) -> str:
        return source.queue or str(source.queue_arn).rsplit(":", 1)[-1]

    def _queue_url(self, queue_name: str) -> str:
        if queue_name not in self._queue_urls:
            self._queue_urls[queue_name] = self._sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
        return self._queue_urls[queue_name]

    def poll_queue_once(self, source: SQSEventConfig, wait_seconds: int | None = None) -> int:
        """Receive one batch, invoke the handler, delete the successes. Returns messages received.

        `wait_seconds`: how long to long-poll for a first message (default: the runner's)."""
        queue_name = self.queue_name(source)
        queue_url = self._queue_url(queue_name)
        received = self._sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=min(source.batch_size, 10),
            WaitTimeSeconds=self._wait_seconds if wait_seconds is None else wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not received:
            return 0
        with self._flight:
            self._in_flight[queue_name] = self._in_flight.get(queue_name, 0) + len(received)
        try:
            self._deliver_batch(source, queue_name, queue_url, received)
        finally:
            with self._flight:
                self._in_flight[queue_name] -= len(received)
                self._flight.notify_all()
        return len(received)

    def _deliver_batch(
        self, source: SQSEventConfig, queue_name: str, queue_url: str, received: list[dict[str, Any]]
    ) -> None:
        arn = f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{queue_name}"
        try:
            result = self._handler(source.name)(sqs_event(received, arn), lambda_context(source.name))
            failed = failed_message_ids(result) or set()
        except Exception:
            log.exception(
                "handler %s raised; the batch of %d will be redelivered", source.name, len(received)
            )
            failed = {m["MessageId"] for m in received}
        done = [m for m in received if m["MessageId"] not in failed]
        if done:
            self._sqs.delete_message_batch(
                QueueUrl=queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
            )
        if failed:
            with self._flight:
                now = time.monotonic()
                self._failed_at.setdefault(queue_name, {}).update(dict.fromkeys(failed, now))
        self._count(source.name, len(done), len(failed))

    # --- the table's stream ---------------------------------------------------------------------

    def _stream_shards(self) -> tuple[str | None, list[str]]:
        """The stream's ARN and shard ids, read again at most every 30 s (shards rarely change)."""
        if self._stream_arn is None or time.monotonic() - self._shards_read_at > 30:
            streams = self._streams.list_streams(TableName=self._table_name).get("Streams", [])
            if not streams:
                return None, []
            self._stream_arn = streams[-1]["StreamArn"]
            description = self._streams.describe_stream(StreamArn=self._stream_arn)["StreamDescription"]
            self._shards = [shard["ShardId"] for shard in description.get("Shards", [])]
            self._shards_read_at = time.monotonic()
        return self._stream_arn, self._shards

    def start_streams_at_end(self) -> EventRunner:
        """Skip what the stream already holds: deliver only records written from now on."""
        with self._stream_lock:
            arn, shards = self._stream_shards()
            for shard_id in shards:
                self._positions[shard_id] = self._streams.get_shard_iterator(
                    StreamArn=arn, ShardId=shard_id, ShardIteratorType="LATEST"
                )["ShardIterator"]
        return self

    def stream_positions(self) -> dict[str, str | None]:
        """Where this runner reads each shard next: another runner given them reads the same records."""
        with self._stream_lock:
            return dict(self._positions)

    def poll_stream_once(self, source: DynamoDBEventConfig) -> int:
        """Read each shard of the table's stream once and deliver what is new. Returns records read."""
        with self._stream_lock:
            arn, shards = self._stream_shards()
            total = 0
            for shard_id in shards:
                if shard_id not in self._positions:
                    self._positions[shard_id] = self._streams.get_shard_iterator(
                        StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
                    )["ShardIterator"]
                iterator = self._positions[shard_id]
                if iterator is None:
                    continue
                answer = self._streams.get_records(ShardIterator=iterator, Limit=min(source.batch_size, 1000))
                records = answer.get("Records", [])
                next_iterator = answer.get("NextShardIterator")
                if records:
                    self._note_changes(records)
                    total += len(records)
                    next_iterator = self._deliver_stream(source, arn, shard_id, records, next_iterator)
                self._positions[shard_id] = next_iterator
            return total

    def _note_changes(self, records: list[dict[str, Any]]) -> None:
        for record in records:
            partition = next(iter(record["dynamodb"].get("Keys", {}).get("PK", {}).values()), "")
            if not str(partition).startswith(self._own_prefixes):
                self._changes += 1

    def _deliver_stream(
        self, source: DynamoDBEventConfig, arn: str, shard_id: str, records: list[dict[str, Any]], after: Any
    ) -> Any:
        try:
            result = self._handler(source.name)(stream_event(records, arn), lambda_context(source.name))
            failed = failed_message_ids(result) or set()
        except Exception:
            log.exception("handler %s raised; %d stream records will be retried", source.name, len(records))
            failed = {records[0]["dynamodb"]["SequenceNumber"]}
        self._count(source.name, len(records) - len(failed), len(failed))
        if not failed:
            return after
        first = min(
            (r for r in records if r["dynamodb"]["SequenceNumber"] in failed),
            key=lambda r: int(r["dynamodb"]["SequenceNumber"]),
        )
        return self._streams.get_shard_iterator(
            StreamArn=arn,
            ShardId=shard_id,
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber=first["dynamodb"]["SequenceNumber"],
        )["ShardIterator"]

    def _stream_loop(self, source: DynamoDBEventConfig) -> None:
        # Idle, the pause between reads doubles up to `stream_idle_seconds`: a quiet stack reads
        # the stream every few seconds. Busy, it reads again at once after a full batch and after
        # STREAM_POLL_SECONDS otherwise, Lambda's rate for a shard: reading again at once handed
        # the worker batches of a few records, each paying the batch's reads again.
        pause = 0.0
        while not self._stop.wait(pause):
            try:
                if read := self.poll_stream_once(source):
                    pause = 0.0 if read >= source.batch_size else STREAM_POLL_SECONDS
                else:
                    pause = min(max(pause * 2, 0.25), self._stream_idle_seconds)
            except Exception as exc:
                log.warning("reading the stream for %s failed (%s: %s)", source.name, type(exc).__name__, exc)
                pause = self._stream_idle_seconds

    # --- schedules ------------------------------------------------------------------------------

    def interval_for(self, source: ScheduledEventConfig) -> float | None:
        """Seconds between runs, or None when the schedule never fires on its own
        (FLINT_REFRESH_SECONDS=0 turns every schedule off, whatever the per-handler overrides)."""
        if self._refresh_seconds <= 0:
            return None
        override = os.environ.get(f"FLINT_SCHEDULE_{source.name.upper()}_SECONDS")
        seconds = float(override) if override else self._refresh_seconds
        return seconds if seconds > 0 else None

    def run_schedule(self, name: str) -> Any:
        """Run the scheduled handler `name` now, as EventBridge would; its answer. Raises what it raises."""
        source = next((s for s in self.schedule_sources if s.name == name), None)
        if source is None:
            raise UnknownSchedule(name)
        with self._schedule_locks[name]:
            self._last_runs[name] = (self._changes, time.monotonic())
            try:
                result = self._handler(name)(scheduled_event(name), lambda_context(name))
            except Exception:
                self._count(name, 0, 1)
                raise
        self._count(name, 1, 0)
        return result

    def fire_schedule(self, source: ScheduledEventConfig) -> Any:
        """Run the schedule; its answer, or None when it raised (logged)."""
        try:
            return self.run_schedule(source.name)
        except Exception:
            log.exception("scheduled handler %s raised", source.name)
            return None

    def _queue_loop(self, source: SQSEventConfig) -> None:
        """The queue's first poller: long polls, and wakes the others when it finds a batch."""
        backlog = self._backlogs.setdefault(self.queue_name(source), threading.Event())
        while not self._stop.is_set():
            try:
                if self.poll_queue_once(source):
                    backlog.set()
            except Exception as exc:
                # The emulator restarting, stopping first at the end, or a network blip: one line, and
                # keep the runner alive.
                log.warning("polling %s failed (%s: %s); retrying", source.queue, type(exc).__name__, exc)
                self._stop.wait(1.0)

    def _extra_queue_loop(self, source: SQSEventConfig) -> None:
        """Another poller of the queue, as Lambda adds while there is a backlog: it takes batches
        from when the first poller finds one until a second's poll finds the queue empty, then
        waits again (an idle queue costs one long poll, not one per poller)."""
        backlog = self._backlogs.setdefault(self.queue_name(source), threading.Event())
        # The stop is checked before each wait, not only after: stop() sets it before it wakes the
        # pollers, so a poll that ends empty after that wake-up (and clears it) still sees the stop.
        while not self._stop.is_set():
            backlog.wait()
            if self._stop.is_set():
                return
            try:
                if not self.poll_queue_once(source, min(self._wait_seconds, 1)):
                    backlog.clear()
            except Exception as exc:
                log.warning("polling %s failed (%s: %s); retrying", source.queue, type(exc).__name__, exc)
                self._stop.wait(1.0)

    def _schedule_loop(self, source: ScheduledEventConfig) -> None:
        interval = self.interval_for(source)
        if interval is None:
            return
        self._schedules_started.wait()
        while not self._stop.wait(interval):
            if self.skips_tick(source.name, interval):
                continue
            started = time.monotonic()
            self.fire_schedule(source)
            log.info("schedule %s ran in %.2fs", source.name, time.monotonic() - started)

    def skips_tick(self, name: str, interval: float) -> bool:
        """Whether this tick may be skipped: nothing but the jobs' own writes since the schedule
        last ran, and less than `idle_seconds` ago (never, without `idle_seconds`)."""
        if self._idle_seconds is None or interval >= self._idle_seconds or name not in self._last_runs:
            return False
        changes, started = self._last_runs[name]
        return changes == self._changes and time.monotonic() - started < self._idle_seconds

    def start_schedules(self) -> None:
        """Held schedules start their intervals now (the first run one interval from now)."""
        self._schedules_started.set()

    @property
    def schedules_held(self) -> bool:
        return not self._schedules_started.is_set()

    # --- draining -------------------------------------------------------------------------------

    def _busy_queues(self) -> list[str]:
        """Queues with messages waiting or someone is still working on: visible, received by this
        runner's pollers and not yet done, or hidden by SQS beyond those this runner failed (which
        reappear later)."""
        busy = []
        now = time.monotonic()
        for source in self.queue_sources:
            name = self.queue_name(source)
            attributes = self._sqs.get_queue_attributes(
                QueueUrl=self._queue_url(name),
                AttributeNames=[
                    "ApproximateNumberOfMessages",
                    "ApproximateNumberOfMessagesNotVisible",
                    "VisibilityTimeout",
                ],
            )["Attributes"]
            visible = int(attributes.get("ApproximateNumberOfMessages", 0))
            hidden = int(attributes["ApproximateNumberOfMessagesNotVisible"])
            timeout = float(attributes.get("VisibilityTimeout", 30))
            with self._flight:
                failed = self._failed_at.get(name, {})
                for message_id in [m for m, at in failed.items() if now - at > timeout]:
                    del failed[message_id]
                if visible or self._in_flight.get(name, 0) or hidden > len(failed):
                    busy.append(name)
        return busy

    def drain(self, timeout: float = 120.0) -> DrainReport:
        """Deliver every queue and the table's stream until all are empty, nothing is in flight and a
        whole round saw no other poller finish a batch, within `timeout` seconds. Failed messages
        are left to SQS's redelivery, as in AWS."""
        deadline = time.monotonic() + timeout
        report = DrainReport()
        failed_before = self.stats.failed
        while True:
            report.rounds += 1
            moved = 0
            # A delivery by another poller that ends during this round may have sent messages to a
            # queue this round already found empty: any such delivery means one more round.
            with self._stats_lock:
                invocations_before = self.stats.invocations
            for queue_source in self.queue_sources:
                while time.monotonic() < deadline and (count := self.poll_queue_once(queue_source, 0)):
                    report.delivered[queue_source.name] = report.delivered.get(queue_source.name, 0) + count
                    moved += count
            if self._streams is not None:
                for stream_source in self.stream_sources:
                    while time.monotonic() < deadline and (count := self.poll_stream_once(stream_source)):
                        name = stream_source.name
                        report.delivered[name] = report.delivered.get(name, 0) + count
                        moved += count
            report.failed = self.stats.failed - failed_before
            if moved and time.monotonic() < deadline:
                continue
            report.busy = self._busy_queues()
            with self._stats_lock:
                others_delivered = self.stats.invocations != invocations_before
            if not report.busy and not moved and not others_delivered:
                return report
            if time.monotonic() >= deadline:
                report.complete = False
                return report
            with self._flight:
                self._flight.wait(0.1)

    # --- running --------------------------------------------------------------------------------

    def start(self) -> None:
        # Like Lambda's SQS pollers, several invocations may run at once for one queue.
        for queue_source in self.queue_sources:
            self._backlogs.setdefault(self.queue_name(queue_source), threading.Event())
            # One poller for a FIFO queue: while one holds a batch of a message group, moto answers
            # another's long poll by looping without a pause (the group's messages are visible
            # but not deliverable), a core busy until the batch is deleted.
            fifo = self.queue_name(queue_source).endswith(".fifo")
            for poller in range(1 if fifo else self._pollers):
                loop = self._extra_queue_loop if poller else self._queue_loop
                self._spawn(f"sqs-{queue_source.name}-{poller}", loop, queue_source)
        if self._streams is not None:
            for stream_source in self.stream_sources:
                self._spawn(f"stream-{stream_source.name}", self._stream_loop, stream_source)
        for schedule_source in self.schedule_sources:
            if self.interval_for(schedule_source) is not None:
                self._spawn(f"schedule-{schedule_source.name}", self._schedule_loop, schedule_source)

    def _spawn(self, name: str, target: Callable[[Any], None], source: Any) -> None:
        thread = threading.Thread(target=target, args=(source,), name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the loops. A poller in a long poll or a handler mid-batch is not waited for beyond
        `timeout` (its threads are daemons): what it had not deleted is redelivered, as in AWS."""
        self._stop.set()
        self._schedules_started.set()  # a held schedule loop wakes, sees the stop and ends
        for backlog in list(self._backlogs.values()):  # so do waiting extra pollers
            backlog.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))


# --- the control API ------------------------------------------------------------------------------


class ControlHandler(BaseHTTPRequestHandler):
    """`POST /run/<schedule>`, `POST /drain`, `POST /schedules/start`, `GET /stats`: JSON in, JSON
    out, loopback only."""

    runner: EventRunner
    server_version = "flint-events"

    def log_message(self, format: str, *args: Any) -> None:  # http.server's name
        log.debug("control: " + format, *args)

    def _answer(self, status: int, payload: Any) -> None:
        body = json.dumps(payload, default=str).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: int, code: str, message: str) -> None:
        self._answer(status, {"error": {"code": code, "message": message}})

    def _json_body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        if not length:
            return {}
        payload = json.loads(self.rfile.read(length))
        if not isinstance(payload, dict):
            raise ValueError("the body must be a JSON object")
        return payload

    def do_GET(self) -> None:  # http.server's name
        if self.path in ("/drain", "/schedules/start") or self.path.startswith("/run/"):
            self._error(405, "method_not_allowed", f"POST {self.path}")
            return
        if self.path != "/stats":
            self._error(404, "not_found", f"no GET {self.path}")
            return
        runner = self.runner
        self._answer(
            200,
            {
                **runner.stats.to_dict(),
                "queues": [runner.queue_name(s) for s in runner.queue_sources],
                "schedules": {s.name: runner.interval_for(s) for s in runner.schedule_sources},
                "schedules_held": runner.schedules_held,
            },
        )

    def do_POST(self) -> None:  # http.server's name
        try:
            body = self._json_body()
        except ValueError as exc:
            self._error(400, "bad_json", str(exc))
            return
        if self.path == "/drain":
            timeout = body.get("timeout", 120)
            if not isinstance(timeout, int | float) or not 0 < timeout <= MAX_DRAIN_SECONDS:
                limit = f"timeout: seconds, more than 0 and at most {MAX_DRAIN_SECONDS}"
                self._error(422, "validation_error", limit)
                return
            self._answer(200, self.runner.drain(float(timeout)).to_dict())
        elif self.path.startswith("/run/"):
            name = self.path.removeprefix("/run/")
            try:
                result = self.runner.run_schedule(name)
            except UnknownSchedule:
                self._error(404, "not_found", f"no schedule {name!r}")
            except Exception as exc:
                log.exception("scheduled handler %s raised", name)
                self._error(500, "handler_failed", f"{name} raised {type(exc).__name__}: {exc}")
            else:
                self._answer(200, {"schedule": name, "result": result})
        elif self.path == "/schedules/start":
            self.runner.start_schedules()
            self._answer(200, {"schedules_held": self.runner.schedules_held})
        elif self.path == "/stats":
            self._error(405, "method_not_allowed", "GET /stats")
        else:
            self._error(404, "not_found", f"no POST {self.path}")


def control_server(runner: EventRunner, port: int, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """The control API for `runner` on host:port (0: a free port); call `serve_forever()` on it."""
    handler = type("BoundControlHandler", (ControlHandler,), {"runner": runner})
    return ThreadingHTTPServer((host, port), handler)


def main() -> None:
    import sys
    from pathlib import Path

    import boto3

    logging.basicConfig(level=logging.INFO, format="events %(levelname)s %(message)s")
    project_dir = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(project_dir))
    from chalice.cli.factory import CLIFactory

    config = CLIFactory(str(project_dir), environ=os.environ).create_config_obj(chalice_stage_name="dev")
    app = config.chalice_app
    from chalicelib.data import keys

    idle_seconds = float(os.environ.get("FLINT_SCHEDULE_IDLE_SECONDS", "300"))
    runner = EventRunner(
        app,
        boto3.client("sqs", region_name=REGION),
        refresh_seconds=float(os.environ.get("FLINT_REFRESH_SECONDS", "15")),
        # Long polls: an idle queue costs one request per poller every 20 s, and a message is
        # delivered as soon as it arrives.
        wait_seconds=int(os.environ.get("FLINT_QUEUE_WAIT_SECONDS", "20")),
        pollers=int(os.environ.get("FLINT_QUEUE_POLLERS", "2")),
        streams=boto3.client("dynamodbstreams", region_name=REGION),
        # Held only with a control API to start them.
        schedules_held=os.environ.get("FLINT_SCHEDULES_HELD") == "1"
        and bool(os.environ.get("FLINT_EVENTS_CONTROL_PORT")),
        idle_seconds=idle_seconds if idle_seconds > 0 else None,
        # What the feed planner and its worker write (their heads, generations, lists, fan-ins, the
        # change log, run records, plan state): not a reason to run them again.
        own_prefixes=(keys.feed_partition(""), keys.feed_plan_state().pk, keys.FEED_CHANGES, keys.FEED_RUNS),
    )
    # SIGTERM (a terminal closing, `make dev` stopping its group) stops the runner as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    runner.start()
    log.info(
        "delivering %s; scheduling %s",
        [s.queue for s in runner.queue_sources],
        [(s.name, runner.interval_for(s)) for s in runner.schedule_sources],
    )
    control_port = os.environ.get("FLINT_EVENTS_CONTROL_PORT")
    server = control_server(runner, int(control_port)) if control_port else None
    try:
        if server is not None:
            log.info(
                "control API on http://127.0.0.1:%d: POST /run/<schedule>, POST /drain, "
                "POST /schedules/start, GET /stats",
                server.server_address[1],
            )
            server.serve_forever(poll_interval=1.0)
        else:
            threading.Event().wait()  # until Ctrl-C or SIGTERM
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        runner.stop()
        if server is not None:
            server.server_close()


if __name__ == "__main__":
    main()
