"""View receipts and anonymous sessions: bound to a post, a viewer and an hour; forged, moved or
expired ones never count; the cursor keys' rotation never breaks one in flight."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib import caches, secrets
from chalicelib.services import receipts

NOW = datetime(2026, 11, 30, 10, 15, tzinfo=UTC)
VIEWER = receipts.member_viewer("fan")


@pytest.fixture(autouse=True)
def _fresh_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLINT_CURSOR_SECRET", "receipt-test-key")
    caches.reset()


def test_a_receipt_is_valid_for_its_post_and_viewer_this_hour_and_the_next() -> None:
    receipt = receipts.issue("post_1", "author", VIEWER, NOW)
    assert len(receipt) <= 24
    hour = receipts.hour_of(NOW)
    assert receipts.check(receipt, "post_1", VIEWER, NOW) == hour
    assert receipts.check(receipt, "post_1", VIEWER, NOW + timedelta(minutes=80)) == hour
    assert receipts.check(receipt, "post_1", VIEWER, NOW + timedelta(hours=2)) is None  # expired
    assert receipts.check(receipt, "post_1", VIEWER, NOW - timedelta(hours=1)) is None  # not yet


def test_a_receipt_is_worthless_for_another_post_viewer_or_after_any_change() -> None:
    receipt = receipts.issue("post_1", "author", VIEWER, NOW)
    assert receipts.check(receipt, "post_2", VIEWER, NOW) is None
    assert receipts.check(receipt, "post_1", receipts.member_viewer("other"), NOW) is None
    assert receipts.check(receipt, "post_1", receipts.session_viewer("s1"), NOW) is None
    for forged in (receipt[:-1] + ("A" if receipt[-1] != "A" else "B"), "", "x" * 65, "!!!!", None):
        assert receipts.check(forged, "post_1", VIEWER, NOW) is None


def test_a_receipt_shown_to_the_posts_author_never_counts() -> None:
    own = receipts.issue("post_1", "fan", VIEWER, NOW)
    assert receipts.check(own, "post_1", VIEWER, NOW) is None


def test_receipts_are_the_same_within_an_hour_so_pages_read_the_same() -> None:
    assert receipts.issue("p", "a", VIEWER, NOW) == receipts.issue(
        "p", "a", VIEWER, NOW + timedelta(minutes=40)
    )


def test_receipts_and_sessions_survive_a_rotation_of_the_cursor_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    receipt = receipts.issue("post_1", "author", VIEWER, NOW)
    session, _ = receipts.new_session(NOW)
    monkeypatch.setattr(secrets, "cursor_keys", lambda: (b"a newer key", b"receipt-test-key"))
    assert receipts.check(receipt, "post_1", VIEWER, NOW) is not None
    assert receipts.session_id(session, NOW) is not None
    monkeypatch.setattr(secrets, "cursor_keys", lambda: (b"a newer key",))
    assert receipts.check(receipt, "post_1", VIEWER, NOW) is None


def test_an_anonymous_session_lasts_a_day_and_cannot_be_forged() -> None:
    session, expires = receipts.new_session(NOW)
    sid = receipts.session_id(session, NOW)
    assert sid and expires == NOW + timedelta(days=1)
    assert receipts.session_id(session, NOW + timedelta(days=1, seconds=1)) is None
    prefix, identifier, expiry, mac = session.split(".")
    assert receipts.session_id(".".join([prefix, identifier, str(int(expiry) + 3600), mac]), NOW) is None
    assert receipts.session_id(".".join([prefix, "another-id", expiry, mac]), NOW) is None
    assert receipts.session_id("s1.x.1.y", NOW) is None and receipts.session_id(None, NOW) is None
    assert receipts.new_session(NOW)[0] != session  # every session is new
