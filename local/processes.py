"""Lifetimes for the local stack: children that cannot outlive their parent, thread pools that stop."""

from __future__ import annotations

import ctypes
import signal
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
PR_SET_PDEATHSIG = 1
# Loaded before any fork: a forked child (a `preexec_fn`) only calls it.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """Have the kernel send `sig` to this process when its parent exits, however it exits
    (SIGKILL included). Linux only; elsewhere a no-op. "Parent" is the thread that forked this
    process, so start children from the main thread."""
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)


def parallel_map(function: Callable[[T], R], items: Iterable[T], workers: int) -> list[R]:
    """`function` over `items` on `workers` threads, in order. If one raises (or Ctrl-C interrupts
    the caller), the ones not started yet are cancelled instead of run before it propagates."""
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        return list(pool.map(function, items))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
