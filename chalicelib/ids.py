"""Server-chosen ids: URL-safe, unguessable, and time-ordered so newer ids sort later."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case


def _base32(number: int, length: int) -> str:
    chars = []
    for _ in range(length):
        number, rest = divmod(number, 32)
        chars.append(_ALPHABET[rest])
    return "".join(reversed(chars))


def new_id(prefix: str, at: datetime | None = None) -> str:
    """`<prefix>_<10 chars of ms time><16 random chars>`, e.g. `post_01jc...`.

    `at`: the moment the id stands for (a post's `created_at`), so the two always agree.
    """
    millis = int((at.timestamp() if at is not None else time.time()) * 1000)
    return f"{prefix}_{_base32(millis, 10)}{_base32(secrets.randbits(80), 16)}"


def issued_at(value: str) -> datetime | None:
    """When a `new_id` was made (to the millisecond), read back from its time part; None if the
    value is not one (a feed can rank a post by its id alone, without reading the post)."""
    _, _, rest = value.rpartition("_")
    if len(rest) != 26:
        return None
    millis = 0
    for char in rest[:10]:
        digit = _ALPHABET.find(char)
        if digit < 0:
            return None
        millis = millis * 32 + digit
    return datetime.fromtimestamp(millis / 1000, UTC)
