"""Page cursors: opaque and signed, so a client can hand one back but cannot forge or edit it."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator

import pytest

from chalicelib import cursors
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


def test_the_same_position_gives_the_same_cursor() -> None:
    reordered = dict(reversed(list(POSITION.items())))
    assert cursors.encode(POSITION) == cursors.encode(reordered)


@pytest.mark.parametrize("position", [None, {}])
def test_no_position_means_no_next_page(position: dict[str, object] | None) -> None:
    assert cursors.encode(position) is None


@pytest.mark.parametrize("cursor", [None, ""])
def test_no_cursor_means_the_first_page(cursor: str | None) -> None:
    assert cursors.decode(cursor) is None


def test_a_cursor_with_a_changed_signature_is_refused() -> None:
    raw = bytearray(_raw(cursors.encode(POSITION) or ""))
    raw[0] ^= 0x01
    _assert_bad_cursor(_cursor(bytes(raw)))


def test_a_cursor_with_an_edited_payload_is_refused() -> None:
    # Given a client that rewrites the position but keeps the signature
    raw = _raw(cursors.encode(POSITION) or "")
    signature, payload = raw[:16], raw[16:]
    edited = payload.replace(b"p-northpeak-04", b"p-northpeak-99")
    assert edited != payload
    # Then the cursor is refused
    _assert_bad_cursor(_cursor(signature + edited))


def test_a_truncated_cursor_is_refused() -> None:
    cursor = cursors.encode(POSITION) or ""
    _assert_bad_cursor(cursor[:-6])


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "!!!!", "a", "%%%", "é-not-ascii", "AAAA", "null", "eyJQSyI6IngifQ"],
)
def test_garbage_is_refused(cursor: str) -> None:
    _assert_bad_cursor(cursor)


def test_a_signed_payload_that_is_not_an_object_is_refused() -> None:
    payload = json.dumps(["PK", "SK"]).encode()
    _assert_bad_cursor(_cursor(cursors._sign(payload, "") + payload))


def test_a_signed_payload_that_is_not_json_is_refused() -> None:
    payload = b"\xff\xfe not json"
    _assert_bad_cursor(_cursor(cursors._sign(payload, "") + payload))


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
