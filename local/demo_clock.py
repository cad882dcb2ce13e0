"""Demo history: services called while seeding see a moment in the past as "now".

The demo's posts, smiles, comments and follows are written through the same services and data
layer as a client's, which stamp them with `chalicelib.clock.now()` and give them time-ordered ids
(`chalicelib.ids`: listings sort by id, so an id must be as old as its item). Seeding a community
that grew over the last days means calling them "back then": `at(moment)` makes `clock.now()` and
the ids' clock answer `moment` in the calling thread (a context variable, so other threads, and
every process that is not seeding, keep the real time). chalicelib's clock exists to be controlled
like this in tests.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import datetime
from types import SimpleNamespace

from chalicelib import clock, ids

_moment: ContextVar[datetime | None] = ContextVar("demo_moment", default=None)
_real_now = clock.now


def _now() -> datetime:
    return _moment.get() or _real_now()


def _timestamp() -> float:
    moment = _moment.get()
    return moment.timestamp() if moment else time.time()


_ids_time = SimpleNamespace(time=_timestamp)  # all chalicelib.ids reads of `time`


@contextlib.contextmanager
def at(moment: datetime | None) -> Iterator[None]:
    """`clock.now()` is `moment` inside the block, in this thread (None: the real time)."""
    clock.now = _now  # type: ignore[assignment]  # idempotent: the override reads the context
    ids.time = _ids_time  # type: ignore[assignment]
    token = _moment.set(moment)
    try:
        yield
    finally:
        _moment.reset(token)
