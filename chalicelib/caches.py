"""One reset for every process-level cache: settings, AWS clients, the token verifier and the rest.

A warm Lambda keeps these between invocations on purpose. Tests (and anything that switches
endpoints or settings inside one process) call `reset()` so nothing from before leaks in.
A module with a cache of its own that is not listed here calls `register(clear)` at import.
"""

from __future__ import annotations

from collections.abc import Callable

_registered: list[Callable[[], None]] = []


def register(clear: Callable[[], None]) -> None:
    """Have `reset()` call `clear` too (idempotent)."""
    if clear not in _registered:
        _registered.append(clear)


def reset() -> None:
    """Forget settings, AWS clients and connections, the cursor keys, the JWKS verifier, the
    idempotency store, members' recent-activity marks and the OpenAPI document."""
    from chalicelib import auth, aws, secrets
    from chalicelib.api import openapi
    from chalicelib.handlers import thumbnails
    from chalicelib.services import members
    from chalicelib.settings import get_settings

    get_settings.cache_clear()
    aws.reset()  # every client, the shared DynamoDB connection and the queue URLs
    secrets.reset()  # the cursor keys read from Secrets Manager
    auth.get_verifier.cache_clear()
    thumbnails.reset_idempotency()
    members.forget_recent_activity()
    openapi.openapi_document.cache_clear()
    for clear in _registered:
        clear()
