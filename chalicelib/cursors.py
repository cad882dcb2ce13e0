"""Opaque, signed page cursors: a client can hand one back but cannot forge or edit it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from chalicelib import secrets
from chalicelib.errors import BadRequest

_SIGNATURE_BYTES = 16


def _sign(payload: bytes, scope: str, key: bytes | None = None) -> bytes:
    key = secrets.cursor_keys()[0] if key is None else key  # the newest key signs
    message = scope.encode() + b"\0" + payload if scope else payload
    return hmac.new(key, message, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def encode(position: dict[str, Any] | None, *, scope: str = "") -> str | None:
    """A cursor for this position (e.g. a DynamoDB LastEvaluatedKey); None means no more pages.

    `scope` names the listing the position belongs to (e.g. the query's terms): it is signed
    with the cursor, so a cursor replayed against another listing is refused rather than
    handed to DynamoDB as a start key outside that query (a ValidationException, i.e. a 500).
    """
    if not position:
        return None
    payload = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(_sign(payload, scope) + payload).decode().rstrip("=")


def decode(cursor: str | None, *, scope: str = "") -> dict[str, Any] | None:
    """The position a cursor holds; a tampered, malformed or other-scope cursor is a 400 `bad_cursor`."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        signature, payload = raw[:_SIGNATURE_BYTES], raw[_SIGNATURE_BYTES:]
        # Any current key verifies: cursors signed just before a rotation still work.
        if len(signature) != _SIGNATURE_BYTES or not any(
            hmac.compare_digest(signature, _sign(payload, scope, key)) for key in secrets.cursor_keys()
        ):
            raise ValueError("signature mismatch")
        position = json.loads(payload)
        if not isinstance(position, dict):
            raise ValueError("not an object")
        return position
    except (ValueError, TypeError) as exc:
        raise BadRequest("The cursor is invalid; start again without it.", code="bad_cursor") from exc
