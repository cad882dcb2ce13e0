"""Every conditional write goes through the spine (`chalicelib/data/connection.py`), where a failed
condition is a result the caller handles, never a PynamoDB exception that becomes a 500 (issue 18:
`data/brands.py` wrote conditionally through PynamoDB directly)."""

from __future__ import annotations

import ast
from pathlib import Path

CHALICELIB = Path(__file__).resolve().parents[2] / "chalicelib"
SPINE = CHALICELIB / "data" / "connection.py"
WRITES = {"save", "update", "delete"}
# Receivers that are the spine itself: its helpers and a transaction it runs.
SPINE_RECEIVERS = {"connection", "tx"}


def conditional_writes_outside_the_spine() -> list[str]:
    found = []
    for path in CHALICELIB.rglob("*.py"):
        if path == SPINE:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            receiver = node.func.value
            if (
                node.func.attr in WRITES
                and any(k.arg == "condition" for k in node.keywords)
                and not (isinstance(receiver, ast.Name) and receiver.id in SPINE_RECEIVERS)
            ):
                found.append(f"{path.relative_to(CHALICELIB)}:{node.lineno}")
    return found


def test_every_conditional_write_goes_through_the_spine() -> None:
    assert conditional_writes_outside_the_spine() == []
