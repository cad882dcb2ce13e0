"""Brand community lists (issue 22): which stream records move a post in its brands' lists, and how
a list keeps its best posts. Pure rules: no AWS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.data.feeds import ListEntry
from chalicelib.services import brand_pages, ranking
from chalicelib.services.brand_pages import community_changes, post_entry, updated_list
from chalicelib.services.engagement import TableChange

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


def _post(
    post_id: str, *, smiles: int = 0, products: tuple[str, ...] = ("prod-1",), **extra: Any
) -> dict[str, Any]:
    return {
        "type": "post",
        "post_id": post_id,
        "author_id": "author-1",
        "created_at": "2026-12-03T10:00:00.000Z",
        "smile_count": smiles,
        "comment_count": 0,
        "product_ids": list(products),
        "state": "live",
        **extra,
    }


def _change(name: str, new: dict[str, Any] | None, old: dict[str, Any] | None = None) -> TableChange:
    return TableChange(event_id="e", name=name, new=new, old=old)


def test_a_new_post_that_tags_products_enters_with_its_rank_key() -> None:
    found = community_changes([_change("INSERT", _post("p1", smiles=3))], NOW)
    products, entry = found["p1"]
    assert products == ["prod-1"]
    assert entry is not None and entry.smiles == 3
    created = datetime(2026, 12, 3, 10, tzinfo=UTC)
    assert entry.key == ranking.post_key(created, 3, 0, now=NOW)


def test_posts_without_products_and_other_items_are_ignored() -> None:
    changes = [
        _change("INSERT", _post("p1", products=())),
        _change("INSERT", {"type": "smile", "post_id": "p2"}),
    ]
    assert community_changes(changes, NOW) == {}


def test_an_edit_that_moves_nothing_ranked_is_skipped_and_a_count_change_is_not() -> None:
    before = _post("p1", smiles=1)
    renamed = _change("MODIFY", {**before, "search_words": ["x"]}, before)
    smiled = _change("MODIFY", _post("p1", smiles=2), before)
    assert community_changes([renamed], NOW) == {}
    assert community_changes([smiled], NOW)["p1"][1].smiles == 2  # type: ignore[union-attr]


def test_hidden_deleted_and_removed_posts_leave_and_the_last_change_of_a_batch_wins() -> None:
    live = _post("p1")
    hidden = _change("MODIFY", {**live, "state": "hidden"}, live)
    removed = _change("REMOVE", None, live)
    assert community_changes([hidden], NOW)["p1"] == (["prod-1"], None)
    assert community_changes([removed], NOW)["p1"] == (["prod-1"], None)
    restored = _change("MODIFY", live, {**live, "state": "hidden"})
    assert community_changes([hidden, restored], NOW)["p1"][1] is not None


def _entry(post_id: str, key: float) -> ListEntry:
    return ListEntry(post_id, "a", "2026-12-03T10:00:00.000Z", 0, 0, False, key)


def test_a_list_keeps_its_best_posts_best_first_and_drops_removed_ones() -> None:
    current = [_entry(f"p{i}", float(i)) for i in range(brand_pages.COMMUNITY_LIST_SIZE)]
    changed = updated_list(current, {"new": _entry("new", 1000.0), "p5": None, "p0": _entry("p0", 999.0)})
    assert len(changed) == brand_pages.COMMUNITY_LIST_SIZE
    assert [e.post_id for e in changed[:2]] == ["new", "p0"]
    assert "p5" not in {e.post_id for e in changed}
    assert [e.key for e in changed] == sorted((e.key for e in changed), reverse=True)


def test_an_older_post_with_more_engagement_can_outrank_a_newer_quiet_one() -> None:
    quiet = post_entry(_post("quiet"), NOW)
    loved = post_entry({**_post("loved", smiles=40), "created_at": "2026-12-03T08:00:00.000Z"}, NOW)
    assert [e.post_id for e in updated_list([], {"quiet": quiet, "loved": loved})] == ["loved", "quiet"]
    old = post_entry({**_post("old"), "created_at": (NOW - timedelta(days=3)).isoformat()}, NOW)
    assert updated_list([], {"old": old, "quiet": quiet})[0].post_id == "quiet"


def test_a_followed_brand_weighs_like_an_interest_between_following_and_trending() -> None:
    weights = ranking.DEFAULT_WEIGHTS
    assert ranking.affinity(["brand:b1"]) == weights.interest
    assert ranking.affinity(["brand:b1", "following:u1"]) == weights.following
    assert ranking.affinity(["trending", "brand:b1"]) > ranking.affinity(["trending"])
