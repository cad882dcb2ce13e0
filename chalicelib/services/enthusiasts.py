"""The Enthusiast badge.

Rule (configurable through FLINT_ENTHUSIAST_*): for each interest, sum the
smiles each contributor received on posts in that interest over the last 30
days (counters kept on every smile, so no Scan); the top 10 with at least 5
smiles hold the badge. A member holds it while they rank in any interest, and
loses it on the first run where they rank in none. The overall list ranks
holders by their best interest score, so a post in three interests is not
counted three times.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chalicelib import clock
from chalicelib.auth import Identity
from chalicelib.data import enthusiasts as store
from chalicelib.data import users
from chalicelib.data.enthusiasts import Ranking
from chalicelib.errors import NotFound
from chalicelib.observability import logger, metrics
from chalicelib.schemas.social import EnthusiastList, RankedProfile
from chalicelib.services.presenters import profile_out
from chalicelib.settings import get_settings

BADGE = "enthusiast"
OVERALL_LIMIT = 50


@dataclass(frozen=True)
class RunSummary:
    interests: int
    holders: int
    awarded: list[str]
    revoked: list[str]


def rank(totals: dict[str, int], *, top: int, min_smiles: int) -> Ranking:
    """Best first; ties broken by member id so runs are deterministic."""
    eligible = [(user_id, smiles) for user_id, smiles in totals.items() if smiles >= min_smiles]
    return sorted(eligible, key=lambda pair: (-pair[1], pair[0]))[:top]


def window_days(now: datetime, days: int) -> list[str]:
    """The window's days, today first, as UTC dates: the days the smile counters are written under."""
    today = now.astimezone(UTC)
    return [(today - timedelta(days=offset)).strftime("%Y-%m-%d") for offset in range(days)]


def run(now: datetime | None = None) -> RunSummary:
    """Recompute every ranking and move badges to match."""
    settings = get_settings()
    now = now or clock.now()
    days = window_days(now, settings.enthusiast_window_days)
    interests = users.list_interests()
    best: Counter[str] = Counter()
    for interest in interests:
        totals = store.window_scores(interest.interest_id, days[-1], days[0])
        ranking = rank(
            totals, top=settings.enthusiast_top_per_interest, min_smiles=settings.enthusiast_min_smiles
        )
        store.save_ranking(interest.interest_id, ranking, clock.iso(now))
        for user_id, smiles in ranking:
            best[user_id] = max(best[user_id], smiles)
    previous = {user_id for user_id, _ in store.get_ranking(None)}
    overall = rank(dict(best), top=len(best), min_smiles=0)
    holders = {user_id for user_id, _ in overall}
    awarded, revoked = sorted(holders - previous), sorted(previous - holders)
    for user_id, member in users.get_members(awarded + revoked).items():
        badges = [b for b in member.badges if b != BADGE]
        users.set_badges(user_id, [*badges, BADGE] if user_id in holders else badges)
    # Saved last: if the run dies midway, the next run still sees the old holders and converges.
    store.save_ranking(None, overall, clock.iso(now))
    logger.info(
        "enthusiasts ranked",
        extra={"holders": len(holders), "awarded": len(awarded), "revoked": len(revoked)},
    )
    metrics.add_metric(name="EnthusiastBadgesAwarded", unit="Count", value=len(awarded))
    return RunSummary(len(interests), len(holders), awarded, revoked)


def list_enthusiasts(interest_id: str | None, viewer: Identity | None) -> EnthusiastList:
    if interest_id is not None and not users.find_interests([interest_id]):
        raise NotFound("No such interest.")
    ranking = store.get_ranking(interest_id)[:OVERALL_LIMIT]
    members, followed = store.profiles_with_follows(
        [u for u, _ in ranking], viewer.user_id if viewer else None
    )
    return EnthusiastList(
        items=[
            RankedProfile(**profile_out(members[u], u in followed).model_dump(), smiles_30d=smiles)
            for u, smiles in ranking
            if u in members
        ]
    )
