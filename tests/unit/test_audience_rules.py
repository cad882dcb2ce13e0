"""Audience rules, automatic tags and what stream records change (issue 22). Pure rules: no AWS."""

from __future__ import annotations

from typing import Any

from chalicelib.data.audiences import Row
from chalicelib.data.engagement import PostFacts
from chalicelib.data.users import Member
from chalicelib.schemas.audiences import AudienceRules
from chalicelib.services.audiences import matches, roles_of, row_changes, signals_of, tags_of
from chalicelib.services.engagement import TableChange
from chalicelib.services.inbox import notifications_of

AT = "2026-12-03T10:00:00.000Z"


def _member(followers: int = 0, badges: list[str] | None = None) -> Member:
    return Member("m", "M", "", [], True, badges or [], 0, 0, followers, 0, AT)


def _row(**sets: Any) -> Row:
    return Row("b", "m", **{k: frozenset(v) for k, v in sets.items()}, last_active=AT)


def test_roles_fan_leader_and_prospect() -> None:
    assert roles_of(signals_of(_row(engaged={"s:p"}), _member())) == ["potential_customers"]
    assert roles_of(signals_of(_row(posted={"p"}), _member())) == ["fans"]
    # influence = earned / posts x (1 + log10(1 + followers)) x 1.25 with the badge: 2 x 1 < 3
    assert roles_of(signals_of(_row(posted={"p"}, earned={"a", "b"}), _member())) == ["fans"]
    # 2 x (1 + log10(10)) = 4 >= 3
    leader = signals_of(_row(posted={"p"}, earned={"a", "b"}), _member(followers=9))
    assert roles_of(leader) == ["fans", "opinion_leaders"]
    # a fan who also smiled is a fan, never a prospect
    assert roles_of(signals_of(_row(posted={"p"}, engaged={"s:q"}), _member())) == ["fans"]
    assert roles_of(signals_of(_row(), _member())) == []


def test_tags_are_roles_badge_interests_and_labels_without_colours() -> None:
    row = _row(
        posted={"p"},
        earned={"a", "b", "c"},
        interests={"hiking", "coffee"},
        labels={"tent", "red", "backpack", "blue"},
    )
    assert tags_of(signals_of(row, _member(badges=["enthusiast"]))) == [
        "fan",
        "opinion leader",
        "enthusiast",
        "coffee",
        "hiking",
        "backpack",
        "tent",
    ]


def test_every_filter_must_hold_and_list_filters_take_any_entry() -> None:
    fan = signals_of(_row(posted={"p"}, interests={"hiking"}, labels={"tent"}), _member(followers=5))
    assert matches(AudienceRules(), fan)
    assert not matches(AudienceRules(segments=["potential_customers"]), fan)
    assert matches(AudienceRules(interests=["baking", "hiking"]), fan)
    assert not matches(AudienceRules(interests=["baking"]), fan)
    assert matches(AudienceRules(labels=["tent"]), fan) and not matches(AudienceRules(labels=["mug"]), fan)
    assert matches(AudienceRules(min_followers=5), fan) and not matches(AudienceRules(min_followers=6), fan)
    assert not matches(AudienceRules(enthusiast=True), fan)


def _change(event_id: str, name: str, image: dict[str, Any]) -> TableChange:
    return TableChange(
        event_id, name, image if name != "REMOVE" else None, image if name != "INSERT" else None
    )


def test_stream_records_become_set_changes_and_self_engagement_counts_nowhere() -> None:
    post = PostFacts("p1", "au", ["prod"], ["hiking"], ["tent"], AT, True)
    brands = {"prod": "b"}
    changes = [
        _change(
            "1",
            "INSERT",
            {"type": "post", "post_id": "p1", "author_id": "au", "product_ids": ["prod"], "created_at": AT},
        ),
        _change(
            "2",
            "INSERT",
            {"type": "smile", "post_id": "p1", "user_id": "fan", "author_id": "au", "created_at": AT},
        ),
        _change(
            "3",
            "INSERT",
            {"type": "smile", "post_id": "p1", "user_id": "au", "author_id": "au", "created_at": AT},
        ),
        _change(
            "4",
            "INSERT",
            {"type": "comment", "post_id": "p1", "author_id": "fan", "comment_id": "c1", "created_at": AT},
        ),
    ]
    found = {(c.brand_id, c.member_id): c for c in row_changes(changes, {"p1": post}, brands)}
    assert set(found) == {("b", "au"), ("b", "fan")}
    author, fan = found[("b", "au")], found[("b", "fan")]
    assert author.add["posted"] == {"p1"} and author.add["labels"] == {"tent"} and len(author.earned_add) == 2
    assert fan.add["engaged"] == {"s:p1", "c:c1"} and fan.add["interests"] == {"hiking"}
    # Within a batch the last record on an element wins: a smile undone is removed, one redone is added
    unsmiled = _change("5", "REMOVE", changes[1].new or {})
    undone = {c.member_id: c for c in row_changes([changes[1], unsmiled], {"p1": post}, brands)}
    assert undone["fan"].add["engaged"] == set() and undone["fan"].remove["engaged"] == {"s:p1"}
    assert undone["au"].earned_add == set() and len(undone["au"].remove["earned"]) == 1
    redone = {c.member_id: c for c in row_changes([unsmiled, changes[1]], {"p1": post}, brands)}
    assert redone["fan"].add["engaged"] == {"s:p1"} and redone["fan"].remove["engaged"] == set()
    assert len(redone["au"].earned_add) == 1 and redone["au"].remove["earned"] == set()


def test_an_invitation_notifies_its_member_with_the_brand_as_actor() -> None:
    image = {"type": "invitation", "brand_id": "b", "member_id": "m", "audience_id": "a", "created_at": AT}
    [found] = notifications_of([TableChange("e9", "INSERT", image, None)], {})
    assert (found.member_id, found.kind, found.actor_id, found.brand_id) == ("m", "invitation", "b", "b")
    # Answering it (a MODIFY) notifies nobody again
    assert notifications_of([TableChange("e10", "MODIFY", image, image)], {}) == []
