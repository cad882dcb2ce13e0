"""Feed ranking: pure rules, no I/O, so they can be tested with a controlled clock.

A post's score at time `now`, multiplicatively:

    score = affinity x 0.5^(age / half-life) x engagement x enthusiast boost

- affinity: the strongest reason the member sees the post: following (3.0) > interest or a
  followed brand (2.0) > trending (1.0); every reason is kept for the card.
- recency: halves every `half_life_hours` (7 h) of the post's age.
- engagement: 1 + (cap - 1) x e / (e + e_half), e = smiles + 2 x comments: a post without
  engagement scores 1, `engagement_half` (12) engagement earns half the boost, and engagement
  can raise a score by at most 75% (`engagement_cap` 1.75), so a fresh post from someone the
  member follows cannot sink below older, well-smiled posts of strangers.
- enthusiast boost: x1.3 when the author holds the Enthusiast badge (reason `enthusiast`).
- diversity: after sorting, no more than 2 consecutive cards by the same author; a third is
  pushed down to the next place where it no longer makes a run of 3.

Why this shape (issue 19): every term but recency is independent of the clock, and recency is
exponential, so log2(score) = key(post) + log2(affinity) - now / half-life, where

    key(post) = hours from EPOCH to its creation / half-life + log2(engagement) + log2(boost)

does not depend on `now`. Ordering by score at any moment is ordering by key + log2(affinity):
a post is scored once, when it is published or its counters change, and a stored order never
needs re-ranking as time passes. The shared candidate lists are kept as bounded top-K lists by
key, updated only for the posts that changed; a member's feed is rewritten only when what it
holds changes. The older formula's velocity (engagement per hour of age) and one-hour freshness
boost depended on age in other ways and forced a re-rank of every post at every run; a shorter
half-life (7 h instead of 24 h) does the freshness term's job, and a saturating engagement term
keeps engagement from burying a fresh post: tests/unit/test_ranking_demo.py checks on the demo
community that a followee's post of the last hour reaches the top 10 and an interest post of the
last hour the first page (the parameters were chosen on 40 random demo days: worst ranks 6 and
17; the old formula's were 6 and 14). The half-life cannot go below 7 h without a trending post
of the last hour outranking a followee's post of 12 hours ago (affinity 3 = 11 h of recency).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

FOLLOWING, INTEREST, TRENDING, ENTHUSIAST = "following", "interest", "trending", "enthusiast"
BRAND = "brand"  # a followed brand's community post (issue 22): weighted like an interest
# Keys count half-lives from here: small numbers, and a post dated before it is clamped to it.
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class RankingWeights:
    following: float = 3.0
    interest: float = 2.0
    trending: float = 1.0
    half_life_hours: float = 7.0
    comment_weight: float = 2.0
    engagement_half: float = 12.0
    engagement_cap: float = 1.75
    enthusiast_boost: float = 1.3
    max_consecutive_same_author: int = 2
    feed_size: int = 200


DEFAULT_WEIGHTS = RankingWeights()


def engagement(smiles: int, comments: int, weights: RankingWeights = DEFAULT_WEIGHTS) -> float:
    """The engagement factor, 1 (none) up to `engagement_cap`: saturating, so a few smiles count
    and thousands cannot bury everything else."""
    amount = max(0.0, smiles + weights.comment_weight * comments)
    return 1 + (weights.engagement_cap - 1) * amount / (amount + weights.engagement_half)


def post_key(
    created_at: datetime,
    smiles: int = 0,
    comments: int = 0,
    enthusiast: bool = False,
    *,
    now: datetime | None = None,
    weights: RankingWeights = DEFAULT_WEIGHTS,
) -> float:
    """The post's time-invariant rank key (log2 units; one half-life of age = 1).

    A post dated in the future (clock skew between writers) counts as published `now`, never later.
    """
    moment = min(created_at, now) if now is not None else created_at
    hours = max(0.0, (moment - EPOCH).total_seconds() / 3600)
    key = hours / weights.half_life_hours + math.log2(engagement(smiles, comments, weights))
    if enthusiast:
        key += math.log2(weights.enthusiast_boost)
    return key


def affinity(reasons: Iterable[str], weights: RankingWeights = DEFAULT_WEIGHTS) -> float:
    best = 0.0
    for reason in reasons:
        kind = reason.split(":", 1)[0]
        best = max(
            best,
            {
                FOLLOWING: weights.following,
                INTEREST: weights.interest,
                BRAND: weights.interest,
                TRENDING: weights.trending,
            }.get(kind, 0.0),
        )
    return best or weights.trending


@dataclass
class Candidate:
    """A post a member may see: its rank key and every reason they would see it for."""

    post_id: str
    author_id: str
    key: float
    author_is_enthusiast: bool = False
    reasons: list[str] = field(default_factory=list)

    @classmethod
    def of(
        cls,
        post_id: str,
        author_id: str,
        created_at: datetime,
        smiles: int = 0,
        comments: int = 0,
        *,
        author_is_enthusiast: bool = False,
        reasons: Iterable[str] = (),
        now: datetime | None = None,
        weights: RankingWeights = DEFAULT_WEIGHTS,
    ) -> Candidate:
        key = post_key(created_at, smiles, comments, author_is_enthusiast, now=now, weights=weights)
        return cls(post_id, author_id, key, author_is_enthusiast, list(reasons))

    def add_reason(self, reason: str) -> None:
        if reason not in self.reasons:
            self.reasons.append(reason)


@dataclass(frozen=True)
class RankedEntry:
    post_id: str
    author_id: str
    points: float  # key + log2(affinity): the order, whatever the time
    reasons: list[str]
    key: float


def points(candidate: Candidate, weights: RankingWeights = DEFAULT_WEIGHTS) -> float:
    return candidate.key + math.log2(affinity(candidate.reasons, weights))


def score(candidate: Candidate, now: datetime, weights: RankingWeights = DEFAULT_WEIGHTS) -> float:
    """The multiplicative score at `now` (affinity x recency x engagement x boost): for reading and
    testing the rules; ordering never needs it, since it is 2^(points - now / half-life)."""
    now_key = (now - EPOCH).total_seconds() / 3600 / weights.half_life_hours
    return 2.0 ** (points(candidate, weights) - now_key)


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
    candidates: Iterable[Candidate], *, viewer_id: str | None, weights: RankingWeights = DEFAULT_WEIGHTS
) -> list[RankedEntry]:
    """Drop the viewer's own posts, order best first, diversify, cut to the feed size."""
    entries = []
    for candidate in candidates:
        if candidate.author_id == viewer_id:
            continue
        reasons = list(candidate.reasons)
        if candidate.author_is_enthusiast and ENTHUSIAST not in reasons:
            reasons.append(ENTHUSIAST)
        entries.append(
            RankedEntry(
                candidate.post_id, candidate.author_id, points(candidate, weights), reasons, candidate.key
            )
        )
    entries.sort(key=lambda e: (-e.points, e.post_id))
    return diversify(entries[: weights.feed_size * 2], weights.max_consecutive_same_author)[
        : weights.feed_size
    ]
