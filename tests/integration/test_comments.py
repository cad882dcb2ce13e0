"""Comments: Prime members write them, anyone reads them oldest first, the author or post owner deletes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3

from chalicelib.settings import get_settings
from local.seed import seed_interests
from tests.conftest import SignedInMember
from tests.support.catalog import fresh_interest
from tests.support.community import assert_error, call, comment, ok, post_of, publish

NewMember = Callable[..., SignedInMember]
# Control characters other than newlines are refused (tabs included) and CRLF is stored as LF
# (tests/unit/test_text_and_types.py), so the text that round-trips exactly has LF newlines only.
TRICKY = "She said \"wow\" <script>alert('x')</script> 🏔️🔥\nline two\n  indented \\ backslash"


def _comments(api: Any, post_id: str, query: str = "") -> dict[str, Any]:
    return dict(ok(call(api, "GET", f"/posts/{post_id}/comments{query}")))


def test_a_comment_is_stored_as_written_and_returned_as_escaped_json(api: Any, new_member: NewMember) -> None:
    # Given a post
    seed_interests()
    author, fan = new_member("prime"), new_member("prime")
    post = publish(api, author)

    # When a Prime member comments with quotes, markup, emoji and newlines
    response = call(api, "POST", f"/posts/{post['id']}/comments", fan, {"text": TRICKY})

    # Then the answer is JSON whose text is exactly what was written (escaped, not rewritten)
    assert response.status_code == 201, response.body
    assert response.headers["Content-Type"] == "application/json"
    raw = response.body.decode()
    assert "\n" not in raw and '"wow"' not in raw  # newlines and quotes are escaped in the JSON text
    created = json.loads(raw)
    assert created["text"] == TRICKY
    assert created["author"] == {
        "id": fan.user_id,
        "display_name": created["author"]["display_name"],
        "badges": [],
        "avatar_url": None,
    }
    # And the listing and the table hold the same text, not an HTML-escaped copy
    assert [c["text"] for c in _comments(api, post["id"])["items"]] == [TRICKY]
    table = boto3.resource("dynamodb", region_name="us-east-1").Table(get_settings().table_name)
    stored = table.get_item(Key={"PK": f"POST#{post['id']}", "SK": f"COMMENT#{created['id']}"})["Item"]
    assert stored["text"] == TRICKY


def test_a_comment_is_1_to_1000_characters(api: Any, new_member: NewMember) -> None:
    # Given a post
    seed_interests()
    author = new_member("prime")
    post = publish(api, author)
    path = f"/posts/{post['id']}/comments"

    # When comments of 1000 characters (emoji count as one) and of 1 character are posted
    # Then both are accepted
    comment(api, author, post["id"], "🔥" * 1000)
    comment(api, author, post["id"], "k")
    # And empty, blank, over-long and missing texts are 422s naming the field
    for payload in ({"text": ""}, {"text": "   \n "}, {"text": "a" * 1001}, {}):
        error = assert_error(call(api, "POST", path, author, payload), 422, "validation_error")
        assert [d["field"] for d in error["details"]] == ["text"], payload
    assert post_of(api, post["id"])["comment_count"] == 2


def test_comments_are_listed_oldest_first_page_by_page(api: Any, new_member: NewMember) -> None:
    # Given five comments written one after another by two members
    seed_interests()
    author, fan = new_member("prime"), new_member("prime")
    post = publish(api, author)
    written = [comment(api, (author, fan)[i % 2], post["id"], f"comment {i}")["id"] for i in range(5)]

    # When an anonymous reader follows the cursors two at a time
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(5):
        page = _comments(api, post["id"], "?limit=2" + (f"&cursor={cursor}" if cursor else ""))
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    # Then every comment comes once, oldest first, and the pages end
    assert seen == written
    assert cursor is None


def test_a_tampered_or_foreign_cursor_and_an_unknown_post_are_refused(
    api: Any, new_member: NewMember
) -> None:
    # Given two posts with comments
    seed_interests()
    author = new_member("prime")
    post, other = publish(api, author), publish(api, author)
    for i in range(3):
        comment(api, author, post["id"], f"c{i}")
        comment(api, author, other["id"], f"o{i}")
    cursor = _comments(api, post["id"], "?limit=1")["next_cursor"]

    # When the cursor is edited, or replayed on the other post's comments, or the post does not exist
    # Then the answers are 400 (never a 500) and 404
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    assert_error(call(api, "GET", f"/posts/{post['id']}/comments?cursor={tampered}"), 400, "bad_cursor")
    assert_error(call(api, "GET", f"/posts/{other['id']}/comments?cursor={cursor}"), 400, "bad_cursor")
    assert_error(call(api, "GET", "/posts/post_nope/comments"), 404, "not_found")
    assert_error(call(api, "POST", "/posts/post_nope/comments", author, {"text": "hi"}), 404, "not_found")


def test_the_comments_author_and_the_posts_owner_may_delete_it_others_may_not(
    api: Any, new_member: NewMember
) -> None:
    # Given a post with one comment by its author and two by a fan
    seed_interests()
    owner, fan, stranger = new_member("prime"), new_member("prime"), new_member("prime")
    post = publish(api, owner)
    by_owner = comment(api, owner, post["id"], "welcome")
    by_fan, second_by_fan = comment(api, fan, post["id"], "great"), comment(api, fan, post["id"], "again")

    def delete(member: SignedInMember, comment_id: str) -> Any:
        return call(api, "DELETE", f"/posts/{post['id']}/comments/{comment_id}", member)

    # When a stranger tries to delete any of them, and the fan tries to delete the owner's
    # Then each is refused as not theirs
    for target in (by_owner, by_fan):
        assert_error(delete(stranger, target["id"]), 403, "not_owner")
    assert_error(delete(fan, by_owner["id"]), 403, "not_owner")

    # When the fan deletes their own comment and the owner deletes the fan's other one
    assert delete(fan, by_fan["id"]).status_code == 204
    assert delete(owner, second_by_fan["id"]).status_code == 204

    # Then only the owner's comment is left, the count agrees, and deleting again is a 404
    assert [c["id"] for c in _comments(api, post["id"])["items"]] == [by_owner["id"]]
    assert post_of(api, post["id"])["comment_count"] == 1
    assert_error(delete(fan, by_fan["id"]), 404, "not_found")


def test_comment_count_stays_exact_in_the_post_and_its_summaries(api: Any, new_member: NewMember) -> None:
    # Given a post (under an interest of the test's own) with four comments, one of them deleted
    interest = fresh_interest()
    author, fan = new_member("prime"), new_member("prime")
    post = publish(api, author, interests=[interest])
    made = [comment(api, fan, post["id"], f"#{i}") for i in range(4)]
    call(api, "DELETE", f"/posts/{post['id']}/comments/{made[1]['id']}", fan)

    # When the post is read directly and in listings
    listed = ok(call(api, "GET", f"/users/{author.user_id}/posts"))["items"]
    by_interest = ok(call(api, "GET", f"/interests/{interest}/posts"))["items"]

    # Then every view counts the three comments that are listed
    assert len(_comments(api, post["id"])["items"]) == 3
    assert post_of(api, post["id"])["comment_count"] == 3
    assert [p["comment_count"] for p in listed] == [3]
    assert [p["comment_count"] for p in by_interest] == [3]


def test_nobody_may_comment_on_a_deleted_post(api: Any, new_member: NewMember) -> None:
    # Given a post with a comment, then deleted
    seed_interests()
    author, fan = new_member("prime"), new_member("prime")
    post = publish(api, author)
    kept = comment(api, fan, post["id"])
    assert call(api, "DELETE", f"/posts/{post['id']}", author).status_code == 204

    # When members comment, list, or delete the old comment
    # Then each is a 404
    assert_error(call(api, "POST", f"/posts/{post['id']}/comments", fan, {"text": "hi"}), 404, "not_found")
    assert_error(call(api, "GET", f"/posts/{post['id']}/comments"), 404, "not_found")
    assert_error(call(api, "DELETE", f"/posts/{post['id']}/comments/{kept['id']}", fan), 404, "not_found")
