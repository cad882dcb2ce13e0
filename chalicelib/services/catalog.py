"""Catalog rules: brands own products; search matches word prefixes of title and brand."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Protocol

from chalicelib import clock, cursors, ids
from chalicelib.auth import Identity
from chalicelib.data import catalog as store
from chalicelib.data import search as search_index
from chalicelib.data.catalog import Brand, Product
from chalicelib.errors import Forbidden, NotFound
from chalicelib.schemas.catalog import ProductIn, ProductOut, ProductPage
from chalicelib.services import brands
from chalicelib.services.presenters import product_out


class ProductSource(Protocol):
    """Anything shaped like a catalog product (demo data, a partner feed)."""

    product_id: str
    brand_id: str
    brand_name: str
    title: str
    price: Decimal
    currency: str
    url: str
    image_url: str
    prime_eligible: bool


def register_brand(*, brand_id: str, name: str, owner_id: str | None) -> bool:
    """Import a brand (demo data, partner feeds); False when its id or name is taken."""
    return brands.register(Brand(brand_id, name, owner_id)) is None


def import_products(products: Iterable[ProductSource]) -> None:
    store.put_products(
        [
            Product(
                p.product_id,
                p.brand_id,
                p.brand_name,
                p.title,
                f"{p.price:.2f}",
                p.currency,
                p.url,
                p.image_url,
                p.prime_eligible,
                0,
            )
            for p in products
        ],
        clock.now_iso(),
    )


def owned_brand(identity: Identity, brand_id: str) -> Brand:
    return check_owner(identity, store.get_brand(brand_id))


def check_owner(identity: Identity, brand: Brand | None) -> Brand:
    """The brand, if the caller owns it (404 when there is none, 403 when it is someone else's)."""
    if brand is None:
        raise NotFound("No such brand.")
    if brand.owner_id != identity.user_id:
        raise Forbidden("Only the brand's owner may do this.", code="not_owner")
    return brand


def create_product(identity: Identity, brand_id: str, data: ProductIn) -> ProductOut:
    brand = owned_brand(identity, brand_id)
    product = Product(
        product_id=ids.new_id("prod"),
        brand_id=brand.brand_id,
        brand_name=brand.name,
        title=data.title,
        price_amount=f"{data.price.amount:.2f}",
        currency=data.price.currency,
        url=str(data.url),
        image_url=str(data.image_url) if data.image_url else None,
        prime_eligible=data.prime_eligible,
        tag_count=0,
    )
    store.put_products([product], clock.now_iso())
    return product_out(product)


def get_product(product_id: str) -> ProductOut:
    product = store.get_product(product_id)
    if product is None:
        raise NotFound("No such product.")
    return product_out(product)


def search(q: str, limit: int, cursor: str | None) -> ProductPage:
    """A page of matches; pages can hold fewer than `limit` items: follow `next_cursor`."""
    terms = search_index.query_terms(q)
    # A cursor continues the listing it came from only: the catalog, or these very terms.
    scope = "products?q=" + " ".join(terms)
    start = cursors.decode(cursor, scope=scope)
    if not terms:
        page = store.list_catalog(limit, start)
        return ProductPage(
            items=[product_out(p) for p in page.items],
            next_cursor=cursors.encode(page.last_key, scope=scope),
        )
    id_page = store.search_product_ids(terms, limit, start)
    found = store.get_products(id_page.items)
    items = [product_out(found[i]) for i in id_page.items if i in found]
    return ProductPage(items=items, next_cursor=cursors.encode(id_page.last_key, scope=scope))
