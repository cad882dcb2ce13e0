"""Editing one's profile: display name, bio, avatar (through the upload pipeline) and interests."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.data import media as media_store
from local.moderation_stand_in import marked_jpeg
from local.seed import seed_interests
from tests.conftest import SignedInMember
from tests.dynamo_counter import count_dynamodb_calls
from tests.support.community import assert_error, call, ok, publish
from tests.support.thumbnail_queue import media_objects
from tests.support.uploads import jpeg_bytes, post_to_s3, run_thumbnailer, upload_image, upload_status

NewMember = Callable[..., SignedInMember]
INTERESTS = ["hiking", "camping", "coffee", "cooking", "photography"]


@pytest.fixture
def member(api: Any, new_member: NewMember) -> SignedInMember:
    seed_interests()
    found = new_member()  # no Prime needed to edit one's profile
    ok(call(api, "GET", "/me", found))
    return found


def _avatar(api: Any, member: SignedInMember, data: bytes) -> str:
    """POST /me/avatar, send the photo, run the thumbnailer; returns the upload id."""
    from app import app

    ticket = ok(
        call(api, "POST", "/me/avatar", member, {"content_type": "image/jpeg", "size": len(data)}), 201
    )
    post_to_s3(ticket, data)
    run_thumbnailer(app)
    return str(ticket["upload_id"])


def test_a_member_sets_an_avatar_that_shows_on_their_profile_and_posts(
    api: Any, member: SignedInMember, new_member: NewMember
) -> None:
    # Given a member (not Prime) who uploads an avatar through the same pipeline as posts
    upload_id = _avatar(api, member, jpeg_bytes(800, 800))
    assert upload_status(api, member, upload_id)["status"] == "ready"
    # When they make it their avatar
    me = ok(call(api, "PATCH", "/me", member, {"avatar_upload_id": upload_id}))
    # Then the profile carries its thumbnails, for everyone
    assert set(me["avatar"]) == {"small", "medium", "large"}
    public = ok(call(api, "GET", f"/users/{member.user_id}"))
    assert public["avatar"] == me["avatar"]
    # And once Prime, their posts' author carries the smallest one
    prime = new_member("prime")
    ok(call(api, "GET", "/me", prime))
    prime_avatar = _avatar(api, prime, jpeg_bytes(400, 400))
    ok(call(api, "PATCH", "/me", prime, {"avatar_upload_id": prime_avatar}))
    post = publish(api, prime)
    small = ok(call(api, "GET", f"/users/{prime.user_id}"))["avatar"]["small"]["url"]
    assert post["author"]["avatar_url"] == small
    assert ok(call(api, "GET", f"/posts/{post['id']}"))["author"]["avatar_url"] == small


def test_replacing_the_avatar_removes_the_old_images_and_null_removes_it(
    api: Any, member: SignedInMember
) -> None:
    first = _avatar(api, member, jpeg_bytes(300, 300))
    ok(call(api, "PATCH", "/me", member, {"avatar_upload_id": first}))
    second = _avatar(api, member, jpeg_bytes(320, 320, (10, 200, 10)))
    me = ok(call(api, "PATCH", "/me", member, {"avatar_upload_id": second}))
    assert second in me["avatar"]["small"]["url"]
    assert not [k for k in media_objects() if k.startswith(f"media/{first}/")]
    assert media_store.get_upload(first) is None
    cleared = ok(call(api, "PATCH", "/me", member, {"avatar_upload_id": None}))
    assert cleared["avatar"] is None
    # Leaving the field out keeps whatever there is
    assert ok(call(api, "PATCH", "/me", member, {"bio": "Hi"}))["avatar"] is None


def test_an_avatar_must_be_your_own_ready_unused_upload(
    api: Any, member: SignedInMember, new_member: NewMember
) -> None:
    seed_interests()
    other = new_member("prime")
    ok(call(api, "GET", "/me", other))
    theirs = _avatar(api, other, jpeg_bytes(200, 200))
    assert_error(call(api, "PATCH", "/me", member, {"avatar_upload_id": theirs}), 403, "not_owner")
    error = assert_error(
        call(api, "PATCH", "/me", member, {"avatar_upload_id": "up_missing"}), 422, "validation_error"
    )
    assert error["details"][0]["field"] == "avatar_upload_id"
    pending = ok(call(api, "POST", "/me/avatar", member, {"content_type": "image/jpeg", "size": 100}), 201)
    assert_error(
        call(api, "PATCH", "/me", member, {"avatar_upload_id": pending["upload_id"]}), 409, "upload_not_ready"
    )
    # A photo already in a post cannot become an avatar, nor an avatar go into a post
    in_post = upload_image(api, other, jpeg_bytes(200, 200, (1, 2, 3)))
    photo = {"kind": "photo", "caption": "c", "interests": ["hiking"], "photos": [{"upload_id": in_post}]}
    ok(call(api, "POST", "/posts", other, photo), 201)
    assert_error(call(api, "PATCH", "/me", other, {"avatar_upload_id": in_post}), 409, "upload_already_used")
    ok(call(api, "PATCH", "/me", other, {"avatar_upload_id": theirs}))
    reuse = {**photo, "photos": [{"upload_id": theirs}]}
    assert_error(call(api, "POST", "/posts", other, reuse), 409, "upload_already_used")


def test_a_held_photo_cannot_become_an_avatar(api: Any, member: SignedInMember) -> None:
    held = _avatar(api, member, marked_jpeg("explicit-nudity"))
    assert upload_status(api, member, held)["status"] == "held"
    assert_error(call(api, "PATCH", "/me", member, {"avatar_upload_id": held}), 409, "upload_not_ready")


def test_name_bio_and_interests_change_in_one_patch(api: Any, member: SignedInMember) -> None:
    me = ok(
        call(
            api, "PATCH", "/me", member, {"display_name": "Ada Lake", "bio": "Bakes.", "interests": INTERESTS}
        )
    )
    assert (me["display_name"], me["bio"], me["interests"], me["onboarded"]) == (
        "Ada Lake",
        "Bakes.",
        INTERESTS,
        True,
    )
    assert ok(call(api, "GET", "/me", member)) == me


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"interests": ["hiking"]}, "interests"),
        ({"interests": [*INTERESTS[:4], "not-an-interest"]}, "interests.4"),
        ({"avatar_upload_id": "bad id!"}, "avatar_upload_id"),
        ({"display_name": "\u200b"}, "display_name"),
    ],
)
def test_bad_profile_changes_are_422_naming_the_field(
    api: Any, member: SignedInMember, patch: dict[str, Any], field: str
) -> None:
    error = assert_error(call(api, "PATCH", "/me", member, patch), 422, "validation_error")
    assert field in [d["field"] for d in error["details"]]


def test_an_avatar_upload_needs_a_member_and_keeps_the_upload_rules(api: Any, member: SignedInMember) -> None:
    assert (
        call(api, "POST", "/me/avatar", None, {"content_type": "image/jpeg", "size": 10}).status_code == 401
    )
    too_big = {"content_type": "image/jpeg", "size": 10**9}
    assert_error(call(api, "POST", "/me/avatar", member, too_big), 413, "too_large")
    gif = {"content_type": "image/gif", "size": 10}
    assert_error(call(api, "POST", "/me/avatar", member, gif), 422, "validation_error")


def test_a_profile_edit_costs_two_requests_a_rename_included(
    api: Any, member: SignedInMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cost(patch: dict[str, Any]) -> dict[str, int]:
        with count_dynamodb_calls(monkeypatch) as calls:
            ok(call(api, "PATCH", "/me", member, patch))
        calls["UpdateItem"] -= 1  # the abuse limit's unit
        return {k: v for k, v in calls.items() if v}

    assert cost({"bio": "Quiet."}) == {"GetItem": 1, "TransactWriteItems": 1}
    assert cost({"display_name": "New Name"}) == {"GetItem": 1, "TransactWriteItems": 1}
    assert json.dumps(cost({})) == json.dumps({"GetItem": 1})
