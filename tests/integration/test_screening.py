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
from chalicelib.data import rekognition, users
from chalicelib.settings import get_settings
from local.moderation_stand_in import marked_jpeg
from local.seed import seed_interests
from tests.conftest import SignedInMember
from tests.support.community import assert_error, call, ok
from tests.support.safety import acted, case_of, target
from tests.support.thumbnail_queue import MEDIA_BUCKET, UPLOADS_BUCKET, media_objects, object_exists
from tests.support.uploads import jpeg_bytes, upload_image, upload_images, upload_status

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
    assert len(_held_keys(upload_id)) == 9  # 3 sizes, JPEG, WebP and AVIF
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
    assert _held_keys(upload_id) == [] and len(_public_keys(upload_id)) == 9
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


# --- trust: members with a clean record are screened on a sample ------------------------------


def _trusted(api: Any, member: SignedInMember) -> None:
    """Give the member the clean record the trust rule asks for (as that many screened photos would)."""
    ok(call(api, "GET", "/me", member), 200)  # the profile exists once the member is seen
    for _ in range(get_settings().screening_trusted_after):
        users.count_screened_clean(member.user_id)


def _never_drawn(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """A sample so sparse no upload is drawn, and a record of what Rekognition was asked."""
    monkeypatch.setenv("FLINT_SCREENING_TRUSTED_SAMPLE", str(2**62))
    get_settings.cache_clear()
    asked: list[bytes] = []
    real = rekognition.detect_moderation_labels
    monkeypatch.setattr(
        rekognition, "detect_moderation_labels", lambda data, **kw: asked.append(data) or real(data, **kw)
    )
    return asked


def test_a_new_members_uploads_are_all_screened_and_build_their_record(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = _never_drawn(monkeypatch)
    member = new_member("prime")
    upload_ids = upload_images(api, member, [jpeg_bytes(320, 240, (i * 40, 90, 60)) for i in range(3)])
    assert [upload_status(api, member, u)["status"] for u in upload_ids] == ["ready"] * 3
    assert len(asked) == 3
    assert users.screened_clean(member.user_id) == 3


def test_a_trusted_members_upload_outside_the_sample_is_not_screened(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The accepted risk, shown: a trusted member's photo outside the sample goes public unscreened
    # (reports and moderators remain the safety net)
    asked = _never_drawn(monkeypatch)
    member = new_member("prime")
    _trusted(api, member)
    upload_id = upload_image(api, member, marked_jpeg("explicit-nudity"))
    assert upload_status(api, member, upload_id)["status"] == "ready"
    assert asked == []
    assert users.screened_clean(member.user_id) == get_settings().screening_trusted_after


def test_a_held_photo_is_a_strike_that_ends_the_trust(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = _never_drawn(monkeypatch)
    member = new_member("prime")
    upload_image(api, member, jpeg_bytes(320, 240))
    assert users.screened_clean(member.user_id) == 1
    held = upload_image(api, member, marked_jpeg("violence"))
    assert upload_status(api, member, held)["status"] == "held"
    assert users.screened_clean(member.user_id) == 0
    assert len(asked) == 2


def test_screening_that_cannot_answer_is_no_strike(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    member = new_member("prime")
    ok(call(api, "GET", "/me", member), 200)
    users.count_screened_clean(member.user_id)

    def refuse(data: bytes, **_: Any) -> list[tuple[str, str]]:
        raise ClientError(
            {"Error": {"Code": "ThrottlingException", "Message": "no"}}, "DetectModerationLabels"
        )

    monkeypatch.setattr(rekognition, "detect_moderation_labels", refuse)
    upload_id = upload_image(api, member, jpeg_bytes(320, 240))
    assert upload_status(api, member, upload_id)["reason"] == "screening_unavailable"
    assert users.screened_clean(member.user_id) == 1


def test_a_moderator_hiding_a_trusted_members_post_makes_their_uploads_screened_again(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_interests()
    asked = _never_drawn(monkeypatch)
    member, moderator = new_member("prime"), new_member("moderator")
    _trusted(api, member)
    upload_id = upload_image(api, member, jpeg_bytes(320, 240))
    assert asked == []
    post = ok(call(api, "POST", "/posts", member, _photo_post(upload_id)), 201)
    # When a moderator upholds a report against it
    assert acted(api, moderator, "hide", target("post", post["id"]))["changed"] is True
    # Then the record is gone: the member's next upload is screened, and a flagged one is held
    assert users.screened_clean(member.user_id) == 0
    next_upload = upload_image(api, member, marked_jpeg("explicit-nudity"))
    assert upload_status(api, member, next_upload)["status"] == "held"
    assert len(asked) == 1
