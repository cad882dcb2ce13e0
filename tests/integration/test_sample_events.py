"""Every Lambda trigger has a real sample event in events/, and each one drives its handler."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from local.event_runner import lambda_context

EVENTS = Path(__file__).resolve().parents[2] / "events"


def _event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())


def test_every_event_handler_has_a_sample_event() -> None:
    from app import app

    samples = {path.name.split(".", 1)[0] for path in EVENTS.glob("*.json")}
    handlers = {source.name for source in app.event_sources} | {"api_handler", "cognito_jwt"}
    assert handlers <= samples, f"no sample event for {sorted(handlers - samples)}"


def test_the_api_sample_event_answers_health(stack: Any) -> None:
    from app import app

    response = app(_event("api_handler.get-health.json"), lambda_context("api_handler"))
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"status": "ok"}


def test_the_authorizer_sample_event_with_a_forged_token_is_denied(stack: Any) -> None:
    from chalicelib.api.authorizer import cognito_jwt

    policy = cognito_jwt(_event("cognito_jwt.authorizer.json"), lambda_context("cognito_jwt"))
    allowed = [s for s in policy["policyDocument"]["Statement"] if s["Effect"] == "Allow" and s["Resource"]]
    assert allowed == []


@pytest.mark.parametrize(
    "handler, sample",
    [
        ("thumbnail_worker", "thumbnail_worker.sqs.json"),
        ("thumbnail_worker", "thumbnail_worker.s3-test-event.sqs.json"),
        ("feed_worker", "feed_worker.sqs.json"),
        ("engagement_worker", "engagement_worker.sqs.json"),
        ("erasure_worker", "erasure_worker.sqs.json"),
        ("stream_worker", "stream_worker.dynamodb.json"),
    ],
)
def test_queue_and_stream_sample_events_are_processed_without_failures(
    stack: Any, handler: str, sample: str
) -> None:
    # The sample's upload / member do not exist here: the handler must ignore them, not fail.
    from app import app

    result = app.handler_map[handler](_event(sample), lambda_context(handler))
    assert result == {"batchItemFailures": []}


@pytest.mark.parametrize("handler", ["feed_planner", "enthusiast_job"])
def test_schedule_sample_events_run_their_job(private_table: str, handler: str) -> None:
    # A table of its own: the jobs walk every active member and every interest of their table.
    from app import app

    result = app.handler_map[handler](_event(f"{handler}.schedule.json"), lambda_context(handler))
    assert isinstance(result, dict)
