"""Fuzzing: schemathesis against /openapi.json of the running local stack: anonymous and as a
Prime member over every route, with stateful links (create post -> read -> smile -> comment ->
delete); as a brand owner over the brand routes, with the path ids of its own brand and campaign
(so cases reach the owner's code, not only the 403/404 of foreign ids); and as a member who has
just signed up, with a hostile `name` claim, over the profile routes (the first profile is built
from the token by whichever case comes first); and as a moderator over the moderation routes.

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
# run is then a fixed set of ~1,300 cases each way (52 operations); at least these many, whatever the load.
MAX_EXAMPLES = 3
# Runs of valid input only (the brand and moderation routes) are cheap: more examples each.
VALID_ONLY_EXAMPLES = 20
SEED = 1913
MIN_CASES = {"anonymous": 700, "prime": 300, "brand": 300, "newcomer": 30, "moderator": 50}
# A name built to mislead (U+202E shows "PriyaPrime"): the first profile must not take it.
HOSTILE_NAME = "Priya\u202eemirP"


def _schemathesis(
    stack: LocalStack,
    report: Path,
    headers: dict[str, str],
    only_paths: str | None = None,
    path_values: dict[str, str] | None = None,
    phases: str = "examples,coverage,fuzzing,stateful",
    mode: str = "all",
    max_examples: int = MAX_EXAMPLES,
) -> dict[str, Any]:
    config = report.with_suffix(".toml")
    config.write_text(
        "[parameters]\n"
        + "".join(f'"path.{name}" = "{value}"\n' for name, value in (path_values or {}).items())
    )
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(config),
        "run",
        f"{stack.api}/openapi.json",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        phases,
        "--mode",
        mode,
        "--max-examples",
        str(max_examples),
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
    if only_paths:
        command += ["--include-path-regex", only_paths]
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


@pytest.mark.timeout(900)
def test_the_brand_routes_survive_fuzzing_with_their_owners_token(
    local_stack: LocalStack, sign_up: Callable[..., Client], tmp_path: Path
) -> None:
    # Given a brand account that owns a brand with a product and a campaign
    owner = sign_up("brand", name="Fuzz Brand")
    brand = owner.request("POST", "/brands", json={"name": f"Fuzz Brand {owner.user_id[:8]}"})
    assert brand.status_code == 201, brand.text
    brand_id = brand.json()["id"]
    product = owner.request(
        "POST",
        f"/brands/{brand_id}/products",
        json={
            "title": "Fuzz Lantern",
            "price": {"amount": "10.00", "currency": "EUR"},
            "url": "https://example.com/p",
        },
    )
    assert product.status_code == 201, product.text
    campaign = owner.request(
        "POST",
        f"/brands/{brand_id}/campaigns",
        json={
            "name": "Fuzz launch",
            "product_ids": [product.json()["id"]],
            "starts_at": "2026-01-01",
            "ends_at": "2026-01-31",
        },
    )
    assert campaign.status_code == 201, campaign.text
    # When every brand route is fuzzed with the owner's token and those ids
    result = _schemathesis(
        local_stack,
        tmp_path / "brand.json",
        owner.headers,
        only_paths="^/brands",
        path_values={"brand_id": brand_id, "campaign_id": campaign.json()["id"]},
        # Valid input only, without the coverage phase: generating invalid bodies for these schemas
        # crashes schemathesis 4.32.5 itself (CPython 3.11's "SystemError: AST constructor recursion
        # depth mismatch" while hypothesis describes a filter), in the coverage phase in one run and
        # the fuzzing phase in another. Invalid brand input is covered by the anonymous and Prime
        # runs (same schemas) and tests/integration/test_brand_input_rules.py.
        phases="examples,fuzzing,stateful",
        mode="positive",
        max_examples=VALID_ONLY_EXAMPLES,
    )
    # Then no case failed a check (asserted in _schemathesis): no 5xx, every answer in the document
    print(_summary("brand", result))
    assert result["test_cases"]["generated"] >= MIN_CASES["brand"]


@pytest.mark.timeout(900)
def test_a_new_members_first_calls_survive_fuzzing_and_refuse_a_hostile_name(
    local_stack: LocalStack, sign_up: Callable[..., Client], tmp_path: Path
) -> None:
    # Given a member who has just signed up with a name built to mislead, and no profile yet
    newcomer = sign_up(name=HOSTILE_NAME)
    # When the profile routes are fuzzed as their very first calls
    # (no stateful phase: the profile routes link to nothing within themselves)
    result = _schemathesis(
        local_stack,
        tmp_path / "newcomer.json",
        newcomer.headers,
        only_paths="^/me(/|$)",
        phases="examples,coverage,fuzzing",
    )
    print(_summary("newcomer", result))
    assert result["test_cases"]["generated"] >= MIN_CASES["newcomer"]
    # Then the profile exists and never took the hostile name
    me = newcomer.request("GET", "/me")
    assert me.status_code == 200, me.text
    assert "\u202e" not in me.json()["display_name"]


@pytest.mark.timeout(900)
def test_the_moderation_routes_survive_fuzzing_as_a_moderator(
    local_stack: LocalStack, sign_up: Callable[..., Client], tmp_path: Path
) -> None:
    # Given a member of the moderator group (every other role gets 403 there, fuzzed above)
    moderator = sign_up("moderator", name="Fuzz Moderator")
    # When the moderation routes are fuzzed with their token: no stateful phase (no links among
    # them), and valid input only, as for the brand routes (schemathesis 4.32.5 crashes generating
    # invalid input for a subset of operations); invalid input reaches them in the runs above
    result = _schemathesis(
        local_stack,
        tmp_path / "moderator.json",
        moderator.headers,
        only_paths="^/moderation",
        phases="examples,fuzzing",
        mode="positive",
        max_examples=VALID_ONLY_EXAMPLES,
    )
    # Then no case failed a check: no 5xx, every answer in the document
    print(_summary("moderator", result))
    assert result["test_cases"]["generated"] >= MIN_CASES["moderator"]
