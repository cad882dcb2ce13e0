"""Thumbnail queue worker: S3 ObjectCreated notifications, delivered through SQS.

Each SQS record is processed on its own (Powertools batch processing with a
partial batch response), so one bad record never fails its neighbours: a
transient error raises, only that message is retried, and a poison message
ends in the dead-letter queue after the queue's maxReceiveCount. Each S3
object version is processed at most once at a time (Powertools idempotency,
keyed by bucket, key and ETag), and the upload's status change is itself
conditional, so replays never redo work or flip a final status.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from chalicelib import aws, caches
from chalicelib.observability import logger
from chalicelib.services import discovery, media
from chalicelib.settings import get_settings

IDEMPOTENCY_PARTITION = "IDEMPOTENCY#thumbnailer"


@lru_cache(maxsize=1)
def _idempotency() -> tuple[DynamoDBPersistenceLayer, IdempotencyConfig]:
    persistence = DynamoDBPersistenceLayer(
        table_name=get_settings().table_name,
        key_attr="PK",
        sort_key_attr="SK",
        static_pk_value=IDEMPOTENCY_PARTITION,
        expiry_attr="expires_at",
        boto3_client=aws.client("dynamodb"),
    )
    # A result is remembered a day: S3 redeliveries arrive within minutes to hours.
    return persistence, IdempotencyConfig(expires_after_seconds=24 * 3600, raise_on_no_idempotency_key=True)


def reset_idempotency() -> None:
    """Forget the idempotency store (it holds a client and the table name): see caches.reset()."""
    _idempotency.cache_clear()


caches.register(reset_idempotency)


def s3_objects(body: str) -> list[dict[str, str]]:
    """The (bucket, key, etag) of each ObjectCreated record in an S3 notification; [] for a test event."""
    message = json.loads(body)
    if message.get("Event") == "s3:TestEvent":
        return []
    found = []
    for record in message.get("Records", []):
        if not str(record.get("eventName", "")).startswith("ObjectCreated"):
            continue
        s3 = record["s3"]
        found.append(
            {
                "bucket": s3["bucket"]["name"],
                # S3 URL-encodes keys in notifications (space -> '+').
                "key": unquote_plus(s3["object"]["key"]),
                "etag": str(s3["object"].get("eTag", "")),
            }
        )
    return found


def process_object(s3_object: dict[str, str]) -> str:
    persistence, config = _idempotency()

    @idempotent_function(data_keyword_argument="s3_object", persistence_store=persistence, config=config)
    def once(s3_object: dict[str, str]) -> str:
        return media.process_uploaded_object(s3_object["bucket"], s3_object["key"]).value

    outcome = once(s3_object=s3_object)
    logger.info("thumbnail record done", extra={"key": s3_object["key"], "outcome": outcome})
    return outcome


def record_handler(record: SQSRecord) -> None:
    for s3_object in s3_objects(record.body):
        process_object(s3_object)


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    # In-progress records expire with the invocation, so a crashed attempt never blocks a retry.
    _idempotency()[1].register_lambda_context(context)
    with discovery.candidates_read_once():  # the batch's photos share image discovery's reads
        return process_partial_response(
            event=event,
            record_handler=record_handler,
            processor=BatchProcessor(event_type=EventType.SQS),
            context=context,
        )
