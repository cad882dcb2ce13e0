"""Secrets the API needs at run time (minimal: the page-cursor keys from settings)."""

from __future__ import annotations

from chalicelib.settings import get_settings


def cursor_keys() -> tuple[bytes, ...]:
    """Cursor keys, newest first: index 0 encrypts new cursors, every key still decrypts."""
    return (get_settings().cursor_secret.encode(),)


def reset() -> None:
    """Forget cached secrets (nothing is cached yet)."""
