"""The presigned POST policy (S3 enforces it; the emulator does not, so it is checked here), POST /uploads.

The policy tests decode the `policy` field exactly as S3 would read it; they need no emulator
(presigning is local). The route tests go through the app with a provisioned stack.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib import aws
from chalicelib.auth import Identity
from chalicelib.errors import TooLarge
from chalicelib.services import media
from chalicelib.settings import get_settings
from tests.conftest import SignedInMember
from tests.support.posts import error_of

MEMBER = Identity(user_id="member-1", groups=frozenset({"prime"}), display_name_hint="Ada")


@pytest.fixture
def offline_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Fake credentials, no endpoint, a 5 MB limit; upload records are captured instead of stored."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "FLINT_MAX_UPLOAD_BYTES": str(5 * 1024 * 1024),
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    aws.reset()
    stored: list[Any] = []
    monkeypatch.setattr(media.store, "create_upload", lambda upload, **when: stored.append((upload, when)))
    yield stored
    get_settings.cache_clear()
    aws.reset()


def _policy(fields: dict[str, str]) -> dict[str, Any]:
    return dict(json.loads(base64.b64decode(fields["policy"])))


def _conditions(policy: dict[str, Any]) -> list[Any]:
    return list(policy["conditions"])


# --- the conditions --------------------------------------------------------------------------------


def test_upload_conditions_pin_the_key_the_type_and_1_byte_to_the_limit() -> None:
    # When the conditions for one upload are built
    conditions = media.upload_conditions(key="uploads/m/up_1", content_type="image/png", max_bytes=1000)

    # Then they allow exactly that key and type, and between 1 and 1000 bytes
    assert conditions == [
        {"key": "uploads/m/up_1"},
        {"Content-Type": "image/png"},
        ["content-length-range", 1, 1000],
    ]


# --- the presigned POST create_upload hands out ------------------------------------------------------


@pytest.mark.parametrize("content_type", ["image/jpeg", "image/png", "image/webp"])
def test_the_presigned_post_pins_key_type_and_size_range(offline_aws: list[Any], content_type: str) -> None:
    # When a member asks to upload an image
    ticket = media.create_upload(MEMBER, content_type, 1234)

    # Then the signed policy allows only their upload's key, that type, and 1 byte to the limit
    conditions = _conditions(_policy(ticket.fields))
    key = f"uploads/{MEMBER.user_id}/{ticket.upload_id}"
    assert {"key": key} in conditions
    assert {"Content-Type": content_type} in conditions
    assert ["content-length-range", 1, 5 * 1024 * 1024] in conditions
    assert {"bucket": "flint-dev-uploads"} in conditions
    assert not [c for c in conditions if isinstance(c, list) and c[0] == "starts-with"]
    assert (ticket.fields["key"], ticket.fields["Content-Type"]) == (key, content_type)


def test_the_presigned_post_expires_in_ten_minutes(offline_aws: list[Any]) -> None:
    # When a ticket is issued
    before = datetime.now(UTC)
    ticket = media.create_upload(MEMBER, "image/jpeg", 1234)

    # Then the policy, and the ticket's expires_at, end about ten minutes later
    expiration = datetime.fromisoformat(_policy(ticket.fields)["expiration"].replace("Z", "+00:00"))
    assert timedelta(minutes=9, seconds=50) <= expiration - before <= timedelta(minutes=10, seconds=10)
    expires_at = datetime.fromisoformat(ticket.expires_at.replace("Z", "+00:00"))
    assert abs(expires_at - expiration) <= timedelta(seconds=2)


def test_the_presigned_post_targets_the_uploads_bucket_not_media(offline_aws: list[Any]) -> None:
    # When a ticket is issued
    ticket = media.create_upload(MEMBER, "image/jpeg", 1234)

    # Then the form posts to the uploads bucket
    assert "flint-dev-uploads" in ticket.url
    assert "flint-dev-media" not in ticket.url


def test_each_ticket_is_for_a_new_pending_upload(offline_aws: list[Any]) -> None:
    # When two tickets are issued for the same file
    first = media.create_upload(MEMBER, "image/jpeg", 1234)
    second = media.create_upload(MEMBER, "image/jpeg", 1234)

    # Then each names its own pending upload, recorded with its key and declared size
    assert first.upload_id != second.upload_id
    recorded = [upload for upload, _ in offline_aws]
    assert [u.upload_id for u in recorded] == [first.upload_id, second.upload_id]
    assert {(u.status, u.declared_size, u.owner_id) for u in recorded} == {("pending", 1234, MEMBER.user_id)}
    assert recorded[0].object_key == first.fields["key"]


def test_a_declared_size_over_the_limit_is_refused_before_anything_is_recorded(
    offline_aws: list[Any],
) -> None:
    # When a member declares one byte over the limit
    with pytest.raises(TooLarge):
        media.create_upload(MEMBER, "image/jpeg", 5 * 1024 * 1024 + 1)

    # Then no upload was recorded
    assert offline_aws == []


def test_a_declared_size_of_exactly_the_limit_is_accepted(offline_aws: list[Any]) -> None:
    # When a member declares exactly the limit
    ticket = media.create_upload(MEMBER, "image/jpeg", 5 * 1024 * 1024)

    # Then they get a ticket
    assert ticket.upload_id


# --- POST /uploads and GET /uploads/{id} ------------------------------------------------------------


def _request(api: Any, headers: dict[str, str], body: dict[str, Any]) -> Any:
    return api.http.post(
        "/uploads", body=json.dumps(body), headers={"Content-Type": "application/json", **headers}
    )


def test_a_member_without_prime_may_not_upload(api: Any, new_member: Callable[..., SignedInMember]) -> None:
    # Given a member without Prime
    member = new_member()

    # When they ask to upload
    response = _request(api, member.headers, {"content_type": "image/jpeg", "size": 1000})

    # Then Prime is required
    assert error_of(response) == (403, "prime_required")


def test_an_anonymous_caller_may_not_upload(api: Any) -> None:
    # When nobody signed in asks to upload
    response = _request(api, {}, {"content_type": "image/jpeg", "size": 1000})

    # Then they must sign in
    assert response.status_code == 401


def test_a_size_over_max_upload_bytes_is_413_too_large(
    api: Any, new_member: Callable[..., SignedInMember]
) -> None:
    # Given a Prime member
    member = new_member("prime")

    # When they declare one byte over the limit
    response = _request(
        api, member.headers, {"content_type": "image/jpeg", "size": get_settings().max_upload_bytes + 1}
    )

    # Then it is too large
    assert error_of(response) == (413, "too_large")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content_type": "image/gif", "size": 1000}, "content_type"),
        ({"content_type": "text/html", "size": 1000}, "content_type"),
        ({"content_type": "image/jpeg", "size": 0}, "size"),
        ({"content_type": "image/jpeg"}, "size"),
    ],
    ids=["gif", "html", "zero_size", "no_size"],
)
def test_an_unsupported_type_or_size_is_a_422_naming_the_field(
    api: Any, new_member: Callable[..., SignedInMember], body: dict[str, Any], field: str
) -> None:
    # Given a Prime member
    member = new_member("prime")

    # When they ask for an upload the API cannot accept
    response = _request(api, member.headers, body)

    # Then it is a validation error naming the field
    assert response.status_code == 422, response.body
    assert [d["field"] for d in json.loads(response.body)["error"]["details"]] == [field]


def test_another_member_may_not_read_an_upload(api: Any, new_member: Callable[..., SignedInMember]) -> None:
    # Given one member's upload
    owner, other = new_member("prime"), new_member("prime")
    ticket = json.loads(_request(api, owner.headers, {"content_type": "image/jpeg", "size": 1000}).body)

    # When another member reads it
    response = api.http.get(f"/uploads/{ticket['upload_id']}", headers=other.headers)

    # Then it is not theirs
    assert error_of(response) == (403, "not_owner")


def test_the_owner_reads_a_new_upload_as_pending(api: Any, new_member: Callable[..., SignedInMember]) -> None:
    # Given a member's new upload
    owner = new_member("prime")
    ticket = json.loads(_request(api, owner.headers, {"content_type": "image/png", "size": 1000}).body)

    # When they read it
    response = api.http.get(f"/uploads/{ticket['upload_id']}", headers=owner.headers)

    # Then it is pending, with nothing processed yet
    assert json.loads(response.body) == {
        "upload_id": ticket["upload_id"],
        "status": "pending",
        "reason": None,
        "width": None,
        "height": None,
        "thumbnails": {},
        "palette": [],
        "suggested_tags": [],
    }


def test_an_unknown_upload_is_404(api: Any, new_member: Callable[..., SignedInMember]) -> None:
    # When a member reads an upload that does not exist
    response = api.http.get("/uploads/up_nope", headers=new_member("prime").headers)

    # Then it is not found
    assert error_of(response) == (404, "not_found")
