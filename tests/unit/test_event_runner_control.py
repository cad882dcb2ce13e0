"""The event runner's control API (local/event_runner.py) over an in-memory SQS and stream.

`POST /run/<schedule>` runs a schedule now and answers its result; `POST /drain` delivers every
queue and the stream until all are empty, answering counts; `GET /stats`. No AWS: a small Chalice
app and fakes that answer the few SQS and DynamoDB Streams calls the runner makes.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from chalice import Chalice, Rate

from local.event_runner import EventRunner, control_server
from tests.support.eventually import eventually

STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/1"


@dataclass
class FakeQueue:
    visible: list[dict[str, Any]] = field(default_factory=list)
    hidden: dict[str, dict[str, Any]] = field(default_factory=dict)  # receipt handle -> message


class FakeSqs:
    """What the runner asks of SQS: queue URLs, receive, delete, the hidden count."""

    def __init__(self, *names: str):
        self.queues = {name: FakeQueue() for name in names}
        self._ids = itertools.count(1)
        self.lock = threading.Lock()

    def send(self, queue: str, body: str) -> None:
        with self.lock:
            number = next(self._ids)
            self.queues[queue].visible.append(
                {"MessageId": f"m{number}", "ReceiptHandle": f"r{number}", "Body": body}
            )

    def get_queue_url(self, QueueName: str) -> dict[str, str]:
        return {"QueueUrl": f"https://sqs.local/{QueueName}"}

    def _queue(self, url: str) -> FakeQueue:
        return self.queues[url.rsplit("/", 1)[-1]]

    def receive_message(self, QueueUrl: str, MaxNumberOfMessages: int, **_: Any) -> dict[str, Any]:
        with self.lock:
            queue = self._queue(QueueUrl)
            taken, queue.visible = queue.visible[:MaxNumberOfMessages], queue.visible[MaxNumberOfMessages:]
            queue.hidden.update({m["ReceiptHandle"]: m for m in taken})
        return {"Messages": taken} if taken else {}

    def delete_message_batch(self, QueueUrl: str, Entries: list[dict[str, str]]) -> None:
        with self.lock:
            for entry in Entries:
                self._queue(QueueUrl).hidden.pop(entry["ReceiptHandle"])

    def get_queue_attributes(self, QueueUrl: str, AttributeNames: list[str]) -> dict[str, Any]:
        with self.lock:
            visible, hidden = len(self._queue(QueueUrl).visible), len(self._queue(QueueUrl).hidden)
        return {
            "Attributes": {
                "ApproximateNumberOfMessages": str(visible),
                "ApproximateNumberOfMessagesNotVisible": str(hidden),
                "VisibilityTimeout": "180",
            }
        }


class FakeStreams:
    """One shard; iterators are positions in its record list."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []

    def write(self, key: str) -> None:
        sequence = str(len(self.records) + 1)
        self.records.append(
            {
                "eventID": sequence,
                "eventName": "INSERT",
                "dynamodb": {
                    "ApproximateCreationDateTime": 1767225600.0,
                    "Keys": {"PK": {"S": key}},
                    "SequenceNumber": sequence,
                    "SizeBytes": 20,
                    "StreamViewType": "KEYS_ONLY",
                },
            }
        )

    def list_streams(self, TableName: str) -> dict[str, Any]:
        return {"Streams": [{"StreamArn": STREAM_ARN}]}

    def describe_stream(self, StreamArn: str) -> dict[str, Any]:
        return {"StreamDescription": {"Shards": [{"ShardId": "shard-1"}]}}

    def get_shard_iterator(self, ShardIteratorType: str, **kwargs: Any) -> dict[str, str]:
        start = {"TRIM_HORIZON": 0, "LATEST": len(self.records)}.get(ShardIteratorType)
        if start is None:  # AT_SEQUENCE_NUMBER
            start = int(kwargs["SequenceNumber"]) - 1
        return {"ShardIterator": str(start)}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:
        start = int(ShardIterator)
        batch = self.records[start : start + Limit]
        return {"Records": batch, "NextShardIterator": str(start + len(batch))}


@dataclass
class Stack:
    url: str
    sqs: FakeSqs
    streams: FakeStreams
    runner: EventRunner
    seen: dict[str, list[Any]]


def make_app(seen: dict[str, list[Any]]) -> Chalice:
    app = Chalice(app_name="control-test")

    @app.on_sqs_message(queue="work", batch_size=2, name="worker")
    def worker(event: Any) -> dict[str, Any]:
        bodies = [record.body for record in event]
        seen["worker"].extend(bodies)
        failed = [r.to_dict()["messageId"] for r in event if r.body == "poison"]
        return {"batchItemFailures": [{"itemIdentifier": m} for m in failed]}

    @app.on_dynamodb_record(stream_arn=STREAM_ARN, name="stream_worker")
    def stream_worker(event: Any) -> dict[str, Any]:
        seen["stream"].extend(r.keys["PK"]["S"] for r in event)
        return {"batchItemFailures": []}

    @app.schedule(Rate(5, unit=Rate.MINUTES), name="planner")
    def planner(event: Any) -> dict[str, Any]:
        seen["planner"].append(event.to_dict()["detail-type"])
        return {"members": 3, "generation": "2026-01-01T00:00:00.000Z"}

    @app.schedule(Rate(1, unit=Rate.DAYS), name="broken_job")
    def broken_job(event: Any) -> None:
        raise RuntimeError("the job fell over")

    return app


@pytest.fixture
def stack() -> Iterator[Stack]:
    seen: dict[str, list[Any]] = {"worker": [], "stream": [], "planner": []}
    sqs, streams = FakeSqs("work"), FakeStreams()
    runner = EventRunner(
        make_app(seen), sqs, refresh_seconds=0, wait_seconds=0, streams=streams, table_name="t"
    )
    server = control_server(runner, 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield Stack(f"http://127.0.0.1:{server.server_address[1]}", sqs, streams, runner, seen)
    server.shutdown()
    server.server_close()


def test_run_answers_the_schedules_result_at_once(stack: Stack) -> None:
    response = requests.post(f"{stack.url}/run/planner", timeout=10)
    assert response.status_code == 200
    assert response.json() == {
        "schedule": "planner",
        "result": {"members": 3, "generation": "2026-01-01T00:00:00.000Z"},
    }
    assert stack.seen["planner"] == ["Scheduled Event"]


def test_run_of_an_unknown_schedule_is_a_404_and_a_failing_one_a_500_naming_the_error(stack: Stack) -> None:
    unknown = requests.post(f"{stack.url}/run/no_such_job", timeout=10)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "not_found")
    broken = requests.post(f"{stack.url}/run/broken_job", timeout=10)
    assert broken.status_code == 500
    assert broken.json()["error"]["code"] == "handler_failed"
    assert "the job fell over" in broken.json()["error"]["message"]


def test_drain_delivers_every_queue_and_the_stream_until_empty_and_counts(stack: Stack) -> None:
    # Given five messages (the handler takes two at a time) and three stream records
    for body in ("a", "b", "c", "d", "e"):
        stack.sqs.send("work", body)
    for key in ("k1", "k2", "k3"):
        stack.streams.write(key)

    # When the stack is drained
    response = requests.post(f"{stack.url}/drain", timeout=10)

    # Then everything was delivered, once, and the answer counts it
    assert response.status_code == 200
    assert response.json() == {
        "delivered": {"worker": 5, "stream_worker": 3},
        "failed": 0,
        "rounds": 2,
        "complete": True,
        "busy": [],
    }
    assert stack.seen["worker"] == ["a", "b", "c", "d", "e"]
    assert stack.seen["stream"] == ["k1", "k2", "k3"]
    assert stack.sqs.queues["work"].visible == [] and stack.sqs.queues["work"].hidden == {}

    # And a second drain finds nothing left to do
    assert requests.post(f"{stack.url}/drain", timeout=10).json()["delivered"] == {}


def test_a_failed_message_is_left_to_redelivery_not_waited_for(stack: Stack) -> None:
    # Given a poison message beside a good one
    stack.sqs.send("work", "poison")
    stack.sqs.send("work", "fine")

    # When the stack is drained
    answer = requests.post(f"{stack.url}/drain", timeout=10).json()

    # Then the drain completes at once, counting the failure; SQS keeps the message hidden
    assert (answer["complete"], answer["failed"], answer["delivered"]) == (True, 1, {"worker": 2})
    assert [m["Body"] for m in stack.sqs.queues["work"].hidden.values()] == ["poison"]


def batch_in_progress(
    stack: Stack,
    handler_name: str,
    poll: Callable[[Any], int],
    started: Callable[[], bool],
    *,
    sends: str = "",
) -> Callable[[], dict[str, Any]]:
    """A batch a background poller (`poll`) works on until released, sending `sends` to the queue as it
    ends; returns a drain that releases the batch 0.3 s after it starts and answers the drain's report."""
    release = threading.Event()
    handler = stack.runner._app.handler_map[handler_name]

    def slow(event: Any, context: Any) -> Any:
        release.wait(10)
        if sends:
            stack.sqs.send("work", sends)
        return handler(event, context)

    stack.runner._app.handler_map[handler_name] = slow
    source = next(
        s for s in [*stack.runner.queue_sources, *stack.runner.stream_sources] if s.name == handler_name
    )
    poller = threading.Thread(target=poll, args=(source,))
    poller.start()
    while not started():
        threading.Event().wait(0.01)

    def drain() -> dict[str, Any]:
        threading.Timer(0.3, release.set).start()
        answer: dict[str, Any] = requests.post(f"{stack.url}/drain", timeout=10).json()
        poller.join()
        return answer

    return drain


def test_drain_waits_for_a_batch_another_poller_is_still_delivering(stack: Stack) -> None:
    # Given a message a background poller received and is still working on (hidden, in flight)
    stack.sqs.send("work", "slow")
    drain = batch_in_progress(
        stack, "worker", stack.runner.poll_queue_once, lambda: bool(stack.sqs.queues["work"].hidden)
    )

    # When a drain starts, and the batch finishes a moment later
    answer = drain()

    # Then the drain answered only once that batch was done
    assert answer["complete"] is True
    assert stack.seen["worker"] == ["slow"]


def test_drain_delivers_what_another_pollers_batch_sends_to_a_queue_it_already_found_empty(
    stack: Stack,
) -> None:
    # Given a stream batch a background poller is still working on, which sends a message to the
    # queue as it ends (as the stream worker queues work in Flint)
    stack.streams.write("POST#1")
    drain = batch_in_progress(
        stack,
        "stream_worker",
        stack.runner.poll_stream_once,
        stack.runner._stream_lock.locked,
        sends="sent by the stream batch",
    )

    # When a drain starts (it finds the queue empty, then waits for the stream), and the batch ends
    answer = drain()

    # Then the drain delivered the message that batch sent before answering
    assert answer["complete"] is True
    assert stack.seen["worker"] == ["sent by the stream batch"]
    assert stack.sqs.queues["work"].visible == [] and stack.sqs.queues["work"].hidden == {}


def test_a_drain_bounded_by_its_timeout_says_it_is_incomplete(stack: Stack) -> None:
    stack.sqs.send("work", "held")
    stack.sqs.receive_message(QueueUrl="https://sqs.local/work", MaxNumberOfMessages=1)  # someone else has it
    answer = requests.post(f"{stack.url}/drain", json={"timeout": 0.3}, timeout=10).json()
    assert (answer["complete"], answer["busy"]) == (False, ["work"])


@pytest.mark.parametrize("timeout", [0, -1, 601, "soon"])
def test_a_drain_timeout_outside_its_bounds_is_a_422(stack: Stack, timeout: Any) -> None:
    response = requests.post(f"{stack.url}/drain", json={"timeout": timeout}, timeout=10)
    assert (response.status_code, response.json()["error"]["code"]) == (422, "validation_error")


def test_stats_count_invocations_and_name_queues_and_schedules(stack: Stack) -> None:
    stack.sqs.send("work", "x")
    requests.post(f"{stack.url}/drain", timeout=10)
    requests.post(f"{stack.url}/run/planner", timeout=10)
    stats = requests.get(f"{stack.url}/stats", timeout=10).json()
    assert stats["by_handler"] == {"worker": 1, "planner": 1}
    assert (stats["delivered"], stats["failed"]) == (2, 0)
    assert stats["queues"] == ["work"]
    # FLINT_REFRESH_SECONDS=0: no schedule fires on its own
    assert stats["schedules"] == {"planner": None, "broken_job": None}


def test_wrong_methods_and_paths_are_refused_with_an_error_body(stack: Stack) -> None:
    assert requests.get(f"{stack.url}/drain", timeout=10).status_code == 405
    assert requests.post(f"{stack.url}/stats", timeout=10).status_code == 405
    missing = requests.get(f"{stack.url}/nothing", timeout=10)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not_found")
    garbage = requests.post(f"{stack.url}/drain", data=b"{", timeout=10)
    assert garbage.status_code == 400


def test_with_refresh_off_no_schedule_thread_starts_and_stop_is_prompt(stack: Stack) -> None:
    stack.runner.start()
    names = {thread.name for thread in threading.enumerate()}
    assert not any(name.startswith("schedule-") for name in names)
    assert "sqs-worker-0" in names and "stream-stream_worker" in names
    stack.runner.stop(timeout=10.0)  # ends at once when it works; the bound is for a loaded machine
    assert not any(t.is_alive() for t in stack.runner._threads)


def test_held_schedules_fire_only_once_started_over_the_control_api(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a runner whose planner fires every few milliseconds, held (what `make dev` does while
    # its demo data goes in)
    monkeypatch.setenv("FLINT_SCHEDULE_BROKEN_JOB_SECONDS", "0")  # never on its own
    seen: dict[str, list[Any]] = {"worker": [], "stream": [], "planner": []}
    runner = EventRunner(
        make_app(seen), FakeSqs("work"), refresh_seconds=0.005, wait_seconds=0, schedules_held=True
    )
    server = control_server(runner, 0)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        runner.start()
        assert requests.get(f"{url}/stats", timeout=10).json()["schedules_held"] is True
        assert requests.post(f"{url}/drain", timeout=10).json()["complete"] is True
        # Then nothing ran on its own while they were held (the calls above took several intervals)
        assert seen["planner"] == []

        # When they are started
        started = requests.post(f"{url}/schedules/start", timeout=10)

        # Then the planner runs on its interval
        assert started.json() == {"schedules_held": False}
        eventually(lambda: seen["planner"], 30, "a scheduled planner run")
        assert requests.get(f"{url}/stats", timeout=10).json()["schedules_held"] is False
    finally:
        runner.stop(timeout=10.0)  # ends at once when it works; the bound is for a loaded machine
        server.shutdown()
        server.server_close()
    assert not any(t.is_alive() for t in runner._threads)


def test_a_quiet_schedule_skips_its_ticks_until_something_but_its_own_writes_arrives() -> None:
    # Given a runner that lets a 15 s schedule idle up to 300 s, whose jobs write FEED... items
    streams = FakeStreams()
    runner = EventRunner(
        make_app({"worker": [], "stream": [], "planner": []}),
        FakeSqs("work"),
        refresh_seconds=15,
        wait_seconds=0,
        streams=streams,
        table_name="t",
        idle_seconds=300,
        own_prefixes=("FEED#", "FEEDLOG"),
    )
    assert runner.skips_tick("planner", 15) is False  # never ran: it runs

    # When it has run, and only its own kind of items were written since
    runner.run_schedule("planner")
    streams.write("FEED#member-1")
    streams.write("FEEDLOG")
    runner.drain()

    # Then its next ticks are skipped; a schedule as slow as the idle bound never is
    assert runner.skips_tick("planner", 15) is True
    assert runner.skips_tick("planner", 300) is False

    # And a post written since makes the next tick run, until it has run again
    streams.write("POST#p1")
    runner.drain()
    assert runner.skips_tick("planner", 15) is False
    runner.run_schedule("planner")
    assert runner.skips_tick("planner", 15) is True


def test_without_an_idle_bound_every_tick_runs(stack: Stack) -> None:
    stack.runner.run_schedule("planner")
    assert stack.runner.skips_tick("planner", 15) is False


def test_an_idle_queue_is_polled_by_one_poller_and_a_backlog_by_all() -> None:
    # Given a runner with two pollers per queue, over an empty queue
    seen: dict[str, list[Any]] = {"worker": [], "stream": [], "planner": []}
    sqs = FakeSqs("work")
    pollers: list[str] = []
    receive = sqs.receive_message

    def counted(**kwargs: Any) -> dict[str, Any]:
        pollers.append(threading.current_thread().name)
        return receive(**kwargs)

    sqs.receive_message = counted  # type: ignore[method-assign]
    runner = EventRunner(make_app(seen), sqs, refresh_seconds=0, wait_seconds=0, pollers=2)
    runner.start()
    try:
        # Then only the first poller asks, however often
        eventually(lambda: len(pollers) >= 50, 30, "fifty polls")
        assert set(pollers) == {"sqs-worker-0"}

        # And when messages arrive, every one is delivered once
        for body in "abcdefgh":
            sqs.send("work", body)
        eventually(lambda: len(seen["worker"]) == 8, 30, "the backlog delivered")
        assert sorted(seen["worker"]) == list("abcdefgh")
    finally:
        runner.stop(timeout=10.0)  # ends at once when it works; the bound is for a loaded machine
    assert not any(t.is_alive() for t in runner._threads)


def test_stop_ends_an_extra_poller_that_finds_the_queue_empty_as_the_stop_wakes_it() -> None:
    # Given a runner with two pollers per queue, whose extra poller is woken by a backlog
    seen: dict[str, list[Any]] = {"worker": [], "stream": [], "planner": []}
    sqs = FakeSqs("work")
    receive = sqs.receive_message
    runner = EventRunner(make_app(seen), sqs, refresh_seconds=0, wait_seconds=0, pollers=2)
    stopper = threading.Thread(target=runner.stop, kwargs={"timeout": 10.0})
    woken = threading.Event()

    def racing(**kwargs: Any) -> dict[str, Any]:
        if threading.current_thread().name != "sqs-worker-1" or stopper.is_alive() or woken.is_set():
            return receive(**kwargs)
        # When the stop comes while the extra poller's poll is under way (the stop wakes the
        # pollers before this poll returns empty)
        stopper.start()
        woken.set()
        eventually(lambda: all(b.is_set() for b in runner._backlogs.values()), 10, "the stop's wake-up")
        return {}

    sqs.receive_message = racing  # type: ignore[method-assign]
    runner.start()
    try:
        sqs.send("work", "a")
        eventually(woken.is_set, 30, "the extra poller's poll")
    finally:
        stopper.join(timeout=30)
    # Then every poller ends, the extra one too: emptying the backlog does not lose the stop
    assert not stopper.is_alive()
    assert [t.name for t in runner._threads if t.is_alive()] == []


def test_a_fifo_queue_gets_one_poller() -> None:
    app = Chalice(app_name="fifo-test")

    @app.on_sqs_message(queue="events.fifo", name="fifo_worker")
    def fifo_worker(event: Any) -> None:
        return None

    runner = EventRunner(app, FakeSqs("events.fifo"), refresh_seconds=0, wait_seconds=0, pollers=2)
    runner.start()
    try:
        assert [t.name for t in runner._threads] == ["sqs-fifo_worker-0"]
    finally:
        runner.stop(timeout=10.0)  # ends at once when it works; the bound is for a loaded machine
