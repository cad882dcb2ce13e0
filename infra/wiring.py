"""What each function gets on top of what chalice writes: name, environment, log group, alias and
canary, event-source limits, failure destinations, and its alarms; plus the stack-wide alarms and
the dashboard. Generated from the app's functions, so a new handler gets them too."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from infra.functions import Function
from infra.layout import PackageError

# The stream consumer's event filter: changes to the items it aggregates, nothing else.
STREAM_ENTITIES = ["post", "smile", "comment"]
STREAM_FAILURE_HANDLING = {
    "BisectBatchOnFunctionError": True,
    "MaximumRetryAttempts": 5,
    "MaximumRecordAgeInSeconds": 3600,
    "DestinationConfig": {
        "OnFailure": {"Type": "SQS", "Destination": {"Fn::GetAtt": ["StreamFailureQueue", "Arn"]}}
    },
}
STREAM_FILTERS = [
    {"Pattern": json.dumps({"dynamodb": {image: {"type": {"S": STREAM_ENTITIES}}}})}
    for image in ("NewImage", "OldImage")
]


ALIAS = "live"
# The DynamoDB operations the app calls: SystemErrors has no table-wide total, so the alarm sums these.
TABLE_OPERATIONS = (
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "BatchGetItem",
    "BatchWriteItem",
    "TransactGetItems",
    "TransactWriteItems",
)


def _alarm(name: str, description: str, metric: Mapping[str, Any], **settings: Any) -> dict[str, Any]:
    """A CloudWatch alarm that notifies the alarm topic (and again when it clears)."""
    properties = {
        "AlarmName": {"Fn::Sub": f"${{NamePrefix}}-{name}"},
        "AlarmDescription": description,
        **metric,
        **({} if "Metrics" in metric else {"Period": 300}),
        "EvaluationPeriods": 1,
        "Threshold": 0,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
        **settings,
        "AlarmActions": [{"Ref": "AlarmTopic"}],
        "OKActions": [{"Ref": "AlarmTopic"}],
    }
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": properties}


def _lambda_metric(function: Function, metric: str, **statistic: Any) -> dict[str, Any]:
    return {
        "Namespace": "AWS/Lambda",
        "MetricName": metric,
        "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": function.logical_id}}],
        **(statistic or {"Statistic": "Sum"}),
    }


def function_parts(
    function: Function,
    defaults: Mapping[str, Any],
    queues: Mapping[str, str],
    *,
    settings: Mapping[str, Any],
    environment: Mapping[str, Any],
    consumers: Mapping[str, Any],
) -> dict[str, Any]:
    """The resources and properties one function gets on top of what chalice writes.

    Every function: its name, the stack-derived environment (plus what only it needs), a log
    group with retention, alarms on errors, throttles and a p99 duration near its timeout,
    and an alias (`live`) that CodeDeploy moves to each new version gradually, rolling back
    when the errors alarm fires. SQS consumers: their queue's stack ARN, partial batch
    responses, a maximum concurrency and an alarm on the queue's oldest message. Scheduled
    jobs: an on-failure destination. DynamoDB stream consumers: an alarm on the iterator age.
    """
    log_group = f"{function.logical_id}LogGroup"
    errors_alarm = f"{function.logical_id}ErrorsAlarm"
    name = {"Fn::Sub": f"${{NamePrefix}}-{function.name}"}
    properties: dict[str, Any] = {
        **copy.deepcopy(dict(defaults)),
        "FunctionName": name,
        "AutoPublishAlias": ALIAS,
        "DeploymentPreference": {"Type": {"Ref": "DeploymentType"}, "Alarms": [{"Ref": errors_alarm}]},
    }
    if settings.get("reserved_concurrency") is not None:
        # Only where the account can afford it (ReserveJobConcurrency: infra/deploy.sh checks).
        properties["ReservedConcurrentExecutions"] = {
            "Fn::If": ["ReservesJobConcurrency", settings["reserved_concurrency"], {"Ref": "AWS::NoValue"}]
        }
    if function.kind == "api":
        # The API maps its own errors to responses: clients' 5xx show what Errors misses.
        properties["DeploymentPreference"]["Alarms"].append({"Ref": "ApiServerErrorsAlarm"})
    if environment:
        properties["Environment"]["Variables"].update(copy.deepcopy(dict(environment)))
    timeout_ms = int(settings.get("lambda_timeout", 60)) * 1000
    parts: dict[str, Any] = {
        log_group: {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {
                "LogGroupName": {"Fn::Sub": f"/aws/lambda/${{NamePrefix}}-{function.name}"},
                "RetentionInDays": {"Ref": "LogRetentionDays"},
            },
        },
        errors_alarm: _alarm(
            f"{function.name}-errors",
            f"{function.name} raised (a failed invocation, crash or timeout).",
            _lambda_metric(function, "Errors"),
        ),
        f"{function.logical_id}ThrottlesAlarm": _alarm(
            f"{function.name}-throttled",
            f"Invocations of {function.name} were throttled (reserved or account concurrency reached).",
            _lambda_metric(function, "Throttles"),
        ),
        f"{function.logical_id}DurationAlarm": _alarm(
            f"{function.name}-p99-duration",
            f"The slowest 1% of {function.name}'s invocations ran past 80% of its timeout for 15 minutes.",
            _lambda_metric(function, "Duration", ExtendedStatistic="p99"),
            EvaluationPeriods=3,
            Threshold=timeout_ms * 0.8,
        ),
    }
    if function.kind == "sqs":
        matches = [lid for lid, queue in queues.items() if queue == function.queue]
        if len(matches) != 1:
            raise PackageError(
                f"{function.name} reads queue {function.queue!r}, which infra/template.yaml "
                f"declares {len(matches)} times (expected once)"
            )
        limits = {**consumers["default"], **consumers.get(function.name, {})}
        properties["Events"] = {
            function.event_id: {
                "Properties": {
                    # The queue's own ARN, not the one chalice spells from its name, so the
                    # mapping waits for the queue. Fn::Sub like chalice's: the merge is per key.
                    "Queue": {"Fn::Sub": f"${{{matches[0]}.Arn}}"},
                    # Handlers answer batchItemFailures: only failed records are retried.
                    "FunctionResponseTypes": ["ReportBatchItemFailures"],
                    # How many batches at once, whatever the backlog (docs/deploy.md, Limits).
                    "ScalingConfig": {"MaximumConcurrency": limits["MaximumConcurrency"]},
                }
            }
        }
        parts[f"{function.logical_id}QueueAgeAlarm"] = _alarm(
            f"{function.name}-queue-age",
            f"The oldest message waiting for {function.name} is older than "
            f"{limits['OldestMessageAlarmSeconds']} s: the consumer is failing or cannot keep up.",
            {
                "Namespace": "AWS/SQS",
                "MetricName": "ApproximateAgeOfOldestMessage",
                "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [matches[0], "QueueName"]}}],
                "Statistic": "Maximum",
            },
            Threshold=limits["OldestMessageAlarmSeconds"],
        )
    elif function.kind == "schedule":
        # Lambda retries a failed asynchronous invocation, then leaves the event here
        # (ScheduledJobFailureAlarm); the job's policy may send to the queue.
        properties["EventInvokeConfig"] = {
            "MaximumRetryAttempts": 1,
            "DestinationConfig": {
                "OnFailure": {
                    "Type": "SQS",
                    "Destination": {"Fn::GetAtt": ["ScheduledJobFailureQueue", "Arn"]},
                }
            },
        }
    elif function.kind == "stream":
        properties["Events"] = {
            function.event_id: {
                "Properties": {
                    # The table's current stream: the stack's own, or (TableStreamArn, passed by
                    # infra/deploy.sh) the live one after a restore replaced the table.
                    "Stream": {
                        "Fn::If": [
                            "HasTableStreamArn",
                            {"Ref": "TableStreamArn"},
                            {"Fn::GetAtt": ["FlintTable", "StreamArn"]},
                        ]
                    },
                    "FunctionResponseTypes": ["ReportBatchItemFailures"],
                    # Only posts, smiles and comments invoke it (not the counters it writes).
                    "FilterCriteria": {"Filters": STREAM_FILTERS},
                    # A poison record must not hold its shard for the stream's 24 hours: halve the
                    # batch to find it, retry a few times, give up on records older than an hour,
                    # and say what was skipped (StreamFailureQueue, its alarm, docs/runbook.md).
                    **STREAM_FAILURE_HANDLING,
                }
            }
        }
        parts[f"{function.logical_id}IteratorAgeAlarm"] = _alarm(
            f"{function.name}-iterator-age",
            f"{function.name} is more than a minute behind its stream (failing or too slow).",
            _lambda_metric(function, "IteratorAge", Statistic="Maximum"),
            Threshold=60_000,
        )
    parts[function.logical_id] = {"DependsOn": [log_group], "Properties": properties}
    return parts


def table_alarm(table: str) -> dict[str, Any]:
    """DynamoDB's system errors (5xx) on any operation the app calls, summed."""
    metrics: list[dict[str, Any]] = [
        {"Id": "errors", "Expression": "SUM(METRICS())", "Label": "System errors"}
    ]
    for index, operation in enumerate(TABLE_OPERATIONS):
        metrics.append(
            {
                "Id": f"op{index}",
                "ReturnData": False,
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/DynamoDB",
                        "MetricName": "SystemErrors",
                        "Dimensions": [
                            {"Name": "TableName", "Value": {"Ref": table}},
                            {"Name": "Operation", "Value": operation},
                        ],
                    },
                    "Period": 300,
                    "Stat": "Sum",
                },
            }
        )
    return _alarm(
        "table-system-errors", "DynamoDB answered 5xx (its own errors) to the app.", {"Metrics": metrics}
    )


def dashboard(functions: list[Function], queues: Mapping[str, str], table: str) -> dict[str, Any]:
    """One CloudWatch dashboard for the stack: API, every function, every queue, the table."""
    region = "${AWS::Region}"

    def widget(title: str, metrics: list[list[Any]], stat: str = "Sum") -> dict[str, Any]:
        return {
            "type": "metric",
            "width": 12,
            "height": 6,
            "properties": {"title": title, "region": region, "stat": stat, "period": 300, "metrics": metrics},
        }

    api = ["AWS/ApiGateway", "{metric}", "ApiName", "${NamePrefix}", "Stage", "api"]
    widgets = [
        widget(
            "API requests and errors", [[*api[:1], m, *api[2:]] for m in ("Count", "4XXError", "5XXError")]
        ),
        widget("API latency p99 (ms)", [[api[0], "Latency", *api[2:]]], stat="p99"),
    ]
    for function in functions:
        dims = ["FunctionName", f"${{NamePrefix}}-{function.name}"]
        widgets.append(
            widget(
                f"{function.name}: invocations, errors, throttles",
                [["AWS/Lambda", m, *dims] for m in ("Invocations", "Errors", "Throttles")],
            )
        )
        widgets.append(
            widget(f"{function.name}: duration p99 (ms)", [["AWS/Lambda", "Duration", *dims]], "p99")
        )
    for logical_id in queues:
        dims = ["QueueName", f"${{{logical_id}.QueueName}}"]
        widgets.append(
            widget(
                f"{logical_id}: backlog and oldest message (s)",
                [
                    ["AWS/SQS", "ApproximateNumberOfMessagesVisible", *dims],
                    ["AWS/SQS", "ApproximateAgeOfOldestMessage", *dims, {"yAxis": "right"}],
                ],
                stat="Maximum",
            )
        )
    table_dims = ["TableName", f"${{{table}}}"]
    widgets.append(
        widget(
            "Table: consumed capacity and throttles",
            [
                ["AWS/DynamoDB", m, *table_dims]
                for m in (
                    "ConsumedReadCapacityUnits",
                    "ConsumedWriteCapacityUnits",
                    "ReadThrottleEvents",
                    "WriteThrottleEvents",
                )
            ],
        )
    )
    body = json.dumps({"widgets": widgets}, separators=(",", ":"))
    return {
        "Type": "AWS::CloudWatch::Dashboard",
        "Properties": {"DashboardName": {"Fn::Sub": "${NamePrefix}"}, "DashboardBody": {"Fn::Sub": body}},
    }
