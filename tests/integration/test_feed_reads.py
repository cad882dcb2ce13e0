"""Reading feeds: cost per page, signed cursors, live counts and deletions, who gets which feed."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from chalicelib import clock
from local.bulk import bulk_posts, post_record
from local.seed import seed_interests
from tests.conftest import SignedInMember
from tests.dynamo_counter import count_dynamodb_calls
from tests.support.feeds import (
    HIKER,
    FeedEvents,
    entry_ids,
    feed_page,
    generation_items,
    get_feed,
    idea,
    joined,
    onboard,
    queued_refreshes,
    reasons_by_post,
    refresh,
    stored_post,
    whole_feed,
)
from tests.support.posts import body_of, error_of

NewMember = Callable[..., SignedInMember]
# A signed-in page holds at most 33 cards (post + author + own smile fit one BatchGetItem), an
# anonymous one 50 (docs/data-model.md, "Read cost per page").
MEMBER_PAGE, ANONYMOUS_PAGE = 33, 50


pytestmark = pytest.mark.usefixtures("feeds_of_their_own")


def _hiking_posts(author: SignedInMember, count: int) -> list[str]:
    """`count` hiking posts, a minute apart, newest last."""
    start = clock.now() - timedelta(minutes=count)
    records = [
        post_record(author.user_id, ["hiking"], clock.iso(start + timedelta(minutes=i)), f"hike {i}")
        for i in range(count)
    ]
    bulk_posts(records)
    return [r.post_id for r in records]


def _hiker_with_a_feed(api: Any, new_member: NewMember, posts: int) -> tuple[SignedInMember, SignedInMember]:
    """(hiker, author): an onboarded hiker whose precomputed feed holds `posts` hiking posts."""
    seed_interests()
    author = joined(api, new_member("prime"))
    _hiking_posts(author, posts)
    hiker = new_member("prime")
    onboard(api, hiker, HIKER)
    FeedEvents.for_app().refresh_all()
    return hiker, author


def _ids(page: dict[str, Any]) -> list[str]:
    return [card["post"]["id"] for card in page["items"]]


# Cost


@pytest.mark.parametrize(("reader", "page_size"), [("member", MEMBER_PAGE), ("anonymous", ANONYMOUS_PAGE)])
def test_a_feed_page_costs_at_most_two_dynamodb_requests_whatever_its_size(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch, reader: str, page_size: int
) -> None:
    # Given a hiker with a precomputed feed of 120 posts (their activity mark, once per 5 minutes,
    # was written when they onboarded), which are also the trending posts a visitor reads
    hiker, _ = _hiker_with_a_feed(api, new_member, posts=120)
    viewer = hiker if reader == "member" else None

    for limit in (5, 20, 100):
        # When they read a first page and the next one
        with count_dynamodb_calls(monkeypatch) as first_calls:
            first = feed_page(api, viewer, limit)
        with count_dynamodb_calls(monkeypatch) as next_calls:
            following = feed_page(api, viewer, limit, first["next_cursor"])

        # Then each page is one Query or GetItem of the generation plus one BatchGetItem, however
        # many cards it holds
        assert first_calls == {"Query": 1, "BatchGetItem": 1}, (limit, first_calls)
        assert next_calls == {"GetItem": 1, "BatchGetItem": 1}, (limit, next_calls)
        assert len(first["items"]) == len(following["items"]) == min(limit, page_size)


def test_a_member_without_a_feed_yet_costs_one_more_query_on_the_first_page_only(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given trending posts, and a member who onboarded after the last refresh
    _hiker_with_a_feed(api, new_member, posts=60)
    newcomer = new_member()
    onboard(api, newcomer, HIKER)

    # When they read their first two pages
    with count_dynamodb_calls(monkeypatch) as first_calls:
        first = feed_page(api, newcomer, 20)
    with count_dynamodb_calls(monkeypatch) as next_calls:
        feed_page(api, newcomer, 20, first["next_cursor"])

    # Then the first page also looked in their own (empty) feed: the documented extra Query
    assert first_calls == {"Query": 2, "BatchGetItem": 1}, first_calls
    # and the next page, on trending, is back to two requests
    assert next_calls == {"GetItem": 1, "BatchGetItem": 1}, next_calls
    assert all(card["reasons"][0] == "trending" for card in first["items"])


# Cursors


def test_a_feed_walked_with_its_cursor_holds_every_card_once(api: Any, new_member: NewMember) -> None:
    hiker, _ = _hiker_with_a_feed(api, new_member, posts=45)

    cards = whole_feed(api, hiker, limit=7)

    [generation] = generation_items(hiker.user_id)
    assert [c["post"]["id"] for c in cards] == entry_ids(generation)
    assert len(cards) == 45


def test_a_tampered_feed_cursor_is_a_400(api: Any, new_member: NewMember) -> None:
    # Given a genuine cursor
    hiker, _ = _hiker_with_a_feed(api, new_member, posts=10)
    cursor = feed_page(api, hiker, 3)["next_cursor"]
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))

    # When a client edits it (the position is encrypted: any changed byte), or garbles it
    edited = bytearray(raw)
    edited[len(raw) // 2] ^= 0x01
    forged = base64.urlsafe_b64encode(bytes(edited)).decode().rstrip("=")
    assert forged != cursor

    # Then both are refused as bad cursors, never a 5xx
    for bad in (forged, cursor[:-2], "not-a-cursor", cursor + "AA"):
        assert error_of(get_feed(api, hiker, 3, bad)) == (400, "bad_cursor"), bad


def test_another_members_feed_cursor_is_a_400(api: Any, new_member: NewMember) -> None:
    # Given a hiker's cursor into their own feed
    hiker, _ = _hiker_with_a_feed(api, new_member, posts=10)
    cursor = feed_page(api, hiker, 3)["next_cursor"]
    other = new_member()
    onboard(api, other, HIKER)
    refresh(other.user_id)

    # Then neither another member nor a visitor can page with it
    assert error_of(get_feed(api, other, 3, cursor)) == (400, "bad_cursor")
    assert error_of(get_feed(api, None, 3, cursor)) == (400, "bad_cursor")


def test_a_feed_cursor_is_refused_by_another_listing(api: Any, new_member: NewMember) -> None:
    # Given a cursor into the trending feed
    _hiker_with_a_feed(api, new_member, posts=10)
    cursor = feed_page(api, None, 3)["next_cursor"]

    # Then an interest listing answers 400, not a DynamoDB error
    assert error_of(api.http.get(f"/interests/hiking/posts?cursor={cursor}")) == (400, "bad_cursor")


def test_a_cursor_outliving_its_generation_asks_the_client_to_start_again(
    api: Any, new_member: NewMember
) -> None:
    # Given a cursor into a generation that has since expired (TTL removed it)
    hiker, _ = _hiker_with_a_feed(api, new_member, posts=10)
    cursor = feed_page(api, hiker, 3)["next_cursor"]
    for item in generation_items(hiker.user_id):
        item.delete()

    # Then the cursor is refused with a code that says what to do
    assert error_of(get_feed(api, hiker, 3, cursor)) == (400, "cursor_expired")


# Freshness of what a page shows


def test_a_deleted_post_leaves_the_feed_at_once(api: Any, new_member: NewMember) -> None:
    # Given a hiker whose feed shows an author's post
    seed_interests()
    author = new_member("prime")
    post = idea(api, author, ["hiking"])
    hiker = new_member("prime")
    onboard(api, hiker, HIKER)
    FeedEvents.for_app().refresh_all()
    assert _ids(feed_page(api, hiker)) == [post["id"]]

    # When the author deletes it (no refresh runs)
    assert api.http.delete(f"/posts/{post['id']}", headers=author.headers).status_code == 204

    # Then neither the hiker's feed nor trending shows it
    assert _ids(feed_page(api, hiker)) == []
    assert _ids(feed_page(api)) == []


def test_counts_in_feed_cards_are_current(api: Any, new_member: NewMember) -> None:
    # Given a hiker whose feed was refreshed while a post had no smiles or comments
    seed_interests()
    author = new_member("prime")
    post = idea(api, author, ["hiking"])
    hiker = new_member("prime")
    onboard(api, hiker, HIKER)
    FeedEvents.for_app().refresh_all()

    # When the hiker smiles and comments after the refresh
    assert api.http.put(f"/posts/{post['id']}/smile", headers=hiker.headers).status_code == 200
    comment = api.http.post(
        f"/posts/{post['id']}/comments",
        body='{"text": "Nice trail"}',
        headers={"Content-Type": "application/json", **hiker.headers},
    )
    assert comment.status_code == 201, comment.body

    # Then the card shows them at once, and that the hiker smiled
    [card] = feed_page(api, hiker)["items"]
    assert (card["post"]["smile_count"], card["post"]["comment_count"], card["post"]["smiled_by_me"]) == (
        1,
        1,
        True,
    )
    [anonymous_card] = feed_page(api)["items"]
    assert (anonymous_card["post"]["smile_count"], anonymous_card["post"]["smiled_by_me"]) == (1, False)


def test_a_card_carries_everything_a_client_draws(api: Any, new_member: NewMember) -> None:
    seed_interests()
    author = new_member("prime")
    post = idea(api, author, ["hiking", "camping"], caption="Ridge walk")
    FeedEvents.for_app().refresh_all()

    [card] = feed_page(api)["items"]

    assert card["post"]["caption"] == "Ridge walk"
    profile = body_of(api.http.get(f"/users/{author.user_id}"))
    assert card["post"]["author"] == {
        "id": author.user_id,
        "display_name": profile["display_name"],
        "badges": [],
        "avatar_url": None,
    }
    assert card["post"]["interests"] == ["hiking", "camping"]
    assert card["post"]["created_at"] == post["created_at"]
    assert "body" not in card["post"]


# Who reads which feed


def test_visitors_and_members_not_yet_onboarded_read_the_trending_feed(
    api: Any, new_member: NewMember
) -> None:
    # Given a hiker with a personal feed, and posts outside hiking
    hiker, author = _hiker_with_a_feed(api, new_member, posts=3)
    baking = stored_post(author.user_id, ["baking"], clock.now_iso())
    FeedEvents.for_app().refresh_all()
    newcomer = joined(api, new_member())

    # When a visitor and a member without interests read the feed
    visitor_cards = whole_feed(api, None)
    newcomer_cards = whole_feed(api, newcomer)

    # Then both read the same trending feed, every card saying so, including posts outside hiking
    [trending] = generation_items("TRENDING")[-1:]
    expected = entry_ids(trending)
    assert [c["post"]["id"] for c in visitor_cards] == expected
    assert [c["post"]["id"] for c in newcomer_cards] == expected
    assert baking in expected
    assert all("trending" in c["reasons"] for c in visitor_cards + newcomer_cards)
    # while in the hiker's own feed the baking post is only there for trending
    hiker_reasons = reasons_by_post(whole_feed(api, hiker))
    assert hiker_reasons[baking] == ["trending"]
    assert all("interest:hiking" in r for post_id, r in hiker_reasons.items() if post_id != baking)


def test_an_empty_world_has_an_empty_feed(api: Any, new_member: NewMember) -> None:
    member = joined(api, new_member())

    empty = {"items": [], "next_cursor": None, "generated_at": None, "refreshing": False}
    assert feed_page(api) == empty
    assert feed_page(api, member) == empty
    queued_refreshes(release=False)


def test_an_interest_listing_stays_newest_first_whatever_the_engagement(
    api: Any, new_member: NewMember
) -> None:
    # Given three hiking posts, the oldest one much smiled at and refreshed into feeds
    seed_interests()
    author = new_member("prime")
    posts = [idea(api, author, ["hiking"], caption=f"hike {i}")["id"] for i in range(3)]
    for _ in range(3):
        fan = new_member("prime")
        assert api.http.put(f"/posts/{posts[0]}/smile", headers=fan.headers).status_code == 200
    FeedEvents.for_app().refresh_all()
    assert _ids(feed_page(api))[0] == posts[0]  # trending ranks it first

    # When anyone lists the interest
    listing = body_of(api.http.get("/interests/hiking/posts?limit=2"))
    rest = body_of(api.http.get(f"/interests/hiking/posts?limit=2&cursor={listing['next_cursor']}"))

    # Then it is newest first, page after page
    assert [p["id"] for p in listing["items"] + rest["items"]] == posts[::-1]
