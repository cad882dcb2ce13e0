"""Key builders: the shape of every key the foundation's entities use (see docs/data-model.md)."""

from __future__ import annotations

import pytest

from chalicelib.data import keys


def test_a_member_profile_key() -> None:
    assert keys.user("u1") == ("USER#u1", "PROFILE")
    assert keys.user("u1").pk == "USER#u1"
    assert keys.user("u1").sk == "PROFILE"


def test_a_follow_edge_lives_in_the_followers_partition() -> None:
    edge = keys.follow("u1", "u2")
    assert edge == ("USER#u1", "FOLLOWS#u2")
    assert edge.pk == keys.user("u1").pk
    assert edge.sk != keys.user("u1").sk


def test_interest_catalog_keys() -> None:
    assert keys.interest("cooking") == ("INTERESTS", "INTEREST#cooking")
    prefix = keys.interest_catalog_prefix()
    assert prefix == ("INTERESTS", "INTEREST#")
    assert keys.interest("cooking").sk.startswith(prefix.sk)


def test_brand_keys() -> None:
    assert keys.brand("b1") == ("BRAND#b1", "BRAND")
    assert keys.brand_owner("u1", "b1") == ("OWNER#u1", "BRAND#b1")


def test_product_keys() -> None:
    assert keys.product("p1") == ("PRODUCT#p1", "PRODUCT")
    assert keys.brand_product("b1", "p1") == ("BRAND#b1", "PRODUCT#p1")
    assert keys.catalog_entry("classic tent black", "p1") == ("PRODUCTS", "classic tent black#p1")
    assert keys.PRODUCT_CATALOG == "PRODUCTS"


def test_a_brands_products_share_the_brands_partition_but_not_its_item() -> None:
    assert keys.brand_product("b1", "p1").pk == keys.brand("b1").pk
    assert keys.brand_product("b1", "p1").sk != keys.brand("b1").sk


def test_a_search_entry_is_bucketed_by_the_words_first_letters() -> None:
    entry = keys.search_word("product", "northpeak", "p1")
    assert entry == ("SEARCH#product#no", "northpeak#p1")


def test_search_entries_of_different_kinds_never_share_a_partition() -> None:
    partitions = {keys.search_word(kind, "north", "x1").pk for kind in keys.SEARCH_KINDS}
    assert len(partitions) == len(keys.SEARCH_KINDS)


@pytest.mark.parametrize("prefix", ["no", "nor", "northpeak"])
def test_a_search_prefix_condition_finds_the_words_it_starts(prefix: str) -> None:
    condition = keys.search_prefix("product", prefix)
    entry = keys.search_word("product", "northpeak", "p1")
    assert condition.pk == entry.pk
    assert entry.sk.startswith(condition.sk)


def test_a_search_prefix_does_not_match_a_word_it_does_not_start() -> None:
    condition = keys.search_prefix("product", "peak")
    entry = keys.search_word("product", "northpeak", "p1")
    assert condition.pk != entry.pk or not entry.sk.startswith(condition.sk)


def test_the_active_member_index_entry() -> None:
    entry = keys.active_member("u1", "2026-01-01T00:00:00.000Z")
    assert entry == (f"ACTIVE#{keys.active_shard('u1')}", "2026-01-01T00:00:00.000Z")
    assert entry.pk == keys.active_partition(keys.active_shard("u1"))


def test_the_active_shard_is_stable() -> None:
    # sha256-based, not Python's per-process salted hash(): the same in every Lambda
    assert keys.active_shard("u1") == keys.active_shard("u1")
    assert keys.active_shard("3f1c2a9e-0000-4000-8000-000000000000") == 7


def test_active_shards_stay_in_range_and_spread() -> None:
    shards = [keys.active_shard(f"user-{n}") for n in range(2000)]
    assert set(shards) == set(range(keys.ACTIVE_SHARDS))
    # no shard takes more than twice its fair share
    assert max(shards.count(s) for s in set(shards)) < 2 * 2000 / keys.ACTIVE_SHARDS


def test_entities_with_the_same_id_never_share_an_item() -> None:
    same = "x1"
    items = [
        keys.user(same),
        keys.follow(same, same),
        keys.interest(same),
        keys.brand(same),
        keys.brand_owner(same, same),
        keys.product(same),
        keys.brand_product(same, same),
        keys.search_word("product", same + "yz", same),
        keys.block_list(same),
        keys.moderation_case("post", same),
        keys.report("post", same, same),
        keys.audit_entry(same),
    ]
    assert len(set(items)) == len(items)
