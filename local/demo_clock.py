"""Demo history: services called while seeding see a moment in the past as "now".

The demo's posts, smiles, comments and follows are written through the same services and data
layer as a client's, which stamp them with `chalicelib.clock.now()`. Seeding a community that
grew over the last days means calling them "back then": `at(moment)` makes `clock.now()` answer
`moment` in the calling thread (a context variable, so other threads, and every process that is
not seeding, keep the real time). chalicelib's clock exists to be controlled like this in tests.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import datetime

from chalicelib import clock

_moment: ContextVar[datetime | None] = ContextVar("demo_moment", default=None)
_real_now = clock.now


def _now() -> datetime:
    return _moment.get() or _real_now()


@contextlib.contextmanager
def at(moment: datetime | None) -> Iterator[None]:
    """`clock.now()` is `moment` inside the block, in this thread (None: the real time)."""
    clock.now = _now  # type: ignore[assignment]  # idempotent: the override reads the context
    token = _moment.set(moment)
    try:
        yield
    finally:
        _moment.reset(token)
