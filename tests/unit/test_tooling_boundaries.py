"""Tooling stays apart: infra/ and local/ share flint_template, and neither imports the other; bench/ and
local/ never import the tests."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):  # function-level imports included
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"), [("infra", "local"), ("local", "infra"), ("bench", "tests"), ("local", "tests")]
)
def test_one_tooling_package_never_imports_the_other(package: str, forbidden: str) -> None:
    offenders = [
        str(path.relative_to(PROJECT_DIR))
        for path in sorted((PROJECT_DIR / package).rglob("*.py"))
        if forbidden in _imported_packages(path)
    ]
    assert offenders == []


def test_both_read_templates_with_the_shared_loader() -> None:
    from flint_template import load_template

    template = load_template()
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"  # a string, not a date
    assert "FlintTable" in template["Resources"]
