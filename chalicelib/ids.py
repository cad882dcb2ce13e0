"""Server-chosen ids: URL-safe, unguessable, and time-ordered so newer ids sort later."""

from __future__ import annotations

import secrets
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case


def _base32(number: int, length: int) -> str:
    chars = []
    for _ in range(length):
        number, rest = divmod(number, 32)
        chars.append(_ALPHABET[rest])
    return "".join(reversed(chars))


def new_id(prefix: str) -> str:
    """`<prefix>_<10 chars of ms time><16 random chars>`, e.g. `post_01jc...`."""
    return f"{prefix}_{_base32(int(time.time() * 1000), 10)}{_base32(secrets.randbits(80), 16)}"
