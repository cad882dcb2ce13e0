"""The web client's local server: static files, the generated config.js, the SPA fallback, helpers,
and the cache headers of static files (locally and as infra/deploy.sh uploads them)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from flint_template.csp import site_csp
from local.web_server import make_web_server

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def web() -> Iterator[str]:
    # The helpers' Cognito client is never called by these tests: nothing listens on port 9.
    server = make_web_server("127.0.0.1", 0, "http://127.0.0.1:8123", "http://127.0.0.1:9", "pool")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_config_js_names_the_local_api_and_its_helpers(web: str) -> None:
    response = requests.get(f"{web}/config.js", timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert response.text == 'window.FLINT_CONFIG = {"api": "http://127.0.0.1:8123", "localHelpers": true};\n'


def test_static_files_are_served_as_modules_and_unknown_paths_get_the_app(web: str) -> None:
    module = requests.get(f"{web}/js/main.js", timeout=5)
    assert module.status_code == 200 and module.headers["Content-Type"].startswith("text/javascript")
    app = requests.get(f"{web}/post/abc", timeout=5)
    assert app.status_code == 200 and '<main id="main"' in app.text
    assert requests.get(f"{web}/css/missing.css", timeout=5).status_code == 404


def test_helpers_answer_contract_errors_for_bad_requests(web: str) -> None:
    bad = requests.post(f"{web}/local/confirm", data=b"not json", timeout=5)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_json"
    unknown = requests.post(f"{web}/local/anything", json={"email": "a@b.c"}, timeout=5)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"


# --- cache headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/index.html", "/config.js", "/js/main.js", "/css/app.css", "/post/abc"]
)
def test_the_page_and_its_code_are_revalidated_on_every_load(web: str, path: str) -> None:
    assert requests.get(f"{web}{path}", timeout=5).headers["Cache-Control"] == "no-cache"


def test_unchanged_code_costs_a_304_without_a_body(web: str) -> None:
    first = requests.get(f"{web}/js/main.js", timeout=5)
    again = requests.get(
        f"{web}/js/main.js", headers={"If-Modified-Since": first.headers["Last-Modified"]}, timeout=5
    )
    assert again.status_code == 304 and again.content == b""


def test_pictures_are_kept_a_day(web: str) -> None:
    assert (
        requests.get(f"{web}/img/favicon.svg", timeout=5).headers["Cache-Control"] == "public, max-age=86400"
    )


def test_the_local_helpers_are_never_cached(web: str) -> None:
    assert requests.post(f"{web}/local/nope", json={}, timeout=5).headers["Cache-Control"] == "no-store"


def test_the_deployed_page_is_uploaded_to_be_revalidated() -> None:
    script = (PROJECT_DIR / "infra" / "deploy.sh").read_text()
    upload = next(line for line in script.splitlines() if "web/index.html" in line)
    following = script[script.index(upload) :].split("\n", 2)[1]
    assert "--cache-control no-cache" in upload + following


def test_ready_without_a_status_file_is_always_ready(web: str) -> None:
    # A web server not started by `make dev` has no demo data to wait for
    response = requests.get(f"{web}/local/ready", timeout=5)
    assert response.status_code == 200
    assert response.json()["ready"] is True


def test_ready_reports_what_make_dev_wrote_until_it_is_ready(tmp_path: Path) -> None:
    # Given a web server reading the status file `make dev` writes while it seeds
    status = tmp_path / "status.json"
    server = make_web_server("127.0.0.1", 0, "http://127.0.0.1:8123", "http://127.0.0.1:9", "pool", status)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/local/ready"
    try:
        # Before the file exists the stack is starting; then it shows the step and progress
        assert requests.get(url, timeout=5).json()["ready"] is False
        status.write_text('{"ready": false, "step": "demo posts", "done": 40, "total": 120}')
        assert requests.get(url, timeout=5).json() == {
            "ready": False,
            "step": "demo posts",
            "done": 40,
            "total": 120,
        }
        # When make dev says ready, so does the endpoint
        status.write_text('{"ready": true, "step": "ready", "done": 0, "total": 0}')
        assert requests.get(url, timeout=5).json()["ready"] is True
    finally:
        server.shutdown()
        server.server_close()


def test_make_devs_web_server_sends_the_same_policy_with_local_urls(web: str) -> None:
    for path in ("/", "/config.js", "/js/main.js"):
        policy = requests.get(f"{web}{path}", timeout=5).headers["Content-Security-Policy"]
        assert policy == site_csp(
            api="http://127.0.0.1:8123",
            cognito="http://127.0.0.1:9",
            uploads=["http://127.0.0.1:9"],
            images=["http://127.0.0.1:9"],
        )
