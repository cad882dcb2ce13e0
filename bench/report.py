"""One results table for `make bench`: every figure with its target and whether it was met.

Each benchmark module exposes `rows() -> list[Row]`; `bench/__main__.py` runs them in one process
tree, prints the table and writes it to `bench/results.md` (shown in the README).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

RESULTS_PATH = Path(__file__).resolve().parent / "results.md"


@dataclass(frozen=True)
class Row:
    section: str  # e.g. "Feeds", "Thumbnailer", "Cold start"
    figure: str  # what was measured, e.g. "cost per weekly-active member per day, old / new"
    measured: str  # the honest number, already formatted (ratios, counts)
    target: str  # e.g. ">= 50x"; "" when the row is informational
    met: bool | None  # None: no target
    note: str = ""  # what would close the gap when missed, or context


def markdown(rows: Iterable[Row]) -> str:
    lines = [
        "| Section | Figure | Measured | Target | Met | Note |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        met = "" if row.met is None else ("yes" if row.met else "**no**")
        lines.append(f"| {row.section} | {row.figure} | {row.measured} | {row.target} | {met} | {row.note} |")
    return "\n".join(lines) + "\n"


def write_results(rows: list[Row], header: str = "", path: Path = RESULTS_PATH) -> str:
    text = (header.rstrip() + "\n\n" if header else "") + markdown(rows)
    path.write_text(text)
    return text
