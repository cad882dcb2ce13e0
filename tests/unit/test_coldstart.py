"""Cold start (issue 19): `import app` registers every route and loads nothing a request path needs.

Every Lambda function (API, authorizer, workers, schedules) imports app.py; each loads the
libraries and modules of its own path on first use (chalicelib/lazy.py, models named in
`endpoint()`, Powertools on first use). Checked by what a fresh process has in sys.modules, not
by timing it; bench/bench_coldstart.py measures the time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from pydantic import BaseModel

from chalicelib.api import routing
from chalicelib.lazy import lazy_module
from tests.conftest import PROJECT_DIR

# Loaded by the first request, token, message or schedule that needs them; never by `import app`.
NOT_AT_IMPORT = (
    "pydantic",
    "pydantic_core",
    "pydantic_settings",
    "pynamodb",
    "botocore",
    "boto3",
    "jwt",
    "cryptography",
    "aws_lambda_powertools",
    "aws_xray_sdk",
    "chalicelib.schemas",
    "chalicelib.services",
    "chalicelib.data",
    "chalicelib.handlers",
    "chalicelib.auth",
    "chalicelib.aws",
    "chalicelib.api.openapi",
)

_IMPORT_APP = """
import json, sys
import app
loaded = sorted(sys.modules)
from chalicelib.api.openapi import openapi_document
print(json.dumps({"loaded": loaded, "routes": len(app.app.routes), "openapi": openapi_document()}))
"""


@pytest.fixture(scope="module")
def fresh_import() -> dict[str, Any]:
    """A fresh interpreter's `import app` (what it loaded), then the OpenAPI document it builds."""
    config = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text())
    env = {**os.environ, **{k: str(v) for k, v in config.get("environment_variables", {}).items()}}
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_APP], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_importing_the_app_loads_no_heavy_library_nor_any_request_path_module(
    fresh_import: dict[str, Any],
) -> None:
    loaded = [
        name
        for name in fresh_import["loaded"]
        if any(name == heavy or name.startswith(heavy + ".") for heavy in NOT_AT_IMPORT)
    ]
    assert loaded == []
    assert fresh_import["routes"] >= 50  # and yet every route is registered


def test_the_openapi_document_is_the_same_whether_models_load_late_or_early(
    fresh_import: dict[str, Any],
) -> None:
    # This process imported the models before the app (test modules import schemas): the
    # document built from names resolved on first use is the same, byte for byte.
    import app  # noqa: F401
    from chalicelib.api.openapi import openapi_document

    assert json.dumps(fresh_import["openapi"]) == json.dumps(openapi_document())


def test_every_route_names_models_that_exist() -> None:
    import app  # noqa: F401

    for spec in routing.ROUTES:
        for model in (spec.body, spec.query, spec.response):
            assert model is None or issubclass(model, BaseModel), (spec.method, spec.path)


def test_a_model_is_named_by_its_module_under_schemas() -> None:
    from chalicelib.schemas.posts import PostIn

    assert routing.schema("posts.PostIn") is PostIn
    assert routing.schema(PostIn) is PostIn
    assert routing.schema(None) is None


def test_a_lazy_module_is_the_module_in_sys_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib import clock

    stand_in = lazy_module("chalicelib.clock")
    assert stand_in.now_iso is clock.now_iso
    monkeypatch.setattr(clock, "now_iso", lambda: "patched")  # a test patching the real module
    assert stand_in.now_iso() == "patched"
    monkeypatch.setattr(stand_in, "now_iso", lambda: "through the stand-in")
    assert clock.now_iso() == "through the stand-in"
