"""Feed ranking: pure rules, no I/O, so they can be tested with a controlled clock.

score = affinity x recency x (1 + capped velocity) x freshness x enthusiast boost

- affinity: the strongest reason the member sees the post: following (3.0) > interest (2.0)
  > trending (1.0); every reason is kept for the card.
- recency: halves every `half_life_hours` (24 h) of the post's age.
- engagement velocity, smoothed: (smiles + 2 x comments + prior engagement) per (hours of age +
  prior hours), with a prior of 1 engagement over 2 hours, so a post minutes old is judged by the
  prior rather than by one early smile, and an old post's total does not dominate. The term is
  capped at `velocity_cap` (2.0): engagement can triple a post's score, never more, so a fresh
  post from someone the member follows cannot sink below older, well-smiled posts of strangers.
- freshness: x(1 + 1.0 x 0.5^(age / 1 h)): a post of the last hour gets up to double weight while
  its engagement is still unknown; after a few hours it is gone.
- enthusiast boost: x1.3 when the author holds the Enthusiast badge (reason `enthusiast`).
- diversity: after sorting, no more than 2 consecutive cards by the same author; a third is
  pushed down to the next place where it no longer makes a run of 3.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

FOLLOWING, INTEREST, TRENDING, ENTHUSIAST = "following", "interest", "trending", "enthusiast"


@dataclass(frozen=True)
class RankingWeights:
    following: float = 3.0
    interest: float = 2.0
    trending: float = 1.0
    half_life_hours: float = 24.0
    comment_weight: float = 2.0
    prior_engagement: float = 1.0
    prior_hours: float = 2.0
    velocity_cap: float = 2.0
    freshness_boost: float = 1.0
    freshness_half_life_hours: float = 1.0
    enthusiast_boost: float = 1.3
    max_consecutive_same_author: int = 2
    feed_size: int = 200


@dataclass
class Candidate:
    post_id: str
    author_id: str
    created_at: datetime
    smiles: int = 0
    comments: int = 0
    author_is_enthusiast: bool = False
    reasons: list[str] = field(default_factory=list)

    def add_reason(self, reason: str) -> None:
        if reason not in self.reasons:
            self.reasons.append(reason)


@dataclass(frozen=True)
class RankedEntry:
    post_id: str
    author_id: str
    score: float
    reasons: list[str]


def age_hours(created_at: datetime, now: datetime) -> float:
    return max(0.0, (now - created_at).total_seconds() / 3600)


def velocity(candidate: Candidate, now: datetime, weights: RankingWeights) -> float:
    """Smoothed engagement per hour, capped: (engagement + prior) / (age + prior hours)."""
    engagement = candidate.smiles + weights.comment_weight * candidate.comments
    rate = (engagement + weights.prior_engagement) / (
        age_hours(candidate.created_at, now) + weights.prior_hours
    )
    return min(weights.velocity_cap, rate)


def freshness(candidate: Candidate, now: datetime, weights: RankingWeights) -> float:
    age = age_hours(candidate.created_at, now)
    return 1 + weights.freshness_boost * 0.5 ** (age / weights.freshness_half_life_hours)


def affinity(reasons: Iterable[str], weights: RankingWeights) -> float:
    best = 0.0
    for reason in reasons:
        kind = reason.split(":", 1)[0]
        best = max(
            best,
            {FOLLOWING: weights.following, INTEREST: weights.interest, TRENDING: weights.trending}.get(
                kind, 0.0
            ),
        )
    return best or weights.trending


def score(candidate: Candidate, now: datetime, weights: RankingWeights) -> float:
    recency = 0.5 ** (age_hours(candidate.created_at, now) / weights.half_life_hours)
    boost = weights.enthusiast_boost if candidate.author_is_enthusiast else 1.0
    return (
        affinity(candidate.reasons, weights)
        * recency
        * (1 + velocity(candidate, now, weights))
        * freshness(candidate, now, weights)
        * boost
    )


def diversify(entries: list[RankedEntry], max_run: int) -> list[RankedEntry]:
    """Keep order as far as possible while no author has more than `max_run` cards in a row."""
    result: list[RankedEntry] = []
    pending = list(entries)
    while pending:
        for index, entry in enumerate(pending):
            run = result[-max_run:]
            if len(run) < max_run or any(e.author_id != entry.author_id for e in run):
                result.append(pending.pop(index))
                break
        else:  # only one author left: nothing to interleave with
            result.extend(pending)
            break
    return result


def rank(
    candidates: Iterable[Candidate], *, viewer_id: str | None, now: datetime, weights: RankingWeights
) -> list[RankedEntry]:
    """Score, drop the viewer's own posts, order best first, diversify, cut to the feed size."""
    entries = []
    for candidate in candidates:
        if candidate.author_id == viewer_id:
            continue
        reasons = list(candidate.reasons)
        if candidate.author_is_enthusiast and ENTHUSIAST not in reasons:
            reasons.append(ENTHUSIAST)
        entries.append(
            RankedEntry(candidate.post_id, candidate.author_id, score(candidate, now, weights), reasons)
        )
    entries.sort(key=lambda e: (-e.score, e.post_id))
    return diversify(entries[: weights.feed_size * 2], weights.max_consecutive_same_author)[
        : weights.feed_size
    ]
