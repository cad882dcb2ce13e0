"""Upload -> thumbnails -> tagged post -> product page -> delete, against the running local stack over HTTP.

Everything here is what a client does: read GET /config, sign in with Cognito at the endpoint it
names, call the API, POST the file to the presigned URL as a browser form, fetch a thumbnail URL.
The S3 notification reaches the thumbnailer through the stack's own event runner.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
import requests
from PIL import Image

from local.demo_data import DEMO_MEMBERS
from tests.e2e.conftest import LocalStack
from tests.support.members import id_token_of

pytestmark = pytest.mark.e2e

TIMEOUT = 15
WIDTH, HEIGHT = 800, 600


class ApiClient:
    """A signed-in client of the HTTP API."""

    def __init__(self, api: str, token: str):
        self.api = api
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str) -> requests.Response:
        return self.session.get(f"{self.api}{path}", timeout=TIMEOUT)

    def post(self, path: str, body: dict[str, Any]) -> requests.Response:
        return self.session.post(f"{self.api}{path}", json=body, timeout=TIMEOUT)

    def delete(self, path: str) -> requests.Response:
        return self.session.delete(f"{self.api}{path}", timeout=TIMEOUT)


def _sign_in_demo_prime(local_stack: LocalStack) -> ApiClient:
    """Sign in as the demo Prime member, with the pool and endpoint GET /config names."""
    config = requests.get(f"{local_stack.api}/config", timeout=TIMEOUT).json()
    member = DEMO_MEMBERS[0]
    assert "prime" in member.groups
    return ApiClient(local_stack.api, id_token_of(config, member.email, member.password))


def _photo() -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), (30, 110, 70))
    image.paste((230, 200, 40), (WIDTH // 2, 0, WIDTH, HEIGHT))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _final(local_stack: LocalStack, client: ApiClient, upload_id: str) -> dict[str, Any]:
    """The upload once the stack has delivered every queue (S3's notification to the thumbnailer)."""
    local_stack.drain()
    response = client.get(f"/uploads/{upload_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def _listed_ids(client: ApiClient, path: str, pages: int = 5) -> list[str]:
    ids: list[str] = []
    cursor = None
    for _ in range(pages):
        response = client.get(f"{path}?limit=20" + (f"&cursor={cursor}" if cursor else ""))
        assert response.status_code == 200, response.text
        page = response.json()
        ids += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    return ids


def test_a_prime_member_uploads_a_photo_tags_a_product_and_deletes_the_post(local_stack: LocalStack) -> None:
    # Given the demo Prime member, signed in with Cognito as a client app would
    client = _sign_in_demo_prime(local_stack)
    data = _photo()

    # When they ask for an upload and post the file to S3 as a browser form would
    ticket_response = client.post("/uploads", {"content_type": "image/jpeg", "size": len(data)})
    assert ticket_response.status_code == 201, ticket_response.text
    ticket = ticket_response.json()
    stored = requests.post(
        ticket["url"], data=ticket["fields"], files={"file": ("photo.jpg", data, "image/jpeg")}, timeout=30
    )
    assert stored.status_code in (200, 201, 204), stored.text

    # Then the stack's event runner delivers S3's notification and the thumbnailer makes it ready
    upload = _final(local_stack, client, ticket["upload_id"])
    assert (upload["status"], upload["width"], upload["height"]) == ("ready", WIDTH, HEIGHT), upload
    assert set(upload["thumbnails"]) == {"small", "medium", "large"}

    # And each advertised thumbnail is a JPEG of the advertised width
    for rendition in upload["thumbnails"].values():
        fetched = requests.get(rendition["url"], timeout=TIMEOUT)
        assert fetched.status_code == 200, rendition["url"]
        image = Image.open(io.BytesIO(fetched.content))
        assert (image.format, image.size) == ("JPEG", (rendition["width"], rendition["height"]))
    assert upload["thumbnails"]["large"]["width"] == WIDTH  # never upscaled past the original

    # When they find a product and publish a photo tagging it
    products = client.get("/products?q=backpack").json()["items"]
    assert products, "the demo catalog should have backpacks"
    product = products[0]
    published = client.post(
        "/posts",
        {
            "kind": "photo",
            "caption": "E2E trail kit",
            "interests": ["hiking"],
            "photos": [
                {
                    "upload_id": ticket["upload_id"],
                    "tags": [{"product_id": product["id"], "x": 0.4, "y": 0.6}],
                }
            ],
        },
    )
    assert published.status_code == 201, published.text
    post = published.json()

    # Then the post reads back with its tag hydrated from the product, and the product page lists it
    fetched_post = client.get(f"/posts/{post['id']}")
    assert fetched_post.status_code == 200, fetched_post.text
    tag = fetched_post.json()["photos"][0]["tags"][0]
    assert (tag["product_id"], tag["title"], tag["price"]) == (
        product["id"],
        product["title"],
        product["price"],
    )
    assert fetched_post.json()["shop_count"] == 1
    assert post["id"] in _listed_ids(client, f"/products/{product['id']}/posts")

    # When they delete it
    deleted = client.delete(f"/posts/{post['id']}")
    assert deleted.status_code == 204, deleted.text

    # Then it is gone for everyone, from its page and from the product's
    gone = requests.get(f"{local_stack.api}/posts/{post['id']}", timeout=TIMEOUT)
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "not_found"
    assert post["id"] not in _listed_ids(client, f"/products/{product['id']}/posts")
    assert requests.get(upload["thumbnails"]["small"]["url"], timeout=TIMEOUT).status_code in (403, 404)
