"""The data-access spine: one DynamoDB client per process, and one way to write conditionally.

- `shared_connection()`: one PynamoDB `Connection` (one botocore client, one connection pool) per
  settings, created lazily. Every model (`models.FlintItem._get_connection`), every transaction
  and the thumbnailer's idempotency store use it (`aws.client("dynamodb")`).
- `transact(build)`: a TransactWriteItems. Each item carries a label; contention and throttling
  (cancellation reasons `TransactionConflict`, `ThrottlingError`, `ProvisionedThroughputExceeded`,
  or those errors for the whole call) are retried with jittered exponential backoff, a bounded
  number of times, then raised as `TransactionContended`, a 429 `throttled` with `Retry-After`.
  Failed conditions are not exceptions: the result names the labels whose condition failed.
  Cancellation reasons are decoded here and nowhere else.
- `put()`, `update()`, `delete()`: one conditional item write; `False` when the condition failed,
  throttling after botocore's own retries raised as `Throttled`.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.errors import Throttled
from chalicelib.settings import Settings, get_settings

CONDITION_FAILED = "ConditionalCheckFailed"
# Contention on hot items (a popular post's counter) and throttling cancel transactions: retried.
RETRYABLE_REASONS = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})
RETRYABLE_CAUSES = frozenset(
    {
        "TransactionConflictException",
        "TransactionInProgressException",
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
    }
)
ATTEMPTS = 8
MAX_PAUSE_SECONDS = 0.5
# What a client is told to wait after the last retry failed (the header's unit is whole seconds).
RETRY_AFTER_SECONDS = 1
MAX_TRANSACTION_ITEMS = 100


class TransactionContended(Throttled):
    """Still contended or throttled after every retry: a 429 `throttled` (retry later), never a 500."""


_connection: tuple[Settings, Connection] | None = None
_connection_lock = threading.Lock()


def shared_connection() -> Connection:
    """The process's one DynamoDB connection for the current settings (its client made once, lazily)."""
    global _connection
    settings = get_settings()
    current = _connection
    if current is not None and current[0] is settings:
        return current[1]
    with _connection_lock:
        if _connection is None or _connection[0] is not settings:
            connection = Connection(
                region=settings.region, host=settings.aws_endpoint_url, max_retry_attempts=3
            )
            connection.client  # noqa: B018  # made here, under the lock: botocore sessions are not thread-safe
            _connection = (settings, connection)
        return _connection[1]


def shared_client() -> Any:
    """The botocore DynamoDB client behind every model and transaction."""
    return shared_connection().client


def reset() -> None:
    """Forget the connection (tests switch endpoints and settings)."""
    global _connection
    with _connection_lock:
        _connection = None


# --- transactions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """A write's result: committed, or the labels of the items whose condition failed (nothing written)."""

    failed: frozenset[str] = frozenset()

    @property
    def committed(self) -> bool:
        return not self.failed

    def failed_on(self, *labels: str) -> bool:
        return bool(self.failed & set(labels))

    def failed_like(self, prefix: str) -> list[str]:
        """The failed labels starting with `prefix` (e.g. `upload:`), without it."""
        return sorted(label.removeprefix(prefix) for label in self.failed if label.startswith(prefix))


COMMITTED = Outcome()


class Tx:
    """Collects a transaction's items, each with a label naming it in the outcome."""

    def __init__(self) -> None:
        # PynamoDB sends condition checks, deletes, puts, then updates: labels kept in that order.
        self._labels: dict[str, list[str]] = {"check": [], "delete": [], "put": [], "update": []}
        self._ops: list[Callable[[TransactWrite], None]] = []

    def check(self, model: type[Model], key: tuple[str, str], condition: Condition, *, label: str) -> None:
        self._labels["check"].append(label)
        self._ops.append(lambda tx: tx.condition_check(model, key[0], key[1], condition=condition))

    def delete(self, item: Model, *, condition: Condition | None = None, label: str = "") -> None:
        self._labels["delete"].append(label)
        self._ops.append(lambda tx: tx.delete(item, condition=condition))

    def put(self, item: Model, *, condition: Condition | None = None, label: str = "") -> None:
        self._labels["put"].append(label)
        self._ops.append(lambda tx: tx.save(item, condition=condition))

    def update(
        self, item: Model, actions: list[Any], *, condition: Condition | None = None, label: str = ""
    ) -> None:
        self._labels["update"].append(label)
        self._ops.append(lambda tx: tx.update(item, actions=actions, condition=condition))

    @property
    def labels(self) -> list[str]:
        """Labels in the order DynamoDB reports cancellation reasons."""
        return [label for kind in ("check", "delete", "put", "update") for label in self._labels[kind]]

    def __len__(self) -> int:
        return len(self._ops)

    def _send(self) -> None:
        with TransactWrite(connection=shared_connection()) as tx:
            for op in self._ops:
                op(tx)


def _reasons(exc: TransactWriteError) -> list[str | None]:
    return [r.code if r else None for r in (exc.cancellation_reasons or [])]


def _retryable(cause: str | None, reasons: Iterable[str | None]) -> bool:
    return cause in RETRYABLE_CAUSES or bool(RETRYABLE_REASONS & set(reasons))


def _pause(attempt: int) -> None:
    time.sleep(min(MAX_PAUSE_SECONDS, 0.01 * 2**attempt) * random.uniform(0.5, 1.5))


def transact(build: Callable[[Tx], None], *, attempts: int = ATTEMPTS) -> Outcome:
    """Write `build`'s items atomically; retry contention; return which conditions failed, if any."""
    tx = Tx()
    build(tx)
    if not len(tx):
        return COMMITTED
    labels = tx.labels
    for attempt in range(attempts):
        try:
            tx._send()
            return COMMITTED
        except TransactWriteError as exc:
            reasons = _reasons(exc)
            if _retryable(exc.cause_response_code, reasons):
                if attempt < attempts - 1:
                    _pause(attempt)
                continue
            failed = frozenset(
                label for label, code in zip(labels, reasons, strict=False) if code == CONDITION_FAILED
            )
            if failed:
                return Outcome(failed)
            raise
    raise TransactionContended(
        f"This item is very busy right now ({attempts} attempts); retry in a moment.",
        retry_after=RETRY_AFTER_SECONDS,
    )


# --- single conditional writes --------------------------------------------------------------


def _single(write: Callable[[], Any]) -> bool:
    try:
        write()
    except (PutError, UpdateError, DeleteError) as exc:
        cause = exc.cause_response_code
        if cause == "ConditionalCheckFailedException":
            return False
        if cause in RETRYABLE_CAUSES:  # botocore already retried with backoff
            raise Throttled(
                "The service is busy right now; retry in a moment.", retry_after=RETRY_AFTER_SECONDS
            ) from exc
        raise
    return True


def put(item: Model, *, condition: Condition | None = None) -> bool:
    """PutItem; False (nothing written) when the condition failed."""
    return _single(lambda: item.save(condition=condition))


def update(item: Model, actions: list[Any], *, condition: Condition | None = None) -> bool:
    """UpdateItem (the item's attributes are refreshed with the new values); False if the condition failed."""
    return _single(lambda: item.update(actions=actions, condition=condition))


def update_returning_old(
    item: Model, actions: list[Any], *, condition: Condition | None = None
) -> dict[str, Any] | None:
    """UpdateItem answering the attributes it changed as they were before (raw DynamoDB values,
    e.g. `{"seen": {"BS": [...]}}`); None when the condition failed. One request, no read: what
    was there before is how a caller learns which members of a set it added are new."""
    answer: dict[str, Any] = {}

    def write() -> None:
        response = item._get_connection().update_item(
            getattr(item, item._hash_keyname),
            getattr(item, item._range_keyname) if item._range_keyname else None,
            actions=actions,
            condition=condition,
            return_values="UPDATED_OLD",
        )
        answer.update(response.get("Attributes") or {})

    return answer if _single(write) else None


def delete(item: Model, *, condition: Condition | None = None) -> bool:
    """DeleteItem; False when the condition failed."""
    return _single(lambda: item.delete(condition=condition))
