"""Process lifetimes for the local stack: children that cannot outlive the process that started them."""

from __future__ import annotations

import ctypes
import signal
import sys

PR_SET_PDEATHSIG = 1
# Loaded before any fork: a forked child (a `preexec_fn`) only calls it.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """Have the kernel send `sig` to this process when its parent exits, however it exits
    (SIGKILL included). Linux only; elsewhere a no-op. "Parent" is the thread that forked this
    process, so start children from the main thread."""
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
