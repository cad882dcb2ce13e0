"""Members leaving: DELETE /me erases everything that is theirs; GET /me/export shows all of it.

The erasure job runs as Lambda runs it: the event runner delivers the erasure queue to the
app's handler (and the table's stream to the brand aggregator, so the member has brand rows).
After it, nothing in the table names the member, nothing of theirs is in S3 (old versions
included), their Cognito user is gone, and the invariant checker finds nothing dangling.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
import requests

from chalicelib.data import ownership
from chalicelib.services import erasure, members
from chalicelib.settings import get_settings
from local.event_runner import EventRunner
from local.invariants import member_residue, scan
from local.moderation_stand_in import marked_jpeg
from local.seed import seed_interests
from tests.conftest import SignedInMember
from tests.support.brands import brand_with_product
from tests.support.community import assert_error, call, comment, ok, smile
from tests.support.invariants import assert_invariants
from tests.support.safety import case_of, report, target
from tests.support.uploads import jpeg_bytes, post_to_s3, request_upload, run_thumbnailer, upload_image


def after_tokens_expired(events: EventRunner, member_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """What happens when the job's delayed message comes back, once every token issued before the
    request has expired (65 minutes in AWS): the final sweep, then the tombstone goes."""
    monkeypatch.setenv("FLINT_ERASURE_FINAL_SWEEP_SECONDS", "0")
    get_settings.cache_clear()
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.get_queue_url(QueueName=get_settings().erasure_queue)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"member_id": member_id}))
    deliver(events, "erasure_worker")


def runner() -> EventRunner:
    from app import app

    return EventRunner(
        app,
        boto3.client("sqs", region_name="us-east-1"),
        wait_seconds=0,
        streams=boto3.client("dynamodbstreams", region_name="us-east-1"),
    )


def deliver(events: EventRunner, *names: str, rounds: int = 30) -> None:
    sources = [s for s in events.queue_sources if s.name in names]
    streams = [s for s in events.stream_sources if s.name in names]
    for _ in range(rounds):
        if not sum(events.poll_queue_once(s) for s in sources) + sum(
            events.poll_stream_once(s) for s in streams
        ):
            return


@pytest.fixture(autouse=True)
def _erasures_of_their_own(private_table: str) -> None:
    """A table of its own: the checks scan the whole table (nothing names the member, the invariant
    checker), which the session's holds other tests' deliberate half-states in. The erasure queue is
    the session's: what earlier tests queued and nobody delivered is discarded first."""
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.get_queue_url(QueueName=get_settings().erasure_queue)["QueueUrl"]
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
        )


@pytest.fixture
def world(
    api: Any, new_member: Callable[..., SignedInMember], cognito_member: Callable[..., SignedInMember]
) -> dict[str, Any]:
    """A Prime member with posts, comments, smiles, follows both ways, brand engagement, uploads,
    an avatar, a photo held by screening, search entries, blocks both ways, reports both ways and
    a comment a moderator hid. The leaver signed up through Cognito: the erasure removes their
    Cognito user, the export shows it."""
    seed_interests()
    owner = new_member("brand", name="Brand Owner")
    _, product = brand_with_product(api, owner, "Erasepeak")
    leaver = cognito_member("prime", name="Leaver")
    friend, fan = (new_member("prime", name=n) for n in ("Friend", "Fan"))
    tagged = {"product_id": product["id"], "x": 0.5, "y": 0.5}

    def post(author: SignedInMember) -> dict[str, Any]:
        upload_id = upload_image(api, author, jpeg_bytes(64, 48))
        body = {
            "kind": "photo",
            "caption": "Camp",
            "interests": ["hiking"],
            "photos": [{"upload_id": upload_id, "tags": [tagged]}],
        }
        return dict(ok(call(api, "POST", "/posts", author, body), 201))

    own, friends = post(leaver), post(friend)
    smile(api, leaver, friends["id"])
    smile(api, friend, own["id"])
    smile(api, leaver, own["id"])
    comment(api, leaver, friends["id"], "Lovely light")
    comment(api, friend, own["id"], "Where is this?")
    comment(api, leaver, own["id"], "At the lake")
    ok(call(api, "PUT", f"/users/{friend.user_id}/follow", leaver))
    ok(call(api, "PUT", f"/users/{leaver.user_id}/follow", fan))
    ok(
        call(
            api,
            "PUT",
            "/me/interests",
            leaver,
            {"interests": ["hiking", "camping", "coffee", "cooking", "photography"]},
        )
    )
    request_upload(api, leaver)  # never sent: a pending upload
    # Community: an avatar, a photo screening held (its case names the leaver), a block each way,
    # a report each way, a comment of theirs a moderator hid
    from app import app

    avatar = ok(call(api, "POST", "/me/avatar", leaver, {"content_type": "image/jpeg", "size": 2000}), 201)
    post_to_s3(avatar, jpeg_bytes(300, 300))
    held = request_upload(api, leaver, size=len(marked_jpeg()))
    post_to_s3(held, marked_jpeg())
    run_thumbnailer(app)
    ok(call(api, "PATCH", "/me", leaver, {"avatar_upload_id": avatar["upload_id"]}))
    foe, critic, moderator = new_member("prime"), new_member("prime"), new_member("moderator")
    ok(call(api, "GET", "/me", foe))  # a profile to block
    ok(call(api, "PUT", f"/users/{foe.user_id}/block", leaver))
    ok(call(api, "PUT", f"/users/{leaver.user_id}/block", critic))
    ok(report(api, leaver, target("post", friends["id"]), text="Looks staged"), 201)
    ok(report(api, critic, target("member", leaver.user_id)), 201)
    hidden = comment(api, leaver, friends["id"], "Hidden later")
    hide = {"action": "hide", "target": target("comment", hidden["id"], friends["id"])}
    ok(call(api, "POST", "/moderation/actions", moderator, hide))
    events = runner()
    # The brand's summaries name the leaver (as an author, and on their post's entry), and its mark
    deliver(events, "stream_worker", "engagement_worker")
    return {
        "leaver": leaver,
        "friend": friend,
        "fan": fan,
        "own": own,
        "friends": friends,
        "events": events,
        "avatar": avatar["upload_id"],
        "held": held["upload_id"],
        "foe": foe,
        "critic": critic,
        "moderator": moderator,
    }


def items_naming(member_id: str) -> list[str]:
    settings = get_settings()
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    return member_residue(scan(dynamodb, settings.table_name), member_id)


def test_before_erasure_the_member_is_everywhere(world: dict[str, Any]) -> None:
    # The check below would notice: the member's id is on items of every kind the registry knows.
    found = items_naming(world["leaver"].user_id)
    for kind in (
        "smile",
        "comment",
        "follow",
        "post",
        "upload",
        "score",
        "brand_summary",
        "brand_author",
        "search",
        "block_list",
        "block_edge",
        "report",
        "moderation_case",
    ):
        assert any(f"type={kind}" in f for f in found), kind


def test_delete_me_erases_everything_of_the_member_and_leaves_nothing_dangling(
    api: Any, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    leaver, friend = world["leaver"], world["friend"]
    cognito = boto3.client("cognito-idp", region_name="us-east-1")
    pool = get_settings().user_pool_id
    assert cognito.list_users(UserPoolId=pool, Filter=f'sub = "{leaver.user_id}"')["Users"]
    # When the member deletes their account and the job runs
    accepted = ok(call(api, "DELETE", "/me", leaver), 202)
    assert accepted["status"] == "erasing"
    deliver(world["events"], "erasure_worker", "stream_worker", "engagement_worker")
    # (the first pass leaves only the tombstone: the brand counts its own unsmiles and deletions
    # without naming a member who is leaving)
    assert all("type=user" in f for f in items_naming(leaver.user_id))
    after_tokens_expired(world["events"], leaver.user_id, monkeypatch)
    # Then nothing in the table names them (their feed, rate-limit windows and profile included)
    assert items_naming(leaver.user_id) == []
    # nothing of theirs is in S3, old versions of renditions included
    s3 = boto3.client("s3", region_name="us-east-1")
    settings = get_settings()
    assert (
        s3.list_objects_v2(Bucket=settings.uploads_bucket, Prefix=f"uploads/{leaver.user_id}/").get(
            "KeyCount"
        )
        == 0
    )
    for photo in world["own"]["photos"]:
        for rendition in photo["thumbnails"].values():
            key = rendition["url"].split(f"/{settings.media_bucket}/", 1)[-1]
            versions = s3.list_object_versions(Bucket=settings.media_bucket, Prefix=key)
            assert not versions.get("Versions") and not versions.get("DeleteMarkers"), key
    # the avatar's images and the held photo's (under held/) too
    for prefix in (f"media/{world['avatar']}/", f"held/{world['held']}/"):
        versions = s3.list_object_versions(Bucket=settings.media_bucket, Prefix=prefix)
        assert not versions.get("Versions") and not versions.get("DeleteMarkers"), prefix
    # the member who blocked them no longer lists them; the reports about them went with their
    # case, and the case they reported counts their report no more, nor shows what they wrote
    assert ok(call(api, "GET", "/me/blocks", world["critic"]))["items"] == []
    assert case_of(api, world["moderator"], "member", leaver.user_id) is None
    reported = case_of(api, world["moderator"], "post", world["friends"]["id"])
    assert reported is not None and (reported["reports"], reported["last_note"]) == (0, None)
    # their Cognito user is gone
    assert cognito.list_users(UserPoolId=pool, Filter=f'sub = "{leaver.user_id}"')["Users"] == []
    # the others' counters moved (the friend lost a follower and a smile, kept their post)
    friend_profile = ok(call(api, "GET", f"/users/{friend.user_id}", friend))
    assert friend_profile["counts"] == {"posts": 1, "smiles_received": 0, "followers": 0, "following": 0}
    friends_post = ok(call(api, "GET", f"/posts/{world['friends']['id']}"))
    assert (friends_post["smile_count"], friends_post["comment_count"]) == (0, 0)
    assert_error(call(api, "GET", f"/posts/{world['own']['id']}"), 404, "not_found")
    # and every counter agrees with its items: nothing orphaned
    assert_invariants()


def test_a_crash_midway_is_resumed_by_the_next_delivery(
    api: Any, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    leaver = world["leaver"]
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.get_queue_url(QueueName=get_settings().erasure_queue)["QueueUrl"]
    # A failed delivery comes back at once here (in AWS after the visibility timeout, 12 minutes)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "0"})
    ok(call(api, "DELETE", "/me", leaver), 202)
    smiles = next(k for k in erasure.kinds() if k.name == "smiles")
    original = smiles.erase

    def crash(member_id: str, record: Any) -> ownership.Erased:
        raise RuntimeError("the function died midway")

    try:
        # When the first run dies in the middle (the posts erased, the smiles not)
        object.__setattr__(smiles, "erase", crash)
        deliver(world["events"], "erasure_worker", rounds=1)
        object.__setattr__(smiles, "erase", original)
        assert erasure.users.erasing_since(leaver.user_id) is not None
        assert not any("type=post" in f for f in items_naming(leaver.user_id))
        assert any("type=smile" in f for f in items_naming(leaver.user_id))
        # Then SQS delivers the message again, and the job finishes from what is left (the brand
        # counts the leaver's undone smile and comment once the engagement queue is delivered)
        deliver(world["events"], "erasure_worker", "stream_worker", "engagement_worker")
        after_tokens_expired(world["events"], leaver.user_id, monkeypatch)
    finally:
        object.__setattr__(smiles, "erase", original)
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "720"})
    assert items_naming(leaver.user_id) == []
    assert_invariants()


def test_the_member_is_refused_once_they_asked_to_leave(
    api: Any, http_api: str, world: dict[str, Any]
) -> None:
    leaver = world["leaver"]
    ok(call(api, "DELETE", "/me", leaver), 202)
    members.forget_recent_activity()  # a fresh API instance, or the authorizer's cache expired
    # Through the local gateway (production's gateway responses): the authorizer refuses the token
    response = requests.get(f"{http_api}/me", headers=leaver.headers, timeout=10)
    assert (response.status_code, response.json()["error"]["code"]) == (401, "invalid_token")
    # a public route that reads the token refuses it too
    response = requests.get(f"{http_api}/feed", headers=leaver.headers, timeout=10)
    assert (response.status_code, response.json()["error"]["code"]) == (401, "account_deleted")
    # and their profile is gone for everyone at once
    assert_error(call(api, "GET", f"/users/{leaver.user_id}", world["friend"]), 404, "not_found")


def test_export_pages_through_everything_the_member_has(api: Any, world: dict[str, Any]) -> None:
    leaver = world["leaver"]
    pages, cursor = [], None
    while True:
        query = "?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = ok(call(api, "GET", "/me/export" + query, leaver))
        assert len(page["items"]) <= 3
        pages.append(page)
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert len(pages) < 50
    member = pages[0]["member"]
    assert member["id"] == leaver.user_id and member["interests"]
    assert member["sign_in"]["email"] == leaver.email
    assert all(p["member"] is None for p in pages[1:])
    items = [item for page in pages for item in page["items"]]
    by_type: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_type.setdefault(item["type"], []).append(item)
    assert {"posts", "comments", "smiles", "following", "followers", "uploads"} <= set(by_type)
    assert {c["text"] for c in by_type["comments"]} == {"Lovely light", "At the lake", "Hidden later"}
    # whom they blocked and what they reported; the cases about them, never who reported them
    assert by_type["blocks"] == [{"type": "blocks", "members": [world["foe"].user_id]}]
    (filed,) = by_type["reports"]
    assert (filed["target"]["id"], filed["text"]) == (world["friends"]["id"], "Looks staged")
    assert {c["target"]["type"] for c in by_type["moderation_cases"]} == {"upload", "member"}
    assert "blocked_by" not in by_type and world["critic"].user_id not in json.dumps(items)
    assert {s["post_id"] for s in by_type["smiles"]} == {world["friends"]["id"], world["own"]["id"]}
    assert [f["member_id"] for f in by_type["followers"]] == [world["fan"].user_id]
    (post,) = by_type["posts"]
    assert post["id"] == world["own"]["id"] and post["photos"][0]["thumbnails"]["small"]["url"].startswith(
        "http"
    )
    ready = [u for u in by_type["uploads"] if u["status"] == "ready"]
    assert ready and ready[0]["original_url"].startswith("http")
    assert any(i["type"] == "brand_audiences" and i["posted_about"] for i in items)
    # Nothing of anyone else: every item is the member's own
    assert json.dumps(items).count(world["friend"].user_id) <= 2  # whom they follow, and nothing more


def test_export_needs_a_member_and_a_good_cursor(api: Any, world: dict[str, Any]) -> None:
    assert call(api, "GET", "/me/export").status_code == 401  # the gateway's own 401 (mapped in AWS)
    assert_error(
        call(api, "GET", "/me/export?cursor=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", world["leaver"]),
        400,
        "bad_cursor",
    )
