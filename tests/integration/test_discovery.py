"""Image discovery and tag suggestions (issue 22): suggested tags on a ready upload, brands'
untagged mentions (from the stream), a tag suggestion through the inbox, accepted into the post."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.services import discovery
from local.seed import seed_interests
from tests.conftest import SignedInMember
from tests.dynamo_counter import count_dynamodb_calls
from tests.support.brands import begin, brand_with_product, fresh_name, run_aggregators
from tests.support.community import assert_error, call, ok
from tests.support.discovery import packshot, photo_showing, plain_photo
from tests.support.posts import photo, post_body
from tests.support.uploads import upload_image, upload_status

NewMember = Callable[..., SignedInMember]
TEAL = (20, 130, 130)


@pytest.fixture(autouse=True)
def _stream_from_here(stack: Any) -> None:
    begin()  # the stream worker reads this test's records only


def _world(api: Any, new_member: NewMember, *, tagged: bool = False) -> dict[str, Any]:
    """A brand whose teal bottle is indexed, and a Prime member's photo showing it (untagged unless
    `tagged`), published; the stream delivered."""
    seed_interests()
    owner = new_member("brand", name="Brand Owner")
    brand, product = brand_with_product(api, owner, fresh_name("Bottleworks"), title="Teal Bottle")
    assert discovery.index_product_image(product["id"], packshot(TEAL))
    author = new_member("prime", name="Author")
    upload_id = upload_image(api, author, photo_showing(TEAL, (0.3, 0.6)))
    tags = [(product["id"], 0.3, 0.6)] if tagged else []
    post = ok(call(api, "POST", "/posts", author, post_body(photos=[photo(upload_id, *tags)])), 201)
    run_aggregators()
    return {
        "owner": owner,
        "brand": brand,
        "product": product,
        "author": author,
        "post": post,
        "upload": upload_id,
    }


def _mentions(api: Any, world: dict[str, Any]) -> list[dict[str, Any]]:
    page = ok(call(api, "GET", f"/brands/{world['brand']['id']}/mentions", world["owner"]))
    return list(page["items"])


def _suggest(api: Any, world: dict[str, Any], **overrides: Any) -> Any:
    body = {"post_id": world["post"]["id"], "product_id": world["product"]["id"], "x": 0.3, "y": 0.6}
    return call(
        api, "POST", f"/brands/{world['brand']['id']}/tag-suggestions", world["owner"], {**body, **overrides}
    )


def test_a_ready_upload_suggests_the_products_it_shows(api: Any, new_member: NewMember) -> None:
    world = _world(api, new_member)
    status = upload_status(api, world["author"], world["upload"])
    mine = [t for t in status["suggested_tags"] if t["product_id"] == world["product"]["id"]]
    assert mine and mine[0]["title"] == "Teal Bottle" and mine[0]["confidence"] >= discovery.MATCH_THRESHOLD
    assert abs(mine[0]["x"] - 0.3) < 0.1 and abs(mine[0]["y"] - 0.6) < 0.1


def test_an_untagged_photo_of_the_product_is_a_mention_for_its_brand_only(
    api: Any, new_member: NewMember
) -> None:
    world = _world(api, new_member)
    [mention] = _mentions(api, world)
    assert mention["post"]["id"] == world["post"]["id"] and mention["product_id"] == world["product"]["id"]
    assert mention["confidence"] >= discovery.MATCH_THRESHOLD and mention["suggestion"] is None
    # Another brand's owner, and a member without the brand group, are refused
    stranger = new_member("brand")
    path = f"/brands/{world['brand']['id']}/mentions"
    assert_error(call(api, "GET", path, stranger), 403, "not_owner")
    assert_error(call(api, "GET", path, world["author"]), 403, "brand_required")


def test_a_tagged_photo_is_no_mention(api: Any, new_member: NewMember) -> None:
    world = _world(api, new_member, tagged=True)
    assert _mentions(api, world) == []


def test_a_suggestion_is_sent_once_and_reaches_the_authors_inbox_with_actions(
    api: Any, new_member: NewMember
) -> None:
    world = _world(api, new_member)
    sent = ok(_suggest(api, world), 201)
    assert sent["status"] == "pending" and sent["brand_id"] == world["brand"]["id"]
    assert_error(_suggest(api, world), 409, "already_exists")
    run_aggregators()

    inbox = ok(call(api, "GET", "/me/notifications", world["author"]))
    [note] = [n for n in inbox["items"] if n["type"] == "tag_suggestion"]
    assert note["actor"]["id"] == world["owner"].user_id
    assert note["post_id"] == world["post"]["id"] and note["product_id"] == world["product"]["id"]
    base = f"/posts/{world['post']['id']}/tag-suggestions/{world['product']['id']}"
    assert note["actions"] == [
        {"name": "accept", "method": "POST", "path": f"{base}/accept"},
        {"name": "decline", "method": "POST", "path": f"{base}/decline"},
    ]
    assert _mentions(api, world)[0]["suggestion"] == "pending"


def test_an_answered_suggestion_offers_no_actions_any_more(api: Any, new_member: NewMember) -> None:
    # Given a suggestion in the author's inbox, with its actions
    world = _world(api, new_member)
    ok(_suggest(api, world), 201)
    run_aggregators()
    [note] = _suggestion_notes(api, world)
    decline = next(a["path"] for a in note["actions"] if a["name"] == "decline")

    # When the author declines it
    ok(call(api, "POST", decline, world["author"]))

    # Then the notification stays, without buttons
    [note] = _suggestion_notes(api, world)
    assert note["product_id"] == world["product"]["id"] and note["actions"] is None


def test_an_inbox_page_reads_what_its_notifications_ask_in_its_one_batch(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an author asked by the brand both for rights to the post and to tag its product
    world = _world(api, new_member)
    ok(_suggest(api, world), 201)
    body = {"post_id": world["post"]["id"], "terms": "Feature it on our site for a year."}
    ok(call(api, "POST", f"/brands/{world['brand']['id']}/rights-requests", world["owner"], body), 201)
    run_aggregators()
    ok(call(api, "GET", "/me/notifications", world["author"]))  # the caller's profile is warm

    # When the author reads the inbox
    with count_dynamodb_calls(monkeypatch) as calls:
        inbox = ok(call(api, "GET", "/me/notifications", world["author"]))

    # Then both are open, and the page took one Query and one BatchGetItem: the actors and brand,
    # block list, read mark, the rights request's and the suggestion's statuses together
    assert sorted(n["type"] for n in inbox["items"] if n["actions"]) == ["rights_request", "tag_suggestion"]
    assert dict(calls) == {"Query": 1, "BatchGetItem": 1}, calls


def _suggestion_notes(api: Any, world: dict[str, Any]) -> list[dict[str, Any]]:
    inbox = ok(call(api, "GET", "/me/notifications", world["author"]))
    return [n for n in inbox["items"] if n["type"] == "tag_suggestion"]


def test_accepting_adds_the_tag_to_the_post_and_the_product_page(api: Any, new_member: NewMember) -> None:
    world = _world(api, new_member)
    ok(_suggest(api, world), 201)
    base = f"/posts/{world['post']['id']}/tag-suggestions/{world['product']['id']}"

    # Only the author may answer
    assert_error(call(api, "POST", f"{base}/accept", world["owner"]), 403, "not_owner")
    assert ok(call(api, "POST", f"{base}/accept", world["author"]))["status"] == "accepted"
    assert_error(call(api, "POST", f"{base}/accept", world["author"]), 409, "already_decided")

    post = ok(call(api, "GET", f"/posts/{world['post']['id']}"))
    [tag] = post["photos"][0]["tags"]
    assert (tag["product_id"], tag["x"], tag["y"], tag["title"]) == (
        world["product"]["id"],
        0.3,
        0.6,
        "Teal Bottle",
    )
    assert post["shop_count"] == 1
    product = ok(call(api, "GET", f"/products/{world['product']['id']}"))
    assert product["tag_count"] == 1
    listed = ok(call(api, "GET", f"/products/{world['product']['id']}/posts"))
    assert [p["id"] for p in listed["items"]] == [world["post"]["id"]]
    # The mention now reads as accepted; a new suggestion for a tagged product is refused
    assert _mentions(api, world)[0]["suggestion"] == "accepted"


def test_declining_leaves_the_post_untagged(api: Any, new_member: NewMember) -> None:
    world = _world(api, new_member)
    ok(_suggest(api, world), 201)
    base = f"/posts/{world['post']['id']}/tag-suggestions/{world['product']['id']}"
    assert ok(call(api, "POST", f"{base}/decline", world["author"]))["status"] == "declined"
    assert_error(call(api, "POST", f"{base}/accept", world["author"]), 409, "already_decided")
    post = ok(call(api, "GET", f"/posts/{world['post']['id']}"))
    assert post["photos"][0]["tags"] == [] and post["shop_count"] == 0


def test_suggestions_name_the_brands_own_product_and_a_real_post(api: Any, new_member: NewMember) -> None:
    world = _world(api, new_member)
    other_owner = new_member("brand")
    _, foreign = brand_with_product(api, other_owner, fresh_name("Other"))
    assert_error(_suggest(api, world, product_id=foreign["id"]), 422, "validation_error")
    assert_error(_suggest(api, world, post_id="post-nope"), 404, "not_found")
    assert_error(_suggest(api, world, photo_index=3), 422, "validation_error")
    assert_error(
        call(api, "POST", "/posts/post-nope/tag-suggestions/x/accept", world["author"]), 404, "not_found"
    )


def test_a_brand_sets_a_products_packshot_from_its_own_ready_upload(api: Any, new_member: NewMember) -> None:
    # Given a brand account with Prime (uploads are Prime), a product, and an upload of its packshot
    seed_interests()
    owner = new_member("brand", "prime")
    brand, product = brand_with_product(api, owner, fresh_name("Packshots"))
    upload_id = upload_image(api, owner, packshot((150, 40, 110)))
    path = f"/brands/{brand['id']}/products/{product['id']}/image"

    # When it sets the packshot, the product is indexed under its colour (and the colours near it)
    indexed = ok(call(api, "PUT", path, owner, {"upload_id": upload_id}))
    assert indexed["product_id"] == product["id"] and indexed["buckets"][0] == "purple"
    # And a Prime member's photo of the product suggests it
    author = new_member("prime")
    shown = upload_image(api, author, photo_showing((150, 40, 110), (0.6, 0.55)))
    assert product["id"] in [t["product_id"] for t in upload_status(api, author, shown)["suggested_tags"]]

    # Someone else's upload, another brand's product and a picture with no object are refused
    assert_error(call(api, "PUT", path, owner, {"upload_id": shown}), 422, "validation_error")
    stranger = new_member("brand", "prime")
    assert_error(call(api, "PUT", path, stranger, {"upload_id": upload_id}), 403, "not_owner")
    blank = upload_image(api, owner, plain_photo((240, 240, 240)))
    assert_error(call(api, "PUT", path, owner, {"upload_id": blank}), 422, "validation_error")


def test_a_batch_of_photos_reads_each_colour_bucket_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given two colour buckets, one with a product indexed in it
    from chalicelib.data import discovery as store

    red, blue = fresh_name("bucket-red"), fresh_name("bucket-blue")
    first = store.Candidate(fresh_name("product"), "brand-x", "Red mug", "sig-1")
    store.put_product_signature(first, [red])

    # When a batch's photos ask for the same buckets again and again
    with count_dynamodb_calls(monkeypatch) as calls, discovery.candidates_read_once():
        once = store.candidates([red, blue], 50)
        twice = store.candidates([blue, red], 50)
        # (a signature indexed meanwhile drops its bucket, so the next photo sees it)
        second = store.Candidate(fresh_name("product"), "brand-x", "Blue mug", "sig-2")
        store.put_product_signature(second, [blue])
        after = store.candidates([red, blue], 50)

    # Then each bucket was queried once, and again after it changed; the answers are what a read
    # outside a batch gives
    assert once == twice == [first] and after == [first, second]
    assert dict(calls) == {"Query": 3, "BatchWriteItem": 1}, calls
    assert store.candidates([red, blue], 50) == after
