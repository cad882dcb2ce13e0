"""Count DynamoDB API calls, by operation name, made while a block runs.

PynamoDB creates its botocore client lazily, once per connection, and tests
rebind models between runs, so patching one client instance misses calls.
Every botocore client funnels its requests through
`BaseClient._make_api_call`; wrapping that once, for the `dynamodb` service
only, sees every request whatever client or connection makes it.

    with count_dynamodb_calls(monkeypatch) as calls:
        api.http.get("/products?q=north")
    assert calls.total <= 2, calls
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.client import BaseClient


class DynamoCalls(Counter[str]):
    """Operation name -> number of requests (e.g. `{"Query": 1, "BatchGetItem": 1}`)."""

    @property
    def total(self) -> int:
        return sum(self.values())


@contextmanager
def count_dynamodb_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[DynamoCalls]:
    """Count every DynamoDB request botocore sends inside the block (retries excluded)."""
    calls = DynamoCalls()
    lock = threading.Lock()
    original = BaseClient._make_api_call

    def counting(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        if self.meta.service_model.service_name == "dynamodb":
            with lock:
                calls[operation_name] += 1
        return original(self, operation_name, api_params)

    with monkeypatch.context() as patch:
        patch.setattr(BaseClient, "_make_api_call", counting)
        yield calls
