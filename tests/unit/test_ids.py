"""Server-chosen ids: URL-safe, prefixed, unguessable, and later ids sort after earlier ones."""

from __future__ import annotations

import re

import pytest

from chalicelib import ids

CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def test_an_id_is_its_prefix_an_underscore_and_26_lower_case_base32_chars() -> None:
    new = ids.new_id("post")
    assert re.fullmatch(rf"post_[{CROCKFORD}]{{26}}", new)


def test_an_id_is_url_safe() -> None:
    new = ids.new_id("prod")
    assert re.fullmatch(r"[A-Za-z0-9_-]+", new)


def test_ids_do_not_repeat() -> None:
    made = {ids.new_id("c") for _ in range(5000)}
    assert len(made) == 5000


def test_ids_of_the_same_millisecond_differ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ids.time, "time", lambda: 1_800_000_000.123)
    assert ids.new_id("x") != ids.new_id("x")


@pytest.mark.parametrize("step", [0.001, 1.0, 86_400.0, 10 * 365 * 86_400.0])
def test_a_later_id_sorts_after_an_earlier_one(monkeypatch: pytest.MonkeyPatch, step: float) -> None:
    # Given two ids made `step` seconds apart
    moments = iter([1_800_000_000.0, 1_800_000_000.0 + step])
    monkeypatch.setattr(ids.time, "time", lambda: next(moments))
    earlier, later = ids.new_id("post"), ids.new_id("post")
    # Then string order is time order, whatever the random part
    assert earlier < later


def test_ids_made_in_sequence_sort_in_that_order(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter(1_700_000_000 + n * 0.002 for n in range(200))
    monkeypatch.setattr(ids.time, "time", lambda: next(clock))
    made = [ids.new_id("cmt") for _ in range(200)]
    assert made == sorted(made)


def test_the_time_part_is_fixed_width_for_millennia() -> None:
    # 10 base32 chars hold 32**10 ms, about 35,000 years from the epoch
    assert len(ids._base32(0, 10)) == 10
    assert len(ids._base32(32**10 - 1, 10)) == 10
    assert ids._base32(0, 10) < ids._base32(1, 10) < ids._base32(32**10 - 1, 10)
