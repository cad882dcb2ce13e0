"""Rules of campaigns' featured slots (services/featured.py) and the lift against the holdout
(services/campaigns.py): no AWS."""

from __future__ import annotations

import itertools
import uuid

from chalicelib.data.featured import Groups
from chalicelib.services import featured
from chalicelib.services.campaigns import holdout_lift


def test_the_holdout_is_a_stable_tenth_of_each_audience() -> None:
    members = [str(uuid.UUID(int=i)) for i in range(20_000)]
    held = [m for m in members if featured.in_holdout("camp_a", m)]
    assert 0.09 < len(held) / len(members) < 0.11
    assert held == [m for m in members if featured.in_holdout("camp_a", m)]  # deterministic
    other = {m for m in members if featured.in_holdout("camp_b", m)}
    assert len(other & set(held)) < 0.2 * len(held)  # independent between campaigns


def test_cards_go_fourth_then_every_twenty_and_never_two_in_twenty_consecutive() -> None:
    entries = [f"p{i}" for i in range(100)]
    cards = ["f1", "f2", "f3", "f4", "f5", "f6"]
    placed = featured.interleave(entries, cards)
    positions = [i for i, e in enumerate(placed) if e.startswith("f")]
    assert positions[:2] == [featured.FEATURED_FIRST, featured.FEATURED_FIRST + featured.FEATURED_EVERY]
    assert all(b - a >= featured.FEATURED_EVERY for a, b in itertools.pairwise(positions))
    for start in range(len(placed)):
        assert sum(e.startswith("f") for e in placed[start : start + featured.FEATURED_EVERY]) <= 1
    assert [e for e in placed if not e.startswith("f")] == entries


def test_a_short_feed_gets_one_card_at_its_end_and_an_empty_one_just_the_card() -> None:
    assert featured.interleave(["a", "b"], ["f1", "f2"]) == ["a", "b", "f1"]
    assert featured.interleave([], ["f1"]) == ["f1"]
    assert featured.interleave(["a"], []) == ["a"]


def test_lift_against_the_holdout_or_why_not() -> None:
    lift = holdout_lift(Groups(treated=200, holdout=20, treated_engaged=30, holdout_engaged=2), True)
    assert (lift.treated.rate, lift.holdout.rate, lift.lift, lift.reason) == (0.15, 0.1, 0.5, None)
    assert holdout_lift(None, False).reason == "no_audience"
    assert holdout_lift(Groups(treated=5, treated_engaged=1), True).reason == "empty_holdout"
    assert holdout_lift(Groups(holdout=5, holdout_engaged=1), True).reason == "empty_treated"
    zero = holdout_lift(Groups(treated=9, holdout=1, treated_engaged=3), True)
    assert (zero.lift, zero.reason, zero.holdout.rate) == (None, "zero_holdout_rate", 0.0)


def test_a_card_is_shown_only_while_featurable_running_and_wanted() -> None:
    def shown(**change: object) -> bool:
        args: dict[str, object] = {
            "post_id": "p",
            "brand_id": "b",
            "campaign_id": "c",
            "last": "2026-12-10",
            "today": "2026-12-04",
            "featurable": {("p", "b")},
            "open_campaigns": {"c"},
            "viewer_opted_out": False,
        } | change
        return featured.still_shown(**args)  # type: ignore[arg-type]

    assert shown()
    assert not shown(featurable=set())
    assert not shown(open_campaigns=set())
    assert not shown(today="2026-12-11")
    assert not shown(viewer_opted_out=True)
