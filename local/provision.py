"""Create the resources of infra/template.yaml in the local AWS emulator with plain boto3 calls.

moto's CloudFormation silently skips Cognito, SQS queue policies, table TTL and bucket
notifications, so the local stack reads the same template and creates every resource itself.
Every resource type and property this module handles is declared in HANDLED_PROPERTIES;
the few types that only make sense in AWS (CloudFront, alarms, ...) are declared in
NOT_EMULATED with the reason, and skipped. Anything else in the template raises before a
single resource is created, so the template cannot drift from what the local stack builds.

    AWS_ENDPOINT_URL=http://127.0.0.1:5000 python -m local.provision [--param Stage=dev]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import boto3
from botocore.exceptions import ClientError

from flint_template import TemplateError
from flint_template import load_template as _load_template
from flint_template.intrinsics import (
    INTRINSIC_FUNCTIONS,
    Evaluator,
    TemplateValueError,
    parameter_values,
    sub_names,
)

log = logging.getLogger(__name__)

DEFAULT_TEMPLATE = Path(__file__).resolve().parent.parent / "infra" / "template.yaml"
DEFAULT_STACK_NAME = "flint-local"

# CFN properties each resource type's handler maps to boto3; anything else is an error.
HANDLED_PROPERTIES: dict[str, frozenset[str]] = {
    "AWS::DynamoDB::Table": frozenset(
        {
            "TableName",
            "AttributeDefinitions",
            "KeySchema",
            "BillingMode",
            "ProvisionedThroughput",
            "GlobalSecondaryIndexes",
            "LocalSecondaryIndexes",
            "StreamSpecification",
            "SSESpecification",
            "DeletionProtectionEnabled",
            "TableClass",
            "Tags",
            "TimeToLiveSpecification",
            "PointInTimeRecoverySpecification",
        }
    ),
    "AWS::S3::Bucket": frozenset(
        {
            "BucketName",
            "PublicAccessBlockConfiguration",
            "BucketEncryption",
            "CorsConfiguration",
            "LifecycleConfiguration",
            "VersioningConfiguration",
            "NotificationConfiguration",
            "OwnershipControls",
            "LoggingConfiguration",
            "Tags",
        }
    ),
    "AWS::SQS::Queue": frozenset(
        {
            "QueueName",
            "VisibilityTimeout",
            "MessageRetentionPeriod",
            "DelaySeconds",
            "MaximumMessageSize",
            "ReceiveMessageWaitTimeSeconds",
            "FifoQueue",
            "ContentBasedDeduplication",
            "SqsManagedSseEnabled",
            "KmsMasterKeyId",
            "KmsDataKeyReusePeriodSeconds",
            "RedrivePolicy",
            "RedriveAllowPolicy",
            "Tags",
        }
    ),
    "AWS::SQS::QueuePolicy": frozenset({"Queues", "PolicyDocument"}),
    "AWS::Cognito::UserPool": frozenset(
        {
            "UserPoolName",
            "Policies",
            "UsernameAttributes",
            "AliasAttributes",
            "UsernameConfiguration",
            "AutoVerifiedAttributes",
            "AccountRecoverySetting",
            "Schema",
            "AdminCreateUserConfig",
            "MfaConfiguration",
            "EnabledMfas",
            "UserAttributeUpdateSettings",
            "DeletionProtection",
            "UserPoolTags",
            "UserPoolTier",
            # Accepted and deliberately not applied (see _cognito_user_pool):
            "UserPoolAddOns",
            "EmailConfiguration",
        }
    ),
    "AWS::Cognito::UserPoolClient": frozenset(
        {
            "UserPoolId",
            "ClientName",
            "GenerateSecret",
            "ExplicitAuthFlows",
            "PreventUserExistenceErrors",
            "EnableTokenRevocation",
            "AuthSessionValidity",
            "AccessTokenValidity",
            "IdTokenValidity",
            "RefreshTokenValidity",
            "TokenValidityUnits",
            "ReadAttributes",
            "WriteAttributes",
            "SupportedIdentityProviders",
            "CallbackURLs",
            "LogoutURLs",
            "AllowedOAuthFlows",
            "AllowedOAuthScopes",
            "AllowedOAuthFlowsUserPoolClient",
        }
    ),
    "AWS::Cognito::UserPoolGroup": frozenset(
        {"GroupName", "UserPoolId", "Description", "Precedence", "RoleArn"}
    ),
}

# Fn::GetAtt attributes each type can answer.
HANDLED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "AWS::DynamoDB::Table": frozenset({"Arn", "StreamArn"}),
    "AWS::S3::Bucket": frozenset({"Arn", "DomainName", "RegionalDomainName"}),
    "AWS::SQS::Queue": frozenset({"Arn", "QueueName", "QueueUrl"}),
    "AWS::SQS::QueuePolicy": frozenset(),
    "AWS::Cognito::UserPool": frozenset({"Arn", "ProviderName", "ProviderURL", "UserPoolId"}),
    "AWS::Cognito::UserPoolClient": frozenset({"ClientId", "Name"}),
    "AWS::Cognito::UserPoolGroup": frozenset(),
}

# Types the local stack deliberately does not create, and why. They have no local
# equivalent the app could use; cfn-lint checks their properties. A handled resource
# may not depend on one of them, and outputs that do are left out locally.
NOT_EMULATED: dict[str, str] = {
    "AWS::CloudFront::Distribution": (
        "no CDN locally: FLINT_MEDIA_BASE_URL stays unset, so media URLs point at the emulator's bucket"
    ),
    "AWS::CloudFront::OriginAccessControl": "only a CloudFront distribution uses it",
    "AWS::S3::BucketPolicy": (
        "it admits CloudFront and denies plain HTTP; the emulator has neither CloudFront nor policy checks"
    ),
    "AWS::CloudWatch::Alarm": "no metrics locally: failures show in `make dev` logs and dead-letter queues",
    "AWS::SNS::Topic": "only alarms publish to it",
    "AWS::SecretsManager::Secret": (
        "only the deployed API function reads it (chalicelib/secrets.py); locally the settings' "
        "development key signs cursors"
    ),
    "AWS::CloudFront::ResponseHeadersPolicy": "only a CloudFront distribution uses it",
    "AWS::WAFv2::WebACL": "no edge or API Gateway locally to filter: chalice local serves the API directly",
    "AWS::WAFv2::LoggingConfiguration": "no web ACL locally, so nothing to log",
    "AWS::Logs::LogGroup": "no CloudWatch Logs locally: the local stack logs to its console and log file",
    "AWS::SNS::TopicPolicy": "only the alarm topic has one, for budget and cost-anomaly alerts",
    "AWS::Budgets::Budget": "cost alerts mean nothing for the embedded AWS",
    "AWS::CE::AnomalyMonitor": "cost alerts mean nothing for the embedded AWS",
    "AWS::CE::AnomalySubscription": "cost alerts mean nothing for the embedded AWS",
}

# Resource-level keys; the deletion/update policies only matter to real CloudFormation.
RESOURCE_KEYS = frozenset(
    {"Type", "Properties", "DependsOn", "Condition", "DeletionPolicy", "UpdateReplacePolicy", "Metadata"}
)
PSEUDO_PARAMETERS = frozenset(
    {"AWS::Region", "AWS::AccountId", "AWS::Partition", "AWS::StackName", "AWS::NoValue", "AWS::URLSuffix"}
)
TEMPLATE_SECTIONS = frozenset(
    {
        "AWSTemplateFormatVersion",
        "Description",
        "Metadata",
        "Parameters",
        "Rules",
        "Conditions",
        "Resources",
        "Outputs",
    }
)


class ProvisionError(Exception):
    """The template uses something this provisioner does not handle, or is inconsistent."""


@dataclass(frozen=True)
class ProvisionedStack:
    outputs: dict[str, str]
    # Logical id -> what Ref answers: table/bucket name, queue URL, pool id, client id, group name.
    physical_ids: dict[str, str]
    parameters: dict[str, str]
    region: str
    # Logical ids that already existed in the emulator and were reused unchanged.
    adopted: frozenset[str] = field(default_factory=frozenset)
    # Logical ids skipped because their type is in NOT_EMULATED -> why.
    not_emulated: dict[str, str] = field(default_factory=dict)


# --- template loading: flint_template (shared with infra/package.py) ------------------------


def load_template(path: Path | str = DEFAULT_TEMPLATE) -> dict[str, Any]:
    try:
        return _load_template(path)
    except TemplateError as exc:
        raise ProvisionError(str(exc)) from exc


def validate_template(template: Mapping[str, Any]) -> None:
    """Raise ProvisionError listing every resource type, property or reference not handled here."""
    problems: list[str] = []
    resources: Mapping[str, Any] = template.get("Resources", {})
    conditions: Mapping[str, Any] = template.get("Conditions") or {}
    extra_sections = set(template) - TEMPLATE_SECTIONS
    if extra_sections:
        problems.append(f"unhandled template sections {sorted(extra_sections)}")
    for logical_id, resource in resources.items():
        rtype = resource.get("Type")
        extra_keys = set(resource) - RESOURCE_KEYS
        if extra_keys:
            problems.append(f"{logical_id}: unhandled resource keys {sorted(extra_keys)}")
        if "Condition" in resource and resource["Condition"] not in conditions:
            problems.append(f"{logical_id}: unknown condition {resource['Condition']!r}")
        if rtype in NOT_EMULATED:
            _references(resource, template, problems, where=logical_id)
            continue
        if rtype not in HANDLED_PROPERTIES:
            problems.append(f"{logical_id}: unhandled resource type {rtype!r}")
            continue
        unhandled = set(resource.get("Properties") or {}) - HANDLED_PROPERTIES[rtype]
        if unhandled:
            problems.append(f"{logical_id} ({rtype}): unhandled properties {sorted(unhandled)}")
        needs = _references(resource, template, problems, where=logical_id)
        skipped = sorted(name for name in needs if resources[name].get("Type") in NOT_EMULATED)
        if skipped:
            problems.append(f"{logical_id} ({rtype}): depends on resources not emulated locally {skipped}")
    for name, output in (template.get("Outputs") or {}).items():
        _references({"Properties": output.get("Value")}, template, problems, where=f"Outputs.{name}")
    for name, rule in (template.get("Rules") or {}).items():
        unknown = set(rule) - {"RuleCondition", "Assertions"}
        if unknown:
            problems.append(f"Rules.{name}: unhandled keys {sorted(unknown)}")
        _references({"Properties": rule}, template, problems, where=f"Rules.{name}")
    if problems:
        raise ProvisionError(
            "infra template uses what local/provision.py does not handle "
            "(extend HANDLED_PROPERTIES and its handler):\n  " + "\n  ".join(problems)
        )


def _references(
    resource: Mapping[str, Any],
    template: Mapping[str, Any],
    problems: list[str] | None = None,
    where: str = "",
) -> set[str]:
    """Logical ids the resource needs created first (Ref, GetAtt, Sub, DependsOn).

    Bad references are appended to `problems`, or raised at once when it is None.
    """
    resources: Mapping[str, Any] = template.get("Resources", {})
    parameters: Mapping[str, Any] = template.get("Parameters") or {}
    conditions: Mapping[str, Any] = template.get("Conditions") or {}
    found: set[str] = set()

    def problem(message: str) -> None:
        if problems is None:
            raise ProvisionError(f"{where}: {message}")
        problems.append(f"{where}: {message}")

    def ref(name: str, local_vars: Iterable[str] = ()) -> None:
        if name in resources:
            found.add(name)
        elif name not in parameters and name not in PSEUDO_PARAMETERS and name not in local_vars:
            problem(f"reference to unknown name {name!r}")

    def getatt(resource_name: str, attribute: str) -> None:
        if resource_name not in resources:
            problem(f"Fn::GetAtt on unknown resource {resource_name!r}")
            return
        rtype = resources[resource_name].get("Type")
        if rtype not in NOT_EMULATED and attribute not in HANDLED_ATTRIBUTES.get(rtype, frozenset()):
            problem(f"unhandled attribute {resource_name}.{attribute} ({rtype})")
        found.add(resource_name)

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
            return
        if not isinstance(node, dict):
            return
        if len(node) == 1:
            ((key, value),) = node.items()
            if key == "Ref" and isinstance(value, str):
                ref(value)
                return
            if key == "Fn::GetAtt":
                parts = value.split(".", 1) if isinstance(value, str) else value
                getatt(str(parts[0]), str(parts[1]))
                return
            if key == "Fn::Sub":
                text, local_vars = (value, {}) if isinstance(value, str) else (value[0], value[1])
                for name in sub_names(text):
                    if "." in name and name.split(".", 1)[0] in resources:
                        getatt(*name.split(".", 1))
                    else:
                        ref(name, local_vars)
                walk(local_vars)
                return
            if key.startswith("Fn::") and key not in INTRINSIC_FUNCTIONS:
                problem(f"unhandled intrinsic function {key!r}")
            if key == "Fn::If" and value and value[0] not in conditions:
                problem(f"Fn::If on unknown condition {value[0]!r}")
        for value in node.values():
            walk(value)

    walk(resource.get("Properties") or {})
    depends_on = resource.get("DependsOn", [])
    for name in [depends_on] if isinstance(depends_on, str) else depends_on:
        if name in resources:
            found.add(name)
        else:
            problem(f"DependsOn unknown resource {name!r}")
    return found


def creation_order(template: Mapping[str, Any]) -> list[str]:
    """Logical ids in dependency order, template order among independent ones."""
    resources: Mapping[str, Any] = template["Resources"]
    pending = {lid: _references(res, template, where=lid) for lid, res in resources.items()}
    order: list[str] = []
    while pending:
        ready = [lid for lid, deps in pending.items() if not deps - set(order)]
        if not ready:
            raise ProvisionError(f"dependency cycle among {sorted(pending)}")
        for lid in ready:
            order.append(lid)
            del pending[lid]
    return order


# --- values: flint_template.intrinsics (shared with infra/) ------------------------------


@dataclass
class _Created:
    physical_id: str
    attributes: dict[str, str]
    adopted: bool = False


class _Stack:
    """One provisioning run: parameters, clients and what has been created so far.

    Conditions, Rules and intrinsic functions are read by flint_template's Evaluator; this class
    only answers what a resource reference or a pseudo parameter means locally.
    """

    def __init__(
        self,
        template: Mapping[str, Any],
        parameters: Mapping[str, str],
        session: boto3.Session,
        endpoint_url: str | None,
        stack_name: str,
    ) -> None:
        self.template = template
        self.session = session
        self.endpoint_url = endpoint_url
        self.stack_name = stack_name
        self.region: str = session.region_name or "us-east-1"
        self.partition: str = session.get_partition_for_region(self.region)
        try:
            self.parameters = parameter_values(template.get("Parameters") or {}, parameters)
        except TemplateValueError as exc:
            raise ProvisionError(str(exc)) from exc
        self.created: dict[str, _Created] = {}
        self._clients: dict[str, Any] = {}
        self.values = Evaluator(
            template,
            self.parameters,
            resource=lambda name: self._created(name).physical_id,
            attribute=self.getatt,
            pseudo={
                "AWS::Region": lambda: self.region,
                "AWS::AccountId": lambda: self.account_id,
                "AWS::Partition": lambda: self.partition,
                "AWS::StackName": lambda: self.stack_name,
                "AWS::URLSuffix": lambda: self.url_suffix,
            },
        )

    def client(self, service: str) -> Any:
        if service not in self._clients:
            client = self.session.client(service, endpoint_url=self.endpoint_url, region_name=self.region)
            _refuse_real_aws(client.meta.endpoint_url)
            self._clients[service] = client
        return self._clients[service]

    @cached_property
    def account_id(self) -> str:
        return str(self.client("sts").get_caller_identity()["Account"])

    @property
    def url_suffix(self) -> str:
        return "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com"

    def generated_name(self, logical_id: str) -> str:
        # CloudFormation would invent a name; locally a readable, stable one will do.
        return f"{self.stack_name}-{logical_id}".lower()

    def check_rules(self) -> None:
        """Refuse parameters the template's Rules refuse, as CloudFormation does before creating anything."""
        failed = self._values(self.values.failed_rules)
        if failed:
            raise ProvisionError("the template's Rules refuse these parameters:\n  " + "\n  ".join(failed))

    def condition(self, name: str) -> bool:
        return bool(self._values(lambda: self.values.condition(name)))

    def resolve(self, node: Any) -> Any:
        return self._values(lambda: self.values.resolve(node))

    @staticmethod
    def _values(compute: Callable[[], Any]) -> Any:
        try:
            return compute()
        except TemplateValueError as exc:
            raise ProvisionError(str(exc)) from exc

    def getatt(self, logical_id: str, attribute: str) -> str:
        created = self._created(logical_id)
        if attribute not in created.attributes:
            raise ProvisionError(f"{logical_id} has no attribute {attribute!r} locally")
        return created.attributes[attribute]

    def _created(self, logical_id: str) -> _Created:
        if logical_id not in self.created:
            resources = self.template.get("Resources", {})
            if logical_id in resources:
                raise ProvisionError(f"{logical_id} is not created (its Condition is false?)")
            raise ProvisionError(f"reference to unknown name {logical_id!r}")
        return self.created[logical_id]


def _refuse_real_aws(endpoint_url: str) -> None:
    host = urlparse(endpoint_url).hostname or ""
    if host.endswith((".amazonaws.com", ".amazonaws.com.cn", ".api.aws")):
        raise ProvisionError(
            f"refusing to provision {endpoint_url}: local/provision.py only targets the emulator "
            "(set AWS_ENDPOINT_URL); real AWS is deployed with CloudFormation"
        )


# --- property helpers -------------------------------------------------------------------


class _Props:
    """A resource's resolved properties; every one must be consumed by the handler."""

    def __init__(self, logical_id: str, rtype: str, values: Mapping[str, Any]) -> None:
        self.logical_id = logical_id
        self.rtype = rtype
        self._values = dict(values)
        self._used: set[str] = set()

    def get(self, name: str, default: Any = None) -> Any:
        if name not in HANDLED_PROPERTIES[self.rtype]:
            raise AssertionError(f"{self.rtype}.{name} is read but not declared in HANDLED_PROPERTIES")
        self._used.add(name)
        return self._values.get(name, default)

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def copy(self, kwargs: dict[str, Any], mapping: Mapping[str, str]) -> None:
        """Copy the present properties whose boto3 parameter has the same shape (botocore checks it)."""
        for cfn_name, boto_name in mapping.items():
            if cfn_name in self._values:
                kwargs[boto_name] = self.get(cfn_name)

    def check_consumed(self) -> None:
        unused = set(self._values) - self._used
        if unused:
            raise AssertionError(f"{self.logical_id}: handler ignored properties {sorted(unused)}")


def _only(node: Mapping[str, Any], allowed: Iterable[str], where: str) -> Mapping[str, Any]:
    """Fail on nested keys a handler would otherwise drop when it reshapes a structure."""
    unknown = set(node) - set(allowed)
    if unknown:
        raise ProvisionError(f"{where}: unhandled keys {sorted(unknown)}")
    return node


def _identity(names: Iterable[str]) -> dict[str, str]:
    return {name: name for name in names}


def _is_missing(exc: ClientError, *codes: str) -> bool:
    return exc.response.get("Error", {}).get("Code") in codes


# --- resource handlers ------------------------------------------------------------------


def _dynamodb_table(stack: _Stack, props: _Props) -> _Created:
    ddb = stack.client("dynamodb")
    name = props.get("TableName") or stack.generated_name(props.logical_id)
    try:
        description = ddb.describe_table(TableName=name)["Table"]
        adopted = True
    except ClientError as exc:
        if not _is_missing(exc, "ResourceNotFoundException"):
            raise
        adopted = False
    if not adopted:
        kwargs: dict[str, Any] = {"TableName": name}
        props.copy(
            kwargs,
            _identity(
                [
                    "AttributeDefinitions",
                    "KeySchema",
                    "BillingMode",
                    "ProvisionedThroughput",
                    "LocalSecondaryIndexes",
                    "DeletionProtectionEnabled",
                    "TableClass",
                    "Tags",
                ]
            ),
        )
        where = f"{props.logical_id}.GlobalSecondaryIndexes"
        gsi_keys = ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput")
        if "GlobalSecondaryIndexes" in props:
            kwargs["GlobalSecondaryIndexes"] = [
                dict(_only(gsi, gsi_keys, where)) for gsi in props.get("GlobalSecondaryIndexes")
            ]
        if "StreamSpecification" in props:
            stream = _only(props.get("StreamSpecification"), ["StreamViewType"], "StreamSpecification")
            kwargs["StreamSpecification"] = {"StreamEnabled": True, **stream}
        if "SSESpecification" in props:
            renames = {"SSEEnabled": "Enabled", "SSEType": "SSEType", "KMSMasterKeyId": "KMSMasterKeyId"}
            sse = _only(props.get("SSESpecification"), renames, f"{props.logical_id}.SSESpecification")
            kwargs["SSESpecification"] = {renames[key]: value for key, value in sse.items()}
        description = ddb.create_table(**kwargs)["TableDescription"]
        if description.get("TableStatus") != "ACTIVE":
            ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})
        if "TimeToLiveSpecification" in props:
            ttl = _only(props.get("TimeToLiveSpecification"), ["AttributeName", "Enabled"], "TTL")
            if ttl.get("Enabled"):
                ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=dict(ttl))
        if "PointInTimeRecoverySpecification" in props:
            pitr = _only(
                props.get("PointInTimeRecoverySpecification"),
                ["PointInTimeRecoveryEnabled"],
                "PointInTimeRecoverySpecification",
            )
            # Off is the default; only turning it on needs a call.
            if pitr.get("PointInTimeRecoveryEnabled"):
                ddb.update_continuous_backups(
                    TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
                )
        props.check_consumed()
    attributes = {"Arn": description["TableArn"]}
    if description.get("LatestStreamArn"):
        attributes["StreamArn"] = description["LatestStreamArn"]
    return _Created(name, attributes, adopted)


def _s3_bucket(stack: _Stack, props: _Props) -> _Created:
    s3 = stack.client("s3")
    name = props.get("BucketName") or stack.generated_name(props.logical_id)
    attributes = {
        "Arn": f"arn:{stack.partition}:s3:::{name}",
        "DomainName": f"{name}.s3.{stack.url_suffix}",
        "RegionalDomainName": f"{name}.s3.{stack.region}.{stack.url_suffix}",
    }
    try:
        s3.head_bucket(Bucket=name)
        return _Created(name, attributes, adopted=True)
    except ClientError as exc:
        if not _is_missing(exc, "404", "NoSuchBucket", "NotFound"):
            raise
    create: dict[str, Any] = {"Bucket": name}
    if stack.region != "us-east-1":
        create["CreateBucketConfiguration"] = {"LocationConstraint": stack.region}
    s3.create_bucket(**create)

    if "OwnershipControls" in props:
        ownership = _only(props.get("OwnershipControls"), ["Rules"], "OwnershipControls")
        rules = [
            dict(_only(rule, ["ObjectOwnership"], "OwnershipControls.Rules")) for rule in ownership["Rules"]
        ]
        s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls={"Rules": rules})
    if "PublicAccessBlockConfiguration" in props:
        s3.put_public_access_block(
            Bucket=name, PublicAccessBlockConfiguration=props.get("PublicAccessBlockConfiguration")
        )
    if "BucketEncryption" in props:
        encryption = _only(
            props.get("BucketEncryption"), ["ServerSideEncryptionConfiguration"], "BucketEncryption"
        )
        rules = [_encryption_rule(rule) for rule in encryption["ServerSideEncryptionConfiguration"]]
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
    if "VersioningConfiguration" in props:
        versioning = _only(props.get("VersioningConfiguration"), ["Status"], "VersioningConfiguration")
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=dict(versioning))
    if "CorsConfiguration" in props:
        cors = _only(props.get("CorsConfiguration"), ["CorsRules"], "CorsConfiguration")
        s3.put_bucket_cors(
            Bucket=name, CORSConfiguration={"CORSRules": [_cors_rule(rule) for rule in cors["CorsRules"]]}
        )
    if "LifecycleConfiguration" in props:
        lifecycle = _only(props.get("LifecycleConfiguration"), ["Rules"], "LifecycleConfiguration")
        s3.put_bucket_lifecycle_configuration(
            Bucket=name,
            LifecycleConfiguration={"Rules": [_lifecycle_rule(rule) for rule in lifecycle["Rules"]]},
        )
    if "Tags" in props:
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": props.get("Tags")})
    if props.get("LoggingConfiguration") is not None:
        # Deliberately not applied: S3 access logs have no reader locally, and the emulator
        # demands ACL grants on the target that the log bucket (BucketOwnerPreferred) omits.
        log.info("%s.LoggingConfiguration not applied locally: no access logs", props.logical_id)
    if "NotificationConfiguration" in props:
        # Last, like CloudFormation: the target queues (dependencies) already exist.
        s3.put_bucket_notification_configuration(
            Bucket=name,
            NotificationConfiguration=_notification(props.get("NotificationConfiguration")),
        )
    props.check_consumed()
    return _Created(name, attributes)


def _encryption_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    renames = {
        "ServerSideEncryptionByDefault": "ApplyServerSideEncryptionByDefault",
        "BucketKeyEnabled": "BucketKeyEnabled",
    }
    where = "BucketEncryption.ServerSideEncryptionConfiguration"
    return {renames[key]: value for key, value in _only(rule, renames, where).items()}


def _cors_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    renames = {
        "Id": "ID",
        "AllowedHeaders": "AllowedHeaders",
        "AllowedMethods": "AllowedMethods",
        "AllowedOrigins": "AllowedOrigins",
        "ExposedHeaders": "ExposeHeaders",
        "MaxAge": "MaxAgeSeconds",
    }
    return {renames[key]: value for key, value in _only(rule, renames, "CorsRules").items()}


def _lifecycle_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    keys = [
        "Id",
        "Status",
        "Prefix",
        "ExpirationInDays",
        "AbortIncompleteMultipartUpload",
        "NoncurrentVersionExpirationInDays",
    ]
    _only(rule, keys, "LifecycleConfiguration.Rules")
    # An empty prefix filter is how the API spells "the whole bucket".
    out: dict[str, Any] = {"Status": rule["Status"], "Filter": {"Prefix": rule.get("Prefix", "")}}
    if "Id" in rule:
        out["ID"] = rule["Id"]
    if "ExpirationInDays" in rule:
        out["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
    if "AbortIncompleteMultipartUpload" in rule:
        out["AbortIncompleteMultipartUpload"] = dict(rule["AbortIncompleteMultipartUpload"])
    if "NoncurrentVersionExpirationInDays" in rule:
        out["NoncurrentVersionExpiration"] = {
            "NoncurrentDays": int(rule["NoncurrentVersionExpirationInDays"])
        }
    return out


def _notification(config: Mapping[str, Any]) -> dict[str, Any]:
    _only(config, ["QueueConfigurations"], "NotificationConfiguration")
    queues = []
    for item in config.get("QueueConfigurations", []):
        _only(item, ["Event", "Queue", "Filter"], "NotificationConfiguration.QueueConfigurations")
        entry: dict[str, Any] = {"QueueArn": item["Queue"], "Events": [item["Event"]]}
        if "Filter" in item:
            s3_key = _only(item["Filter"], ["S3Key"], "QueueConfigurations.Filter")["S3Key"]
            rules = _only(s3_key, ["Rules"], "QueueConfigurations.Filter.S3Key")["Rules"]
            entry["Filter"] = {
                "Key": {"FilterRules": [dict(_only(r, ["Name", "Value"], "S3Key.Rules")) for r in rules]}
            }
        queues.append(entry)
    return {"QueueConfigurations": queues}


_QUEUE_ATTRIBUTES = (
    "VisibilityTimeout",
    "MessageRetentionPeriod",
    "DelaySeconds",
    "MaximumMessageSize",
    "ReceiveMessageWaitTimeSeconds",
    "FifoQueue",
    "ContentBasedDeduplication",
    "SqsManagedSseEnabled",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "RedrivePolicy",
    "RedriveAllowPolicy",
)


def _sqs_attribute(value: Any) -> str:
    # SQS attributes are all strings; policies are JSON documents.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _sqs_queue(stack: _Stack, props: _Props) -> _Created:
    sqs = stack.client("sqs")
    fifo = _sqs_attribute(props.get("FifoQueue", False)) == "true"
    name = props.get("QueueName") or stack.generated_name(props.logical_id) + (".fifo" if fifo else "")
    adopted = False
    try:
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        adopted = True
    except ClientError as exc:
        if not _is_missing(exc, "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"):
            raise
        attributes = {key: _sqs_attribute(props.get(key)) for key in _QUEUE_ATTRIBUTES if key in props}
        kwargs: dict[str, Any] = {"QueueName": name, "Attributes": attributes}
        if "Tags" in props:
            kwargs["tags"] = {tag["Key"]: tag["Value"] for tag in props.get("Tags")}
        url = sqs.create_queue(**kwargs)["QueueUrl"]
        props.check_consumed()
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return _Created(url, {"Arn": arn, "QueueName": name, "QueueUrl": url}, adopted)


def _sqs_queue_policy(stack: _Stack, props: _Props) -> _Created:
    sqs = stack.client("sqs")
    policy = json.dumps(props.get("PolicyDocument"))
    for url in props.get("Queues"):
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
    props.check_consumed()
    return _Created(stack.generated_name(props.logical_id), {})


_USER_POOL_PARAMETERS = {
    "Policies": "Policies",
    "UsernameAttributes": "UsernameAttributes",
    "AliasAttributes": "AliasAttributes",
    "UsernameConfiguration": "UsernameConfiguration",
    "AutoVerifiedAttributes": "AutoVerifiedAttributes",
    "AccountRecoverySetting": "AccountRecoverySetting",
    "Schema": "Schema",
    "AdminCreateUserConfig": "AdminCreateUserConfig",
    "MfaConfiguration": "MfaConfiguration",
    "UserAttributeUpdateSettings": "UserAttributeUpdateSettings",
    "DeletionProtection": "DeletionProtection",
    "UserPoolTags": "UserPoolTags",
    "UserPoolTier": "UserPoolTier",
}
# What the emulator cannot do, so the local pool goes without, deliberately:
_USER_POOL_NOT_EMULATED = {
    "UserPoolAddOns": "threat protection (adaptive authentication) has no local counterpart",
    "EmailConfiguration": "the emulator sends no e-mail (codes are confirmed with admin calls)",
}


def _cognito_user_pool(stack: _Stack, props: _Props) -> _Created:
    idp = stack.client("cognito-idp")
    name = props.get("UserPoolName") or stack.generated_name(props.logical_id)
    # Pool names are not unique in Cognito: look first so a rerun does not make a second pool.
    existing = [
        pool
        for page in idp.get_paginator("list_user_pools").paginate(MaxResults=60)
        for pool in page["UserPools"]
        if pool["Name"] == name
    ]
    if existing:
        pool_id, adopted = existing[0]["Id"], True
        arn = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Arn"]
    else:
        kwargs: dict[str, Any] = {"PoolName": name}
        props.copy(kwargs, _USER_POOL_PARAMETERS)
        pool = idp.create_user_pool(**kwargs)["UserPool"]
        pool_id, arn, adopted = pool["Id"], pool["Arn"], False
        enabled = props.get("EnabledMfas") or []
        unknown = set(enabled) - {"SOFTWARE_TOKEN_MFA"}
        if unknown:
            raise ProvisionError(f"{props.logical_id}.EnabledMfas: unhandled {sorted(unknown)}")
        if enabled:
            idp.set_user_pool_mfa_config(
                UserPoolId=pool_id,
                SoftwareTokenMfaConfiguration={"Enabled": True},
                MfaConfiguration=kwargs.get("MfaConfiguration", "OPTIONAL"),
            )
        for skipped, why in _USER_POOL_NOT_EMULATED.items():
            if props.get(skipped) is not None:
                log.info("%s.%s not applied locally: %s", props.logical_id, skipped, why)
        props.check_consumed()
    provider = f"cognito-idp.{stack.region}.{stack.url_suffix}/{pool_id}"
    attributes = {
        "Arn": arn,
        "ProviderName": provider,
        "ProviderURL": f"https://{provider}",
        "UserPoolId": pool_id,
    }
    return _Created(pool_id, attributes, adopted)


_USER_POOL_CLIENT_PARAMETERS = _identity(
    HANDLED_PROPERTIES["AWS::Cognito::UserPoolClient"] - {"UserPoolId", "ClientName"}
)


def _cognito_user_pool_client(stack: _Stack, props: _Props) -> _Created:
    idp = stack.client("cognito-idp")
    pool_id = props.get("UserPoolId")
    name = props.get("ClientName") or props.logical_id
    existing = [
        client
        for page in idp.get_paginator("list_user_pool_clients").paginate(UserPoolId=pool_id, MaxResults=60)
        for client in page["UserPoolClients"]
        if client["ClientName"] == name
    ]
    if existing:
        return _Created(existing[0]["ClientId"], {"ClientId": existing[0]["ClientId"], "Name": name}, True)
    kwargs: dict[str, Any] = {"UserPoolId": pool_id, "ClientName": name}
    props.copy(kwargs, _USER_POOL_CLIENT_PARAMETERS)
    client_id = idp.create_user_pool_client(**kwargs)["UserPoolClient"]["ClientId"]
    props.check_consumed()
    return _Created(client_id, {"ClientId": client_id, "Name": name})


def _cognito_user_pool_group(stack: _Stack, props: _Props) -> _Created:
    idp = stack.client("cognito-idp")
    pool_id = props.get("UserPoolId")
    name = props.get("GroupName") or stack.generated_name(props.logical_id)
    try:
        idp.get_group(UserPoolId=pool_id, GroupName=name)
        return _Created(name, {}, adopted=True)
    except ClientError as exc:
        if not _is_missing(exc, "ResourceNotFoundException"):
            raise
    kwargs: dict[str, Any] = {"UserPoolId": pool_id, "GroupName": name}
    props.copy(kwargs, _identity(["Description", "Precedence", "RoleArn"]))
    idp.create_group(**kwargs)
    props.check_consumed()
    return _Created(name, {})


_HANDLERS: dict[str, Callable[[_Stack, _Props], _Created]] = {
    "AWS::DynamoDB::Table": _dynamodb_table,
    "AWS::S3::Bucket": _s3_bucket,
    "AWS::SQS::Queue": _sqs_queue,
    "AWS::SQS::QueuePolicy": _sqs_queue_policy,
    "AWS::Cognito::UserPool": _cognito_user_pool,
    "AWS::Cognito::UserPoolClient": _cognito_user_pool_client,
    "AWS::Cognito::UserPoolGroup": _cognito_user_pool_group,
}
if not set(_HANDLERS) == set(HANDLED_PROPERTIES) == set(HANDLED_ATTRIBUTES):
    raise RuntimeError("HANDLED_PROPERTIES, HANDLED_ATTRIBUTES and _HANDLERS must cover the same types")
if set(NOT_EMULATED) & set(_HANDLERS):
    raise RuntimeError("a type is either handled or declared not emulated, not both")


# --- entry points -----------------------------------------------------------------------


def provision(
    template: Path | str | Mapping[str, Any] = DEFAULT_TEMPLATE,
    *,
    parameters: Mapping[str, str] | None = None,
    session: boto3.Session | None = None,
    endpoint_url: str | None = None,
    stack_name: str = DEFAULT_STACK_NAME,
) -> ProvisionedStack:
    """Create every resource of the template in the emulator boto3 points at (AWS_ENDPOINT_URL)."""
    doc = template if isinstance(template, Mapping) else load_template(template)
    validate_template(doc)
    stack = _Stack(doc, parameters or {}, session or boto3.Session(), endpoint_url, stack_name)
    stack.check_rules()
    resources: Mapping[str, Any] = doc["Resources"]
    not_emulated: dict[str, str] = {}
    for logical_id in creation_order(doc):
        resource = resources[logical_id]
        if "Condition" in resource and not stack.condition(resource["Condition"]):
            continue
        rtype = resource["Type"]
        if rtype in NOT_EMULATED:
            not_emulated[logical_id] = NOT_EMULATED[rtype]
            log.info("skipped %s (%s): not emulated locally: %s", logical_id, rtype, NOT_EMULATED[rtype])
            continue
        props = _Props(logical_id, rtype, stack.resolve(resource.get("Properties") or {}))
        created = _HANDLERS[rtype](stack, props)
        stack.created[logical_id] = created
        log.info(
            "%s %s (%s) %s",
            "adopted" if created.adopted else "created",
            logical_id,
            rtype,
            created.physical_id,
        )
    outputs: dict[str, str] = {}
    for name, output in (doc.get("Outputs") or {}).items():
        if "Condition" in output and not stack.condition(output["Condition"]):
            continue
        if _references({"Properties": output["Value"]}, doc) & set(not_emulated):
            continue  # e.g. the CloudFront domain: exists only in AWS
        value = stack.resolve(output["Value"])
        outputs[name] = ",".join(map(str, value)) if isinstance(value, list) else str(value)
    return ProvisionedStack(
        outputs=outputs,
        physical_ids={lid: created.physical_id for lid, created in stack.created.items()},
        parameters={k: ",".join(v) if isinstance(v, list) else v for k, v in stack.parameters.items()},
        region=stack.region,
        adopted=frozenset(lid for lid, created in stack.created.items() if created.adopted),
        not_emulated=not_emulated,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--template", type=Path, default=DEFAULT_TEMPLATE)
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="template parameter, e.g. NamePrefix=flint-dev (repeatable)",
    )
    parser.add_argument("--stack-name", default=DEFAULT_STACK_NAME)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    log.setLevel(logging.INFO)  # progress from here only, not botocore's
    if not os.environ.get("AWS_ENDPOINT_URL"):
        parser.error("AWS_ENDPOINT_URL is not set: this only provisions the local emulator")
    try:
        parameters = dict(item.split("=", 1) for item in args.param)
    except ValueError:
        parser.error("--param takes KEY=VALUE")
    try:
        stack = provision(args.template, parameters=parameters, stack_name=args.stack_name)
    except ProvisionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(stack.outputs, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
