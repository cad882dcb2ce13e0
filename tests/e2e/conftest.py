"""The real local stack (`make dev`'s `local.devstack`) in a subprocess, shared by every e2e test.

Tests talk to it only as a client would: HTTP to the API and Cognito calls to the
`cognito_endpoint` from GET /config.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

PROJECT_DIR = Path(__file__).resolve().parents[2]
PASSWORD = "E2e-password-1"
# Fast feed refreshes (every planner run also reads the whole emulated table through its indexes,
# so faster would only burn the CPU the rest of the suite shares); a few demo posts so feeds and
# products have something in them.
REFRESH_SECONDS = 4
DEMO_POSTS = 6


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LocalStack:
    api: str
    config: dict[str, Any]
    refresh_seconds: float
    web: str = ""

    def cognito(self) -> Any:
        return boto3.client(
            "cognito-idp",
            endpoint_url=self.config["cognito_endpoint"],
            region_name=self.config["region"],
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


@dataclass(frozen=True)
class Client:
    """A signed-in member, as a client app holds one."""

    api: str
    user_id: str
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return requests.request(method, f"{self.api}{path}", headers=headers, timeout=30, **kwargs)


@pytest.fixture(scope="session")
def local_stack() -> Iterator[LocalStack]:
    with running_local_stack() as stack:
        yield stack


@contextlib.contextmanager
def running_local_stack() -> Iterator[LocalStack]:
    aws_port, api_port, web_port = free_port(), free_port(), free_port()
    log = tempfile.NamedTemporaryFile("w+", prefix="flint-e2e-", suffix=".log", delete=False)  # noqa: SIM115
    env = {**os.environ, "FLINT_DEMO_POSTS": str(DEMO_POSTS), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "local.devstack",
            "--aws-port",
            str(aws_port),
            "--api-port",
            str(api_port),
            "--web-port",
            str(web_port),
            "--refresh-seconds",
            str(REFRESH_SECONDS),
        ],
        cwd=PROJECT_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    api = f"http://127.0.0.1:{api_port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"local stack exited ({process.returncode}):\n{Path(log.name).read_text()[-4000:]}"
                )
            if "Flint is running." in Path(log.name).read_text(errors="replace"):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"local stack not up after 240 s:\n{Path(log.name).read_text()[-4000:]}")
            time.sleep(0.5)
        config = requests.get(f"{api}/config", timeout=10).json()
        yield LocalStack(api, config, REFRESH_SECONDS, f"http://127.0.0.1:{web_port}")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        log.close()


_counter = itertools.count(1)


@pytest.fixture(scope="session")
def sign_up(local_stack: LocalStack) -> Callable[..., Client]:
    """Sign up, confirm (admin, as the embedded pool allows), join groups, sign in."""
    cognito = local_stack.cognito()
    pool, client_id = local_stack.config["user_pool_id"], local_stack.config["user_pool_client_id"]

    def create(*groups: str, name: str | None = None) -> Client:
        email = f"e2e-{next(_counter)}-{uuid.uuid4().hex[:8]}@example.com"
        attributes = [{"Name": "email", "Value": email}] + ([{"Name": "name", "Value": name}] if name else [])
        user_id = cognito.sign_up(
            ClientId=client_id, Username=email, Password=PASSWORD, UserAttributes=attributes
        )["UserSub"]
        cognito.admin_confirm_sign_up(UserPoolId=pool, Username=email)
        for group in groups:
            cognito.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName=group)
        tokens = cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
        )
        return Client(local_stack.api, user_id, email, tokens["AuthenticationResult"]["IdToken"])

    return create


def sign_in(local_stack: LocalStack, email: str, password: str) -> Client:
    cognito = local_stack.cognito()
    tokens = cognito.initiate_auth(
        ClientId=local_stack.config["user_pool_client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    token = tokens["AuthenticationResult"]["IdToken"]
    me = requests.get(
        f"{local_stack.api}/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
    ).json()
    return Client(local_stack.api, me["id"], email, token)
