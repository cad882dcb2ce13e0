"""infra/cfnlint.py: a template cfn-lint passed is not linted again until it, or the options, change.

cfn-lint itself stands in as a script that logs each run and fails templates containing "bad"
(the real one runs in tests/integration/test_packaging.py and `make package-check`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from infra import cfnlint

FAKE_CFN_LINT = """#!/bin/sh
echo "$@" >> "{log}"
for arg in "$@"; do
  if grep -q bad "$arg" 2>/dev/null; then echo "E0000 bad in $arg"; exit 2; fi
done
"""


@pytest.fixture
def runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    log = tmp_path / "runs.log"
    log.touch()
    fake = tmp_path / "cfn-lint"
    fake.write_text(FAKE_CFN_LINT.format(log=log))
    fake.chmod(0o755)
    monkeypatch.setattr(cfnlint, "CFN_LINT", fake)
    return log


def _runs(log: Path) -> list[str]:
    return log.read_text().splitlines()


def test_a_passed_template_is_not_linted_again_until_it_changes(tmp_path: Path, runs: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text('{"Resources": {}}')
    b.write_text('{"Resources": {"X": {}}}')

    assert cfnlint.lint([a, b]) == (0, "")
    assert cfnlint.lint([a, b]) == (0, "")
    assert _runs(runs) == [f"-- {a} {b}"]  # both in one run, then neither

    b.write_text('{"Resources": {"Y": {}}}')
    assert cfnlint.lint([a, b]) == (0, "")
    assert _runs(runs)[1:] == [f"-- {b}"]  # only the changed one


def test_a_failure_is_reported_and_not_recorded(tmp_path: Path, runs: Path) -> None:
    template = tmp_path / "t.json"
    template.write_text('{"bad": true}')

    for _ in range(2):
        status, output = cfnlint.lint([template])
        assert (status, output) == (2, f"E0000 bad in {template}\n")
    assert len(_runs(runs)) == 2
    assert not template.with_name("t.json.cfn-lint").exists()


def test_other_options_lint_again(tmp_path: Path, runs: Path) -> None:
    template = tmp_path / "t.json"
    template.write_text("{}")

    assert cfnlint.lint([template]) == (0, "")
    assert cfnlint.lint([template], ignore_checks=["W2001"]) == (0, "")
    assert cfnlint.lint([template], ignore_checks=["W2001"]) == (0, "")
    assert _runs(runs) == [f"-- {template}", f"--ignore-checks W2001 -- {template}"]
