"""`make dev` always stops whole: SIGTERM to its process group, twice (as a closing terminal, CI or
`make` forwarding it does), leaves no process of the stack and no busy port, whether it comes
after the banner or in the middle of seeding.

Each test starts its own `python -m local.devstack` (what `make dev` runs) on free ports, in a
session of its own as a terminal would: with minimal demo data to be stopped while seeding, with
none to be stopped after the banner (the same processes run either way; seeding only delays it).
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from local.devstack import command_on_ports, free_port, port_is_free
from tests.support.eventually import eventually

pytestmark = pytest.mark.e2e

PROJECT_DIR = Path(__file__).resolve().parents[2]
START_SECONDS = 300  # generous bounds for a loaded machine; never asserted as durations
STOP_SECONDS = 60


def process_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, start time) of every process, from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            table[int(entry.name)] = (int(fields[1]), fields[19])
    return table


def descendants(root: int) -> set[tuple[int, str]]:
    """(pid, start time) of every process under `root`: a pid reused later is not mistaken for it."""
    table = process_table()
    found, todo = set(), [root]
    while todo:
        parent = todo.pop()
        for pid, (ppid, started) in table.items():
            if ppid == parent:
                found.add((pid, started))
                todo.append(pid)
    return found


def alive(processes: set[tuple[int, str]]) -> set[tuple[int, str]]:
    table = process_table()
    return {(pid, started) for pid, started in processes if pid in table and table[pid][1] == started}


@pytest.fixture
def devstack(
    tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[subprocess.Popen[bytes], Path, list[int]]]:
    ports = [free_port() for _ in range(4)]
    seeding = ["--no-seed"] if request.param == "no seed" else ["--demo-posts", "0"]
    output = tmp_path / "console.txt"
    with output.open("wb") as console:
        process = subprocess.Popen(
            command_on_ports(
                *ports,
                "--refresh-seconds",
                "60",
                *seeding,
                "--log-file",
                str(tmp_path / "dev.log"),
            ),
            cwd=PROJECT_DIR,
            stdout=console,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, like a terminal's foreground job
        )
    try:
        yield process, output, ports
    finally:
        if process.poll() is None:  # a failed test: leave nothing behind
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for(text: str, process: subprocess.Popen[bytes], output: Path) -> None:
    def printed() -> bool:
        assert process.poll() is None, output.read_text(errors="replace")
        return text in output.read_text(errors="replace")

    eventually(printed, START_SECONDS, f"{text!r} in the console")


def stop_twice_and_check(process: subprocess.Popen[bytes], output: Path, ports: list[int]) -> None:
    # Given every process the stack started, and the ports it listens on
    children = descendants(process.pid)
    assert children
    # When its process group gets SIGTERM twice in a row
    os.killpg(process.pid, signal.SIGTERM)
    os.killpg(process.pid, signal.SIGTERM)
    # Then it stops, and nothing it started is left, and every port is free again
    assert process.wait(timeout=STOP_SECONDS) == 0, output.read_text(errors="replace")
    eventually(lambda: not alive(children), STOP_SECONDS, "every process of the stack gone")
    assert [port for port in ports if not port_is_free(port)] == []


@pytest.mark.parametrize("devstack", ["no seed"], indirect=True)
def test_two_sigterms_after_the_banner_stop_the_whole_stack(devstack) -> None:  # type: ignore[no-untyped-def]
    process, output, ports = devstack
    wait_for("Flint is running.", process, output)
    stop_twice_and_check(process, output, ports)


@pytest.mark.parametrize("devstack", ["members only"], indirect=True)
def test_two_sigterms_while_seeding_stop_the_whole_stack(devstack) -> None:  # type: ignore[no-untyped-def]
    process, output, ports = devstack
    wait_for("members and catalog", process, output)
    stop_twice_and_check(process, output, ports)
