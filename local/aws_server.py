"""The embedded AWS: moto's server, with DynamoDB requests applied one at a time.

moto's DynamoDB backend is not thread-safe: under concurrent requests,
TransactWriteItems deep-copies a table while another request mutates it
("dictionary changed size during iteration") and answers 500. Real DynamoDB
isolates transactions itself; here a lock around DynamoDB calls gives the same
guarantee. Other services stay concurrent (an SQS long poll must not block).

Rekognition DetectModerationLabels, which moto does not implement, is answered by
local/moderation_stand_in.py.

    python -m local.aws_server --host 127.0.0.1 --port 5000

With FLINT_AWS_PROFILE=<file> set, the server runs under cProfile and writes its stats to that file
when it stops (SIGTERM or Ctrl-C): how the emulator's CPU was spent during a `make dev`.
Lighter, FLINT_AWS_REQUESTS=<file>: requests and CPU seconds by operation ("dynamodb.Query",
"s3.PUT", ...), written as JSON (totals since start) on SIGUSR1 and when the server stops.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import threading
import time
from collections.abc import Iterable
from typing import Any

from moto.moto_server.threaded_moto_server import MotoRequestHandler
from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from local import demo_labels, moderation_stand_in, moto_queries, moto_serialize, moto_transactions


class SerializedApp:
    def __init__(self, app: Any):
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target == moderation_stand_in.TARGET:
            return moderation_stand_in.wsgi(environ, start_response)
        if not target.startswith("DynamoDB"):
            return self._app(environ, start_response)
        with self._lock:
            # Drain the body inside the lock: moto may build it lazily from shared state.
            return list(self._app(environ, start_response))


class ProfiledApp:
    """Every request under its own cProfile (requests run on threads of their own); `dump` merges them."""

    def __init__(self, app: Any):
        self._app = app
        self._profiles: list[Any] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        import cProfile

        profile = cProfile.Profile(time.thread_time)  # CPU, not time spent waiting (locks, long polls)
        with profile:
            body = list(self._app(environ, start_response))
        self._profiles.append(profile)
        return body

    def dump(self, path: str) -> None:
        import pstats

        if self._profiles:
            pstats.Stats(*self._profiles).dump_stats(path)


class CountedApp:
    """Requests and their CPU seconds (the serving thread's) by operation; `dump` writes the totals."""

    def __init__(self, app: Any):
        self._app = app
        self._lock = threading.Lock()
        self.requests: dict[str, list[float]] = {}  # operation -> [requests, CPU seconds]

    @staticmethod
    def operation(environ: dict[str, Any]) -> str:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target:  # "DynamoDB_20120810.Query" -> "dynamodb.Query"
            service, _, action = target.partition(".")
            return f"{service.split('_')[0].lower()}.{action}"
        path = environ.get("PATH_INFO", "")
        if path.startswith("/moto-api"):
            return "moto-api"
        action = next(
            (p[7:] for p in environ.get("QUERY_STRING", "").split("&") if p.startswith("Action=")), ""
        )
        return f"query.{action}" if action else f"s3.{environ.get('REQUEST_METHOD', '?')}"

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        started = time.thread_time()
        body = list(self._app(environ, start_response))
        spent = time.thread_time() - started
        with self._lock:
            counted = self.requests.setdefault(self.operation(environ), [0, 0.0])
            counted[0] += 1
            counted[1] += spent
        return body

    def dump(self, path: str) -> None:
        with self._lock:
            totals = {
                name: {"requests": int(n), "cpu_s": round(cpu, 3)} for name, (n, cpu) in self.requests.items()
            }
        temporary = f"{path}.tmp"
        with open(temporary, "w") as out:
            json.dump(dict(sorted(totals.items(), key=lambda kv: -kv[1]["cpu_s"])), out, indent=1)
        os.replace(temporary, path)


class QuietHandler(MotoRequestHandler):
    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        if str(code).startswith("5"):
            super().log_request(code, size)


def make_aws_server(host: str, port: int) -> BaseWSGIServer:
    moto_transactions.install()  # O(items) transactions instead of a copy of the table each
    moto_queries.install()  # no sort of the whole table before each Query
    moto_serialize.install()  # DynamoDB and Streams responses without moto's per-attribute alias lookups
    app = SerializedApp(DomainDispatcherApplication(create_backend_app))
    return make_server(host, port, app, threaded=True, request_handler=QuietHandler)


class EmbeddedAws:
    """In-process server for tests: `start()`, `.endpoint`, `stop()`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self._server = make_aws_server(host, port)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> EmbeddedAws:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    demo_labels.install()  # make dev: DetectLabels names what the demo pictures show
    server = make_aws_server(args.host, args.port)
    print(f"embedded AWS on http://{args.host}:{args.port}", flush=True)
    profile_path = os.environ.get("FLINT_AWS_PROFILE")
    requests_path = os.environ.get("FLINT_AWS_REQUESTS")
    if requests_path:
        counted = server.app = CountedApp(server.app)
        signal.signal(signal.SIGUSR1, lambda *_: counted.dump(requests_path))
        signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop as on Ctrl-C, totals written
    if profile_path:
        server.app = ProfiledApp(server.app)
        signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop as on Ctrl-C, stats written
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    if profile_path:
        server.app.dump(profile_path)
    if requests_path:
        counted.dump(requests_path)


if __name__ == "__main__":
    main()
