"""Feed cost simulator: today's design against the design before it, measured in one run.

    .venv/bin/python -m bench.bench_feeds [--sizes 1000 10000] [--sample 8]

1. The design before refresh-where-read (git commit LEGACY_COMMIT) is exported to
   build/bench-legacy; each design runs bench/feed_cost_probe.py in a fresh process on its own
   embedded AWS, on the same synthetic community (1,000 and 10,000 members), and is billed by
   bench/capacity.py: read and write request units per planner run and per refresh (steady
   state: new posts since the last refresh; and nothing new).
2. A synthetic activity trace (below) says how many refreshes each design runs per weekly-active
   member per day: the legacy planner refreshes everyone seen in 7 days every 5 minutes; today's
   refreshes the active tier (seen in the last hour) every 5 minutes, plus one refresh when a
   member comes back.
3. Cost per weekly-active member per day = refreshes x cost per refresh + the planner's shared
   runs divided among members; projected to 1 million weekly-active members a month at
   on-demand prices. Today's refreshes are all billed as "changed" (a new generation written),
   the worst case: the digest skip only lowers it.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.report import Row

ROOT = Path(__file__).resolve().parents[1]
LEGACY_COMMIT = "c1de21b7a49528e906a3e0dab045b8850ee16057"  # main before issue 10's feed work
LEGACY_TREE = ROOT / "build" / "bench-legacy"
SECTION = "Feeds"

TICK_MINUTES = 5
ACTIVE_TIER_MINUTES = 60
LEGACY_ACTIVE_DAYS = 7
TRACE_MEMBERS = 20_000
TRACE_DAYS = 7
MEMBERS_PROJECTED = 1_000_000


@dataclass(frozen=True)
class Trace:
    weekly_active: int
    active_today: float  # fraction of weekly-active members with a visit on the measured day
    visits_per_day: float  # per weekly-active member, on the measured day
    new_refreshes: float  # per weekly-active member per day, today's design
    legacy_refreshes: float  # per weekly-active member per day, legacy design


def simulate_trace(seed: int = 7) -> Trace:
    """Visits as a power law: daily rate 0.15 x Pareto(1.5) (median ~0.24/day: most weekly members
    are not active on a given day; a few visit many times a day), sessions log-normal with a median
    of 4 minutes, requests every 30 s while in a session (activity marks at most every 5 minutes).
    Refreshes are counted on the last day of a 7-day trace."""
    rng = random.Random(seed)
    day_minutes = 24 * 60
    measured_start = (TRACE_DAYS - 1) * day_minutes
    weekly_active = active_today = visits_today = new_refreshes = 0
    ticks = range(measured_start, TRACE_DAYS * day_minutes, TICK_MINUTES)
    for _ in range(TRACE_MEMBERS):
        rate = min(24.0, 0.15 * rng.paretovariate(1.5))
        sessions: list[tuple[float, float]] = []
        clock = rng.expovariate(rate) * day_minutes
        while clock < TRACE_DAYS * day_minutes:
            length = min(60.0, rng.lognormvariate(math.log(4), 0.8))
            sessions.append((clock, clock + length))
            clock += length + rng.expovariate(rate) * day_minutes
        if not sessions:
            continue
        weekly_active += 1
        today = [s for s in sessions if s[0] >= measured_start]
        if today:
            active_today += 1
            visits_today += len(today)
        # Activity marks: at the start of each session and every 5 minutes within it.
        marks = [t for start, end in sessions for t in _frange(start, end, 5.0)]
        last_refresh = -1e9
        mark_index = 0
        session_starts = sorted(s for s, _ in today)
        events = sorted([(t, "tick") for t in ticks] + [(t, "visit") for t in session_starts])
        for at, kind in events:
            while mark_index < len(marks) and marks[mark_index] <= at:
                mark_index += 1
            last_seen = marks[mark_index - 1] if mark_index else -1e9
            if kind == "tick" and at - last_seen < ACTIVE_TIER_MINUTES:
                new_refreshes += 1
                last_refresh = at
            elif kind == "visit" and at - last_refresh >= ACTIVE_TIER_MINUTES:
                new_refreshes += 1  # a returning member: the read queues their refresh
                last_refresh = at
    return Trace(
        weekly_active=weekly_active,
        active_today=active_today / weekly_active,
        visits_per_day=visits_today / weekly_active,
        new_refreshes=new_refreshes / weekly_active,
        # Every member seen in the last 7 days is refreshed at every tick: all weekly-active ones.
        legacy_refreshes=day_minutes / TICK_MINUTES,
    )


def _frange(start: float, end: float, step: float) -> list[float]:
    count = max(1, int((end - start) // step) + 1)
    return [start + i * step for i in range(count)]


def _export_legacy() -> Path:
    marker = LEGACY_TREE / ".commit"
    if marker.exists() and marker.read_text().strip() == LEGACY_COMMIT:
        return LEGACY_TREE
    LEGACY_TREE.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", LEGACY_COMMIT], cwd=ROOT, check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(LEGACY_TREE)], input=archive.stdout, check=True)
    marker.write_text(LEGACY_COMMIT)
    return LEGACY_TREE


def _probe(tree: Path, *args: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "feed_cost_probe.py"), "--tree", str(tree), *args],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"probe {tree.name} {args} failed:\n{result.stderr[-3000:]}")
    measured = dict(json.loads(result.stdout.strip().splitlines()[-1]))
    # Kept as each probe ends: a long run that fails later still leaves what it measured.
    name = "legacy" if tree == LEGACY_TREE else "today"
    (ROOT / "build" / f"bench-feeds-{name}{'-'.join(('', *args)).replace('--', '')}.json").write_text(
        json.dumps(measured)
    )
    return measured


def _per_member_day(probe: dict[str, Any], refreshes: float, planner_runs: float) -> dict[str, float]:
    """Units and dollars per weekly-active member per day (planner runs shared by the probe's members)."""
    refresh = probe["changed"]
    planner = probe["planner"]
    share = planner_runs / probe["members"]
    reads = refreshes * refresh["read_units"] + share * planner["read_units"]
    writes = refreshes * refresh["write_units"] + share * planner["write_units"]
    requests = refreshes * refresh["requests"] + share * planner["requests"]
    cost = refreshes * refresh["cost"] + share * planner["cost"]
    return {"reads": reads, "writes": writes, "requests": requests, "cost": cost}


def measure(sizes: list[int], sample: int) -> dict[str, Any]:
    legacy = _export_legacy()
    jobs = [(name, tree, size) for size in sizes for name, tree in (("legacy", legacy), ("new", ROOT))]
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            (name, size): pool.submit(_probe, tree, "--members", str(size), "--sample", str(sample))
            for name, tree, size in jobs
        }
        assembled = pool.submit(_probe, ROOT, "--assemble")
        probes = {key: future.result() for key, future in futures.items()}
    return {"probes": probes, "assembled": assembled.result(), "trace": simulate_trace()}


def rows_from(measured: dict[str, Any], sizes: list[int]) -> list[Row]:
    probes, trace = measured["probes"], measured["trace"]
    small, large = sizes[0], sizes[-1]
    runs_per_day = 24 * 60 / TICK_MINUTES
    legacy = _per_member_day(probes[("legacy", large)], trace.legacy_refreshes, runs_per_day)
    new = _per_member_day(probes[("new", large)], trace.new_refreshes, runs_per_day)
    ratio = legacy["cost"] / new["cost"]
    new_small, new_large = probes[("new", small)]["changed"], probes[("new", large)]["changed"]
    old_large = probes[("legacy", large)]["changed"]
    flat = new_large["read_units"] / new_small["read_units"] if large != small else None
    unchanged = probes[("new", large)]["unchanged"]
    assembled = measured.get("assembled")
    month = 30 * MEMBERS_PROJECTED
    table = [
        Row(
            SECTION,
            "Activity trace (power-law visits, sessions of minutes)",
            f"{trace.weekly_active:,} weekly-active; {trace.active_today:.0%} active on a given day; "
            f"{trace.visits_per_day:.2f} visits/member/day",
            "",
            None,
        ),
        Row(
            SECTION,
            "Refreshes per weekly-active member per day, legacy / today",
            f"{trace.legacy_refreshes:.0f} / {trace.new_refreshes:.1f}",
            "",
            None,
            "today: active tier (seen in the last hour) every 5 min + one on return",
        ),
        Row(
            SECTION,
            f"Per refresh at {large:,} members (requests, read units, write units), legacy / today",
            f"{old_large['requests']:.0f}, {old_large['read_units']:.0f}, {old_large['write_units']:.0f} / "
            f"{new_large['requests']:.0f}, {new_large['read_units']:.1f}, {new_large['write_units']:.1f}",
            "",
            None,
            f"nothing new: {unchanged['requests']:.0f} requests, {unchanged['read_units']:.1f} read, "
            f"{unchanged['write_units']:.0f} write units (head only)",
        ),
        Row(
            SECTION,
            f"Read units per refresh, {small:,} -> {large:,} members (today)",
            f"{new_small['read_units']:.1f} -> {new_large['read_units']:.1f} (x{flat:.2f})"
            if flat is not None
            else f"{new_small['read_units']:.1f} at {small:,}; larger size not measured in this run",
            "flat (<= x1.15)",
            flat <= 1.15 if flat is not None else None,
        ),
        Row(
            SECTION,
            "DynamoDB cost per weekly-active member per day, legacy / today",
            f"x{ratio:.0f} lower (${legacy['cost'] * 1e3:.3f} / ${new['cost'] * 1e3:.4f} per 1,000 members)",
            ">= 50x lower",
            ratio >= 50,
            "today billed as if every refresh wrote a generation",
        ),
        Row(
            SECTION,
            "Projected monthly DynamoDB cost, 1 million weekly-active members",
            f"legacy ${legacy['cost'] * month:,.0f} / today ${new['cost'] * month:,.0f}",
            "",
            None,
            "on-demand: $1.25 per million write units, $0.25 per million read units",
        ),
    ]
    if assembled:
        fewer = assembled["assembled"]["requests"] / max(1, assembled["precomputed"]["requests"])
        table.append(
            Row(
                SECTION,
                "First feed page, precomputed vs assembled at read (5 interests, 50 followees, 5,000 posts)",
                f"{assembled['precomputed']['requests']} vs {assembled['assembled']['requests']} requests "
                f"(x{fewer:.0f} fewer); x{assembled['time_ratio']:.1f} faster",
                ">= 10x fewer requests",
                fewer >= 10,
            )
        )
    return table


def rows(sizes: list[int] | None = None, sample: int = 6) -> list[Row]:
    sizes = sizes or [1000, 10000]
    return rows_from(measure(sizes, sample), sizes)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--sample", type=int, default=6)
    args = parser.parse_args()
    from bench.report import markdown

    print(markdown(rows(args.sizes, args.sample)))


if __name__ == "__main__":
    main()
