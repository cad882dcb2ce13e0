"""`make test`'s test phase: the tiers, one local stack per tier that needs one, and their times.

    python -m tests.tiers [--started <epoch seconds when `make test` started>] [--only <tiers>]

1. unit + integration on three workers (one embedded AWS each, provisioned once) starts at once
   (three on two cores: tier 1 is the tail, and a third worker takes its share of the CPU while
   the stack tiers run);
2. meanwhile one local stack per stack tier (`make dev` on free ports, schedules driven through its
   control API) starts in the background, and each stack tier (the browser journeys, the e2e tier,
   the fuzzing) starts the moment its own stack is ready, beside tier 1 and each other. Each tier
   is a chain of requests that mostly waits (a browser, a schemathesis worker), while tier 1 is
   CPU-bound: side by side they keep both cores busy, where one after the other left the cores
   idle for the stack tiers' whole length. Each tier has its own stack because they touch the
   same demo data (the browser journeys read its trending feed and the brand dashboard, which
   fuzzing fills with posts of every shape, and the e2e tier checks exact counts and the
   invariants of the whole table). A line marks each tier's start and end; its output is printed
   whole when it ends;
3. the stacks stopped; each tier's time, the test phase's, and `make test`'s as a whole (install,
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
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
from tests.support.local_stack import LocalStack, running_local_stack  # noqa: E402

PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]


@dataclass
class Tier:
    name: str
    args: list[str]
    needs_stack: bool = False
    seconds: float = 0.0
    status: int | None = None
    waited: float = 0.0  # for its local stack to start


TIERS = [
    # --durations: the slowest tests in every CI log, where the time budget is read
    Tier("unit + integration", ["tests/unit", "tests/integration", "-n", "3", "--durations=25"]),
    # -s: the browser and e2e tiers print what they measure (the feed's paint, the fuzz case counts)
    Tier("browser", ["tests/browser", "-s", "--durations=10"], needs_stack=True),
    Tier("e2e", ["tests/e2e", "-s", "--durations=10", "-m", "not fuzz"], needs_stack=True),
    # Fuzzing on a stack of its own: its thousands of writes never race the e2e tier's exact counts
    Tier("fuzz", ["tests/e2e", "-s", "-m", "fuzz"], needs_stack=True),
]


def run_tier(tier: Tier, env: dict[str, str], captured: bool = False, since: float | None = None) -> None:
    """Run the tier's pytest; `captured`: print its output whole when it ends (tiers side by side)."""
    heading = f"\n=== {tier.name}: pytest {' '.join(tier.args)}"
    started = time.monotonic()
    if not captured:
        print(heading, flush=True)
        tier.status = subprocess.run([*PYTEST, *tier.args], cwd=PROJECT_DIR, env=env, check=False).returncode
    else:
        print(f"=== {tier.name}: started{_at(since)}", flush=True)
        with tempfile.TemporaryFile("w+") as output:
            run = subprocess.run(
                [*PYTEST, *tier.args], cwd=PROJECT_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
            )
            tier.status = run.returncode
            output.seek(0)
            print(f"{heading}\n{output.read()}=== {tier.name}: ended{_at(since)}", flush=True)
    tier.seconds = time.monotonic() - started


def run_on_stack(
    tier: Tier, starting: Future[LocalStack], env: dict[str, str], captured: bool, since: float
) -> None:
    """Run the tier once its local stack is ready; a stack that did not start fails its tier."""
    waiting_since = time.monotonic()
    try:
        stack = starting.result()
    except RuntimeError as exc:
        print(f"\n=== the {tier.name} tier's local stack did not start: {exc}", flush=True)
        tier.status = 1
        return
    finally:
        tier.waited = time.monotonic() - waiting_since
    run_tier(tier, {**env, **stack.export()}, captured, since)


def _at(since: float | None) -> str:
    return "" if since is None else f" at {time.monotonic() - since:.0f} s"


@contextlib.contextmanager
def stacks_starting(count: int) -> Iterator[list[Future[LocalStack]]]:
    """`count` local stacks, each starting on its own thread from now on; every one that started
    is stopped on the way out."""
    contexts = [running_local_stack() for _ in range(count)]
    # The starter exits first (waiting for every start to end), then the stacks are stopped.
    with contextlib.ExitStack() as cleanup, ThreadPoolExecutor(max_workers=max(count, 1)) as starter:
        starting = []
        for context in contexts:
            future = starter.submit(context.__enter__)
            cleanup.push(_stopper(future, context))
            starting.append(future)
        yield starting


def _stopper(
    started: Future[LocalStack], context: contextlib.AbstractContextManager[LocalStack]
) -> Callable[..., bool]:
    def stop(*exc_info: Any) -> bool:
        if started.exception() is None:  # entered on the starter thread, left here
            context.__exit__(*exc_info)
        return False

    return stop


def report(tiers: Sequence[Tier], phase_seconds: float, since: float | None) -> str:
    lines = ["", "=== test times (the tiers run side by side)"]
    for tier in tiers:
        verdict = "passed" if tier.status == 0 else f"FAILED ({tier.status})"
        waited = f"   after {tier.waited:.0f} s for its stack" if tier.needs_stack else ""
        lines.append(f"  {tier.name:<22} {tier.seconds:7.1f} s   {verdict}{waited}")
    lines.append(f"  {'test phase':<22} {phase_seconds:7.1f} s")
    if since is not None:
        lines.append(
            f"  {'make test':<22} {time.time() - since:7.1f} s   (install, lint and packaging included)"
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

    phase_started = time.monotonic()
    env = dict(os.environ)
    stack_tiers = [t for t in tiers if t.needs_stack]
    side_by_side = len(tiers) > 1
    with stacks_starting(len(stack_tiers)) as starting, ThreadPoolExecutor(max_workers=len(tiers)) as runner:
        runs = [
            runner.submit(run_tier, tier, env, side_by_side, phase_started)
            for tier in tiers
            if not tier.needs_stack
        ]
        runs += [
            runner.submit(run_on_stack, tier, future, env, side_by_side, phase_started)
            for tier, future in zip(stack_tiers, starting, strict=True)
        ]
        for run in runs:
            run.result()
    print(report(tiers, time.monotonic() - phase_started, args.started), flush=True)
    return 0 if all(tier.status == 0 for tier in tiers) else 1


if __name__ == "__main__":
    sys.exit(main())
