"""The fake-AWS environment every test process points boto3, PynamoDB and the app at.

One definition for the session's embedded AWS (tests/conftest.py), for fixtures that need it for
longer than one test (`environment`), and for subprocesses talking to an emulator.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import pytest

from chalicelib import caches
from chalicelib.settings import Settings

REGION = "us-east-1"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}
# Abuse limits out of the way of tests that write a lot as one member (a page of 100 posts);
# tests/integration/test_edge.py sets tight ones to test them.
GENEROUS_RATE_LIMITS = json.dumps({name: [1_000_000, 60] for name in Settings().rate_limits})


def emulator_env(endpoint: str) -> dict[str, str]:
    """Fake credentials and the emulator's endpoint, for every boto3 and PynamoDB call."""
    return {
        **FAKE_CREDENTIALS,
        "AWS_ENDPOINT_URL": endpoint,
        "POWERTOOLS_METRICS_NAMESPACE": "Flint",
        "FLINT_RATE_LIMITS": GENEROUS_RATE_LIMITS,
    }


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set these variables (and forget every cached client and setting) while the block runs."""
    try:
        with pytest.MonkeyPatch.context() as patch:
            for name, value in values.items():
                patch.setenv(name, value)
            caches.reset()
            yield
    finally:
        caches.reset()
