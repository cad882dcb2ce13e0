"""Which stream records notify whom (issue 22's activity inbox). Pure rules: no AWS."""

from __future__ import annotations

from typing import Any

from chalicelib.services.engagement import TableChange
from chalicelib.services.inbox import notifications_of

AT = "2026-12-03T10:00:00.000Z"


def _insert(event_id: str, image: dict[str, Any]) -> TableChange:
    return TableChange(event_id=event_id, name="INSERT", new={"created_at": AT, **image}, old=None)


def test_a_follow_notifies_the_member_followed() -> None:
    [found] = notifications_of(
        [_insert("e1", {"type": "follow", "follower_id": "a", "followee_id": "b"})], {}
    )
    assert (found.member_id, found.kind, found.actor_id, found.post_id) == ("b", "follower", "a", None)
    assert found.sort.startswith(f"{AT}#")


def test_smiles_and_comments_notify_the_posts_author_but_never_for_their_own() -> None:
    changes = [
        _insert("e1", {"type": "smile", "user_id": "fan", "author_id": "au", "post_id": "p1"}),
        _insert("e2", {"type": "smile", "user_id": "au", "author_id": "au", "post_id": "p1"}),
        _insert("e3", {"type": "comment", "author_id": "fan", "post_id": "p1", "comment_id": "c1"}),
        _insert("e4", {"type": "comment", "author_id": "au", "post_id": "p1", "comment_id": "c2"}),
    ]
    found = notifications_of(changes, {"p1": "au"})
    assert [(n.member_id, n.kind, n.actor_id, n.comment_id) for n in found] == [
        ("au", "smile", "fan", None),
        ("au", "comment", "fan", "c1"),
    ]


def test_removals_edits_other_items_and_comments_on_unknown_posts_notify_nobody() -> None:
    follow = {"type": "follow", "follower_id": "a", "followee_id": "b", "created_at": AT}
    changes = [
        TableChange(event_id="e1", name="REMOVE", new=None, old=follow),
        TableChange(event_id="e2", name="MODIFY", new=follow, old=follow),
        _insert("e3", {"type": "post", "post_id": "p"}),
        _insert("e4", {"type": "comment", "author_id": "fan", "post_id": "gone", "comment_id": "c"}),
    ]
    assert notifications_of(changes, {}) == []


def test_the_same_stream_event_always_makes_the_same_notification() -> None:
    change = _insert("e1", {"type": "follow", "follower_id": "a", "followee_id": "b"})
    other = _insert("e2", {"type": "follow", "follower_id": "a", "followee_id": "b"})
    assert notifications_of([change], {}) == notifications_of([change], {})
    assert notifications_of([change], {})[0].sort != notifications_of([other], {})[0].sort
