"""What the stream tells the feed planner: post changes, read from stream records (no AWS)."""

from __future__ import annotations

import math
import random
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib import ids
from chalicelib.data.feeds import FANIN_BUCKET_SIZE, Fanin, LoggedChanges, PostChange, author_hash
from chalicelib.handlers.feeds import post_change
from chalicelib.services.feeds import _latest_changes

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _post_image(**overrides: Any) -> dict[str, Any]:
    image: dict[str, Any] = {
        "type": {"S": "post"},
        "post_id": {"S": "post_1"},
        "author_id": {"S": "author-1"},
        "created_at": {"S": "2026-03-01T12:00:00.000Z"},
        "interests": {"L": [{"S": "hiking"}, {"S": "camping"}]},
        "smile_count": {"N": "2"},
        "comment_count": {"N": "1"},
        "state": {"S": "live"},
        "caption": {"S": "A trail"},
    }
    image.update(overrides)
    return image


def _record(
    name: str, new: dict[str, Any] | None = None, old: dict[str, Any] | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if new is not None:
        data["NewImage"] = new
    if old is not None:
        data["OldImage"] = old
    return {"eventID": "e1", "eventName": name, "dynamodb": data}


def test_a_published_post_is_a_new_live_change_with_its_ranking_inputs() -> None:
    change = post_change(_record("INSERT", new=_post_image()))
    assert change == PostChange(
        "post_1", "author-1", "2026-03-01T12:00:00.000Z", ["hiking", "camping"], 2, 1, live=True, new=True
    )


def test_a_counter_change_is_logged_with_the_new_absolute_counts() -> None:
    change = post_change(_record("MODIFY", new=_post_image(smile_count={"N": "3"}), old=_post_image()))
    assert change is not None and (change.smiles, change.new, change.live) == (3, False, True)


def test_an_edit_ranking_does_not_read_is_not_logged() -> None:
    edited = _post_image(caption={"S": "Another trail"})
    assert post_change(_record("MODIFY", new=edited, old=_post_image())) is None


@pytest.mark.parametrize(
    ("name", "new", "old"),
    [
        ("MODIFY", _post_image(state={"S": "deleting"}), _post_image()),
        ("REMOVE", None, _post_image(state={"S": "deleting"})),
    ],
)
def test_a_deletion_is_a_change_that_is_no_longer_live(name: str, new: Any, old: Any) -> None:
    change = post_change(_record(name, new=new, old=old))
    assert change is not None and change.live is False


def test_records_of_other_items_are_not_post_changes() -> None:
    smile = {"type": {"S": "smile"}, "post_id": {"S": "post_1"}, "user_id": {"S": "u"}}
    assert post_change(_record("INSERT", new=smile)) is None


def test_the_last_change_of_a_post_wins_and_a_publication_stays_new() -> None:
    published = PostChange("p", "a", "2026-03-01T12:00:00.000Z", ["hiking"], 0, 0, live=True, new=True)
    smiled = PostChange("p", "a", "2026-03-01T12:00:00.000Z", ["hiking"], 4, 0, live=True, new=False)
    latest = _latest_changes([LoggedChanges("1", [published]), LoggedChanges("2", [smiled])])
    assert latest["p"].smiles == 4 and latest["p"].new is True


def test_a_post_id_tells_when_it_was_published() -> None:
    post_id = ids.new_id("post", at=AT)
    assert ids.issued_at(post_id) == AT
    assert ids.issued_at("member-1") is None


def test_author_hashes_are_four_bytes_and_stable() -> None:
    assert author_hash("author-1") == author_hash("author-1") < 2**32
    assert author_hash("author-1") != author_hash("author-2")


def test_the_fanin_summary_knows_every_followee_and_spreads_them_over_small_buckets() -> None:
    rng = random.Random(19)
    followees = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(1000)]
    fanin = Fanin.of(followees, follow_version=3)

    # every followee passes the summary and lands in one of the buckets
    assert fanin.count == 1000 and fanin.follow_version == 3 and fanin.ids is None
    assert fanin.buckets == math.ceil(1000 / FANIN_BUCKET_SIZE)
    assert all(fanin.may_follow(author_hash(f)) for f in followees)
    sizes = Counter(fanin.bucket_of(author_hash(f)) for f in followees)
    assert set(sizes) == set(range(fanin.buckets))
    # a bucket (16 bytes an id) stays well under the 4 KB one read unit covers
    assert max(sizes.values()) * 16 < 3600, sizes
    # strangers rarely pass the 3-byte summary (a pass costs one bucket read, never a wrong feed)
    strangers = [author_hash(f"stranger-{i}") for i in range(10_000)]
    assert sum(fanin.may_follow(h) for h in strangers) <= 5


def test_a_few_followees_are_kept_in_the_summary_itself() -> None:
    followees = [f"member-{i}" for i in range(FANIN_BUCKET_SIZE)]
    fanin = Fanin.of([*followees, followees[0]], follow_version=1)
    assert (fanin.count, fanin.buckets, fanin.ids) == (FANIN_BUCKET_SIZE, 0, tuple(followees))
    assert fanin.follows("member-7") and not fanin.follows("stranger")
    assert Fanin.of([], follow_version=0).ids == ()
    assert Fanin.of([*followees, "one-more"], follow_version=1).ids is None
