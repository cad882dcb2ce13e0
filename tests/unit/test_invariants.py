"""The invariant checker finds what it promises to find (and nothing in consistent data)."""

from __future__ import annotations

from typing import Any

from local.invariants import check


def _world() -> list[dict[str, Any]]:
    """A consistent little world: two members, one follows the other, one tagged post with a smile."""
    return [
        {
            "PK": "USER#a",
            "SK": "PROFILE",
            "type": "user",
            "user_id": "a",
            "posts": 1,
            "smiles_received": 1,
            "followers": 1,
            "following": 0,
        },
        {
            "PK": "USER#b",
            "SK": "PROFILE",
            "type": "user",
            "user_id": "b",
            "posts": 0,
            "smiles_received": 0,
            "followers": 0,
            "following": 1,
        },
        {"PK": "USER#b", "SK": "FOLLOWS#a", "type": "follow", "follower_id": "b", "followee_id": "a"},
        {"PK": "INTERESTS", "SK": "INTEREST#hiking", "type": "interest", "interest_id": "hiking"},
        {"PK": "PRODUCT#p", "SK": "PRODUCT", "type": "product", "product_id": "p", "tag_count": 1},
        {
            "PK": "POST#x",
            "SK": "POST",
            "type": "post",
            "post_id": "x",
            "author_id": "a",
            "state": "live",
            "interests": ["hiking"],
            "product_ids": ["p"],
            "smile_count": 1,
            "comment_count": 0,
            "photos": [{"upload_id": "u"}],
        },
        {
            "PK": "UPLOAD#u",
            "SK": "UPLOAD",
            "type": "upload",
            "upload_id": "u",
            "status": "ready",
            "post_id": "x",
            "renditions": {"small": {"key": "media/u/small.jpg"}},
        },
        {"PK": "INTEREST#hiking", "SK": "POST#x", "type": "post_ref", "post_id": "x"},
        {"PK": "PRODUCT#p", "SK": "TAGGED#x", "type": "post_ref", "post_id": "x"},
        {
            "PK": "POST#x",
            "SK": "SMILE#b",
            "type": "smile",
            "post_id": "x",
            "user_id": "b",
            "author_id": "a",
            "created_at": "2026-03-01T10:00:00Z",
        },
        {
            "PK": "SCORE#hiking",
            "SK": "2026-03-01#a",
            "type": "score",
            "interest_id": "hiking",
            "day": "2026-03-01",
            "author_id": "a",
            "smiles": 1,
        },
    ]


def test_consistent_data_has_no_findings() -> None:
    report = check(_world(), {"media/u/small.jpg"})
    assert report.findings == []
    assert "total" in report.table()


def test_a_drifted_counter_an_orphan_and_a_missing_thumbnail_are_each_found() -> None:
    # Given a post whose counter drifted, a comment of a post that is gone, a lost thumbnail
    items = _world()
    items[5]["smile_count"] = 2
    items.append(
        {"PK": "POST#gone", "SK": "COMMENT#c", "type": "comment", "post_id": "gone", "comment_id": "c"}
    )

    # When the checker runs
    report = check(items, set())

    # Then each is one finding, named by its rule
    rules = sorted(f.split(":")[0] for f in report.findings)
    assert rules == [
        "comment has its post",
        "post smile_count = its smiles",
        "ready upload has its thumbnails",
    ]


def test_an_authors_own_smile_counts_on_the_post_only() -> None:
    # Given the author's own smile on their post: in smile_count, not in smiles_received or scores
    items = _world()
    items[5]["smile_count"] = 2
    items.append(
        {
            "PK": "POST#x",
            "SK": "SMILE#a",
            "type": "smile",
            "post_id": "x",
            "user_id": "a",
            "author_id": "a",
            "created_at": "2026-03-01T11:00:00Z",
        }
    )
    assert check(items, {"media/u/small.jpg"}).findings == []
    # And crediting it anyway is drift
    items[0]["smiles_received"] = 2
    assert [f.split(":")[0] for f in check(items, {"media/u/small.jpg"}).findings] == [
        "member smiles_received = its items"
    ]


def test_hidden_posts_and_comments_are_consistent_and_stray_community_items_are_found() -> None:
    # Given a post a moderator hid (listed still, never shown) with a hidden comment (not counted)
    items = _world()
    items[5]["state"] = "hidden"
    items.append(
        {
            "PK": "POST#x",
            "SK": "COMMENT#c",
            "type": "comment",
            "post_id": "x",
            "comment_id": "c",
            "hidden": True,
        }
    )
    # and a member's search entry, a block with its edge
    items[0]["search_words"] = ["alice"]
    items += [
        {"PK": "SEARCH#member#al", "SK": "alice#a", "type": "search", "kind": "member", "entity_id": "a"},
        {"PK": "USER#a", "SK": "BLOCKS", "type": "block_list", "ids": {"b"}},
        {"PK": "USER#a", "SK": "BLOCK#b", "type": "block_edge", "blocker_id": "a", "blocked_id": "b"},
    ]
    assert check(items, {"media/u/small.jpg"}).findings == []
    # When the hidden post's search entry was left behind, a block lost its edge, a renamed
    # member kept an old word's entry
    items += [
        {"PK": "SEARCH#post#ca", "SK": "camp#x", "type": "search", "kind": "post", "entity_id": "x"},
        {"PK": "USER#b", "SK": "BLOCKS", "type": "block_list", "ids": {"a"}},
        {"PK": "SEARCH#member#bo", "SK": "bob#a", "type": "search", "kind": "member", "entity_id": "a"},
    ]
    # Then each is a finding
    assert sorted(f.split(":")[0] for f in check(items, {"media/u/small.jpg"}).findings) == [
        "block list and block edges agree",
        "search entry has a live post",
        "search entry is one of its member's words",
    ]


def test_a_brands_follower_count_must_match_the_profiles_following_it() -> None:
    # Given member b following brand n, and the brand counting one follower
    items = _world()
    next(i for i in items if i.get("user_id") == "b")["brands_followed"] = {"n"}
    brand = {"PK": "BRAND#n", "SK": "BRAND", "type": "brand", "brand_id": "n", "followers": 1}
    assert check([*items, brand], {"media/u/small.jpg"}).findings == []

    # When the count drifts, or a profile names a brand that does not exist
    drifted = [*items, {**brand, "followers": 2}]
    next(i for i in drifted if i.get("user_id") == "a")["brands_followed"] = {"gone"}
    findings = check(drifted, {"media/u/small.jpg"}).findings

    # Then both are found
    assert any("brand n: followers 2, expected 1" in f for f in findings)
    assert any("member a: gone" in f for f in findings)
