"""The Enthusiast badge: ranked per interest on smiles of the last 30 days, awarded and revoked by the job.

The smiles are made at a controlled time (`chalicelib.clock.now` patched); the job then runs with
`now=` a number of days later, as the daily schedule would on that day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib import clock
from chalicelib.services import enthusiasts
from chalicelib.settings import get_settings
from local.seed import seed_interests
from tests.conftest import SignedInMember
from tests.support.community import assert_error, call, comment, ok, post_of, profile, publish, smile, unsmile

NewMember = Callable[..., SignedInMember]
SMILED_AT = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
BADGE = ["enthusiast"]


def configure(monkeypatch: pytest.MonkeyPatch, *, top: int = 10, min_smiles: int = 5, days: int = 30) -> None:
    monkeypatch.setenv("FLINT_ENTHUSIAST_TOP_PER_INTEREST", str(top))
    monkeypatch.setenv("FLINT_ENTHUSIAST_MIN_SMILES", str(min_smiles))
    monkeypatch.setenv("FLINT_ENTHUSIAST_WINDOW_DAYS", str(days))
    get_settings.cache_clear()


def run_job(days_after: int) -> enthusiasts.RunSummary:
    return enthusiasts.run(now=SMILED_AT + timedelta(days=days_after))


@dataclass
class Contributors:
    """ada: 3 smiles in hiking; ben: 2 in hiking and camping (one post in both); cy: 1 in camping."""

    ada: SignedInMember
    ben: SignedInMember
    cy: SignedInMember
    fan: SignedInMember
    posts: dict[str, dict[str, Any]]


@pytest.fixture
def contributors(
    api: Any, private_table: str, new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> Contributors:
    # A table of its own: the job ranks every interest, and badges every member, of its table.
    monkeypatch.setattr(clock, "now", lambda: SMILED_AT)
    seed_interests()
    ada, ben, cy, fan = (new_member("prime") for _ in range(4))
    posts = {
        "ada": publish(api, ada, interests=["hiking"]),
        "ben": publish(api, ben, interests=["hiking", "camping"]),
        "cy": publish(api, cy, interests=["camping"]),
    }
    for author, smilers in {"ada": (fan, ben, cy), "ben": (fan, ada), "cy": (fan,)}.items():
        for member in smilers:
            smile(api, member, posts[author]["id"])
    return Contributors(ada, ben, cy, fan, posts)


def enthusiasts_of(api: Any, query: str = "", viewer: SignedInMember | None = None) -> list[tuple[str, int]]:
    items = ok(call(api, "GET", f"/enthusiasts{query}", viewer))["items"]
    return [(p["id"], p["smiles_30d"]) for p in items]


def test_the_top_contributor_earns_the_badge_and_loses_it_when_the_smiles_age_out(
    api: Any, contributors: Contributors, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given badges for at least 3 smiles in an interest over 30 days
    configure(monkeypatch, top=10, min_smiles=3)
    ada, ben = contributors.ada, contributors.ben

    # When the job runs 10 days after the smiles
    summary = run_job(10)

    # Then only Ada (3 smiles in hiking) holds the badge, and is listed with her score
    assert (summary.awarded, summary.revoked, summary.holders) == ([ada.user_id], [], 1)
    assert profile(api, ada.user_id)["badges"] == BADGE
    assert profile(api, ben.user_id)["badges"] == []
    assert enthusiasts_of(api, "?interest=hiking") == [(ada.user_id, 3)]
    assert enthusiasts_of(api) == [(ada.user_id, 3)]

    # When the job runs again 40 days after the smiles
    summary = run_job(40)

    # Then the smiles have aged out of the window and the badge is revoked
    assert (summary.awarded, summary.revoked, summary.holders) == ([], [ada.user_id], 0)
    assert profile(api, ada.user_id)["badges"] == []
    assert enthusiasts_of(api, "?interest=hiking") == []
    assert enthusiasts_of(api) == []


def test_the_badge_shows_wherever_its_holder_is_shown_as_an_author(
    api: Any, contributors: Contributors, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given Ada holds the badge, and has commented on Ben's post
    configure(monkeypatch, min_smiles=3)
    ada, ben = contributors.ada, contributors.ben
    ada_post, ben_post = contributors.posts["ada"]["id"], contributors.posts["ben"]["id"]
    comment(api, ada, ben_post, "Great route")
    run_job(1)

    # When her post, post lists, comments and profile are read
    post = post_of(api, ada_post)
    by_member = ok(call(api, "GET", f"/users/{ada.user_id}/posts"))["items"]
    by_interest = ok(call(api, "GET", "/interests/hiking/posts"))["items"]
    comments = ok(call(api, "GET", f"/posts/{ben_post}/comments"))["items"]

    # Then each shows her badge, and Ben (no badge) shows none
    assert post["author"]["badges"] == BADGE
    assert [p["author"]["badges"] for p in by_member] == [BADGE]
    assert {p["author"]["id"]: p["author"]["badges"] for p in by_interest} == {
        ada.user_id: BADGE,
        ben.user_id: [],
    }
    assert [c["author"]["badges"] for c in comments] == [BADGE]
    assert profile(api, ada.user_id)["badges"] == BADGE
    assert post_of(api, ben_post)["author"]["badges"] == []


def test_enthusiasts_are_ranked_per_interest_and_overall(
    api: Any, contributors: Contributors, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given badges for anyone with a smile, and a viewer who follows Ben
    configure(monkeypatch, top=10, min_smiles=1)
    ada, ben, cy, fan = contributors.ada, contributors.ben, contributors.cy, contributors.fan
    ok(call(api, "PUT", f"/users/{ben.user_id}/follow", fan))
    run_job(3)

    # When each ranking is read
    # Then each interest ranks by smiles in that interest, and overall by each member's best interest
    assert enthusiasts_of(api, "?interest=hiking") == [(ada.user_id, 3), (ben.user_id, 2)]
    assert enthusiasts_of(api, "?interest=camping") == [(ben.user_id, 2), (cy.user_id, 1)]
    assert enthusiasts_of(api) == [(ada.user_id, 3), (ben.user_id, 2), (cy.user_id, 1)]
    assert enthusiasts_of(api, "?interest=cooking") == []
    # And each entry is a full profile, personalised for the viewer
    items = ok(call(api, "GET", "/enthusiasts?interest=camping", fan))["items"]
    assert [(p["id"], p["badges"], p["followed_by_me"]) for p in items] == [
        (ben.user_id, BADGE, True),
        (cy.user_id, BADGE, False),
    ]
    assert items[0]["counts"] == {"posts": 1, "smiles_received": 2, "followers": 1, "following": 0}
    assert_error(call(api, "GET", "/enthusiasts?interest=no-such-interest"), 404, "not_found")


def test_only_the_top_contributors_above_the_minimum_hold_the_badge(
    api: Any, contributors: Contributors, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the top 2 per interest with at least 2 smiles
    configure(monkeypatch, top=2, min_smiles=2)
    ada, ben, cy = contributors.ada, contributors.ben, contributors.cy

    # When the job runs
    summary = run_job(0)

    # Then Ada and Ben hold the badge, Cy (1 smile) does not
    assert summary.awarded == sorted([ada.user_id, ben.user_id])
    assert profile(api, cy.user_id)["badges"] == []

    # When the rule tightens to the single top contributor per interest and the job runs again
    configure(monkeypatch, top=1, min_smiles=2)
    summary = run_job(1)

    # Then Ben, second in hiking but first in camping, keeps it; tighter still, he loses it
    assert (summary.awarded, summary.revoked) == ([], [])
    configure(monkeypatch, top=1, min_smiles=3)
    summary = run_job(2)
    assert (summary.awarded, summary.revoked) == ([], [ben.user_id])
    assert profile(api, ben.user_id)["badges"] == []
    assert profile(api, ada.user_id)["badges"] == BADGE


def test_smiles_taken_back_or_on_deleted_posts_no_longer_count(
    api: Any, contributors: Contributors, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given badges for at least 2 smiles
    configure(monkeypatch, min_smiles=2)
    ada, ben, fan = contributors.ada, contributors.ben, contributors.fan

    # When Ada deletes her post (3 smiles) and the fan takes back a smile from Ben (2 -> 1), later on
    monkeypatch.setattr(clock, "now", lambda: SMILED_AT + timedelta(days=2))
    assert call(api, "DELETE", f"/posts/{contributors.posts['ada']['id']}", ada).status_code == 204
    unsmile(api, fan, contributors.posts["ben"]["id"])
    summary = run_job(5)

    # Then nobody reaches the minimum, and the counters agree
    assert summary.holders == 0
    assert enthusiasts_of(api) == []
    assert profile(api, ada.user_id)["counts"]["smiles_received"] == 0
    assert profile(api, ben.user_id)["counts"]["smiles_received"] == 1


def test_the_window_is_configurable(
    api: Any, contributors: Contributors, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a 7-day window
    configure(monkeypatch, min_smiles=3, days=7)

    # When the job runs 6 days after the smiles (their day is the window's oldest), then 7 days after
    # Then the smiles count in the first run only
    assert run_job(6).awarded == [contributors.ada.user_id]
    assert run_job(7).revoked == [contributors.ada.user_id]
