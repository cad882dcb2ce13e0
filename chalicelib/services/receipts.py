"""View receipts and anonymous sessions: who may count an event about which post, and for how long.

Every post the API shows carries a **receipt**: `base64url(hour || flags || mac)`, 17 bytes,
where `mac` = HMAC-SHA256(key, post id | viewer | hour | flags), cut to 12 bytes. It binds the
post, the viewer and the hour it was issued in; the viewer is not in it (the verifier supplies
the caller's own), so a receipt is worthless to anyone else. It is valid in its hour and the
next one, then expires. `flags` marks a post shown to its own author: such a receipt never counts.

A **viewer** is `m:<member id>` for a signed-in caller, or `s:<session id>` for an anonymous
caller who sent `X-Flint-Session: <session>` (from `POST /sessions`): `s1.<id>.<expiry>.<mac>`,
valid for a day. The client's network address is never part of either.

Receipts are deterministic within an hour (the same post, viewer and hour give the same string),
so two reads of a page in one hour answer the same bytes.

Keys: derived with HKDF-SHA256 from the rotating cursor keys (chalicelib/secrets.py), with their
own `info` strings: the newest key signs, every key verifies, so rotating the secret never
invalidates a receipt or session a client holds (within their short lives). Only the API function
reads those keys, and only the API function signs and verifies receipts and sessions.

The viewer of the current request is kept in a context variable set by the route edge
(api/routing.py), so `presenters.summary()` can sign a receipt for every post it presents without
every listing passing the viewer down.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from functools import lru_cache

from chalicelib import clock, secrets

RECEIPT_HOURS_VALID = 2  # the hour it was issued in and the next one
SESSION_SECONDS = 24 * 3600
SESSION_HEADER = "x-flint-session"
_MAC_BYTES = 12
_SELF = 1
_RECEIPT_INFO = b"flint view receipt v1"
_SESSION_INFO = b"flint anonymous session v1"
MAX_RECEIPT_CHARS = 64
MAX_SESSION_CHARS = 128

_viewer: ContextVar[str | None] = ContextVar("flint_viewer", default=None)


def member_viewer(user_id: str) -> str:
    return f"m:{user_id}"


def session_viewer(session_id: str) -> str:
    return f"s:{session_id}"


def hour_of(moment: datetime) -> int:
    """Hours since the Unix epoch: the unit receipts, de-duplication and spike checks count in."""
    return int(moment.timestamp()) // 3600


def hour_start(hour: int) -> datetime:
    return datetime.fromtimestamp(hour * 3600, UTC)


@lru_cache(maxsize=16)
def _derived(secret: bytes, info: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)


def _keys(info: bytes) -> list[bytes]:
    return [_derived(secret, info) for secret in secrets.cursor_keys()]


def _mac(key: bytes, *parts: str) -> bytes:
    return hmac.new(key, "|".join(parts).encode(), hashlib.sha256).digest()[:_MAC_BYTES]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- receipts -----------------------------------------------------------------------------------


def issue(post_id: str, author_id: str, viewer: str, now: datetime | None = None) -> str:
    hour = hour_of(now or clock.now())
    flags = _SELF if viewer == member_viewer(author_id) else 0
    mac = _mac(_keys(_RECEIPT_INFO)[0], post_id, viewer, str(hour), str(flags))
    return _b64(struct.pack(">IB", hour, flags) + mac)


def check(receipt: str | None, post_id: str, viewer: str, now: datetime | None = None) -> int | None:
    """The hour a valid receipt was issued in; None when it is missing, forged, for another post or
    viewer, expired, or was shown to the post's author."""
    if not receipt or len(receipt) > MAX_RECEIPT_CHARS:
        return None
    try:
        raw = _unb64(receipt)
    except ValueError:
        return None
    if len(raw) != 5 + _MAC_BYTES:
        return None
    hour, flags = struct.unpack(">IB", raw[:5])
    current = hour_of(now or clock.now())
    if flags & _SELF or not 0 <= current - hour < RECEIPT_HOURS_VALID:
        return None
    for key in _keys(_RECEIPT_INFO):
        if hmac.compare_digest(raw[5:], _mac(key, post_id, viewer, str(hour), str(flags))):
            return int(hour)
    return None


# --- anonymous sessions ---------------------------------------------------------------------------


def new_session(now: datetime | None = None) -> tuple[str, datetime]:
    """A fresh anonymous session token and when it expires."""
    expires = int((now or clock.now()).timestamp()) + SESSION_SECONDS
    session_id = _b64(os.urandom(16))
    mac = _b64(_mac(_keys(_SESSION_INFO)[0], session_id, str(expires)))
    return f"s1.{session_id}.{expires}.{mac}", datetime.fromtimestamp(expires, UTC)


def session_id(token: str | None, now: datetime | None = None) -> str | None:
    """The session id of a valid, unexpired session token; None otherwise (never an error: an
    anonymous caller with a bad session is simply an anonymous caller without one)."""
    if not token or len(token) > MAX_SESSION_CHARS:
        return None
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != "s1" or not parts[2].isdigit():
        return None
    _, sid, expires, mac = parts
    if int(expires) <= int((now or clock.now()).timestamp()):
        return None
    for key in _keys(_SESSION_INFO):
        if hmac.compare_digest(mac, _b64(_mac(key, sid, expires))):
            return sid
    return None


# --- the current request's viewer -----------------------------------------------------------------


def set_viewer(viewer: str | None) -> Token[str | None]:
    return _viewer.set(viewer)


def reset_viewer(token: Token[str | None]) -> None:
    _viewer.reset(token)


def current_viewer() -> str | None:
    return _viewer.get()


def receipt_for(post_id: str, author_id: str) -> str | None:
    """The current viewer's receipt for a post; None for an anonymous caller without a session."""
    viewer = _viewer.get()
    return issue(post_id, author_id, viewer) if viewer else None
