"""The engagement pipeline: DynamoDB write units per 1,000 accepted events, before issue 20 and today.

    .venv/bin/python -m bench.bench_engagement

The pipeline before issue 20 (git commit LEGACY_COMMIT, the branch point) is exported to
build/bench-engagement-legacy and probed beside this checkout, in one run, by the same probe
(bench/engagement_probe.py) billed by the same rules (bench/capacity.py): 60 tagged posts, 50
client batches of 20 events (18 impressions of distinct posts, 2 taps) from 50 signed-in viewers,
the edge as its route runs it and the worker as SQS and Lambda deliver the queue. Three cases:
- a queue with a backlog (delivered once the 50 batches are in), each post tagging 2 products;
- the same with 20 products a post: the writes a request causes must not grow with its tags;
- a queue delivered after every batch (no backlog: the least the worker can sum).

This module is kept apart from the overall cost model (bench_feeds.py, t19): it reports the
engagement pipeline's own figures; `rows()` can be added to bench/__main__.py's MODULES.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.bench_feeds import export
from bench.report import Row

ROOT = Path(__file__).resolve().parent.parent
LEGACY_COMMIT = "731b484e3d583e89172daeba4df37228fada8fff"  # main when issue 20's work began
SECTION = "Engagement"
TARGET_RATIO = 10.0
CASES = {
    "backlog, 2 tags a post": ("--tags", "2"),
    "backlog, 20 tags a post": ("--tags", "20"),
    "delivered after every batch, 2 tags": ("--tags", "2", "--drain-every", "1"),
}


def probe(tree: Path, *args: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "engagement_probe.py"), "--tree", str(tree), *args],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"probe {tree.name} {args} failed:\n{result.stderr[-3000:]}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def measure() -> dict[str, dict[str, dict[str, Any]]]:
    legacy = export(LEGACY_COMMIT)
    return {
        name: {"before": probe(legacy, *args), "today": probe(ROOT, *args)} for name, args in CASES.items()
    }


def _note(before: dict[str, Any], today: dict[str, Any]) -> str:
    per_request = f"{before['write_units_per_request']:.0f} / {today['write_units_per_request']:.1f}"
    reads = f"{before['read_units']:,.0f} / {today['read_units']:,.0f}"
    calls = f"{before['requests_per_thousand']:,.0f} / {today['requests_per_thousand']:,.0f}"
    return f"write units per request {per_request}; read units {reads}; requests {calls}"


def rows(measured: dict[str, dict[str, dict[str, Any]]] | None = None) -> list[Row]:
    measured = measured or measure()
    out = []
    for name, pair in measured.items():
        before, today = pair["before"], pair["today"]
        ratio = before["write_units"] / max(1e-9, today["write_units"])
        out.append(
            Row(
                SECTION,
                f"write units per 1,000 accepted events ({name}), before / today",
                f"{before['write_units']:,.0f} / {today['write_units']:,.0f} = {ratio:.1f}x",
                f">= {TARGET_RATIO:.0f}x" if name.startswith("backlog, 2") else "",
                ratio >= TARGET_RATIO if name.startswith("backlog, 2") else None,
                _note(before, today),
            )
        )
    return out


if __name__ == "__main__":
    from bench.report import markdown

    results = measure()
    (ROOT / "build").mkdir(exist_ok=True)
    (ROOT / "build" / "bench-engagement.json").write_text(json.dumps(results, indent=2))
    print(markdown(rows(results)))
