"""Labels: colour names on every upload; Rekognition's only for photos that tag a product.

Brands read a post's labels only through the products it tags, so DetectLabels runs when a photo
that tags a product is published, never for the thumbnail of every photo (issue 19).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib.data import media as media_store
from chalicelib.data import rekognition
from chalicelib.data.engagement import post_facts
from chalicelib.settings import get_settings
from local.demo_data import products
from local.seed import seed_interests, seed_products
from tests.conftest import SignedInMember
from tests.support.community import call, ok
from tests.support.uploads import jpeg_bytes, upload_image

RED = (200, 30, 30)
PRODUCT = products()[0].product_id


def _publish(api: Any, member: SignedInMember, upload_id: str, tags: list[dict[str, Any]]) -> str:
    body = {
        "kind": "photo",
        "caption": "c",
        "interests": ["hiking"],
        "photos": [{"upload_id": upload_id, "tags": tags}],
    }
    return str(ok(call(api, "POST", "/posts", member, body), 201)["id"])


def _labels_of(post_id: str) -> list[str]:
    return post_facts([post_id])[post_id].labels


def test_a_photo_that_tags_a_product_gets_rekognition_labels_when_published(
    api: Any, new_member: Callable[..., SignedInMember], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a ready upload: its thumbnail named colours only, and asked Rekognition nothing
    seed_interests()
    seed_products(None)
    asked: list[str] = []
    detect = rekognition.detect_labels
    monkeypatch.setattr(
        rekognition, "detect_labels", lambda data, **kw: asked.append(kw["key"]) or detect(data, **kw)
    )
    member = new_member("prime")
    upload_id = upload_image(api, member, jpeg_bytes(320, 240, RED))
    assert media_store.get_upload(upload_id).labels == ["red"]  # type: ignore[union-attr]
    assert asked == []

    # When it is published tagging a product
    post_id = _publish(api, member, upload_id, [{"product_id": PRODUCT, "x": 0.5, "y": 0.5}])

    # Then the post carries Rekognition's labels (read from the original in S3) and the colours
    assert _labels_of(post_id) == ["mobile phone", "red"]  # the embedded AWS's canned answer
    assert len(asked) == 1


def test_a_photo_without_product_tags_is_never_sent_to_rekognition(
    api: Any, new_member: Callable[..., SignedInMember], monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_interests()
    called: list[Any] = []
    monkeypatch.setattr(rekognition, "detect_labels", lambda data, **_: called.append(data) or ["never"])
    member = new_member("prime")
    upload_id = upload_image(api, member, jpeg_bytes(320, 240, RED))

    post_id = _publish(api, member, upload_id, [])

    assert _labels_of(post_id) == ["red"]
    assert called == []


def test_colour_labels_only_when_rekognition_is_switched_off(
    api: Any, new_member: Callable[..., SignedInMember], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLINT_LABELS", "colours")
    get_settings.cache_clear()
    seed_interests()
    seed_products(None)
    called: list[Any] = []
    monkeypatch.setattr(rekognition, "detect_labels", lambda data, **_: called.append(data) or ["never"])
    member = new_member("prime")
    upload_id = upload_image(api, member, jpeg_bytes(320, 240, RED))
    post_id = _publish(api, member, upload_id, [{"product_id": PRODUCT, "x": 0.5, "y": 0.5}])
    assert _labels_of(post_id) == ["red"]
    assert called == []


@pytest.mark.parametrize("code", ["ThrottlingException", "AccessDeniedException"])
def test_a_rekognition_failure_never_fails_a_publish(
    api: Any, new_member: Callable[..., SignedInMember], monkeypatch: pytest.MonkeyPatch, code: str
) -> None:
    def refuse(data: Any, **_: Any) -> list[str]:
        raise ClientError({"Error": {"Code": code, "Message": "no"}}, "DetectLabels")

    seed_interests()
    seed_products(None)
    monkeypatch.setattr(rekognition, "detect_labels", refuse)
    member = new_member("prime")
    upload_id = upload_image(api, member, jpeg_bytes(320, 240, RED))
    post_id = _publish(api, member, upload_id, [{"product_id": PRODUCT, "x": 0.5, "y": 0.5}])
    assert _labels_of(post_id) == ["red"]
