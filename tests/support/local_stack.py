"""The real local stack (`make dev`'s `local.devstack`) for the e2e and browser tiers: one at a time.

`running_local_stack()` starts it in a subprocess on free ports, with schedules off
(FLINT_REFRESH_SECONDS=0) and the event runner's control API on, and stops it (its whole process
group) afterwards. `shared_stack()` is one a caller already started and handed over through the
environment: the tier runner (tests/tiers.py) starts one stack for both tiers, and under xdist the
controller starts one for its workers (tests/conftest.py), so a stack never multiplies per worker.

    FLINT_E2E_API, FLINT_E2E_WEB, FLINT_E2E_EVENTS    the stack's API, web client and control API
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from local.devstack import command_on_ports, free_port
from tests.support.eventually import eventually
from tests.support.members import cognito_client

PROJECT_DIR = Path(__file__).resolve().parents[2]
# A few demo posts so feeds and products have something in them (the full demo has 120).
DEMO_POSTS = 6
READY_WITHIN_SECONDS = 300
ENV_API, ENV_WEB, ENV_EVENTS = "FLINT_E2E_API", "FLINT_E2E_WEB", "FLINT_E2E_EVENTS"


@dataclass
class LocalStack:
    api: str
    config: dict[str, Any]
    web: str = ""
    events: str = ""  # the event runner's control API

    def cognito(self) -> Any:
        """The Cognito client a client app builds from GET /config."""
        return cognito_client(self.config)

    def run(self, schedule: str) -> Any:
        """Run a scheduled function now (POST /run/<schedule>); its result."""
        response = requests.post(f"{self.events}/run/{schedule}", timeout=300)
        assert response.status_code == 200, response.text
        return response.json()["result"]

    def drain(self, timeout: float = 240) -> dict[str, Any]:
        """Deliver every queue and the table's stream until all are empty (POST /drain)."""
        response = requests.post(f"{self.events}/drain", json={"timeout": timeout}, timeout=timeout + 30)
        assert response.status_code == 200, response.text
        report: dict[str, Any] = response.json()
        assert report["complete"], report
        return report

    def export(self) -> dict[str, str]:
        """The variables that hand this stack to another process (`shared_stack`)."""
        return {ENV_API: self.api, ENV_WEB: self.web, ENV_EVENTS: self.events}


def shared_stack() -> LocalStack | None:
    """The stack another process started and named in the environment; None if none was."""
    api = os.environ.get(ENV_API)
    if not api:
        return None
    config = requests.get(f"{api}/config", timeout=30).json()
    return LocalStack(api, config, os.environ.get(ENV_WEB, ""), os.environ.get(ENV_EVENTS, ""))


@contextlib.contextmanager
def running_local_stack() -> Iterator[LocalStack]:
    """`make dev` in a subprocess on free ports, ready (its banner printed: data in, feeds computed)."""
    aws_port, api_port, web_port, events_port = free_port(), free_port(), free_port(), free_port()
    log = tempfile.NamedTemporaryFile("w+", prefix="flint-e2e-", suffix=".log", delete=False)  # noqa: SIM115
    env = {
        **os.environ,
        "FLINT_DEMO_POSTS": str(DEMO_POSTS),
        "PYTHONUNBUFFERED": "1",
        # Every test client shares 127.0.0.1 (the anonymous limits are per address) and fuzzing one
        # member's profile or brand routes needs more than their hourly budget to reach the logic
        # behind the limit; the limits themselves are tested in tests/integration.
        "FLINT_RATE_LIMITS": '{"profile": [1000, 600], "brands": [1000, 3600], "sessions": [1000, 3600]}',
    }
    for name in (ENV_API, ENV_WEB, ENV_EVENTS):
        env.pop(name, None)
    process = subprocess.Popen(
        # Nothing fires on its own: tests run the planner and drain the queues when they mean to.
        command_on_ports(aws_port, api_port, web_port, events_port, "--refresh-seconds", "0"),
        cwd=PROJECT_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    api = f"http://127.0.0.1:{api_port}"

    def output() -> str:
        return Path(log.name).read_text(errors="replace")

    def ready() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"local stack exited ({process.returncode}):\n{output()[-4000:]}")
        return "Flint is running." in output()

    try:
        try:
            eventually(ready, READY_WITHIN_SECONDS, "the local stack's banner")
        except AssertionError as exc:
            raise RuntimeError(f"{exc}:\n{output()[-4000:]}") from exc
        config = requests.get(f"{api}/config", timeout=30).json()
        # The banner comes once the stack settled (local/settle.py): badges and demo feeds computed.
        yield LocalStack(api, config, f"http://127.0.0.1:{web_port}", f"http://127.0.0.1:{events_port}")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
        log.close()


@contextlib.contextmanager
def tier_stack() -> Iterator[LocalStack]:
    """The stack of a stack tier: the one `tests/tiers.py` started and named in the environment,
    else one of this session's own (a tier run alone)."""
    shared = shared_stack()
    if shared is not None:
        yield shared
        return
    with running_local_stack() as stack:
        yield stack


@contextlib.contextmanager
def api_server_in_thread() -> Iterator[str]:
    """The local API server (chalice local + production's gateway responses) on a free port, in a
    thread of this process; yields its base URL."""
    import threading

    from local.api_server import create_server

    server = create_server("127.0.0.1", 0, "dev")
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server.server_address[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.server.shutdown()
        server.server.server_close()
