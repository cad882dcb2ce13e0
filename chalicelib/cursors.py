"""Opaque page cursors: encrypted and authenticated, so a client can hand one back but can neither
read the table's key layout in it nor forge or edit it.

A cursor is `base64url(nonce || AES-256-GCM(position JSON))`, with the listing's scope as the
associated data. Keys are derived with HKDF-SHA256 from `secrets.cursor_keys()` (newest first):
the newest encrypts, every key decrypts, so a secret can be rotated without breaking the pages
clients hold.
"""

from __future__ import annotations

import base64
import json
import os
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from chalicelib import secrets
from chalicelib.errors import BadRequest

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE_BYTES = 12
_TAG_BYTES = 16
# Longer than any cursor Flint writes (positions are a few short keys): refused before decrypting.
MAX_CURSOR_CHARS = 2048


@lru_cache(maxsize=8)
def _cipher(secret: bytes) -> AESGCM:
    # cryptography loads on the first cursor, not at import: a cold start that pages nothing
    # (most first requests) does not pay for it.
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"flint page cursor v1").derive(secret)
    return AESGCM(key)


def _ciphers() -> list[AESGCM]:
    return [_cipher(secret) for secret in secrets.cursor_keys()]


def encode(position: dict[str, Any] | None, *, scope: str = "") -> str | None:
    """A cursor for this position (e.g. a DynamoDB LastEvaluatedKey); None means no more pages.

    `scope` names the listing the position belongs to (e.g. the query's terms): it is bound to
    the cursor, so a cursor replayed against another listing is refused rather than handed to
    DynamoDB as a start key outside that query (a ValidationException, i.e. a 500).
    """
    if not position:
        return None
    payload = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _ciphers()[0].encrypt(nonce, payload, scope.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def _open(nonce: bytes, sealed: bytes, scope: str, ciphers: list[AESGCM], invalid: type) -> bytes | None:
    for cipher in ciphers:
        try:
            return bytes(cipher.decrypt(nonce, sealed, scope.encode()))
        except invalid:
            continue
    return None


def decode(cursor: str | None, *, scope: str = "") -> dict[str, Any] | None:
    """The position a cursor holds; a tampered, malformed or other-scope cursor is a 400 `bad_cursor`."""
    if not cursor:
        return None
    try:
        if len(cursor) > MAX_CURSOR_CHARS:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        if len(raw) < _NONCE_BYTES + _TAG_BYTES:
            raise ValueError("too short")
        nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
        from cryptography.exceptions import InvalidTag

        payload = _open(nonce, sealed, scope, [_cipher(k) for k in secrets.cursor_keys()], InvalidTag)
        if payload is None:
            # Issued by an instance that read a rotated secret before this one did: re-read it now.
            fresher = secrets.refreshed_cursor_keys()
            payload = _open(nonce, sealed, scope, [_cipher(k) for k in fresher or ()], InvalidTag)
        if payload is None:
            raise ValueError("no key opens it")
        position = json.loads(payload)
        if not isinstance(position, dict):
            raise ValueError("not an object")
        return position
    except (ValueError, TypeError) as exc:
        raise BadRequest("The cursor is invalid; start again without it.", code="bad_cursor") from exc
