"""Feed ranking rules, with a controlled clock: pure functions, no AWS."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.services import ranking
from chalicelib.services.ranking import Candidate, RankedEntry, RankingWeights

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
WEIGHTS = RankingWeights()


def _post(
    post_id: str,
    *,
    author: str = "author-a",
    hours_old: float = 1.0,
    smiles: int = 0,
    comments: int = 0,
    enthusiast: bool = False,
    reasons: tuple[str, ...] = ("interest:hiking",),
) -> Candidate:
    return Candidate.of(
        post_id,
        author,
        NOW - timedelta(hours=hours_old),
        smiles,
        comments,
        author_is_enthusiast=enthusiast,
        reasons=list(reasons),
        now=NOW,
    )


def _rank(
    *candidates: Candidate, viewer: str | None = "viewer", weights: RankingWeights = WEIGHTS
) -> list[str]:
    return [e.post_id for e in ranking.rank(candidates, viewer_id=viewer, weights=weights)]


def _longest_run(entries: list[RankedEntry]) -> int:
    longest = run = 0
    for index, entry in enumerate(entries):
        run = run + 1 if index and entries[index - 1].author_id == entry.author_id else 1
        longest = max(longest, run)
    return longest


# Recency


def test_an_older_post_ranks_below_a_newer_one_with_equal_engagement() -> None:
    # Given two posts with the same reasons and engagement, one a day older
    newer = _post("newer", author="a", hours_old=2, smiles=3)
    older = _post("older", author="b", hours_old=26, smiles=3)

    # Then the newer one ranks first, whatever order they arrive in
    assert _rank(older, newer) == ["newer", "older"]
    assert _rank(newer, older) == ["newer", "older"]


def test_a_post_loses_half_its_score_every_half_life() -> None:
    # Recency: the score halves every 7 hours of age, whatever the engagement
    fresh = ranking.score(_post("p", hours_old=0, smiles=3), NOW, WEIGHTS)
    older = ranking.score(_post("p", hours_old=7, smiles=3), NOW, WEIGHTS)
    oldest = ranking.score(_post("p", hours_old=14, smiles=3), NOW, WEIGHTS)

    assert older == pytest.approx(fresh / 2)
    assert oldest == pytest.approx(fresh / 4)


def test_a_post_dated_in_the_future_counts_as_brand_new() -> None:
    # Clock skew between writers must not boost a post beyond "just published"
    assert _post("p", hours_old=-5).key == _post("p", hours_old=0).key


def test_the_order_of_two_posts_never_changes_as_time_passes() -> None:
    # Given posts of any age, engagement and affinity, ranked now and again a day later
    rng = random.Random(7)
    candidates = [
        _post(
            f"p{i:02d}",
            author=f"a{i}",
            hours_old=rng.uniform(0, 72),
            smiles=rng.randint(0, 40),
            comments=rng.randint(0, 5),
            enthusiast=rng.random() < 0.2,
            reasons=(rng.choice(["trending", "interest:hiking", "following:x"]),),
        )
        for i in range(40)
    ]

    def order(at: datetime) -> list[str]:
        return [c.post_id for c in sorted(candidates, key=lambda c: -ranking.score(c, at, WEIGHTS))]

    # Then the scores all shrink by the same factor, so the order is the same: a stored feed
    # never needs re-ranking, only the posts that changed need scoring again
    assert order(NOW) == order(NOW + timedelta(days=1)) == _rank(*candidates, viewer=None)


# Engagement


def test_engagement_earns_half_its_boost_at_twelve_and_saturates() -> None:
    assert ranking.engagement(0, 0) == 1.0
    assert ranking.engagement(12, 0) == pytest.approx(1 + 0.75 / 2)
    # 6 smiles and 3 comments are 12 engagement: a comment weighs as much as two smiles
    assert ranking.engagement(6, 3) == ranking.engagement(12, 0)
    assert 1.74 < ranking.engagement(5000, 0) < WEIGHTS.engagement_cap


def test_engagement_can_at_most_raise_a_score_by_three_quarters() -> None:
    viral = _post("viral", hours_old=3, smiles=5000)
    quiet = _post("quiet", hours_old=3, smiles=0)
    ratio = ranking.score(viral, NOW, WEIGHTS) / ranking.score(quiet, NOW, WEIGHTS)
    assert 1.74 < ratio < 1.75


def test_a_fresh_followee_post_outranks_older_well_smiled_posts_of_strangers() -> None:
    # Given a followee's post 20 minutes old without smiles, and strangers' posts with many smiles
    fresh = _post("fresh", author="friend", hours_old=0.3, reasons=("following:friend",))
    popular = [
        _post(
            f"popular-{i}",
            author=f"stranger-{i}",
            hours_old=4 + i,
            smiles=40 + i,
            reasons=("interest:hiking",),
        )
        for i in range(30)
    ]

    # Then the followee's post leads the feed
    assert _rank(*popular, fresh)[0] == "fresh"


def test_a_fresh_interest_post_outranks_day_old_well_smiled_interest_posts() -> None:
    fresh = _post("fresh", author="someone", hours_old=0.5, reasons=("interest:hiking",))
    older = [
        _post(f"older-{i}", author=f"a-{i}", hours_old=12 + i, smiles=30, reasons=("interest:hiking",))
        for i in range(30)
    ]
    assert _rank(*older, fresh).index("fresh") < 5


def test_a_comment_weighs_as_much_as_two_smiles() -> None:
    smiled = _post("smiled", author="a", hours_old=3, smiles=2)
    commented = _post("commented", author="b", hours_old=3, comments=1)

    assert ranking.score(smiled, NOW, WEIGHTS) == pytest.approx(ranking.score(commented, NOW, WEIGHTS))


def test_a_post_gathering_smiles_quickly_outranks_an_older_post_with_more_smiles() -> None:
    # Given a post with 10 smiles in its first hour and one with 30 smiles over 20 hours
    quick = _post("quick", author="a", hours_old=1, smiles=10)
    slow = _post("slow", author="b", hours_old=20, smiles=30)

    # Then the quick one leads: a few more smiles never make up for most of a day
    assert _rank(slow, quick) == ["quick", "slow"]


def test_more_engagement_ranks_higher_at_the_same_age() -> None:
    assert _rank(
        _post("quiet", author="a", hours_old=5, smiles=1),
        _post("busy", author="b", hours_old=5, smiles=8, comments=2),
    ) == ["busy", "quiet"]


# Affinity


def test_following_outranks_interest_which_outranks_trending() -> None:
    # Given three posts alike in every way but the reason the viewer sees them
    trending = _post("trending", author="a", reasons=("trending",))
    interest = _post("interest", author="b", reasons=("interest:hiking",))
    following = _post("following", author="c", reasons=("following:c",))

    # Then following > interest > trending, in the weights' proportions
    assert _rank(trending, interest, following) == ["following", "interest", "trending"]
    scores = {c.post_id: ranking.score(c, NOW, WEIGHTS) for c in (trending, interest, following)}
    assert scores["following"] / scores["trending"] == pytest.approx(3.0)
    assert scores["interest"] / scores["trending"] == pytest.approx(2.0)


def test_a_post_seen_for_several_reasons_scores_by_its_strongest_and_keeps_them_all() -> None:
    # Given a post that is trending, in an interest and by a followee
    both = _post("both", author="c", reasons=("trending", "interest:hiking", "following:c"))
    following_only = _post("following-only", author="d", reasons=("following:d",))

    # Then it scores as a followee's post, not more (reasons do not add up)...
    assert ranking.score(both, NOW, WEIGHTS) == pytest.approx(ranking.score(following_only, NOW, WEIGHTS))
    # ...and its card keeps every reason, in order
    [entry] = ranking.rank([both], viewer_id="viewer", weights=WEIGHTS)
    assert entry.reasons == ["trending", "interest:hiking", "following:c"]


def test_a_big_affinity_gap_beats_a_small_recency_gap() -> None:
    # A followee's post from 12 hours ago still beats a trending post from an hour ago
    assert _rank(
        _post("fresh-trending", author="a", hours_old=1, reasons=("trending",)),
        _post("followee", author="b", hours_old=12, reasons=("following:b",)),
    ) == ["followee", "fresh-trending"]


# Enthusiasts


def test_an_enthusiasts_post_gets_a_boost_and_the_enthusiast_reason() -> None:
    # Given two identical posts, one by an Enthusiast badge holder
    plain = _post("plain", author="a")
    badge = _post("badge", author="b", enthusiast=True)

    entries = {e.post_id: e for e in ranking.rank([plain, badge], viewer_id="v", weights=WEIGHTS)}

    # Then it ranks first, 1.3 times the score, and says why
    assert _rank(plain, badge) == ["badge", "plain"]
    assert ranking.score(badge, NOW, WEIGHTS) == pytest.approx(ranking.score(plain, NOW, WEIGHTS) * 1.3)
    assert entries["badge"].reasons == ["interest:hiking", "enthusiast"]
    assert entries["plain"].reasons == ["interest:hiking"]


def test_the_enthusiast_reason_is_never_repeated() -> None:
    candidate = _post("p", enthusiast=True, reasons=("trending", "enthusiast"))

    [entry] = ranking.rank([candidate], viewer_id=None, weights=WEIGHTS)

    assert entry.reasons == ["trending", "enthusiast"]


# Diversity


def test_no_author_gets_more_than_two_cards_in_a_row() -> None:
    # Given an author whose four posts all outrank everyone else's
    candidates = [_post(f"a{i}", author="a", hours_old=1 + i) for i in range(4)]
    candidates += [_post(f"b{i}", author="b", hours_old=30 + i) for i in range(2)]

    # Then a third card in a row is pushed down behind the next other author's card
    assert _rank(*candidates) == ["a0", "a1", "b0", "a2", "a3", "b1"]


def test_diversity_keeps_the_ranked_order_when_no_author_runs_long() -> None:
    candidates = [
        _post("a0", author="a", hours_old=1),
        _post("a1", author="a", hours_old=2),
        _post("b0", author="b", hours_old=3),
        _post("a2", author="a", hours_old=4),
        _post("c0", author="c", hours_old=5),
    ]

    assert _rank(*reversed(candidates)) == ["a0", "a1", "b0", "a2", "c0"]


def test_when_only_one_author_is_left_their_posts_close_the_feed() -> None:
    # Nothing to interleave with: the posts are kept, in order, rather than dropped
    candidates = [_post("b0", author="b", hours_old=2)]
    candidates += [_post(f"a{i}", author="a", hours_old=1 + i * 0.1) for i in range(5)]

    assert _rank(*candidates) == ["a0", "a1", "b0", "a2", "a3", "a4"]


@pytest.mark.parametrize("seed", range(25))
def test_diversity_holds_for_any_mix_of_authors(seed: int) -> None:
    # Given random candidates from a few authors
    rng = random.Random(seed)
    authors = [f"author-{i}" for i in range(rng.randint(1, 5))]
    candidates = [
        _post(
            f"p{i:03d}",
            author=rng.choice(authors),
            hours_old=rng.uniform(0, 72),
            smiles=rng.randint(0, 50),
            comments=rng.randint(0, 10),
            enthusiast=rng.random() < 0.2,
            reasons=(rng.choice(["trending", "interest:hiking", "following:x"]),),
        )
        for i in range(rng.randint(1, 60))
    ]

    ranked = ranking.rank(candidates, viewer_id=None, weights=WEIGHTS)
    by_score = sorted(ranked, key=lambda e: (-e.points, e.post_id))

    # Then every candidate is there once
    assert sorted(e.post_id for e in ranked) == sorted(c.post_id for c in candidates)
    # and a run of 3+ by one author only happens once nobody else is left
    for index in range(2, len(ranked)):
        window = ranked[index - 2 : index + 1]
        if len({e.author_id for e in window}) == 1:
            assert {e.author_id for e in ranked[index:]} == {window[0].author_id}
    # and each author's own cards stay in score order (diversity only defers, never reorders them)
    for author in authors:
        assert [e.post_id for e in ranked if e.author_id == author] == [
            e.post_id for e in by_score if e.author_id == author
        ]
    if _longest_run(by_score) <= 2:
        assert ranked == by_score


# Exclusions, ties, size


def test_the_viewers_own_posts_are_left_out() -> None:
    assert _rank(
        _post("mine", author="viewer"),
        _post("theirs", author="someone"),
        viewer="viewer",
    ) == ["theirs"]


def test_nothing_is_left_out_without_a_viewer() -> None:
    assert sorted(_rank(_post("x", author="viewer"), _post("y", author="z"), viewer=None)) == ["x", "y"]


def test_equal_scores_are_ordered_by_post_id_so_a_refresh_is_repeatable() -> None:
    candidates = [_post(p, author=p) for p in ("p3", "p1", "p2")]

    assert _rank(*candidates) == ["p1", "p2", "p3"]
    assert _rank(*reversed(candidates)) == ["p1", "p2", "p3"]


def test_the_feed_is_cut_to_its_size_after_diversity() -> None:
    # Given three top posts by one author and a weaker one by another
    candidates = [_post(f"a{i}", author="a", hours_old=1 + i) for i in range(3)]
    candidates += [_post(f"b{i}", author="b", hours_old=40 + i) for i in range(5)]

    # Then a feed of 3 holds the author's best two and the other author's best, not a run of 3
    assert _rank(*candidates, weights=RankingWeights(feed_size=3)) == ["a0", "a1", "b0"]


def test_the_feed_keeps_the_best_posts_when_there_are_more_than_it_holds() -> None:
    candidates = [_post(f"p{i:02d}", author=f"author-{i}", hours_old=i) for i in range(30)]

    assert _rank(*candidates, weights=RankingWeights(feed_size=10)) == [f"p{i:02d}" for i in range(10)]


def test_no_candidates_make_an_empty_feed() -> None:
    assert _rank() == []
