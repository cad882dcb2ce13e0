"""Access patterns for brands, products and the product search index."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.data import keys, search
from chalicelib.data.connection import Tx, transact
from chalicelib.data.models import BrandItem, BrandNameItem, FlintItem, ProductItem
from chalicelib.data.pages import Page
from chalicelib.data.search import words


@dataclass(frozen=True)
class Brand:
    brand_id: str
    name: str
    owner_id: str | None


@dataclass(frozen=True)
class Product:
    product_id: str
    brand_id: str
    brand_name: str
    title: str
    price_amount: str
    currency: str
    url: str
    image_url: str | None
    prime_eligible: bool
    tag_count: int


def to_product(item: ProductItem) -> Product:
    return Product(
        product_id=item.product_id,
        brand_id=item.brand_id,
        brand_name=item.brand_name,
        title=item.title,
        price_amount=item.price_amount,
        currency=item.currency,
        url=item.url,
        image_url=item.image_url,
        prime_eligible=bool(item.prime_eligible),
        tag_count=int(item.tag_count or 0),
    )


def _product_items(product: Product, created_at: str) -> list[FlintItem]:
    key = keys.product(product.product_id)
    by_brand = keys.brand_product(product.brand_id, product.product_id)
    listing = keys.catalog_entry(" ".join(words(product.title))[:100], product.product_id)
    item = ProductItem(
        key.pk,
        key.sk,
        GSI1PK=by_brand.pk,
        GSI1SK=by_brand.sk,
        GSI2PK=listing.pk,
        GSI2SK=listing.sk,
        product_id=product.product_id,
        brand_id=product.brand_id,
        brand_name=product.brand_name,
        title=product.title,
        price_amount=product.price_amount,
        currency=product.currency,
        url=product.url,
        image_url=product.image_url,
        prime_eligible=product.prime_eligible,
        tag_count=0,
        created_at=created_at,
    )
    product_words = search.indexable([product.title, product.brand_name])
    return [item, *search.entry_items(search.PRODUCT, product.product_id, product_words)]


def put_products(products: Sequence[Product], created_at: str) -> None:
    """Write products with their search entries (batched; used by imports and brand owners)."""
    with FlintItem.batch_write() as batch:
        for product in products:
            for item in _product_items(product, created_at):
                batch.save(item)


def get_product(product_id: str) -> Product | None:
    key = keys.product(product_id)
    try:
        return to_product(ProductItem.get(key.pk, key.sk))
    except ProductItem.DoesNotExist:
        return None


def get_products(product_ids: Iterable[str]) -> dict[str, Product]:
    wanted = list(dict.fromkeys(product_ids))
    if not wanted:
        return {}
    found = ProductItem.batch_get([keys.product(p) for p in wanted])
    return {p.product_id: to_product(p) for p in found}


def list_catalog(limit: int, start: dict[str, Any] | None) -> Page:
    """All products A to Z by title (one Query on GSI2)."""
    results = FlintItem.gsi2.query(
        keys.PRODUCT_CATALOG, limit=limit, page_size=limit, last_evaluated_key=start
    )
    items = [to_product(i) for i in results if isinstance(i, ProductItem)]
    return Page(items, results.last_evaluated_key)


def search_product_ids(terms: Sequence[str], limit: int, start: dict[str, Any] | None) -> Page:
    """Ids of products whose words start with every term (the search index's product entries)."""
    page = search.search_ids(search.PRODUCT, terms, limit, start)
    return Page([hit.entity_id for hit in page.items], page.last_key)


BRAND_ID_TAKEN, BRAND_NAME_TAKEN = "brand", "name"


def put_brand(brand: Brand, created_at: str, name_key: str) -> str | None:
    """Create the brand and claim its name in one transaction.

    None when created; else what was taken: `BRAND_ID_TAKEN` or `BRAND_NAME_TAKEN`.
    """
    key = keys.brand(brand.brand_id)
    claim = keys.brand_name(name_key)
    item = BrandItem(
        key.pk,
        key.sk,
        brand_id=brand.brand_id,
        name=brand.name,
        owner_id=brand.owner_id,
        created_at=created_at,
    )
    if brand.owner_id:
        owned = keys.brand_owner(brand.owner_id, brand.brand_id)
        item.GSI1PK, item.GSI1SK = owned.pk, owned.sk

    def write(tx: Tx) -> None:
        tx.put(item, condition=BrandItem.PK.does_not_exist(), label=BRAND_ID_TAKEN)
        tx.put(
            BrandNameItem(claim.pk, claim.sk, brand_id=brand.brand_id),
            condition=BrandNameItem.PK.does_not_exist(),
            label=BRAND_NAME_TAKEN,
        )

    outcome = transact(write)
    if outcome.committed:
        return None
    return BRAND_ID_TAKEN if outcome.failed_on(BRAND_ID_TAKEN) else BRAND_NAME_TAKEN


def get_brand(brand_id: str) -> Brand | None:
    key = keys.brand(brand_id)
    try:
        item = BrandItem.get(key.pk, key.sk)
    except BrandItem.DoesNotExist:
        return None
    return Brand(item.brand_id, item.name, item.owner_id)
