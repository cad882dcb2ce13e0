"""Record the AWS API calls botocore makes for one service, whatever client makes them.

Every botocore client sends its requests through `BaseClient._make_api_call`;
wrapping it sees calls from cached clients, PynamoDB connections and
Powertools alike. (`tests/dynamo_counter.py` counts DynamoDB by operation;
this keeps each call's parameters, e.g. to tell one S3 bucket from another.)

    with record_api_calls(monkeypatch, "s3") as calls:
        run_thumbnailer(app)
    assert calls.count("PutObject", Bucket="flint-dev-media") == 3
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.client import BaseClient


@dataclass
class ApiCalls:
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def count(self, operation: str, **params: Any) -> int:
        return sum(
            1
            for name, sent in self.calls
            if name == operation and all(sent.get(k) == v for k, v in params.items())
        )


@contextmanager
def record_api_calls(
    monkeypatch: pytest.MonkeyPatch,
    service: str,
    *,
    before: Callable[[str, dict[str, Any]], None] | None = None,
) -> Iterator[ApiCalls]:
    """Record `service` calls made inside the block; `before(operation, params)` may raise to fail one."""
    recorded = ApiCalls()
    lock = threading.Lock()
    original = BaseClient._make_api_call

    def recording(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        if self.meta.service_model.service_name == service:
            with lock:
                recorded.calls.append((operation_name, dict(api_params)))
            if before is not None:
                before(operation_name, api_params)
        return original(self, operation_name, api_params)

    with monkeypatch.context() as patch:
        patch.setattr(BaseClient, "_make_api_call", recording)
        yield recorded
