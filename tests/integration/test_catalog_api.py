"""Product search, product pages and brand owners adding products, through the real app."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from chalicelib import caches
from chalicelib.data.catalog import words
from local import demo_data
from local.seed import seed_products
from tests.conftest import SessionStack, SignedInMember
from tests.dynamo_counter import count_dynamodb_calls
from tests.support.aws import environment
from tests.support.catalog import FreshBrand, fresh_brand, fresh_word
from tests.support.http import assert_error, body
from tests.support.tables import table_of_its_own

NewMember = Callable[..., SignedInMember]
DEMO = demo_data.products()
DEMO_BY_ID = {p.product_id: p for p in DEMO}
PRODUCT_FIELDS = {
    "id",
    "title",
    "brand_id",
    "brand_name",
    "price",
    "url",
    "image_url",
    "prime_eligible",
    "tag_count",
}


# --- helpers --------------------------------------------------------------------------------------


def search(api: Any, query: str) -> Any:
    return api.http.get(f"/products?{query}")


def walk(api: Any, query: str, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Every item of a listing, following next_cursor; also the number of pages."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    pages = 0
    while True:
        suffix = f"&cursor={cursor}" if cursor else ""
        response = search(api, f"{query}&limit={limit}{suffix}")
        assert response.status_code == 200, response.body
        page = body(response)
        items += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return items, pages
        assert pages < 500, "the listing never ends"


def ids_of(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


def demo_ids(predicate: Callable[[demo_data.DemoProduct], bool]) -> set[str]:
    return {p.product_id for p in DEMO if predicate(p)}


def tamper(cursor: str) -> str:
    middle = len(cursor) // 2
    return cursor[:middle] + ("A" if cursor[middle] != "A" else "B") + cursor[middle + 1 :]


def create(api: Any, member: SignedInMember, brand_id: str, payload: Any) -> Any:
    return api.http.post(
        f"/brands/{brand_id}/products",
        body=json.dumps(payload),
        headers={"Content-Type": "application/json", **member.headers},
    )


def new_product(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "title": "Summit Bivvy Sack",
        "price": {"amount": "19.99", "currency": "USD"},
        "url": "https://shop.example.com/northpeak/summit-bivvy-sack",
        "image_url": "https://shop.example.com/images/bivvy.jpg",
        "prime_eligible": True,
    }
    payload.update(overrides)
    return payload


@pytest.fixture(scope="module")
def demo_catalog_table(session_stack: SessionStack) -> Iterator[str]:
    """A table of this module's own holding exactly the demo catalog, seeded once for the read-only
    tests below: they count the whole catalog and every match of a search, which the session's table
    (where other tests add brands and products) cannot promise."""
    with table_of_its_own(session_stack.env["AWS_ENDPOINT_URL"]) as name:
        with environment({**session_stack.env, "FLINT_TABLE_NAME": name}):
            seed_products(None)
        yield name


@pytest.fixture
def shop(demo_catalog_table: str, api: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The app over the demo catalog, for tests that only read it (anonymous shoppers)."""
    monkeypatch.setenv("FLINT_TABLE_NAME", demo_catalog_table)
    caches.reset()
    return api


@dataclass(frozen=True)
class Brands:
    """A brand account owning one fresh brand; another fresh brand is someone else's."""

    owner: SignedInMember
    owned: FreshBrand
    other: FreshBrand


@pytest.fixture
def brands(new_member: NewMember) -> Brands:
    owner = new_member("brand")
    return Brands(owner, fresh_brand(owner.user_id, products=0), fresh_brand(None, products=0))


# --- search ---------------------------------------------------------------------------------------


def test_a_brand_word_prefix_finds_that_brands_products(shop: Any) -> None:
    # When a shopper searches for the start of a brand name
    items, _ = walk(shop, "q=north", limit=20)
    # Then they get exactly the brand's products
    assert sorted(ids_of(items)) == sorted(demo_ids(lambda p: p.brand_name == "Northpeak"))
    assert {item["brand_name"] for item in items} == {"Northpeak"}


def test_every_word_of_the_query_must_match_a_word_prefix(shop: Any) -> None:
    items, _ = walk(shop, "q=dutch%20ov", limit=20)
    expected = demo_ids(lambda p: "Dutch Oven" in p.title)
    assert expected
    assert sorted(ids_of(items)) == sorted(expected)


def test_title_words_and_brand_words_combine(shop: Any) -> None:
    items, _ = walk(shop, "q=hearthware%20skillet", limit=20)
    expected = demo_ids(lambda p: p.brand_name == "Hearthware" and "Skillet" in p.title)
    assert expected
    assert sorted(ids_of(items)) == sorted(expected)


@pytest.mark.parametrize("query", ["DUTCH%20Ov", "d%C3%BCtch%20%C3%B6v", "%20%20dutch,ov!"])
def test_search_ignores_case_accents_and_punctuation(shop: Any, query: str) -> None:
    items, _ = walk(shop, f"q={query}", limit=20)
    assert sorted(ids_of(items)) == sorted(demo_ids(lambda p: "Dutch Oven" in p.title))


def test_a_prefix_must_start_a_word(shop: Any) -> None:
    # "peak" is inside "Northpeak" but starts no word
    items, _ = walk(shop, "q=peak", limit=20)
    assert items == []


def test_a_search_without_matches_is_an_empty_page(shop: Any) -> None:
    response = search(shop, "q=zzzyzx")
    assert response.status_code == 200
    assert body(response) == {"items": [], "next_cursor": None}


def test_search_pages_walk_every_match_once(shop: Any) -> None:
    # When a shopper follows the cursor three matches at a time
    items, pages = walk(shop, "q=north", limit=3)
    # Then every Northpeak product comes exactly once
    assert pages >= 6
    assert len(ids_of(items)) == len(set(ids_of(items)))
    assert set(ids_of(items)) == demo_ids(lambda p: p.brand_name == "Northpeak")


# --- the catalog, A to Z --------------------------------------------------------------------------


def test_an_empty_query_lists_the_catalog_a_to_z(shop: Any) -> None:
    items, _ = walk(shop, "q=", limit=100)
    assert len(items) == len(DEMO) == 240
    titles = [" ".join(words(item["title"])) for item in items]
    assert titles == sorted(titles)


def test_catalog_pages_walk_every_product_once(shop: Any) -> None:
    # When a client pages through the catalog 17 products at a time
    items, pages = walk(shop, "q=", limit=17)
    # Then it sees all 240 demo products, none twice, none missing
    assert pages >= 240 // 17
    assert len(items) == 240
    assert set(ids_of(items)) == set(DEMO_BY_ID)


def test_the_default_page_holds_twenty_products(shop: Any) -> None:
    page = body(search(shop, ""))
    assert len(page["items"]) == 20
    assert page["next_cursor"]


# --- cursors and parameters -----------------------------------------------------------------------


def test_a_tampered_cursor_is_a_400(shop: Any) -> None:
    cursor = body(search(shop, "limit=5"))["next_cursor"]
    assert_error(search(shop, f"limit=5&cursor={tamper(cursor)}"), 400, "bad_cursor")


def test_a_garbage_cursor_is_a_400(shop: Any) -> None:
    assert_error(search(shop, "q=north&cursor=not-a-cursor"), 400, "bad_cursor")


def test_a_catalog_cursor_does_not_continue_a_search(shop: Any) -> None:
    # Given a cursor from the A-to-Z listing
    cursor = body(search(shop, "limit=5"))["next_cursor"]
    # When it is sent with a search
    response = search(shop, f"q=north&limit=5&cursor={cursor}")
    # Then it is refused, not handed to DynamoDB for another query
    assert_error(response, 400, "bad_cursor")


def test_a_search_cursor_does_not_continue_the_catalog_or_another_search(shop: Any) -> None:
    cursor = body(search(shop, "q=north&limit=3"))["next_cursor"]
    assert cursor
    assert_error(search(shop, f"limit=3&cursor={cursor}"), 400, "bad_cursor")
    assert_error(search(shop, f"q=hearth&limit=3&cursor={cursor}"), 400, "bad_cursor")


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten"])
def test_a_limit_outside_1_to_100_is_a_400(shop: Any, limit: str) -> None:
    error = assert_error(search(shop, f"limit={limit}"), 400, "bad_parameter")
    assert {d["field"] for d in error["details"]} == {"limit"}


@pytest.mark.parametrize("limit", ["1", "100"])
def test_limits_at_the_bounds_are_accepted(shop: Any, limit: str) -> None:
    response = search(shop, f"limit={limit}")
    assert response.status_code == 200
    assert len(body(response)["items"]) == int(limit)


def test_an_unknown_query_parameter_is_ignored(shop: Any) -> None:
    # cache-busters and tracking parameters must not break a listing (issue 13, defect 9)
    assert search(shop, "sort=price&_=1712345678&utm_source=x").status_code == 200


# --- read cost ------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["q=north", "q=dutch%20ov", "q=zzzyzx", "q=", "q=north&limit=3"])
def test_a_page_of_search_costs_at_most_two_dynamodb_requests(
    shop: Any, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    # When an anonymous shopper reads one page
    with count_dynamodb_calls(monkeypatch) as calls:
        response = search(shop, query)
    # Then the page costs one Query and at most one BatchGetItem
    assert response.status_code == 200
    assert calls.total <= 2, calls
    assert calls["Query"] == 1, calls
    assert set(calls) <= {"Query", "BatchGetItem"}, calls


def test_every_page_of_a_walk_costs_at_most_two_dynamodb_requests(
    shop: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    cursor = None
    for _ in range(4):
        suffix = f"&cursor={cursor}" if cursor else ""
        with count_dynamodb_calls(monkeypatch) as calls:
            page = body(search(shop, f"q=north&limit=4{suffix}"))
        assert calls.total <= 2, calls
        cursor = page["next_cursor"]


# --- product pages --------------------------------------------------------------------------------


def test_a_product_page_has_the_contract_fields(shop: Any) -> None:
    # Given a demo product
    demo = DEMO[0]
    # When anyone opens its page
    response = shop.http.get(f"/products/{demo.product_id}")
    # Then it carries exactly the contract's fields, money as a decimal string
    assert response.status_code == 200
    product = body(response)
    assert set(product) == PRODUCT_FIELDS
    assert product == {
        "id": demo.product_id,
        "title": demo.title,
        "brand_id": demo.brand_id,
        "brand_name": demo.brand_name,
        "price": {"amount": f"{demo.price:.2f}", "currency": "USD"},
        "url": demo.url,
        "image_url": demo.image_url,
        "prime_eligible": demo.prime_eligible,
        "tag_count": 0,
    }


def test_search_results_are_full_products(shop: Any) -> None:
    items = body(search(shop, "q=north"))["items"]
    assert items
    for item in items:
        assert set(item) == PRODUCT_FIELDS
        assert item["price"]["amount"] == f"{DEMO_BY_ID[item['id']].price:.2f}"


def test_an_unknown_product_is_a_404(shop: Any) -> None:
    assert_error(shop.http.get("/products/p-no-such-product"), 404, "not_found")


def test_product_answers_carry_no_table_keys(shop: Any) -> None:
    storage = {"PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "type", "words", "created_at"}
    for path in ["/products?q=north", "/products", f"/products/{DEMO[0].product_id}"]:
        text = shop.http.get(path).body.decode()
        assert not any(f'"{key}"' in text for key in storage), path


# --- brand owners add products --------------------------------------------------------------------


def test_a_brand_owner_adds_a_product_that_is_then_searchable(api: Any, brands: Brands) -> None:
    # Given a brand owned by a brand account
    # When its owner adds a product (its title has a word of its own: the table is shared)
    word = fresh_word()
    response = create(api, brands.owner, brands.owned.brand_id, new_product(title=f"Summit Bivvy {word}"))
    # Then it is created under the brand
    assert response.status_code == 201
    product = body(response)
    assert set(product) == PRODUCT_FIELDS
    assert product["brand_id"] == brands.owned.brand_id
    assert product["brand_name"] == brands.owned.name
    assert product["price"] == {"amount": "19.99", "currency": "USD"}
    assert product["tag_count"] == 0
    # And it can be opened and found by its words and by its brand
    assert body(api.http.get(f"/products/{product['id']}")) == product
    assert ids_of(body(search(api, f"q={word}"))["items"]) == [product["id"]]
    found, _ = walk(api, f"q={brands.owned.word}%20summit", limit=20)
    assert ids_of(found) == [product["id"]]


def test_a_new_product_has_a_fresh_url_safe_id(api: Any, brands: Brands) -> None:
    first = body(create(api, brands.owner, brands.owned.brand_id, new_product()))
    second = body(create(api, brands.owner, brands.owned.brand_id, new_product()))
    assert first["id"] != second["id"]
    assert all(ch.isalnum() or ch in "-_" for ch in first["id"])


def test_a_price_is_normalised_to_two_decimals(api: Any, brands: Brands) -> None:
    response = create(
        api, brands.owner, brands.owned.brand_id, new_product(price={"amount": "7.5", "currency": "EUR"})
    )
    assert body(response)["price"] == {"amount": "7.50", "currency": "EUR"}


def test_the_image_and_prime_flag_are_optional(api: Any, brands: Brands) -> None:
    payload = new_product()
    del payload["image_url"], payload["prime_eligible"]
    product = body(create(api, brands.owner, brands.owned.brand_id, payload))
    assert product["image_url"] is None
    assert product["prime_eligible"] is False


def test_another_brand_account_cannot_add_to_a_brand_it_does_not_own(
    api: Any, brands: Brands, new_member: NewMember
) -> None:
    stranger = new_member("brand")
    response = create(api, stranger, brands.owned.brand_id, new_product())
    assert_error(response, 403, "not_owner")


def test_the_owner_of_one_brand_cannot_add_to_another(api: Any, brands: Brands) -> None:
    response = create(api, brands.owner, brands.other.brand_id, new_product())
    assert_error(response, 403, "not_owner")


def test_a_prime_member_without_a_brand_account_is_refused(
    api: Any, brands: Brands, new_member: NewMember
) -> None:
    shopper = new_member("prime")
    response = create(api, shopper, brands.owned.brand_id, new_product())
    assert_error(response, 403, "brand_required")


def test_adding_to_an_unknown_brand_is_a_404(api: Any, brands: Brands) -> None:
    assert_error(create(api, brands.owner, "brand-nope", new_product()), 404, "not_found")


def test_a_refused_product_is_not_created(api: Any, brands: Brands, new_member: NewMember) -> None:
    word = fresh_word()
    create(api, new_member("brand"), brands.owned.brand_id, new_product(title=f"Sneaky Product {word}"))
    assert body(search(api, f"q={word}"))["items"] == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"price": {"amount": "-1.00", "currency": "USD"}}, "price.amount"),
        ({"price": {"amount": "0", "currency": "USD"}}, "price.amount"),
        ({"price": {"amount": "1.999", "currency": "USD"}}, "price.amount"),
        ({"price": {"amount": "cheap", "currency": "USD"}}, "price.amount"),
        ({"price": {"amount": "1000000", "currency": "USD"}}, "price.amount"),
        ({"price": {"amount": "19.99", "currency": "usd"}}, "price.currency"),
        ({"price": {"amount": "19.99"}}, "price.currency"),
        ({"price": {"amount": "19.99", "currency": "USD", "tax": "1"}}, "price.tax"),
        ({"url": "not a url"}, "url"),
        ({"url": "ftp://shop.example.com/x"}, "url"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"image_url": "file:///etc/passwd"}, "image_url"),
        ({"title": ""}, "title"),
        ({"title": "t" * 201}, "title"),
        ({"brand_id": "brand-lumen"}, "brand_id"),
    ],
    ids=[
        "negative",
        "zero",
        "three-decimals",
        "not-a-number",
        "a-million",
        "lower-case-currency",
        "no-currency",
        "price-extra-field",
        "url-not-a-url",
        "url-ftp",
        "url-javascript",
        "image-url-file",
        "title-empty",
        "title-201",
        "unknown-field",
    ],
)
def test_an_invalid_product_is_a_422_naming_the_field(
    api: Any, brands: Brands, overrides: dict[str, Any], field: str
) -> None:
    response = create(api, brands.owner, brands.owned.brand_id, new_product(**overrides))
    error = assert_error(response, 422, "validation_error")
    assert field in {d["field"] for d in error["details"]}


def test_a_product_body_that_is_not_json_is_a_400(api: Any, brands: Brands) -> None:
    response = api.http.post(
        f"/brands/{brands.owned.brand_id}/products",
        body=b"{title: nope}",
        headers={"Content-Type": "application/json", **brands.owner.headers},
    )
    assert_error(response, 400, "bad_json")


def test_adding_a_product_without_a_token_is_401_with_the_error_body(http_api: str) -> None:
    response = requests.post(
        f"{http_api}/brands/{demo_data.BRANDS[0].brand_id}/products", json=new_product(), timeout=10
    )
    assert response.status_code == 401
    assert set(response.json()) == {"error"}
    assert response.json()["error"]["code"] == "unauthorized"
