"""The thumbnailer tells a gone original (404: ignored) from a denied one (403: retried, then the DLQ).

In real S3 a missing key answers 403 unless the caller may list the bucket, which is why the
thumbnailer's policy grants `s3:ListBucket` on `uploads/*` (.chalice/policy-thumbnail_worker.json).
The emulator enforces no IAM, so S3's answers are stubbed on the worker's own client.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.stub import Stubber

from chalicelib import aws
from tests.conftest import SignedInMember
from tests.support.thumbnail_queue import (
    UPLOADS_BUCKET,
    failed_ids,
    invoke_worker,
    object_created,
    s3_test_event,
)
from tests.support.uploads import request_upload, upload_status


def _head_answers(status: int) -> Stubber:
    stub = Stubber(aws.client("s3"))
    stub.add_client_error("head_object", service_error_code=str(status), http_status_code=status)
    return stub


def test_an_original_that_is_gone_404_is_ignored_not_retried(
    api: Any, new_member: Callable[..., SignedInMember]
) -> None:
    # Given a pending upload, and S3 answering 404 for its key
    prime = new_member("prime")
    ticket = request_upload(api, prime)

    # When its notification arrives
    with _head_answers(404) as stub:
        response = invoke_worker(api, [object_created(UPLOADS_BUCKET, ticket["fields"]["key"], size=100)])
        stub.assert_no_pending_responses()

    # Then nothing is retried: the object is gone for good, the upload stays pending
    assert failed_ids(response) == []
    assert upload_status(api, prime, ticket["upload_id"])["status"] == "pending"


def test_an_original_that_is_denied_403_fails_its_record_for_a_retry_never_counted_as_gone(
    api: Any, new_member: Callable[..., SignedInMember]
) -> None:
    # Given a pending upload, and S3 refusing access to its key
    prime = new_member("prime")
    ticket = request_upload(api, prime)

    # When its notification arrives (beside another record: a batch whose every record fails is
    # retried whole by Lambda, which would hide the per-record answer)
    with _head_answers(403) as stub:
        response = invoke_worker(
            api, [object_created(UPLOADS_BUCKET, ticket["fields"]["key"], size=100), s3_test_event()]
        )
        stub.assert_no_pending_responses()

    # Then the record fails (retried, then the dead-letter queue: a policy to fix), nothing is written
    assert failed_ids(response) == ["msg-0"]
    assert upload_status(api, prime, ticket["upload_id"])["status"] == "pending"
