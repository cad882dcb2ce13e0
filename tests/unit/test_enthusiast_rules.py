"""The Enthusiast rule's pure parts: who ranks, in what order, and which days the window covers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from chalicelib.services.enthusiasts import rank, window_days


def test_rank_orders_by_smiles_best_first() -> None:
    assert rank({"a": 5, "b": 9, "c": 7}, top=10, min_smiles=0) == [("b", 9), ("c", 7), ("a", 5)]


def test_rank_keeps_only_members_with_the_minimum() -> None:
    assert rank({"a": 4, "b": 5, "c": 6}, top=10, min_smiles=5) == [("c", 6), ("b", 5)]


def test_rank_keeps_only_the_top_n() -> None:
    assert rank({"a": 1, "b": 2, "c": 3, "d": 4}, top=2, min_smiles=1) == [("d", 4), ("c", 3)]


def test_rank_breaks_ties_by_member_id_so_runs_are_deterministic() -> None:
    totals = {"zed": 3, "amy": 3, "kim": 3, "bob": 8}
    assert rank(totals, top=3, min_smiles=1) == [("bob", 8), ("amy", 3), ("kim", 3)]
    assert rank(dict(reversed(totals.items())), top=3, min_smiles=1) == [("bob", 8), ("amy", 3), ("kim", 3)]


def test_rank_applies_the_minimum_before_the_top_cut() -> None:
    # Ineligible members never take a place in the top N
    assert rank({"a": 1, "b": 1, "c": 9}, top=2, min_smiles=2) == [("c", 9)]


def test_rank_of_nothing_is_empty() -> None:
    assert rank({}, top=10, min_smiles=5) == []
    assert rank({"a": 0}, top=10, min_smiles=1) == []
    assert rank({"a": 7}, top=0, min_smiles=1) == []


def test_window_days_are_today_back_to_the_oldest_day() -> None:
    days = window_days(datetime(2026, 3, 15, 9, 30, tzinfo=UTC), 30)
    assert len(days) == 30
    assert days[0] == "2026-03-15"
    assert days[-1] == "2026-02-14"
    assert days == sorted(days, reverse=True)
    assert len(set(days)) == 30


def test_window_days_cross_month_year_and_leap_day() -> None:
    assert window_days(datetime(2028, 3, 1, tzinfo=UTC), 3) == ["2028-03-01", "2028-02-29", "2028-02-28"]
    assert window_days(datetime(2026, 1, 1, 0, 0, tzinfo=UTC), 2) == ["2026-01-01", "2025-12-31"]


def test_window_days_of_one_day_is_just_today() -> None:
    assert window_days(datetime(2026, 6, 1, 23, 59, 59, tzinfo=UTC), 1) == ["2026-06-01"]


def test_window_days_are_utc_days_like_the_smile_counters() -> None:
    # 20:00 in New York on 1 March is already 2 March in UTC, where the day counters were written
    new_york = timezone(timedelta(hours=-5))
    assert window_days(datetime(2026, 3, 1, 20, 0, tzinfo=new_york), 2) == ["2026-03-02", "2026-03-01"]
