"""Smiles: Prime only, idempotent, one transaction per change with every counter it moves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from chalicelib import clock
from chalicelib.data import connection
from local.seed import seed_interests
from tests.conftest import SignedInMember
from tests.support.aws_calls import record_api_calls
from tests.support.community import (
    assert_error,
    call,
    comment,
    counts,
    ok,
    post_of,
    publish,
    smile,
    transaction_conflict,
    unsmile,
)

NewMember = Callable[..., SignedInMember]


def _item_keys(entry: dict[str, Any]) -> tuple[str, str, str]:
    """(operation, PK, SK) of one TransactItems entry."""
    [(operation, request)] = entry.items()
    key = request["Item"] if operation == "Put" else request["Key"]
    return operation, key["PK"]["S"], key["SK"]["S"]


def _transactions(calls: Any) -> list[list[tuple[str, str, str]]]:
    """Each TransactWriteItems sent, as [(operation, PK, SK), ...]."""
    return [
        [_item_keys(entry) for entry in params["TransactItems"]]
        for name, params in calls.calls
        if name == "TransactWriteItems"
    ]


def test_a_member_counts_once_however_often_they_smile(api: Any, new_member: NewMember) -> None:
    # Given a post by one Prime member
    seed_interests()
    author, fan = new_member("prime"), new_member("prime")
    post = publish(api, author)

    # When another Prime member smiles at it three times
    answers = [smile(api, fan, post["id"]) for _ in range(3)]

    # Then every answer says smiled with one smile, and the post and the author agree
    assert answers == [{"smiled": True, "smile_count": 1}] * 3
    assert post_of(api, post["id"], fan)["smile_count"] == 1
    assert post_of(api, post["id"], fan)["smiled_by_me"] is True
    assert post_of(api, post["id"])["smiled_by_me"] is False
    assert counts(api, author.user_id)["smiles_received"] == 1


def test_taking_a_smile_back_is_idempotent(api: Any, new_member: NewMember) -> None:
    # Given a post with smiles from two members
    seed_interests()
    author, fan, other = new_member("prime"), new_member("prime"), new_member("prime")
    post = publish(api, author)
    smile(api, fan, post["id"])
    smile(api, other, post["id"])

    # When one of them takes the smile back twice, and a member who never smiled "unsmiles"
    answers = [unsmile(api, fan, post["id"]) for _ in range(2)]
    never = unsmile(api, author, post["id"])

    # Then only the one smile is gone, once
    assert answers == [{"smiled": False, "smile_count": 1}] * 2
    assert never == {"smiled": False, "smile_count": 1}
    assert post_of(api, post["id"], fan)["smiled_by_me"] is False
    assert counts(api, author.user_id)["smiles_received"] == 1


def test_each_smile_change_is_one_transaction_with_its_counters(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a post in two interests, and a clock stopped just before midnight
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 3, 1, 23, 59, 59, tzinfo=UTC))
    seed_interests()
    author, fan = new_member("prime"), new_member("prime")
    post = publish(api, author, interests=["hiking", "camping"])
    call(api, "GET", "/me", fan)  # the fan's first call (profile creation) is not under test

    # When the fan smiles, smiles again, and takes it back
    with record_api_calls(monkeypatch, "dynamodb") as smiled:
        smile(api, fan, post["id"])
    with record_api_calls(monkeypatch, "dynamodb") as repeated:
        smile(api, fan, post["id"])
    with record_api_calls(monkeypatch, "dynamodb") as taken_back:
        unsmile(api, fan, post["id"])

    # Then each change is one TransactWriteItems: the edge, the post, the author, each interest's day
    post_pk, author_pk = f"POST#{post['id']}", f"USER#{author.user_id}"
    [smile_tx] = _transactions(smiled)
    day = "2026-03-01"
    assert smile_tx == [
        ("Put", post_pk, f"SMILE#{fan.user_id}"),
        ("Update", post_pk, "POST"),
        ("Update", author_pk, "PROFILE"),
        ("Update", "SCORE#hiking", f"{day}#{author.user_id}"),
        ("Update", "SCORE#camping", f"{day}#{author.user_id}"),
    ]
    assert [[op for op, _, _ in tx] for tx in _transactions(taken_back)] == [
        ["Delete", "Update", "Update", "Update", "Update"]
    ]
    # And a repeated smile is answered by the failed edge condition: one attempt, nothing else written
    assert len(_transactions(repeated)) == 1
    # (besides the one abuse-limit counter every write spends: its key is RATE#...)
    writes = {
        name
        for name, params in repeated.calls
        if not params.get("Key", {}).get("PK", {}).get("S", "").startswith("RATE#")
    }
    assert not {"PutItem", "UpdateItem", "DeleteItem"} & writes


def _recorded_pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The retry loop's sleeps, recorded instead of slept."""
    pauses: list[float] = []
    monkeypatch.setattr(connection, "time", SimpleNamespace(sleep=pauses.append))
    return pauses


def _contended(conflicts: int) -> Callable[[str, dict[str, Any]], None]:
    """Cancel the next `conflicts` transactions for contention, as DynamoDB does under load."""
    remaining = [conflicts]

    def before(operation: str, _params: dict[str, Any]) -> None:
        if operation == "TransactWriteItems" and remaining[0] > 0:
            remaining[0] -= 1
            raise transaction_conflict()

    return before


def test_a_transaction_conflict_is_retried_with_backoff_and_the_smile_counts_once(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a post, and DynamoDB cancelling the next two transactions for contention
    seed_interests()
    author, fan = new_member("prime"), new_member("prime")
    post = publish(api, author)
    call(api, "GET", "/me", fan)
    pauses = _recorded_pauses(monkeypatch)

    # When the fan smiles
    with record_api_calls(monkeypatch, "dynamodb", before=_contended(2)) as calls:
        response = call(api, "PUT", f"/posts/{post['id']}/smile", fan)

    # Then the smile is retried after a pause each time until it lands, and counted once
    assert ok(response) == {"smiled": True, "smile_count": 1}
    assert calls.count("TransactWriteItems") == 3
    assert len(pauses) == 2 and all(p > 0 for p in pauses)
    assert counts(api, author.user_id)["smiles_received"] == 1


def test_writes_still_contended_after_every_retry_are_429s_that_change_nothing(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a post the fan smiled at and commented on, another post, and every transaction contended
    seed_interests()
    author, fan = new_member("prime"), new_member("prime")
    smiled, other = publish(api, author), publish(api, author)
    smile(api, fan, smiled["id"])
    kept = comment(api, fan, smiled["id"])
    pauses = _recorded_pauses(monkeypatch)

    # When the fan smiles, unsmiles, comments, deletes a comment and follows
    with record_api_calls(monkeypatch, "dynamodb", before=_contended(10**6)):
        answers = [
            call(api, "PUT", f"/posts/{other['id']}/smile", fan),
            call(api, "DELETE", f"/posts/{smiled['id']}/smile", fan),
            call(api, "POST", f"/posts/{smiled['id']}/comments", fan, {"text": "hi"}),
            call(api, "DELETE", f"/posts/{smiled['id']}/comments/{kept['id']}", fan),
            call(api, "PUT", f"/users/{author.user_id}/follow", fan),
        ]

    # Then each answer is "retry later" (never a 500) after backing off, and nothing changed
    for answer in answers:
        assert_error(answer, 429, "throttled")
    attempts = len(pauses) // len(answers)
    for waits in (pauses[i : i + attempts] for i in range(0, len(pauses), attempts)):
        assert sum(waits[attempts // 2 :]) > sum(waits[: attempts // 2]) > 0  # waits grow
    assert (post_of(api, smiled["id"])["smile_count"], post_of(api, other["id"])["smile_count"]) == (1, 0)
    assert post_of(api, smiled["id"])["comment_count"] == 1
    assert counts(api, author.user_id) == {"posts": 2, "smiles_received": 1, "followers": 0, "following": 0}


def test_a_member_cannot_smile_at_a_deleted_or_unknown_post(api: Any, new_member: NewMember) -> None:
    # Given a post that a fan smiled at, then deleted by its author
    seed_interests()
    author, fan = new_member("prime"), new_member("prime")
    post = publish(api, author)
    smile(api, fan, post["id"])
    assert call(api, "DELETE", f"/posts/{post['id']}", author).status_code == 204

    # When members smile at it, or take a smile back, or smile at a post that never existed
    # Then each is a 404
    assert_error(call(api, "PUT", f"/posts/{post['id']}/smile", fan), 404, "not_found")
    assert_error(call(api, "DELETE", f"/posts/{post['id']}/smile", fan), 404, "not_found")
    assert_error(call(api, "PUT", "/posts/post_nope/smile", fan), 404, "not_found")


def test_deleting_a_post_takes_its_smiles_off_the_authors_total(api: Any, new_member: NewMember) -> None:
    # Given an author whose two posts have three smiles between them
    seed_interests()
    author, fan, other = new_member("prime"), new_member("prime"), new_member("prime")
    kept, deleted = publish(api, author), publish(api, author, caption="Soon gone")
    smile(api, fan, kept["id"])
    smile(api, fan, deleted["id"])
    smile(api, other, deleted["id"])
    assert counts(api, author.user_id)["smiles_received"] == 3

    # When the author deletes the post with two smiles (twice: a retried delete)
    assert call(api, "DELETE", f"/posts/{deleted['id']}", author).status_code == 204
    call(api, "DELETE", f"/posts/{deleted['id']}", author)

    # Then only the kept post's smile still counts, and the kept post is untouched
    assert counts(api, author.user_id) == {"posts": 1, "smiles_received": 1, "followers": 0, "following": 0}
    assert post_of(api, kept["id"])["smile_count"] == 1


def test_smiles_show_in_listings_for_the_member_who_smiled(api: Any, new_member: NewMember) -> None:
    # Given two posts, one of which a fan smiled at
    seed_interests()
    author, fan = new_member("prime"), new_member("prime")
    liked, other = publish(api, author), publish(api, author, caption="Other")
    smile(api, fan, liked["id"])

    # When the fan and an anonymous reader list the author's posts
    as_fan = ok(call(api, "GET", f"/users/{author.user_id}/posts", fan))["items"]
    anonymous = ok(call(api, "GET", f"/users/{author.user_id}/posts"))["items"]

    # Then counts are current for everyone and smiled_by_me is the fan's own
    assert [(p["id"], p["smile_count"], p["smiled_by_me"]) for p in as_fan] == [
        (other["id"], 0, False),
        (liked["id"], 1, True),
    ]
    assert [p["smiled_by_me"] for p in anonymous] == [False, False]
