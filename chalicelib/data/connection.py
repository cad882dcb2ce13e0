"""Transactions on the Flint table, bound to the same endpoint and region as the models."""

from __future__ import annotations

from pynamodb.connection import Connection
from pynamodb.transactions import TransactWrite

from chalicelib.settings import get_settings


def transaction(client_request_token: str | None = None) -> TransactWrite:
    """A TransactWriteItems context; a token makes a retried transaction idempotent for 10 minutes."""
    settings = get_settings()
    connection = Connection(region=settings.region, host=settings.aws_endpoint_url, max_retry_attempts=3)
    return TransactWrite(connection=connection, client_request_token=client_request_token)
