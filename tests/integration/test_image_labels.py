"""Every ready upload gets labels (Rekognition's and colour names), copied onto its post."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib.data import media as media_store
from chalicelib.data import rekognition
from chalicelib.data.engagement import post_facts
from chalicelib.settings import get_settings
from local.seed import seed_interests
from tests.conftest import SignedInMember
from tests.support.community import call, ok
from tests.support.uploads import jpeg_bytes, upload_image

RED = (200, 30, 30)


def test_a_ready_upload_has_rekognition_and_colour_labels_and_its_post_copies_them(
    api: Any, new_member: Callable[..., SignedInMember]
) -> None:
    seed_interests()
    member = new_member("prime")
    upload_id = upload_image(api, member, jpeg_bytes(320, 240, RED))
    labels = media_store.get_upload(upload_id).labels  # type: ignore[union-attr]
    assert "red" in labels
    assert labels[0] == "mobile phone"  # the embedded AWS's canned DetectLabels answer
    post = ok(
        call(
            api,
            "POST",
            "/posts",
            member,
            {"kind": "photo", "caption": "c", "interests": ["hiking"], "photos": [{"upload_id": upload_id}]},
        ),
        201,
    )
    assert post_facts([post["id"]])[post["id"]].labels == labels


def test_colour_labels_only_when_rekognition_is_switched_off(
    api: Any, new_member: Callable[..., SignedInMember], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLINT_LABELS", "colours")
    get_settings.cache_clear()
    called: list[bytes] = []
    monkeypatch.setattr(rekognition, "detect_labels", lambda data, **_: called.append(data) or ["never"])
    upload_id = upload_image(api, new_member("prime"), jpeg_bytes(320, 240, RED))
    assert media_store.get_upload(upload_id).labels == ["red"]  # type: ignore[union-attr]
    assert called == []


@pytest.mark.parametrize("code", ["ThrottlingException", "AccessDeniedException"])
def test_a_rekognition_failure_never_fails_the_thumbnail(
    api: Any, new_member: Callable[..., SignedInMember], monkeypatch: pytest.MonkeyPatch, code: str
) -> None:
    def refuse(data: bytes, **_: Any) -> list[str]:
        raise ClientError({"Error": {"Code": code, "Message": "no"}}, "DetectLabels")

    monkeypatch.setattr(rekognition, "detect_labels", refuse)
    member = new_member("prime")
    upload_id = upload_image(api, member, jpeg_bytes(320, 240, RED))
    upload = media_store.get_upload(upload_id)
    assert upload is not None and upload.status == "ready"
    assert upload.labels == ["red"]
