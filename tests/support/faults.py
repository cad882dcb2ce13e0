"""Fault injection through botocore's own event hooks: AWS answers with an error, Flint's code is untouched.

A `before-call.<service>` handler that returns `(http_response, parsed_body)` short-circuits the
request (botocore sends nothing and skips its own retries), exactly as if AWS had answered so.

    with inject(connection.shared_client(), Fault("TransactWriteItems", CONFLICT, times=2)) as faults:
        ...
    assert faults[0].injected == 2
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

# TransactWriteItems cancellation reasons, and errors for a whole call.
CONFLICT = "TransactionConflict"
THROTTLED_ITEM = "ThrottlingError"
CAPACITY_ITEM = "ProvisionedThroughputExceeded"
THROTTLING = "ThrottlingException"
CAPACITY = "ProvisionedThroughputExceededException"


@dataclass
class Fault:
    """Answer `operation` with an error, the first `times` calls (None: every call) matching `when`.

    For TransactWriteItems, a `reason` cancels the transaction with that reason on its first item
    (the others `None`), as DynamoDB does; otherwise `code` is the error of the whole call.
    """

    operation: str
    reason: str | None = None
    code: str | None = None
    status: int = 400
    times: int | None = None
    when: Callable[[dict[str, Any]], bool] | None = None
    injected: int = 0
    calls: list[dict[str, Any]] = field(default_factory=list)

    def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        if self.reason is not None:
            count = len(body.get("TransactItems", [])) or 1
            reasons = [{"Code": self.reason, "Message": f"injected {self.reason}"}]
            reasons += [{"Code": "None"}] * (count - 1)
            return {
                "Error": {
                    "Code": "TransactionCanceledException",
                    "Message": f"Transaction cancelled [{self.reason}]",
                },
                "CancellationReasons": reasons,
                "ResponseMetadata": {"HTTPStatusCode": self.status, "HTTPHeaders": {}},
            }
        code = self.code or "InternalServerError"
        return {
            "Error": {"Code": code, "Message": f"injected {code}"},
            "ResponseMetadata": {"HTTPStatusCode": self.status, "HTTPHeaders": {}},
        }


class _Http:
    """What botocore reads of an HTTP response it did not receive."""

    def __init__(self, status: int):
        self.status_code = status
        self.headers: dict[str, str] = {}
        self.content = b""
        self.text = ""


def _body(params: dict[str, Any]) -> dict[str, Any]:
    raw = params.get("body") or b""
    try:
        return dict(json.loads(raw)) if raw else {}
    except (ValueError, TypeError):  # S3 and SQS bodies are not JSON: only the operation matters
        return {}


@contextmanager
def inject(client: Any, *faults: Fault) -> Iterator[list[Fault]]:
    """Answer `client`'s matching calls with the faults' errors while the block runs."""
    lock = threading.Lock()
    service = client.meta.service_model.service_id.hyphenize()
    event = f"before-call.{service}"
    unique = f"flint-fault-{uuid.uuid4()}"

    def handler(model: Any, params: dict[str, Any], **_: Any) -> tuple[_Http, dict[str, Any]] | None:
        body = _body(params)
        with lock:
            for fault in faults:
                if fault.operation != model.name or (
                    fault.times is not None and fault.injected >= fault.times
                ):
                    continue
                if fault.when is not None and not fault.when(body):
                    continue
                fault.injected += 1
                fault.calls.append(body)
                return _Http(fault.status), fault.answer(body)
        return None

    client.meta.events.register_first(event, handler, unique_id=unique)
    try:
        yield list(faults)
    finally:
        client.meta.events.unregister(event, unique_id=unique)
