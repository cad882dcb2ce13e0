"""DynamoDB requests and request units per API operation (tests/integration/test_operation_costs.py).

.venv/bin/python -m bench.bench_api
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bench.bench_feeds import ROOT
from bench.report import Row

SECTION = "API operations"
OUT = ROOT / "build" / "bench-api.json"
# Targets (issue 10): every read page <= 2 requests; smile and unsmile <= 2; publish <= 3.
WRITE_TARGETS = {"PUT /posts/{id}/smile": 2, "DELETE /posts/{id}/smile": 2, "POST /posts (photo, 1 tag)": 3}


def rows() -> list[Row]:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.unlink(missing_ok=True)
    test = "tests/integration/test_operation_costs.py::test_every_read_page_costs_at_most_two_requests"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", test, "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env={**os.environ, "FLINT_BENCH_OUT": str(OUT)},
        capture_output=True,
        text=True,
    )
    if not OUT.exists():
        raise RuntimeError(f"operation costs were not measured:\n{result.stdout[-3000:]}")
    measured = json.loads(OUT.read_text())
    table = []
    for name, cost in measured.items():
        requests = cost["requests"]
        if cost["kind"] == "read":
            target, counted, shown = 2, requests, f"{requests} requests"
        else:
            # Every write route first spends one conditional UpdateItem of its abuse limit
            # (issue 13); the target is on the write's own requests.
            target, counted = WRITE_TARGETS.get(name), requests - 1
            shown = f"{requests} requests ({counted} + 1 abuse-limit update)"
        table.append(
            Row(
                SECTION,
                name,
                f"{shown}, {cost['read_units']:g} read / {cost['write_units']:g} write units",
                f"<= {target} requests" if target else "",
                counted <= target if target else None,
                ", ".join(f"{op} {n}" for op, n in sorted(cost["by_operation"].items())),
            )
        )
    return table


if __name__ == "__main__":
    from bench.report import markdown

    print(markdown(rows()))
