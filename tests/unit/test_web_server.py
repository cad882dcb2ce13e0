"""The web client's local server: static files, the generated config.js, the SPA fallback, helpers."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import requests

from flint_template.csp import site_csp
from local.web_server import make_web_server


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


def test_make_devs_web_server_sends_the_same_policy_with_local_urls(web: str) -> None:
    for path in ("/", "/config.js", "/js/main.js"):
        policy = requests.get(f"{web}{path}", timeout=5).headers["Content-Security-Policy"]
        assert policy == site_csp(
            api="http://127.0.0.1:8123",
            cognito="http://127.0.0.1:9",
            uploads=["http://127.0.0.1:9"],
            images=["http://127.0.0.1:9"],
        )
