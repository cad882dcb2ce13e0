"""Routes: product search, product pages, and brand owners adding products."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib.api.routing import Access, Call, endpoint
from chalicelib.lazy import lazy_module

if TYPE_CHECKING:
    from chalicelib.schemas.catalog import ProductIn, ProductOut, ProductPage, ProductQuery

# Imported by the first request that needs it (chalicelib/lazy.py).
catalog = lazy_module("chalicelib.services.catalog")

catalog_blueprint = Blueprint(__name__)
TAG = "products"


@endpoint(
    catalog_blueprint,
    "/products",
    "GET",
    summary="Search products by title or brand words",
    access=Access.PUBLIC,
    tag=TAG,
    query="catalog.ProductQuery",
    response="catalog.ProductPage",
    personalised=False,
)
def search_products(call: Call[Any, ProductQuery]) -> ProductPage:
    return catalog.search(call.query.q, call.query.limit, call.query.cursor)


@endpoint(
    catalog_blueprint,
    "/products/{product_id}",
    "GET",
    summary="A product page",
    access=Access.PUBLIC,
    tag=TAG,
    response="catalog.ProductOut",
    errors=(404,),
    personalised=False,
)
def get_product(call: Call[Any, Any]) -> ProductOut:
    return catalog.get_product(call.params["product_id"])


@endpoint(
    catalog_blueprint,
    "/brands/{brand_id}/products",
    "POST",
    summary="Add a product to a brand's catalog",
    access=Access.BRAND,
    tag=TAG,
    body="catalog.ProductIn",
    response="catalog.ProductOut",
    status=201,
    errors=(403, 404),
    rate_limit="brands",
)
def create_product(call: Call[ProductIn, Any]) -> ProductOut:
    return catalog.create_product(call.member, call.params["brand_id"], call.body)
