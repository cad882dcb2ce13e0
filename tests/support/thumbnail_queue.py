"""The thumbnail queue as S3 fills it: real notification bodies, replays, and the worker invoked directly.

S3 puts one `s3:TestEvent` message on the queue when the notification is configured, then one
message per created object: `{"Records": [{"eventName": "ObjectCreated:Post", "s3": {...}}]}`
with the key URL-encoded. Tests either capture the bodies S3 really sent (`take_bodies`) and
deliver them again, or build one for a key S3 never saw (`object_created`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

import boto3

QUEUE = "flint-dev-thumbnails"
DEAD_LETTER_QUEUE = "flint-dev-thumbnails-dlq"
UPLOADS_BUCKET = "flint-dev-uploads"
MEDIA_BUCKET = "flint-dev-media"
WORKER = "thumbnail_worker"


def sqs() -> Any:
    return boto3.client("sqs", region_name="us-east-1")


def s3() -> Any:
    return boto3.client("s3", region_name="us-east-1")


def queue_url(name: str = QUEUE) -> str:
    return str(sqs().get_queue_url(QueueName=name)["QueueUrl"])


def visibility_timeout(name: str = QUEUE) -> int:
    attributes = sqs().get_queue_attributes(QueueUrl=queue_url(name), AttributeNames=["VisibilityTimeout"])
    return int(attributes["Attributes"]["VisibilityTimeout"])


def set_visibility_timeout(seconds: int, name: str = QUEUE) -> None:
    """Lambda's redelivery waits for the visibility timeout (180 s in the template); tests loop faster.
    The queue is the session's: whoever changes it puts it back (`own_thumbnail_queue`)."""
    sqs().set_queue_attributes(QueueUrl=queue_url(name), Attributes={"VisibilityTimeout": str(seconds)})


def max_receive_count(name: str = QUEUE) -> int:
    """Receives before SQS moves a message to the queue's dead-letter queue (its redrive policy)."""
    attributes = sqs().get_queue_attributes(QueueUrl=queue_url(name), AttributeNames=["RedrivePolicy"])
    return int(json.loads(attributes["Attributes"]["RedrivePolicy"])["maxReceiveCount"])


def take_bodies(name: str = QUEUE) -> list[str]:
    """Receive and delete everything on the queue; returns the message bodies, oldest first."""
    client, url = sqs(), queue_url(name)
    bodies: list[str] = []
    while True:
        messages = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30).get(
            "Messages", []
        )
        if not messages:
            return bodies
        bodies += [m["Body"] for m in messages]
        client.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
        )


def peek_bodies(name: str) -> list[str]:
    """The bodies waiting on a queue, left there."""
    messages = sqs().receive_message(QueueUrl=queue_url(name), MaxNumberOfMessages=10, VisibilityTimeout=0)
    return [m["Body"] for m in messages.get("Messages", [])]


def notification_for(bodies: list[str], object_key: str) -> str:
    """The ObjectCreated notification S3 sent for this key, among captured bodies."""
    for body in bodies:
        message = json.loads(body)
        for record in message.get("Records", []):
            if record["s3"]["object"]["key"] in (object_key, quote_plus(object_key, safe="")):
                return body
    raise AssertionError(f"no notification for {object_key} in {bodies}")


def send_bodies(bodies: list[str], name: str = QUEUE) -> None:
    client, url = sqs(), queue_url(name)
    for body in bodies:
        client.send_message(QueueUrl=url, MessageBody=body)


def object_created(
    bucket: str, key: str, *, etag: str = "d41d8cd98f00b204e9800998ecf8427e", size: int = 0
) -> str:
    """An ObjectCreated:Post notification body, shaped exactly as S3 (and the emulator) sends it."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return json.dumps(
        {
            "Records": [
                {
                    "eventVersion": "2.1",
                    "eventSource": "aws:s3",
                    "awsRegion": "us-east-1",
                    "eventTime": now,
                    "eventName": "ObjectCreated:Post",
                    "s3": {
                        "s3SchemaVersion": "1.0",
                        "configurationId": "thumbnails",
                        "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                        "object": {"key": quote_plus(key, safe=""), "size": size, "eTag": etag},
                    },
                }
            ]
        }
    )


def s3_test_event(bucket: str = UPLOADS_BUCKET) -> str:
    """The message S3 sends once when a notification configuration is saved."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Time": now, "Bucket": bucket})


def sqs_event(api: Any, bodies: list[str]) -> dict[str, Any]:
    """The SQS event Lambda sends for these bodies, with distinct message ids `msg-0`, `msg-1`, ..."""
    event: dict[str, Any] = api.events.generate_sqs_event(message_bodies=bodies, queue_name=QUEUE)
    for index, record in enumerate(event["Records"]):
        record["messageId"] = f"msg-{index}"
    return event


def invoke_worker(api: Any, bodies: list[str]) -> dict[str, Any]:
    """Invoke the thumbnail worker with one SQS batch; returns its partial batch response."""
    payload = api.lambda_.invoke(WORKER, sqs_event(api, bodies)).payload
    assert isinstance(payload, dict), payload
    return payload


def failed_ids(response: dict[str, Any]) -> list[str]:
    return [f["itemIdentifier"] for f in response.get("batchItemFailures", [])]


def media_objects(since: dict[str, dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    """Key -> {ETag, LastModified} of everything in the media bucket; with `since` (an earlier
    answer), only what was added or rewritten after it: the bucket is shared by the session."""
    listed = {
        o["Key"]: {"ETag": o["ETag"], "LastModified": o["LastModified"]}
        for page in s3().get_paginator("list_objects_v2").paginate(Bucket=MEDIA_BUCKET)
        for o in page.get("Contents", [])
    }
    if since is None:
        return listed
    return {key: meta for key, meta in listed.items() if since.get(key) != meta}


@contextmanager
def own_thumbnail_queue() -> Iterator[None]:
    """The thumbnail queue and its dead-letter queue emptied of what earlier tests left (their
    uploads' notifications), for a test that counts deliveries; its visibility timeout put back after."""
    timeout = visibility_timeout()
    take_bodies()
    take_bodies(DEAD_LETTER_QUEUE)
    try:
        yield
    finally:
        set_visibility_timeout(timeout)


def object_exists(bucket: str, key: str) -> bool:
    listed = s3().list_objects_v2(Bucket=bucket, Prefix=key).get("Contents", [])
    return any(o["Key"] == key for o in listed)
