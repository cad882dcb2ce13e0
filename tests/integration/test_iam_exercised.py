"""The least-privilege policies are also enough: every AWS call the handlers really make is allowed.

Narrow policies are easy to write and easy to get wrong: a missing action only shows in AWS,
as an AccessDenied in production. Here every function runs against the local stack while
infra/iam_recorder.py attributes each AWS call to the Lambda function making it and evaluates
it against that function's .chalice/policy-<function>.json (intrinsics resolved to the local
names). The same recorder judges any test run: `python -m pytest tests/integration -p infra.iam_recorder`.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import requests
from PIL import Image

from app import app
from chalicelib import clock
from chalicelib.services import members
from infra import iam
from infra.functions import app_functions
from infra.iam_recorder import recording, resolved_policies
from local.event_runner import EventRunner
from local.moderation_stand_in import marked_jpeg
from local.provision import ProvisionedStack
from local.seed import seed_interests, seed_products
from tests.conftest import SignedInMember
from tests.support.events import app_queues, app_runner, purge


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (900, 600), (30, 140, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


def _drain(runner: EventRunner) -> None:
    report = runner.drain(timeout=120)
    assert report.complete, report


def test_every_call_every_handler_makes_is_allowed_by_its_policy(
    api: Any,
    stack: ProvisionedStack,
    cognito_member: Callable[..., SignedInMember],
    new_member: Callable[..., SignedInMember],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Signed up through Cognito: the erasure job at the end calls Cognito about this member.
    prime = cognito_member("prime")
    json_headers = {"Content-Type": "application/json", **prime.headers}
    seed_interests()
    # The session's queues may hold what earlier tests left (poison included): this test counts
    # every failure, so it starts them empty; its stream reads start at the stream's end now.
    purge(*app_queues())
    runner = app_runner(streams=True).start_streams_at_end()
    with recording() as recorded:
        # The API and its authorizer.
        assert api.http.get("/me", headers=prime.headers).status_code == 200
        created = api.http.post(
            "/uploads", headers=json_headers, body=json.dumps({"content_type": "image/jpeg", "size": 50_000})
        )
        assert created.status_code == 201, created.body
        ticket = json.loads(created.body)
        # The browser's upload (not a Lambda's call), then S3 -> SQS -> the thumbnailer.
        requests.post(ticket["url"], data=ticket["fields"], files={"file": ("p.jpg", _jpeg())}, timeout=30)
        # A photo screening holds (its thumbnails under held/, which the erasure below purges)
        flagged = marked_jpeg()
        held = api.http.post(
            "/uploads",
            headers=json_headers,
            body=json.dumps({"content_type": "image/jpeg", "size": len(flagged)}),
        )
        held_ticket = json.loads(held.body)
        requests.post(
            held_ticket["url"], data=held_ticket["fields"], files={"file": ("h.jpg", flagged)}, timeout=30
        )
        _drain(runner)
        upload = json.loads(api.http.get(f"/uploads/{ticket['upload_id']}", headers=prime.headers).body)
        assert upload["status"] == "ready", upload
        held_upload = json.loads(
            api.http.get(f"/uploads/{held_ticket['upload_id']}", headers=prime.headers).body
        )
        assert held_upload["status"] == "held", held_upload
        # A block and a report, which the erasure below undoes
        other = new_member("prime")
        assert api.http.get("/me", headers=other.headers).status_code == 200
        assert api.http.put(f"/users/{other.user_id}/block", headers=prime.headers).status_code == 200
        reported = {"target": {"type": "member", "id": other.user_id}, "reason": "spam"}
        assert api.http.post("/reports", headers=json_headers, body=json.dumps(reported)).status_code == 201
        # The schedules, then the feed worker on what the planner queued. The planner refreshes every
        # member active in the last hour, which in the session's table is every member of the earlier
        # tests: they run two hours from now, when only this test's member (seen then) is active.
        later = clock.now() + timedelta(hours=2)
        with monkeypatch.context() as patch:
            patch.setattr(clock, "now", lambda: later)
            members.forget_recent_activity()
            assert api.http.get("/me", headers=prime.headers).status_code == 200
            for source in runner.schedule_sources:
                runner.fire_schedule(source)
            _drain(runner)
        assert api.http.get("/feed", headers=prime.headers).status_code == 200
        # Engagement: a tagged post, a viewer's event about it with its receipt (queue ->
        # aggregator), the table's stream (-> queue -> aggregator).
        seed_products(None, per_brand=1)
        photo = {
            "upload_id": ticket["upload_id"],
            "tags": [{"product_id": "p-northpeak-00", "x": 0.5, "y": 0.5}],
        }
        tagged = {"kind": "photo", "caption": "IAM", "interests": ["hiking"], "photos": [photo]}
        post = json.loads(api.http.post("/posts", headers=json_headers, body=json.dumps(tagged)).body)
        viewer = new_member()
        receipt = json.loads(api.http.get(f"/posts/{post['id']}", headers=viewer.headers).body)["receipt"]
        events = {"events": [{"type": "impression", "post_id": post["id"], "receipt": receipt}]}
        sent = api.http.post(
            "/events", headers={"Content-Type": "application/json", **viewer.headers}, body=json.dumps(events)
        )
        assert json.loads(sent.body) == {"accepted": 1, "dropped": 0}
        _drain(runner)  # the queues and the table's stream
        # Leaving: the export, then the erasure job (queue -> worker: Cognito, the table, S3).
        assert api.http.get("/me/export", headers=prime.headers).status_code == 200
        assert api.http.delete("/me", headers=prime.headers).status_code == 202
        _drain(runner)
    assert runner.stats.failed == 0
    assert [str(denial) for denial in recorded.denials] == []
    # Each function made calls, so each policy was exercised, not just parsed.
    assert {f.name for f in app_functions(app)} <= recorded.functions()

    # The presigned POST is signed with the API function's role: S3 checks s3:PutObject against it.
    place, policies = resolved_policies()
    upload_key = (
        f"arn:aws:s3:::{ticket['fields'].get('bucket', 'flint-dev-uploads')}/{ticket['fields']['key']}"
    )
    assert iam.allows(policies["api_handler"], iam.Request("s3:PutObject", upload_key))
    assert place.names["UploadsBucket"] == "flint-dev-uploads"


def test_a_call_outside_the_policy_is_caught(api: Any, new_member: Callable[..., SignedInMember]) -> None:
    prime = new_member("prime")
    _place, policies = resolved_policies()
    authorizer = dict(policies["cognito_jwt"])
    authorizer["Statement"] = [
        s for s in authorizer["Statement"] if not any(a.startswith("dynamodb:") for a in s["Action"])
    ]
    with recording(policies={**policies, "cognito_jwt": authorizer}) as recorded:
        api.http.get("/me", headers=prime.headers)
    assert recorded.denials and {d.function for d in recorded.denials} == {"cognito_jwt"}
    assert "dynamodb:UpdateItem" in str(recorded.denials[0])
