"""Waiting for something the system does on its own (a background delivery, a page settling).

Tests drive the stack where they can (tests/support/local_stack.py: run a schedule, drain the
queues); where they cannot, they wait on a condition with `eventually`, never on a clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def eventually(condition: Callable[[], Any], timeout: float = 120.0, what: str = "the condition") -> Any:
    """Wait for `condition()` to return something truthy; returns it. The bound is generous and only
    stops a test that would otherwise hang: how long it took is never asserted."""
    deadline = time.monotonic() + timeout
    pause = 0.05
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(pause)
        pause = min(pause * 2, 1.0)
