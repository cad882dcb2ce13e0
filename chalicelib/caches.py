"""One reset for every process-level cache: settings, AWS clients, the token verifier and the rest.

A warm Lambda keeps these between invocations on purpose. Tests (and anything that switches
endpoints or settings inside one process) call `reset()` so nothing from before leaks in.
Every module with a cache of its own calls `register(clear)` at import; this module imports
nothing of Flint's, so the dependency points one way (tests/unit/test_caches.py).
"""

from __future__ import annotations

from collections.abc import Callable

_registered: list[Callable[[], None]] = []


def register(clear: Callable[[], None]) -> None:
    """Have `reset()` call `clear` too (idempotent)."""
    if clear not in _registered:
        _registered.append(clear)


def reset() -> None:
    """Call every registered `clear`: settings, AWS clients and connections, the cursor keys, the
    JWKS verifier, the idempotency store, members' recent-activity marks, the OpenAPI document and
    whatever else registered (modules that were never imported have nothing to forget)."""
    for clear in list(_registered):
        clear()
