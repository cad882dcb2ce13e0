"""Reports and blocks: what a member can do to keep the community safe for themself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import SignedInMember
from tests.dynamo_counter import count_dynamodb_calls
from tests.support.community import assert_error, call, comment, ok, profile, publish
from tests.support.safety import case_of, cast_of, listed_ids, report, target

NewMember = Callable[..., SignedInMember]


@pytest.fixture
def cast(api: Any, new_member: NewMember) -> dict[str, SignedInMember]:
    return cast_of(api, new_member)


# --- reports -------------------------------------------------------------------------------------


def test_a_report_opens_a_case_in_the_queue_and_counts_each_reporter_once(
    api: Any, cast: dict[str, SignedInMember], new_member: NewMember
) -> None:
    # Given a post
    post = publish(api, cast["author"], caption="Buy followers cheap")
    about = target("post", post["id"])
    # When one member reports it twice and another once
    first = ok(report(api, cast["reader"], about, "spam", "Selling followers"), 201)
    ok(report(api, cast["reader"], about, "spam"), 201)
    ok(report(api, new_member(), about, "harassment"), 201)
    # Then each answer is the same receipt, and the queue has one case counting two reporters
    assert first == {"target": {**about, "post_id": None}, "reason": "spam", "received": True}
    case = case_of(api, cast["moderator"], "post", post["id"])
    assert case is not None
    assert case["reports"] == 2
    assert case["reasons"] == ["harassment", "spam"]
    assert case["last_note"] == "Selling followers"
    assert case["state"] == "live" and case["source"] == "members"
    assert case["author"]["id"] == cast["author"].user_id
    assert case["post"]["caption"] == "Buy followers cheap"


def test_comments_and_members_can_be_reported(api: Any, cast: dict[str, SignedInMember]) -> None:
    post = publish(api, cast["author"])
    remark = comment(api, cast["reader"], post["id"], "You are all idiots")
    ok(report(api, cast["author"], target("comment", remark["id"], post["id"]), "harassment"), 201)
    ok(report(api, cast["author"], target("member", cast["reader"].user_id), "harassment"), 201)
    case = case_of(api, cast["moderator"], "comment", remark["id"])
    assert case is not None and case["comment"]["text"] == "You are all idiots"
    assert case["target"]["post_id"] == post["id"]
    member_case = case_of(api, cast["moderator"], "member", cast["reader"].user_id)
    assert member_case is not None and member_case["author"]["id"] == cast["reader"].user_id


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"target": {"type": "post", "id": "post_x"}, "reason": "other"}, "text"),
        ({"target": {"type": "post", "id": "post_x"}, "reason": "rude"}, "reason"),
        ({"target": {"type": "comment", "id": "cmt_x"}, "reason": "spam"}, "target.post_id"),
        ({"target": {"type": "member", "id": "u", "post_id": "p"}, "reason": "spam"}, "target.post_id"),
        ({"target": {"type": "post", "id": "post_x"}, "reason": "spam", "text": "a\u202eb"}, "text"),
        ({"target": {"type": "post", "id": "post_x"}, "reason": "spam", "text": "x" * 501}, "text"),
    ],
)
def test_a_report_must_say_what_and_why(
    api: Any, cast: dict[str, SignedInMember], payload: dict[str, Any], field: str
) -> None:
    error = assert_error(call(api, "POST", "/reports", cast["reader"], payload), 422, "validation_error")
    assert field in [d["field"] for d in error["details"]]


def test_reporting_what_does_not_exist_or_your_own_is_refused(
    api: Any, cast: dict[str, SignedInMember]
) -> None:
    post = publish(api, cast["author"])
    assert_error(report(api, cast["reader"], target("post", "post_missing")), 404, "not_found")
    assert_error(report(api, cast["reader"], target("comment", "cmt_missing", post["id"])), 404, "not_found")
    assert_error(report(api, cast["author"], target("post", post["id"])), 422, "validation_error")
    assert_error(
        report(api, cast["author"], target("member", cast["author"].user_id)), 422, "validation_error"
    )
    assert report(api, None, target("post", post["id"])).status_code == 401


def test_a_report_costs_two_requests(
    api: Any, cast: dict[str, SignedInMember], monkeypatch: pytest.MonkeyPatch
) -> None:
    post = publish(api, cast["author"])
    with count_dynamodb_calls(monkeypatch) as calls:
        ok(report(api, cast["reader"], target("post", post["id"])), 201)
    calls.pop("UpdateItem", None)  # the abuse limit's unit (every write route spends one)
    assert dict(calls) == {"BatchGetItem": 1, "TransactWriteItems": 1}


# --- blocks --------------------------------------------------------------------------------------


def _block(api: Any, member: SignedInMember, other: SignedInMember) -> Any:
    return ok(call(api, "PUT", f"/users/{other.user_id}/block", member))


def test_a_blocked_members_posts_and_comments_disappear_for_the_blocker_only(
    api: Any, cast: dict[str, SignedInMember], new_member: NewMember
) -> None:
    # Given a post by the author, commented on by a troll who also posts
    author, troll, bystander = cast["author"], cast["reader"], new_member()
    post = publish(api, author, interests=["cooking"])
    troll_post = publish(api, troll, interests=["cooking"])
    remark = comment(api, troll, post["id"], "Nobody cares")
    # When the author blocks the troll
    assert _block(api, author, troll) == {"blocked": True}
    # Then the troll's posts are gone from the author's lists, and the post page itself is a 404
    assert troll_post["id"] not in listed_ids(api, "/interests/cooking/posts?limit=50", author)
    assert listed_ids(api, f"/users/{troll.user_id}/posts", author) == []
    assert_error(call(api, "GET", f"/posts/{troll_post['id']}", author), 404, "not_found")
    # And so is the troll's comment under the author's post
    shown = ok(call(api, "GET", f"/posts/{post['id']}/comments", author))["items"]
    assert remark["id"] not in [c["id"] for c in shown]
    # While everyone else still sees both
    for viewer in (bystander, None):
        assert troll_post["id"] in listed_ids(api, "/interests/cooking/posts?limit=50", viewer)
        comments = ok(call(api, "GET", f"/posts/{post['id']}/comments", viewer))["items"]
        assert remark["id"] in [c["id"] for c in comments]
    # And the profile says it is blocked
    assert profile(api, troll.user_id, author)["blocked_by_me"] is True
    assert profile(api, troll.user_id, bystander)["blocked_by_me"] is False


def test_a_blocked_member_cannot_comment_on_the_blockers_posts_or_follow_them(
    api: Any, cast: dict[str, SignedInMember]
) -> None:
    author, troll = cast["author"], cast["reader"]
    post = publish(api, author)
    _block(api, author, troll)
    text = {"text": "Let me in"}
    assert_error(call(api, "POST", f"/posts/{post['id']}/comments", troll, text), 403, "blocked")
    assert_error(call(api, "PUT", f"/users/{author.user_id}/follow", troll), 403, "blocked")
    # Nor can the blocker follow whom they blocked (unblock first)
    assert_error(call(api, "PUT", f"/users/{troll.user_id}/follow", author), 403, "blocked")
    # The author's own comments are unaffected
    comment(api, author, post["id"], "Still here")


def test_blocking_ends_the_follows_between_the_two_with_their_counts(
    api: Any, cast: dict[str, SignedInMember]
) -> None:
    author, troll = cast["author"], cast["reader"]
    ok(call(api, "PUT", f"/users/{troll.user_id}/follow", author))
    ok(call(api, "PUT", f"/users/{author.user_id}/follow", troll))
    before = profile(api, author.user_id)["counts"], profile(api, troll.user_id)["counts"]
    assert before[0]["followers"] == before[0]["following"] == 1
    _block(api, author, troll)
    for member in (author, troll):
        counts = profile(api, member.user_id)["counts"]
        assert (counts["followers"], counts["following"]) == (0, 0)
    assert profile(api, troll.user_id, author)["followed_by_me"] is False
    assert profile(api, author.user_id, troll)["followed_by_me"] is False


def test_unblocking_brings_everything_back_and_both_are_idempotent(
    api: Any, cast: dict[str, SignedInMember]
) -> None:
    author, troll = cast["author"], cast["reader"]
    troll_post = publish(api, troll, interests=["cooking"])
    assert _block(api, author, troll) == _block(api, author, troll) == {"blocked": True}
    listed = ok(call(api, "GET", "/me/blocks", author))
    assert [m["id"] for m in listed["items"]] == [troll.user_id]
    unblocked = ok(call(api, "DELETE", f"/users/{troll.user_id}/block", author))
    assert unblocked == ok(call(api, "DELETE", f"/users/{troll.user_id}/block", author)) == {"blocked": False}
    assert ok(call(api, "GET", "/me/blocks", author))["items"] == []
    assert troll_post["id"] in listed_ids(api, "/interests/cooking/posts?limit=50", author)
    ok(call(api, "PUT", f"/users/{author.user_id}/follow", troll))


def test_blocking_yourself_or_a_stranger_is_refused(api: Any, cast: dict[str, SignedInMember]) -> None:
    me = cast["reader"]
    assert_error(call(api, "PUT", f"/users/{me.user_id}/block", me), 422, "validation_error")
    assert_error(call(api, "PUT", "/users/nobody-at-all/block", me), 404, "not_found")
    assert call(api, "PUT", f"/users/{me.user_id}/block", None).status_code == 401


def test_a_feed_page_for_a_blocker_costs_no_extra_request(
    api: Any, cast: dict[str, SignedInMember], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The block list rides in the page's one BatchGetItem
    author, troll = cast["author"], cast["reader"]
    publish(api, troll, interests=["cooking"])
    _block(api, author, troll)
    ok(call(api, "GET", "/interests/cooking/posts", author))  # warm: activity mark
    with count_dynamodb_calls(monkeypatch) as calls:
        ok(call(api, "GET", "/interests/cooking/posts", author))
    assert dict(calls) == {"Query": 1, "BatchGetItem": 1}
