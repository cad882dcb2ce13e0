"""Activity traces and what each feed design does with them: refreshes per weekly member per day.

Members visit as a power law: a daily visit rate `scale x Pareto(1.5)` (most weekly members are not
active on a given day; a few visit many times a day), sessions log-normal with a median of 4
minutes. While in a session a member's app marks them active at most every 5 minutes (the
authorizer's throttle) and reads the first page of their feed at the start and every 2 minutes
(back from a post, a pull to refresh); other pages follow the cursor. Refreshes are counted on
the last day of a 7-day trace, for the members active in that week.

Designs:
- first (git c1de21b): every member seen in 7 days refreshed at every 5-minute tick;
- previous (issue 10, main before issue 19): members seen in the last 60 minutes refreshed at
  every tick, plus one refresh when a member comes back to a feed older than 60 minutes;
- today: members seen in the last 10 minutes refreshed at every tick, plus one refresh when a
  first page is read from a feed not checked for 5 minutes. A refresh is "incremental" when the
  feed was checked within the fan-in horizon (it reads the run records since: one per 5-minute
  run), else "full" (it reads every followee's profile); the horizon grows with the follow count
  (chalicelib/services/feeds.py `fanin_horizon`), so shares are kept for several horizons.

Image requests follow what a first page shows: a card's images are immutable (cached for a year),
so a first page read again shows new images only if the feed was refreshed since the member's
previous first-page read. Each design's share of such reads is counted (`changed_first_pages`):
an upper bound, since a refresh with news adds a few cards on top rather than a new page.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass

TICK_MINUTES = 5
MARK_MINUTES = 5
FIRST_PAGE_EVERY_MINUTES = 2
DAY = 24 * 60
TRACE_DAYS = 7

# Visit-rate scales of the four engagement traces issue 19 names (measured active fractions are
# printed with every result), plus the low-engagement trace of issue 10.
TRACES = {"0.47 daily": 0.30, "0.61 daily": 0.50, "0.80 daily": 0.97, "0.94 daily": 1.9}
BASELINE_TRACE = ("0.34 daily", 0.15)


@dataclass(frozen=True)
class Policy:
    name: str
    active_minutes: float  # refreshed at every tick while seen this recently
    stale_minutes: float | None  # a first page read from a feed not checked this long refreshes it
    returning_minutes: float | None  # a session starting on a feed older than this refreshes it
    everyone: bool = False  # every weekly-active member at every tick


FIRST = Policy("first", 0, None, None, everyone=True)
PREVIOUS = Policy("previous", 60, None, 60)
TODAY = Policy("today", 10, 5, None)
HORIZONS = (60, 75, 750, 1440)  # minutes: fanin_horizon at <= 12, 15, 150 and >= 288 follows


@dataclass(frozen=True)
class TraceResult:
    name: str
    weekly_active: int
    active_today: float  # fraction of weekly members with a session on the measured day
    sessions_per_active_day: float  # sessions per member active that day
    session_minutes: float  # mean session length, measured day
    refreshes: dict[str, float]  # policy -> refreshes per weekly member per day
    # today: horizon (minutes) -> (share of refreshes within it, mean 5-minute runs since the last check)
    incremental: dict[int, tuple[float, float]]
    tick_share: float  # today's refreshes the planner queued (the rest: queued by a read)
    # policy -> share of first-page reads on the measured day that show a feed refreshed since the
    # member's previous first-page read (the day's first read counts as refreshed)
    changed_first_pages: dict[str, float]

    def incremental_share(self, horizon_minutes: float) -> tuple[float, float]:
        """The share and mean runs-since of the smallest kept horizon at least this long."""
        return self.incremental[min(h for h in HORIZONS if h >= min(horizon_minutes, HORIZONS[-1]))]


def _frange(start: float, end: float, step: float) -> list[float]:
    count = max(1, int((end - start) // step) + 1)
    return [start + i * step for i in range(count)]


def _sessions(rng: random.Random, scale: float) -> list[tuple[float, float]]:
    rate = min(48.0, scale * rng.paretovariate(1.5))
    sessions: list[tuple[float, float]] = []
    clock = rng.expovariate(rate) * DAY
    while clock < TRACE_DAYS * DAY:
        length = min(60.0, rng.lognormvariate(math.log(4), 0.8))
        sessions.append((clock, clock + length))
        clock += length + rng.expovariate(rate) * DAY
    return sessions


def _first_page_reads(sessions: list[tuple[float, float]], start: float) -> list[float]:
    """When a member reads their first page on the day starting at `start`."""
    return [
        t for s, e in sessions for t in _frange(s, e, FIRST_PAGE_EVERY_MINUTES) if start <= t < start + DAY
    ]


TICK, READ = 0, 1  # what queued a refresh; a tick sorts before a read of the same minute


def _changed_reads(reads: list[float], refreshed: list[tuple[float, int]]) -> int:
    """First-page reads showing a feed refreshed since the member's previous first-page read.
    `refreshed` is sorted; a read shows a tick's refresh from the same minute on, a read's from
    the next read: the refreshes it shows are those before (its minute, READ)."""
    shown = [bisect.bisect_left(refreshed, (read, READ)) for read in reads]
    return sum(1 for i, count in enumerate(shown) if i == 0 or count > shown[i - 1])


def _refreshes(
    policy: Policy, sessions: list[tuple[float, float]], start: float, reads: list[float]
) -> tuple[list[tuple[float, int]], list[float]]:
    """The refreshes on the day starting at `start`, whose first-page reads are `reads`: (minute,
    TICK or READ: what queued it) of each, in order, and the minutes since the previous check of each."""
    if policy.everyone:
        ticks = DAY // TICK_MINUTES
        return [(start + i * TICK_MINUTES, TICK) for i in range(ticks)], [TICK_MINUTES] * ticks
    marks = sorted(t for s, e in sessions for t in _frange(s, e, MARK_MINUTES))
    events: list[tuple[float, int]] = [(t, TICK) for t in range(int(start), int(start + DAY), TICK_MINUTES)]
    if policy.stale_minutes is not None:
        events += [(t, READ) for t in reads]
    else:
        events += [(s, READ) for s, _ in sessions if start <= s < start + DAY]
    events.sort()
    checked = -1e9
    gaps: list[float] = []
    refreshed: list[tuple[float, int]] = []
    for at, kind in events:
        if kind == TICK:
            index = bisect.bisect_right(marks, at)
            if not index or at - marks[index - 1] >= policy.active_minutes:
                continue
        elif policy.stale_minutes is not None:
            if at - checked < policy.stale_minutes:
                continue
        elif policy.returning_minutes is not None and at - checked < policy.returning_minutes:
            continue
        gaps.append(at - checked)
        checked = at
        refreshed.append((at, kind))
    return refreshed, gaps


def simulate(name: str, scale: float, members: int = 10_000, seed: int = 7) -> TraceResult:
    rng = random.Random(seed)
    start = (TRACE_DAYS - 1) * DAY
    weekly = active = sessions_today = 0
    minutes_today = 0.0
    totals = {p.name: 0 for p in (FIRST, PREVIOUS, TODAY)}
    ticks = 0
    reads_today = 0
    changed = {p.name: 0 for p in (FIRST, PREVIOUS, TODAY)}
    within = {h: [0, 0.0] for h in HORIZONS}  # horizon -> [refreshes, runs since, summed]
    for _ in range(members):
        sessions = _sessions(rng, scale)
        if not sessions:
            continue
        weekly += 1
        today = [s for s in sessions if s[0] >= start]
        if today:
            active += 1
            sessions_today += len(today)
            minutes_today += sum(e - s for s, e in today)
        reads = _first_page_reads(sessions, start)
        reads_today += len(reads)
        for policy in (FIRST, PREVIOUS, TODAY):
            refreshed, gaps = _refreshes(policy, sessions, start, reads)
            totals[policy.name] += len(refreshed)
            changed[policy.name] += _changed_reads(reads, refreshed)
            if policy is TODAY:
                ticks += sum(1 for _, kind in refreshed if kind == TICK)
                for gap in gaps:
                    for horizon in HORIZONS:
                        if gap < horizon:
                            within[horizon][0] += 1
                            within[horizon][1] += max(1.0, gap / TICK_MINUTES)
    return TraceResult(
        name=name,
        weekly_active=weekly,
        active_today=active / weekly,
        sessions_per_active_day=sessions_today / max(1, active),
        session_minutes=minutes_today / max(1, sessions_today),
        refreshes={k: v / weekly for k, v in totals.items()},
        incremental={
            h: (n / max(1, totals[TODAY.name]), runs / max(1, n)) for h, (n, runs) in within.items()
        },
        tick_share=ticks / max(1, totals[TODAY.name]),
        changed_first_pages={k: v / max(1, reads_today) for k, v in changed.items()},
    )


def all_traces(members: int = 10_000) -> list[TraceResult]:
    return [simulate(name, scale, members) for name, scale in [BASELINE_TRACE, *TRACES.items()]]


if __name__ == "__main__":
    for result in all_traces():
        print(result)
