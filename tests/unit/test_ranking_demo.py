"""Offline ranking on the demo community: what the demo Prime login sees after a day of activity.

The candidate set is the one `make dev`'s demo gives the Prime demo member (local/demo_data.py,
local/demo_posts.py): 120 posts cycled over the five contributors, each in 1..3 of its author's
interests, smiled at by the six Prime members (25 posts each); the Prime member follows the first
two contributors. The posts are spread over the last day, then new posts arrive.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.services import ranking
from chalicelib.services.ranking import Candidate, RankingWeights
from local.demo_data import DEMO_MEMBERS

NOW = datetime(2026, 6, 1, 18, 0, tzinfo=UTC)
READER = DEMO_MEMBERS[0]
CONTRIBUTORS = [m for m in DEMO_MEMBERS if "prime" in m.groups and m is not READER]
FOLLOWED = {m.email for m in CONTRIBUTORS[:2]}
PRIME_MEMBERS = 1 + len(CONTRIBUTORS)
FEED_PAGE = 20


def _reasons(author_email: str, interests: list[str]) -> list[str]:
    reasons = [f"{ranking.INTEREST}:{i}" for i in interests if i in READER.interests]
    if author_email in FOLLOWED:
        reasons.insert(0, f"{ranking.FOLLOWING}:{author_email}")
    return reasons or [ranking.TRENDING]


def _demo_candidates(seed: int, weights: RankingWeights = ranking.DEFAULT_WEIGHTS) -> list[Candidate]:
    rng = random.Random(seed)
    smiles = [0] * 120
    for _ in range(PRIME_MEMBERS):
        for index in rng.sample(range(120), 25):
            smiles[index] += 1
    candidates = []
    for index in range(120):
        author = CONTRIBUTORS[index % len(CONTRIBUTORS)]
        interests = rng.sample(list(author.interests), k=rng.randint(1, 3))
        candidates.append(
            Candidate.of(
                f"demo-{index:03d}",
                author.email,
                NOW - timedelta(hours=rng.uniform(1.5, 24)),
                smiles[index],
                rng.choice([0, 0, 0, 1, 2]),
                reasons=_reasons(author.email, interests),
                weights=weights,
            )
        )
    return candidates


def _rank_of(
    post_id: str, candidates: list[Candidate], weights: RankingWeights = ranking.DEFAULT_WEIGHTS
) -> int:
    ranked = ranking.rank(candidates, viewer_id=READER.email, weights=weights)
    return [e.post_id for e in ranked].index(post_id) + 1


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("minutes_old", [2, 20, 55])
def test_a_followees_post_of_the_last_hour_is_in_the_readers_top_10(seed: int, minutes_old: int) -> None:
    # Given the demo community after a day, and a post just published by someone the reader follows
    candidates = _demo_candidates(seed)
    followee = CONTRIBUTORS[0]
    fresh = Candidate.of(
        "fresh-followee",
        followee.email,
        NOW - timedelta(minutes=minutes_old),
        reasons=_reasons(followee.email, [followee.interests[-1]]),
    )

    # Then it is in their top 10, with no smiles yet
    assert _rank_of(fresh.post_id, [*candidates, fresh]) <= 10


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("minutes_old", [2, 20, 55])
def test_an_interest_post_of_the_last_hour_is_on_the_first_page(seed: int, minutes_old: int) -> None:
    # Given the demo community after a day, and a story just published in one of the reader's
    # interests by someone they do not follow
    candidates = _demo_candidates(seed)
    stranger = CONTRIBUTORS[-1]
    shared = next(i for i in stranger.interests if i in READER.interests)
    fresh = Candidate.of(
        "fresh-interest",
        stranger.email,
        NOW - timedelta(minutes=minutes_old),
        reasons=_reasons(stranger.email, [shared]),
    )

    # Then it is on the first page of their feed
    assert _rank_of(fresh.post_id, [*candidates, fresh]) <= FEED_PAGE


def test_uncapped_engagement_would_bury_them_which_is_what_these_tests_guard_against() -> None:
    # Engagement that grows with every smile (about 1 + engagement, never saturating), as in the
    # first build's formula, ranks the fresh followee post far below older smiled posts of the
    # followees on the same data: the cap is what keeps a post of the last hour in view.
    uncapped = RankingWeights(engagement_cap=1001.0, engagement_half=1000.0)
    candidates = _demo_candidates(0, uncapped)
    followee = CONTRIBUTORS[0]
    fresh = Candidate.of(
        "fresh-followee",
        followee.email,
        NOW - timedelta(minutes=20),
        reasons=[f"following:{followee.email}"],
        weights=uncapped,
    )

    assert _rank_of("fresh-followee", [*candidates, fresh], uncapped) > 10
