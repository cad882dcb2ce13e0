"""Access patterns for the Enthusiast badge: daily score counters in, rankings out."""

from __future__ import annotations

from typing import Any

from chalicelib.data import connection, keys, ownership
from chalicelib.data.models import EnthusiastsItem, FlintItem, FollowItem, ScoreItem, UserItem
from chalicelib.data.ownership import Erased, OwnedKind
from chalicelib.data.pages import Page
from chalicelib.data.users import Member, to_member

Ranking = list[tuple[str, int]]


def window_scores(interest_id: str, first_day: str, last_day: str) -> dict[str, int]:
    """Smiles each author received in the interest over the window (one Query, paged by PynamoDB)."""
    partition, low, high = keys.score_window(interest_id, first_day, last_day)
    totals: dict[str, int] = {}
    for item in ScoreItem.query(partition, ScoreItem.SK.between(low, high)):
        totals[item.author_id] = totals.get(item.author_id, 0) + int(item.smiles or 0)
    return totals


def save_ranking(interest_id: str | None, ranking: Ranking, computed_at: str) -> None:
    key = keys.enthusiasts(interest_id)
    EnthusiastsItem(
        key.pk, key.sk, ranking=[{"user_id": u, "smiles": s} for u, s in ranking], computed_at=computed_at
    ).save()


def get_ranking(interest_id: str | None) -> Ranking:
    key = keys.enthusiasts(interest_id)
    try:
        item = EnthusiastsItem.get(key.pk, key.sk)
    except EnthusiastsItem.DoesNotExist:
        return []
    return [(str(r["user_id"]), int(r["smiles"])) for r in item.ranking or []]


def profiles_with_follows(user_ids: list[str], viewer_id: str | None) -> tuple[dict[str, Member], set[str]]:
    """Profiles and which of them the viewer follows, in one BatchGetItem."""
    wanted = [keys.user(u) for u in user_ids]
    if viewer_id:
        wanted += [keys.follow(viewer_id, u) for u in user_ids if u != viewer_id]
    members: dict[str, Member] = {}
    followed: set[str] = set()
    for item in FlintItem.batch_get(wanted):
        if isinstance(item, UserItem):
            members[item.user_id] = to_member(item)
        elif isinstance(item, FollowItem):
            followed.add(item.followee_id)
    return members, followed


# --- what a member owns here (chalicelib/data/ownership.py) ------------------------------------
# The badge rankings name members until the next daily run; erasure takes the member out of each
# (one Query of the rankings partition: one item per interest plus the overall one).


def _rankings_naming(member_id: str, limit: int, start: dict[str, Any] | None) -> Page:
    found = [
        item
        for item in EnthusiastsItem.query(keys.enthusiasts(None).pk, consistent_read=True)
        if any(str(r.get("user_id")) == member_id for r in item.ranking or [])
    ]
    return Page(found[:limit], None)


def _erase_from_ranking(member_id: str, item: EnthusiastsItem) -> Erased:
    kept = [r for r in item.ranking or [] if str(r.get("user_id")) != member_id]
    # Conditional on the ranking unchanged since read: a concurrent daily run wins, and the next
    # pass finds the member in its ranking only if that run still put them there.
    written = connection.update(
        EnthusiastsItem(item.PK, item.SK),
        [EnthusiastsItem.ranking.set(kept)],
        condition=EnthusiastsItem.computed_at == item.computed_at,
    )
    return Erased.GONE if written else Erased.WAIT


ownership.register(
    OwnedKind("enthusiast_rankings", (EnthusiastsItem,), (), _rankings_naming, _erase_from_ranking, phase=2)
)
