"""Catalog entries of a test's own, written through the same services the demo seed uses.

The session's table is shared, so a test that counts a product's tags, lists an interest's posts or
searches for a word makes its own interest, brand and products with fresh ids (and a fresh search
word in every title) instead of reusing the demo ones that other tests tag and post under.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from chalicelib.data import users
from chalicelib.data.users import Interest
from chalicelib.services import catalog
from local.demo_data import DemoProduct


def fresh_word() -> str:
    """A search word no other test's product has (letters and digits, as `catalog.words` splits)."""
    return f"w{uuid.uuid4().hex[:10]}"


def fresh_interests(count: int = 1) -> list[str]:
    """`count` new interests in the catalog; their ids."""
    ids = [f"interest-{uuid.uuid4().hex[:10]}" for _ in range(count)]
    users.put_interests(Interest(interest_id, f"Interest {interest_id[-10:]}") for interest_id in ids)
    return ids


def fresh_interest() -> str:
    return fresh_interests(1)[0]


@dataclass(frozen=True)
class FreshBrand:
    brand_id: str
    name: str
    word: str  # the search word in the brand's name and every product title
    product_ids: list[str]


def fresh_brand(
    owner_id: str | None = None, products: int = 2, nouns: tuple[str, ...] = ("Tent", "Lamp", "Stove")
) -> FreshBrand:
    """A brand (owned by `owner_id`, or nobody) with `products` products, written as the catalog
    import writes them."""
    word = fresh_word()
    brand_id, name = f"brand-{word}", f"Brand {word}"
    catalog.register_brand(brand_id=brand_id, name=name, owner_id=owner_id)
    items = [
        DemoProduct(
            product_id=f"p-{word}-{index:02d}",
            brand_id=brand_id,
            brand_name=name,
            title=f"{nouns[index % len(nouns)]} {word}",
            price=Decimal("19.99") + index,
            currency="USD",
            url=f"https://shop.example.com/{word}/{index}",
            image_url=f"https://shop.example.com/images/{word}-{index}.jpg",
            prime_eligible=index % 2 == 0,
            interests=(),
        )
        for index in range(products)
    ]
    catalog.import_products(items)
    return FreshBrand(brand_id, name, word, [p.product_id for p in items])


def fresh_products(count: int = 2, owner_id: str | None = None) -> list[str]:
    """`count` products of a fresh brand; their ids."""
    return fresh_brand(owner_id, count).product_ids
