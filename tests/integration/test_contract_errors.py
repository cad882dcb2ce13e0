"""Whatever fails outside a route's own error mapping (a middleware, the metrics flush) still
answers the contract's 500 body, never Chalice's `{"Code": "InternalServerError"}`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.metrics.exceptions import SchemaValidationError

from chalicelib.observability import metrics


def test_a_failing_metrics_flush_answers_the_contract_500(api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a metrics flush that fails after the view answered (as when another request emptied
    # the process's metric set between its check and its serialisation)
    def failing_flush(**_: Any) -> None:
        raise SchemaValidationError("Must contain at least one metric.")

    monkeypatch.setattr(metrics.provider, "flush_metrics", failing_flush)
    # When a client calls a route that itself succeeds
    response = api.http.get("/health")
    # Then the answer is the contract's 500 body, readable by a browser
    assert response.status_code == 500
    assert json.loads(response.body) == {
        "error": {"code": "internal_error", "message": "Something went wrong on our side."}
    }
    assert response.headers["Access-Control-Allow-Origin"]


def test_routes_answer_normally_when_the_flush_works(api: Any) -> None:
    # When the metrics flush works, the outermost mapping changes nothing
    response = api.http.get("/health")
    assert response.status_code == 200
