"""Every DynamoDB key Flint writes or reads is built here, and only here.

One table, `PK`/`SK` strings plus two overloaded indexes (`GSI1PK/GSI1SK`,
`GSI2PK/GSI2SK`). Each function documents the shape it builds; the full
access-pattern table lives in docs/data-model.md.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple


class Key(NamedTuple):
    pk: str
    sk: str


# Members are spread over this many "recently active" index partitions so the
# feed planner's sparse index never concentrates every write on one key.
ACTIVE_SHARDS = 8

PROFILE = "PROFILE"
INTEREST_CATALOG = "INTERESTS"


def user(user_id: str) -> Key:
    """Member profile: `USER#<id>` / `PROFILE`."""
    return Key(f"USER#{user_id}", PROFILE)


def active_shard(user_id: str) -> int:
    return int(hashlib.sha256(user_id.encode()).hexdigest(), 16) % ACTIVE_SHARDS


def active_member(user_id: str, last_active_at: str) -> Key:
    """GSI2 entry on the profile: `ACTIVE#<shard>` / `<iso last active>`: members active lately."""
    return Key(f"ACTIVE#{active_shard(user_id)}", last_active_at)


def active_partition(shard: int) -> str:
    return f"ACTIVE#{shard}"


def interest(interest_id: str) -> Key:
    """Interest catalog entry: `INTERESTS` / `INTEREST#<id>` (one partition: the catalog is small)."""
    return Key(INTEREST_CATALOG, f"INTEREST#{interest_id}")


def interest_catalog_prefix() -> Key:
    """Key condition for the whole catalog: PK = `INTERESTS`, SK begins_with `INTEREST#`."""
    return Key(INTEREST_CATALOG, "INTEREST#")


def follow(follower_id: str, followee_id: str) -> Key:
    """Follow edge: `USER#<follower>` / `FOLLOWS#<followee>`."""
    return Key(f"USER#{follower_id}", f"FOLLOWS#{followee_id}")


def brand(brand_id: str) -> Key:
    """Brand: `BRAND#<id>` / `BRAND`; GSI1 `OWNER#<user>` / `BRAND#<id>` (brands a member owns)."""
    return Key(f"BRAND#{brand_id}", "BRAND")


def brand_owner(owner_id: str, brand_id: str) -> Key:
    return Key(f"OWNER#{owner_id}", f"BRAND#{brand_id}")


def product(product_id: str) -> Key:
    """Product: `PRODUCT#<id>` / `PRODUCT`; GSI1 `BRAND#<brand>` / `PRODUCT#<id>`; GSI2 catalog by title."""
    return Key(f"PRODUCT#{product_id}", "PRODUCT")


def brand_product(brand_id: str, product_id: str) -> Key:
    return Key(f"BRAND#{brand_id}", f"PRODUCT#{product_id}")


PRODUCT_CATALOG = "PRODUCTS"


def catalog_entry(title_key: str, product_id: str) -> Key:
    """GSI2 on the product: `PRODUCTS` / `<normalised title>#<id>`: the whole catalog, A to Z."""
    return Key(PRODUCT_CATALOG, f"{title_key}#{product_id}")


def search_term(prefix: str, product_id: str) -> Key:
    """Inverted index entry: `SEARCH#<word prefix>` / `PRODUCT#<id>`."""
    return Key(f"SEARCH#{prefix}", f"PRODUCT#{product_id}")


def search_partition(prefix: str) -> str:
    return f"SEARCH#{prefix}"
