"""`make dev`: the whole Flint stack on one machine, ready with its demo data.

1. moto's server on 127.0.0.1:$FLINT_AWS_PORT (5000) as the embedded AWS;
2. every resource of infra/template.yaml, created by the local provisioner;
3. the API (chalice local + production's gateway responses) on 127.0.0.1:$FLINT_API_PORT (8000),
   the event runner that delivers SQS messages and fires schedules, and the web client (web/,
   local/web_server.py) on 127.0.0.1:$FLINT_WEB_PORT (8080), started while the data goes in;
4. deterministic demo data: interests, brands, products, members in Cognito, demo posts (a few
   through the real upload path, the rest through the services in bulk), smiles and follows,
   brand insights; then the queues are drained and the demo members' feeds computed;
5. only then "ready": the web client's `GET /local/ready` says so (the page shows "preparing
   demo data" until then), and the last lines printed are the URLs and demo logins.

The console shows one progress line; every process's logs go to .flint/dev-<api port>.log.
Ctrl-C (or SIGTERM, once or more) stops every child process: the stop itself cannot be
interrupted, and children die with this process even if it is killed (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

import boto3
import requests

from local.processes import die_with_parent

PROJECT_DIR = Path(__file__).resolve().parent.parent
STATE_DIR = PROJECT_DIR / ".flint"
log = logging.getLogger("local.devstack")  # not under "flint": Powertools owns that logger

STEPS = (
    "starting the embedded AWS",
    "creating resources",
    "members and catalog",
    "demo posts",
    "brand insights",
    "computing feeds",
)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
STOP_SECONDS = 10


class DevStackError(Exception):
    pass


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


# Ports for stacks started side by side (tests, benches): below Linux's ephemeral range (32768+), so
# no socket bound to port 0 and no outgoing connection can take one between its choice and the
# stack binding it seconds later, and never the same one twice in a process.
_PORTS = range(20_000, 32_000)
_handed_out: set[int] = set()
_handed_out_lock = threading.Lock()


def free_port() -> int:
    with _handed_out_lock:
        while True:
            port = random.choice(_PORTS)
            if port not in _handed_out and port_is_free(port):
                _handed_out.add(port)
                return port


def command_on_ports(aws: int, api: int, web: int, events: int, *options: str) -> list[str]:
    """The command line of a stack on these ports (what tests and benches start), with `options`."""
    return [
        sys.executable,
        "-m",
        "local.devstack",
        *("--aws-port", str(aws), "--api-port", str(api), "--web-port", str(web)),
        *("--events-port", str(events), *options),
    ]


def wait_until(
    check: Callable[[], bool], what: str, timeout: float = 60.0, process: subprocess.Popen | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise DevStackError(f"{what} exited with code {process.returncode} before it was ready")
        try:
            if check():
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise DevStackError(f"{what} was not ready after {timeout:.0f}s")


def base_env(aws_endpoint: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "AWS_ENDPOINT_URL": aws_endpoint,
            "AWS_ACCESS_KEY_ID": env.get("AWS_ACCESS_KEY_ID_LOCAL", "testing"),
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": str(PROJECT_DIR),
        }
    )
    env.pop("AWS_SESSION_TOKEN", None)
    env.pop("AWS_PROFILE", None)
    return env


def allow_anonymous_reads(s3: Any, bucket: str) -> None:
    """Stand in for the CDN: anyone may GET the bucket's objects, as through CloudFront in AWS.

    There is no CloudFront locally, so media URLs point at the emulator's bucket; the emulator,
    like S3, refuses anonymous reads of private objects, so without this no client could load a
    thumbnail under `make dev`.
    """
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "LocalCdnStandIn",
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{bucket}/*",
                    }
                ],
            }
        ),
    )


def cpu_seconds(pids: list[int]) -> float:
    """CPU time of this process, the given children and their descendants (from /proc; Linux)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    total = own.ru_utime + own.ru_stime
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir() if Path("/proc/self/stat").exists() else ():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            parents[int(entry.name)] = int(fields[1])
            times[int(entry.name)] = sum(int(f) for f in fields[11:15]) / tick
    todo = list(pids)
    while todo:
        pid = todo.pop()
        total += times.get(pid, 0.0)
        todo += [child for child, parent in parents.items() if parent == pid]
    return total


class Console:
    """What the person who typed `make dev` sees: one progress line, errors, the banner.

    Everything else (this process's logs, library output, every child's output) goes to the log
    file: file descriptors 1 and 2 point at it, and the terminal keeps a descriptor of its own.
    """

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.out: TextIO = os.fdopen(os.dup(1), "w", buffering=1)
        self.err: TextIO = os.fdopen(os.dup(2), "w", buffering=1)
        self.tty = self.out.isatty()
        log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.close(log_fd)
        self._started = time.monotonic()
        self._lock = threading.Lock()

    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def step(self, index: int, detail: str = "") -> None:
        """Step `index` of STEPS: rewritten in place on a terminal, one line per step elsewhere."""
        text = f"[{index + 1}/{len(STEPS)}] {STEPS[index]}{' ' + detail if detail else ''}"
        if not detail:
            log.info("%s (at %.1fs)", text, self.elapsed())
        with self._lock:
            if self.tty:
                self.out.write(f"\r\033[K{text}  ({self.elapsed():.0f}s)")
                self.out.flush()
            elif not detail:
                self.out.write(f"{text}\n")

    def print(self, text: str) -> None:
        with self._lock:
            self.out.write(("\r\033[K" if self.tty else "") + text + "\n")

    def error(self, message: str, tail: int = 25) -> None:
        with self._lock:
            if self.tty:
                self.out.write("\r\033[K")
                self.out.flush()
            self.err.write(f"error: {message}\n")
            with contextlib.suppress(OSError):
                lines = self.log_path.read_text(errors="replace").splitlines()[-tail:]
                self.err.write(f"--- last {len(lines)} lines of {self.log_path} ---\n")
                self.err.write("".join(f"  {line[:300]}\n" for line in lines))
            self.err.write(f"Full log: {self.log_path}\n")


class Status:
    """The stack's readiness, in a small file the web server reads for `GET /local/ready`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.write(ready=False, step="starting")

    def write(self, *, ready: bool, step: str, done: int = 0, total: int = 0) -> None:
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"ready": ready, "step": step, "done": done, "total": total}))
        temporary.replace(self.path)

    def remove(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink()


class DevStack:
    def __init__(
        self,
        aws_port: int,
        api_port: int,
        refresh_seconds: float,
        web_port: int = 8080,
        events_port: int = 0,
        api_instances: int = 4,
    ):
        self.aws_port = aws_port
        self.api_port = api_port
        self.web_port = web_port
        self.events_port = events_port or free_port()
        self.web_url = f"http://127.0.0.1:{web_port}"
        self.refresh_seconds = refresh_seconds
        self.aws_endpoint = f"http://127.0.0.1:{aws_port}"
        self.api_url = f"http://127.0.0.1:{api_port}"
        self.events_url = f"http://127.0.0.1:{self.events_port}"
        self.api_instances = api_instances
        self.status_path = STATE_DIR / f"dev-{api_port}.status.json"
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []
        self._stopped = False

    def _spawn(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        # Own session: a terminal's Ctrl-C reaches only this process, which stops the children in
        # order. die_with_parent: killed with this process even if it is SIGKILLed. Output: the log.
        process = subprocess.Popen(
            args, cwd=PROJECT_DIR, env=env, start_new_session=True, preexec_fn=die_with_parent
        )
        self.children.append((name, process))
        return process

    def start_aws(self) -> None:
        env = base_env(self.aws_endpoint)
        process = self._spawn(
            "aws",
            [sys.executable, "-m", "local.aws_server", "--host", "127.0.0.1", "-p", str(self.aws_port)],
            env,
        )
        wait_until(
            lambda: requests.get(f"{self.aws_endpoint}/moto-api/data.json", timeout=2).ok,
            "the embedded AWS (moto)",
            process=process,
        )

    def provision(self) -> tuple[dict[str, str], dict[str, str]]:
        """Every resource; returns the app's environment and the stack's outputs."""
        os.environ.update(base_env(self.aws_endpoint))
        from local.provision import provision

        stack = provision(PROJECT_DIR / "infra" / "template.yaml", endpoint_url=self.aws_endpoint)
        s3 = boto3.client("s3", endpoint_url=self.aws_endpoint, region_name="us-east-1")
        allow_anonymous_reads(s3, stack.outputs["MediaBucketName"])
        app_env = {
            "FLINT_USER_POOL_ID": stack.outputs["UserPoolId"],
            "FLINT_USER_POOL_CLIENT_ID": stack.outputs["UserPoolClientId"],
            "FLINT_REFRESH_SECONDS": str(self.refresh_seconds),
        }
        os.environ.update(app_env)
        STATE_DIR.mkdir(exist_ok=True)
        exported = {
            **app_env,
            "AWS_ENDPOINT_URL": self.aws_endpoint,
            "FLINT_API_URL": self.api_url,
            "FLINT_EVENTS_URL": self.events_url,
        }
        (STATE_DIR / "dev.env").write_text("".join(f"{k}={v}\n" for k, v in sorted(exported.items())))
        (STATE_DIR / "outputs.json").write_text(json.dumps(stack.outputs, indent=2))
        return app_env, dict(stack.outputs)

    def start_api_events_web(self, app_env: dict[str, str], hold_schedules: bool = False) -> None:
        """Start the three; `wait_for_api_and_web` waits for them (they boot while data goes in).
        `hold_schedules`: no schedule fires on its own before `settle` starts them."""
        # The daily Enthusiast job runs every 5 minutes locally (and once before "ready", in settle)
        # so badges follow a demo's smiles without costing the idle stack a run every minute.
        env = {
            "FLINT_SCHEDULE_ENTHUSIAST_JOB_SECONDS": "300",
            **base_env(self.aws_endpoint),
            **app_env,
            "FLINT_EVENTS_CONTROL_PORT": str(self.events_port),
            "FLINT_SCHEDULES_HELD": "1" if hold_schedules else "0",
        }
        api_args = [
            "--host",
            "127.0.0.1",
            "--port",
            str(self.api_port),
            "--instances",
            str(self.api_instances),
        ]
        self._spawn("api", [sys.executable, "-m", "local.api_server", *api_args], env)
        self._spawn("events", [sys.executable, "-m", "local.event_runner"], env)
        web_args = [
            "--port",
            str(self.web_port),
            "--api",
            self.api_url,
            "--status-file",
            str(self.status_path),
        ]
        self._spawn("web", [sys.executable, "-m", "local.web_server", *web_args], env)

    def wait_for_api_and_web(self) -> None:
        processes = dict(self.children)
        wait_until(
            lambda: requests.get(f"{self.api_url}/health", timeout=2).ok, "the API", 90, processes["api"]
        )
        wait_until(
            lambda: requests.get(f"{self.web_url}/config.js", timeout=2).ok,
            "the web client",
            90,
            processes["web"],
        )

    def settle(self, reader_tokens: list[str]) -> int:
        """Deliver everything queued, then compute the demo readers' feeds; returns feeds computed."""
        from local.settle import settle

        return settle(self.events_url, self.api_url, reader_tokens)

    def stop(self) -> None:
        """Stop every child, whole and in order. Idempotent; no signal can interrupt it."""
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        if self._stopped:
            return
        self._stopped = True
        for name, process in reversed(self.children):
            log.info("stopping %s", name)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for _, process in self.children:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for _, process in self.children:  # anything its leader left behind in its group
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)

    def watch(self) -> str:
        """Block until a child exits (returns its name); Ctrl-C raises KeyboardInterrupt."""
        while True:
            os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOWAIT)  # wakes only when a child exits
            for name, process in self.children:
                if process.poll() is not None:
                    return name


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """SIGINT and SIGTERM stop the stack: the first raises KeyboardInterrupt, later ones are ignored.

    `make dev` stopped by a signal to its process group gets it twice (directly and forwarded by
    make); a second KeyboardInterrupt in the middle of stopping would leave children running.
    """

    def first_signal(signum: int, frame: Any) -> None:
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        raise KeyboardInterrupt

    for sig in STOP_SIGNALS:
        signal.signal(sig, first_signal)
    yield


def banner(stack: DevStack, app_env: dict[str, str], seeded: bool, log_path: Path, took: str) -> str:
    """The last lines printed: how to use the stack, then the URLs, then the demo logins."""
    from local.demo_data import DEMO_MEMBERS

    lines = [
        "",
        f"Flint is running. Ready in {took}.",
        f"  Logs           {log_path}",
        f"  Environment    {STATE_DIR / 'dev.env'}   (Cognito pool {app_env['FLINT_USER_POOL_ID']})",
        f"  Feed refresh   every {stack.refresh_seconds:g}s; events control {stack.events_url}",
        "  Ctrl-C stops everything.",
        "",
        f"  Embedded AWS   {stack.aws_endpoint}   (moto; dashboard at {stack.aws_endpoint}/moto-api/)",
        f"  API            {stack.api_url}   (try /health, /config, /openapi.json)",
        f"  Web client     {stack.web_url}",
    ]
    if seeded:
        lines.append("  Demo logins (USER_PASSWORD_AUTH):")
        for member in DEMO_MEMBERS[:3]:
            groups = ",".join(member.groups) or "no groups"
            lines.append(f"    {member.email:<26} {member.password}   ({groups})")
        brands = [m.email for m in DEMO_MEMBERS[3:] if "brand" in m.groups]
        lines.append(f"    {', '.join(brands)}   (brand accounts with insights, same password)")
        lines.append(
            f"    ...and {len(DEMO_MEMBERS) - 3 - len(brands)} demo contributors with the same password"
        )
    return "\n".join(lines)


def seed_everything(
    stack: DevStack,
    console: Console,
    status: Status,
    app_env: dict[str, str],
    outputs: dict[str, str],
    demo_posts: int,
) -> None:
    """Steps 3-6: the demo data, then queues drained and feeds computed."""
    from chalicelib import clock
    from chalicelib.data import users
    from chalicelib.observability import metrics
    from local.cognito import sign_in
    from local.demo_brands import seed_for_stack
    from local.demo_data import DEMO_MEMBERS
    from local.demo_posts import seed_demo_posts
    from local.seed import seed_all

    serialise_metrics(metrics)
    console.step(2)
    status.write(ready=False, step=STEPS[2])
    cognito = boto3.client("cognito-idp", endpoint_url=stack.aws_endpoint, region_name="us-east-1")
    s3 = boto3.client("s3", endpoint_url=stack.aws_endpoint, region_name="us-east-1")
    media_bucket = outputs["MediaBucketName"]
    members = seed_all(
        cognito,
        pool_id=app_env["FLINT_USER_POOL_ID"],
        client_id=app_env["FLINT_USER_POOL_CLIENT_ID"],
        media=(s3, media_bucket, f"{stack.aws_endpoint}/{media_bucket}"),
    )
    stack.wait_for_api_and_web()

    console.step(3)

    def posted(done: int, total: int) -> None:
        console.step(3, f"{done}/{total}")
        status.write(ready=False, step=STEPS[3], done=done, total=total)

    user_ids = {m.email: m.user_id for m in members}
    seed_demo_posts(
        stack.api_url, cognito, app_env["FLINT_USER_POOL_CLIENT_ID"], user_ids, demo_posts, progress=posted
    )
    if demo_posts > 0:
        console.step(4)
        status.write(ready=False, step=STEPS[4])
        seed_for_stack(stack.api_url, stack.aws_endpoint, app_env["FLINT_USER_POOL_ID"])

    console.step(5)
    status.write(ready=False, step=STEPS[5])
    # The demo's readers sign in, as they would to read: active now, so the planner refreshes them.
    readers = [m for m in DEMO_MEMBERS if m.interests]
    for member in readers:
        users.upsert_activity(user_ids[member.email], member.name, clock.now_iso())
    client_id = app_env["FLINT_USER_POOL_CLIENT_ID"]
    tokens = [
        sign_in(cognito, client_id=client_id, email=m.email, password=m.password)["IdToken"] for m in readers
    ]
    stack.settle(tokens)


def serialise_metrics(metrics: Any) -> None:
    """Seeding calls services from a few threads, and Powertools keeps one metric set per process
    (flushed when it holds 100 values): adding one at a time keeps a flush from racing an add."""
    add = metrics.provider.add_metric
    lock = threading.Lock()

    def add_metric(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return add(*args, **kwargs)

    metrics.provider.add_metric = add_metric


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--aws-port", type=int, default=int(os.environ.get("FLINT_AWS_PORT", "5000")))
    parser.add_argument("--api-port", type=int, default=int(os.environ.get("FLINT_API_PORT", "8000")))
    parser.add_argument("--web-port", type=int, default=int(os.environ.get("FLINT_WEB_PORT", "8080")))
    parser.add_argument(
        "--events-port",
        type=int,
        default=int(os.environ.get("FLINT_EVENTS_CONTROL_PORT", "0")),
        help="the event runner's control API (default: a free port; FLINT_EVENTS_URL in .flint/dev.env)",
    )
    parser.add_argument(
        "--refresh-seconds", type=float, default=float(os.environ.get("FLINT_REFRESH_SECONDS", "15"))
    )
    parser.add_argument("--no-seed", action="store_true", help="skip the demo data")
    parser.add_argument(
        "--demo-posts",
        type=int,
        default=int(os.environ.get("FLINT_DEMO_POSTS", "120")),
        help="demo posts (default 120; the first 8 through the real upload path, the rest in bulk)",
    )
    parser.add_argument("--api-instances", type=int, default=int(os.environ.get("FLINT_API_INSTANCES", "4")))
    parser.add_argument("--log-file", type=Path, help="default: .flint/dev-<api port>.log")
    args = parser.parse_args()

    ports = [
        (args.aws_port, "FLINT_AWS_PORT"),
        (args.api_port, "FLINT_API_PORT"),
        (args.web_port, "FLINT_WEB_PORT"),
        (args.events_port, "FLINT_EVENTS_CONTROL_PORT"),
    ]
    for port, variable in ports:
        if port and not port_is_free(port):
            print(
                f"error: port {port} on 127.0.0.1 is busy (another `make dev`?). Stop whatever holds it, "
                f"or choose another port: {variable}=<port> make dev",
                file=sys.stderr,
            )
            return 2

    log_path = args.log_file or STATE_DIR / f"dev-{args.api_port}.log"
    console = Console(log_path)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    stack = DevStack(
        args.aws_port,
        args.api_port,
        args.refresh_seconds,
        args.web_port,
        args.events_port,
        args.api_instances,
    )
    STATE_DIR.mkdir(exist_ok=True)
    status = Status(stack.status_path)
    console.print(f"Starting Flint (logs: {log_path})")
    with stop_on_signals():
        try:
            console.step(0)
            drawing = None
            if not args.no_seed and args.demo_posts > 0:
                from local.demo_posts import draw_ahead

                drawing = draw_ahead(args.demo_posts)
            stack.start_aws()
            console.step(1)
            status.write(ready=False, step=STEPS[1])
            app_env, outputs = stack.provision()
            stack.start_api_events_web(app_env, hold_schedules=not args.no_seed)
            if args.no_seed:
                stack.wait_for_api_and_web()
            else:
                seed_everything(stack, console, status, app_env, outputs, args.demo_posts)
            status.write(ready=True, step="ready")
            # The drawing processes count too (ProcessPoolExecutor keeps no public list of them).
            drawers = list(drawing._processes or ()) if drawing is not None else []
            cpu = cpu_seconds([process.pid for _, process in stack.children] + drawers)
            if drawing is not None:
                drawing.shutdown(wait=False, cancel_futures=True)
            took = f"{console.elapsed():.0f}s ({cpu:.0f} CPU s)"
            log.info("%s", took)
            console.print(banner(stack, app_env, not args.no_seed, log_path, took))
            exited = stack.watch()
            console.error(f"{exited} exited; stopping the stack")
            return 1
        except KeyboardInterrupt:
            console.print("Stopping Flint...")
            return 0
        except DevStackError as exc:
            console.error(str(exc))
            return 1
        except Exception as exc:  # a seeding step failed: say where to look, then stop cleanly
            log.exception("make dev failed")
            console.error(f"{type(exc).__name__}: {exc}")
            return 1
        finally:
            stack.stop()
            status.remove()


if __name__ == "__main__":
    code = main()
    logging.shutdown()
    # Seeding threads still waiting on the stopped emulator must not hold the exit up.
    os._exit(code)
