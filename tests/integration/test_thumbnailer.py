"""The thumbnail worker, fed real SQS event shapes: S3 notifications through the queue, or invoked directly.

Uploads go through the presigned POST exactly as a browser sends them; the emulator's S3 then
puts its notification on the thumbnail queue, and the worker is driven either by the local event
runner (receive, invoke, delete, redrive: what Lambda's poller does) or by invoking the handler
with an SQS event built from notification bodies S3 really sent.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from app import app
from chalicelib.handlers.thumbnails import IDEMPOTENCY_PARTITION
from chalicelib.settings import get_settings
from tests.conftest import SignedInMember
from tests.support import images
from tests.support.aws_calls import record_api_calls
from tests.support.thumbnail_queue import (
    DEAD_LETTER_QUEUE,
    MEDIA_BUCKET,
    UPLOADS_BUCKET,
    failed_ids,
    invoke_worker,
    max_receive_count,
    media_objects,
    notification_for,
    object_created,
    object_exists,
    own_thumbnail_queue,
    peek_bodies,
    s3,
    s3_test_event,
    send_bodies,
    set_visibility_timeout,
    take_bodies,
)
from tests.support.uploads import (
    post_to_s3,
    request_upload,
    run_thumbnailer,
    send_upload,
    thumbnail_runner,
    upload_status,
)

SIZES = ("small", "medium", "large")
YEAR_SECONDS = "max-age=31536000"


@pytest.fixture(autouse=True)
def _own_queue(stack: Any) -> Iterator[None]:
    """The session's thumbnail queue, emptied of earlier tests' notifications: these tests count
    deliveries and dead letters. Its visibility timeout is put back afterwards."""
    with own_thumbnail_queue():
        yield


@pytest.fixture
def media_before(stack: Any) -> dict[str, dict[str, Any]]:
    """The media bucket as the test starts (shared with the session): what the test writes is the rest."""
    return media_objects()


@pytest.fixture
def idempotency_before(stack: Any) -> set[tuple[str, str]]:
    """The worker's idempotency records as the test starts: the test forgets only its own."""
    return _idempotency_keys()


@pytest.fixture
def prime(new_member: Callable[..., SignedInMember]) -> SignedInMember:
    return new_member("prime")


def _processed(api: Any, member: SignedInMember, data: bytes, content_type: str = "image/jpeg") -> str:
    """Upload through the presigned POST, let the worker drain the queue; returns the upload id."""
    ticket = send_upload(api, member, data, content_type)
    run_thumbnailer(app)
    return str(ticket["upload_id"])


def _captured(
    api: Any, member: SignedInMember, data: bytes, content_type: str = "image/jpeg"
) -> tuple[str, str]:
    """Upload, then take S3's notification off the queue unprocessed: (upload id, notification body)."""
    ticket = send_upload(api, member, data, content_type)
    body = notification_for(take_bodies(), ticket["fields"]["key"])
    return str(ticket["upload_id"]), body


def _table() -> Any:
    return boto3.resource("dynamodb", region_name="us-east-1").Table(get_settings().table_name)


def _idempotency_keys() -> set[tuple[str, str]]:
    """(PK, SK) of every idempotency record of the worker: its one partition, page by page (not a
    Scan of the session's whole table, which grows with every test before this one)."""
    found: set[tuple[str, str]] = set()
    query: dict[str, Any] = {"KeyConditionExpression": Key("PK").eq(IDEMPOTENCY_PARTITION)}
    while True:
        page = _table().query(**query)
        found |= {(item["PK"], item["SK"]) for item in page["Items"]}
        if "LastEvaluatedKey" not in page:
            return found
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _forget_idempotency_records(before: set[tuple[str, str]]) -> None:
    """What 24 hours do: the worker's idempotency records (those this test made) expire."""
    keys = _idempotency_keys() - before
    assert keys, "expected the worker to have recorded its work"
    for pk, sk in keys:
        _table().delete_item(Key={"PK": pk, "SK": sk})


# --- the corpus, through the whole path -------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    make: Callable[[], bytes]
    content_type: str
    status: str
    reason: str | None = None


CORPUS = {
    "jpeg": Case(lambda: images.jpeg(500, 300), "image/jpeg", "ready"),
    "png_with_alpha": Case(images.png_with_alpha, "image/png", "ready"),
    "cmyk_jpeg": Case(images.cmyk_jpeg, "image/jpeg", "ready"),
    "truncated_jpeg": Case(images.truncated_jpeg, "image/jpeg", "rejected", "corrupt"),
    "html_as_jpeg": Case(lambda: images.HTML, "image/jpeg", "rejected", "not_an_image"),
    "zero_bytes": Case(lambda: b"", "image/jpeg", "rejected", "empty"),
    "pixel_bomb": Case(
        lambda: images.jpeg_declaring(20000, 20000), "image/jpeg", "rejected", "too_many_pixels"
    ),
}


def test_each_file_of_a_mixed_corpus_ends_ready_or_rejected_with_its_own_reason(
    api: Any, prime: SignedInMember
) -> None:
    # Given every corpus file uploaded through the presigned POST, its notification queued
    tickets = {name: send_upload(api, prime, case.make(), case.content_type) for name, case in CORPUS.items()}

    # When the worker drains the queue (one batch of notifications)
    run_thumbnailer(app)

    # Then each upload is final with its expected outcome; only the ready ones have thumbnails
    outcomes = {}
    for name, ticket in tickets.items():
        upload = upload_status(api, prime, ticket["upload_id"])
        outcomes[name] = (
            upload["status"],
            upload["reason"],
            sorted(upload["thumbnails"]),
            bool(upload["palette"]),
        )
    assert outcomes == {
        name: (
            case.status,
            case.reason,
            sorted(SIZES) if case.status == "ready" else [],
            case.status == "ready",
        )
        for name, case in CORPUS.items()
    }


def test_a_500_px_jpeg_gets_500_px_medium_and_large_renditions_never_upscaled(
    api: Any, prime: SignedInMember
) -> None:
    # Given a 500x300 JPEG
    upload_id = _processed(api, prime, images.jpeg(500, 300))

    # When its status is read
    upload = upload_status(api, prime, upload_id)

    # Then small is scaled down and nothing is scaled up, in the response and in the stored files
    sizes = {name: (r["width"], r["height"]) for name, r in upload["thumbnails"].items()}
    assert sizes == {"small": (320, 192), "medium": (500, 300), "large": (500, 300)}
    assert (upload["width"], upload["height"]) == (500, 300)
    for name, (width, height) in sizes.items():
        stored = s3().get_object(Bucket=MEDIA_BUCKET, Key=f"media/{upload_id}/{name}.jpg")
        assert stored["ContentType"] == "image/jpeg"
        assert images.open_image(stored["Body"].read()).size == (width, height)


def test_a_png_with_transparency_gets_webp_renditions_that_keep_it(api: Any, prime: SignedInMember) -> None:
    # Given a PNG whose top-left corner is transparent
    upload_id = _processed(api, prime, images.png_with_alpha(400, 300), "image/png")

    # When its renditions are read back from the media bucket
    stored = s3().get_object(Bucket=MEDIA_BUCKET, Key=f"media/{upload_id}/large.webp")
    rendition = images.open_image(stored["Body"].read())

    # Then they are WebP with the transparency intact
    assert stored["ContentType"] == "image/webp"
    assert rendition.format == "WEBP"
    assert rendition.mode == "RGBA"
    assert rendition.getpixel((5, 5))[3] == 0
    assert upload_status(api, prime, upload_id)["thumbnails"]["large"]["url"].endswith("/large.webp")


def test_a_cmyk_jpeg_gets_rgb_jpeg_renditions(api: Any, prime: SignedInMember) -> None:
    # Given a CMYK JPEG
    upload_id = _processed(api, prime, images.cmyk_jpeg(400, 300))

    # When its large rendition is read back
    stored = s3().get_object(Bucket=MEDIA_BUCKET, Key=f"media/{upload_id}/large.jpg")

    # Then it is an RGB JPEG
    assert images.open_image(stored["Body"].read()).mode == "RGB"


def test_zero_bytes_pass_the_emulators_presigned_post_and_the_worker_rejects_them_as_empty(
    api: Any, prime: SignedInMember
) -> None:
    # Given a ticket whose policy demands at least 1 byte
    ticket = request_upload(api, prime, "image/jpeg", size=1)

    # When the client posts an empty file (real S3 refuses it: EntityTooSmall; the emulator stores it)
    stored = post_to_s3(ticket, b"")
    run_thumbnailer(app)

    # Then the worker rejects it and removes the empty original
    assert stored.status_code == 204
    upload = upload_status(api, prime, ticket["upload_id"])
    assert (upload["status"], upload["reason"]) == ("rejected", "empty")
    assert not object_exists(UPLOADS_BUCKET, ticket["fields"]["key"])


def test_an_object_larger_than_max_upload_bytes_is_rejected_as_too_large(
    api: Any, prime: SignedInMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a 4 KB upload limit and a client that declares a small size, then sends a bigger valid JPEG
    monkeypatch.setenv("FLINT_MAX_UPLOAD_BYTES", "4000")
    get_settings.cache_clear()
    data = images.noisy_jpeg(64, 64)
    assert len(data) > 4000
    ticket = request_upload(api, prime, "image/jpeg", size=1000)
    post_to_s3(ticket, data)

    # When the worker runs
    with record_api_calls(monkeypatch, "s3") as calls:
        run_thumbnailer(app)

    # Then the object is rejected from its size alone, never downloaded, and deleted
    upload = upload_status(api, prime, ticket["upload_id"])
    assert (upload["status"], upload["reason"]) == ("rejected", "too_large")
    assert calls.count("GetObject") == 0
    assert not object_exists(UPLOADS_BUCKET, ticket["fields"]["key"])


# --- where renditions go, and what they carry ---------------------------------------------------------


def test_renditions_are_written_to_the_media_bucket_under_deterministic_keys_cached_for_a_year(
    api: Any, prime: SignedInMember, media_before: dict[str, dict[str, Any]]
) -> None:
    # Given a processed JPEG
    upload_id = _processed(api, prime, images.jpeg(500, 300))

    # When the buckets are listed
    media = media_objects(since=media_before)

    # Then the media bucket holds exactly its three renditions and their WebP and AVIF copies,
    # each cacheable for a year
    assert set(media) == {
        f"media/{upload_id}/{name}.{ext}" for name in SIZES for ext in ("jpg", "webp", "avif")
    }
    for ext in ("webp", "avif"):
        assert {
            s3().head_object(Bucket=MEDIA_BUCKET, Key=k)["ContentType"]
            for k in media
            if k.endswith(f".{ext}")
        } == {f"image/{ext}"}
    for key in media:
        assert YEAR_SECONDS in s3().head_object(Bucket=MEDIA_BUCKET, Key=key)["CacheControl"]
    # And the uploads bucket keeps the accepted bytes under their digest, not at the POST's key (the
    # bucket is shared: this member's keys are the ones under their id)
    uploads = [
        o["Key"]
        for prefix in (f"uploads/{prime.user_id}/", f"originals/{prime.user_id}/")
        for o in s3().list_objects_v2(Bucket=UPLOADS_BUCKET, Prefix=prefix).get("Contents", [])
    ]
    assert uploads == [
        f"originals/{prime.user_id}/{upload_id}/{hashlib.sha256(images.jpeg(500, 300)).hexdigest()}"
    ]
    # And each size names its JPEG as `url` and its copies as `webp_url` and `avif_url` (docs/api.md)
    thumbnails = upload_status(api, prime, upload_id)["thumbnails"]
    assert set(thumbnails) == set(SIZES)
    for name, rendition in thumbnails.items():
        assert rendition["url"].endswith(f"/{MEDIA_BUCKET}/media/{upload_id}/{name}.jpg")
        assert rendition["webp_url"].endswith(f"/{MEDIA_BUCKET}/media/{upload_id}/{name}.webp")
        assert rendition["avif_url"].endswith(f"/{MEDIA_BUCKET}/media/{upload_id}/{name}.avif")


def test_gps_exif_never_reaches_a_rendition(api: Any, prime: SignedInMember) -> None:
    # Given a JPEG carrying GPS coordinates and the phone's make in EXIF
    upload_id = _processed(api, prime, images.jpeg_with_gps(500, 300))

    # When each rendition is read back
    for name in SIZES:
        data = s3().get_object(Bucket=MEDIA_BUCKET, Key=f"media/{upload_id}/{name}.jpg")["Body"].read()
        rendition = images.open_image(data)

        # Then it carries no EXIF at all
        assert len(rendition.getexif()) == 0
        assert "exif" not in rendition.info
        assert b"Exif" not in data
        assert images.SECRET_MAKER.encode() not in data


def test_the_original_of_a_rejected_upload_is_deleted(
    api: Any, prime: SignedInMember, media_before: dict[str, dict[str, Any]]
) -> None:
    # Given HTML uploaded as a JPEG
    ticket = send_upload(api, prime, images.HTML, "image/jpeg")
    assert object_exists(UPLOADS_BUCKET, ticket["fields"]["key"])

    # When the worker rejects it
    run_thumbnailer(app)

    # Then the original is gone and nothing was written to the media bucket
    assert upload_status(api, prime, ticket["upload_id"])["status"] == "rejected"
    assert not object_exists(UPLOADS_BUCKET, ticket["fields"]["key"])
    assert media_objects(since=media_before) == {}


def test_the_s3_test_event_is_skipped(
    api: Any, prime: SignedInMember, media_before: dict[str, dict[str, Any]]
) -> None:
    # Given a pending upload
    ticket = request_upload(api, prime)

    # When the worker receives only S3's test event
    response = invoke_worker(api, [s3_test_event()])

    # Then it succeeds without doing anything
    assert failed_ids(response) == []
    assert upload_status(api, prime, ticket["upload_id"])["status"] == "pending"
    assert media_objects(since=media_before) == {}


# --- duplicates and replays ------------------------------------------------------------------------


def test_the_same_s3_event_delivered_twice_does_the_work_once(
    api: Any, prime: SignedInMember, monkeypatch: pytest.MonkeyPatch, media_before: dict[str, dict[str, Any]]
) -> None:
    # Given an upload processed from S3's notification
    upload_id, body = _captured(api, prime, images.jpeg(500, 300))
    assert failed_ids(invoke_worker(api, [body])) == []
    first = media_objects(since=media_before)
    status = upload_status(api, prime, upload_id)

    # When the same notification is delivered again through the queue
    send_bodies([body])
    with record_api_calls(monkeypatch, "s3") as calls:
        assert run_thumbnailer(app) == 1

    # Then no rendition is written again and the upload is unchanged
    assert calls.count("PutObject") == 0
    assert media_objects(since=media_before) == first
    assert upload_status(api, prime, upload_id) == status


def test_a_duplicate_in_the_same_batch_does_the_work_once(
    api: Any, prime: SignedInMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given S3's notification for an upload, not yet processed
    upload_id, body = _captured(api, prime, images.jpeg(500, 300))

    # When a batch carries it twice
    with record_api_calls(monkeypatch, "s3") as calls:
        response = invoke_worker(api, [body, body])

    # Then both records succeed and the three renditions (and their WebP and AVIF copies) are
    # written once
    assert failed_ids(response) == []
    assert calls.count("PutObject", Bucket=MEDIA_BUCKET) == 3 * len(SIZES)
    assert upload_status(api, prime, upload_id)["status"] == "ready"


def test_a_replay_after_the_idempotency_record_expired_still_does_no_work(
    api: Any, prime: SignedInMember, monkeypatch: pytest.MonkeyPatch, idempotency_before: set[tuple[str, str]]
) -> None:
    # Given a processed upload whose idempotency record has since expired
    upload_id, body = _captured(api, prime, images.jpeg(500, 300))
    invoke_worker(api, [body])
    status = upload_status(api, prime, upload_id)
    _forget_idempotency_records(idempotency_before)

    # When S3's notification is replayed
    with record_api_calls(monkeypatch, "s3") as calls:
        response = invoke_worker(api, [body])

    # Then the final status alone stops it: nothing is read or written
    assert failed_ids(response) == []
    assert calls.calls == []
    assert upload_status(api, prime, upload_id) == status


def test_a_new_object_version_after_ready_leaves_the_upload_ready(
    api: Any, prime: SignedInMember, monkeypatch: pytest.MonkeyPatch, media_before: dict[str, dict[str, Any]]
) -> None:
    # Given a ready upload
    ticket = send_upload(api, prime, images.jpeg(500, 300))
    run_thumbnailer(app)
    ready = upload_status(api, prime, ticket["upload_id"])
    renditions = media_objects(since=media_before)

    # When the client reuses its still-valid ticket to post HTML over the original
    post_to_s3(ticket, images.HTML)
    with record_api_calls(monkeypatch, "s3") as calls:
        run_thumbnailer(app)

    # Then the upload stays ready with the same renditions, and nothing was read or deleted
    assert upload_status(api, prime, ticket["upload_id"]) == ready
    assert media_objects(since=media_before) == renditions
    assert calls.calls == []


def test_a_new_object_version_after_rejected_leaves_the_upload_rejected(
    api: Any, prime: SignedInMember, monkeypatch: pytest.MonkeyPatch, media_before: dict[str, dict[str, Any]]
) -> None:
    # Given an upload rejected as not an image
    ticket = send_upload(api, prime, images.HTML)
    run_thumbnailer(app)
    rejected = upload_status(api, prime, ticket["upload_id"])
    assert rejected["reason"] == "not_an_image"

    # When the client reuses its ticket to post a valid JPEG
    post_to_s3(ticket, images.jpeg(500, 300))
    with record_api_calls(monkeypatch, "s3") as calls:
        run_thumbnailer(app)

    # Then the upload stays rejected and no rendition is made
    assert upload_status(api, prime, ticket["upload_id"]) == rejected
    assert calls.count("PutObject") == 0
    assert media_objects(since=media_before) == {}


def test_replaying_a_rejected_uploads_event_leaves_it_rejected(
    api: Any, prime: SignedInMember, idempotency_before: set[tuple[str, str]]
) -> None:
    # Given an upload rejected as corrupt
    upload_id, body = _captured(api, prime, images.truncated_jpeg())
    invoke_worker(api, [body])
    rejected = upload_status(api, prime, upload_id)
    assert rejected["status"] == "rejected"

    # When its notification is replayed, with and without the idempotency record
    first = invoke_worker(api, [body])
    _forget_idempotency_records(idempotency_before)
    second = invoke_worker(api, [body])

    # Then it stays rejected with the same reason
    assert failed_ids(first) == failed_ids(second) == []
    assert upload_status(api, prime, upload_id) == rejected


# --- events out of order, or about something else ---------------------------------------------------


def test_an_event_for_an_upload_whose_post_was_deleted_is_ignored(
    api: Any,
    prime: SignedInMember,
    monkeypatch: pytest.MonkeyPatch,
    media_before: dict[str, dict[str, Any]],
    idempotency_before: set[tuple[str, str]],
) -> None:
    # Given an upload published in a post, then the post deleted (the upload and its images go with it)
    from local.seed import seed_interests

    seed_interests()
    upload_id, body = _captured(api, prime, images.jpeg(500, 300))
    invoke_worker(api, [body])
    post = api.http.post(
        "/posts",
        body=json.dumps(
            {"kind": "photo", "caption": "c", "interests": ["hiking"], "photos": [{"upload_id": upload_id}]}
        ),
        headers={"Content-Type": "application/json", **prime.headers},
    )
    assert post.status_code == 201, post.body
    assert api.http.delete(f"/posts/{json.loads(post.body)['id']}", headers=prime.headers).status_code == 204
    _forget_idempotency_records(idempotency_before)

    # When S3's notification for it arrives late
    with record_api_calls(monkeypatch, "s3") as calls:
        response = invoke_worker(api, [body])

    # Then it is ignored: no failure, no upload or image brought back
    assert failed_ids(response) == []
    assert calls.calls == []
    assert media_objects(since=media_before) == {}
    assert api.http.get(f"/uploads/{upload_id}", headers=prime.headers).status_code == 404


@pytest.mark.parametrize(
    "key_of",
    [
        pytest.param(lambda owner, upload: f"uploads/{owner}/up_unknown", id="unknown_upload_id"),
        pytest.param(lambda owner, upload: "avatars/someone.jpg", id="outside_uploads"),
        pytest.param(lambda owner, upload: f"uploads/{upload}", id="too_few_parts"),
        pytest.param(lambda owner, upload: f"uploads/intruder/{upload}", id="another_members_prefix"),
        pytest.param(lambda owner, upload: f"uploads/{owner}/{upload}/extra", id="too_many_parts"),
    ],
)
def test_an_event_for_an_object_that_is_not_an_upload_is_ignored(
    api: Any,
    prime: SignedInMember,
    key_of: Callable[[str, str], str],
    media_before: dict[str, dict[str, Any]],
) -> None:
    # Given a pending upload, and an image stored under a key that is not that upload's
    ticket = request_upload(api, prime)
    key = key_of(prime.user_id, ticket["upload_id"])
    s3().put_object(Bucket=UPLOADS_BUCKET, Key=key, Body=images.jpeg(100, 80), ContentType="image/jpeg")
    take_bodies()

    # When the worker gets the notification for that key
    response = invoke_worker(api, [object_created(UPLOADS_BUCKET, key, size=1)])

    # Then it is ignored: the upload stays pending and nothing is rendered
    assert failed_ids(response) == []
    assert upload_status(api, prime, ticket["upload_id"])["status"] == "pending"
    assert media_objects(since=media_before) == {}


def test_an_event_whose_object_is_already_gone_is_ignored(api: Any, prime: SignedInMember) -> None:
    # Given a pending upload whose object was never stored (or was removed before delivery)
    ticket = request_upload(api, prime)

    # When a notification for its key arrives
    response = invoke_worker(api, [object_created(UPLOADS_BUCKET, ticket["fields"]["key"], size=100)])

    # Then it is not a failure to retry, and the upload stays pending
    assert failed_ids(response) == []
    assert upload_status(api, prime, ticket["upload_id"])["status"] == "pending"


# --- failures: poison, dead letters, transient errors -----------------------------------------------


def test_a_poison_record_fails_alone_and_its_neighbours_are_processed(
    api: Any, prime: SignedInMember
) -> None:
    # Given two uploads' notifications around a record whose body is not JSON
    first_id, first = _captured(api, prime, images.jpeg(300, 200))
    second_id, second = _captured(api, prime, images.png_with_alpha(300, 200), "image/png")

    # When they arrive in one batch
    response = invoke_worker(api, [first, "this is not json", second])

    # Then only the poison message is reported failed, and both neighbours are ready
    assert failed_ids(response) == ["msg-1"]
    assert upload_status(api, prime, first_id)["status"] == "ready"
    assert upload_status(api, prime, second_id)["status"] == "ready"


def test_a_poison_message_ends_in_the_dead_letter_queue_after_max_receives(
    api: Any, prime: SignedInMember
) -> None:
    # Given a poison message beside a real upload, on a queue that redelivers at once
    set_visibility_timeout(0)
    ticket = send_upload(api, prime, images.jpeg(300, 200))
    poison = f"this is not json {uuid.uuid4()}"
    send_bodies([poison])
    runner, source = thumbnail_runner(app)

    # When the worker keeps polling
    for _ in range(8):
        runner.poll_queue_once(source)

    # Then it failed once per receive up to the queue's maxReceiveCount, then moved to the DLQ
    assert runner.stats.failed == max_receive_count() == 5
    assert peek_bodies(DEAD_LETTER_QUEUE) == [poison]
    assert take_bodies() == []
    assert upload_status(api, prime, ticket["upload_id"])["status"] == "ready"


def test_a_transient_s3_failure_is_retried_and_then_succeeds(
    api: Any, prime: SignedInMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given S3 failing the first download, on a queue that redelivers at once
    set_visibility_timeout(0)
    ticket = send_upload(api, prime, images.jpeg(300, 200))
    failures = [ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "slow down"}}, "GetObject")]

    def flaky(operation: str, params: dict[str, Any]) -> None:
        if operation == "GetObject" and failures:
            raise failures.pop()

    runner, source = thumbnail_runner(app)

    # When the worker polls once, then again
    with record_api_calls(monkeypatch, "s3", before=flaky) as calls:
        runner.poll_queue_once(source)
        after_failure = upload_status(api, prime, ticket["upload_id"])["status"]
        for _ in range(3):
            runner.poll_queue_once(source)

    # Then the first attempt failed and left the upload pending, the retry made it ready
    assert after_failure == "pending"
    assert runner.stats.failed == 1
    assert calls.count("GetObject", Bucket=UPLOADS_BUCKET) == 2
    assert upload_status(api, prime, ticket["upload_id"])["status"] == "ready"
    assert peek_bodies(DEAD_LETTER_QUEUE) == []
