"""The presenters' claim holds: every response model of a stored record is built in
`chalicelib/services/presenters.py` and nowhere else (issue 18: the docstring said "every response
model", while 26 were built in 8 other modules)."""

from __future__ import annotations

import ast
from pathlib import Path

from chalicelib import schemas

CHALICELIB = Path(__file__).resolve().parents[2] / "chalicelib"
PRESENTERS = CHALICELIB / "services" / "presenters.py"
SCHEMAS = Path(schemas.__file__).parent
# The models of stored records the docstring names.
RECORD_MODELS = {
    "PostOut", "PostSummary", "PhotoOut", "TagOut", "AuthorOut", "Profile", "Me", "Counts",
    "ProductOut", "Price", "UploadOut", "Rendition", "CommentOut",
}  # fmt: skip


def schema_models_built(path: Path) -> set[str]:
    """Names of chalicelib.schemas models this module constructs (only names it imports from there)."""
    tree = ast.parse(path.read_text())
    imported = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("chalicelib.schemas")
        for alias in node.names
    }
    return {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in imported
    }


def test_the_presenters_build_every_record_model() -> None:
    assert schema_models_built(PRESENTERS) >= RECORD_MODELS


def test_no_other_module_builds_a_record_model() -> None:
    elsewhere = {
        str(path.relative_to(CHALICELIB)): sorted(schema_models_built(path) & RECORD_MODELS)
        for path in CHALICELIB.rglob("*.py")
        if path != PRESENTERS and SCHEMAS not in path.parents
    }
    assert {module: built for module, built in elsewhere.items() if built} == {}
