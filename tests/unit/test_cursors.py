"""Page cursors: opaque (encrypted) and authenticated, so a client can hand one back but cannot read,
forge or edit it."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator

import pytest

from chalicelib import cursors, secrets
from chalicelib.errors import BadRequest
from chalicelib.settings import get_settings

POSITION = {"PK": {"S": "SEARCH#no"}, "SK": {"S": "northpeak#p-northpeak-04"}}


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("FLINT_CURSOR_SECRET", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _raw(cursor: str) -> bytes:
    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))


def _cursor(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _assert_bad_cursor(cursor: str, **kwargs: str) -> None:
    with pytest.raises(BadRequest) as caught:
        cursors.decode(cursor, **kwargs)
    assert caught.value.status == 400
    assert caught.value.code == "bad_cursor"


def test_a_cursor_round_trips_its_position() -> None:
    assert cursors.decode(cursors.encode(POSITION)) == POSITION


def test_a_cursor_is_url_safe_and_unpadded() -> None:
    cursor = cursors.encode(POSITION)
    assert cursor is not None
    assert re.fullmatch(r"[A-Za-z0-9_-]+", cursor)


def test_a_cursor_does_not_expose_the_table_key_layout() -> None:
    # Given a position made of the table's keys
    cursor = cursors.encode(POSITION) or ""
    # Then neither the cursor nor its decoded bytes show them
    # (markers of 4+ bytes: "PK" turns up in a random 120-character cursor about once in 30 runs)
    raw = _raw(cursor)
    for leaked in (b'"PK"', b'"SK"', b"SEARCH#", b"northpeak"):
        assert leaked not in raw
    for shown in ("SEARCH", "northpeak"):
        assert shown not in cursor


def test_the_same_position_gives_different_cursors_that_read_the_same() -> None:
    reordered = dict(reversed(list(POSITION.items())))
    first, second = cursors.encode(POSITION), cursors.encode(reordered)
    assert first != second
    assert cursors.decode(first) == cursors.decode(second) == POSITION


def test_a_cursor_of_the_previous_key_still_reads_after_a_rotation(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a cursor minted with the old key
    monkeypatch.setattr(secrets, "cursor_keys", lambda: (b"old-key",))
    old = cursors.encode(POSITION)
    # When a new key is added in front
    monkeypatch.setattr(secrets, "cursor_keys", lambda: (b"new-key", b"old-key"))
    new = cursors.encode(POSITION)
    # Then both read, and once the old key is retired only the new one does
    assert cursors.decode(old) == cursors.decode(new) == POSITION
    monkeypatch.setattr(secrets, "cursor_keys", lambda: (b"new-key",))
    assert cursors.decode(new) == POSITION
    _assert_bad_cursor(old or "")


@pytest.mark.parametrize("position", [None, {}])
def test_no_position_means_no_next_page(position: dict[str, object] | None) -> None:
    assert cursors.encode(position) is None


@pytest.mark.parametrize("cursor", [None, ""])
def test_no_cursor_means_the_first_page(cursor: str | None) -> None:
    assert cursors.decode(cursor) is None


@pytest.mark.parametrize("index", [0, 12, 20, -1], ids=["nonce", "first-byte", "middle", "tag"])
def test_a_cursor_with_any_byte_flipped_is_refused(index: int) -> None:
    raw = bytearray(_raw(cursors.encode(POSITION) or ""))
    raw[index] ^= 0x01
    _assert_bad_cursor(_cursor(bytes(raw)))


def test_an_overlong_cursor_is_refused_without_decrypting() -> None:
    _assert_bad_cursor("A" * (cursors.MAX_CURSOR_CHARS + 1))


def test_a_truncated_cursor_is_refused() -> None:
    cursor = cursors.encode(POSITION) or ""
    _assert_bad_cursor(cursor[:-6])


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "!!!!", "a", "%%%", "é-not-ascii", "AAAA", "null", "eyJQSyI6IngifQ"],
)
def test_garbage_is_refused(cursor: str) -> None:
    _assert_bad_cursor(cursor)


def _sealed(payload: bytes) -> str:
    nonce = b"\0" * 12
    return _cursor(nonce + cursors._ciphers()[0].encrypt(nonce, payload, b""))


def test_an_authentic_payload_that_is_not_an_object_is_refused() -> None:
    _assert_bad_cursor(_sealed(json.dumps(["PK", "SK"]).encode()))


def test_an_authentic_payload_that_is_not_json_is_refused() -> None:
    _assert_bad_cursor(_sealed(b"\xff\xfe not json"))


def test_a_cursor_signed_with_another_secret_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a cursor minted by a deployment with another secret
    monkeypatch.setenv("FLINT_CURSOR_SECRET", "another-secret")
    get_settings.cache_clear()
    foreign = cursors.encode(POSITION) or ""
    # When this deployment reads it
    monkeypatch.setenv("FLINT_CURSOR_SECRET", "our-secret")
    get_settings.cache_clear()
    # Then it is refused
    _assert_bad_cursor(foreign)


def test_a_cursor_continues_only_the_listing_it_came_from() -> None:
    cursor = cursors.encode(POSITION, scope="products?q=north") or ""
    assert cursors.decode(cursor, scope="products?q=north") == POSITION
    _assert_bad_cursor(cursor, scope="products?q=hearth")
    _assert_bad_cursor(cursor)


def test_an_unscoped_cursor_is_refused_by_a_scoped_listing() -> None:
    _assert_bad_cursor(cursors.encode(POSITION) or "", scope="products?q=")


def test_the_error_tells_the_client_to_start_again() -> None:
    with pytest.raises(BadRequest) as caught:
        cursors.decode("garbage")
    assert caught.value.body() == {
        "error": {"code": "bad_cursor", "message": "The cursor is invalid; start again without it."}
    }
