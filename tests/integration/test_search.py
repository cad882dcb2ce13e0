"""One search box over products, members, interests and posts, kept by the writes themselves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.data import keys
from chalicelib.data.models import SearchTermItem
from local.seed import seed_interests, seed_products
from tests.conftest import SignedInMember
from tests.dynamo_counter import count_dynamodb_calls
from tests.support.community import assert_error, call, ok, publish
from tests.support.safety import hit_ids, search, unique_word

NewMember = Callable[..., SignedInMember]


@pytest.fixture
def member(api: Any, new_member: NewMember) -> SignedInMember:
    seed_interests()
    found = new_member("prime")
    ok(call(api, "GET", "/me", found))
    return found


def _entries(kind: str, word: str) -> list[str]:
    """Entity ids of the index entries for one exact word (read straight from the table)."""
    key = keys.search_prefix(kind, word)
    return [i.entity_id for i in SearchTermItem.query(key.pk, SearchTermItem.SK.startswith(f"{word}#"))]


def test_one_query_finds_every_kind(api: Any, member: SignedInMember) -> None:
    seed_products(None, per_brand=2)
    word = unique_word()
    ok(call(api, "PATCH", "/me", member, {"display_name": f"Robin {word}"}))
    post = publish(api, member, caption=f"Morning {word} by the lake")
    page = search(api, word)
    assert [h["type"] for h in page["items"]] == ["member", "post"]
    assert hit_ids(page, "member") == [member.user_id]
    assert hit_ids(page, "post") == [post["id"]]
    assert page["items"][1]["post"]["caption"] == f"Morning {word} by the lake"
    # Interests and products come from the same index
    assert hit_ids(search(api, "hik"), "interest") == ["hiking"]
    assert "p-northpeak-00" in hit_ids(search(api, "northpeak", kind="product", limit=50), "product")


def test_posts_are_found_by_caption_story_and_photo_labels(api: Any, member: SignedInMember) -> None:
    in_caption, in_story = unique_word(), unique_word()
    story = {
        "kind": "idea",
        "caption": f"Notes {in_caption}",
        "body": f"Step one: the {in_story} trick.",
        "interests": ["hiking"],
    }
    post = ok(call(api, "POST", "/posts", member, story), 201)
    assert hit_ids(search(api, in_caption, kind="post"), "post") == [post["id"]]
    assert hit_ids(search(api, in_story, kind="post"), "post") == [post["id"]]
    # Several terms must all match (prefixes of any of the post's words)
    assert hit_ids(search(api, f"{in_caption[:5]} {in_story}", kind="post"), "post") == [post["id"]]
    assert hit_ids(search(api, f"{in_caption} nowhereword", kind="post"), "post") == []


def test_photo_labels_are_searchable(api: Any, member: SignedInMember) -> None:
    from tests.support.catalog import fresh_products
    from tests.support.images import jpeg
    from tests.support.posts import photo, post_body, published
    from tests.support.uploads import upload_images

    # Rekognition labels a photo that tags a product when it is published (the embedded AWS says
    # "mobile phone"); the palette gives colour names
    [upload_id] = upload_images(api, member, [jpeg(64, 48)])
    [product_id] = fresh_products(1)
    word = unique_word()
    body = post_body("photo", [photo(upload_id, (product_id, 0.5, 0.5))], caption=f"Desk {word}")
    post = published(api, member, body)
    assert post["id"] in hit_ids(search(api, f"{word} mobile phone", kind="post"), "post")


def test_a_rename_moves_the_members_entries(api: Any, member: SignedInMember) -> None:
    old, new = unique_word(), unique_word()
    ok(call(api, "PATCH", "/me", member, {"display_name": f"Sam {old}"}))
    assert hit_ids(search(api, old, kind="member"), "member") == [member.user_id]
    ok(call(api, "PATCH", "/me", member, {"display_name": f"Sam {new}"}))
    assert hit_ids(search(api, old, kind="member"), "member") == []
    assert hit_ids(search(api, new, kind="member"), "member") == [member.user_id]
    assert _entries("member", old) == []


def test_a_deleted_post_takes_its_entries_with_it(api: Any, member: SignedInMember) -> None:
    word = unique_word()
    post = publish(api, member, caption=f"Gone {word}")
    assert _entries("post", word) == [post["id"]]
    assert call(api, "DELETE", f"/posts/{post['id']}", member).status_code == 204
    assert _entries("post", word) == []
    assert search(api, word)["items"] == []


def test_a_blocked_members_posts_are_not_found_by_the_blocker(
    api: Any, member: SignedInMember, new_member: NewMember
) -> None:
    other = new_member("prime")
    ok(call(api, "GET", "/me", other))
    word = unique_word()
    post = publish(api, other, caption=f"Loud {word}")
    ok(call(api, "PUT", f"/users/{other.user_id}/block", member))
    assert hit_ids(search(api, word, member, kind="post"), "post") == []
    assert hit_ids(search(api, word, kind="post"), "post") == [post["id"]]


def test_typed_pages_follow_the_cursor_and_untyped_pages_continue_every_kind(
    api: Any, member: SignedInMember
) -> None:
    word = unique_word()
    ok(call(api, "PATCH", "/me", member, {"display_name": f"Pat {word}"}))
    posts = {publish(api, member, caption=f"Part {word} {n}")["id"] for n in range(5)}
    # Typed: pages of 2, every post once
    seen: list[str] = []
    cursor = None
    while True:
        page = ok(
            call(api, "GET", f"/search?q={word}&type=post&limit=2" + (f"&cursor={cursor}" if cursor else ""))
        )
        assert len(page["items"]) <= 2
        seen += hit_ids(page, "post")
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(posts)
    # Untyped, limit 4: one of each kind a page; the member comes once, the posts page on
    first = ok(call(api, "GET", f"/search?q={word}&limit=4"))
    assert hit_ids(first, "member") == [member.user_id] and len(hit_ids(first, "post")) == 1
    rest = []
    cursor = first["next_cursor"]
    while cursor:
        page = ok(call(api, "GET", f"/search?q={word}&limit=4&cursor={cursor}"))
        assert hit_ids(page, "member") == []
        rest += hit_ids(page, "post")
        cursor = page["next_cursor"]
    assert sorted(hit_ids(first, "post") + rest) == sorted(posts)
    # A cursor is bound to its query
    assert_error(
        call(api, "GET", f"/search?q=other&limit=4&cursor={first['next_cursor']}"), 400, "bad_cursor"
    )


def test_a_search_costs_one_query_per_kind_and_one_batch_get(
    api: Any, member: SignedInMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    word = unique_word()
    publish(api, member, caption=f"Cost {word}")
    ok(call(api, "GET", f"/search?q={word}", member))  # warm: the activity mark
    with count_dynamodb_calls(monkeypatch) as calls:
        ok(call(api, "GET", f"/search?q={word}", member))
    assert dict(calls) == {"Query": 4, "BatchGetItem": 1}
    with count_dynamodb_calls(monkeypatch) as calls:
        ok(call(api, "GET", f"/search?q={word}&type=post", member))
    assert dict(calls) == {"Query": 1, "BatchGetItem": 1}


@pytest.mark.parametrize("q", ["", "a", "!!"])
def test_a_query_without_a_searchable_word_finds_nothing(api: Any, q: str) -> None:
    assert ok(call(api, "GET", f"/search?q={q}")) == {"items": [], "next_cursor": None}


def test_a_bad_type_is_a_400(api: Any) -> None:
    assert_error(call(api, "GET", "/search?q=tent&type=brand"), 400, "bad_parameter")


def test_a_rename_as_the_very_first_call_leaves_no_entry_of_the_default_name(
    api: Any, new_member: NewMember
) -> None:
    # Given a member whose first authenticated call is the rename (default name "member-<id>")
    fresh = new_member()
    word = unique_word()
    ok(call(api, "PATCH", "/me", fresh, {"display_name": f"Kai {word}"}))
    # Then only the new name is in the index
    assert fresh.user_id not in _entries("member", fresh.user_id[:8].lower())
    assert hit_ids(search(api, word, kind="member"), "member") == [fresh.user_id]
