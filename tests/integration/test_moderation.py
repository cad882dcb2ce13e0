"""The moderation queue: moderators hide and restore posts and comments, ban members, and every
action lands in an append-only audit trail. Hidden content leaves every read at once."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from chalicelib.data import keys
from local.seed import seed_products
from tests.conftest import SignedInMember
from tests.integration.test_brand_insights import run_aggregators
from tests.support.brands import today
from tests.support.community import assert_error, call, comment, ok, post_of, publish, smile
from tests.support.events import stream_start
from tests.support.images import jpeg
from tests.support.posts import photo, post_body, published
from tests.support.safety import (
    act,
    acted,
    case_of,
    cast_of,
    hit_ids,
    listed_ids,
    report,
    search,
    target,
    unique_word,
)
from tests.support.uploads import upload_images

NewMember = Callable[..., SignedInMember]
PRODUCT = "p-northpeak-00"
PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def cast(api: Any, new_member: NewMember) -> dict[str, SignedInMember]:
    return cast_of(api, new_member)


def _tagged_post(api: Any, author: SignedInMember, caption: str) -> dict[str, Any]:
    seed_products(None, per_brand=1)
    [upload_id] = upload_images(api, author, [jpeg(64, 48)])
    request = post_body(
        "photo", [photo(upload_id, (PRODUCT, 0.3, 0.3))], interests=["camping"], caption=caption
    )
    return published(api, author, request)


def _everywhere(
    api: Any, post: dict[str, Any], word: str, viewer: SignedInMember | None = None
) -> dict[str, bool]:
    """Where a post shows: its page, its author's list, its interest's list, its product's list, search."""
    author = post["author"]["id"]
    return {
        "page": call(api, "GET", f"/posts/{post['id']}", viewer).status_code == 200,
        "profile": post["id"] in listed_ids(api, f"/users/{author}/posts", viewer),
        "interest": post["id"] in listed_ids(api, "/interests/camping/posts?limit=50", viewer),
        "product": post["id"] in listed_ids(api, f"/products/{PRODUCT}/posts?limit=50", viewer),
        "search": post["id"] in hit_ids(search(api, word, viewer, kind="post"), "post"),
    }


def test_a_hidden_post_disappears_from_every_read_and_a_restore_brings_it_back(
    api: Any, cast: dict[str, SignedInMember]
) -> None:
    # Given a tagged post that a member reported
    word = unique_word()
    post = _tagged_post(api, cast["author"], f"Camp {word}")
    ok(report(api, cast["reader"], target("post", post["id"]), "nudity"), 201)
    assert all(_everywhere(api, post, word).values())
    # When a moderator hides it
    result = acted(api, cast["moderator"], "hide", target("post", post["id"]))
    # Then it is gone from its page, its author's profile, its interest, its product and search
    assert result["changed"] is True and result["state"] == "hidden"
    for viewer in (None, cast["reader"], cast["author"]):
        assert not any(_everywhere(api, post, word, viewer).values())
    # And the case left the queue, and the audit trail recorded the action
    assert case_of(api, cast["moderator"], "post", post["id"]) is None
    trail = ok(call(api, "GET", "/moderation/audit?limit=5", cast["moderator"]))["items"]
    assert trail[0] == result["audit"]
    assert (trail[0]["action"], trail[0]["target"]["id"], trail[0]["moderator_id"]) == (
        "hide",
        post["id"],
        cast["moderator"].user_id,
    )
    # And nobody can smile at or comment on it
    assert_error(call(api, "PUT", f"/posts/{post['id']}/smile", cast["reader"]), 404, "not_found")
    assert_error(
        call(api, "POST", f"/posts/{post['id']}/comments", cast["reader"], {"text": "hi"}), 404, "not_found"
    )
    # When it is restored, it is back everywhere
    restored = acted(api, cast["moderator"], "restore", target("post", post["id"]))
    assert restored["changed"] is True and restored["state"] == "live"
    assert all(_everywhere(api, post, word).values())


def test_a_hidden_post_leaves_its_brands_insights_until_restored(
    api: Any, new_member: NewMember, cast: dict[str, SignedInMember]
) -> None:
    # Given a brand's product tagged in a post that earned a smile and an impression
    start = stream_start()
    owner = new_member("brand")
    brand = ok(call(api, "POST", "/brands", owner, {"name": f"Brand {unique_word()}"}), 201)
    product = {
        "title": "Trail tent",
        "price": {"amount": "99.00", "currency": "USD"},
        "url": "https://x.test/t",
    }
    product_id = ok(call(api, "POST", f"/brands/{brand['id']}/products", owner, product), 201)["id"]
    [upload_id] = upload_images(api, cast["author"], [jpeg(64, 48)])
    request = post_body("photo", [photo(upload_id, (product_id, 0.5, 0.5))], interests=["camping"])
    post = published(api, cast["author"], request)
    smile(api, cast["reader"], post["id"])
    ok(call(api, "POST", "/events", None, {"events": [{"type": "impression", "post_id": post["id"]}]}), 202)
    run_aggregators(start)
    day = today()
    path = f"/brands/{brand['id']}/insights?from={day}&to={day}"

    def top_posts() -> list[str]:
        return [t["post"]["id"] for t in ok(call(api, "GET", path, owner))["top_posts"]]

    assert top_posts() == [post["id"]]
    # When a moderator hides it, the brand no longer sees it; a restore brings it back
    acted(api, cast["moderator"], "hide", target("post", post["id"]))
    assert top_posts() == []
    acted(api, cast["moderator"], "restore", target("post", post["id"]))
    assert top_posts() == [post["id"]]


def test_a_repeated_action_changes_nothing_and_records_nothing(
    api: Any, cast: dict[str, SignedInMember]
) -> None:
    post = publish(api, cast["author"])
    acted(api, cast["moderator"], "hide", target("post", post["id"]))
    before = ok(call(api, "GET", "/moderation/audit?limit=100", cast["moderator"]))["items"]
    again = acted(api, cast["moderator"], "hide", target("post", post["id"]))
    assert again == {
        "action": "hide",
        "target": {"type": "post", "id": post["id"], "post_id": None},
        "changed": False,
        "state": "hidden",
        "audit": None,
    }
    assert ok(call(api, "GET", "/moderation/audit?limit=100", cast["moderator"]))["items"] == before


def test_a_hidden_comment_is_not_listed_nor_counted_until_restored(
    api: Any, cast: dict[str, SignedInMember]
) -> None:
    post = publish(api, cast["author"])
    kept = comment(api, cast["author"], post["id"], "Thanks all")
    rude = comment(api, cast["reader"], post["id"], "Rude words")
    about = target("comment", rude["id"], post["id"])
    ok(report(api, cast["author"], about, "harassment"), 201)
    acted(api, cast["moderator"], "hide", about)
    listed = ok(call(api, "GET", f"/posts/{post['id']}/comments"))["items"]
    assert [c["id"] for c in listed] == [kept["id"]]
    assert post_of(api, post["id"])["comment_count"] == 1
    assert case_of(api, cast["moderator"], "comment", rude["id"]) is None
    acted(api, cast["moderator"], "restore", about)
    listed = ok(call(api, "GET", f"/posts/{post['id']}/comments"))["items"]
    assert [c["id"] for c in listed] == [kept["id"], rude["id"]]
    assert post_of(api, post["id"])["comment_count"] == 2
    # Its author can still delete it while hidden; the count stays right
    acted(api, cast["moderator"], "hide", about)
    assert (
        call(api, "DELETE", f"/posts/{post['id']}/comments/{rude['id']}", cast["reader"]).status_code == 204
    )
    assert post_of(api, post["id"])["comment_count"] == 1


def test_a_ban_hides_the_member_and_their_posts_and_stops_them_acting(
    api: Any, cast: dict[str, SignedInMember]
) -> None:
    # Given a member with posts and a comment, followed by a reader
    troll, reader, moderator = cast["reader"], cast["author"], cast["moderator"]
    word = unique_word()
    ok(call(api, "PATCH", "/me", troll, {"display_name": f"Troll {word}"}))
    posts = [publish(api, troll, caption=f"Spam {word} {n}", interests=["camping"]) for n in range(3)]
    readers_post = publish(api, reader)
    remark = comment(api, troll, readers_post["id"], "Spam comment")
    ok(report(api, reader, target("member", troll.user_id), "spam"), 201)
    assert len(hit_ids(search(api, word, kind="post"), "post")) == 3
    assert hit_ids(search(api, word, kind="member"), "member") == [troll.user_id]
    # When a moderator bans them
    result = acted(api, moderator, "ban", target("member", troll.user_id))
    assert result["changed"] is True and result["state"] == "banned"
    # Then their profile, posts and comments are gone for everyone, and they are out of search
    assert_error(call(api, "GET", f"/users/{troll.user_id}", reader), 404, "not_found")
    assert listed_ids(api, f"/users/{troll.user_id}/posts") == []
    for post in posts:
        assert_error(call(api, "GET", f"/posts/{post['id']}"), 404, "not_found")
    assert remark["id"] not in [
        c["id"] for c in ok(call(api, "GET", f"/posts/{readers_post['id']}/comments"))["items"]
    ]
    assert search(api, word)["items"] == []
    # And they can no longer post, comment, follow, report or edit their profile
    idea = {"kind": "idea", "caption": "Back!", "body": "b", "interests": ["camping"]}
    assert_error(call(api, "POST", "/posts", troll, idea), 403, "banned")
    assert_error(
        call(api, "POST", f"/posts/{readers_post['id']}/comments", troll, {"text": "x"}), 403, "banned"
    )
    assert_error(call(api, "PUT", f"/users/{reader.user_id}/follow", troll), 403, "banned")
    assert_error(report(api, troll, target("post", readers_post["id"])), 403, "banned")
    assert_error(call(api, "PATCH", "/me", troll, {"bio": "innocent"}), 403, "banned")
    # A moderator still sees the profile
    assert ok(call(api, "GET", f"/users/{troll.user_id}", moderator))["id"] == troll.user_id
    # A post hidden by the ban cannot be restored on its own while the ban holds
    assert_error(act(api, moderator, "restore", target("post", posts[0]["id"])), 409, "member_banned")
    # When they are unbanned, exactly what the ban hid comes back
    acted(api, moderator, "unban", target("member", troll.user_id))
    assert sorted(listed_ids(api, f"/users/{troll.user_id}/posts")) == sorted(p["id"] for p in posts)
    assert len(hit_ids(search(api, word, kind="post"), "post")) == 3
    assert hit_ids(search(api, word, kind="member"), "member") == [troll.user_id]
    ok(call(api, "POST", "/posts", troll, idea), 201)


def test_unbanning_leaves_posts_a_moderator_hid_hidden(api: Any, cast: dict[str, SignedInMember]) -> None:
    troll, moderator = cast["reader"], cast["moderator"]
    hidden_first, other = publish(api, troll), publish(api, troll)
    acted(api, moderator, "hide", target("post", hidden_first["id"]))
    acted(api, moderator, "ban", target("member", troll.user_id))
    acted(api, moderator, "unban", target("member", troll.user_id))
    assert listed_ids(api, f"/users/{troll.user_id}/posts") == [other["id"]]


def test_a_dismissed_case_leaves_the_queue_and_the_target_as_it_was(
    api: Any, cast: dict[str, SignedInMember]
) -> None:
    post = publish(api, cast["author"])
    ok(report(api, cast["reader"], target("post", post["id"]), "spam"), 201)
    result = acted(
        api,
        cast["moderator"],
        "dismiss",
        target("post", post["id"]),
    )
    assert result["changed"] is True and result["state"] == "live"
    assert case_of(api, cast["moderator"], "post", post["id"]) is None
    assert call(api, "GET", f"/posts/{post['id']}").status_code == 200
    # A new report reopens it
    ok(report(api, cast["moderator"], target("post", post["id"]), "spam"), 201)
    assert case_of(api, cast["moderator"], "post", post["id"]) is not None
    # Dismissing what has no open case is no change
    acted(api, cast["moderator"], "dismiss", target("post", post["id"]))
    assert acted(api, cast["moderator"], "dismiss", target("post", post["id"]))["changed"] is False


@pytest.mark.parametrize(
    ("action", "kind"),
    [("ban", "post"), ("hide", "member"), ("approve", "post"), ("hide", "upload"), ("dismiss", "upload")],
)
def test_an_action_that_does_not_fit_its_target_is_a_422(
    api: Any, cast: dict[str, SignedInMember], action: str, kind: str
) -> None:
    assert_error(act(api, cast["moderator"], action, target(kind, "x1")), 422, "validation_error")


def test_acting_on_what_does_not_exist_is_a_404(api: Any, cast: dict[str, SignedInMember]) -> None:
    for about in (
        target("post", "post_gone"),
        target("comment", "c", "post_gone"),
        target("member", "nobody"),
    ):
        action = "ban" if about["type"] == "member" else "hide"
        assert_error(act(api, cast["moderator"], action, about), 404, "not_found")


@pytest.mark.parametrize("groups", [(), ("prime",), ("brand",)])
def test_only_moderators_reach_the_queue_the_actions_and_the_trail(
    api: Any, new_member: NewMember, groups: tuple[str, ...]
) -> None:
    member = new_member(*groups)
    for method, path, payload in [
        ("GET", "/moderation/queue", None),
        ("GET", "/moderation/audit", None),
        ("POST", "/moderation/actions", {"action": "hide", "target": {"type": "post", "id": "p"}}),
    ]:
        assert_error(call(api, method, path, member, payload), 403, "moderator_required")
        assert call(api, method, path, None, payload).status_code == 401


def test_the_queue_is_oldest_first_and_pages_with_a_cursor(
    private_table: str, api: Any, cast: dict[str, SignedInMember]
) -> None:
    # A table of its own: the queue is one partition of every open case, walked here to its end.
    posts = [publish(api, cast["author"]) for _ in range(3)]
    for post in posts:
        ok(report(api, cast["reader"], target("post", post["id"]), "spam"), 201)
    seen: list[str] = []
    cursor = None
    while True:
        path = "/moderation/queue?limit=1" + (f"&cursor={cursor}" if cursor else "")
        page = ok(call(api, "GET", path, cast["moderator"]))
        assert len(page["items"]) <= 1
        seen += [c["target"]["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [p["id"] for p in posts]


def test_the_audit_trail_is_only_ever_appended_to() -> None:
    # No code in chalicelib updates or deletes an audit entry: every call named update/delete
    # (an item's own, a transaction's, a batch's) is checked for an AuditItem in it, and only the
    # moderation data module and the key module name the audit partition.
    offenders = []
    for path in sorted((PROJECT_DIR / "chalicelib").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("update", "delete")
                and "AuditItem" in ast.unparse(node)
            ):
                offenders.append(f"{path.name}: {ast.unparse(node)[:80]}")
        if "AUDIT_TRAIL" in source and path.name not in ("keys.py", "moderation.py"):
            offenders.append(f"{path.name} names the audit partition")
    assert offenders == []
    assert keys.audit_entry("a1").pk == keys.AUDIT_TRAIL


def test_every_audit_entry_matches_an_action_answered(api: Any, cast: dict[str, SignedInMember]) -> None:
    post = publish(api, cast["author"])
    answers = [
        acted(api, cast["moderator"], action, target("post", post["id"]))["audit"]
        for action in ("hide", "restore")
    ]
    trail = ok(call(api, "GET", "/moderation/audit?limit=2", cast["moderator"]))["items"]
    assert trail == list(reversed(answers))
    assert json.dumps(trail)  # plain JSON: ids, action, target, moderator, note, time
