"""The docs a newcomer reads stay true: every relative link resolves (anchors included), no built
route is marked planned, and the README stays short enough to read (issue 18)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import app  # noqa: F401  (registers every route)
from chalicelib.api.routing import ROUTES

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "bench").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = "".join(c for c in text if c in " -" or unicodedata.category(c)[0] in "LN")
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    body = re.sub(r"```.*?```", "", path.read_text(), flags=re.DOTALL)
    return {github_anchor(m) for m in re.findall(r"^#{1,6} (.+)$", body, flags=re.MULTILINE)}


def relative_links(path: Path) -> list[str]:
    body = re.sub(r"```.*?```", "", path.read_text(), flags=re.DOTALL)
    return [link for link in LINK.findall(body) if not re.match(r"[a-z]+:", link)]


def test_every_relative_link_in_the_docs_resolves() -> None:
    broken = []
    for doc in DOCS:
        for link in relative_links(doc):
            target, _, anchor = link.partition("#")
            resolved = (doc.parent / target).resolve() if target else doc
            if not resolved.exists():
                broken.append(f"{doc.relative_to(ROOT)}: {link} (no such file)")
            elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
                broken.append(f"{doc.relative_to(ROOT)}: {link} (no such heading)")
    assert broken == []


def test_no_built_route_is_marked_planned() -> None:
    built = {re.sub(r"\{[^}]+\}", "{}", route.path) for route in ROUTES}
    marked = []
    for doc in DOCS:
        for line in doc.read_text().splitlines():
            if "planned" not in line.lower():
                continue
            for path in re.findall(r"/[a-z][a-z0-9_/{}-]*", line):
                if re.sub(r"\{[^}]+\}", "{}", path.rstrip("/")) in built:
                    marked.append(f"{doc.relative_to(ROOT)}: {line.strip()}")
    assert marked == []


def test_the_readme_stays_short() -> None:
    assert len((ROOT / "README.md").read_text().splitlines()) <= 250
