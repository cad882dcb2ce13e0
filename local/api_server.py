"""`chalice local`, plus the API Gateway "gateway responses" production has.

In AWS, errors raised by API Gateway itself (no token, a token the authorizer
denied, an unknown route) are reshaped by the stack's GatewayResponses into
the contract's `{"error": {...}}` body. `chalice local` answers those with
API Gateway's raw defaults, so this server runs Chalice's own local server
with one change: gateway errors get the same mapping as production.

It also runs the app as Lambda does: in handler instances that each serve one request at a
time. Powertools keeps its metric set and logger keys per process; two requests on two threads
of one process once emptied each other's metric set (a 500 while seeding `make dev`). So HTTP is
parsed on threads (a browser's idle keep-alive connections cost nothing), and each request's
gateway work (authorizer + app) is handed to one of `--instances` forked processes, which die
with the server. Requests still run concurrently across instances, as on Lambda, so races
between requests stay reproducible here. `--instances 0` runs them in the server process
instead, one at a time (in-process tests that hook into the app's calls).

    python -m local.api_server --host 127.0.0.1 --port 8000 --stage dev --instances 4
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import multiprocessing
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from chalice import local as chalice_local
from chalice.cli.factory import CLIFactory
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    ForbiddenError,
    InvalidAuthorizerError,
    LocalChalice,
    LocalDevServer,
    LocalGateway,
    LocalGatewayException,
    NotAuthorizedError,
    RouteMatcher,
)

from local.processes import die_with_parent

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCES = 4

# API Gateway response type -> (status, code, message); infra/ declares the same mapping.
GATEWAY_RESPONSES: dict[str, tuple[int, str, str]] = {
    "UNAUTHORIZED": (401, "unauthorized", "Sign in first: send 'Authorization: Bearer <ID token>'."),
    "ACCESS_DENIED": (401, "invalid_token", "The token is missing, invalid or expired."),
    "MISSING_AUTHENTICATION_TOKEN": (404, "not_found", "No such route."),
    "AUTHORIZER_FAILURE": (500, "internal_error", "Something went wrong on our side."),
    # Not raised by chalice local (the app answers these itself, in the same shape); declared so
    # the gateway's own 413/415/429 in AWS carry the contract's body too.
    "UNSUPPORTED_MEDIA_TYPE": (
        415,
        "unsupported_media_type",
        "Send the body as JSON with 'Content-Type: application/json'.",
    ),
    "REQUEST_TOO_LARGE": (413, "too_large", "The request is too large."),
    "THROTTLED": (429, "throttled", "Too many requests: retry in a moment."),
}
# HTTP methods API Gateway routes; any other (TRACE, CONNECT, PROPFIND, ...) is a contract 405.
KNOWN_METHODS = frozenset({"GET", "PUT", "POST", "HEAD", "DELETE", "PATCH", "OPTIONS"})


def gateway_response_type(error: LocalGatewayException) -> str:
    if isinstance(error, NotAuthorizedError):
        return "UNAUTHORIZED"
    if isinstance(error, ForbiddenError):
        error_type = (error.headers or {}).get("x-amzn-ErrorType", "")
        return "ACCESS_DENIED" if error_type == "AccessDeniedException" else "MISSING_AUTHENTICATION_TOKEN"
    if isinstance(error, InvalidAuthorizerError):
        return "AUTHORIZER_FAILURE"
    return "AUTHORIZER_FAILURE"


def gateway_error(error: LocalGatewayException) -> tuple[int, dict[str, Any]]:
    status, code, message = GATEWAY_RESPONSES[gateway_response_type(error)]
    return status, {"error": {"code": code, "message": message}}


# The gateway of this instance process (set before the instances are forked, inherited by them).
_instance_gateway: LocalGateway | None = None


def _instance_started() -> None:
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle


def _handle_in_instance(method: str, path: str, headers: dict[str, str], body: bytes | None) -> Any:
    assert _instance_gateway is not None
    return _instance_gateway.handle_request(method, path, headers, body)


class Instances:
    """Where the gateway's work (authorizer + app) runs: each instance handles one request at a time."""

    def __init__(self, app_object: Any, config: Any, count: int) -> None:
        global _instance_gateway
        self._gateway = LocalGateway(app_object, config)
        self._lock = threading.Lock()
        self._pool = None
        if count > 0:
            _instance_gateway = self._gateway
            # Forked now, before the server starts any thread; replaced by the pool if one dies.
            self._pool = multiprocessing.get_context("fork").Pool(count, initializer=_instance_started)

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes | None) -> Any:
        if self._pool is None:
            with self._lock:
                return self._gateway.handle_request(method, path, headers, body)
        return self._pool.apply(_handle_in_instance, (method, path, headers, body))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()


class FlintGateway(LocalGateway):
    """chalice local's gateway, answering a method a resource lacks as API Gateway does, and
    running the authorizer and the app in one of the handler instances.

    API Gateway treats `DELETE /health` like an unknown route (MISSING_AUTHENTICATION_TOKEN);
    chalice local would pass it to the app, which answers a bare 405 outside the contract.
    """

    def __init__(self, app_object: Any, config: Any, instances: Instances) -> None:
        super().__init__(app_object, config)
        self._routes = app_object.routes
        self._matcher = RouteMatcher(list(app_object.routes))
        self._instances = instances

    def handle_request(self, method: str, path: str, headers: Any, body: bytes | None) -> Any:
        if method != "OPTIONS":  # preflights are answered for every resource
            try:
                route = self._matcher.match_route(path).route
            except ValueError:
                route = None  # unknown route: the base class raises the gateway's error
            if route is not None and method not in self._routes[route]:
                raise ForbiddenError(
                    {"x-amzn-ErrorType": "MissingAuthenticationTokenException"},
                    b'{"message": "Missing Authentication Token"}',
                )
        return self._instances.handle(method, path, dict(headers), body)


class FlintRequestHandler(ChaliceRequestHandler):
    def __init__(
        self,
        request: Any,
        client_address: Any,
        server: Any,
        app_object: Any,
        config: Any,
        instances: Instances,
    ) -> None:
        # ChaliceRequestHandler.__init__ with our gateway; the base __init__ handles the request.
        self.local_gateway = FlintGateway(app_object, config, instances)
        BaseHTTPRequestHandler.__init__(self, request, client_address, server)

    def _send_error_response(self, error: LocalGatewayException) -> None:
        status, body = gateway_error(error)
        headers = {
            "Content-Type": "application/json",
            "Access-Control-Allow-Origin": "*",
            "x-amzn-RequestId": (error.headers or {}).get("x-amzn-RequestId", ""),
        }
        self._send_http_response(status, headers, json.dumps(body))

    def __getattr__(self, name: str) -> Any:
        # BaseHTTPRequestHandler looks up `do_<METHOD>` and answers an HTML 501 when it is missing.
        if name.startswith("do_") and name[3:] not in KNOWN_METHODS:
            return self._unknown_method
        raise AttributeError(name)

    def _unknown_method(self) -> None:
        self._parse_payload()  # drain any body, so a keep-alive connection stays usable
        body = {"error": {"code": "method_not_allowed", "message": f"Method {self.command} is not allowed."}}
        headers = {
            "Content-Type": "application/json",
            "Access-Control-Allow-Origin": "*",
            "Allow": ", ".join(sorted(KNOWN_METHODS)),
        }
        self._send_http_response(405, headers, json.dumps(body))

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write("api %s\n" % (format % args))


LISTEN_BACKLOG = 128


def create_server(host: str, port: int, stage: str, instances: int = 0) -> LocalDevServer:
    """The server; `instances` > 0 forks that many handler instances, 0 runs requests in this process."""
    factory = CLIFactory(str(PROJECT_DIR), environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name=stage)
    app_obj = config.chalice_app
    # What chalice.local.create_local_server does: thread-local current_request.
    if not isinstance(app_obj, LocalChalice):
        CustomLocalChalice.__bases__ = (LocalChalice, app_obj.__class__)
        app_obj.__class__ = CustomLocalChalice
    # http.server listens with a backlog of 5: twenty clients at once saw connections reset, which
    # API Gateway never does. A deeper accept queue lets every request wait for a thread instead.
    chalice_local.ThreadedHTTPServer.request_queue_size = LISTEN_BACKLOG
    handler = functools.partial(FlintRequestHandler, instances=Instances(app_obj, config, instances))
    return LocalDevServer(app_obj, config, host, port, handler_cls=handler)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--stage", default="dev")
    parser.add_argument(
        "--instances",
        type=int,
        default=int(os.environ.get("FLINT_API_INSTANCES", DEFAULT_INSTANCES)),
        help=f"handler instances, each serving one request at a time (default {DEFAULT_INSTANCES})",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(PROJECT_DIR))
    server = create_server(args.host, args.port, args.stage, args.instances)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
