"""The second adversarial review's requests (issue 21, findings 3, 5, 6, 7, 8, 9), replayed through the app.

Each test is what the reviewer sent, and what the contract says the answer is; docs/security.md
("Review round 3 findings") names the fix each one pins. Every test works on its own fresh ids,
so it passes on a table shared with other tests.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import boto3
import pytest
from botocore.exceptions import ClientError
from PIL import Image

from app import app
from chalicelib import caches, clock
from chalicelib.data import enthusiasts as enthusiast_store
from chalicelib.data import media as media_store
from chalicelib.services import enthusiasts
from chalicelib.settings import get_settings
from local.provision import ProvisionedStack
from local.seed import seed_interests
from tests import tokens
from tests.conftest import SignedInMember
from tests.support import community
from tests.support.posts import photo, post_body, published
from tests.support.uploads import post_to_s3, run_thumbnailer, send_upload, upload_image, upload_status

NewMember = Callable[..., SignedInMember]


def _body(response: Any) -> Any:
    return json.loads(response.body)


def _send(api: Any, method: str, path: str, payload: Any, headers: dict[str, str]) -> Any:
    return api.http.request(
        method,
        path,
        body=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", **headers},
    )


# --- finding 3: the identity provider's `name` claim goes through the display-name rules -------------


@pytest.mark.parametrize(
    "claimed",
    ["Priya\u202eemirP", "\u200b\u200c\u200d", "Alex\u200bTrail", "\u3164"],
    ids=["rtl-override", "zero-width-only", "zero-width-inside", "blank-filler"],
)
def test_a_name_claim_the_display_name_rules_refuse_never_reaches_the_profile(
    api: Any, stack: ProvisionedStack, claimed: str
) -> None:
    # Given an ID token whose `name` claim PATCH /me would refuse (Cognito stores any `name`; the
    # emulator puts none in its tokens, so the token is minted with the emulator's key)
    sub = str(uuid.uuid4())
    token = tokens.sign(
        tokens.claims(
            pool_id=stack.outputs["UserPoolId"],
            client_id=stack.outputs["UserPoolClientId"],
            sub=sub,
            name=claimed,
            email=f"{sub}@example.com",
        )
    )
    headers = {"Authorization": f"Bearer {token}"}
    # When the member first calls the API, and someone looks at their public profile
    me = _body(api.http.get("/me", headers=headers))
    profile = _body(api.http.get(f"/users/{sub}"))
    # Then the first profile has the safe default name, not the claim
    assert me["display_name"] == profile["display_name"] == f"member-{sub[:8]}"
    # And it is the same rule PATCH /me applies
    assert _send(api, "PATCH", "/me", {"display_name": claimed}, headers).status_code == 422


# --- finding 9: deleting comments does not spend the budget for writing them ---------------------------


@pytest.mark.usefixtures("steady_limit_windows")
def test_a_member_who_deletes_their_comment_may_still_comment(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a comment limit of 2 per window
    monkeypatch.setenv("FLINT_RATE_LIMITS", json.dumps({"comments": [2, 600]}))
    caches.reset()
    seed_interests()
    author, fan = new_member("prime"), new_member("prime")
    post = published(api, author, post_body("idea", body="A body."))
    path = f"/posts/{post['id']}/comments"
    # When a member comments, deletes the comment and comments again
    draft = _send(api, "POST", path, {"text": "draft"}, fan.headers)
    assert draft.status_code == 201
    assert api.http.delete(f"{path}/{_body(draft)['id']}", headers=fan.headers).status_code == 204
    final = _send(api, "POST", path, {"text": "final"}, fan.headers)
    # Then the second comment is taken: the delete spent nothing of the comment budget
    assert final.status_code == 201, final.body
    # And the budget still holds: a third comment in the window is refused
    third = _send(api, "POST", path, {"text": "one more"}, fan.headers)
    assert (third.status_code, _body(third)["error"]["code"]) == (429, "rate_limited")


# --- finding 7: strict types: no integer dates, no made-up currencies, no fractional limits -------------


@pytest.fixture
def brand_owner(api: Any, new_member: NewMember) -> tuple[SignedInMember, str, str]:
    """A brand account, its brand and one of its products: (owner, brand id, product id)."""
    owner = new_member("brand")
    brand = _send(api, "POST", "/brands", {"name": f"Review {uuid.uuid4().hex[:12]}"}, owner.headers)
    assert brand.status_code == 201, brand.body
    product = _send(
        api,
        "POST",
        f"/brands/{_body(brand)['id']}/products",
        {"title": "Trail tent", "price": {"amount": "199.00", "currency": "USD"}, "url": "https://x.test/t"},
        owner.headers,
    )
    assert product.status_code == 201, product.body
    return owner, _body(brand)["id"], _body(product)["id"]


def _details(response: Any) -> list[str]:
    assert response.status_code == 422, response.body
    assert _body(response)["error"]["code"] == "validation_error"
    return [d["field"] for d in _body(response)["error"]["details"]]


def test_a_campaign_day_given_as_a_unix_timestamp_is_422(api: Any, brand_owner: tuple[Any, str, str]) -> None:
    owner, brand_id, product_id = brand_owner
    campaign = {"name": "Spring", "product_ids": [product_id], "ends_at": "2025-01-20"}
    # 1735689600 is 2025-01-01T00:00:00Z: it used to be taken as that day
    refused = _send(
        api, "POST", f"/brands/{brand_id}/campaigns", campaign | {"starts_at": 1735689600}, owner.headers
    )
    assert _details(refused) == ["starts_at"]
    as_text = _send(
        api, "POST", f"/brands/{brand_id}/campaigns", campaign | {"starts_at": "1735689600"}, owner.headers
    )
    assert _details(as_text) == ["starts_at"]
    taken = _send(
        api, "POST", f"/brands/{brand_id}/campaigns", campaign | {"starts_at": "2025-01-01"}, owner.headers
    )
    assert taken.status_code == 201, taken.body


@pytest.mark.parametrize("currency", ["ZZZ", "XXX", "XTS", "XAU"])
def test_a_price_in_a_currency_iso_4217_does_not_list_in_circulation_is_422(
    api: Any, brand_owner: tuple[Any, str, str], currency: str
) -> None:
    owner, brand_id, _ = brand_owner
    product = {
        "title": "Stove",
        "price": {"amount": "19.99", "currency": currency},
        "url": "https://x.test/s",
    }
    assert _details(_send(api, "POST", f"/brands/{brand_id}/products", product, owner.headers)) == [
        "price.currency"
    ]


def _list_routes() -> list[str]:
    from chalicelib.api.routing import ROUTES

    return sorted(
        r.path
        for r in ROUTES
        if r.method == "GET" and r.query is not None and "limit" in r.query.model_fields
    )


@pytest.mark.parametrize("limit", ["20.0", "2e1", "+20", " 20", "twenty"])
def test_a_limit_that_is_not_written_in_digits_is_400_on_every_list_route(
    api: Any, new_member: NewMember, limit: str
) -> None:
    # Given a caller every route lets through to parameter parsing (the ids need not exist: the
    # query is parsed before anything is read)
    caller = new_member("prime", "brand", "moderator")
    routes = _list_routes()
    assert {"/products", "/feed", "/posts/{post_id}/comments", "/brands/{brand_id}/campaigns"} <= set(routes)
    for path in routes:
        concrete = re.sub(r"\{[a-z_]+\}", "x1", path)
        # When a list is asked for with that limit
        response = api.http.get(f"{concrete}?limit={quote(limit)}", headers=caller.headers)
        # Then it is a 400 naming the parameter, not a page of 20
        assert response.status_code == 400, (path, response.body)
        error = _body(response)["error"]
        assert (error["code"], [d["field"] for d in error["details"]]) == ("bad_parameter", ["limit"]), path


# --- finding 5: an author's smile on their own post earns them nothing ---------------------------------


def test_an_authors_own_smile_shows_on_the_post_but_earns_no_badge(
    api: Any, new_member: NewMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given badges for anyone with a single smile in the window, among many holders
    monkeypatch.setenv("FLINT_ENTHUSIAST_MIN_SMILES", "1")
    monkeypatch.setenv("FLINT_ENTHUSIAST_TOP_PER_INTEREST", "100000")
    caches.reset()
    seed_interests()
    author, other = new_member("prime"), new_member("prime")
    post = community.publish(api, author, interests=["hiking"])
    # When the author smiles at their own post
    smiled = community.smile(api, author, post["id"])
    # Then the smile shows on the post like anyone's (the contract's smile_count counts members)
    assert smiled == {"smiled": True, "smile_count": 1}
    shown = community.post_of(api, post["id"], author)
    assert (shown["smile_count"], shown["smiled_by_me"]) == (1, True)
    # But it counts nowhere a badge is ranked: not in the profile, not in the daily score
    assert community.counts(api, author.user_id)["smiles_received"] == 0
    today = clock.now_iso()[:10]
    assert author.user_id not in enthusiast_store.window_scores("hiking", today, today)
    enthusiasts.run(now=clock.now())
    assert community.profile(api, author.user_id)["badges"] == []

    # When another member smiles too, and the author takes their own smile back
    community.smile(api, other, post["id"])
    assert community.unsmile(api, author, post["id"]) == {"smiled": False, "smile_count": 1}
    # Then only the other member's smile is credited, and it earns the badge
    assert community.counts(api, author.user_id)["smiles_received"] == 1
    assert enthusiast_store.window_scores("hiking", today, today)[author.user_id] == 1
    enthusiasts.run(now=clock.now())
    assert community.profile(api, author.user_id)["badges"] == ["enthusiast"]


def test_deleting_a_post_takes_back_only_the_smiles_its_author_was_credited_with(
    api: Any, new_member: NewMember
) -> None:
    seed_interests()
    author, other = new_member("prime"), new_member("prime")
    kept, deleted = (community.publish(api, author, interests=["hiking"]) for _ in range(2))
    community.smile(api, other, kept["id"])
    community.smile(api, author, deleted["id"])
    community.smile(api, other, deleted["id"])
    assert community.counts(api, author.user_id)["smiles_received"] == 2
    # When the post with the author's own smile is deleted
    assert api.http.delete(f"/posts/{deleted['id']}", headers=author.headers).status_code == 204
    # Then the author keeps exactly the credit of the post that is left
    assert community.counts(api, author.user_id)["smiles_received"] == 1
    today = clock.now_iso()[:10]
    assert enthusiast_store.window_scores("hiking", today, today)[author.user_id] == 1


# --- finding 6: tall images are refused, renditions are height-capped ------------------------------------


def _jpeg(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (width, height), 128).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


@pytest.mark.parametrize("size", [(600, 65_000), (300, 30_000)], ids=["600x65000", "300x30000"])
def test_a_strip_of_an_image_is_rejected_with_its_reason(
    api: Any, new_member: NewMember, size: tuple[int, int]
) -> None:
    # Given the reviewer's JPEG, sent through the presigned POST
    author = new_member("prime")
    upload_id = upload_image(api, author, _jpeg(*size))
    # Then the thumbnailer refuses it, saying why, and made no rendition
    status = upload_status(api, author, upload_id)
    assert (status["status"], status["reason"], status["thumbnails"]) == (
        "rejected",
        "extreme_aspect_ratio",
        {},
    )


def test_a_tall_photo_within_the_limit_gets_height_capped_renditions(api: Any, new_member: NewMember) -> None:
    author = new_member("prime")
    status = upload_status(api, author, upload_image(api, author, _jpeg(500, 1750)))
    assert status["status"] == "ready", status
    sizes = {name: (r["width"], r["height"]) for name, r in status["thumbnails"].items()}
    assert sizes == {"small": (183, 640), "medium": (366, 1280), "large": (500, 1750)}


# --- finding 8: a replayed presigned POST cannot replace an original once the upload is ready -----------


def _object(bucket: str, key: str) -> bytes | None:
    try:
        return bytes(
            boto3.client("s3", region_name="us-east-1").get_object(Bucket=bucket, Key=key)["Body"].read()
        )
    except ClientError:
        return None


def _photo_bytes(upload_id: str) -> dict[str, bytes | None]:
    """Everything a published photo is made of: its kept original and each rendition's bytes."""
    settings = get_settings()
    upload = media_store.get_upload(upload_id)
    assert upload is not None and upload.original_key is not None
    stored = {"original": _object(settings.uploads_bucket, upload.original_key)}
    for rendition in upload.renditions:
        stored[rendition.name] = _object(settings.media_bucket, rendition.key)
    return stored


def _coloured_jpeg(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def test_a_replayed_upload_post_leaves_the_published_photo_byte_for_byte_unchanged(
    api: Any, new_member: NewMember
) -> None:
    # Given a photo uploaded through its presigned POST, made ready and published
    seed_interests()
    author = new_member("prime")
    screened = _coloured_jpeg((900, 600), (200, 60, 40))
    ticket = send_upload(api, author, screened)
    run_thumbnailer(app)
    upload_id = ticket["upload_id"]
    post = published(api, author, post_body("photo", [photo(upload_id)]))
    before = _photo_bytes(upload_id)
    record_before = media_store.get_upload(upload_id)
    page_before = _body(api.http.get(f"/posts/{post['id']}"))
    assert before["original"] == screened

    # When the same presigned POST is replayed with another file, and S3's event is delivered
    replacement = _coloured_jpeg((600, 900), (20, 40, 220))
    post_to_s3(ticket, replacement)
    run_thumbnailer(app)

    # Then the original, every rendition, the record and the post are exactly as before
    assert _photo_bytes(upload_id) == before
    assert media_store.get_upload(upload_id) == record_before
    assert _body(api.http.get(f"/posts/{post['id']}")) == page_before


def test_a_replay_before_the_thumbnailer_runs_keeps_one_consistent_photo(
    api: Any, new_member: NewMember
) -> None:
    # Given an upload POSTed twice with different files before the thumbnailer ran
    author = new_member("prime")
    first, second = _coloured_jpeg((900, 600), (200, 60, 40)), _coloured_jpeg((600, 900), (20, 40, 220))
    ticket = send_upload(api, author, first)
    post_to_s3(ticket, second)
    # When both S3 events are delivered
    run_thumbnailer(app)
    # Then the upload names one original, holding exactly the bytes its size and digest describe
    upload = media_store.get_upload(ticket["upload_id"])
    assert upload is not None and upload.status == "ready" and upload.original_key is not None
    kept = _object(get_settings().uploads_bucket, upload.original_key)
    assert kept in (first, second)
    assert upload.original_key.endswith(hashlib.sha256(kept).hexdigest())
    assert (upload.width, upload.height) == Image.open(io.BytesIO(kept)).size
    # And no other copy was left behind
    listed = boto3.client("s3", region_name="us-east-1").list_objects_v2(
        Bucket=get_settings().uploads_bucket, Prefix=upload.original_key.rsplit("/", 1)[0] + "/"
    )
    assert [o["Key"] for o in listed.get("Contents", [])] == [upload.original_key]
