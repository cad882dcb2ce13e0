"""`make package`: the whole stack as one CloudFormation (SAM) template, and the Lambda zip.

    python -m infra.package --stage prod [--arch x86_64] [--arch arm64] [--force] [--json]

For each architecture, into build/package/<stage>-<arch>/ (sam.json, deployment.zip, report.json):

1. Dependencies. requirements.txt (with the pins of infra/lambda-pins.txt) is installed by
   pip from manylinux wheels only, for Lambda's Python, architecture and glibc, with the
   versions the dev venv tested (its `pip freeze` constrains the transitive ones), and
   byte-compiled. Chalice would try the same but, failing to find a wheel, silently builds
   the sdist for *this* machine; pip with --only-binary fails loudly instead. Cached in
   build/lambda/deps/ by a hash of what decides the result.
2. A staging copy of the project (app.py, chalicelib/, .chalice/) whose vendor/ is those
   dependencies and whose requirements.txt is empty, so chalice zips them as they are.
3. The merge template: infra/template.yaml + infra/lambda.yaml + what every function needs,
   generated from the app itself (function name, stack-derived environment, log group with
   retention, errors alarm, and for SQS handlers the queue's stack ARN and partial batch
   responses), so a new handler needs only its IAM policy file.
4. `chalice package --stage <stage> --merge-template merge.json <out>`.
5. Checks: every generated fragment landed on a resource chalice wrote; every function has
   its own least-privilege policy; every native library in the zip is for the architecture
   and loads on Lambda's glibc; the zip's size against Lambda's limits.

A build whose inputs have not changed is reused (report.json records their hash), so the
check `make test` runs costs seconds after the first build.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
INFRA_DIR = PROJECT_DIR / "infra"
CHALICE_DIR = PROJECT_DIR / ".chalice"
BUILD_DIR = PROJECT_DIR / "build"
PINS_FILE = INFRA_DIR / "lambda-pins.txt"
# Part of the dependency cache's key: bump it when install_dependencies changes what it installs.
BUILD_FORMAT = 1

ARCHITECTURES = {"x86_64": "x86_64", "arm64": "aarch64"}  # Lambda name -> ELF / wheel machine
MB = 1024 * 1024
# https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
ZIPPED_LIMIT = 50 * MB  # direct upload; through S3 (CloudFormation) only the unzipped limit applies
UNZIPPED_LIMIT = 250 * MB  # function code plus all layers


@dataclass(frozen=True)
class LambdaLinux:
    """The OS image under a Lambda Python runtime: what native code can rely on."""

    image: str
    # Newest symbol version available per family in the system libraries.
    max_versions: dict[str, tuple[int, ...]]


_AL2 = LambdaLinux(
    "Amazon Linux 2",
    {"GLIBC": (2, 26), "GLIBCXX": (3, 4, 24), "CXXABI": (1, 3, 11), "GCC": (7, 0, 0), "ZLIB": (1, 2, 7)},
)
_AL2023 = LambdaLinux(
    "Amazon Linux 2023",
    {"GLIBC": (2, 34), "GLIBCXX": (3, 4, 29), "CXXABI": (1, 3, 13), "GCC": (11, 0, 0), "ZLIB": (1, 2, 11)},
)
RUNTIME_LINUX = {"python3.10": _AL2, "python3.11": _AL2, "python3.12": _AL2023, "python3.13": _AL2023}
# Libraries every Lambda image provides (and the manylinux policy lets wheels link against).
SYSTEM_LIBRARIES = frozenset(
    {
        "libc.so.6",
        "libm.so.6",
        "libpthread.so.0",
        "libdl.so.2",
        "librt.so.1",
        "libutil.so.1",
        "libgcc_s.so.1",
        "libstdc++.so.6",
        "libz.so.1",
        "ld-linux-x86-64.so.2",
        "ld-linux-aarch64.so.1",
    }
)
# The native code the app needs; the check fails if a build lacks any of them.
REQUIRED_NATIVE = {
    "pydantic-core": "pydantic_core/_pydantic_core.",
    "cryptography": "cryptography/hazmat/bindings/_rust.",
}
# The image library ships in its own layer, attached only to the functions that make
# thumbnails (infra/lambda.yaml ImagingFunctions): the API and the authorizer go without it.
IMAGING_LAYER = "imaging-layer.zip"
IMAGING_LOGICAL_ID = "ImagingLayer"
IMAGING_NATIVE = {"pillow": "python/PIL/_imaging."}
_IMAGING_PATHS = re.compile(r"^(PIL/|pillow\.libs/|pillow-[^/]+\.dist-info/)")

# Resource type -> the property holding the physical name the app is configured with.
NAME_PROPERTIES = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SQS::Queue": "QueueName",
}


# The stream consumer's event filter: changes to the items it aggregates, nothing else.
STREAM_ENTITIES = ["post", "smile", "comment"]
STREAM_FILTERS = [
    {"Pattern": json.dumps({"dynamodb": {image: {"type": {"S": STREAM_ENTITIES}}}})}
    for image in ("NewImage", "OldImage")
]


class PackageError(Exception):
    pass


# --- the app's functions ------------------------------------------------------------------


@dataclass(frozen=True)
class Function:
    """One Lambda function chalice generates for the app."""

    name: str  # chalice's name: the key in .chalice/config.json lambda_functions
    logical_id: str  # its AWS::Serverless::Function in the SAM template
    handler: str
    kind: str  # api | authorizer | sqs | schedule | stream | other
    queue: str | None = None
    event_id: str | None = None  # the SAM event chalice writes for an event source


def cfn_name(name: str) -> str:
    from chalice.utils import to_cfn_resource_name

    return to_cfn_resource_name(name)


def app_functions(app: Any) -> list[Function]:
    """Every function chalice will generate for the app, named as chalice names them."""
    from chalice.app import CloudWatchEventConfig, DynamoDBEventConfig, ScheduledEventConfig, SQSEventConfig

    functions: list[Function] = []
    if app.routes:
        # chalice names the REST handler's resource APIHandler, not ApiHandler.
        functions.append(Function("api_handler", "APIHandler", "app.app", "api"))
    for authorizer in app.builtin_auth_handlers:
        functions.append(
            Function(authorizer.name, cfn_name(authorizer.name), authorizer.handler_string, "authorizer")
        )
    for source in app.event_sources:
        logical_id = cfn_name(source.name)
        if isinstance(source, SQSEventConfig):
            queue = source.queue or str(source.queue_arn).rsplit(":", 1)[-1]
            event_id = cfn_name(f"{source.name}-sqs-event-source")
            functions.append(Function(source.name, logical_id, source.handler_string, "sqs", queue, event_id))
        elif isinstance(source, DynamoDBEventConfig):
            event_id = cfn_name(f"{source.name}-dynamodb-event-source")
            functions.append(
                Function(source.name, logical_id, source.handler_string, "stream", None, event_id)
            )
        elif isinstance(source, ScheduledEventConfig | CloudWatchEventConfig):
            functions.append(Function(source.name, logical_id, source.handler_string, "schedule"))
        else:
            functions.append(Function(source.name, logical_id, source.handler_string, "other"))
    for pure in app.pure_lambda_functions:
        functions.append(Function(pure.name, cfn_name(pure.name), pure.handler_string, "other"))
    return functions


def load_app(stage: str) -> tuple[Any, dict[str, Any]]:
    """The Chalice app as `chalice package` sees it: imported with the stage's environment.

    Sets the stage's variables in os.environ, as chalice does: call it in the packaging process
    only (`build` runs one), never in a process that goes on to do anything else.
    """
    from chalice.cli.factory import CLIFactory

    for name in [n for n in os.environ if n.startswith("FLINT_") or n == "AWS_ENDPOINT_URL"]:
        del os.environ[name]  # only config.json decides, as in chalice's own process
    config = CLIFactory(str(PROJECT_DIR), environ=os.environ).create_config_obj(chalice_stage_name=stage)
    return config.chalice_app, dict(config.environment_variables)


def chalice_config() -> dict[str, Any]:
    return json.loads((CHALICE_DIR / "config.json").read_text())


def policy_files(config: Mapping[str, Any], functions: list[Function]) -> dict[str, Path]:
    """Each function's own policy file; raises naming every function that lacks one."""
    problems = []
    if config.get("autogen_policy", True) is not False or any(
        stage.get("autogen_policy") for stage in config.get("stages", {}).values()
    ):
        problems.append('.chalice/config.json must set "autogen_policy": false (policies are checked in)')
    found: dict[str, Path] = {}
    settings = config.get("lambda_functions", {})
    for function in functions:
        filename = settings.get(function.name, {}).get("iam_policy_file")
        if not filename:
            problems.append(
                f"{function.name}: no lambda_functions.{function.name}.iam_policy_file in "
                f".chalice/config.json (add one naming .chalice/policy-{function.name}.json)"
            )
        elif not (CHALICE_DIR / filename).is_file():
            problems.append(f"{function.name}: policy file .chalice/{filename} does not exist")
        else:
            found[function.name] = CHALICE_DIR / filename
    stale = sorted(set(settings) - {f.name for f in functions})
    if stale:
        problems.append(f"lambda_functions in .chalice/config.json name no function of the app: {stale}")
    if problems:
        raise PackageError("least-privilege policies:\n  " + "\n  ".join(problems))
    return found


# --- templates ----------------------------------------------------------------------------


def load_yaml(path: Path) -> dict[str, Any]:
    from flint_template import load_template  # reads !Ref/!Sub/... into their long forms

    return load_template(path)


def deep_merge(base: Any, overlay: Any) -> Any:
    """What chalice's --merge-template does: dicts merge key by key, anything else is replaced."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        merged = dict(base)
        for key, value in overlay.items():
            merged[key] = deep_merge(base.get(key), value)
        return merged
    return copy.deepcopy(overlay)


def _sub_parameters(value: Any, parameters: Mapping[str, str]) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in parameters:
        return parameters[value["Ref"]]
    if isinstance(value, dict) and set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):

        def replace(match: re.Match[str]) -> str:
            if match.group(1) not in parameters:
                raise PackageError(f"cannot resolve ${{{match.group(1)}}} in a resource name")
            return parameters[match.group(1)]

        return re.sub(r"\$\{([^}!]+)\}", replace, value["Fn::Sub"])
    raise PackageError(f"cannot resolve the name {value!r}")


def _condition(template: Mapping[str, Any], name: str, parameters: Mapping[str, str]) -> bool:
    """A condition on parameters alone (Fn::Equals of a Ref and a literal), as the names use."""
    node = template["Conditions"][name]
    if set(node) == {"Fn::Equals"}:
        left, right = (_sub_parameters(item, parameters) for item in node["Fn::Equals"])
        return left == right
    raise PackageError(f"condition {name} is not a Fn::Equals of parameters: cannot resolve a name with it")


def physical_names(template: Mapping[str, Any], parameters: Mapping[str, str]) -> dict[str, str]:
    """Logical id -> name, for the tables, buckets and queues the app is configured with by name.

    Names that exist only in AWS (with the account id, e.g. the buckets) are left out: the
    Lambdas get those from the stack, and config.json's names are the local stack's.
    """
    declared = template.get("Parameters", {})
    parameters = {**{name: str(spec.get("Default", "")) for name, spec in declared.items()}, **parameters}
    names = {}
    for logical_id, resource in template["Resources"].items():
        prop = NAME_PROPERTIES.get(resource.get("Type", ""))
        if not (prop and prop in resource.get("Properties", {})):
            continue
        value = resource["Properties"][prop]
        if isinstance(value, dict) and set(value) == {"Fn::If"}:
            condition, if_true, if_false = value["Fn::If"]
            value = if_true if _condition(template, condition, parameters) else if_false
        if isinstance(value, dict) and "${AWS::AccountId}" in str(value.get("Fn::Sub", "")):
            continue
        names[logical_id] = _sub_parameters(value, parameters)
    return names


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
                    # The stack's table stream (config.json holds only a placeholder ARN).
                    "Stream": {"Fn::GetAtt": ["FlintTable", "StreamArn"]},
                    "FunctionResponseTypes": ["ReportBatchItemFailures"],
                    # Only posts, smiles and comments invoke it (not the counters it writes).
                    "FilterCriteria": {"Filters": STREAM_FILTERS},
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


# Packaged-template defaults of the parameters whose local value differs (infra/template.yaml).
AWS_PARAMETERS = {"BucketNameSuffix": "account-region", "PasswordAuth": "false"}


def merge_template(
    stage: str, app_name: str, functions: list[Function], stage_env: Mapping[str, Any]
) -> dict[str, Any]:
    """infra/template.yaml + infra/lambda.yaml + every function's parts, for --merge-template."""
    stateful = load_yaml(INFRA_DIR / "template.yaml")
    lambda_side = load_yaml(INFRA_DIR / "lambda.yaml")
    metadata = lambda_side.pop("Metadata", {})
    defaults = metadata.get("FunctionDefaults", {})
    clashes = set(stateful["Resources"]) & {
        lid for lid, res in lambda_side["Resources"].items() if "Type" in res
    }
    if clashes:
        raise PackageError(f"infra/template.yaml and infra/lambda.yaml both declare {sorted(clashes)}")
    merged = deep_merge(stateful, lambda_side)

    stage_param = merged["Parameters"]["Stage"]
    if stage not in stage_param.get("AllowedValues", [stage]):
        raise PackageError(f"stage {stage!r} is not one of the template's {stage_param['AllowedValues']}")
    parameters = {"Stage": stage, "NamePrefix": f"{app_name}-{stage}", **AWS_PARAMETERS}
    for key, value in parameters.items():
        merged["Parameters"][key]["Default"] = value  # `aws cloudformation deploy` needs no overrides

    names = physical_names(merged, parameters)
    # The same code runs locally and in AWS: config.json's names for this stage are the stack's.
    mismatched = []
    for variable, value in defaults.get("Environment", {}).get("Variables", {}).items():
        target = None
        if isinstance(value, dict):
            target = value["Ref"] if "Ref" in value else (value.get("Fn::GetAtt") or [None])[0]
        if target in names and variable in stage_env and stage_env[variable] != names[target]:
            mismatched.append(f"{variable}: config.json {stage_env[variable]!r}, stack {names[target]!r}")
    if mismatched:
        raise PackageError(f"stage {stage}: .chalice/config.json and the stack disagree: {mismatched}")

    queues = {
        lid: name for lid, name in names.items() if merged["Resources"][lid]["Type"] == "AWS::SQS::Queue"
    }
    settings = chalice_config().get("lambda_functions", {})
    environments = metadata.get("FunctionEnvironment", {})
    unknown = set(environments) - {f.name for f in functions}
    if unknown:
        raise PackageError(
            f"infra/lambda.yaml FunctionEnvironment names no function of the app: {sorted(unknown)}"
        )
    for function in functions:
        parts = function_parts(
            function,
            defaults,
            queues,
            settings=settings.get(function.name, {}),
            environment=environments.get(function.name, {}),
            consumers=metadata["QueueConsumers"],
        )
        for logical_id, part in parts.items():
            if logical_id in merged["Resources"] and "Type" in part:
                raise PackageError(f"{logical_id} is generated for {function.name} but already declared")
            merged["Resources"][logical_id] = deep_merge(merged["Resources"].get(logical_id), part)
    resources = merged["Resources"]
    # The API's web ACL: the edge ACL's rules, for API Gateway (REGIONAL).
    edge = resources["CloudFrontWebAcl"]["Properties"]
    resources["ApiWebAcl"] = {
        "Type": "AWS::WAFv2::WebACL",
        "Condition": "HasApiWaf",
        "Properties": {
            **copy.deepcopy(edge),
            "Name": {"Fn::Sub": "${NamePrefix}-api"},
            "Scope": "REGIONAL",
            "VisibilityConfig": {**edge["VisibilityConfig"], "MetricName": {"Fn::Sub": "${NamePrefix}-api"}},
        },
    }
    imaging = metadata.get("ImagingFunctions", [])
    unknown = set(imaging) - {f.name for f in functions}
    if unknown:
        raise PackageError(f"infra/lambda.yaml ImagingFunctions names no function: {sorted(unknown)}")
    resources[IMAGING_LOGICAL_ID] = {
        "Type": "AWS::Serverless::LayerVersion",
        "Properties": {
            "LayerName": {"Fn::Sub": "${NamePrefix}-imaging"},
            "Description": "Pillow and its libraries, for the functions that make thumbnails.",
            "ContentUri": f"./{IMAGING_LAYER}",
            "CompatibleRuntimes": [python_runtime()],
            # Older versions stay: a rolled-back function version still finds its layer.
            "RetentionPolicy": "Retain",
        },
    }
    for function in functions:
        if function.name in imaging:
            properties = resources[function.logical_id]["Properties"]
            properties["Layers"] = [{"Ref": IMAGING_LOGICAL_ID}]
    resources["TableSystemErrorsAlarm"] = table_alarm("FlintTable")
    consumed = {lid: name for lid, name in queues.items() if "DeadLetter" not in lid and "Failure" not in lid}
    resources["Dashboard"] = dashboard(functions, consumed, "FlintTable")
    return merged


# --- dependencies ---------------------------------------------------------------------------


def python_runtime() -> str:
    return f"python{sys.version_info.major}.{sys.version_info.minor}"


def _requirement_name(line: str) -> str | None:
    match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
    return (
        re.sub(r"[-_.]+", "-", match.group(1)).lower()
        if match and not line.lstrip().startswith("#")
        else None
    )


def lambda_requirements() -> tuple[str, dict[str, tuple[str, str]]]:
    """requirements.txt with infra/lambda-pins.txt applied; and what was changed (name -> (was, now))."""
    pins = {}
    for line in PINS_FILE.read_text().splitlines() if PINS_FILE.exists() else []:
        name = _requirement_name(line)
        if name:
            pins[name] = line.split("#", 1)[0].strip()
    lines, changed = [], {}
    for line in (PROJECT_DIR / "requirements.txt").read_text().splitlines():
        name = _requirement_name(line)
        if name in pins:
            requirement = line.split("#", 1)[0].strip()
            if requirement != pins[name]:
                changed[name] = (requirement, pins[name])
            line = pins[name]
        lines.append(line)
    unknown = set(pins) - {_requirement_name(line) for line in lines}
    if unknown:
        raise PackageError(f"infra/lambda-pins.txt pins packages requirements.txt lacks: {sorted(unknown)}")
    return "\n".join(lines) + "\n", changed


def tested_versions(exclude: set[str]) -> str:
    """The dev venv's versions, as pip constraints: Lambda gets the transitive versions tests ran on."""
    frozen = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    keep = [line for line in frozen.splitlines() if "==" in line and _requirement_name(line) not in exclude]
    return "\n".join(sorted(keep, key=str.lower)) + "\n"


def _platforms(machine: str, linux: LambdaLinux) -> list[str]:
    glibc_major, glibc_minor = linux.max_versions["GLIBC"]
    # pip takes --platform literally: list every glibc the runtime satisfies, then the legacy alias.
    tags = [f"manylinux_{glibc_major}_{minor}_{machine}" for minor in range(17, glibc_minor + 1)]
    return [*tags, f"manylinux2014_{machine}"]


def _digest(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def install_dependencies(arch: str, log: Any) -> tuple[Path, dict[str, tuple[str, str]]]:
    """The Lambda dependencies for `arch`, installed from manylinux wheels (cached)."""
    requirements, pinned = lambda_requirements()
    # requirements.txt pins the direct dependencies; the venv's versions pin the transitive ones.
    direct = {name for name in map(_requirement_name, requirements.splitlines()) if name}
    constraints = tested_versions(exclude=direct | {"chalice"})
    runtime = python_runtime()
    linux = RUNTIME_LINUX.get(runtime)
    if linux is None:
        raise PackageError(f"no Lambda image known for {runtime}: extend RUNTIME_LINUX in infra/package.py")
    platforms = _platforms(ARCHITECTURES[arch], linux)
    key = _digest(str(BUILD_FORMAT), requirements, constraints, runtime, arch, *platforms)
    target = BUILD_DIR / "lambda" / "deps" / f"{runtime}-{arch}-{key}"
    if (target / ".complete").exists():
        return target, pinned
    log(f"installing Lambda dependencies for {runtime} {arch} (manylinux wheels only)")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    (partial / ".requirements.txt").write_text(requirements)
    (partial / ".constraints.txt").write_text(constraints)
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--target", str(partial / "site"), "--only-binary=:all:", "--implementation", "cp",
        "--python-version", runtime.removeprefix("python"), "--abi", "cp" + runtime[6:].replace(".", ""),
        *[arg for platform in platforms for arg in ("--platform", platform)],
        "--no-compile", "-r", str(partial / ".requirements.txt"), "-c", str(partial / ".constraints.txt"),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise PackageError(
            f"pip could not install the Lambda dependencies for {arch} from manylinux wheels "
            f"(glibc <= {'.'.join(map(str, linux.max_versions['GLIBC']))}, {linux.image}):\n"
            f"{result.stderr.strip()}\nPin a version with such wheels in infra/lambda-pins.txt."
        )
    site = partial / "site"
    shutil.rmtree(site / "bin", ignore_errors=True)  # console scripts: useless in Lambda
    # Lambda's /var/task is read-only: without .pyc every cold start compiles every import.
    # unchecked-hash: valid whatever mtimes the zip round-trip leaves.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "compileall",
            "-q",
            "-j",
            "0",
            "--invalidation-mode",
            "unchecked-hash",
            str(site),
        ],
        check=True,
        capture_output=True,
    )
    (partial / ".complete").write_text(json.dumps({"platforms": platforms, "pinned": pinned}))
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    for stale in target.parent.glob(f"{runtime}-{arch}-*"):
        if stale != target:
            shutil.rmtree(stale, ignore_errors=True)  # an older requirements set
    return target, pinned


# --- chalice ----------------------------------------------------------------------------


def _copy_project(staging: Path, stage: str, arch: str, deps: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
    (staging / ".chalice").mkdir(parents=True)
    shutil.copy2(PROJECT_DIR / "app.py", staging / "app.py")
    shutil.copytree(
        PROJECT_DIR / "chalicelib", staging / "chalicelib", ignore=shutil.ignore_patterns("__pycache__")
    )
    config = chalice_config()
    config.setdefault("stages", {}).setdefault(stage, {})["lambda_architecture"] = arch
    (staging / ".chalice" / "config.json").write_text(json.dumps(config, indent=2))
    for policy in CHALICE_DIR.glob("policy-*.json"):
        shutil.copy2(policy, staging / ".chalice" / policy.name)
    (staging / "requirements.txt").write_text("# vendor/ holds the dependencies: see infra/package.py\n")
    (staging / "vendor").symlink_to(deps / "site", target_is_directory=True)


def run_chalice(staging: Path, stage: str, merge: Path, out: Path) -> None:
    shutil.rmtree(out, ignore_errors=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "FLINT_")) and key not in ("PYTHONPATH",)
    }
    env["AWS_DEFAULT_REGION"] = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")  # chalice needs one
    chalice = Path(sys.executable).with_name("chalice")
    command = [str(chalice), "--project-dir", str(staging), "package", "--stage", stage]
    result = subprocess.run(
        [*command, "--merge-template", str(merge), str(out)], env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise PackageError(f"chalice package failed:\n{result.stdout}{result.stderr}")


def finish_template(template: dict[str, Any], functions: list[Function]) -> dict[str, Any]:
    """What the merge cannot reach inside chalice's output.

    - API Gateway invokes the functions' `live` alias, so CodeDeploy's traffic shifting and
      rollback apply to the API and the authorizer too (chalice points it at the function).
    - The API's CORS preflights answer the site's origin (chalice writes the origin the app
      had when packaged; the stack's SiteOrigin parameter decides in AWS).
    """
    by_arn = {f"${{{f.logical_id}.Arn}}": f"${{{f.logical_id}.Alias}}" for f in functions}

    def rewrite(node: Any) -> Any:
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        if not isinstance(node, dict):
            return node
        if set(node) == {"Fn::Sub"} and isinstance(node["Fn::Sub"], str):
            text = node["Fn::Sub"]
            for arn, alias in by_arn.items():
                text = text.replace(arn, alias)
            return {"Fn::Sub": text}
        out = {}
        for key, value in node.items():
            if key == "method.response.header.Access-Control-Allow-Origin":
                value = {"Fn::Sub": "'${SiteOrigin}'"}
            out[key] = rewrite(value)
        return out

    resources = template["Resources"]
    api = resources.get("RestAPI")
    if api is not None:
        api["Properties"]["DefinitionBody"] = rewrite(api["Properties"]["DefinitionBody"])
        # cfn-lint reads ${Fn.Alias} as a GetAtt Lambda lacks; the SAM transform resolves it
        # (infra/checks.py lints the transformed template, where this rule stays on).
        api["Metadata"] = {"cfn-lint": {"config": {"ignore_checks": ["E1019"]}}}
    for function in functions:
        permission = resources.get(f"{function.logical_id}InvokePermission")
        if permission is not None:
            permission["Properties"]["FunctionName"] = {"Ref": f"{function.logical_id}.Alias"}
    return template


# --- checks -------------------------------------------------------------------------------


def _mixed_intrinsics(node: Any, where: str) -> Iterator[str]:
    """Dicts the deep merge spliced into chalice's intrinsics, e.g. {"Fn::Sub": .., "Fn::GetAtt": ..}."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _mixed_intrinsics(item, f"{where}[{index}]")
    elif isinstance(node, dict):
        if len(node) > 1 and any(key == "Ref" or key.startswith("Fn::") for key in node):
            yield f"{where}: merged into an intrinsic function: {sorted(node)}"
        for key, value in node.items():
            yield from _mixed_intrinsics(value, f"{where}.{key}")


def split_imaging_layer(out: Path) -> None:
    """Move the image library out of chalice's zip into the layer zip (under python/, on Lambda's path)."""
    source, app_zip, layer_zip = out / "deployment.zip", out / "deployment.zip.partial", out / IMAGING_LAYER
    with (
        zipfile.ZipFile(source) as archive,
        zipfile.ZipFile(app_zip, "w", zipfile.ZIP_DEFLATED) as app,
        zipfile.ZipFile(layer_zip, "w", zipfile.ZIP_DEFLATED) as layer,
    ):
        for info in archive.infolist():
            data = archive.read(info)
            if _IMAGING_PATHS.match(info.filename):
                moved = zipfile.ZipInfo(f"python/{info.filename}", date_time=info.date_time)
                moved.external_attr = info.external_attr
                moved.compress_type = zipfile.ZIP_DEFLATED
                layer.writestr(moved, data)
            else:
                app.writestr(info, data)
    app_zip.replace(source)


def function_sizes(
    template: Mapping[str, Any], functions: list[Function], code: ZipReport, layer: ZipReport
) -> dict[str, dict[str, int]]:
    """What each function deploys: its code zip, plus the layers it has (Lambda's limits count both)."""
    sizes = {}
    for function in functions:
        layers = template["Resources"][function.logical_id]["Properties"].get("Layers", [])
        with_layer = {"Ref": IMAGING_LOGICAL_ID} in layers
        sizes[function.name] = {
            "zipped_bytes": code.zipped_bytes + (layer.zipped_bytes if with_layer else 0),
            "unzipped_bytes": code.unzipped_bytes + (layer.unzipped_bytes if with_layer else 0),
            "imaging_layer": with_layer,
        }
    too_big = [name for name, size in sizes.items() if size["unzipped_bytes"] > UNZIPPED_LIMIT]
    if too_big:
        raise PackageError(f"functions over Lambda's {UNZIPPED_LIMIT / MB:.0f} MB unzipped: {too_big}")
    return sizes


def check_template(template: Mapping[str, Any], functions: list[Function]) -> None:
    problems = list(_mixed_intrinsics(template["Resources"], "Resources"))
    for logical_id, resource in template["Resources"].items():
        if "Type" not in resource:
            problems.append(f"{logical_id}: merged into a resource chalice did not write")
    for function in functions:
        resource = template["Resources"].get(function.logical_id, {})
        if resource.get("Type") != "AWS::Serverless::Function" or resource["Properties"]["Handler"] != (
            function.handler
        ):
            problems.append(
                f"{function.name}: expected {function.logical_id} with handler {function.handler}"
            )
            continue
        for event_id, event in resource["Properties"].get("Events", {}).items():
            if "Type" not in event:
                problems.append(
                    f"{function.name}: event {event_id} merged into an event chalice did not write"
                )
    declared = {f.logical_id for f in functions}
    extra = [
        lid
        for lid, res in template["Resources"].items()
        if res.get("Type") == "AWS::Serverless::Function" and lid not in declared
    ]
    if extra:
        problems.append(f"functions this packager does not know: {extra}")
    if problems:
        raise PackageError("packaged template:\n  " + "\n  ".join(problems))


def check_policies(policies: Mapping[str, Path], template: Mapping[str, Any]) -> None:
    from infra import iam

    problems = [
        f"{path.relative_to(PROJECT_DIR)}: {problem}"
        for function, path in policies.items()
        for problem in iam.lint(json.loads(path.read_text()), function=function, template=template)
    ]
    if problems:
        raise PackageError("least-privilege rules (infra/iam.py):\n  " + "\n  ".join(problems))


@dataclass
class ZipReport:
    zipped_bytes: int
    unzipped_bytes: int
    files: int
    native: dict[str, list[str]] = field(default_factory=dict)  # top-level package -> .so files


def check_zip(
    path: Path,
    arch: str,
    linux: LambdaLinux,
    *,
    required_native: Mapping[str, str] = REQUIRED_NATIVE,
    required_files: Sequence[str] = ("app.py", "chalice/app.py", "chalicelib/__init__.py"),
    forbidden: re.Pattern[str] | None = _IMAGING_PATHS,
) -> ZipReport:
    """The zip's native code suits the architecture and Lambda's glibc; the files it must (not) hold."""
    from infra import elf

    problems = []
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        basenames = {Path(name).name for name in names}
        report = ZipReport(path.stat().st_size, sum(i.file_size for i in infos), len(infos))
        for info in infos:
            filename = info.filename
            if not re.search(r"\.so(\.\d+)*$", filename):
                continue
            try:
                library = elf.read(archive.read(info))
            except elf.NotElf as exc:
                problems.append(f"{filename}: {exc}")
                continue
            report.native.setdefault(filename.removeprefix("python/").split("/", 1)[0], []).append(filename)
            if library.machine != ARCHITECTURES[arch]:
                problems.append(f"{filename}: built for {library.machine}, not {ARCHITECTURES[arch]}")
            missing = [n for n in library.needed if n not in SYSTEM_LIBRARIES and n not in basenames]
            if missing:
                problems.append(f"{filename}: needs {missing}, neither bundled nor on Lambda")
            for needed_from, families in library.versions.items():
                if needed_from not in SYSTEM_LIBRARIES:
                    continue  # a bundled library: its versions come with it
                for family, version in families.items():
                    available = linux.max_versions.get(family)
                    if available is not None and version > available:
                        problems.append(
                            f"{filename}: needs {family}_{'.'.join(map(str, version))} from {needed_from}; "
                            f"{linux.image} has {'.'.join(map(str, available))}"
                        )
        for package, prefix in required_native.items():
            if not any(name.startswith(prefix) and ".so" in name for name in names):
                problems.append(f"{package}: no {prefix}*.so in the zip")
        for required in required_files:
            if required not in names:
                problems.append(f"{required} is missing")
        if forbidden is not None:
            shipped = sorted({name.split("/", 1)[0] for name in names if forbidden.match(name)})
            if shipped:
                problems.append(f"{shipped} belong in the {IMAGING_LAYER} layer, not here")
    if report.zipped_bytes > ZIPPED_LIMIT:
        problems.append(f"zipped {report.zipped_bytes / MB:.1f} MB > {ZIPPED_LIMIT / MB:.0f} MB")
    if report.unzipped_bytes > UNZIPPED_LIMIT:
        problems.append(f"unzipped {report.unzipped_bytes / MB:.1f} MB > {UNZIPPED_LIMIT / MB:.0f} MB")
    if problems:
        raise PackageError(f"{path}:\n  " + "\n  ".join(problems))
    return report


# --- entry points -------------------------------------------------------------------------


@contextlib.contextmanager
def _lock() -> Iterator[None]:
    BUILD_DIR.mkdir(exist_ok=True)
    with open(BUILD_DIR / ".package.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # parallel test workers build once, then reuse
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _inputs_digest(stage: str, arch: str, deps: Path) -> str:
    files = [PROJECT_DIR / "app.py", Path(__file__), INFRA_DIR / "elf.py"]
    files += sorted((PROJECT_DIR / "chalicelib").rglob("*.py"))
    files += sorted(CHALICE_DIR.glob("*.json")) + sorted(INFRA_DIR.glob("*.yaml"))
    parts = [f"{path.relative_to(PROJECT_DIR)}\0".encode() + path.read_bytes() for path in files]
    return _digest(stage, arch, deps.name, python_runtime(), *parts)


def package(stage: str, arch: str, *, force: bool = False, log: Any = print) -> dict[str, Any]:
    """Build (or reuse) build/package/<stage>-<arch>/; returns its report."""
    if arch not in ARCHITECTURES:
        raise PackageError(f"unknown architecture {arch!r}: one of {sorted(ARCHITECTURES)}")
    out = BUILD_DIR / "package" / f"{stage}-{arch}"
    with _lock():
        deps, pinned = install_dependencies(arch, log)
        digest = _inputs_digest(stage, arch, deps)
        report_path = out / "report.json"
        if not force and report_path.exists():
            report = json.loads(report_path.read_text())
            if (
                report.get("inputs") == digest
                and (out / "sam.json").exists()
                and (out / "deployment.zip").exists()
            ):
                return report
        app, stage_env = load_app(stage)
        functions = app_functions(app)
        config = chalice_config()
        policies = policy_files(config, functions)
        staging = BUILD_DIR / "lambda" / "staging" / f"{stage}-{arch}"
        _copy_project(staging, stage, arch, deps)
        merged = merge_template(stage, config["app_name"], functions, stage_env)
        check_policies(policies, merged)
        merge = staging / "merge.json"
        merge.write_text(json.dumps(merged, indent=2))
        log(f"chalice package --stage {stage} ({arch})")
        run_chalice(staging, stage, merge, out)
        template = finish_template(json.loads((out / "sam.json").read_text()), functions)
        (out / "sam.json").write_text(json.dumps(template, indent=2))
        check_template(template, functions)
        split_imaging_layer(out)
        linux = RUNTIME_LINUX[python_runtime()]
        zip_report = check_zip(out / "deployment.zip", arch, linux)
        layer_report = check_zip(
            out / IMAGING_LAYER,
            arch,
            linux,
            required_native=IMAGING_NATIVE,
            required_files=(),
            forbidden=re.compile(r"^(?!python/)"),
        )
        sizes = function_sizes(template, functions, zip_report, layer_report)
        report = {
            "stage": stage,
            "arch": arch,
            "runtime": python_runtime(),
            "inputs": digest,
            "template": str(out / "sam.json"),
            "zip": str(out / "deployment.zip"),
            "dependencies": str(deps / "site"),
            "pinned_for_lambda": {name: list(change) for name, change in pinned.items()},
            "functions": {f.name: asdict(f) for f in functions},
            "policies": {name: str(path.relative_to(PROJECT_DIR)) for name, path in policies.items()},
            "size": asdict(zip_report),
            "layers": {IMAGING_LOGICAL_ID: {"zip": str(out / IMAGING_LAYER), "size": asdict(layer_report)}},
            "function_sizes": sizes,
            "limits": {"zipped_bytes": ZIPPED_LIMIT, "unzipped_bytes": UNZIPPED_LIMIT},
        }
        report_path.write_text(json.dumps(report, indent=2))
        return report


def build(stage: str, arches: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Package in a fresh interpreter (importing the app sets the stage's environment): reports by arch."""
    command = [sys.executable, "-m", "infra.package", "--stage", stage, "--json"]
    command += [arg for arch in arches for arg in ("--arch", arch)]
    result = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True)
    if result.returncode != 0:
        raise PackageError(result.stderr.strip())
    return {report["arch"]: report for report in json.loads(result.stdout)}


def describe(report: Mapping[str, Any]) -> str:
    size = report["size"]
    layer = report["layers"][IMAGING_LOGICAL_ID]["size"]
    lines = [
        f"{report['stage']} {report['arch']} ({report['runtime']}): {report['template']}",
        f"  code zip {size['zipped_bytes'] / MB:.1f} MB zipped (direct-upload limit "
        f"{ZIPPED_LIMIT / MB:.0f}), {size['unzipped_bytes'] / MB:.1f} MB unzipped "
        f"(limit {UNZIPPED_LIMIT / MB:.0f} MB, code and layers together)",
        f"  imaging layer {layer['zipped_bytes'] / MB:.1f} MB zipped, "
        f"{layer['unzipped_bytes'] / MB:.1f} MB unzipped",
        f"  native code: {', '.join(sorted({*size['native'], *layer['native']}))}",
        "  per function (code + layers):",
    ]
    for name, function in sorted(report["function_sizes"].items()):
        extra = " (with the imaging layer)" if function["imaging_layer"] else ""
        lines.append(
            f"    {name}: {function['zipped_bytes'] / MB:.1f} MB zipped, "
            f"{function['unzipped_bytes'] / MB:.1f} MB unzipped{extra}"
        )
    for name, (was, now) in report["pinned_for_lambda"].items():
        lines.append(f"  {name}: Lambda gets {now} (requirements.txt {was}): see infra/lambda-pins.txt")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--arch", action="append", choices=sorted(ARCHITECTURES), help="repeatable")
    parser.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    parser.add_argument("--json", action="store_true", help="print the reports as JSON")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(PROJECT_DIR))
    log = (lambda message: print(message, file=sys.stderr)) if args.json else print
    reports = []
    try:
        for arch in args.arch or ["x86_64"]:
            reports.append(package(args.stage, arch, force=args.force, log=log))
    except PackageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(reports, indent=2))
    else:
        print("\n".join(describe(report) for report in reports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
