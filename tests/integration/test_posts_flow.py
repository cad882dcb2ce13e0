"""Upload -> thumbnails -> tagged post -> listings -> delete, through the app and the real queue path."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3

from chalicelib.data import keys
from chalicelib.settings import get_settings
from tests.conftest import SignedInMember
from tests.support.catalog import fresh_interest, fresh_products
from tests.support.uploads import jpeg_bytes, upload_image


def _every_item(table: Any) -> list[dict[str, Any]]:
    """A whole-table Scan, page by page (the shared table outgrows one page)."""
    items, start = [], {}
    while True:
        page = table.scan(**start)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def _json(response: Any) -> Any:
    return json.loads(response.body)


def _post(api: Any, member: SignedInMember, body: dict[str, Any]) -> Any:
    return api.http.post(
        "/posts", body=json.dumps(body), headers={"Content-Type": "application/json", **member.headers}
    )


def test_a_prime_member_publishes_a_tagged_photo_and_deletes_it(
    api: Any, new_member: Callable[..., SignedInMember]
) -> None:
    # Given a catalog (products and an interest of this test's own) and a Prime member with a
    # processed upload
    first_product, second_product = fresh_products(2)
    interest = fresh_interest()
    author = new_member("prime")
    api.http.get("/me", headers=author.headers)
    upload_id = upload_image(api, author, jpeg_bytes(1600, 1200))
    upload = _json(api.http.get(f"/uploads/{upload_id}", headers=author.headers))
    assert upload["status"] == "ready", upload
    assert set(upload["thumbnails"]) == {"small", "medium", "large"}
    assert upload["thumbnails"]["large"]["width"] == 1280

    # When they publish a photo tagging two products
    response = _post(
        api,
        author,
        {
            "kind": "photo",
            "caption": "My trail kit",
            "interests": [interest, "camping"],
            "photos": [
                {
                    "upload_id": upload_id,
                    "tags": [
                        {"product_id": first_product, "x": 0.25, "y": 0.5},
                        {"product_id": second_product, "x": 0.75, "y": 0.5},
                        {"product_id": second_product, "x": 0.8, "y": 0.9},
                    ],
                }
            ],
        },
    )
    assert response.status_code == 201, response.body
    post = _json(response)

    # Then the post, the product page and the listings show it
    assert post["shop_count"] == 2
    fetched = _json(api.http.get(f"/posts/{post['id']}"))
    assert fetched["photos"][0]["tags"][0]["title"]
    assert fetched["author"]["id"] == author.user_id
    product_posts = _json(api.http.get(f"/products/{first_product}/posts"))
    assert [p["id"] for p in product_posts["items"]] == [post["id"]]
    assert _json(api.http.get(f"/products/{first_product}"))["tag_count"] == 1
    assert [p["id"] for p in _json(api.http.get(f"/interests/{interest}/posts"))["items"]] == [post["id"]]
    assert [p["id"] for p in _json(api.http.get(f"/users/{author.user_id}/posts"))["items"]] == [post["id"]]
    assert _json(api.http.get(f"/users/{author.user_id}"))["counts"]["posts"] == 1

    # When they delete it
    deleted = api.http.delete(f"/posts/{post['id']}", headers=author.headers)
    assert deleted.status_code == 204

    # Then nothing of it remains: no item mentions it, counters are back, images are gone
    assert api.http.get(f"/posts/{post['id']}").status_code == 404
    table = boto3.resource("dynamodb", region_name="us-east-1").Table(get_settings().table_name)
    leftovers = [i for i in _every_item(table) if post["id"] in str(i) or upload_id in str(i)]
    assert [(i["PK"], i["SK"]) for i in leftovers if not i["PK"].startswith("IDEMPOTENCY#")] == []
    assert _json(api.http.get(f"/products/{first_product}"))["tag_count"] == 0
    assert _json(api.http.get(f"/users/{author.user_id}"))["counts"]["posts"] == 0
    s3 = boto3.client("s3", region_name="us-east-1")
    media = s3.list_objects_v2(Bucket="flint-dev-media", Prefix=keys.rendition_prefix(upload_id))
    assert media.get("KeyCount", 0) == 0
    for originals in (keys.upload_object(author.user_id, ""), f"{keys.ORIGINALS_PREFIX}{author.user_id}/"):
        assert s3.list_objects_v2(Bucket="flint-dev-uploads", Prefix=originals).get("KeyCount", 0) == 0
