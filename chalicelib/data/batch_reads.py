"""Reads shared within one batch (a stream batch, a thumbnail batch): while a scope is open, a
data-access function looks its keys up in the scope's dict before it reads, and puts what it read
there. Held in a ContextVar, so a scope opened on one thread is not seen by others (unless they are
handed the same dict)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BatchReads(Generic[K, V]):
    def __init__(self, name: str) -> None:
        self._reads: ContextVar[dict[K, V] | None] = ContextVar(name, default=None)

    @contextmanager
    def scope(self, shared: dict[K, V] | None = None) -> Iterator[None]:
        """Within, reads are kept (in `shared`, if given: one batch's reads across threads)."""
        token = self._reads.set({} if shared is None else shared)
        try:
            yield
        finally:
            self._reads.reset(token)

    def current(self) -> dict[K, V] | None:
        """The open scope's reads; None outside any scope (every call reads)."""
        return self._reads.get()
