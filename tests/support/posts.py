"""Post helpers for tests: request bodies, publishing, reading JSON, walking pages."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from tests.support.http import body as body_of  # the one body reader, under the name these tests use

JSON = {"Content-Type": "application/json"}


def photo(upload_id: str, *tags: tuple[str, float, float]) -> dict[str, Any]:
    """One photo of a post body; tags as (product_id, x, y)."""
    return {"upload_id": upload_id, "tags": [{"product_id": p, "x": x, "y": y} for p, x, y in tags]}


def post_body(
    kind: str = "photo",
    photos: Sequence[dict[str, Any]] = (),
    *,
    interests: Sequence[str] = ("hiking",),
    caption: str = "Weekend kit",
    body: str | None = None,
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "kind": kind,
        "caption": caption,
        "interests": list(interests),
        "photos": list(photos),
    }
    if body is not None:
        request["body"] = body
    return request


def publish(api: Any, member: Any, request: dict[str, Any]) -> Any:
    """POST /posts as `member`; returns the raw response."""
    return api.http.post("/posts", body=json.dumps(request), headers={**JSON, **member.headers})


def published(api: Any, member: Any, request: dict[str, Any]) -> dict[str, Any]:
    """POST /posts, asserting 201; returns the post."""
    response = publish(api, member, request)
    assert response.status_code == 201, response.body
    return dict(body_of(response))


def error_of(response: Any) -> tuple[int, str]:
    return response.status_code, body_of(response)["error"]["code"]


def detail_fields(response: Any) -> list[str]:
    """The `field` of each 422 detail."""
    assert response.status_code == 422, response.body
    return [d["field"] for d in body_of(response)["error"]["details"]]


def all_pages(api: Any, path: str, limit: int, headers: dict[str, str] | None = None) -> list[list[str]]:
    """Follow `next_cursor` to the end; returns the post ids of each page."""
    pages: list[list[str]] = []
    cursor: str | None = None
    while True:
        query = f"?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = api.http.get(path + query, headers=headers or {})
        assert response.status_code == 200, response.body
        page = body_of(response)
        pages.append([item["id"] for item in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 100, "the listing never ends"
