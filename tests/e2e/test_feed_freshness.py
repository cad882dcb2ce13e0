"""A new post reaches its followers' and its interests' feeds at the next refresh.

Over the running local stack (`make dev`'s devstack, shared by the e2e tests). In AWS, EventBridge
fires the feed planner every few minutes and Lambda's poller delivers the refresh queue to the worker;
here the test does both when it means to, through the event runner's control API (run the planner,
drain the queues), then reads the feeds: what is asserted is what one refresh shows, never how long
anything took.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import Client, LocalStack
from tests.support.http import ok

pytestmark = pytest.mark.e2e

# The catalog's interests (local/demo_data.py); a member chooses at least five.
HIKER = ["hiking", "camping", "outdoors", "travel", "photography"]
GAMER = ["gaming", "tech", "music", "books", "coffee"]


def _onboarded(sign_up: Callable[..., Client], interests: list[str], *groups: str) -> Client:
    member = sign_up(*groups)
    ok(member.request("PUT", "/me/interests", json={"interests": interests}))
    return member


def _reasons(member: Client, post_id: str) -> list[str] | None:
    """The reasons the post is in the member's feed (any page: the stack is shared); None if it is not."""
    params: dict[str, Any] = {"limit": 33}
    for _ in range(20):
        page = ok(member.request("GET", "/feed", params=params))
        found = next((card["reasons"] for card in page["items"] if card["post"]["id"] == post_id), None)
        if found is not None or page["next_cursor"] is None:
            return found
        params["cursor"] = page["next_cursor"]
    raise AssertionError("the feed never ends")


def _post_idea(author: Client, caption: str, interests: list[str]) -> str:
    body = {"kind": "idea", "caption": caption, "body": "Just back.", "interests": interests}
    return str(ok(author.request("POST", "/posts", json=body), 201)["id"])


def _refresh(local_stack: LocalStack) -> None:
    """What one scheduled refresh does in AWS: the planner, then the worker on every queued refresh."""
    local_stack.run("feed_planner")
    local_stack.drain()


def test_followers_and_interested_members_see_a_new_post_at_the_next_refresh(
    local_stack: LocalStack, sign_up: Callable[..., Client]
) -> None:
    # Given an author, a follower who shares none of the author's interests, and a hiker who does
    # not follow the author, whose feeds were built at the last refresh
    author = _onboarded(sign_up, GAMER, "prime")
    follower = _onboarded(sign_up, GAMER, "prime")
    ok(follower.request("PUT", f"/users/{author.user_id}/follow"))
    hiker = _onboarded(sign_up, HIKER)
    earlier = _post_idea(author, "Last week's trail", ["hiking"])
    _refresh(local_stack)
    assert f"following:{author.user_id}" in (_reasons(follower, earlier) or [])
    assert "interest:hiking" in (_reasons(hiker, earlier) or [])

    # When the author posts a new hiking idea, and the next refresh runs
    post_id = _post_idea(author, "Fresh trail", ["hiking"])
    _refresh(local_stack)

    # Then the follower sees it because they follow the author, and the hiker because of its
    # interest (not because they follow the author: they do not)
    assert f"following:{author.user_id}" in (_reasons(follower, post_id) or [])
    hiker_reasons = _reasons(hiker, post_id) or []
    assert "interest:hiking" in hiker_reasons
    assert f"following:{author.user_id}" not in hiker_reasons


def test_a_deleted_post_leaves_the_feed_at_once(
    local_stack: LocalStack, sign_up: Callable[..., Client]
) -> None:
    # Given a hiker whose feed shows a new hiking post
    author = _onboarded(sign_up, GAMER, "prime")
    hiker = _onboarded(sign_up, HIKER)
    post_id = _post_idea(author, "Short-lived", ["hiking"])
    _refresh(local_stack)
    assert "interest:hiking" in (_reasons(hiker, post_id) or [])

    # When the author deletes it
    assert author.request("DELETE", f"/posts/{post_id}").status_code == 204

    # Then the very next read does not show it, before any refresh
    assert _reasons(hiker, post_id) is None
