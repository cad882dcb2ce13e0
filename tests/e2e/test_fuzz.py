"""Fuzzing: schemathesis against /openapi.json of the running local stack, anonymous and as a
Prime member, with stateful links (create post -> read -> smile -> comment -> delete).

Checks: not_a_server_error, status_code_conformance, content_type_conformance,
response_schema_conformance and negative_data_rejection. Zero failures: every status a route
answers is in the document, every answer matches its schema, and every request the document
forbids is refused. Bounded by count, not time: a fixed seed, deterministic generation and a
per-operation example budget make every run the same fixed set of cases, whatever the machine's
load; the case counts are printed for the README's table.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Client, LocalStack

pytestmark = [pytest.mark.e2e, pytest.mark.fuzz]

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
)
# Cases per operation and phase (no time budget: fuzzing and stateful testing run once each). The
# run is then a fixed set of ~1,200 cases each way; at least these many, whatever the load.
MAX_EXAMPLES = 6
SEED = 1913
MIN_CASES = {"anonymous": 700, "prime": 300}


def _schemathesis(stack: LocalStack, report: Path, headers: dict[str, str]) -> dict[str, Any]:
    command = [
        str(Path(sys.executable).with_name("st")),
        "run",
        f"{stack.api}/openapi.json",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--generation-deterministic",
        "--workers",
        "2",
        "--no-shrink",
        # DELETE /me would erase the fuzzing member halfway through the run (every later call
        # then a 401): tests/integration/test_erasure.py covers it.
        "--exclude-operation-id",
        "delete_me",
        "--suppress-health-check",
        "all",
        "--request-timeout",
        "30",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    run = subprocess.run(command, cwd=report.parent, capture_output=True, text=True, timeout=1500)
    assert report.exists(), run.stdout[-4000:] + run.stderr[-4000:]
    result: dict[str, Any] = json.loads(report.read_text())
    assert run.returncode == 0 and not result["failures"] and not result["errors"], (
        run.stdout[-8000:] + json.dumps(result["failures"])[:4000] + json.dumps(result["errors"])[:2000]
    )
    return result


def _summary(name: str, result: dict[str, Any]) -> str:
    cases = result["test_cases"]
    return (
        f"fuzz {name}: {cases['generated']} cases, {cases['with_failures']} with failures, "
        f"{result['operations']['tested']} operations, {result['running_time']:.0f} s"
    )


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("caller", ["anonymous", "prime"])
def test_the_api_survives_fuzzing_and_matches_its_document(
    local_stack: LocalStack, sign_up: Callable[..., Client], tmp_path: Path, caller: str
) -> None:
    headers = sign_up("prime", name="Fuzz Prime").headers if caller == "prime" else {}
    result = _schemathesis(local_stack, tmp_path / f"{caller}.json", headers)
    print(_summary(caller, result))
    assert result["test_cases"]["generated"] >= MIN_CASES[caller]
