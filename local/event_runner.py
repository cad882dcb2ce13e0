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
`FLINT_SCHEDULE_<NAME>_SECONDS` says otherwise.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from chalice.app import Chalice, DynamoDBEventConfig, ScheduledEventConfig, SQSEventConfig
from chalice.local import LambdaContext

log = logging.getLogger("flint.events")

REGION = os.environ.get("AWS_REGION", "us-east-1")
ACCOUNT_ID = "123456789012"


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
    ):
        self._app = app
        self._sqs = sqs
        self._streams = streams
        self._table_name = table_name or os.environ.get("FLINT_TABLE_NAME", "flint-dev")
        # shard id -> the iterator to read next (None once a closed shard is drained)
        self._positions: dict[str, str | None] = {}
        self._refresh_seconds = refresh_seconds
        self._wait_seconds = wait_seconds
        self._pollers = pollers
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.stats = Stats()
        self._stats_lock = threading.Lock()

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

    def poll_queue_once(self, source: SQSEventConfig) -> int:
        """Receive one batch, invoke the handler, delete the successes. Returns messages received."""
        queue_name = source.queue or str(source.queue_arn).rsplit(":", 1)[-1]
        queue_url = self._sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
        received = self._sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=min(source.batch_size, 10),
            WaitTimeSeconds=self._wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not received:
            return 0
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
        self._count(source.name, len(done), len(failed))
        return len(received)

    def poll_stream_once(self, source: DynamoDBEventConfig) -> int:
        """Read each shard of the table's stream once and deliver what is new. Returns records read."""
        streams = self._streams.list_streams(TableName=self._table_name).get("Streams", [])
        if not streams:
            return 0
        arn = streams[-1]["StreamArn"]
        shards = self._streams.describe_stream(StreamArn=arn)["StreamDescription"].get("Shards", [])
        total = 0
        for shard in shards:
            shard_id = shard["ShardId"]
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
                total += len(records)
                next_iterator = self._deliver_stream(source, arn, shard_id, records, next_iterator)
            self._positions[shard_id] = next_iterator
        return total

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
        while not self._stop.is_set():
            try:
                if not self.poll_stream_once(source):
                    self._stop.wait(self._wait_seconds)
            except Exception:
                log.exception("reading the stream for %s failed", source.name)
                self._stop.wait(1.0)

    def interval_for(self, source: ScheduledEventConfig) -> float:
        override = os.environ.get(f"FLINT_SCHEDULE_{source.name.upper()}_SECONDS")
        return float(override) if override else self._refresh_seconds

    def fire_schedule(self, source: ScheduledEventConfig) -> Any:
        try:
            result = self._handler(source.name)(scheduled_event(source.name), lambda_context(source.name))
            self._count(source.name, 1, 0)
            return result
        except Exception:
            log.exception("scheduled handler %s raised", source.name)
            self._count(source.name, 0, 1)
            return None

    def _queue_loop(self, source: SQSEventConfig) -> None:
        while not self._stop.is_set():
            try:
                self.poll_queue_once(source)
            except Exception:
                # The emulator restarting or a network blip: keep the runner alive.
                log.exception("polling %s failed", source.queue)
                self._stop.wait(1.0)

    def _schedule_loop(self, source: ScheduledEventConfig) -> None:
        interval = self.interval_for(source)
        while not self._stop.wait(interval):
            started = time.monotonic()
            self.fire_schedule(source)
            log.info("schedule %s ran in %.2fs", source.name, time.monotonic() - started)

    def start(self) -> None:
        # Like Lambda's SQS pollers, several invocations may run at once for one queue.
        for queue_source in self.queue_sources:
            for poller in range(self._pollers):
                self._spawn(f"sqs-{queue_source.name}-{poller}", self._queue_loop, queue_source)
        if self._streams is not None:
            for stream_source in self.stream_sources:
                self._spawn(f"stream-{stream_source.name}", self._stream_loop, stream_source)
        for schedule_source in self.schedule_sources:
            self._spawn(f"schedule-{schedule_source.name}", self._schedule_loop, schedule_source)

    def _spawn(self, name: str, target: Callable[[Any], None], source: Any) -> None:
        thread = threading.Thread(target=target, args=(source,), name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=self._wait_seconds + 5)


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
    runner = EventRunner(
        app,
        boto3.client("sqs", region_name=REGION),
        refresh_seconds=float(os.environ.get("FLINT_REFRESH_SECONDS", "15")),
        pollers=int(os.environ.get("FLINT_QUEUE_POLLERS", "2")),
        streams=boto3.client("dynamodbstreams", region_name=REGION),
    )
    runner.start()
    log.info(
        "delivering %s; scheduling %s",
        [s.queue for s in runner.queue_sources],
        [(s.name, runner.interval_for(s)) for s in runner.schedule_sources],
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        runner.stop()


if __name__ == "__main__":
    main()
