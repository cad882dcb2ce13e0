"""UGC rights requests and shoppable galleries (issue 22): a brand asks, the author decides in the
inbox, only approved posts are featured, and deleting the post or leaving Flint takes the rights back.

The table's stream is delivered as Lambda's mapping would (tests/support/brands.run_aggregators).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib import caches
from chalicelib.data import ownership
from chalicelib.services import erasure, rights
from tests.conftest import SignedInMember
from tests.dynamo_counter import count_dynamodb_calls
from tests.support.brands import begin, brand_with_product, fresh_name, make_brand_world, run_aggregators
from tests.support.community import assert_error, call, ok
from tests.support.uploads import jpeg_bytes, upload_image

NewMember = Callable[..., SignedInMember]
TERMS = "Feature on northpeak.example and in our newsletter for 12 months, credited to you."


@pytest.fixture(autouse=True)
def _stream_from_here(stack: Any) -> None:
    begin()  # the stream worker reads this test's records only


@pytest.fixture
def world(api: Any, new_member: NewMember) -> dict[str, Any]:
    return make_brand_world(api, new_member)


def _ask(api: Any, world: dict[str, Any], post_id: str | None = None, terms: str = TERMS) -> Any:
    body = {"post_id": post_id or world["post"]["id"], "terms": terms}
    return call(api, "POST", f"/brands/{world['brand']['id']}/rights-requests", world["owner"], body)


def _decide(api: Any, member: Any, world: dict[str, Any], decision: str, post_id: str | None = None) -> Any:
    path = rights.decision_path(post_id or world["post"]["id"], world["brand"]["id"], decision)
    return call(api, "POST", path, member)


def _requests(api: Any, world: dict[str, Any]) -> list[dict[str, Any]]:
    return list(
        ok(call(api, "GET", f"/brands/{world['brand']['id']}/rights-requests", world["owner"]))["items"]
    )


def _rights_notifications(api: Any, member: Any) -> list[dict[str, Any]]:
    inbox = ok(call(api, "GET", "/me/notifications", member))
    return [n for n in inbox["items"] if n["type"] == "rights_request"]


def _gallery(api: Any, world: dict[str, Any], post_ids: list[str]) -> Any:
    body = {"name": "Summer camp", "post_ids": post_ids}
    return call(api, "POST", f"/brands/{world['brand']['id']}/galleries", world["owner"], body)


def _photo_post(api: Any, author: Any, product_id: str) -> dict[str, Any]:
    upload_id = upload_image(api, author, jpeg_bytes(64, 48))
    body = {
        "kind": "photo",
        "caption": "Another camp",
        "interests": ["hiking"],
        "photos": [{"upload_id": upload_id, "tags": [{"product_id": product_id, "x": 0.25, "y": 0.75}]}],
    }
    return dict(ok(call(api, "POST", "/posts", author, body), 201))


def test_a_request_reaches_the_authors_inbox_with_its_terms_and_actions(
    api: Any, world: dict[str, Any]
) -> None:
    # When the brand asks for the post's rights and the stream is delivered
    asked = ok(_ask(api, world), 201)
    run_aggregators()

    # Then the brand sees it pending, with the post
    assert asked["status"] == "pending" and asked["terms"] == TERMS
    listed = _requests(api, world)
    assert [(r["post_id"], r["status"]) for r in listed] == [(world["post"]["id"], "pending")]
    assert listed[0]["post"]["id"] == world["post"]["id"]
    # And the author's inbox shows the brand, the terms and approve / decline
    [note] = _rights_notifications(api, world["author"])
    assert note["brand"] == {"id": world["brand"]["id"], "name": world["brand"]["name"]}
    assert note["actor"]["display_name"] == world["brand"]["name"] and note["text"] == TERMS
    assert note["post_id"] == world["post"]["id"] and note["unread"]
    assert [(a["name"], a["method"]) for a in note["actions"]] == [("approve", "POST"), ("decline", "POST")]
    assert note["actions"][0]["path"] == rights.decision_path(
        world["post"]["id"], world["brand"]["id"], "approve"
    )
    # And plain notifications carry no actions
    ok(call(api, "PUT", f"/users/{world['author'].user_id}/follow", world["owner"]))
    run_aggregators()
    plain = [
        n
        for n in ok(call(api, "GET", "/me/notifications", world["author"]))["items"]
        if n["type"] == "follower"
    ]
    assert plain and plain[0]["actions"] is None and plain[0]["brand"] is None


def test_only_the_author_decides_and_only_once(
    api: Any, world: dict[str, Any], new_member: NewMember
) -> None:
    ok(_ask(api, world), 201)
    run_aggregators()
    stranger = new_member("prime")

    # Neither a stranger nor the brand can answer for the author
    assert_error(_decide(api, stranger, world, "approve"), 403, "not_owner")
    assert_error(_decide(api, world["owner"], world, "approve"), 403, "not_owner")
    # An unknown request is a 404
    assert_error(_decide(api, world["author"], world, "approve", post_id="post_unknown"), 404, "not_found")

    # The author approves; then a decline is too late, and the inbox's actions are gone
    approved = ok(_decide(api, world["author"], world, "approve"))
    assert approved["status"] == "approved" and approved["decided_at"]
    assert_error(_decide(api, world["author"], world, "decline"), 409, "already_decided")
    assert_error(_decide(api, world["author"], world, "approve"), 409, "already_decided")
    [note] = _rights_notifications(api, world["author"])
    assert note["actions"] is None
    assert [r["status"] for r in _requests(api, world)] == ["approved"]


def test_one_open_request_per_brand_and_post_and_asking_again_after_a_decline(
    api: Any, world: dict[str, Any]
) -> None:
    ok(_ask(api, world), 201)
    # A second request while the first is pending is refused
    assert_error(_ask(api, world, terms="Other terms"), 409, "already_exists")
    run_aggregators()
    ok(_decide(api, world["author"], world, "decline"))
    # After a decline the brand may ask again: one request, pending, and a new notification
    again = ok(_ask(api, world, terms="Better terms"), 201)
    run_aggregators()
    assert again["status"] == "pending"
    assert [(r["status"], r["terms"]) for r in _requests(api, world)] == [("pending", "Better terms")]
    notes = _rights_notifications(api, world["author"])
    assert [n["text"] for n in notes] == ["Better terms", TERMS]
    assert notes[0]["actions"] and notes[1]["actions"]  # both name the same (pending) request
    # An approved request is open too
    ok(_decide(api, world["author"], world, "approve"))
    assert_error(_ask(api, world), 409, "already_exists")


def test_only_approved_posts_can_be_featured(api: Any, world: dict[str, Any]) -> None:
    post_id, brand_id = world["post"]["id"], world["brand"]["id"]
    # Not asked, then pending: a gallery refuses the post
    assert not rights.is_featurable(brand_id, post_id)
    refused = assert_error(_gallery(api, world, [post_id]), 409, "not_featurable")
    assert post_id in refused["details"][0]["message"]
    ok(_ask(api, world), 201)
    assert_error(_gallery(api, world, [post_id]), 409, "not_featurable")
    # Declined: still refused
    ok(_decide(api, world["author"], world, "decline"))
    assert not rights.is_featurable(brand_id, post_id)
    assert_error(_gallery(api, world, [post_id]), 409, "not_featurable")
    # Approved: featured, with its hotspot
    ok(_ask(api, world), 201)
    ok(_decide(api, world["author"], world, "approve"))
    assert rights.is_featurable(brand_id, post_id)
    gallery = ok(_gallery(api, world, [post_id]), 201)
    shown = ok(call(api, "GET", f"/galleries/{gallery['id']}"))
    assert shown["brand"]["id"] == brand_id and [p["id"] for p in shown["posts"]] == [post_id]
    [tag] = shown["posts"][0]["photos"][0]["tags"]
    assert (tag["product_id"], tag["x"], tag["y"]) == (world["product"]["id"], 0.5, 0.5)
    # And the author can take the approval back: the gallery stops showing it
    ok(_decide(api, world["author"], world, "withdraw"))
    assert not rights.is_featurable(brand_id, post_id)
    assert ok(call(api, "GET", f"/galleries/{gallery['id']}"))["posts"] == []


def test_a_gallery_keeps_the_brands_order_and_is_edited_whole(api: Any, world: dict[str, Any]) -> None:
    second = _photo_post(api, world["author"], world["product"]["id"])
    for post_id in (world["post"]["id"], second["id"]):
        ok(_ask(api, world, post_id), 201)
        ok(_decide(api, world["author"], world, "approve", post_id))
    gallery = ok(_gallery(api, world, [second["id"], world["post"]["id"]]), 201)
    assert [p["id"] for p in ok(call(api, "GET", f"/galleries/{gallery['id']}"))["posts"]] == [
        second["id"],
        world["post"]["id"],
    ]
    path = f"/brands/{world['brand']['id']}/galleries/{gallery['id']}"
    edited = ok(call(api, "PUT", path, world["owner"], {"name": "Autumn", "post_ids": [world["post"]["id"]]}))
    assert edited["name"] == "Autumn" and edited["post_ids"] == [world["post"]["id"]]
    listed = ok(call(api, "GET", f"/brands/{world['brand']['id']}/galleries", world["owner"]))["items"]
    assert [(g["id"], g["name"]) for g in listed] == [(gallery["id"], "Autumn")]
    # A post twice is a 422; an unknown gallery a 404
    twice = {"name": "x", "post_ids": [second["id"], second["id"]]}
    assert_error(call(api, "PUT", path, world["owner"], twice), 422, "validation_error")
    assert_error(
        call(
            api,
            "PUT",
            f"/brands/{world['brand']['id']}/galleries/gal_nope",
            world["owner"],
            twice | {"post_ids": []},
        ),
        404,
        "not_found",
    )
    assert_error(call(api, "GET", "/galleries/gal_nope"), 404, "not_found")


def test_deleting_the_post_withdraws_its_rights(api: Any, world: dict[str, Any]) -> None:
    post_id = world["post"]["id"]
    ok(_ask(api, world), 201)
    ok(_decide(api, world["author"], world, "approve"))
    gallery = ok(_gallery(api, world, [post_id]), 201)

    # When the author deletes the post and the stream is delivered
    ok(call(api, "DELETE", f"/posts/{post_id}", world["author"]), 204)
    run_aggregators()

    # Then the brand sees the rights withdrawn, and the gallery no longer shows it
    [request] = _requests(api, world)
    assert request["status"] == "withdrawn" and request["post"] is None
    assert not rights.is_featurable(world["brand"]["id"], post_id)
    assert ok(call(api, "GET", f"/galleries/{gallery['id']}"))["posts"] == []
    # And nobody can ask for it any more
    assert_error(_ask(api, world), 404, "not_found")


def test_the_authors_erasure_withdraws_their_rights(api: Any, world: dict[str, Any]) -> None:
    post_id, author = world["post"]["id"], world["author"]
    ok(_ask(api, world), 201)
    ok(_decide(api, author, world, "approve"))
    gallery = ok(_gallery(api, world, [post_id]), 201)

    # When the erasure job walks the author's posts and rights requests
    kinds = {k.name: k for k in erasure.kinds()}
    for name in ("posts", "rights_requests"):
        found = kinds[name].find(author.user_id, 25, None)
        assert found.items, name
        assert all(kinds[name].erase(author.user_id, i) is ownership.Erased.GONE for i in found.items)
    run_aggregators()

    # Then the request is withdrawn and names the author no more; the gallery shows nothing
    assert kinds["rights_requests"].find(author.user_id, 25, None).items == []
    [request] = _requests(api, world)
    assert request["status"] == "withdrawn"
    assert not rights.is_featurable(world["brand"]["id"], post_id)
    assert ok(call(api, "GET", f"/galleries/{gallery['id']}"))["posts"] == []


def test_another_brand_and_plain_members_are_refused(
    api: Any, world: dict[str, Any], new_member: NewMember
) -> None:
    other_owner = new_member("brand")
    other, _ = brand_with_product(api, other_owner, fresh_name("Stride"))
    brand_id = world["brand"]["id"]
    ok(_ask(api, world), 201)
    ok(_decide(api, world["author"], world, "approve"))
    gallery = ok(_gallery(api, world, [world["post"]["id"]]), 201)
    body = {"post_id": world["post"]["id"], "terms": TERMS}

    # Another brand's owner cannot ask, list, build or edit for this brand
    assert_error(
        call(api, "POST", f"/brands/{brand_id}/rights-requests", other_owner, body), 403, "not_owner"
    )
    assert_error(call(api, "GET", f"/brands/{brand_id}/rights-requests", other_owner), 403, "not_owner")
    gallery_body = {"name": "Mine", "post_ids": [world["post"]["id"]]}
    assert_error(
        call(api, "POST", f"/brands/{brand_id}/galleries", other_owner, gallery_body), 403, "not_owner"
    )
    assert_error(
        call(api, "PUT", f"/brands/{brand_id}/galleries/{gallery['id']}", other_owner, gallery_body),
        403,
        "not_owner",
    )
    # Nor feature this brand's approved post in its own gallery (the rights are per brand)
    assert_error(
        call(api, "POST", f"/brands/{other['id']}/galleries", other_owner, gallery_body),
        409,
        "not_featurable",
    )
    # Nor edit this brand's gallery through its own brand
    assert_error(
        call(api, "PUT", f"/brands/{other['id']}/galleries/{gallery['id']}", other_owner, gallery_body),
        404,
        "not_found",
    )
    # A plain member is not a brand account; an unknown brand is a 404
    member = new_member("prime")
    assert_error(
        call(api, "POST", f"/brands/{brand_id}/rights-requests", member, body), 403, "brand_required"
    )
    assert_error(call(api, "POST", "/brands/brand_nope/rights-requests", other_owner, body), 404, "not_found")


def test_only_visible_posts_of_others_can_be_asked_for(
    api: Any, world: dict[str, Any], new_member: NewMember
) -> None:
    # An unknown post: 404
    assert_error(_ask(api, world, "post_unknown"), 404, "not_found")
    # A post a moderator hid: 404 as well
    moderator = new_member("moderator")
    other = _photo_post(api, world["author"], world["product"]["id"])
    hide = {"action": "hide", "target": {"type": "post", "id": other["id"]}}
    ok(call(api, "POST", "/moderation/actions", moderator, hide))
    assert_error(_ask(api, world, other["id"]), 404, "not_found")
    # An author who blocked the brand's account: 403
    ok(call(api, "PUT", f"/users/{world['owner'].user_id}/block", world["author"]))
    assert_error(_ask(api, world), 403, "blocked")


def test_a_brands_own_post_cannot_be_asked_for(api: Any, new_member: NewMember) -> None:
    owner = new_member("brand", "prime")
    brand, product = brand_with_product(api, owner, fresh_name("Selfie"))
    post = _photo_post(api, owner, product["id"])
    body = {"post_id": post["id"], "terms": TERMS}
    assert_error(
        call(api, "POST", f"/brands/{brand['id']}/rights-requests", owner, body), 422, "validation_error"
    )


@pytest.mark.usefixtures("steady_limit_windows")
def test_requests_are_limited_per_brand(
    api: Any, world: dict[str, Any], new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a limit of 2 requests an hour per brand, and three posts
    monkeypatch.setenv("FLINT_RATE_LIMITS", json.dumps({"rights_requests": [2, 3600]}))
    caches.reset()
    posts = [world["post"]["id"]] + [
        _photo_post(api, world["author"], world["product"]["id"])["id"] for _ in range(2)
    ]
    # The third request of the brand is refused with Retry-After
    ok(_ask(api, world, posts[0]), 201)
    ok(_ask(api, world, posts[1]), 201)
    refused = _ask(api, world, posts[2])
    assert_error(refused, 429, "rate_limited")
    assert int(refused.headers["Retry-After"]) > 0
    # But the same account's other brand has its own limit
    second_brand, _ = brand_with_product(api, world["owner"], fresh_name("Second"))
    body = {"post_id": posts[2], "terms": TERMS}
    ok(call(api, "POST", f"/brands/{second_brand['id']}/rights-requests", world["owner"], body), 201)


def test_a_public_gallery_read_costs_three_requests_whatever_its_size(
    api: Any, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    post_ids = [world["post"]["id"]] + [
        _photo_post(api, world["author"], world["product"]["id"])["id"] for _ in range(3)
    ]
    for post_id in post_ids:
        ok(_ask(api, world, post_id), 201)
        ok(_decide(api, world["author"], world, "approve", post_id))
    small = ok(_gallery(api, world, post_ids[:1]), 201)
    large = ok(_gallery(api, world, post_ids), 201)

    for gallery, shown in ((small, 1), (large, 4)):
        with count_dynamodb_calls(monkeypatch) as calls:
            response = call(api, "GET", f"/galleries/{gallery['id']}")
        assert len(ok(response)["posts"]) == shown
        # One GetItem (the gallery), one BatchGetItem (brand, posts, rights), one (authors)
        assert calls == {"GetItem": 1, "BatchGetItem": 2}, calls
        assert response.headers["Cache-Control"] == "public, max-age=60"


def test_a_gallery_read_with_a_session_carries_receipts_and_is_private(
    api: Any, world: dict[str, Any]
) -> None:
    from tests.support.brands import SESSION_HEADER, new_session

    ok(_ask(api, world), 201)
    ok(_decide(api, world["author"], world, "approve"))
    gallery = ok(_gallery(api, world, [world["post"]["id"]]), 201)
    response = api.http.get(f"/galleries/{gallery['id']}", headers={SESSION_HEADER: new_session(api)})
    assert ok(response)["posts"][0]["receipt"]
    assert response.headers["Cache-Control"] == "private, max-age=60"
    assert ok(call(api, "GET", f"/galleries/{gallery['id']}"))["posts"][0]["receipt"] is None
