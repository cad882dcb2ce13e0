"""The events the local runner builds have the shapes AWS documents for Lambda, so a handler that
works under `make dev` gets the same fields in AWS (and the other way round)."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel, SqsModel
from chalice.app import CloudWatchEvent, SQSEvent

from local.event_runner import ACCOUNT_ID, REGION, failed_message_ids, scheduled_event, sqs_event

QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:flint-dev-thumbnails"

# https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html (example event)
SQS_RECORD_FIELDS = {
    "messageId",
    "receiptHandle",
    "body",
    "attributes",
    "messageAttributes",
    "md5OfBody",
    "eventSource",
    "eventSourceARN",
    "awsRegion",
}
# https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html
SCHEDULED_FIELDS = {
    "version",
    "id",
    "detail-type",
    "source",
    "account",
    "time",
    "region",
    "resources",
    "detail",
}


def received(
    message_id: str = "059f36b4-87a3-44ab-83d2-661975830a7d", body: str = '{"Records": []}', **extra: Any
) -> dict[str, Any]:
    """One message as boto3's `receive_message(AttributeNames=["All"])` returns it."""
    message = {
        "MessageId": message_id,
        "ReceiptHandle": f"AQEB-{message_id}",
        "MD5OfBody": hashlib.md5(body.encode()).hexdigest(),
        "Body": body,
        "Attributes": {
            "SenderId": "AIDAIENQZJOLO23YVJ4VO",
            "SentTimestamp": "1545082649183",
            "ApproximateReceiveCount": "1",
            "ApproximateFirstReceiveTimestamp": "1545082649185",
        },
    }
    message.update(extra)
    return message


# --- SQS ------------------------------------------------------------------------------------------


def test_an_sqs_record_has_exactly_the_documented_fields() -> None:
    event = sqs_event([received()], QUEUE_ARN)
    assert set(event) == {"Records"}
    (record,) = event["Records"]
    assert set(record) == SQS_RECORD_FIELDS


def test_an_sqs_record_carries_the_message() -> None:
    message = received(body='{"hello": "world"}')
    (record,) = sqs_event([message], QUEUE_ARN)["Records"]
    assert record["messageId"] == message["MessageId"]
    assert record["receiptHandle"] == message["ReceiptHandle"]
    assert record["body"] == '{"hello": "world"}'
    assert record["md5OfBody"] == hashlib.md5(b'{"hello": "world"}').hexdigest()
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == QUEUE_ARN
    assert record["awsRegion"] == REGION


def test_a_batch_keeps_its_order() -> None:
    event = sqs_event([received(f"m{n}") for n in range(10)], QUEUE_ARN)
    assert [r["messageId"] for r in event["Records"]] == [f"m{n}" for n in range(10)]


def test_the_body_md5_is_computed_when_the_queue_did_not_send_it() -> None:
    message = received(body="héllo")
    del message["MD5OfBody"]
    (record,) = sqs_event([message], QUEUE_ARN)["Records"]
    assert record["md5OfBody"] == hashlib.md5("héllo".encode()).hexdigest()


def test_message_attributes_take_lambdas_shape_not_receive_messages() -> None:
    # Given attributes as SQS's ReceiveMessage answers them
    message = received(
        MessageAttributes={
            "kind": {"StringValue": "thumbnail", "DataType": "String"},
            "attempt": {"StringValue": "2", "DataType": "Number"},
            "blob": {"BinaryValue": b"\x00\x01", "DataType": "Binary"},
        }
    )
    # When the runner builds the event
    (record,) = sqs_event([message], QUEUE_ARN)["Records"]
    # Then they read as Lambda writes them: camelCase, binaries in base64
    assert record["messageAttributes"] == {
        "kind": {
            "stringValue": "thumbnail",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "String",
        },
        "attempt": {"stringValue": "2", "stringListValues": [], "binaryListValues": [], "dataType": "Number"},
        "blob": {
            "binaryValue": base64.b64encode(b"\x00\x01").decode(),
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "Binary",
        },
    }


def test_no_message_attributes_is_an_empty_object() -> None:
    (record,) = sqs_event([received()], QUEUE_ARN)["Records"]
    assert record["messageAttributes"] == {}


def test_the_sqs_event_parses_as_aws_documents_it() -> None:
    message = received(MessageAttributes={"kind": {"StringValue": "thumbnail", "DataType": "String"}})
    parsed = SqsModel.model_validate(sqs_event([message, received("m2")], QUEUE_ARN))
    assert [r.messageId for r in parsed.Records] == [message["MessageId"], "m2"]
    assert parsed.Records[0].messageAttributes["kind"].stringValue == "thumbnail"


def test_chalice_hands_a_handler_each_record() -> None:
    event = SQSEvent(
        sqs_event([received("a", body="one"), received("b", body="two")], QUEUE_ARN), context=None
    )
    assert [(r.body, r.receipt_handle) for r in event] == [("one", "AQEB-a"), ("two", "AQEB-b")]


# --- schedules ------------------------------------------------------------------------------------


def test_a_scheduled_event_has_exactly_the_documented_fields() -> None:
    event = scheduled_event("feed_refresh", at=datetime(2026, 3, 4, 5, 6, 7, 890_000, tzinfo=UTC))
    assert set(event) == SCHEDULED_FIELDS
    assert event["version"] == "0"
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["account"] == ACCOUNT_ID
    assert event["region"] == REGION
    assert event["time"] == "2026-03-04T05:06:07Z"
    assert event["resources"] == [f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/feed_refresh"]
    assert event["detail"] == {}


def test_each_scheduled_event_has_its_own_id() -> None:
    first, second = scheduled_event("r"), scheduled_event("r")
    assert first["id"] != second["id"]
    assert re.fullmatch(r"[0-9a-f-]{36}", first["id"])


def test_a_scheduled_event_is_stamped_now_in_utc() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    stamped = datetime.strptime(scheduled_event("r")["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before <= stamped <= datetime.now(UTC)


def test_the_scheduled_event_parses_as_aws_documents_it() -> None:
    parsed = EventBridgeModel.model_validate(scheduled_event("feed_refresh"))
    assert parsed.detail_type == "Scheduled Event"
    assert parsed.source == "aws.events"


def test_chalice_reads_the_scheduled_event() -> None:
    event = CloudWatchEvent(scheduled_event("feed_refresh"), context=None)
    assert event.detail_type == "Scheduled Event"
    assert event.source == "aws.events"
    assert event.resources == [f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/feed_refresh"]


# --- partial batch responses ----------------------------------------------------------------------


def test_a_partial_batch_response_names_the_failed_messages() -> None:
    result = {"batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "m3"}]}
    assert failed_message_ids(result) == {"m1", "m3"}


def test_an_empty_partial_batch_response_means_all_succeeded() -> None:
    assert failed_message_ids({"batchItemFailures": []}) == set()


@pytest.mark.parametrize("result", [None, {}, {"statusCode": 200}, [], "ok"])
def test_any_other_answer_is_not_a_partial_batch_response(result: Any) -> None:
    assert failed_message_ids(result) is None
