"""Smiles, comments and follows under concurrent load, against the running local stack.

Ten members act at once, each sending 20 requests of its own one after another (so each member's
last acknowledged action is well defined while the members race each other). Afterwards every
counter must equal what the edges say. No request may get a 5xx; a 429 is retried, as a client would.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from tests.e2e.conftest import Client

pytestmark = pytest.mark.e2e

MEMBERS = 10
REQUESTS_EACH = 20
MAX_RETRIES = 20


@pytest.fixture(scope="module")
def cast(sign_up: Callable[..., Client]) -> dict[str, Any]:
    """An author with a post, a member to be followed, and ten Prime members, all with profiles."""
    with ThreadPoolExecutor(6) as pool:
        author, star, *members = pool.map(lambda _: sign_up("prime"), range(MEMBERS + 2))
        statuses = list(pool.map(lambda c: c.request("GET", "/me").status_code, [author, star, *members]))
    assert set(statuses) == {200}, statuses
    idea = {"kind": "idea", "caption": "Busy post", "body": "Everyone smile.", "interests": ["hiking"]}
    response = author.request("POST", "/posts", json=idea)
    assert response.status_code == 201, response.text
    return {"author": author, "star": star, "members": members, "post_id": response.json()["id"]}


def send(client: Client, method: str, path: str, **kwargs: Any) -> requests.Response:
    """One request, retried on 429 with a short backoff; a 5xx fails the test."""
    for attempt in range(MAX_RETRIES):
        response = client.request(method, path, **kwargs)
        assert response.status_code < 500, f"{method} {path}: {response.status_code} {response.text}"
        if response.status_code != 429:
            return response
        time.sleep(min(0.5, 0.02 * 2**attempt) * random.uniform(0.5, 1.5))
    pytest.fail(f"{method} {path} still throttled after {MAX_RETRIES} attempts")


def run_concurrently(members: list[Client], script: Callable[[Client, random.Random], Any]) -> list[Any]:
    """Each member runs `script` (its own requests in order), all members at once; their results."""
    with ThreadPoolExecutor(len(members)) as pool:
        futures = [pool.submit(script, m, random.Random(i)) for i, m in enumerate(members)]
        return [f.result() for f in futures]


def json_of(client: Client, path: str) -> Any:
    response = client.request("GET", path)
    assert response.status_code == 200, response.text
    return response.json()


def test_concurrent_smiles_and_unsmiles_leave_exact_counts(cast: dict[str, Any]) -> None:
    # Given a post and ten Prime members
    post_path = f"/posts/{cast['post_id']}"
    author, members = cast["author"], cast["members"]

    # When each member smiles or takes it back 20 times at random while the others do the same
    def script(member: Client, rng: random.Random) -> bool:
        smiled = False
        for _ in range(REQUESTS_EACH):
            method = rng.choice(("PUT", "DELETE"))
            answer = send(member, method, f"{post_path}/smile")
            assert answer.status_code == 200, answer.text
            smiled = method == "PUT"
            assert answer.json()["smiled"] is smiled
        return smiled

    last_smiled = run_concurrently(members, script)

    # Then the post and its author count exactly the members whose last action was a smile
    expected = sum(last_smiled)
    assert json_of(author, post_path)["smile_count"] == expected
    assert json_of(author, f"/users/{author.user_id}")["counts"]["smiles_received"] == expected
    assert [json_of(m, post_path)["smiled_by_me"] for m in members] == last_smiled


def test_a_burst_of_identical_smiles_from_one_member_counts_once(cast: dict[str, Any]) -> None:
    # Given a member who has not smiled at the post
    post_path = f"/posts/{cast['post_id']}"
    member = cast["members"][0]
    send(member, "DELETE", f"{post_path}/smile")
    before = json_of(member, post_path)["smile_count"]

    # When they send ten smiles at once, then ten un-smiles at once
    with ThreadPoolExecutor(10) as pool:
        smiles = list(pool.map(lambda _: send(member, "PUT", f"{post_path}/smile"), range(10)))
        after_smiles = json_of(member, post_path)["smile_count"]
        unsmiles = list(pool.map(lambda _: send(member, "DELETE", f"{post_path}/smile"), range(10)))

    # Then they counted once, and not at all once taken back
    assert {r.status_code for r in smiles + unsmiles} == {200}
    assert after_smiles == before + 1
    assert json_of(member, post_path)["smile_count"] == before


def test_concurrent_comments_and_deletes_leave_an_exact_comment_count(cast: dict[str, Any]) -> None:
    # Given a post and ten Prime members
    comments_path = f"/posts/{cast['post_id']}/comments"

    # When each member writes comments and deletes some of their own, all at once
    def script(member: Client, rng: random.Random) -> set[str]:
        live: list[str] = []
        for i in range(REQUESTS_EACH):
            if live and rng.random() < 0.4:
                comment_id = live.pop(rng.randrange(len(live)))
                answer = send(member, "DELETE", f"{comments_path}/{comment_id}")
                assert answer.status_code == 204, answer.text
            else:
                answer = send(member, "POST", comments_path, json={"text": f"{member.user_id[:6]} says {i}"})
                assert answer.status_code == 201, answer.text
                live.append(answer.json()["id"])
        return set(live)

    kept = set().union(*run_concurrently(cast["members"], script))

    # Then the listing holds exactly the comments not deleted, and the post counts them
    listed: list[str] = []
    cursor = ""
    while True:
        page = json_of(cast["author"], f"{comments_path}?limit=100{cursor}")
        listed += [c["id"] for c in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert sorted(listed) == sorted(kept)
    assert json_of(cast["author"], f"/posts/{cast['post_id']}")["comment_count"] == len(listed)


def test_concurrent_follows_and_unfollows_leave_an_exact_follower_count(cast: dict[str, Any]) -> None:
    # Given a member to follow and ten others
    star, members = cast["star"], cast["members"]
    follow_path = f"/users/{star.user_id}/follow"

    # When each follows or unfollows them 20 times at random while the others do the same
    def script(member: Client, rng: random.Random) -> bool:
        following = False
        for _ in range(REQUESTS_EACH):
            method = rng.choice(("PUT", "DELETE"))
            answer = send(member, method, follow_path)
            assert answer.status_code == 200, answer.text
            following = method == "PUT"
            assert answer.json() == {"following": following}
        return following

    last_following = run_concurrently(members, script)

    # Then the star's followers and each member's following match the last acknowledged actions
    assert json_of(star, f"/users/{star.user_id}")["counts"]["followers"] == sum(last_following)
    profiles = [json_of(m, f"/users/{star.user_id}") for m in members]
    assert [p["followed_by_me"] for p in profiles] == last_following
    assert [json_of(m, f"/users/{m.user_id}")["counts"]["following"] for m in members] == [
        int(f) for f in last_following
    ]


CROWD = 20
WRITES_EACH = 10
# What each kind of write may answer when another member's write raced it (a deleted post is 404).
ALLOWED = {
    "smile": {200, 404},
    "unsmile": {200, 404},
    "comment": {201, 404},
    "delete comment": {204, 404},
    "follow": {200},
    "unfollow": {200},
    "post": {201},
    "delete post": {204, 404},
}


@pytest.fixture(scope="module")
def crowd(sign_up: Callable[..., Client]) -> list[Client]:
    """Twenty Prime members with profiles, each with one idea post."""
    with ThreadPoolExecutor(6) as pool:
        members = list(pool.map(lambda _: sign_up("prime"), range(CROWD)))
        assert {m.request("GET", "/me").status_code for m in members} == {200}
    return members


def test_200_concurrent_mixed_writes_from_20_members_leave_no_5xx_and_consistent_data(
    local_stack: Any, crowd: list[Client]
) -> None:
    from local.invariants import run

    # Given twenty Prime members, each with a post everyone can reach
    idea = {"kind": "idea", "caption": "Crowded", "body": "Go.", "interests": ["hiking"]}
    posts = [send(m, "POST", "/posts", json=idea).json()["id"] for m in crowd]
    shared = list(posts)

    # When each sends ten writes of every kind (smile, unsmile, comment, delete comment, follow,
    # unfollow, post, delete post), all twenty at once
    def script(member: Client, rng: random.Random) -> list[tuple[str, int]]:
        mine = [posts[crowd.index(member)]]
        comments: list[tuple[str, str]] = []
        answers: list[tuple[str, int]] = []
        while len(answers) < WRITES_EACH:
            kind = rng.choice(list(ALLOWED))
            target = rng.choice(shared)
            other = rng.choice([m for m in crowd if m is not member])
            if kind == "smile":
                response = send(member, "PUT", f"/posts/{target}/smile")
            elif kind == "unsmile":
                response = send(member, "DELETE", f"/posts/{target}/smile")
            elif kind == "comment":
                response = send(member, "POST", f"/posts/{target}/comments", json={"text": "busy"})
                if response.status_code == 201:
                    comments.append((target, response.json()["id"]))
            elif kind == "delete comment" and comments:
                post_id, comment_id = comments.pop(rng.randrange(len(comments)))
                response = send(member, "DELETE", f"/posts/{post_id}/comments/{comment_id}")
            elif kind == "follow":
                response = send(member, "PUT", f"/users/{other.user_id}/follow")
            elif kind == "unfollow":
                response = send(member, "DELETE", f"/users/{other.user_id}/follow")
            elif kind == "post":
                response = send(member, "POST", "/posts", json=idea)
                mine.append(response.json()["id"])
            elif kind == "delete post" and mine:
                response = send(member, "DELETE", f"/posts/{mine.pop(rng.randrange(len(mine)))}")
            else:
                continue  # nothing of theirs to delete yet: draw again
            answers.append((kind, response.status_code))
        return answers

    answers = [a for answered in run_concurrently(crowd, script) for a in answered]

    # Then no write was a 5xx (send() fails on one), each answer is one its kind may give
    assert len(answers) == CROWD * WRITES_EACH == 200
    unexpected = [(kind, status) for kind, status in answers if status not in ALLOWED[kind]]
    assert unexpected == []
    # And every counter equals the items it summarises, nothing is orphaned (brand summaries
    # included, once the stream and the engagement queue are delivered)
    local_stack.drain()
    report = run(
        endpoint=local_stack.config["cognito_endpoint"], table="flint-dev", media_bucket="flint-dev-media"
    )
    assert not report.findings, "\n" + report.table()
