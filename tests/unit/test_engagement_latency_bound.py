"""The settings that bound how soon a brand sees an event in production (docs/brands.md, "Real
time"): nothing on the path waits on purpose, and what a failure costs is known.

The behaviour itself (one delivery of the stream and one of the queue, and the insights show the
event) is tests/integration/test_brand_trust.py's
`test_an_event_and_a_smile_show_after_one_delivery_of_the_stream_and_the_queue`.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from flint_template import load_template
from infra.wiring import STREAM_FAILURE_HANDLING

PROJECT_DIR = Path(__file__).resolve().parents[2]


def _event_sources() -> dict[str, dict[str, Any]]:
    """Handler name -> the keyword arguments of its `@app.on_sqs_message` / `on_dynamodb_record`."""
    found = {}
    for node in ast.walk(ast.parse((PROJECT_DIR / "app.py").read_text(encoding="utf-8"))):
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            if (
                isinstance(decorator, ast.Call)
                and isinstance(decorator.func, ast.Attribute)
                and decorator.func.attr in ("on_sqs_message", "on_dynamodb_record")
            ):
                found[node.name] = {
                    k.arg: ast.literal_eval(k.value)
                    for k in decorator.keywords
                    if k.arg and isinstance(k.value, ast.Constant)
                }
    return found


def test_the_engagement_queue_is_fifo_and_a_failed_batch_is_retried_after_its_visibility_timeout() -> None:
    queue = load_template(PROJECT_DIR / "infra" / "template.yaml")["Resources"]["EngagementQueue"][
        "Properties"
    ]
    assert queue["FifoQueue"] is True  # one message group per brand: one batch in flight per brand
    assert queue["VisibilityTimeout"] == 180  # the wait before a failed batch is delivered again
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 5


def test_no_batching_window_delays_the_queue_or_the_stream() -> None:
    sources = _event_sources()
    assert sources["engagement_worker"]["batch_size"] == 10  # FIFO queues: 10 at most, no window
    assert sources["stream_worker"]["batch_size"] == 100
    assert "MaximumBatchingWindowInSeconds" not in STREAM_FAILURE_HANDLING
    for path in (PROJECT_DIR / "infra").rglob("*"):
        if path.suffix in (".py", ".yaml", ".json"):
            assert "MaximumBatchingWindowInSeconds" not in path.read_text(encoding="utf-8"), path


def test_the_engagement_worker_runs_two_batches_at_once_and_alarms_on_a_five_minute_old_message() -> None:
    consumers = load_template(PROJECT_DIR / "infra" / "lambda.yaml")["Metadata"]["QueueConsumers"]
    assert consumers["engagement_worker"]["MaximumConcurrency"] == 2
    assert consumers["engagement_worker"]["OldestMessageAlarmSeconds"] == 300
