"""`make dev`, started and stopped N times: seconds to its banner (all demo data in), then two
SIGTERMs to its process group and a check that no process and no port is left.

    .venv/bin/python -m bench.devstack_starts [--runs 5] [--cold] [--idle 120] [--requests]

Each run is `python -m local.devstack` (what `make dev` runs after installing) on free ports with the
full demo. `--cold` draws every demo picture again (an empty picture cache, as in a fresh clone);
by default the cache in .flint/demo-images is used, as on a second `make dev`. Prints one line per
run (with the CPU seconds the embedded AWS used until then, less sensitive to a loaded machine than
the wall clock; then each step's CPU seconds by process and, with `--requests`, the embedded
AWS's requests in that step) and the median; `--idle S` also samples each process of the ready
stack's CPU over S seconds (the idle-stack target: <= 5% of one core) and reports the feed
planner's runs from the log.
Exits non-zero if a run did not reach its banner or left something behind.
Laptop only: not part of `make bench`'s table (absolute seconds depend on the machine).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from local.devstack import command_on_ports, free_port, port_is_free

TICK = os.sysconf("SC_CLK_TCK")
STACK_CPU = re.compile(r"\((\d+) CPU s\)")  # the banner's "took" figure: every process of the stack
PLANNER_RUN = re.compile(r"schedule feed_planner ran in ([0-9.]+)s")  # the event runner's log line
CONSOLE_STEP = re.compile(r"^\[\d+/\d+\] ([A-Za-z ]+)$", re.MULTILINE)  # Console.step, not a tty
STEP_AT = re.compile(r"\[\d+/\d+\] ([A-Za-z ]+) \(at ([0-9.]+)s\)")  # local/devstack.py Console.step

PROJECT_DIR = Path(__file__).resolve().parent.parent
BANNER = "Flint is running."
START_LIMIT_SECONDS = 900


def stack_processes(root: int) -> dict[int, tuple[str, float]]:
    """pid -> (its `-m` module, CPU seconds) of `root` and its descendants (from /proc; Linux)."""
    parents: dict[int, int] = {}
    seconds: dict[int, float] = {}
    names: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        seconds[pid] = (int(fields[11]) + int(fields[12])) / TICK
        module = argv[argv.index(b"-m") + 1].decode() if b"-m" in argv[:-1] else argv[0].decode()
        if b"-c" in argv:  # multiprocessing's: the picture drawers (and its resource tracker)
            module = "drawing"
        names[pid] = module.removeprefix("local.")
    found: dict[int, tuple[str, float]] = {}
    todo = [root] if root in parents else []
    while todo:
        pid = todo.pop()
        found[pid] = (names[pid], seconds[pid])
        todo += [child for child, parent in parents.items() if parent == pid]
    return found


def stack_cpu(root: int) -> dict[str, float]:
    """CPU seconds of every descendant of `root`, by its `-m` module."""
    found: dict[str, float] = {}
    for name, seconds in stack_processes(root).values():
        found[name] = found.get(name, 0.0) + seconds
    return found


def step_split(log: str, banner_at: float) -> str:
    """Seconds each step of the start took, from the log's "[k/6] step (at S s)" lines."""
    steps = [(name, float(at)) for name, at in STEP_AT.findall(log)]
    ends = [at for _, at in steps[1:]] + [banner_at]
    return ", ".join(f"{name} {end - at:.0f} s" for (name, at), end in zip(steps, ends, strict=True))


def idle_cpu(root: int, window: float) -> dict[str, float]:
    """Percent of one core each process of the stack used over `window` seconds (processes that
    ended meanwhile, such as the picture drawers after the banner, are left out)."""
    before = stack_processes(root)
    time.sleep(window)  # a measurement window, not a wait for something to happen
    shares: dict[str, float] = {}
    for pid, (name, seconds) in stack_processes(root).items():
        shares[name] = shares.get(name, 0.0) + 100 * (seconds - before.get(pid, (name, 0.0))[1]) / window
    return shares


def aws_requests(root: int, path: Path) -> dict[str, list[float]]:
    """The embedded AWS's requests so far (FLINT_AWS_REQUESTS): operation -> [requests, CPU s]."""
    aws = next((pid for pid, (name, _) in stack_processes(root).items() if name == "aws_server"), None)
    if aws is None:  # not started yet
        return {}
    before = path.stat().st_mtime_ns if path.exists() else 0
    os.kill(aws, signal.SIGUSR1)
    while not path.exists() or path.stat().st_mtime_ns == before:
        time.sleep(0.05)  # until the server has written them
    return {op: [c["requests"], c["cpu_s"]] for op, c in json.loads(path.read_text()).items()}


def top_requests(now: dict[str, list[float]], before: dict[str, list[float]], top: int = 8) -> str:
    """The operations that cost the embedded AWS most CPU between two `aws_requests` readings."""
    spent = {
        op: (n - before.get(op, [0, 0.0])[0], cpu - before.get(op, [0, 0.0])[1])
        for op, (n, cpu) in now.items()
    }
    ranked = sorted(((op, n, cpu) for op, (n, cpu) in spent.items() if n), key=lambda r: -r[2])
    total = sum(n for _, n, _ in ranked), sum(cpu for _, _, cpu in ranked)
    shown = ", ".join(f"{op} {n:.0f}/{cpu:.1f}" for op, n, cpu in ranked[:top])
    return f"{total[0]:.0f} requests/{total[1]:.1f} CPU s ({shown}, ...)"


Mark = tuple[str, dict[int, tuple[str, float]], dict[str, list[float]]]


def step_costs(marks: list[Mark], requests: bool) -> str:
    """Each step's CPU seconds by process (and the embedded AWS's costliest requests), between
    the readings taken as its console line appeared and as the next one did (a process that
    ended in between, such as a picture drawer, leaves its last slice out)."""
    lines = []
    for (step, cpu, counted), (_, cpu_next, counted_next) in itertools.pairwise(marks):
        spent: dict[str, float] = {}
        for pid, (name, seconds) in cpu_next.items():
            spent[name] = spent.get(name, 0.0) + seconds - cpu.get(pid, (name, 0.0))[1]
        ranked = sorted(spent.items(), key=lambda i: -i[1])
        each = ", ".join(f"{name} {s:.1f}" for name, s in ranked if s >= 0.5)
        line = f"\n    {step}: {sum(spent.values()):.1f} CPU s ({each})"
        if requests:
            line += f"; embedded AWS: {top_requests(counted_next, counted, top=6)}"
        lines.append(line)
    return "".join(lines)


def one_start(cold: bool, idle: float = 0, requests: bool = False) -> tuple[float, list[str], str]:
    """Seconds to the banner, what was left behind after the stop (empty = clean), and the CPU
    figures (the embedded AWS's CPU seconds to the banner; with `idle`, each process's idle %;
    with `requests`, the embedded AWS's costliest operations: requests/CPU s)."""
    ports = [free_port() for _ in range(4)]
    with tempfile.TemporaryDirectory(prefix="flint-starts-") as scratch:
        env = {**os.environ, **({"FLINT_DEMO_IMAGE_CACHE": str(Path(scratch) / "pictures")} if cold else {})}
        counted = Path(scratch) / "requests.json"
        if requests:
            env["FLINT_AWS_REQUESTS"] = str(counted)
        console = Path(scratch) / "console.txt"
        with console.open("wb") as out:
            started = time.monotonic()
            process = subprocess.Popen(
                command_on_ports(*ports, "--log-file", str(Path(scratch) / "dev.log")),
                cwd=PROJECT_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        seconds = float("nan")
        figures = ""
        # At each step's start (its console line): CPU by process and, with `requests`, the
        # embedded AWS's requests so far; the banner's reading closes the last step.
        marks: list[Mark] = []
        while time.monotonic() - started < START_LIMIT_SECONDS and process.poll() is None:
            shown = console.read_text(errors="replace")
            for step in CONSOLE_STEP.findall(shown)[len(marks) :]:
                counts = aws_requests(process.pid, counted) if requests else {}
                marks.append((step, stack_processes(process.pid), counts))
            if BANNER in shown:
                seconds = time.monotonic() - started
                stack_total = STACK_CPU.search(console.read_text(errors="replace"))
                at_banner = stack_processes(process.pid)
                children = stack_cpu(process.pid)
                figures = f"aws server {children.get('aws_server', 0.0):.0f} CPU s"
                figures += f", whole stack {stack_total.group(1) if stack_total else '?'} CPU s"
                figures += f" (event runner {children.get('event_runner', 0.0):.0f}"
                figures += f", API {children.get('api_server', 0.0):.0f})"
                log = (Path(scratch) / "dev.log").read_text(errors="replace")
                figures += f"; steps: {step_split(log, seconds)}"
                started_with = aws_requests(process.pid, counted) if requests else {}
                if requests:
                    figures += f"; embedded AWS to the banner: {top_requests(started_with, {})}"
                figures += step_costs([*marks, ("banner", at_banner, started_with)], requests)
                if idle:
                    shares = idle_cpu(process.pid, idle)
                    each = ", ".join(f"{name} {share:.1f}%" for name, share in sorted(shares.items()))
                    figures += f"; idle over {idle:.0f} s: {sum(shares.values()):.1f}% ({each})"
                    runs = PLANNER_RUN.findall((Path(scratch) / "dev.log").read_text(errors="replace"))
                    if runs:
                        figures += f"; feed planner runs: median {statistics.median(map(float, runs)):.2f} s"
                    if requests:
                        idled = aws_requests(process.pid, counted)
                        figures += f"; embedded AWS while idle: {top_requests(idled, started_with)}"
                break
            time.sleep(0.5)
        left: list[str] = []
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                left.append("devstack still running 60 s after two SIGTERMs")
                os.killpg(process.pid, signal.SIGKILL)
        left += [f"port {port} busy" for port in ports if not port_is_free(port)]
        if seconds != seconds:  # NaN: no banner; keep the stack's log, the scratch folder goes
            kept = Path(tempfile.mkstemp(prefix="flint-start-failed-", suffix=".log")[1])
            kept.write_bytes((Path(scratch) / "dev.log").read_bytes())
            left.append(f"no banner (its log: {kept}):\n" + console.read_text(errors="replace")[-2000:])
        return seconds, left, figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold", action="store_true", help="an empty picture cache, as in a fresh clone")
    parser.add_argument("--idle", type=float, default=0, help="idle CPU sampled after each banner")
    parser.add_argument(
        "--requests", action="store_true", help="the embedded AWS's costliest operations (requests/CPU s)"
    )
    args = parser.parse_args()
    times: list[float] = []
    failures = 0
    for run in range(1, args.runs + 1):
        seconds, left, figures = one_start(args.cold, args.idle, args.requests)
        failures += bool(left)
        times.append(seconds)
        verdict = "clean stop" if not left else "; ".join(left)
        print(f"start {run}: banner after {seconds:.1f} s ({figures}), {verdict}", flush=True)
    print(f"median {statistics.median(times):.1f} s over {args.runs} starts; {failures} with a problem")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
