"""Shared fixtures: one embedded AWS (moto server) per test process, wiped and re-provisioned per test."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
import requests

from chalicelib import caches
from chalicelib.settings import Settings
from local.aws_server import EmbeddedAws
from local.cognito import sign_in, sign_up_member
from local.provision import ProvisionedStack, provision

PROJECT_DIR = Path(__file__).resolve().parent.parent
PASSWORD = "Correct-horse-9"
# Abuse limits out of the way of tests that write a lot as one member (a page of 100 posts);
# tests/integration/test_edge.py sets tight ones to test them.
GENEROUS_RATE_LIMITS = json.dumps({name: [1_000_000, 60] for name in Settings().rate_limits})


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    server = EmbeddedAws().start()
    yield server.endpoint
    server.stop()


def _reset_caches() -> None:
    caches.reset()


@pytest.fixture
def aws_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Fake credentials and the emulator endpoint, for every boto3 and PynamoDB call in the test."""
    for name, value in {
        "AWS_ENDPOINT_URL": moto_endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "POWERTOOLS_METRICS_NAMESPACE": "Flint",
        "FLINT_RATE_LIMITS": GENEROUS_RATE_LIMITS,
    }.items():
        monkeypatch.setenv(name, value)
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=10).raise_for_status()
    _reset_caches()
    yield moto_endpoint
    _reset_caches()


@pytest.fixture
def stack(aws_env: str, monkeypatch: pytest.MonkeyPatch) -> ProvisionedStack:
    """A freshly provisioned Flint stack (infra/template.yaml) in the emulator, wired into settings."""
    provisioned = provision(PROJECT_DIR / "infra" / "template.yaml", endpoint_url=aws_env)
    monkeypatch.setenv("FLINT_USER_POOL_ID", provisioned.outputs["UserPoolId"])
    monkeypatch.setenv("FLINT_USER_POOL_CLIENT_ID", provisioned.outputs["UserPoolClientId"])
    _reset_caches()
    return provisioned


@dataclass(frozen=True)
class SignedInMember:
    user_id: str
    email: str
    id_token: str
    access_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.id_token}"}


_emails = itertools.count(1)


@pytest.fixture
def cognito(stack: ProvisionedStack) -> object:
    return boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=os.environ["AWS_ENDPOINT_URL"])


@pytest.fixture
def new_member(stack: ProvisionedStack, cognito: object) -> Callable[..., SignedInMember]:
    """Sign up, confirm and sign in a member of the given groups, as a client would."""

    def create(*groups: str, name: str | None = None) -> SignedInMember:
        email = f"member{next(_emails)}-{os.getpid()}@example.com"
        pool_id, client_id = stack.outputs["UserPoolId"], stack.outputs["UserPoolClientId"]
        user_id = sign_up_member(
            cognito,
            pool_id=pool_id,
            client_id=client_id,
            email=email,
            password=PASSWORD,
            name=name,
            groups=groups,
        )
        tokens = sign_in(cognito, client_id=client_id, email=email, password=PASSWORD)
        return SignedInMember(user_id, email, tokens["IdToken"], tokens["AccessToken"])

    return create


@pytest.fixture
def api(stack: ProvisionedStack) -> Iterator[object]:
    """chalice.test.Client over the real app: routes, the authorizer and event handlers."""
    from chalice.test import Client

    from app import app

    with Client(app, stage_name="dev", project_dir=str(PROJECT_DIR)) as client:
        yield client


@pytest.fixture
def http_api(stack: ProvisionedStack) -> Iterator[str]:
    """The local API server (chalice local + production's gateway responses) on a free port."""
    import threading

    from local.api_server import create_server

    server = create_server("127.0.0.1", 0, "dev")
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server.server_address[:2]
    yield f"http://{host}:{port}"
    server.server.shutdown()
    server.server.server_close()
