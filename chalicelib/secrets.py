"""The keys for page cursors, read at run time and rotated without breaking a client's next page.

In AWS only the API function is told where the keys are (FLINT_CURSOR_SECRET_ID, set by
infra/lambda.yaml) and only its role may read that secret. Secrets Manager keeps the current
value (AWSCURRENT) and, after a rotation, the one before it (AWSPREVIOUS): the newest key
signs (or encrypts), every key verifies (or decrypts), so a cursor handed out just before a
rotation still works. Each value is cached for MAX_AGE_SECONDS per process (Powertools
parameters), so a rotation reaches every warm function within that time; docs/deploy.md
("Rotating the cursor keys") gives the steps. A cursor that no cached key opens may come from an
instance that saw the rotation first: `refreshed_cursor_keys()` re-reads the secret at once (at
most once per REFETCH_SECONDS per process, so forged cursors cannot turn into a stream of
Secrets Manager reads).

Locally and in tests no secret is named: FLINT_CURSOR_SECRET, else the development key, signs.
A deployed function never falls back to the development key (settings refuse it at start,
cursor_keys() refuses to invent one).
"""

from __future__ import annotations

import time
from functools import cache
from typing import Any

from chalicelib import caches
from chalicelib.settings import DEVELOPMENT_CURSOR_SECRET, get_settings

MAX_AGE_SECONDS = 300
REFETCH_SECONDS = 30
_STAGES = ("AWSCURRENT", "AWSPREVIOUS")
# The previous version may not exist (no rotation yet): remember that for as long as a value.
_absent: dict[str, float] = {}
_last_refetch: list[float] = []


class SecretsUnavailable(RuntimeError):
    """The cursor keys cannot be had: a deployed function without its secret, or the secret is unreadable."""


def cursor_keys() -> tuple[bytes, ...]:
    """The cursor keys, newest first: index 0 signs or encrypts, every one verifies or decrypts."""
    settings = get_settings()
    if settings.cursor_secret_id:
        return _rotating_keys(settings.cursor_secret_id)
    if settings.cursor_secret:
        return (settings.cursor_secret.encode(),)
    if settings.deployed:
        raise SecretsUnavailable(
            "no cursor keys: this function has no FLINT_CURSOR_SECRET_ID (only the API function reads them)"
        )
    return (DEVELOPMENT_CURSOR_SECRET.encode(),)


def refreshed_cursor_keys() -> tuple[bytes, ...] | None:
    """The rotating keys read again now, bypassing the cache; None when there is no secret to re-read,
    or it was re-read less than REFETCH_SECONDS ago (the caller keeps its answer)."""
    secret_id = get_settings().cursor_secret_id
    now = time.monotonic()
    if not secret_id or (_last_refetch and now - _last_refetch[-1] < REFETCH_SECONDS):
        return None
    _last_refetch[:] = [now]
    _absent.clear()
    return _rotating_keys(secret_id, force=True)


def _rotating_keys(secret_id: str, *, force: bool = False) -> tuple[bytes, ...]:
    current = _value(secret_id, "AWSCURRENT", force)
    if current is None:
        raise SecretsUnavailable(f"the cursor secret {secret_id} has no current value")
    previous = _value(secret_id, "AWSPREVIOUS", force)
    keys = [current] if previous in (None, current) else [current, previous]
    return tuple(key.encode() for key in keys)


def _value(secret_id: str, stage: str, force: bool = False) -> str | None:
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

    if _absent.get(f"{stage}:{secret_id}", 0.0) > time.monotonic():
        return None
    try:
        value: Any = _provider(stage).get(
            secret_id, max_age=MAX_AGE_SECONDS, force_fetch=force, VersionStage=stage
        )
    except GetParameterError as exc:
        if stage == "AWSCURRENT" or "ResourceNotFoundException" not in str(exc):
            raise SecretsUnavailable(f"cannot read the cursor secret ({stage}): {exc}") from exc
        _absent[f"{stage}:{secret_id}"] = time.monotonic() + MAX_AGE_SECONDS
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


@cache
def _provider(stage: str) -> Any:
    # One provider per version stage: Powertools caches by secret name, not by stage.
    # Imported here: only the API function reads secrets, and only on its first cursor.
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    from chalicelib import aws

    return SecretsProvider(boto3_client=aws.client("secretsmanager"))


def reset() -> None:
    """Forget cached keys (tests; a rotation otherwise takes effect within MAX_AGE_SECONDS)."""
    _provider.cache_clear()
    _absent.clear()
    _last_refetch.clear()


caches.register(reset)  # the cursor keys read from Secrets Manager
