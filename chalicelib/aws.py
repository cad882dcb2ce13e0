"""boto3 clients, created lazily once per process, honouring the local endpoint override."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from chalicelib import caches
from chalicelib.settings import get_settings

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=3, read_timeout=10)


def client(service: str) -> Any:
    """The process's client for `service`. DynamoDB's is the one every model and transaction uses."""
    if service == "dynamodb":
        from chalicelib.data.connection import shared_client

        return shared_client()
    return _client(service)


@cache
def _client(service: str) -> Any:
    settings = get_settings()
    return boto3.client(
        service,
        region_name=settings.region,
        endpoint_url=settings.aws_endpoint_url,
        config=_CONFIG,
    )


@cache
def queue_url(queue_name: str) -> str:
    return client("sqs").get_queue_url(QueueName=queue_name)["QueueUrl"]


def reset() -> None:
    """Forget cached clients (tests switch endpoints between sessions)."""
    from chalicelib.data import connection

    _client.cache_clear()
    connection.reset()
    queue_url.cache_clear()


caches.register(reset)  # every client, the shared DynamoDB connection and the queue URLs
