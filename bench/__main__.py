"""`make bench`: every benchmark in one run, one table of ratios (never absolute times).

Each module in MODULES exposes `rows() -> list[Row]` (bench/report.py); the table is printed and
written to bench/results.md, which the README shows.

    .venv/bin/python -m bench [--reuse]

`--reuse`: the feed probes an earlier run saved in build/ are reused (the slowest part); heavier
feed runs: `python -m bench.bench_feeds --members 10000 --planner-windows 10000 1000000`.
"""

from __future__ import annotations

import platform
import sys
import time
from types import ModuleType

from bench import bench_api, bench_coldstart, bench_discovery, bench_feeds, bench_imaging, insights_latency
from bench.report import Row, markdown, write_results

MODULES: list[ModuleType] = [
    bench_imaging,
    bench_feeds,
    bench_api,
    insights_latency,
    bench_coldstart,
    bench_discovery,
]


def main() -> None:
    reuse = "--reuse" in sys.argv[1:]
    rows: list[Row] = []
    for module in MODULES:
        started = time.monotonic()
        print(f"running {module.__name__}...", file=sys.stderr, flush=True)
        rows.extend(module.rows(reuse=True) if reuse and module is bench_feeds else module.rows())
        print(f"{module.__name__} took {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    header = (
        "# `make bench` results\n\n"
        f"Measured side by side in one run on {platform.machine()}, Python {platform.python_version()}"
        f" ({sys.platform}); ratios only. Regenerate with `make bench`."
    )
    print(markdown(rows))
    write_results(rows, header)


if __name__ == "__main__":
    main()
