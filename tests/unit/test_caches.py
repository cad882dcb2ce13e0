"""Caches register themselves: `caches.py` imports nothing of Flint's (issue 18: it imported the api,
handlers and services it cleared), and `reset()` still forgets every process-level cache."""

from __future__ import annotations

import ast
from pathlib import Path

import app  # noqa: F401  (imports every module a Lambda loads)
from chalicelib import auth, caches
from chalicelib.api import openapi
from chalicelib.settings import get_settings

CACHES = Path(caches.__file__)


def test_the_cache_registry_imports_nothing_of_flints() -> None:
    tree = ast.parse(CACHES.read_text())
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert [name for name in imported if name and name.startswith("chalicelib")] == []


def test_reset_forgets_settings_the_verifier_and_the_openapi_document() -> None:
    # Given caches filled once
    before = (get_settings(), auth.get_verifier(), openapi.openapi_document())
    assert get_settings() is before[0]
    # When they are reset
    caches.reset()
    # Then each is built again on its next use
    assert get_settings() is not before[0]
    assert auth.get_verifier() is not before[1]
    assert openapi.openapi_document() is not before[2]
