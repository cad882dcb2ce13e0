"""`make package` wires the stream consumer to the stack's own table stream (config.json: a placeholder)."""

from __future__ import annotations

import json

from chalicelib.services import engagement
from infra.functions import app_functions
from infra.merge import merge_template
from infra.wiring import STREAM_ENTITIES


def test_the_stream_consumer_reads_the_stacks_table_stream_and_reports_failures() -> None:
    from app import app

    functions = app_functions(app)
    [stream] = [f for f in functions if f.kind == "stream"]
    assert (stream.name, stream.event_id) == ("stream_worker", "StreamWorkerDynamodbEventSource")
    merged = merge_template("dev", "flint", functions, {})
    event = merged["Resources"][stream.logical_id]["Properties"]["Events"][stream.event_id]["Properties"]
    filters = event.pop("FilterCriteria")["Filters"]
    # The stack's stream, or the live one deploy.sh passes after a restore replaced the table.
    own_stream = {"Fn::GetAtt": ["FlintTable", "StreamArn"]}
    assert event.pop("Stream") == {"Fn::If": ["HasTableStreamArn", {"Ref": "TableStreamArn"}, own_stream]}
    # A poison record is isolated, retried a few times, then reported and skipped: it can neither
    # hold its shard for 24 hours nor vanish silently (issue 23, finding 4).
    assert event == {
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "BisectBatchOnFunctionError": True,
        "MaximumRetryAttempts": 5,
        "MaximumRecordAgeInSeconds": 3600,
        "DestinationConfig": {
            "OnFailure": {"Type": "SQS", "Destination": {"Fn::GetAtt": ["StreamFailureQueue", "Arn"]}}
        },
    }
    failures = merged["Resources"]["StreamFailureAlarm"]["Properties"]
    assert failures["Dimensions"][0]["Value"] == {"Fn::GetAtt": ["StreamFailureQueue", "QueueName"]}
    # Only the entities the consumer aggregates invoke it, inserted or removed.
    assert set(STREAM_ENTITIES) == engagement.RELEVANT
    assert [json.loads(f["Pattern"]) for f in filters] == [
        {"dynamodb": {"NewImage": {"type": {"S": ["post", "smile", "comment"]}}}},
        {"dynamodb": {"OldImage": {"type": {"S": ["post", "smile", "comment"]}}}},
    ]
    assert merged["Resources"]["FlintTable"]["Properties"]["StreamSpecification"] == {
        "StreamViewType": "NEW_AND_OLD_IMAGES"
    }


def test_the_engagement_queue_has_a_dead_letter_queue_and_its_consumer() -> None:
    from app import app

    functions = app_functions(app)
    [worker] = [f for f in functions if f.name == "engagement_worker"]
    merged = merge_template("dev", "flint", functions, {})
    event = merged["Resources"][worker.logical_id]["Properties"]["Events"][worker.event_id]["Properties"]
    assert event["Queue"] == {"Fn::Sub": "${EngagementQueue.Arn}"}
    assert "RedrivePolicy" in merged["Resources"]["EngagementQueue"]["Properties"]
