"""Campaigns that reach people (issue 22): the "Featured by <brand>" card in the feeds of a
campaign's audience (at most one in 20 cards), never for its holdout or members who opted out,
gone once the campaign ends or the rights are withdrawn; and the report's lift against the holdout,
counted once per member however often a batch is delivered."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from chalicelib import clock
from chalicelib.data import audiences as audience_store
from chalicelib.data import engagement as engagement_store
from chalicelib.services import engagement, featured, feeds, rights
from chalicelib.services.featured import FEATURED_EVERY
from tests.conftest import SignedInMember
from tests.dynamo_counter import count_dynamodb_calls
from tests.support.brands import (
    begin,
    event,
    fresh_name,
    make_brand_world,
    photo_post_tagging,
    receipt,
    run_aggregators,
    send_events,
    utc_day,
)
from tests.support.community import call, ok, smile
from tests.support.feeds import joined, onboard, refresh, stored_post, whole_feed

NewMember = Callable[..., SignedInMember]


@pytest.fixture(autouse=True)
def _stream_from_here(stack: Any) -> None:
    begin()


def _approve(api: Any, w: dict[str, Any], post_id: str) -> None:
    brand_id = w["brand"]["id"]
    body = {"post_id": post_id, "terms": "Featured in our campaign for 3 months, credited to you."}
    ok(call(api, "POST", f"/brands/{brand_id}/rights-requests", w["owner"], body), 201)
    ok(call(api, "POST", rights.decision_path(post_id, brand_id, "approve"), w["author"]))


@pytest.fixture
def world(api: Any, new_member: NewMember) -> dict[str, Any]:
    """A brand with an audience and a running campaign for it featuring three approved posts."""
    w = make_brand_world(api, new_member)
    brand_id = w["brand"]["id"]
    w["posts"] = [w["post"], *(photo_post_tagging(api, w["author"], [w["product"]["id"]]) for _ in range(2))]
    for post in w["posts"]:
        _approve(api, w, post["id"])
    w["audience"] = ok(
        call(api, "POST", f"/brands/{brand_id}/audiences", w["owner"], {"name": fresh_name("Campers")}), 201
    )
    body = {
        "name": "Autumn",
        "product_ids": [w["product"]["id"]],
        "starts_at": (utc_day() - timedelta(days=2)).isoformat(),
        "ends_at": (utc_day() + timedelta(days=10)).isoformat(),
        "audience_id": w["audience"]["id"],
        "featured_post_ids": [p["id"] for p in w["posts"]],
    }
    w["campaign"] = ok(call(api, "POST", f"/brands/{brand_id}/campaigns", w["owner"], body), 201)
    return w


def _member_of(api: Any, w: dict[str, Any], new_member: NewMember, *, holdout: bool) -> SignedInMember:
    """An onboarded Prime member of the audience, in (or out of) the campaign's holdout."""
    for _ in range(200):
        member = new_member("prime")
        if featured.in_holdout(w["campaign"]["id"], member.user_id) == holdout:
            break
    else:
        raise AssertionError("no member landed in the wanted group")
    onboard(api, member)
    membership = audience_store.Membership(
        w["audience"]["id"], w["brand"]["id"], member.user_id, ["hiking"], clock.now_iso(), 0
    )
    audience_store.write_memberships([membership], [])
    return member


def _featured(cards: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    return [(i, c) for i, c in enumerate(cards) if c.get("featured")]


def _report(api: Any, w: dict[str, Any]) -> dict[str, Any]:
    path = f"/brands/{w['brand']['id']}/campaigns/{w['campaign']['id']}"
    return dict(ok(call(api, "GET", path, w["owner"])))


def test_a_treated_member_sees_featured_cards_at_most_one_in_twenty(
    api: Any, world: dict[str, Any], new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a treated member of the audience whose interests hold plenty of posts
    reader = _member_of(api, world, new_member, holdout=False)
    writer = joined(api, new_member("prime"))
    for i in range(50):
        stored_post(writer.user_id, ["hiking"], clock.iso(clock.now() - timedelta(minutes=i + 1)))

    # When their feed is refreshed and read
    refresh(reader.user_id)
    cards = whole_feed(api, reader)

    # Then the campaign's posts come as labelled cards, never two within 20 consecutive cards
    shown = _featured(cards)
    assert len(shown) >= 2, [c["reasons"] for c in cards[:5]]
    for _, card in shown:
        assert card["featured"] == {
            "brand_id": world["brand"]["id"],
            "brand_name": world["brand"]["name"],
            "campaign_id": world["campaign"]["id"],
        }
        assert card["reasons"] == [f"featured:{world['brand']['id']}"]
        assert card["post"]["id"] in {p["id"] for p in world["posts"]}
        assert card["post"]["photos"][0]["tags"], "the same hotspots as any card"
    positions = [i for i, _ in shown]
    assert all(b - a >= FEATURED_EVERY for a, b in itertools.pairwise(positions)), positions
    assert len({c["post"]["id"] for _, c in shown}) == len(shown)
    # And the next refresh assigns nobody again: the head remembers the campaign (no transaction);
    # it reads the member's audiences (Query) and the featured posts' rights (one more BatchGetItem)
    with count_dynamodb_calls(monkeypatch) as calls:
        feeds.refresh_member(reader.user_id, clock.now_iso())
    assert "TransactWriteItems" not in calls and calls["BatchGetItem"] == 3, calls
    # And a first page with featured cards costs what any feed page costs: one Query, one BatchGetItem
    with count_dynamodb_calls(monkeypatch) as calls:
        ok(call(api, "GET", "/feed?limit=20", reader))
    assert calls == {"Query": 1, "BatchGetItem": 1}, calls


def test_holdout_and_opted_out_members_never_see_it(
    api: Any, world: dict[str, Any], new_member: NewMember
) -> None:
    # Given a holdout member, a member who left brand audiences, and a treated member
    held_out = _member_of(api, world, new_member, holdout=True)
    opted_out = _member_of(api, world, new_member, holdout=False)
    ok(call(api, "PATCH", "/me", opted_out, {"brand_audiences": False}))
    treated = _member_of(api, world, new_member, holdout=False)

    # When their feeds are refreshed
    for member in (held_out, opted_out, treated):
        refresh(member.user_id)

    # Then only the treated member has the card
    assert not _featured(whole_feed(api, held_out))
    assert not _featured(whole_feed(api, opted_out))
    assert _featured(whole_feed(api, treated))

    # And a treated member who opts out afterwards no longer sees it, even before their next refresh
    ok(call(api, "PATCH", "/me", treated, {"brand_audiences": False}))
    assert not _featured(whole_feed(api, treated))

    # And the report counts the holdout member and the treated one (opted-out members in no group)
    groups = _report(api, world)["holdout_lift"]
    assert (groups["treated"]["members"], groups["holdout"]["members"]) == (1, 1)


def test_an_ended_campaign_or_withdrawn_rights_remove_the_card(
    api: Any, world: dict[str, Any], new_member: NewMember
) -> None:
    # Given a treated member who sees the three featured posts in their feed
    reader = _member_of(api, world, new_member, holdout=False)
    refresh(reader.user_id)
    shown = {c["post"]["id"] for _, c in _featured(whole_feed(api, reader))}
    assert shown and shown <= {p["id"] for p in world["posts"]}
    first = _featured(whole_feed(api, reader))[0][1]["post"]["id"]

    # When the author withdraws the rights of the first card's post: it goes at once
    ok(call(api, "POST", rights.decision_path(first, world["brand"]["id"], "withdraw"), world["author"]))
    assert first not in {c["post"]["id"] for _, c in _featured(whole_feed(api, reader))}
    refresh(reader.user_id)
    assert first not in {c["post"]["id"] for _, c in _featured(whole_feed(api, reader))}

    # When the brand ends the campaign: every card goes at once, and after the next refresh too
    path = f"/brands/{world['brand']['id']}/campaigns/{world['campaign']['id']}/end"
    ok(call(api, "POST", path, world["owner"]))
    assert not _featured(whole_feed(api, reader))
    feeds.refresh_member(reader.user_id, clock.now_iso())
    assert not _featured(whole_feed(api, reader))


def test_ending_early_shortens_what_the_aggregator_attributes(api: Any, world: dict[str, Any]) -> None:
    # Given a running campaign the aggregator tracks until its last day
    run_aggregators()
    brand_id, campaign_id = world["brand"]["id"], world["campaign"]["id"]

    def tracked_last() -> str:
        state = engagement_store.read_brand(brand_id, [], [], [])
        return next(c.last for c in state.campaigns.campaigns if c.campaign_id == campaign_id)

    assert tracked_last() == world["campaign"]["ends_at"]

    # When the brand ends it today
    ok(call(api, "POST", f"/brands/{brand_id}/campaigns/{campaign_id}/end", world["owner"]))
    run_aggregators()

    # Then the aggregator attributes to it no later than today
    assert tracked_last() == utc_day().isoformat()


def test_lift_counts_engaged_members_once_each(
    api: Any, world: dict[str, Any], new_member: NewMember
) -> None:
    # Given two treated members and one holdout member, assigned at their feed refresh
    clicker = _member_of(api, world, new_member, holdout=False)
    idle = _member_of(api, world, new_member, holdout=False)
    held_out = _member_of(api, world, new_member, holdout=True)
    for member in (clicker, idle, held_out):
        refresh(member.user_id)
    run_aggregators()  # the aggregator tracks the campaign
    assert _report(api, world)["holdout_lift"]["reason"] == "zero_holdout_rate"
    post_id, product_id = world["post"]["id"], world["product"]["id"]

    # When the treated clicker clicks the product twice (two batches) and the holdout member smiles
    for kind in ("product_click", "tag_click"):
        send_events(api, [event(kind, post_id, receipt(api, post_id, clicker), product_id)], clicker)
    smile(api, held_out, post_id)
    run_aggregators()

    # Then each group counts its engaged member once: treated 1 of 2, holdout 1 of 1
    lift = _report(api, world)["holdout_lift"]
    assert lift["treated"] == {"members": 2, "engaged": 1, "rate": 0.5}
    assert lift["holdout"] == {"members": 1, "engaged": 1, "rate": 1.0}
    assert (lift["lift"], lift["reason"]) == (-0.5, None)

    # When a batch is delivered again (the same message twice) and the member clicks again later
    facts = engagement_store.post_facts([post_id])
    [message] = engagement.event_messages(
        [engagement.EventIn(type="product_click", post_id=post_id, product_id=product_id, receipt="r")],
        facts,
        clock.now(),
        f"m:{clicker.user_id}",
    )
    body = json.loads(message.body)
    engagement.aggregate([body])
    engagement.aggregate([body])

    # Then nobody is counted twice
    assert _report(api, world)["holdout_lift"] == lift


def test_a_campaign_without_audience_says_why_it_has_no_holdout_lift(api: Any, new_member: NewMember) -> None:
    w = make_brand_world(api, new_member)
    body = {
        "name": "Plain",
        "product_ids": [w["product"]["id"]],
        "starts_at": utc_day().isoformat(),
        "ends_at": (utc_day() + timedelta(days=3)).isoformat(),
    }
    created = ok(call(api, "POST", f"/brands/{w['brand']['id']}/campaigns", w["owner"], body), 201)
    report = ok(call(api, "GET", f"/brands/{w['brand']['id']}/campaigns/{created['id']}", w["owner"]))
    assert report["holdout_lift"] == {
        "treated": {"members": 0, "engaged": 0, "rate": None},
        "holdout": {"members": 0, "engaged": 0, "rate": None},
        "lift": None,
        "reason": "no_audience",
    }
