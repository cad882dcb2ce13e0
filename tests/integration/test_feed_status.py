"""A returning member's stale feed: served at once, marked `refreshing`, and the marker cleared once
the queued refresh is done (issue 24). Feeds are aged by turning the app's clock back while they are
built; the refresh is driven by delivering the refresh queue to the worker, never by waiting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from chalicelib import clock
from local.seed import seed_interests
from tests.conftest import SignedInMember
from tests.dynamo_counter import count_dynamodb_calls
from tests.support.feeds import (
    HIKER,
    FeedEvents,
    days_ago,
    feed_page,
    idea,
    joined,
    onboard,
    queued_refreshes,
    refresh,
    update_lists,
)
from tests.support.posts import body_of

NewMember = Callable[..., SignedInMember]


pytestmark = pytest.mark.usefixtures("feeds_of_their_own")


def status(api: Any, member: SignedInMember) -> dict[str, Any]:
    response = api.http.get("/feed/status", headers=member.headers)
    assert response.status_code == 200, response.body
    return dict(body_of(response))


def _returning_hiker(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch, hours: float, posts: int = 1
) -> tuple[SignedInMember, SignedInMember, dict[str, Any]]:
    """(hiker, author, old post): a hiker whose feed, holding the author's `posts` hiking posts (the
    last returned), was built `hours` ago."""
    seed_interests()
    hiker = new_member()
    author = new_member("prime")
    old_post = [idea(api, author, ["hiking"]) for _ in range(posts)][-1]
    with days_ago(monkeypatch, hours / 24):
        onboard(api, hiker, HIKER)
        refresh(hiker.user_id)
    return hiker, author, old_post


def _ids(page: dict[str, Any]) -> list[str]:
    return [card["post"]["id"] for card in page["items"]]


def test_a_stale_feed_is_served_marked_refreshing_until_its_refresh_is_done(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a hiker whose feed was built three hours ago, and a hiking post published since
    hiker, author, old_post = _returning_hiker(api, new_member, monkeypatch, hours=3)
    new_post = idea(api, author, ["hiking"])
    update_lists()

    # When they come back
    stale = feed_page(api, hiker)

    # Then the feed they have is served at once, saying a fresher one is on its way
    assert _ids(stale) == [old_post["id"]]
    assert stale["refreshing"] is True
    assert stale["generated_at"] < clock.iso(clock.now() - timedelta(hours=2))
    assert status(api, hiker) == {"refreshing": True, "generated_at": stale["generated_at"]}
    assert [m["member_id"] for m in queued_refreshes()] == [hiker.user_id]

    # When the worker takes the refresh the read queued
    assert FeedEvents.for_app().work() == 1

    # Then the status says it is done, with a newer feed, which the next first page serves unmarked
    done = status(api, hiker)
    assert done["refreshing"] is False
    assert done["generated_at"] > stale["generated_at"]
    fresh = feed_page(api, hiker)
    assert fresh["refreshing"] is False
    assert fresh["generated_at"] == done["generated_at"]
    assert set(_ids(fresh)) == {old_post["id"], new_post["id"]}


def test_a_refresh_that_finds_nothing_new_clears_the_marker_and_keeps_the_feed(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a hiker whose feed was built an hour ago, and nothing published since
    hiker, _, old_post = _returning_hiker(api, new_member, monkeypatch, hours=1)
    stale = feed_page(api, hiker)
    assert stale["refreshing"] is True

    # When the queued refresh runs
    assert FeedEvents.for_app().work() == 1

    # Then the feed is no longer stale, and it is the same feed: the client has nothing to fetch
    assert status(api, hiker) == {"refreshing": False, "generated_at": stale["generated_at"]}
    again = feed_page(api, hiker)
    assert (again["refreshing"], again["generated_at"]) == (False, stale["generated_at"])
    assert _ids(again) == [old_post["id"]]


def test_a_member_away_for_weeks_reads_trending_marked_refreshing_then_their_own_feed(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a hiker whose only feed was built ten days ago
    hiker, _, old_post = _returning_hiker(api, new_member, monkeypatch, hours=24 * 10)

    # When they come back, they read trending, told their own feed is coming
    page = feed_page(api, hiker)
    assert page["refreshing"] is True
    assert all(card["reasons"] == ["trending"] for card in page["items"])
    FeedEvents.for_app().work()

    # Then, refreshed, their own feed is served with a different `generated_at`
    fresh = feed_page(api, hiker)
    assert fresh["refreshing"] is False
    assert fresh["generated_at"] == status(api, hiker)["generated_at"] != page["generated_at"]
    assert "interest:hiking" in fresh["items"][0]["reasons"]
    assert _ids(fresh) == [old_post["id"]]


def test_fresh_feeds_next_pages_visitors_and_members_without_a_feed_are_never_marked(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a stale hiker with two pages, a visitor and a member who has not onboarded
    hiker, _, _ = _returning_hiker(api, new_member, monkeypatch, hours=2, posts=2)
    newcomer = joined(api, new_member())

    # Then only the stale member's first page says `refreshing`
    first = feed_page(api, hiker, limit=1)
    assert first["refreshing"] is True and first["next_cursor"]
    assert feed_page(api, hiker, limit=1, cursor=first["next_cursor"])["refreshing"] is False
    assert feed_page(api)["refreshing"] is False
    assert feed_page(api, newcomer)["refreshing"] is False
    assert status(api, newcomer) == {"refreshing": False, "generated_at": None}


def test_polling_the_status_costs_one_small_get_item_and_needs_a_member(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a member with a stale feed
    hiker, _, _ = _returning_hiker(api, new_member, monkeypatch, hours=1)
    joined(api, hiker)  # the activity mark is written once per 5 minutes: not on the polls below

    # When they poll the status
    with count_dynamodb_calls(monkeypatch) as calls:
        polled = status(api, hiker)

    # Then it is one GetItem of the feed's head, and visitors are refused
    assert polled["refreshing"] is True
    assert dict(calls) == {"GetItem": 1}
    assert api.http.get("/feed/status").status_code == 401
