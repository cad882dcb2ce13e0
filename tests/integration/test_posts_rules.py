"""Post rules through the HTTP routes: shapes, ownership, upload state, tags, listings and deletion."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import boto3
import pytest

from chalicelib.data import keys
from chalicelib.data.models import ProductItem
from chalicelib.data.users import set_badges
from chalicelib.settings import get_settings
from tests.conftest import SignedInMember
from tests.support import images
from tests.support.catalog import fresh_interest, fresh_products
from tests.support.posts import (
    JSON,
    all_pages,
    body_of,
    detail_fields,
    error_of,
    photo,
    post_body,
    publish,
    published,
)
from tests.support.uploads import request_upload, run_thumbnailer, send_upload, upload_images

KEY_ATTRIBUTES = {"PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "type", "expires_at"}


@dataclass(frozen=True)
class Catalog:
    """Products of the test's own (a and b of one brand, c of another) and an interest of its own:
    the table is shared, so tag counts and listings hold only the test's posts."""

    a: str
    b: str
    c: str
    interest: str


@pytest.fixture
def catalog(stack: Any) -> Catalog:
    a, b = fresh_products(2)
    [c] = fresh_products(1)
    return Catalog(a, b, c, fresh_interest())


@pytest.fixture
def author(api: Any, catalog: Catalog, new_member: Callable[..., SignedInMember]) -> SignedInMember:
    """A Prime member with a profile and a display name."""
    member = new_member("prime")
    # The emulator's ID tokens carry no `name` claim, so the display name is set as a client would.
    response = api.http.patch(
        "/me", body=json.dumps({"display_name": "Ada Author"}), headers={**JSON, **member.headers}
    )
    assert response.status_code == 200, response.body
    return member


def _uploads(api: Any, member: SignedInMember, count: int) -> list[str]:
    """`count` small ready uploads of `member`."""
    return upload_images(api, member, [images.jpeg(64, 48) for _ in range(count)])


def _table() -> Any:
    return boto3.resource("dynamodb", region_name="us-east-1").Table(get_settings().table_name)


def _all_items() -> list[dict[str, Any]]:
    table, items, start = _table(), [], {}
    while True:
        page = table.scan(**start)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def _item_keys() -> set[tuple[str, str]]:
    """Every item's key, except the thumbnailer's idempotency records (hashes only; expire by TTL)."""
    return {(i["PK"], i["SK"]) for i in _all_items() if not i["PK"].startswith("IDEMPOTENCY#")}


# --- kinds and shapes ------------------------------------------------------------------------------


@pytest.mark.parametrize("photo_count", [0, 2])
def test_a_photo_post_needs_exactly_one_photo(api: Any, author: SignedInMember, photo_count: int) -> None:
    # Given a photo post with the wrong number of photos
    request = post_body("photo", [photo(f"up_{i}") for i in range(photo_count)])

    # When it is published
    response = publish(api, author, request)

    # Then it is a 422 naming the photos
    assert detail_fields(response) == ["photos"]


@pytest.mark.parametrize(
    ("photo_count", "body", "field"),
    [(0, "A story", "photos"), (11, "A story", "photos"), (1, None, "body"), (1, "   ", "body")],
    ids=["no_photo", "eleven_photos", "no_body", "blank_body"],
)
def test_a_story_needs_one_to_ten_photos_and_a_body(
    api: Any, author: SignedInMember, photo_count: int, body: str | None, field: str
) -> None:
    # Given a story breaking one rule
    request = post_body("story", [photo(f"up_{i}") for i in range(photo_count)], body=body)

    # When it is published
    response = publish(api, author, request)

    # Then it is a 422 naming the offending field
    assert detail_fields(response) == [field]


@pytest.mark.parametrize(
    ("photo_count", "body", "field"),
    [(11, "An idea", "photos"), (0, None, "body")],
    ids=["eleven_photos", "no_body"],
)
def test_an_idea_needs_a_body_and_at_most_ten_photos(
    api: Any, author: SignedInMember, photo_count: int, body: str | None, field: str
) -> None:
    # Given an idea breaking one rule
    request = post_body("idea", [photo(f"up_{i}") for i in range(photo_count)], body=body)

    # When it is published
    response = publish(api, author, request)

    # Then it is a 422 naming the offending field
    assert detail_fields(response) == [field]


def test_an_idea_without_photos_is_published(api: Any, author: SignedInMember) -> None:
    # Given an idea with a body and no photos
    request = post_body("idea", [], body="Pack the night before.")

    # When it is published
    post = published(api, author, request)

    # Then it is a post with no photos and nothing to shop
    assert (post["kind"], post["photos"], post["shop_count"], post["body"]) == (
        "idea",
        [],
        0,
        "Pack the night before.",
    )


def test_a_story_with_ten_photos_is_published(api: Any, author: SignedInMember) -> None:
    # Given ten ready uploads
    upload_ids = _uploads(api, author, 10)

    # When they are published as a story
    post = published(api, author, post_body("story", [photo(u) for u in upload_ids], body="Day by day"))

    # Then every photo is there, in order, with its thumbnails
    assert len(post["photos"]) == 10
    assert all(set(p["thumbnails"]) == {"small", "medium", "large"} for p in post["photos"])


# --- interests -------------------------------------------------------------------------------------


@pytest.mark.parametrize("interests", [[], ["hiking", "camping", "cooking", "coffee"]], ids=["none", "four"])
def test_a_post_has_one_to_three_interests(api: Any, author: SignedInMember, interests: list[str]) -> None:
    # Given an idea with too few or too many interests
    request = post_body("idea", body="b", interests=interests)

    # When it is published
    response = publish(api, author, request)

    # Then it is a 422 naming the interests
    assert detail_fields(response) == ["interests"]


@pytest.mark.parametrize(
    ("interests", "fields"),
    [
        (["hiking", "knitting"], ["interests.1"]),
        (["nope", "hiking", "knitting"], ["interests.0", "interests.2"]),
        (["hiking", "hiking", "knitting"], ["interests.2"]),
    ],
    ids=["second", "first_and_third", "after_a_repeat"],
)
def test_an_unknown_interest_is_a_422_naming_its_position(
    api: Any, author: SignedInMember, interests: list[str], fields: list[str]
) -> None:
    # Given an idea naming interests that do not exist
    request = post_body("idea", body="b", interests=interests)

    # When it is published
    response = publish(api, author, request)

    # Then the details point at each unknown id where the client sent it
    assert detail_fields(response) == fields


def test_a_repeated_interest_counts_once(api: Any, author: SignedInMember) -> None:
    # Given an idea naming the same interest twice
    request = post_body("idea", body="b", interests=["hiking", "hiking", "camping"])

    # When it is published
    post = published(api, author, request)

    # Then it is filed under each interest once
    assert post["interests"] == ["hiking", "camping"]


# --- tags ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "y", "field"),
    [(-0.01, 0.5, "x"), (1.01, 0.5, "x"), (0.5, -1, "y"), (0.5, 1.5, "y")],
)
def test_tag_coordinates_outside_0_to_1_are_a_422(
    api: Any, author: SignedInMember, x: float, y: float, field: str, catalog: Catalog
) -> None:
    # Given a tag placed outside the image
    request = post_body("photo", [photo("up_1", (catalog.a, 0.5, 0.5), (catalog.b, x, y))])

    # When it is published
    response = publish(api, author, request)

    # Then the details name that coordinate
    assert detail_fields(response) == [f"photos.0.tags.1.{field}"]


def test_tags_on_the_edges_are_accepted(api: Any, author: SignedInMember, catalog: Catalog) -> None:
    # Given a ready upload tagged at both corners
    [upload_id] = _uploads(api, author, 1)
    request = post_body("photo", [photo(upload_id, (catalog.a, 0, 0), (catalog.b, 1, 1))])

    # When it is published
    post = published(api, author, request)

    # Then the tags keep their positions
    assert [(t["x"], t["y"]) for t in post["photos"][0]["tags"]] == [(0, 0), (1, 1)]


def test_six_tags_on_a_photo_are_a_422(api: Any, author: SignedInMember, catalog: Catalog) -> None:
    # Given a photo with six tags
    tags = [(catalog.a, i / 10, i / 10) for i in range(6)]
    request = post_body("photo", [photo("up_1", *tags)])

    # When it is published
    response = publish(api, author, request)

    # Then the details name the photo's tags
    assert detail_fields(response) == ["photos.0.tags"]


def test_an_unknown_product_is_a_422_naming_the_tag(
    api: Any, author: SignedInMember, catalog: Catalog
) -> None:
    # Given two ready uploads, the second tagging a product that does not exist
    first, second = _uploads(api, author, 2)
    request = post_body(
        "story",
        [photo(first, (catalog.a, 0.1, 0.1)), photo(second, (catalog.b, 0.2, 0.2), ("p-nope", 0.3, 0.3))],
        body="b",
    )

    # When it is published
    response = publish(api, author, request)

    # Then the details point at that tag's product
    assert detail_fields(response) == ["photos.1.tags.1.product_id"]
    assert body_of(api.http.get(f"/users/{author.user_id}/posts"))["items"] == []


def test_shop_count_is_the_number_of_distinct_tagged_products(
    api: Any, author: SignedInMember, catalog: Catalog
) -> None:
    # Given two photos tagging product A on each, and B and C once
    first, second = _uploads(api, author, 2)
    request = post_body(
        "story",
        [
            photo(first, (catalog.a, 0.1, 0.1), (catalog.b, 0.2, 0.2), (catalog.a, 0.9, 0.9)),
            photo(second, (catalog.a, 0.5, 0.5), (catalog.c, 0.6, 0.6)),
        ],
        body="b",
    )

    # When it is published and read back
    post = published(api, author, request)
    fetched = body_of(api.http.get(f"/posts/{post['id']}"))

    # Then the shopping bag counts three products, and each product counts the post once
    assert post["shop_count"] == fetched["shop_count"] == 3
    for product_id in (catalog.a, catalog.b, catalog.c):
        assert body_of(api.http.get(f"/products/{product_id}"))["tag_count"] == 1


def test_a_post_page_shows_each_tags_current_title_and_price(
    api: Any, author: SignedInMember, catalog: Catalog
) -> None:
    # Given a post tagging a product, whose title and price then change
    [upload_id] = _uploads(api, author, 1)
    post = published(api, author, post_body("photo", [photo(upload_id, (catalog.a, 0.5, 0.5))]))
    key = keys.product(catalog.a)
    ProductItem(key.pk, key.sk).update(
        actions=[ProductItem.title.set("Renamed Backpack"), ProductItem.price_amount.set("12.34")]
    )

    # When the post is read
    tag = body_of(api.http.get(f"/posts/{post['id']}"))["photos"][0]["tags"][0]

    # Then its tag shows the product as it is now
    assert (tag["title"], tag["price"]) == ("Renamed Backpack", {"amount": "12.34", "currency": "USD"})
    assert Decimal(tag["price"]["amount"]) == Decimal("12.34")


# --- uploads ---------------------------------------------------------------------------------------


def test_another_members_upload_is_403_not_owner(
    api: Any, author: SignedInMember, new_member: Callable[..., SignedInMember]
) -> None:
    # Given a ready upload belonging to someone else
    other = new_member("prime")
    [theirs] = _uploads(api, other, 1)

    # When the author tries to publish it
    response = publish(api, author, post_body("photo", [photo(theirs)]))

    # Then it is refused as not theirs
    assert error_of(response) == (403, "not_owner")


def test_a_pending_upload_is_409_upload_not_ready(api: Any, author: SignedInMember) -> None:
    # Given an upload requested but never sent
    ticket = request_upload(api, author)

    # When it is published
    response = publish(api, author, post_body("photo", [photo(ticket["upload_id"])]))

    # Then it is not ready
    assert error_of(response) == (409, "upload_not_ready")


def test_a_rejected_upload_is_409_upload_not_ready(api: Any, author: SignedInMember) -> None:
    # Given an upload the thumbnailer rejected
    from app import app

    ticket = send_upload(api, author, images.HTML)
    run_thumbnailer(app)

    # When it is published
    response = publish(api, author, post_body("photo", [photo(ticket["upload_id"])]))

    # Then it is not ready (and never will be)
    assert error_of(response) == (409, "upload_not_ready")


def test_an_upload_already_in_a_post_is_409(api: Any, author: SignedInMember) -> None:
    # Given an upload already published
    [upload_id] = _uploads(api, author, 1)
    published(api, author, post_body("photo", [photo(upload_id)]))

    # When it is published again in another post
    response = publish(api, author, post_body("photo", [photo(upload_id)], caption="again"))

    # Then it is a conflict, and only the first post exists
    assert error_of(response) == (409, "upload_already_used")
    assert len(body_of(api.http.get(f"/users/{author.user_id}/posts"))["items"]) == 1


def test_the_same_upload_twice_in_one_post_is_a_422(api: Any, author: SignedInMember) -> None:
    # Given a story naming one upload twice
    [upload_id] = _uploads(api, author, 1)
    request = post_body("story", [photo(upload_id), photo(upload_id)], body="b")

    # When it is published
    response = publish(api, author, request)

    # Then the photos are refused
    assert detail_fields(response) == ["photos"]


def test_an_unknown_upload_is_a_422_naming_it(api: Any, author: SignedInMember) -> None:
    # Given a photo whose upload id does not exist
    request = post_body("photo", [photo("up_nope")])

    # When it is published
    response = publish(api, author, request)

    # Then the details name it
    assert detail_fields(response) == ["photos.0.upload_id"]


# --- who may publish and delete -----------------------------------------------------------------------


def test_only_prime_members_may_post(
    api: Any, catalog: None, new_member: Callable[..., SignedInMember]
) -> None:
    # Given a signed-in member without Prime
    member = new_member()

    # When they publish an idea
    response = publish(api, member, post_body("idea", body="b"))

    # Then Prime is required
    assert error_of(response) == (403, "prime_required")


def test_deleting_someone_elses_post_is_403_not_owner(
    api: Any, author: SignedInMember, new_member: Callable[..., SignedInMember]
) -> None:
    # Given the author's post and another member
    post = published(api, author, post_body("idea", body="b"))
    other = new_member("prime")

    # When the other member deletes it
    response = api.http.delete(f"/posts/{post['id']}", headers=other.headers)

    # Then they are refused and the post stays
    assert error_of(response) == (403, "not_owner")
    assert api.http.get(f"/posts/{post['id']}").status_code == 200


def test_deleting_an_unknown_post_is_404(api: Any, author: SignedInMember) -> None:
    # When a post that never existed is deleted
    response = api.http.delete("/posts/post_nope", headers=author.headers)

    # Then it is not found
    assert error_of(response) == (404, "not_found")


def test_deleting_a_post_twice_is_404_the_second_time(api: Any, author: SignedInMember) -> None:
    # Given a deleted post
    post = published(api, author, post_body("idea", body="b"))
    assert api.http.delete(f"/posts/{post['id']}", headers=author.headers).status_code == 204

    # When it is deleted again
    response = api.http.delete(f"/posts/{post['id']}", headers=author.headers)

    # Then it is gone
    assert error_of(response) == (404, "not_found")


def test_deleting_a_post_removes_every_item_it_created(
    api: Any,
    private_table: str,
    author: SignedInMember,
    new_member: Callable[..., SignedInMember],
    catalog: Catalog,
) -> None:
    # (A table of its own: "every item" is the whole table, before and after.)
    # Given another member, and the table before anything was uploaded or posted
    fan = new_member("prime")
    assert api.http.get("/me", headers=fan.headers).status_code == 200
    before = _item_keys()

    # And a story with two photos, three products, two interests, two smiles and a comment
    first, second = _uploads(api, author, 2)
    post = published(
        api,
        author,
        post_body(
            "story",
            [
                photo(first, (catalog.a, 0.1, 0.1), (catalog.b, 0.2, 0.2)),
                photo(second, (catalog.c, 0.5, 0.5)),
            ],
            interests=["hiking", "coffee"],
            body="b",
        ),
    )
    for member in (author, fan):
        assert api.http.put(f"/posts/{post['id']}/smile", headers=member.headers).status_code == 200
    comment = api.http.post(
        f"/posts/{post['id']}/comments", body=json.dumps({"text": "Nice"}), headers={**JSON, **fan.headers}
    )
    assert comment.status_code == 201, comment.body

    # When it is deleted
    assert api.http.delete(f"/posts/{post['id']}", headers=author.headers).status_code == 204

    # Then only the author's daily smile counters remain (shared by their posts), settled back to 0
    # (abuse-limit windows count requests, not the post: they expire with their window)
    leftovers = [
        i
        for i in _all_items()
        if (i["PK"], i["SK"]) not in before and "IDEMPOTENCY#" not in i["PK"] and i["type"] != "rate_limit"
    ]
    assert {(i["type"], int(i["smiles"])) for i in leftovers} <= {("score", 0)}, leftovers
    counts = body_of(api.http.get(f"/users/{author.user_id}"))["counts"]
    assert (counts["posts"], counts["smiles_received"]) == (0, 0)
    for product_id in (catalog.a, catalog.b, catalog.c):
        assert body_of(api.http.get(f"/products/{product_id}"))["tag_count"] == 0
    s3 = boto3.client("s3", region_name="us-east-1")
    for bucket, prefix in [
        ("flint-dev-media", keys.rendition_prefix(first)),
        ("flint-dev-media", keys.rendition_prefix(second)),
        ("flint-dev-uploads", keys.upload_object(author.user_id, "")),
        ("flint-dev-uploads", f"{keys.ORIGINALS_PREFIX}{author.user_id}/"),
    ]:
        assert s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("KeyCount", 0) == 0, (bucket, prefix)


# --- what listings show, and how they page ---------------------------------------------------------------


def _walk(value: Any) -> list[str]:
    """Every key of every object inside a JSON value."""
    if isinstance(value, dict):
        return [k for k in value] + [k for v in value.values() for k in _walk(v)]
    if isinstance(value, list):
        return [k for v in value for k in _walk(v)]
    return []


def test_a_post_summary_carries_everything_a_card_needs_and_no_storage_keys(
    api: Any, author: SignedInMember, catalog: Catalog
) -> None:
    # Given an enthusiast's tagged photo post
    set_badges(author.user_id, ["enthusiast"])
    [upload_id] = _uploads(api, author, 1)
    photos = [photo(upload_id, (catalog.a, 0.3, 0.7))]
    post = published(api, author, post_body("photo", photos, interests=[catalog.interest]))

    # When it is listed under its author, its interest and its product
    for path in (
        f"/users/{author.user_id}/posts",
        f"/interests/{catalog.interest}/posts",
        f"/products/{catalog.a}/posts",
    ):
        page = body_of(api.http.get(path, headers=author.headers))
        [card] = page["items"]

        # Then the card has the author, thumbnails, tags, counts and the viewer's smile, and no body
        assert card["id"] == post["id"]
        assert card["author"] == {
            "id": author.user_id,
            "display_name": "Ada Author",
            "badges": ["enthusiast"],
            "avatar_url": None,
        }
        assert set(card["photos"][0]["thumbnails"]) == {"small", "medium", "large"}
        assert card["photos"][0]["thumbnails"]["small"]["url"].startswith("http")
        tag = card["photos"][0]["tags"][0]
        assert (tag["product_id"], tag["x"], tag["y"]) == (catalog.a, 0.3, 0.7)
        assert tag["title"] and tag["price"]["amount"] and tag["url"]
        assert (card["shop_count"], card["smile_count"], card["comment_count"]) == (1, 0, 0)
        assert card["smiled_by_me"] is False
        assert {"kind", "caption", "created_at", "interests"} <= set(card)
        assert "body" not in card
        assert not KEY_ATTRIBUTES & set(_walk(page)), path


def test_listings_page_newest_first_without_duplicates_or_gaps(
    api: Any, author: SignedInMember, catalog: Catalog
) -> None:
    # Given seven photo posts, each tagging the same product under the same interest
    upload_ids = _uploads(api, author, 7)
    created = [
        published(
            api,
            author,
            post_body(
                "photo", [photo(u, (catalog.a, 0.5, 0.5))], caption=f"#{i}", interests=[catalog.interest]
            ),
        )["id"]
        for i, u in enumerate(upload_ids)
    ]

    for path in (
        f"/users/{author.user_id}/posts",
        f"/interests/{catalog.interest}/posts",
        f"/products/{catalog.a}/posts",
    ):
        # When each listing is read three at a time
        pages = all_pages(api, path, limit=3)

        # Then the pages hold every post once, newest first
        assert [len(p) for p in pages] == [3, 3, 1], path
        assert [post_id for page in pages for post_id in page] == created[::-1], path


def test_a_cursor_from_one_listing_is_refused_by_another(
    api: Any, author: SignedInMember, catalog: Catalog
) -> None:
    # Given a cursor into an interest's posts
    for i in range(3):
        idea = post_body("idea", body="b", caption=f"#{i}", interests=[catalog.interest, "camping"])
        published(api, author, idea)
    cursor = body_of(api.http.get(f"/interests/{catalog.interest}/posts?limit=1"))["next_cursor"]
    assert cursor

    # When it is handed to other listings
    for path in (
        "/interests/camping/posts",
        f"/users/{author.user_id}/posts",
        f"/products/{catalog.a}/posts",
    ):
        response = api.http.get(f"{path}?limit=1&cursor={cursor}")

        # Then each refuses it as a bad cursor, never a server error
        assert error_of(response) == (400, "bad_cursor"), path


@pytest.mark.parametrize(
    "path", ["/users/nobody/posts", "/interests/knitting/posts", "/products/p-nope/posts"]
)
def test_the_listing_of_something_that_does_not_exist_is_404(api: Any, catalog: Catalog, path: str) -> None:
    # When the listing of an unknown member, interest or product is read
    response = api.http.get(path)

    # Then it is not found
    assert error_of(response) == (404, "not_found")


def test_a_deleted_post_leaves_every_listing_at_once(
    api: Any, author: SignedInMember, catalog: Catalog
) -> None:
    # Given a listed post
    [upload_id] = _uploads(api, author, 1)
    photos = [photo(upload_id, (catalog.a, 0.5, 0.5))]
    post = published(api, author, post_body("photo", photos, interests=[catalog.interest]))

    # When it is deleted
    api.http.delete(f"/posts/{post['id']}", headers=author.headers)

    # Then no listing shows it
    for path in (
        f"/users/{author.user_id}/posts",
        f"/interests/{catalog.interest}/posts",
        f"/products/{catalog.a}/posts",
    ):
        assert body_of(api.http.get(path))["items"] == [], path
    assert json.loads(api.http.get(f"/posts/{post['id']}").body)["error"]["code"] == "not_found"
