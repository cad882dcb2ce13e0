"""Transactions on the Flint table, bound to the same endpoint and region as the models."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.errors import Throttled
from chalicelib.settings import Settings, get_settings

# Contention on hot items (a popular post's counter) cancels transactions; they are retried.
RETRYABLE_REASONS = {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}
RETRYABLE_CAUSES = {
    "TransactionConflictException",
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
}


class TransactionContended(Throttled):
    """Still conflicting after every retry: a 429 `throttled` (retry), never a 500."""


_connection: tuple[Settings, Connection] | None = None
_connection_lock = threading.Lock()


def _shared_connection() -> Connection:
    """One connection (one botocore client) per settings: creating a client per call costs ~0.1-0.3 s."""
    global _connection
    settings = get_settings()
    with _connection_lock:
        if _connection is None or _connection[0] is not settings:
            connection = Connection(
                region=settings.region, host=settings.aws_endpoint_url, max_retry_attempts=3
            )
            connection.client  # noqa: B018  # made here, under the lock: botocore sessions are not thread-safe
            _connection = (settings, connection)
        return _connection[1]


def transaction(client_request_token: str | None = None) -> TransactWrite:
    """A TransactWriteItems context; a token makes a retried transaction idempotent for 10 minutes."""
    return TransactWrite(connection=_shared_connection(), client_request_token=client_request_token)


def cancellation_codes(exc: TransactWriteError) -> list[str | None]:
    return [r.code if r else None for r in (exc.cancellation_reasons or [])]


def is_retryable(exc: TransactWriteError) -> bool:
    return exc.cause_response_code in RETRYABLE_CAUSES or bool(
        RETRYABLE_REASONS & set(cancellation_codes(exc))
    )


def run_transaction(write: Callable[[TransactWrite], None], *, attempts: int = 8) -> None:
    """Run `write` in a transaction, retrying contention with jittered exponential backoff."""
    for attempt in range(attempts):
        try:
            with transaction() as tx:
                write(tx)
            return
        except TransactWriteError as exc:
            if not is_retryable(exc):
                raise
            time.sleep(min(0.5, 0.01 * 2**attempt) * random.uniform(0.5, 1.5))
    raise TransactionContended(f"This item is very busy right now ({attempts} attempts); retry in a moment.")
