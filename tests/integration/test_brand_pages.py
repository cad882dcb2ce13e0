"""Brand pages and brand follows (issue 22): the page, the catalog pages, exact follower counts,
the community list kept from the table's stream, and followed brands' posts in members' feeds."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib import clock
from chalicelib.data import feeds as feed_store
from chalicelib.data import keys, ownership
from chalicelib.services import brand_pages, erasure, feeds
from tests.conftest import SignedInMember
from tests.dynamo_counter import count_dynamodb_calls
from tests.support.brands import begin, brand_with_product, fresh_name, make_brand_world, run_aggregators
from tests.support.community import assert_error, call, ok, smile
from tests.support.feeds import BAKER, onboard

NewMember = Callable[..., SignedInMember]


@pytest.fixture(autouse=True)
def _stream_from_here(stack: Any) -> None:
    begin()  # the stream worker reads this test's records only


def _page(api: Any, brand_id: str, viewer: SignedInMember | None = None, query: str = "") -> dict[str, Any]:
    return dict(ok(call(api, "GET", f"/brands/{brand_id}/page{query}", viewer)))


def _follow(api: Any, member: SignedInMember, brand_id: str, method: str = "PUT") -> dict[str, Any]:
    return dict(ok(call(api, method, f"/brands/{brand_id}/follow", member)))


def _community(brand_id: str) -> feed_store.SharedList:
    owner = keys.brand_community_owner(brand_id)
    return feed_store.get_lists([owner])[owner]


def _add_product(api: Any, owner: SignedInMember, brand_id: str, title: str) -> dict[str, Any]:
    body = {"title": title, "price": {"amount": "20.00", "currency": "USD"}, "url": "https://x.test/p"}
    return dict(ok(call(api, "POST", f"/brands/{brand_id}/products", owner, body), 201))


def test_a_brand_page_shows_its_profile_products_and_no_followers_yet(
    api: Any, new_member: NewMember
) -> None:
    # Given a brand with two products
    owner = new_member("brand")
    brand, first = brand_with_product(api, owner, fresh_name("Northpeak"), "Tent")
    second = _add_product(api, owner, brand["id"], "Stove")

    # When anyone reads its page
    page = _page(api, brand["id"])

    # Then it shows the brand, both products and nobody following, and no community posts yet
    assert page["brand"] == {"id": brand["id"], "name": brand["name"], "followers": 0}
    assert page["followed_by_me"] is False
    assert sorted(p["id"] for p in page["products"]["items"]) == sorted([first["id"], second["id"]])
    assert all(p["brand_name"] == brand["name"] for p in page["products"]["items"])
    assert page["top_posts"] == []


def test_a_brands_products_page_one_at_a_time(api: Any, new_member: NewMember) -> None:
    # Given a brand with three products
    owner = new_member("brand")
    brand, first = brand_with_product(api, owner, fresh_name("Stride"), "Shoe")
    others = [_add_product(api, owner, brand["id"], t)["id"] for t in ("Sock", "Lace")]

    # When a client pages through its catalog one product at a time
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(5):
        query = "?limit=1" + (f"&cursor={cursor}" if cursor else "")
        answer = ok(call(api, "GET", f"/brands/{brand['id']}/products{query}"))
        seen += [p["id"] for p in answer["items"]]
        cursor = answer["next_cursor"]
        if cursor is None:
            break

    # Then every product comes once; the page's own first page is bounded by its limit
    assert sorted(seen) == sorted([first["id"], *others])
    assert len(_page(api, brand["id"], query="?limit=2")["products"]["items"]) == 2
    # And a cursor of another brand's catalog is refused
    other_brand, _ = brand_with_product(api, owner, fresh_name("Other"))
    first_page = ok(call(api, "GET", f"/brands/{brand['id']}/products?limit=1"))
    replayed = call(api, "GET", f"/brands/{other_brand['id']}/products?cursor={first_page['next_cursor']}")
    assert replayed.status_code == 400


def test_unknown_brands_are_404_and_bad_parameters_400(api: Any, new_member: NewMember) -> None:
    member = new_member()
    assert_error(call(api, "GET", "/brands/brand-nope-000/page"), 404, "not_found")
    assert_error(call(api, "GET", "/brands/brand-nope-000/products"), 404, "not_found")
    assert_error(call(api, "PUT", "/brands/brand-nope-000/follow", member), 404, "not_found")
    assert_error(call(api, "DELETE", "/brands/brand-nope-000/follow", member), 404, "not_found")
    assert call(api, "GET", "/brands/brand-nope-000/page?limit=0").status_code == 400


def test_following_needs_a_sign_in_but_not_prime(api: Any, new_member: NewMember) -> None:
    owner = new_member("brand")
    brand, _ = brand_with_product(api, owner, fresh_name("Brewlab"))
    assert call(api, "PUT", f"/brands/{brand['id']}/follow").status_code == 401
    assert _follow(api, new_member(), brand["id"]) == {"following": True, "followers": 1}


def test_following_twice_counts_once_and_unfollowing_twice_uncounts_once(
    api: Any, new_member: NewMember
) -> None:
    # Given a brand and two members
    owner = new_member("brand")
    brand, _ = brand_with_product(api, owner, fresh_name("Northpeak"))
    fan, other = new_member(), new_member("prime")

    # When one follows twice and the other once
    answers = [_follow(api, fan, brand["id"]) for _ in range(2)]
    _follow(api, other, brand["id"])

    # Then the first follow counted, the second was the idempotent answer, and the page agrees
    assert answers == [{"following": True, "followers": 1}, {"following": True, "followers": 1}]
    assert _page(api, brand["id"], fan)["followed_by_me"] is True
    assert _page(api, brand["id"])["brand"]["followers"] == 2
    listed = ok(call(api, "GET", "/me/followed-brands", fan))
    assert listed == {"items": [{"id": brand["id"], "name": brand["name"]}], "next_cursor": None}

    # When the fan unfollows twice
    undone = [_follow(api, fan, brand["id"], "DELETE") for _ in range(2)]

    # Then one follower is left, counted once
    assert undone == [{"following": False, "followers": 1}] * 2
    assert _page(api, brand["id"], fan)["followed_by_me"] is False
    assert ok(call(api, "GET", "/me/followed-brands", fan))["items"] == []


def test_a_member_may_follow_only_so_many_brands(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a cap of two brands and a member following two
    monkeypatch.setattr(brand_pages, "MAX_BRAND_FOLLOWS", 2)
    owner, fan = new_member("brand"), new_member()
    brands = [brand_with_product(api, owner, fresh_name("Cap"))[0]["id"] for _ in range(3)]
    for brand_id in brands[:2]:
        _follow(api, fan, brand_id)

    # When they follow a third: refused, uncounted; following one they follow stays idempotent
    assert_error(call(api, "PUT", f"/brands/{brands[2]}/follow", fan), 409, "too_many_brands")
    assert _page(api, brands[2])["brand"]["followers"] == 0
    assert _follow(api, fan, brands[0]) == {"following": True, "followers": 1}


def test_a_banned_member_cannot_follow_a_brand(api: Any, new_member: NewMember) -> None:
    from chalicelib.data import connection, users
    from chalicelib.data.models import UserItem

    owner, member = new_member("brand"), new_member()
    brand, _ = brand_with_product(api, owner, fresh_name("Ban"))
    call(api, "GET", "/me", member)
    key = keys.user(member.user_id)
    connection.update(UserItem(key.pk, key.sk), [UserItem.banned.set(True)])
    assert users.get_member(member.user_id) is not None

    assert_error(call(api, "PUT", f"/brands/{brand['id']}/follow", member), 403, "banned")
    assert _page(api, brand["id"])["brand"]["followers"] == 0


def test_community_posts_reach_the_page_ranked_from_the_stream(api: Any, new_member: NewMember) -> None:
    # Given a brand, a post tagging its product, and a second post that earns smiles
    world = make_brand_world(api, new_member)
    brand_id = world["brand"]["id"]
    run_aggregators()
    assert [p["id"] for p in _page(api, brand_id)["top_posts"]] == [world["post"]["id"]]

    # When the post is smiled at (the stream carries its new counts)
    for _ in range(2):
        smile(api, new_member("prime"), world["post"]["id"])
    run_aggregators()

    # Then the page shows the current count, and the list holds the post once, however often the
    # stream is replayed (absolute values)
    top = _page(api, brand_id)["top_posts"]
    assert [(p["id"], p["smile_count"]) for p in top] == [(world["post"]["id"], 2)]
    run_aggregators()  # a fresh runner replays every record of the test
    stored = _community(brand_id)
    assert [(e.post_id, e.smiles) for e in stored.entries] == [(world["post"]["id"], 2)]

    # When the author deletes it: it leaves the list
    ok(call(api, "DELETE", f"/posts/{world['post']['id']}", world["author"]), 204)
    run_aggregators()
    assert _page(api, brand_id)["top_posts"] == []
    stored = _community(brand_id)
    assert stored.entries == []


def test_a_brand_page_costs_three_requests(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_brand_world(api, new_member)
    run_aggregators()
    viewer = new_member()
    call(api, "GET", "/me", viewer)
    with count_dynamodb_calls(monkeypatch) as calls:
        page = _page(api, world["brand"]["id"], viewer)
    assert len(page["top_posts"]) == 1
    # The brand + list + viewer's profile; the products Query; the posts' hydration (plus the
    # rate-limit-free public route's activity mark for a signed-in viewer, at most one write).
    reads = {name: n for name, n in calls.items() if name in ("BatchGetItem", "Query", "GetItem")}
    assert reads == {"BatchGetItem": 2, "Query": 1}, dict(calls)


def test_a_followed_brands_posts_reach_the_feed_with_the_brand_reason(
    api: Any, new_member: NewMember
) -> None:
    # Given a follower whose interests do not include the post's (hiking), following the brand
    world = make_brand_world(api, new_member)
    brand_id, post_id = world["brand"]["id"], world["post"]["id"]
    follower = new_member()
    onboard(api, follower, BAKER)
    _follow(api, follower, brand_id)
    run_aggregators()

    # When their feed is refreshed
    assert feeds.refresh_member(follower.user_id, clock.now_iso()) > 0

    # Then the post is in it, because they follow the brand
    cards = ok(call(api, "GET", "/feed?limit=100", follower))["items"]
    reasons = {c["post"]["id"]: c["reasons"] for c in cards}
    assert f"brand:{brand_id}" in reasons[post_id]

    # When they unfollow: the next refresh drops that reason
    _follow(api, follower, brand_id, "DELETE")
    feeds.refresh_member(follower.user_id, clock.now_iso())
    cards = ok(call(api, "GET", "/feed?limit=100", follower))["items"]
    assert all(f"brand:{brand_id}" not in c["reasons"] for c in cards)


def test_erasure_takes_a_leaving_members_follows_off_the_brands(api: Any, new_member: NewMember) -> None:
    # Given a member following two brands, one of which another member follows too
    owner, leaver, stayer = new_member("brand"), new_member(), new_member()
    first, _ = brand_with_product(api, owner, fresh_name("Erase"))
    second, _ = brand_with_product(api, owner, fresh_name("Erase"))
    for brand in (first, second):
        _follow(api, leaver, brand["id"])
    _follow(api, stayer, first["id"])

    # When the erasure walks the member's brand follows
    [kind] = [k for k in erasure.kinds() if k.name == "brand_follows"]
    found = kind.find(leaver.user_id, 25, None)
    assert sorted(kind.export(b)["brand_id"] for b in found.items) == sorted([first["id"], second["id"]])
    assert all(kind.erase(leaver.user_id, b) is ownership.Erased.GONE for b in found.items)

    # Then only their follows are uncounted, and none are left to find
    assert _page(api, first["id"])["brand"]["followers"] == 1
    assert _page(api, second["id"])["brand"]["followers"] == 0
    assert kind.find(leaver.user_id, 25, None).items == []


def test_the_routes_are_in_the_openapi_document(api: Any) -> None:
    paths = json.loads(api.http.get("/openapi.json").body)["paths"]
    assert {"get"} <= set(paths["/brands/{brand_id}/page"])
    assert {"put", "delete"} <= set(paths["/brands/{brand_id}/follow"])
    assert {"get", "post"} <= set(paths["/brands/{brand_id}/products"])
    assert "get" in paths["/me/followed-brands"]
