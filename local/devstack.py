"""`make dev`: the whole Flint stack on one machine.

1. moto's server on 127.0.0.1:$FLINT_AWS_PORT (5000) as the embedded AWS;
2. every resource of infra/template.yaml, created by the local provisioner;
3. deterministic demo data (interests, brands, products, members in Cognito);
4. the API (chalice local + production's gateway responses) on 127.0.0.1:$FLINT_API_PORT (8000),
   and the event runner that delivers SQS messages and fires schedules;
5. the web client (web/, local/web_server.py) on 127.0.0.1:$FLINT_WEB_PORT (8080);
6. a banner with the URLs and demo logins. Ctrl-C stops every child process.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import requests

PROJECT_DIR = Path(__file__).resolve().parent.parent
STATE_DIR = PROJECT_DIR / ".flint"
log = logging.getLogger("flint.dev")


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


class DevStack:
    def __init__(
        self, aws_port: int, api_port: int, refresh_seconds: float, web_port: int = 8080, events_port: int = 0
    ):
        self.aws_port = aws_port
        self.api_port = api_port
        self.web_url = f"http://127.0.0.1:{web_port}"
        self.refresh_seconds = refresh_seconds
        self.aws_endpoint = f"http://127.0.0.1:{aws_port}"
        self.api_url = f"http://127.0.0.1:{api_port}"
        # The event runner's control API (local/event_runner.py), when a port is given.
        self.events_url = f"http://127.0.0.1:{events_port}" if events_port else ""
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []

    def _spawn(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(args, cwd=PROJECT_DIR, env=env, start_new_session=True)
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

    def provision_and_seed(self, seed: bool) -> dict[str, str]:
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
        if seed:
            from local.seed import seed_all

            cognito = boto3.client("cognito-idp", endpoint_url=self.aws_endpoint, region_name="us-east-1")
            media_bucket = stack.outputs["MediaBucketName"]
            seed_all(
                cognito,
                pool_id=app_env["FLINT_USER_POOL_ID"],
                client_id=app_env["FLINT_USER_POOL_CLIENT_ID"],
                media=(s3, media_bucket, f"{self.aws_endpoint}/{media_bucket}"),
            )
        STATE_DIR.mkdir(exist_ok=True)
        exported = {**app_env, "AWS_ENDPOINT_URL": self.aws_endpoint, "FLINT_API_URL": self.api_url}
        if self.events_url:
            exported["FLINT_EVENTS_URL"] = self.events_url
        (STATE_DIR / "dev.env").write_text("".join(f"{k}={v}\n" for k, v in sorted(exported.items())))
        (STATE_DIR / "outputs.json").write_text(json.dumps(stack.outputs, indent=2))
        return app_env

    def start_api_and_events(self, app_env: dict[str, str]) -> None:
        # The daily Enthusiast job runs every minute locally so badges show up during a demo.
        env = {"FLINT_SCHEDULE_ENTHUSIAST_JOB_SECONDS": "60", **base_env(self.aws_endpoint), **app_env}
        api = self._spawn(
            "api",
            [sys.executable, "-m", "local.api_server", "--host", "127.0.0.1", "--port", str(self.api_port)],
            env,
        )
        wait_until(lambda: requests.get(f"{self.api_url}/health", timeout=2).ok, "the API", process=api)
        events_env = (
            {**env, "FLINT_EVENTS_CONTROL_PORT": self.events_url.rsplit(":", 1)[1]}
            if self.events_url
            else env
        )
        self._spawn("events", [sys.executable, "-m", "local.event_runner"], events_env)
        web_port = self.web_url.rsplit(":", 1)[1]
        web = self._spawn(
            "web",
            [sys.executable, "-m", "local.web_server", "--port", web_port, "--api", self.api_url],
            env,
        )
        wait_until(
            lambda: requests.get(f"{self.web_url}/config.js", timeout=2).ok, "the web client", process=web
        )

    def publish_demo_posts(self, app_env: dict[str, str], count: int) -> None:
        from local.demo_posts import seed_demo_posts

        started = time.monotonic()
        cognito = boto3.client("cognito-idp", endpoint_url=self.aws_endpoint, region_name="us-east-1")
        log.info("publishing %d demo posts through the upload path...", count)
        posts = seed_demo_posts(
            self.api_url,
            cognito,
            app_env["FLINT_USER_POOL_CLIENT_ID"],
            count,
            progress=lambda done, total: log.info("  %d/%d demo posts published", done, total),
        )
        log.info("published %d demo posts in %.0fs", len(posts), time.monotonic() - started)

    def stop(self) -> None:
        for name, process in reversed(self.children):
            if process.poll() is None:
                log.info("stopping %s", name)
                os.killpg(process.pid, signal.SIGTERM)
        for _, process in self.children:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def watch(self) -> int:
        """Block until Ctrl-C or a child dies; returns the exit code."""
        while True:
            for name, process in self.children:
                if process.poll() is not None:
                    log.error("%s exited with code %s; stopping the stack", name, process.returncode)
                    return 1
            time.sleep(0.5)


def banner(stack: DevStack, app_env: dict[str, str], seeded: bool) -> str:
    from local.demo_data import DEMO_MEMBERS

    lines = [
        "",
        "Flint is running.",
        f"  Web client     {stack.web_url}",
        f"  API            {stack.api_url}   (try {stack.api_url}/health, /config, /openapi.json)",
        f"  Embedded AWS   {stack.aws_endpoint}   (moto; dashboard at {stack.aws_endpoint}/moto-api/)",
        f"  Cognito pool   {app_env['FLINT_USER_POOL_ID']}  client {app_env['FLINT_USER_POOL_CLIENT_ID']}",
        f"  Feed refresh   every {stack.refresh_seconds:g}s",
        f"  Environment    {STATE_DIR / 'dev.env'}",
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
    lines += ["Ctrl-C stops everything.", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--aws-port", type=int, default=int(os.environ.get("FLINT_AWS_PORT", "5000")))
    parser.add_argument("--api-port", type=int, default=int(os.environ.get("FLINT_API_PORT", "8000")))
    parser.add_argument("--web-port", type=int, default=int(os.environ.get("FLINT_WEB_PORT", "8080")))
    parser.add_argument(
        "--refresh-seconds", type=float, default=float(os.environ.get("FLINT_REFRESH_SECONDS", "15"))
    )
    parser.add_argument(
        "--events-port",
        type=int,
        default=int(os.environ.get("FLINT_EVENTS_PORT", "0")),
        help="the event runner's control API (POST /run/<schedule>, POST /drain, GET /stats); 0: none",
    )
    parser.add_argument("--no-seed", action="store_true", help="skip the demo data")
    parser.add_argument(
        "--demo-posts",
        type=int,
        default=int(os.environ.get("FLINT_DEMO_POSTS", "120")),
        help="demo posts to publish through the real upload path (default 120)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(name)s %(levelname)s %(message)s")

    ports = (
        (args.aws_port, "FLINT_AWS_PORT"),
        (args.api_port, "FLINT_API_PORT"),
        (args.web_port, "FLINT_WEB_PORT"),
        *([(args.events_port, "FLINT_EVENTS_PORT")] if args.events_port else []),
    )
    for port, variable in ports:
        if not port_is_free(port):
            print(
                f"error: port {port} on 127.0.0.1 is busy (another `make dev`?). Stop whatever holds it, "
                f"or choose another port: {variable}=<port> make dev",
                file=sys.stderr,
            )
            return 2

    stack = DevStack(args.aws_port, args.api_port, args.refresh_seconds, args.web_port, args.events_port)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        stack.start_aws()
        app_env = stack.provision_and_seed(seed=not args.no_seed)
        stack.start_api_and_events(app_env)
        if not args.no_seed and args.demo_posts > 0:
            stack.publish_demo_posts(app_env, args.demo_posts)
            from local.demo_brands import seed_for_stack

            seed_for_stack(stack.api_url, stack.aws_endpoint, app_env["FLINT_USER_POOL_ID"])
        print(banner(stack, app_env, seeded=not args.no_seed), flush=True)
        return stack.watch()
    except KeyboardInterrupt:
        return 0
    except DevStackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
