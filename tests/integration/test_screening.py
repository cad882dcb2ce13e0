"""Explicit-image screening: a flagged photo is held for review, never published, until a moderator
decides. The embedded AWS answers DetectModerationLabels with local/moderation_stand_in.py (moto
does not implement it), so these run the thumbnailer's real code path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from chalicelib.data import media as media_store
from chalicelib.data import rekognition
from chalicelib.settings import get_settings
from local.moderation_stand_in import marked_jpeg
from local.seed import seed_interests
from tests.conftest import SignedInMember
from tests.support.community import assert_error, call, ok
from tests.support.safety import acted, case_of, target
from tests.support.thumbnail_queue import MEDIA_BUCKET, UPLOADS_BUCKET, media_objects, object_exists
from tests.support.uploads import jpeg_bytes, upload_image, upload_status

NewMember = Callable[..., SignedInMember]


def _photo_post(upload_id: str) -> dict[str, Any]:
    return {
        "kind": "photo",
        "caption": "Held?",
        "interests": ["hiking"],
        "photos": [{"upload_id": upload_id}],
    }


def _held_keys(upload_id: str) -> list[str]:
    return [k for k in media_objects() if k.startswith(f"held/{upload_id}/")]


def _public_keys(upload_id: str) -> list[str]:
    return [k for k in media_objects() if k.startswith(f"media/{upload_id}/")]


def test_a_flagged_photo_is_held_with_its_reason_and_shows_no_thumbnails(
    api: Any, new_member: NewMember
) -> None:
    # Given a Prime member uploading a photo the screening flags
    seed_interests()
    member = new_member("prime")
    upload_id = upload_image(api, member, marked_jpeg("explicit-nudity"))
    # Then the upload is held, with the category as its reason, and its owner sees no thumbnails
    status = upload_status(api, member, upload_id)
    assert status["status"] == "held"
    assert status["reason"] == "explicit_nudity"
    assert status["thumbnails"] == {}
    # And its thumbnails exist only under held/, which the site's CDN does not serve
    assert len(_held_keys(upload_id)) == 6  # 3 sizes, JPEG and WebP
    assert _public_keys(upload_id) == []
    # And it cannot be published
    assert_error(call(api, "POST", "/posts", member, _photo_post(upload_id)), 409, "upload_not_ready")


def test_a_held_photo_waits_in_the_queue_with_a_preview_only_moderators_can_open(
    api: Any, new_member: NewMember
) -> None:
    member, moderator = new_member("prime"), new_member("moderator")
    upload_id = upload_image(api, member, marked_jpeg("violence"))
    case = case_of(api, moderator, "upload", upload_id)
    assert case is not None
    assert case["source"] == "screening"
    assert case["reasons"] == ["violence"]
    assert case["state"] == "held"
    assert case["author"]["id"] == member.user_id
    # The preview is a short-lived URL to the held thumbnail
    preview = case["upload"]["thumbnails"]["small"]["url"]
    assert "/held/" in preview
    assert requests.get(preview, timeout=10).status_code == 200


def test_approving_a_held_photo_publishes_its_thumbnails_and_lets_it_be_posted(
    api: Any, new_member: NewMember
) -> None:
    seed_interests()
    member, moderator = new_member("prime"), new_member("moderator")
    upload_id = upload_image(api, member, marked_jpeg("explicit-nudity"))
    # When a moderator approves it
    result = acted(api, moderator, "approve", target("upload", upload_id))
    # Then it is ready, its thumbnails moved to media/, the case left the queue, the audit has it
    assert result["changed"] is True and result["state"] == "ready"
    assert result["audit"]["action"] == "approve"
    status = upload_status(api, member, upload_id)
    assert status["status"] == "ready" and status["reason"] is None
    assert set(status["thumbnails"]) == {"small", "medium", "large"}
    assert all(f"/media/{upload_id}/" in t["url"] for t in status["thumbnails"].values())
    assert _held_keys(upload_id) == [] and len(_public_keys(upload_id)) == 6
    assert case_of(api, moderator, "upload", upload_id) is None
    post = ok(call(api, "POST", "/posts", member, _photo_post(upload_id)), 201)
    assert post["photos"][0]["thumbnails"]["small"]["url"] == status["thumbnails"]["small"]["url"]
    # Approving again changes nothing and records nothing
    again = acted(api, moderator, "approve", target("upload", upload_id))
    assert again["changed"] is False and again["audit"] is None


def test_rejecting_a_held_photo_removes_it_for_good(api: Any, new_member: NewMember) -> None:
    member, moderator = new_member("prime"), new_member("moderator")
    upload_id = upload_image(api, member, marked_jpeg("hate-symbols"))
    upload = media_store.get_upload(upload_id)
    assert upload is not None
    result = acted(
        api,
        moderator,
        "reject",
        target("upload", upload_id),
    )
    assert result["changed"] is True and result["state"] == "rejected"
    status = upload_status(api, member, upload_id)
    assert (status["status"], status["reason"]) == ("rejected", "refused_in_review")
    assert _held_keys(upload_id) == [] and _public_keys(upload_id) == []
    assert not object_exists(UPLOADS_BUCKET, upload.object_key)


def test_a_clean_photo_is_published_at_once(api: Any, new_member: NewMember) -> None:
    member = new_member("prime")
    upload_id = upload_image(api, member, jpeg_bytes(320, 240))
    assert upload_status(api, member, upload_id)["status"] == "ready"
    assert _held_keys(upload_id) == []
    assert object_exists(MEDIA_BUCKET, f"media/{upload_id}/small.jpg")


def test_a_mild_category_is_not_held(api: Any, new_member: NewMember) -> None:
    # "Suggestive" is not among the held categories (FLINT_SCREENING_HOLD)
    member = new_member("prime")
    upload_id = upload_image(api, member, marked_jpeg("suggestive"))
    assert upload_status(api, member, upload_id)["status"] == "ready"


@pytest.mark.parametrize("code", ["ThrottlingException", "AccessDeniedException"])
def test_when_screening_cannot_answer_the_photo_is_held_for_a_person(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch, code: str
) -> None:
    def refuse(data: bytes, **_: Any) -> list[tuple[str, str]]:
        raise ClientError({"Error": {"Code": code, "Message": "no"}}, "DetectModerationLabels")

    monkeypatch.setattr(rekognition, "detect_moderation_labels", refuse)
    member = new_member("prime")
    upload_id = upload_image(api, member, jpeg_bytes(320, 240))
    status = upload_status(api, member, upload_id)
    assert (status["status"], status["reason"]) == ("held", "screening_unavailable")


def test_screening_switched_off_asks_nothing(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLINT_SCREENING", "off")
    get_settings.cache_clear()
    called: list[bytes] = []
    monkeypatch.setattr(rekognition, "detect_moderation_labels", lambda data, **_: called.append(data) or [])
    member = new_member("prime")
    upload_id = upload_image(api, member, marked_jpeg("explicit-nudity"))
    assert upload_status(api, member, upload_id)["status"] == "ready"
    assert called == []
