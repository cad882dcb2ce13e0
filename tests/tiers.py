"""`make test`'s test phase: each tier in turn, one local stack for the two tiers that need it, times.

    python -m tests.tiers [--started <epoch seconds when `make test` started>]

1. unit + integration, two workers (one embedded AWS each, provisioned once);
2. meanwhile, the local stack (`make dev` on free ports, schedules driven through its control API)
   starts once in the background: its start (mostly waiting on its own processes) overlaps the
   first tier instead of adding to the run;
3. browser journeys, then e2e, against that stack (browser first: they read the demo data's trending
   feed, which the e2e tier's fuzzing fills with posts of every shape);
4. the stack stopped; each tier's time, the test phase's, and `make test`'s as a whole (install,
   lint and packaging included) when `--started` says when it began.

Every tier runs even when an earlier one failed; the exit status is non-zero if any did.
Laptop and CI only: nothing here ships.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]


@dataclass
class Tier:
    name: str
    args: list[str]
    seconds: float = 0.0
    status: int | None = None


TIERS = [
    Tier("unit + integration", ["tests/unit", "tests/integration", "-n", "2"]),
    # -s: the browser and e2e tiers print what they measure (the feed's paint, the fuzz case counts)
    Tier("browser", ["tests/browser", "-s"]),
    Tier("e2e", ["tests/e2e", "-s"]),
]
STACK_TIERS = {"browser", "e2e"}


def run_tier(tier: Tier, env: dict[str, str]) -> None:
    print(f"\n=== {tier.name}: pytest {' '.join(tier.args)}", flush=True)
    started = time.monotonic()
    tier.status = subprocess.run([*PYTEST, *tier.args], cwd=PROJECT_DIR, env=env, check=False).returncode
    tier.seconds = time.monotonic() - started


def report(tiers: Sequence[Tier], stack_seconds: float, phase_seconds: float, since: float | None) -> str:
    lines = ["", "=== test times"]
    for tier in tiers:
        verdict = "passed" if tier.status == 0 else f"FAILED ({tier.status})"
        lines.append(f"  {tier.name:<20} {tier.seconds:7.1f} s   {verdict}")
    lines.append(f"  {'waiting for the stack':<20} {stack_seconds:7.1f} s")
    lines.append(f"  {'test phase':<20} {phase_seconds:7.1f} s")
    if since is not None:
        lines.append(
            f"  {'make test':<20} {time.time() - since:7.1f} s   (install, lint and packaging included)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--started", type=float, help="epoch seconds when `make test` started")
    parser.add_argument(
        "--only", help="comma-separated tiers to run (default: all): " + ", ".join(t.name for t in TIERS)
    )
    args = parser.parse_args(argv)
    tiers = [t for t in TIERS if not args.only or t.name in {n.strip() for n in args.only.split(",")}]
    if not tiers:
        parser.error(f"--only: no such tier among {[t.name for t in TIERS]}")
    sys.path.insert(0, str(PROJECT_DIR))
    from tests.support.local_stack import running_local_stack

    phase_started = time.monotonic()
    env = dict(os.environ)
    stack_tiers = [t for t in tiers if t.name in STACK_TIERS]
    with contextlib.ExitStack() as cleanup, ThreadPoolExecutor(max_workers=1) as starter:
        stack_context = running_local_stack()
        # Entered on the starter thread, left here: a stack that started is always stopped.
        starting = starter.submit(stack_context.__enter__) if stack_tiers else None
        if starting is not None:
            cleanup.push(lambda *exc: starting.exception() is None and stack_context.__exit__(*exc))
        for tier in tiers:
            if tier.name not in STACK_TIERS:
                run_tier(tier, env)
        stack_seconds = 0.0
        if starting is not None:
            waited = time.monotonic()
            try:
                stack = starting.result()
            except RuntimeError as exc:  # the stack did not start: its tiers fail
                print(f"\n=== the local stack did not start: {exc}", flush=True)
                for tier in stack_tiers:
                    tier.status = 1
            else:
                stack_seconds = time.monotonic() - waited
                print(f"\n=== local stack ready (waited {stack_seconds:.1f} s): {stack.api}", flush=True)
                for tier in stack_tiers:
                    run_tier(tier, {**env, **stack.export()})
    print(report(tiers, stack_seconds, time.monotonic() - phase_started, args.started), flush=True)
    return 0 if all(tier.status == 0 for tier in tiers) else 1


if __name__ == "__main__":
    sys.exit(main())
