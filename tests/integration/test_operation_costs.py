"""DynamoDB requests and request units per API operation, billed by bench/capacity.py.

Every read page must cost at most 2 requests (asserted here, so it cannot regress). `make bench`
runs this module with FLINT_BENCH_OUT set and shows the whole table (writes included).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bench import capacity
from tests.conftest import SignedInMember
from tests.support import images
from tests.support.catalog import fresh_brand, fresh_interest
from tests.support.posts import JSON, photo, post_body, published
from tests.support.uploads import upload_images

READ_PAGE_MAX_REQUESTS = 2


def _bill(action: Callable[[], Any]) -> capacity.Bill:
    with capacity.meter() as bill:
        response = action()
    assert response.status_code < 300, (response.status_code, response.body)
    return bill


def test_every_read_page_costs_at_most_two_requests(
    api: Any, private_table: str, new_member: Callable[..., SignedInMember]
) -> None:
    # A table of its own: GET /feed reads the trending list every planner run rewrites for everyone,
    # and what a page costs depends on what that list holds.
    # Given a community: an author with a tagged photo post, a reader who follows them (and a brand
    # of the test's own, so the product routes read its products, not other tests')
    brand = fresh_brand(products=2)
    product, interest = brand.product_ids[0], fresh_interest()
    author, reader = new_member("prime"), new_member("prime")
    for member in (author, reader):
        api.http.get("/me", headers=member.headers)  # the profile, and the activity mark
    [upload_id] = upload_images(api, author, [images.jpeg(64, 48)])
    post = published(
        api, author, post_body("photo", [photo(upload_id, (product, 0.2, 0.3))], interests=[interest])
    )
    post_id, signed_in = post["id"], reader.headers
    api.http.put(f"/users/{author.user_id}/follow", headers=signed_in)
    api.http.post(
        f"/posts/{post_id}/comments", body=json.dumps({"text": "Nice"}), headers={**JSON, **signed_in}
    )

    reads: dict[str, Callable[[], Any]] = {
        "GET /feed (anonymous)": lambda: api.http.get("/feed"),
        "GET /feed (member)": lambda: api.http.get("/feed", headers=signed_in),
        "GET /posts/{id}": lambda: api.http.get(f"/posts/{post_id}", headers=signed_in),
        "GET /posts/{id}/comments": lambda: api.http.get(f"/posts/{post_id}/comments"),
        "GET /users/{id}": lambda: api.http.get(f"/users/{author.user_id}", headers=signed_in),
        "GET /users/{id}/posts": lambda: api.http.get(f"/users/{author.user_id}/posts", headers=signed_in),
        "GET /interests/{id}/posts": lambda: api.http.get(f"/interests/{interest}/posts", headers=signed_in),
        "GET /products?q=": lambda: api.http.get(f"/products?q={brand.word}"),
        "GET /products/{id}": lambda: api.http.get(f"/products/{product}"),
        "GET /products/{id}/posts": lambda: api.http.get(f"/products/{product}/posts"),
        "GET /enthusiasts": lambda: api.http.get("/enthusiasts"),
        "GET /interests": lambda: api.http.get("/interests"),
    }
    [second_upload] = upload_images(api, author, [images.jpeg(64, 48)])
    writes: dict[str, Callable[[], Any]] = {
        "PUT /posts/{id}/smile": lambda: api.http.put(f"/posts/{post_id}/smile", headers=signed_in),
        "DELETE /posts/{id}/smile": lambda: api.http.delete(f"/posts/{post_id}/smile", headers=signed_in),
        "POST /posts/{id}/comments": lambda: api.http.post(
            f"/posts/{post_id}/comments", body=json.dumps({"text": "Love it"}), headers={**JSON, **signed_in}
        ),
        "DELETE /users/{id}/follow": lambda: api.http.delete(
            f"/users/{author.user_id}/follow", headers=signed_in
        ),
        "PUT /users/{id}/follow": lambda: api.http.put(f"/users/{author.user_id}/follow", headers=signed_in),
        "POST /posts (photo, 1 tag)": lambda: api.http.post(
            "/posts",
            body=json.dumps(post_body("photo", [photo(second_upload, (product, 0.5, 0.5))])),
            headers={**JSON, **author.headers},
        ),
    }

    # When each operation is billed
    billed = {name: _bill(action) for name, action in {**reads, **writes}.items()}

    # Then every read page is at most 2 requests
    too_costly = {
        n: b.requests for n, b in billed.items() if n in reads and b.requests > READ_PAGE_MAX_REQUESTS
    }
    assert too_costly == {}, {n: dict(billed[n].by_operation) for n in too_costly}
    if out := os.environ.get("FLINT_BENCH_OUT"):
        Path(out).write_text(
            json.dumps(
                {
                    name: {
                        "kind": "read" if name in reads else "write",
                        "requests": bill.requests,
                        "read_units": bill.read_units,
                        "write_units": bill.write_units,
                        "by_operation": dict(bill.by_operation),
                    }
                    for name, bill in billed.items()
                }
            )
        )


@pytest.mark.parametrize("size", [100, 5000, 20000])
def test_the_meter_bills_a_put_by_kilobyte_and_a_get_by_four(size: int, stack: Any) -> None:
    import boto3

    client = boto3.client("dynamodb", region_name="us-east-1")
    item = {"PK": {"S": "BENCH#meter"}, "SK": {"S": "ITEM"}, "blob": {"S": "x" * size}}
    with capacity.meter() as put:
        client.put_item(TableName="flint-dev", Item=item)
    with capacity.meter() as get:
        client.get_item(TableName="flint-dev", Key={"PK": item["PK"], "SK": item["SK"]})
    assert put.write_units == capacity.write_units(item) == -(-capacity.item_size(item) // 1024)
    assert get.read_units == 0.5 * -(-capacity.item_size(item) // 4096)
