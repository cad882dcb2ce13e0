"""The activity inbox (issue 22): notifications of new followers, smiles and comments, written from the
table's stream (delivered here as Lambda's mapping would), read with an unread count."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.data import ownership
from chalicelib.services import erasure
from tests.conftest import SignedInMember
from tests.support.brands import begin, run_aggregators
from tests.support.community import call, comment, ok, smile
from tests.support.feeds import idea, joined

NewMember = Callable[..., SignedInMember]


@pytest.fixture(autouse=True)
def _stream_from_here(stack: Any) -> None:
    begin()  # the stream worker reads this test's records only


def _inbox(api: Any, member: SignedInMember, query: str = "") -> dict[str, Any]:
    return dict(ok(call(api, "GET", f"/me/notifications{query}", member)))


def test_followers_smiles_and_comments_reach_the_inbox_newest_first(api: Any, new_member: NewMember) -> None:
    # Given an author with an idea, and a fan
    author, fan = (
        joined(api, new_member("prime", name="Author")),
        joined(api, new_member("prime", name="Fan")),
    )
    post = idea(api, author, ["hiking"])

    # When the fan follows them, smiles at and comments on the post, and the stream is delivered
    ok(call(api, "PUT", f"/users/{author.user_id}/follow", fan))
    smile(api, fan, post["id"])
    written = comment(api, fan, post["id"], "Lovely")
    run_aggregators()

    # Then the author's inbox has all three, newest first, unread, naming the fan
    inbox = _inbox(api, author)
    assert [n["type"] for n in inbox["items"]] == ["comment", "smile", "follower"]
    assert inbox["unread"] == 3
    assert all(n["unread"] and n["actor"]["display_name"] == "Fan" for n in inbox["items"])
    assert inbox["items"][0]["post_id"] == post["id"] and inbox["items"][0]["comment_id"] == written["id"]
    assert inbox["items"][2]["post_id"] is None
    # And the fan, who did all that, has nothing
    assert _inbox(api, fan) == {"items": [], "next_cursor": None, "unread": 0}


def test_ones_own_smiles_and_comments_notify_nobody(api: Any, new_member: NewMember) -> None:
    author = joined(api, new_member("prime"))
    post = idea(api, author, ["hiking"])
    smile(api, author, post["id"])
    comment(api, author, post["id"])
    run_aggregators()
    assert _inbox(api, author)["items"] == []


def test_a_replayed_stream_writes_each_notification_once(api: Any, new_member: NewMember) -> None:
    star, fan = joined(api, new_member()), joined(api, new_member())
    ok(call(api, "PUT", f"/users/{star.user_id}/follow", fan))
    run_aggregators()
    run_aggregators()  # a fresh runner replays every record of the test, as Lambda's retries do
    inbox = _inbox(api, star)
    assert [(n["type"], n["actor"]["id"]) for n in inbox["items"]] == [("follower", fan.user_id)]
    assert inbox["unread"] == 1


def test_marking_read_clears_the_count_and_new_ones_are_unread_again(api: Any, new_member: NewMember) -> None:
    # Given a member with one notification, who marks the inbox read
    star, first, second = joined(api, new_member()), joined(api, new_member()), joined(api, new_member())
    ok(call(api, "PUT", f"/users/{star.user_id}/follow", first))
    run_aggregators()
    assert ok(call(api, "POST", "/me/notifications/read", star)) == {"unread": 0}
    inbox = _inbox(api, star)
    assert inbox["unread"] == 0 and [n["unread"] for n in inbox["items"]] == [False]

    # When someone else follows them later
    ok(call(api, "PUT", f"/users/{star.user_id}/follow", second))
    run_aggregators()

    # Then only that one is unread
    inbox = _inbox(api, star)
    assert [(n["actor"]["id"], n["unread"]) for n in inbox["items"]] == [
        (second.user_id, True),
        (first.user_id, False),
    ]
    assert inbox["unread"] == 1


def test_pages_follow_the_cursor_and_the_count_spans_every_page(api: Any, new_member: NewMember) -> None:
    star = joined(api, new_member())
    fans = [joined(api, new_member()) for _ in range(3)]
    for fan in fans:
        ok(call(api, "PUT", f"/users/{star.user_id}/follow", fan))
    run_aggregators()

    first = _inbox(api, star, "?limit=2")
    assert len(first["items"]) == 2 and first["unread"] == 3 and first["next_cursor"]
    second = _inbox(api, star, f"?limit=2&cursor={first['next_cursor']}")
    seen = [n["actor"]["id"] for n in first["items"] + second["items"]]
    assert sorted(seen) == sorted(f.user_id for f in fans)
    assert second["unread"] == 3
    # And another member's cursor is refused
    other = joined(api, new_member())
    assert call(api, "GET", f"/me/notifications?cursor={first['next_cursor']}", other).status_code == 400


def test_blocked_actors_are_not_shown(api: Any, new_member: NewMember) -> None:
    author, pest = joined(api, new_member("prime")), joined(api, new_member("prime"))
    post = idea(api, author, ["hiking"])
    smile(api, pest, post["id"])
    run_aggregators()
    ok(call(api, "PUT", f"/users/{pest.user_id}/block", author))
    assert _inbox(api, author)["items"] == []


def test_the_inbox_needs_a_member_and_marking_read_is_rate_limited(api: Any) -> None:
    assert call(api, "GET", "/me/notifications").status_code == 401
    assert call(api, "POST", "/me/notifications/read").status_code == 401
    paths = json.loads(api.http.get("/openapi.json").body)["paths"]
    assert "get" in paths["/me/notifications"] and "post" in paths["/me/notifications/read"]


def test_erasure_removes_the_inbox_and_the_members_traces_in_others(api: Any, new_member: NewMember) -> None:
    # Given a member who follows someone and has a follower of their own
    leaver, star, fan = joined(api, new_member()), joined(api, new_member()), joined(api, new_member())
    ok(call(api, "PUT", f"/users/{star.user_id}/follow", leaver))
    ok(call(api, "PUT", f"/users/{leaver.user_id}/follow", fan))
    run_aggregators()
    ok(call(api, "POST", "/me/notifications/read", leaver))

    # When the erasure walks their inbox and their notifications in others' inboxes
    kinds = {k.name: k for k in erasure.kinds()}
    for name in ("inbox", "notified"):
        found = kinds[name].find(leaver.user_id, 25, None)
        assert found.items, name
        assert all(kinds[name].erase(leaver.user_id, i) is ownership.Erased.GONE for i in found.items)

    # Then nothing of theirs is left, and the star's inbox no longer names them
    assert kinds["inbox"].find(leaver.user_id, 25, None).items == []
    assert kinds["notified"].find(leaver.user_id, 25, None).items == []
    assert _inbox(api, star)["items"] == []
