"""The Lambdas' IAM policies: the least-privilege rules they follow, and what they allow.

Each function's policy is checked in as .chalice/policy-<function>.json and `chalice
package` copies it verbatim into that function's own role. Resources are named with
CloudFormation intrinsics (`Fn::GetAtt` / `Fn::Sub` on the stack's own resources), which
CloudFormation resolves at deploy time; chalice passes them through untouched.

`lint` states the rules (no wildcard resource or action, only the stack's own resources,
each function logs only to its own log group). `Evaluator` answers "would this policy let
that call through?" for the AWS calls the code really makes, with the intrinsics resolved
to the local stack's names, so tests can prove a policy is enough as well as narrow.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from flint_template.intrinsics import SUB_VARIABLE, sub_names
from flint_template.intrinsics import Evaluator as TemplateEvaluator

STATEMENT_KEYS = frozenset({"Sid", "Effect", "Action", "Resource", "Condition"})
_ACTION = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9]+$")
PSEUDO = frozenset({"AWS::Partition", "AWS::Region", "AWS::AccountId", "AWS::URLSuffix"})
PLACE_VARIABLES = {
    "${AWS::Partition}": "<partition>",
    "${AWS::Region}": "<region>",
    "${AWS::AccountId}": "<account>",
}


# Actions AWS authorises on no resource at all: their statements name "*" and nothing else.
def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# Actions AWS authorises on no resource type: their only possible Resource is "*". A statement
# using "*" holds these actions and nothing else (tracing: every function sends its segments;
# the thumbnailer labels and screens images).
UNSCOPED_ACTIONS = frozenset(
    {
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "rekognition:DetectLabels",
        "rekognition:DetectModerationLabels",
    }
)


def unscoped(statement: Mapping[str, Any]) -> bool:
    """The statement grants only actions that take no resource, on "*"."""
    actions = set(_as_list(statement.get("Action", [])))
    return _as_list(statement.get("Resource", [])) == ["*"] and bool(actions) and actions <= UNSCOPED_ACTIONS


def log_group_arn_suffix(function: str) -> str:
    return f":log-group:/aws/lambda/${{NamePrefix}}-{function}:*"


def lint(document: Mapping[str, Any], *, function: str, template: Mapping[str, Any]) -> list[str]:
    """Every way `document` (function's policy) breaks the least-privilege rules; [] when it follows them."""
    problems: list[str] = []
    resources = template.get("Resources", {})
    parameters = template.get("Parameters", {})
    if document.get("Version") != "2012-10-17":
        problems.append('Version must be "2012-10-17"')
    statements = _as_list(document.get("Statement", []))
    if not statements:
        problems.append("no statements")
    own_logs = False
    for index, statement in enumerate(statements):
        where = f"statement {statement.get('Sid', index)}"
        extra = set(statement) - STATEMENT_KEYS
        if extra:
            problems.append(f"{where}: {sorted(extra)} not allowed (no NotAction/NotResource/Principal)")
        if statement.get("Effect") != "Allow":
            problems.append(f"{where}: only Allow statements (a role starts with nothing)")
        for action in _as_list(statement.get("Action", [])):
            if not isinstance(action, str) or not _ACTION.match(action):
                problems.append(f"{where}: action {action!r} must be one exact service:Action (no wildcards)")
        if unscoped(statement):
            continue
        for resource in _as_list(statement.get("Resource", [])):
            problems += [f"{where}: {p}" for p in _resource_problems(resource, resources, parameters)]
            text = resource.get("Fn::Sub", "") if isinstance(resource, dict) else ""
            if isinstance(text, str) and "/aws/lambda/" in text:
                if text.endswith(log_group_arn_suffix(function)):
                    own_logs = True
                else:
                    problems.append(f"{where}: a log group other than the function's own: {text}")
    if not own_logs:
        problems.append(
            f"no statement lets the function write its own logs (arn:...{log_group_arn_suffix(function)})"
        )
    return problems


def _resource_problems(
    resource: Any, resources: Mapping[str, Any], parameters: Mapping[str, Any]
) -> list[str]:
    if isinstance(resource, str):
        return [
            f"resource {resource!r}: name the stack's resources with Fn::GetAtt or Fn::Sub, not a literal"
        ]
    if not isinstance(resource, dict) or len(resource) != 1:
        return [f"resource {resource!r}: one Fn::GetAtt or Fn::Sub"]
    ((function, value),) = resource.items()
    if function == "Fn::GetAtt":
        if not (isinstance(value, list) and len(value) == 2 and value[1] == "Arn"):
            return [f"resource {resource!r}: Fn::GetAtt [<resource>, Arn]"]
        return [] if value[0] in resources else [f"resource {resource!r}: no resource {value[0]!r}"]
    if function != "Fn::Sub" or not isinstance(value, str):
        return [f"resource {resource!r}: one Fn::GetAtt or Fn::Sub (a string)"]
    problems = []
    names = sub_names(value)
    for name in names:
        base = name.split(".", 1)[0]
        if base not in resources and base not in parameters and name not in PSEUDO:
            problems.append(f"resource {value!r}: ${{{name}}} is not in the stack")
    if not any(name.split(".", 1)[0] in resources or name == "NamePrefix" for name in names):
        problems.append(f"resource {value!r}: names none of the stack's resources")
    # A wildcard may only close a path below a named resource: ".../uploads/*", "log-group:x:*".
    literal = SUB_VARIABLE.sub("", value)
    if "*" in literal[:-1] or (literal.endswith("*") and not value.endswith(("/*", ":*"))):
        problems.append(f"resource {value!r}: '*' only as the last path segment")
    masked = value
    for variable, placeholder in PLACE_VARIABLES.items():
        masked = masked.replace(variable, placeholder)  # "${AWS::Region}" holds colons of its own
    parts = masked.split(":")
    if masked.startswith("arn:") and [parts[1], parts[3], parts[4]] != [
        "<partition>",
        "<region>",
        "<account>",
    ]:
        problems.append(
            f"resource {value!r}: arn:${{AWS::Partition}}:<service>:${{AWS::Region}}:${{AWS::AccountId}}:"
        )
    return problems


# --- resolving and evaluating ---------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where the policies are evaluated: the names the stack's resources got."""

    names: Mapping[str, str]  # logical id -> table/bucket/queue/... name (what Ref answers here)
    types: Mapping[str, str]  # logical id -> resource type
    parameters: Mapping[str, str]
    region: str = "us-east-1"
    account: str = "123456789012"
    partition: str = "aws"

    def arn(self, logical_id: str) -> str:
        rtype = self.types[logical_id]
        if rtype == "AWS::Cognito::UserPool":
            # Pool ids are generated: the local stack's, or a stand-in where none was provisioned.
            pool = self.names.get(logical_id, logical_id)
            return f"arn:{self.partition}:cognito-idp:{self.region}:{self.account}:userpool/{pool}"
        name = self.names[logical_id]
        if rtype == "AWS::DynamoDB::Table":
            return f"arn:{self.partition}:dynamodb:{self.region}:{self.account}:table/{name}"
        if rtype == "AWS::S3::Bucket":
            return f"arn:{self.partition}:s3:::{name}"
        if rtype == "AWS::SQS::Queue":
            return f"arn:{self.partition}:sqs:{self.region}:{self.account}:{name}"
        raise KeyError(f"no ARN rule for {logical_id} ({rtype})")

    def resolve(self, node: Any) -> Any:
        """A policy value with its intrinsics resolved here, by the one template interpreter."""
        pseudo = {
            "AWS::Partition": lambda: self.partition,
            "AWS::Region": lambda: self.region,
            "AWS::AccountId": lambda: self.account,
            "AWS::URLSuffix": lambda: "amazonaws.com",
        }
        template = {"Resources": {logical_id: {"Type": rtype} for logical_id, rtype in self.types.items()}}
        return TemplateEvaluator(
            template, self.parameters, resource=self._ref, attribute=self._attribute, pseudo=pseudo
        ).resolve(node)

    def _attribute(self, logical_id: str, attribute: str) -> str:
        if attribute == "StreamArn" and self.types.get(logical_id) == "AWS::DynamoDB::Table":
            # Any of the table's streams: the label after /stream/ is chosen by DynamoDB.
            return f"{self.arn(logical_id)}/stream/*"
        if attribute != "Arn":
            raise KeyError(f"{logical_id}.{attribute}")
        return self.arn(logical_id)

    def _ref(self, logical_id: str) -> str:
        if logical_id not in self.names and self.types.get(logical_id) == "AWS::SecretsManager::Secret":
            # Ref answers the secret's ARN; its name is generated, so here a stand-in.
            return f"arn:{self.partition}:secretsmanager:{self.region}:{self.account}:secret:{logical_id}"
        return self.names[logical_id]


@dataclass(frozen=True)
class Request:
    """One IAM authorization: an action on a resource, with the condition keys it carries."""

    action: str
    resource: str
    context: Mapping[str, tuple[str, ...]] = None  # type: ignore[assignment]

    def __str__(self) -> str:
        extra = f" {dict(self.context)}" if self.context else ""
        return f"{self.action} on {self.resource}{extra}"


def _matches(pattern: str, value: str) -> bool:
    return fnmatch.fnmatchcase(value, pattern)


def _condition_holds(condition: Mapping[str, Any], context: Mapping[str, tuple[str, ...]]) -> bool:
    for operator, tests in condition.items():
        for key, expected in tests.items():
            wanted = [str(e) for e in _as_list(expected)]
            values = context.get(key)
            if operator == "ForAllValues:StringLike":
                if values is None or not all(any(_matches(w, v) for w in wanted) for v in values):
                    return False
            elif operator in ("StringLike", "StringEquals"):
                compare = _matches if operator == "StringLike" else str.__eq__
                if values is None or len(values) != 1 or not any(compare(w, values[0]) for w in wanted):
                    return False
            else:
                raise ValueError(f"condition operator {operator} is not evaluated here: teach infra/iam.py")
    return True


def allows(document: Mapping[str, Any], request: Request) -> bool:
    """Does this resolved policy allow the request? (Allow-only policies: no Deny to weigh.)"""
    for statement in _as_list(document["Statement"]):
        if statement.get("Effect") != "Allow":
            continue
        if request.action not in _as_list(statement["Action"]):
            continue
        if not any(_matches(pattern, request.resource) for pattern in _as_list(statement["Resource"])):
            continue
        if _condition_holds(statement.get("Condition", {}), request.context or {}):
            return True
    return False


# --- what an AWS call needs ---------------------------------------------------------------


def _table_arn(place: Place, table: str) -> str:
    return f"arn:{place.partition}:dynamodb:{place.region}:{place.account}:table/{table}"


def _partition_keys(keys: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    found = []
    for key in keys:
        for name in ("PK",):
            if name in key:
                found.append(next(iter(key[name].values())))
    return tuple(found)


def _queue_arn(place: Place, queue_url_or_name: str) -> str:
    name = urlparse(queue_url_or_name).path.rsplit("/", 1)[-1] or queue_url_or_name
    return f"arn:{place.partition}:sqs:{place.region}:{place.account}:{name}"


def requests_for(service: str, operation: str, params: Mapping[str, Any], place: Place) -> list[Request]:
    """The IAM requests one AWS API call makes (IAM action names differ from operation names)."""
    if service == "dynamodb":
        return _dynamodb(operation, params, place)
    if service == "s3":
        return _s3(operation, params, place)
    if service == "sqs":
        return _sqs(operation, params, place)
    if service == "cognito-idp" and operation in _COGNITO_ADMIN:
        # The stack has one user pool: every call names it (UserPoolId).
        return [Request(f"cognito-idp:{operation}", place.arn("UserPool"))]
    if service == "rekognition" and operation in ("DetectLabels", "DetectModerationLabels"):
        requests = [Request(f"rekognition:{operation}", "*")]
        s3_object = params.get("Image", {}).get("S3Object")
        if s3_object:  # Rekognition reads the object with the caller's permissions
            requests += _s3("GetObject", {"Bucket": s3_object["Bucket"], "Key": s3_object["Name"]}, place)
        return requests
    raise ValueError(f"{service}:{operation}: teach infra/iam.py which IAM actions it needs")


_COGNITO_ADMIN = {
    "ListUsers",
    "AdminGetUser",
    "AdminDisableUser",
    "AdminUserGlobalSignOut",
    "AdminDeleteUser",
}
_ITEM_OPERATIONS = {"GetItem", "PutItem", "UpdateItem", "DeleteItem"}
_TRANSACT_ACTIONS = {
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
    "Get": "dynamodb:GetItem",
}


def _dynamodb(operation: str, params: Mapping[str, Any], place: Place) -> list[Request]:
    if operation in _ITEM_OPERATIONS:
        key = params.get("Key") or params.get("Item") or {}
        context = {"dynamodb:LeadingKeys": _partition_keys([key])}
        return [Request(f"dynamodb:{operation}", _table_arn(place, params["TableName"]), context)]
    if operation in ("Query", "Scan"):
        arn = _table_arn(place, params["TableName"])
        if params.get("IndexName"):
            arn += f"/index/{params['IndexName']}"
        return [Request(f"dynamodb:{operation}", arn)]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        requests = []
        for table, items in params["RequestItems"].items():
            if operation == "BatchGetItem":
                keys = items["Keys"]
            else:
                keys = [
                    next(iter(i.values())).get("Key") or next(iter(i.values())).get("Item") for i in items
                ]
            context = {"dynamodb:LeadingKeys": _partition_keys(keys)}
            requests.append(Request(f"dynamodb:{operation}", _table_arn(place, table), context))
        return requests
    if operation in ("TransactWriteItems", "TransactGetItems"):
        requests = []
        for item in params["TransactItems"]:
            ((kind, body),) = item.items()
            context = {"dynamodb:LeadingKeys": _partition_keys([body.get("Key") or body.get("Item") or {}])}
            requests.append(Request(_TRANSACT_ACTIONS[kind], _table_arn(place, body["TableName"]), context))
        return requests
    raise ValueError(f"dynamodb:{operation}: teach infra/iam.py which IAM actions it needs")


_DELETE_VERSION = "s3:DeleteObjectVersion"


def _s3(operation: str, params: Mapping[str, Any], place: Place) -> list[Request]:
    bucket = f"arn:{place.partition}:s3:::{params.get('Bucket', '')}"
    if operation in ("GetObject", "HeadObject"):
        return [Request("s3:GetObject", f"{bucket}/{params['Key']}")]
    if operation == "PutObject":
        return [Request("s3:PutObject", f"{bucket}/{params['Key']}")]
    if operation == "CopyObject":  # reads the source, writes the copy
        source = params["CopySource"]
        return [
            Request("s3:GetObject", f"arn:{place.partition}:s3:::{source['Bucket']}/{source['Key']}"),
            Request("s3:PutObject", f"{bucket}/{params['Key']}"),
        ]
    if operation == "DeleteObject":
        return [Request("s3:DeleteObject", f"{bucket}/{params['Key']}")]
    if operation == "DeleteObjects":
        # Deleting a given version is its own action (s3:DeleteObjectVersion).
        return [
            Request(_DELETE_VERSION if "VersionId" in o else "s3:DeleteObject", f"{bucket}/{o['Key']}")
            for o in params["Delete"]["Objects"]
        ]
    if operation in ("ListObjectsV2", "ListObjects"):
        return [Request("s3:ListBucket", bucket, {"s3:prefix": (params.get("Prefix", ""),)})]
    if operation == "ListObjectVersions":
        return [Request("s3:ListBucketVersions", bucket, {"s3:prefix": (params.get("Prefix", ""),)})]
    raise ValueError(f"s3:{operation}: teach infra/iam.py which IAM actions it needs")


_SQS_ACTIONS = {
    "SendMessage": "sqs:SendMessage",
    "SendMessageBatch": "sqs:SendMessage",
    "ReceiveMessage": "sqs:ReceiveMessage",
    "DeleteMessage": "sqs:DeleteMessage",
    "DeleteMessageBatch": "sqs:DeleteMessage",
    "ChangeMessageVisibility": "sqs:ChangeMessageVisibility",
    "ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
    "GetQueueAttributes": "sqs:GetQueueAttributes",
}


def _sqs(operation: str, params: Mapping[str, Any], place: Place) -> list[Request]:
    if operation == "GetQueueUrl":
        return [Request("sqs:GetQueueUrl", _queue_arn(place, params["QueueName"]))]
    if operation in _SQS_ACTIONS:
        return [Request(_SQS_ACTIONS[operation], _queue_arn(place, params["QueueUrl"]))]
    raise ValueError(f"sqs:{operation}: teach infra/iam.py which IAM actions it needs")
