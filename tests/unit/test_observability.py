"""Tracing costs nothing outside AWS and wraps every invocation in a deployed function."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

import pytest

from chalicelib import observability
from chalicelib.settings import get_settings
from tests.conftest import PROJECT_DIR


@dataclass
class _Event:
    payload: dict[str, Any] = field(default_factory=lambda: {"source": "aws.events"})
    context: Any = None

    def to_dict(self) -> dict[str, Any]:
        return self.payload


@pytest.fixture(autouse=True)
def _fresh() -> Any:
    get_settings.cache_clear()
    observability.tracer.cache_clear()
    observability._tracing_middleware.cache_clear()
    yield
    get_settings.cache_clear()
    observability.tracer.cache_clear()
    observability._tracing_middleware.cache_clear()


def test_importing_the_app_does_not_load_the_xray_sdk() -> None:
    code = "import sys, app; print('aws_xray_sdk' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_DIR, capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_locally_the_middleware_calls_straight_through(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    event = _Event()
    assert observability.trace(event, lambda e: ("handled", e)) == ("handled", event)
    assert observability.tracer.cache_info().currsize == 0  # no Tracer was made


def test_a_deployed_function_traces_each_invocation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "flint-prod-feed_planner")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")  # no X-Ray daemon here
    event = _Event()
    assert observability.trace(event, lambda e: ("handled", e)) == ("handled", event)
    assert observability.tracer.cache_info().currsize == 1
