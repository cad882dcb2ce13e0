"""The shared lists follow what changed (the stream's change log), and a refresh's fan-in does not
grow with the follow count: issue 19's incremental planner and refresh, through the real path
(table writes -> stream -> stream worker -> planner -> worker)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib import clock
from chalicelib.data import enthusiasts as enthusiast_store
from chalicelib.data import feeds as feed_store
from chalicelib.data import keys
from chalicelib.data.models import FollowItem, UserItem
from chalicelib.services import feeds
from local.seed import seed_interests
from tests.conftest import SignedInMember
from tests.dynamo_counter import count_dynamodb_calls
from tests.support.feeds import (
    BAKER,
    idea,
    joined,
    onboard,
    reasons_by_post,
    stored_post,
    update_lists,
    whole_feed,
)

NewMember = Callable[..., SignedInMember]


def _entry(owner: str, post_id: str) -> feed_store.ListEntry | None:
    shared = feed_store.get_lists([owner]).get(owner)
    return next((e for e in shared.entries if e.post_id == post_id), None) if shared else None


def test_a_smile_moves_the_post_in_its_lists_at_the_next_run(api: Any, new_member: NewMember) -> None:
    # Given a hiking post in the lists
    seed_interests()
    author, fan = new_member("prime"), new_member("prime")
    post = idea(api, author, ["hiking"])
    update_lists()
    before = _entry(keys.trending_owner("hiking"), post["id"])
    assert before is not None and before.smiles == 0

    # When someone smiles at it and the planner runs
    assert api.http.put(f"/posts/{post['id']}/smile", headers=fan.headers).status_code == 200
    update_lists()

    # Then its entries carry the new count and a higher rank key, in trending too
    after = _entry(keys.trending_owner("hiking"), post["id"])
    assert after is not None and after.smiles == 1 and after.key > before.key
    trending = _entry(keys.trending_owner(), post["id"])
    assert trending is not None and trending.smiles == 1


def test_a_deleted_post_leaves_the_lists_at_the_next_run(api: Any, new_member: NewMember) -> None:
    seed_interests()
    author = new_member("prime")
    post = idea(api, author, ["hiking", "camping"])
    update_lists()
    assert _entry(keys.trending_owner("camping"), post["id"]) is not None

    assert api.http.delete(f"/posts/{post['id']}", headers=author.headers).status_code == 204
    update_lists()

    for owner in (keys.trending_owner(), keys.trending_owner("hiking"), keys.trending_owner("camping")):
        assert _entry(owner, post["id"]) is None


def test_a_new_enthusiast_is_boosted_in_the_lists_from_the_daily_ranking(
    api: Any, new_member: NewMember
) -> None:
    # Given a post in the lists by a member without the badge
    seed_interests()
    author = joined(api, new_member("prime"))
    post_id = stored_post(author.user_id, ["hiking"], clock.now_iso())
    update_lists()
    plain = _entry(keys.trending_owner("hiking"), post_id)
    assert plain is not None and not plain.enthusiast

    # When the daily job ranks them (its one ranking item is what the planner reads)
    enthusiast_store.save_ranking(None, [(author.user_id, 20)], clock.now_iso())
    update_lists()

    # Then their entries carry the badge and its boost
    boosted = _entry(keys.trending_owner("hiking"), post_id)
    assert boosted is not None and boosted.enthusiast and boosted.key > plain.key


def _followees(count: int, author_id: str) -> list[str]:
    """`count` members with a profile (the given author among them), without signing each up."""
    now = clock.now_iso()
    others = [str(uuid.uuid4()) for _ in range(count - 1)]
    with UserItem.batch_write() as batch:
        for user_id in others:
            key = keys.user(user_id)
            batch.save(UserItem(key.pk, key.sk, user_id=user_id, display_name="f", created_at=now))
    return [author_id, *others]


def _follow_all(member_id: str, followees: list[str]) -> None:
    with FollowItem.batch_write() as batch:
        for followee in followees:
            edge = keys.follow(member_id, followee)
            batch.save(
                FollowItem(edge.pk, edge.sk, follower_id=member_id, followee_id=followee, created_at="t")
            )
    key = keys.user(member_id)
    UserItem(key.pk, key.sk).update(actions=[UserItem.follow_version.add(1)])


@pytest.mark.parametrize("follows", [5, 150])
def test_a_refresh_with_news_costs_the_same_requests_whatever_the_follow_count(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch, follows: int
) -> None:
    # Given a reader following `follows` members, whose feed was refreshed once (a full read)
    seed_interests()
    reader = new_member()
    onboard(api, reader, BAKER)
    author = joined(api, new_member("prime"))
    _follow_all(reader.user_id, _followees(follows, author.user_id))
    update_lists()
    feeds.refresh_member(reader.user_id, clock.now_iso())

    # When one followee posts and the planner runs
    post_id = stored_post(author.user_id, ["gaming"], clock.now_iso())
    update_lists()
    with count_dynamodb_calls(monkeypatch) as calls:
        feeds.refresh_member(reader.user_id, clock.now_iso())

    # Then the refresh read the run records and only that followee: 6 requests, whatever the count
    # (one of them the Query of the member's audiences, for campaigns' featured slots: issue 22)
    assert calls.total == 6, calls
    assert f"following:{author.user_id}" in reasons_by_post(whole_feed(api, reader))[post_id]
