"""Modules imported on first use, so that a function imports only what its own path runs.

Every Lambda function imports app.py, which registers every route: the authorizer, the workers
and the API would otherwise all load every service, PynamoDB model and boto3 (issue 19, cold
start). `services = lazy_module("chalicelib.services.feeds")` stands where the import line was;
the module is imported (under the import system's own lock) the first time an attribute is read.

Every access goes to the module in sys.modules, so monkeypatching the real module (tests) is seen
through the stand-in, and setting an attribute on the stand-in sets it on the module.
tests/unit/test_coldstart.py checks what `import app` leaves unloaded.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """Stands for the module `name` until (and after) it is first used."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)

    def _module(self) -> ModuleType:
        return importlib.import_module(self._name)

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._module(), attr)

    def __setattr__(self, attr: str, value: Any) -> None:
        setattr(self._module(), attr, value)

    def __delattr__(self, attr: str) -> None:
        delattr(self._module(), attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


def lazy_module(name: str) -> Any:
    """A stand-in for the module `name` that imports it on first attribute access."""
    return LazyModule(name)
