"""Shared fixtures: one embedded AWS per test process, provisioned once for the whole session.

Tests isolate by data, not by re-creating AWS: every test shares the session's table, buckets,
queues and user pool, so each one makes fresh ids for what it creates (`new_member`, `ids.new_id`,
`tests/support/catalog.py`), never counts global items and never assumes an empty table; it asserts
on its own data. Per test only the process caches are reset and the environment a test sets itself
is undone. The few behaviours that read over *everything* (trending over every post, the planner
over every active member, the Enthusiast job over every interest, invariant scans, the whole
catalog) get a table of their own: `private_table`.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import botocore.session
import pytest

from chalicelib import caches
from local.aws_server import EmbeddedAws
from local.provision import ProvisionedStack, provision
from local.seed import seed_interests
from tests.support.aws import REGION, emulator_env, environment
from tests.support.local_stack import ENV_API, api_server_in_thread, running_local_stack
from tests.support.members import PASSWORD, SignedInMember, minted_member, sign_up_and_in
from tests.support.tables import table_of_its_own

__all__ = ["PASSWORD", "PROJECT_DIR", "SessionStack", "SignedInMember"]

PROJECT_DIR = Path(__file__).resolve().parent.parent
TEMPLATE = PROJECT_DIR / "infra" / "template.yaml"


# botocore reads its service descriptions (JSON, ~100 ms of CPU for DynamoDB) once per session, and
# PynamoDB makes a session per connection: with caches reset for every test, that is every test.
# One loader for every session reads each description once per process; nothing else changes.
_shared_loader = botocore.session.create_loader()
botocore.session.create_loader = lambda *_args, **_kwargs: _shared_loader


def _reset_caches() -> None:
    """Kept for tests that switch settings by hand: `chalicelib.caches.reset()`."""
    caches.reset()


@pytest.fixture(autouse=True)
def _forget_process_state() -> Iterator[None]:
    """After each test, forget cached settings and clients once its environment is undone, so the
    next test (with or without the emulator) never starts from this one's."""
    yield
    if "chalicelib.caches" in sys.modules:
        caches.reset()


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    server = EmbeddedAws().start()
    yield server.endpoint
    server.stop()


@dataclass(frozen=True)
class SessionStack:
    """infra/template.yaml provisioned once in this process's emulator, and the environment that
    points the app at it."""

    stack: ProvisionedStack
    env: dict[str, str]


@pytest.fixture(scope="session")
def session_stack(moto_endpoint: str) -> SessionStack:
    env = emulator_env(moto_endpoint)
    with environment(env):
        provisioned = provision(TEMPLATE, endpoint_url=moto_endpoint)
    env |= {
        "FLINT_USER_POOL_ID": provisioned.outputs["UserPoolId"],
        "FLINT_USER_POOL_CLIENT_ID": provisioned.outputs["UserPoolClientId"],
    }
    with environment(env):
        seed_interests()  # the demo interest catalog (local/demo_data.py), as `make dev` has it
    return SessionStack(provisioned, env)


@pytest.fixture
def aws_env(session_stack: SessionStack, monkeypatch: pytest.MonkeyPatch) -> str:
    """Fake credentials and the emulator endpoint (and the stack's pool), for every boto3 and
    PynamoDB call of the test; returns the endpoint. Nothing in the emulator is reset."""
    for name, value in session_stack.env.items():
        monkeypatch.setenv(name, value)
    caches.reset()
    return session_stack.env["AWS_ENDPOINT_URL"]


@pytest.fixture
def steady_limit_windows(monkeypatch: pytest.MonkeyPatch) -> float:
    """Abuse limits counted at one instant, 5 minutes into the current hour, so a test's requests
    all fall in one 600 s (or 3600 s) window: windows start on the wall clock, and one starting between
    the requests that fill a limit and the one it should refuse resets the count. Returns the instant."""
    from chalicelib.api import routing
    from chalicelib.services import rights

    now = time.time()
    instant = now - now % 3600 + 300
    clock = SimpleNamespace(time=lambda: instant)
    monkeypatch.setattr(routing, "time", clock)
    monkeypatch.setattr(rights, "time", clock)
    return instant


@pytest.fixture
def stack(aws_env: str, session_stack: SessionStack) -> ProvisionedStack:
    """The session's provisioned Flint stack (infra/template.yaml), wired into settings."""
    return session_stack.stack


@pytest.fixture
def private_table(aws_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A table of the test's own (one CreateTable from the template's FlintTable), with the demo
    interest catalog, that settings point at for the test; returns its name.

    Only for behaviour that reads over everything in the table, which no fresh id can isolate:
    trending over every recent post, the planner over every active member, the Enthusiast job over
    every interest, the whole product or interest catalog, the invariant scan. Everything else
    shares the session's table. Buckets and queues stay shared.
    """
    with table_of_its_own(aws_env) as name:
        monkeypatch.setenv("FLINT_TABLE_NAME", name)
        caches.reset()
        seed_interests()
        yield name


@pytest.fixture
def feeds_of_their_own(private_table: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Feeds read over everything (trending over every recent post, the planner over every active
    member, the shared lists over every interest): the test gets a table and a refresh queue of its
    own (what it queued is all the worker gets), and a cold process (a warm one remembers whom it
    queued lately). Feed test modules use it with `pytest.mark.usefixtures`."""
    from chalicelib.services import feeds
    from tests.support.feeds import own_refresh_queue

    monkeypatch.setattr(feeds, "_requeued", {})
    with own_refresh_queue(monkeypatch):
        yield private_table


@pytest.fixture
def cognito(stack: ProvisionedStack) -> Any:
    return boto3.client("cognito-idp", region_name=REGION)


@pytest.fixture
def new_member(stack: ProvisionedStack) -> Callable[..., SignedInMember]:
    """`new_member(*groups, name=None)`: a member of those groups, signed in. The ID token is minted
    locally with the emulator's key (tests/support/members.py), as accepted as a sign-in's; the
    member has a fresh `sub` and e-mail address and no Cognito user."""
    pool_id, client_id = stack.outputs["UserPoolId"], stack.outputs["UserPoolClientId"]

    def create(*groups: str, name: str | None = None) -> SignedInMember:
        return minted_member(pool_id=pool_id, client_id=client_id, groups=groups, name=name)

    return create


@pytest.fixture
def cognito_member(stack: ProvisionedStack, cognito: Any) -> Callable[..., SignedInMember]:
    """`cognito_member(*groups, name=None)`: signed up, confirmed and signed in through the embedded
    Cognito, as a client does. For the tests of sign-up and sign-in themselves; use `new_member`."""
    pool_id, client_id = stack.outputs["UserPoolId"], stack.outputs["UserPoolClientId"]

    def create(*groups: str, name: str | None = None) -> SignedInMember:
        return sign_up_and_in(cognito, pool_id=pool_id, client_id=client_id, groups=groups, name=name)

    return create


@pytest.fixture
def api(stack: ProvisionedStack, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """chalice.test.Client over the real app: routes, the authorizer and event handlers.

    The Client runs each handler with .chalice/config.json's stage variables, which name the
    session's resources (`flint-dev`); a variable the test itself set (`private_table`'s
    FLINT_TABLE_NAME) keeps the test's value there too.
    """
    from chalice import test as chalice_test

    from app import app

    stage_variables = chalice_test.BaseClient._patched_env_vars

    def tests_own_values_win(client: Any, variables: dict[str, str]) -> Any:
        own = {name: os.environ[name] for name in variables if name in os.environ}
        return stage_variables(client, {**variables, **own})

    monkeypatch.setattr(chalice_test.BaseClient, "_patched_env_vars", tests_own_values_win)
    with chalice_test.Client(app, stage_name="dev", project_dir=str(PROJECT_DIR)) as client:
        yield client


@pytest.fixture
def http_api(stack: ProvisionedStack) -> Iterator[str]:
    """The local API server (chalice local + production's gateway responses) on a free port."""
    with api_server_in_thread() as url:
        yield url


# --- the one local stack of the e2e and browser tiers ------------------------------------------------

STACK_TIERS = (PROJECT_DIR / "tests" / "e2e", PROJECT_DIR / "tests" / "browser")


def _runs_stack_tests(config: pytest.Config) -> bool:
    """Whether the paths on the command line take in e2e or browser tests."""
    for arg in config.args or ["."]:
        path = (Path(config.invocation_params.dir) / arg.split("::", 1)[0]).resolve()
        if any(path == tier or tier in path.parents or path in tier.parents for tier in STACK_TIERS):
            return True
    return False


def pytest_configure(config: pytest.Config) -> None:
    """Under xdist, the controller starts the local stack the e2e and browser tests share and hands it
    to its workers (FLINT_E2E_API...): one stack, never one per worker. Without xdist the session
    fixture starts it when a test first needs it; the tier runner (tests/tiers.py) starts its own."""
    if hasattr(config, "workerinput") or not config.getoption("numprocesses", default=None):
        return
    if os.environ.get(ENV_API) or not _runs_stack_tests(config):
        return
    started = running_local_stack()
    stack = started.__enter__()
    os.environ.update(stack.export())
    config.add_cleanup(lambda: started.__exit__(None, None, None))
