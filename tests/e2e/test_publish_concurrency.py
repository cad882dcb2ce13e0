"""Eight members publish at once against the running local stack: uploads, presigned POSTs,
thumbnails and posts. The local API serves requests in handler instances like Lambda, so
concurrency on a laptop cannot fail in ways AWS cannot: no request may get a 5xx."""

from __future__ import annotations

import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from PIL import Image

from tests.e2e.conftest import Client
from tests.support.eventually import eventually

pytestmark = pytest.mark.e2e

PUBLISHERS = 8


def photo(seed: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (seed * 30 % 256, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def checked(response: requests.Response, *expected: int) -> requests.Response:
    request = response.request
    assert response.status_code < 500, (
        f"{request.method} {request.url}: {response.status_code} {response.text}"
    )
    assert response.status_code in expected, f"{request.method} {request.url}: {response.text}"
    return response


def publish(member: Client, seed: int) -> str:
    """What a client app does to post a photo; every answer checked for a 5xx."""
    data = photo(seed)
    ticket = checked(
        member.request("POST", "/uploads", json={"content_type": "image/jpeg", "size": len(data)}), 201
    )
    form = ticket.json()
    answer = requests.post(form["url"], data=form["fields"], files={"file": ("p.jpg", data)}, timeout=30)
    assert answer.status_code < 300, answer.text

    # The stack's event runner hands S3's notification to the thumbnailer on its own (the other
    # publishers' uploads race it): wait for the upload to be final, then it must be ready.
    def final() -> dict[str, Any] | None:
        upload = checked(member.request("GET", f"/uploads/{form['upload_id']}"), 200).json()
        return None if upload["status"] == "pending" else dict(upload)

    upload = eventually(final, what="the upload leaving 'pending'")
    assert upload["status"] == "ready", upload
    body = {
        "kind": "photo",
        "caption": f"Concurrent {seed}",
        "interests": ["hiking"],
        "photos": [{"upload_id": form["upload_id"], "tags": []}],
    }
    return str(checked(member.request("POST", "/posts", json=body), 201).json()["id"])


def test_eight_concurrent_publishes_get_no_5xx(sign_up: Callable[..., Client]) -> None:
    # Given eight Prime members
    with ThreadPoolExecutor(PUBLISHERS) as pool:
        members = list(pool.map(lambda _: sign_up("prime"), range(PUBLISHERS)))
    # When they all upload and publish at the same time
    with ThreadPoolExecutor(PUBLISHERS) as pool:
        post_ids = list(pool.map(publish, members, range(PUBLISHERS)))
    # Then every post was published, and each reads back as its author's
    assert len(set(post_ids)) == PUBLISHERS
    for member, post_id in zip(members, post_ids, strict=True):
        post = checked(member.request("GET", f"/posts/{post_id}"), 200).json()
        assert post["author"]["id"] == member.user_id
