"""The web client under `make dev`: web/'s static files, plus two local-only helpers.

    python -m local.web_server --port 8080 --api http://127.0.0.1:8000

- `GET /config.js` is generated: it tells the page where the API is (in AWS,
  `infra/deploy.sh` uploads a `config.js` naming the API Gateway URL instead).
- `POST /local/confirm {"email"}` confirms a sign-up in the embedded Cognito pool
  (`admin_confirm_sign_up`): locally no e-mail with a code is ever sent.
- `POST /local/prime {"email"}` adds a member to the `prime` group, standing in for
  buying Prime, so a newcomer can try posting.
- `GET /local/ready` says whether `make dev` has finished loading the demo data and computing
  the demo feeds (`{"ready", "step", "done", "total"}`, from the status file devstack writes);
  the page shows "preparing demo data" until it is. Without `--status-file`: always ready.

The helpers live only on this laptop server: the deployed site is static files in S3
and the deployed API has no such routes. Every other path serves a file from web/,
or index.html for a path without one (the client is a single-page app).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import mimetypes
import os
import sys
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3

from flint_template.csp import EMBED_PATH, site_csp

PROJECT_DIR = Path(__file__).resolve().parent.parent
WEB_DIR = PROJECT_DIR / "web"
mimetypes.add_type("text/javascript", ".js")


# Pictures rarely change: a day. Everything else (the page, config.js, the JS modules and CSS, which
# have no content hash without a build step) is revalidated on every load: a 304 when unchanged
# (Last-Modified), so an edit shows on the next reload. In AWS, infra/deploy.sh sets the same
# idea on the site bucket (index.html and config.js no-cache, the rest 5 minutes).
LONG_LIVED = (".svg", ".png", ".jpg", ".jpeg", ".webp", ".ico", ".woff2")


def cache_control(request_path: str) -> str:
    path = request_path.split("?", 1)[0].lower()
    if path.startswith("/local/"):
        return "no-store"
    return "public, max-age=86400" if path.endswith(LONG_LIVED) else "no-cache"


class WebHandler(SimpleHTTPRequestHandler):
    api_url = "http://127.0.0.1:8000"
    aws_endpoint = "http://127.0.0.1:5000"
    cognito: Any = None
    pool_id = ""
    status_file: Path | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, directory=str(WEB_DIR), **kwargs)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", cache_control(self.path))
        # The deployed site's CSP (flint_template.site_csp), with the local API and the embedded
        # AWS (Cognito, the uploads bucket, images): the browser tests run under it.
        local_aws = self.aws_endpoint
        embeddable = self.path.startswith(EMBED_PATH)  # brands frame the gallery embed's pages
        csp = site_csp(
            api=self.api_url,
            cognito=local_aws,
            uploads=[local_aws],
            images=[local_aws],
            embeddable=embeddable,
        )
        self.send_header("Content-Security-Policy", csp)
        super().end_headers()

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/config.js":
            config = {"api": self.api_url, "localHelpers": True}
            self._send(HTTPStatus.OK, f"window.FLINT_CONFIG = {json.dumps(config)};\n", "text/javascript")
            return
        if path == "/local/ready":
            self._send(HTTPStatus.OK, json.dumps(self._readiness()), "application/json")
            return
        if not Path(path).suffix and not (WEB_DIR / path.lstrip("/")).is_dir():
            self.path = "/index.html"
        super().do_GET()

    def do_POST(self) -> None:
        actions = {"/local/confirm": self._confirm, "/local/prime": self._prime}
        action = actions.get(self.path)
        if action is None:
            self._error(HTTPStatus.NOT_FOUND, "not_found", "No such route.")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
            email = str(json.loads(self.rfile.read(length) or b"{}")["email"])
        except (ValueError, KeyError, TypeError):
            self._error(HTTPStatus.BAD_REQUEST, "bad_json", 'Send {"email": "..."}.')
            return
        try:
            action(email)
        except self.cognito.exceptions.UserNotFoundException:
            self._error(HTTPStatus.NOT_FOUND, "not_found", "No such member.")
            return
        self._send(HTTPStatus.OK, json.dumps({"ok": True}), "application/json")

    def _readiness(self) -> dict[str, Any]:
        if self.status_file is None:
            return {"ready": True, "step": "ready", "done": 0, "total": 0}
        try:
            return dict(json.loads(self.status_file.read_text()))
        except (OSError, ValueError):
            return {"ready": False, "step": "starting", "done": 0, "total": 0}

    def _confirm(self, email: str) -> None:
        with contextlib.suppress(self.cognito.exceptions.NotAuthorizedException):  # already confirmed
            self.cognito.admin_confirm_sign_up(UserPoolId=self.pool_id, Username=email)

    def _prime(self, email: str) -> None:
        self.cognito.admin_add_user_to_group(UserPoolId=self.pool_id, Username=email, GroupName="prime")

    def _error(self, status: HTTPStatus, code: str, message: str) -> None:
        self._send(status, json.dumps({"error": {"code": code, "message": message}}), "application/json")

    def _send(self, status: HTTPStatus, body: str, content_type: str) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        if args and str(args[1]).startswith(("4", "5")):
            sys.stderr.write("web %s\n" % (format % args))


def make_web_server(
    host: str, port: int, api_url: str, aws_endpoint: str, pool_id: str, status_file: Path | None = None
) -> ThreadingHTTPServer:
    handler = type(
        "FlintWebHandler",
        (WebHandler,),
        {
            "api_url": api_url,
            "aws_endpoint": aws_endpoint,
            "pool_id": pool_id,
            "status_file": status_file,
            "cognito": boto3.client("cognito-idp", endpoint_url=aws_endpoint, region_name="us-east-1"),
        },
    )
    return ThreadingHTTPServer((host, port), handler)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--api", default="http://127.0.0.1:8000")
    parser.add_argument("--status-file", type=Path, help="readiness written by local.devstack")
    args = parser.parse_args()
    server = make_web_server(
        args.host,
        args.port,
        args.api,
        os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
        os.environ.get("FLINT_USER_POOL_ID", ""),
        args.status_file,
    )
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
