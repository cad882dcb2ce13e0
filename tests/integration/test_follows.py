"""Follows and public profiles: idempotent edges, exact counts, profiles and a member's posts."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from local.seed import seed_interests
from tests.conftest import SignedInMember
from tests.support.community import assert_error, call, counts, ok, profile, publish, smile

NewMember = Callable[..., SignedInMember]


def _follow(api: Any, member: SignedInMember, user_id: str) -> dict[str, Any]:
    return dict(ok(call(api, "PUT", f"/users/{user_id}/follow", member)))


def _unfollow(api: Any, member: SignedInMember, user_id: str) -> dict[str, Any]:
    return dict(ok(call(api, "DELETE", f"/users/{user_id}/follow", member)))


def test_following_twice_counts_once_on_both_sides(api: Any, new_member: NewMember) -> None:
    # Given two members (following needs no Prime)
    star, fan = new_member("prime"), new_member()
    call(api, "GET", "/me", star)

    # When the fan follows the star twice
    answers = [_follow(api, fan, star.user_id) for _ in range(2)]

    # Then both answers say following, and each side counts one edge
    assert answers == [{"following": True}] * 2
    assert counts(api, star.user_id)["followers"] == 1
    assert counts(api, fan.user_id)["following"] == 1


def test_unfollowing_twice_undoes_the_follow_once(api: Any, new_member: NewMember) -> None:
    # Given a star followed by two fans
    star, fan, other = new_member(), new_member(), new_member()
    call(api, "GET", "/me", star)
    _follow(api, fan, star.user_id)
    _follow(api, other, star.user_id)

    # When one fan unfollows twice, and a member who never followed unfollows
    answers = [_unfollow(api, fan, star.user_id) for _ in range(2)]
    never = _unfollow(api, star, fan.user_id)

    # Then only that one edge is gone
    assert answers == [{"following": False}] * 2
    assert never == {"following": False}
    assert counts(api, star.user_id)["followers"] == 1
    assert counts(api, fan.user_id) == {"posts": 0, "smiles_received": 0, "followers": 0, "following": 0}
    assert counts(api, star.user_id)["following"] == 0


def test_following_yourself_is_a_422_and_unfollowing_yourself_an_idempotent_200(
    api: Any, new_member: NewMember
) -> None:
    # Given a member
    member = new_member()

    # When they follow themselves: a validation error naming user_id
    error = assert_error(call(api, "PUT", f"/users/{member.user_id}/follow", member), 422, "validation_error")
    assert [d["field"] for d in error["details"]] == ["user_id"]
    # When they unfollow themselves: already true, so 200 {"following": false}, as often as asked
    for _ in range(2):
        response = call(api, "DELETE", f"/users/{member.user_id}/follow", member)
        assert response.status_code == 200
        assert json.loads(response.body) == {"following": False}
    # And nothing is counted
    assert counts(api, member.user_id) == {"posts": 0, "smiles_received": 0, "followers": 0, "following": 0}


def test_following_an_unknown_member_is_a_404(api: Any, new_member: NewMember) -> None:
    # Given a member
    member = new_member()

    # When they follow or unfollow someone who does not exist
    # Then both are 404s, and nothing is counted
    assert_error(call(api, "PUT", "/users/nobody-here/follow", member), 404, "not_found")
    assert_error(call(api, "DELETE", "/users/nobody-here/follow", member), 404, "not_found")
    assert counts(api, member.user_id)["following"] == 0


def test_a_profile_shows_badges_counts_and_whether_the_viewer_follows(
    api: Any, new_member: NewMember
) -> None:
    # Given an author with a post smiled at by a fan who follows them
    seed_interests()
    author, fan, stranger = new_member("prime"), new_member("prime"), new_member()
    ok(call(api, "PATCH", "/me", author, {"display_name": "Ada Trails", "bio": "Peaks & <b>trails</b>"}))
    post = publish(api, author)
    smile(api, fan, post["id"])
    _follow(api, fan, author.user_id)

    # When the fan, a stranger and an anonymous reader look at the author's profile
    as_fan, as_stranger, anonymous = (profile(api, author.user_id, v) for v in (fan, stranger, None))

    # Then everyone sees the same public profile; only the fan is told they follow
    assert as_fan == {
        "id": author.user_id,
        "display_name": "Ada Trails",
        "bio": "Peaks & <b>trails</b>",
        "badges": [],
        "counts": {"posts": 1, "smiles_received": 1, "followers": 1, "following": 0},
        "followed_by_me": True,
        "avatar": None,
        "blocked_by_me": False,
    }
    assert as_stranger == anonymous == {**as_fan, "followed_by_me": False}
    assert profile(api, author.user_id, author)["followed_by_me"] is False
    assert_error(call(api, "GET", "/users/nobody-here"), 404, "not_found")


def test_a_members_posts_are_listed_newest_first_as_summaries(api: Any, new_member: NewMember) -> None:
    # Given an author with three posts and another member with one
    seed_interests()
    author, other = new_member("prime"), new_member("prime")
    made = [publish(api, author, caption=f"post {i}")["id"] for i in range(3)]
    publish(api, other)

    # When their posts are listed two at a time
    first = ok(call(api, "GET", f"/users/{author.user_id}/posts?limit=2"))
    second = ok(call(api, "GET", f"/users/{author.user_id}/posts?limit=2&cursor={first['next_cursor']}"))

    # Then they come newest first, only theirs, as summaries (no body)
    assert [p["id"] for p in first["items"] + second["items"]] == made[::-1]
    assert all("body" not in p and p["author"]["id"] == author.user_id for p in first["items"])
    assert_error(call(api, "GET", "/users/nobody-here/posts"), 404, "not_found")
