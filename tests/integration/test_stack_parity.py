"""The packaged template and the local stack agree: what AWS gets is what `make dev` runs against.

moto's own CloudFormation cannot be the proof: it silently skips Cognito and queue policies
and ignores TTL and bucket notifications. So the local stack is built the way `make dev`
builds it (local/provision.py on infra/template.yaml, with the packaged template's parameter
defaults), and every resource of the *packaged* template (build/package/prod-x86_64/sam.json)
is accounted for: emulated ones are read back from the emulator and compared with what the
template declares (key schema, indexes, TTL, streams, redrive, notifications, CORS, lifecycle,
policies, Cognito settings); the functions and the API are checked against what the local
runners serve; the rest is declared AWS-only, with the reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from flint_template.intrinsics import Evaluator
from local.event_runner import EventRunner
from local.provision import DEFAULT_TEMPLATE, HANDLED_PROPERTIES, NOT_EMULATED, ProvisionedStack, provision
from tests.conftest import SessionStack
from tests.support.aws import environment
from tests.support.packaged import packaged_template

pytestmark = pytest.mark.timeout(900)  # the first build downloads wheels
REGION = "us-east-1"
# What runs the functions locally (in-process: `make dev`'s chalice local and event runner)
# needs none of these AWS-side parts of a function.
SERVED_LOCALLY = {
    "AWS::Serverless::Function": "chalice local (API, authorizer), local/event_runner.py (queues, schedules)",
    "AWS::Serverless::Api": "chalice local, with the gateway responses of local/api_server.py",
}
LAMBDA_PLUMBING = {
    "AWS::IAM::Role": "locally the functions use the emulator's credentials (policies: test_iam_*.py)",
    "AWS::Lambda::Permission": "API Gateway's right to invoke a function; chalice local calls it in-process",
    "AWS::Logs::LogGroup": "locally the functions log to the terminal",
    "AWS::CloudWatch::Dashboard": "no metrics locally",
    "AWS::WAFv2::WebACLAssociation": "no API Gateway locally: chalice local serves the API directly",
    "AWS::Serverless::LayerVersion": "chalice local imports the image library from the venv",
}


@pytest.fixture(scope="module")
def packaged() -> dict[str, Any]:
    return packaged_template()


@pytest.fixture(scope="module")
def local(session_stack: SessionStack, packaged: dict[str, Any]) -> Iterator[ProvisionedStack]:
    parameters = {name: str(spec["Default"]) for name, spec in packaged["Parameters"].items()}
    parameters = {name: value for name, value in parameters.items() if name in ("Stage", "NamePrefix")}
    # What prod's Rules require; the parameters marked "AWS:" keep their local defaults, and
    # the resolver below compares with what was provisioned under them.
    parameters |= {"AlarmEmail": "ops@example.com", "SiteOrigin": "https://flint.example.com"}
    # In the session's emulator, beside the session's dev stack: prod's names never meet dev's.
    with environment(session_stack.env):
        yield provision(DEFAULT_TEMPLATE, parameters=parameters)


def _client(service: str) -> Any:
    return boto3.client(service, region_name=REGION)


class Resolver:
    """Values as CloudFormation would resolve them, with the local stack's physical ids.

    The template's conditions and intrinsics are read by flint_template's one interpreter; this
    class only says what a resource reference means locally.
    """

    def __init__(self, template: dict[str, Any], stack: ProvisionedStack):
        self.template = template
        self.stack = stack
        self.parameters = {
            name: str(spec.get("Default", "")) for name, spec in template["Parameters"].items()
        } | stack.parameters
        account = _client("sts").get_caller_identity()["Account"]
        self._values = Evaluator(
            template,
            self.parameters,
            resource=lambda name: self.stack.physical_ids[name],
            attribute=self._attribute,
            pseudo={
                "AWS::AccountId": lambda: account,
                "AWS::Region": lambda: REGION,
                "AWS::Partition": lambda: "aws",
            },
        )

    def condition(self, name: str) -> bool:
        return self._values.condition(name)

    def value(self, node: Any) -> Any:
        return self._values.resolve(node)

    def _attribute(self, logical_id: str, attribute: str) -> str:
        if attribute == "Arn":
            return self.arn(logical_id)
        if attribute == "QueueName":
            return self.stack.physical_ids[logical_id].rsplit("/", 1)[-1]
        raise AssertionError(f"GetAtt {attribute}")

    def arn(self, logical_id: str) -> str:
        rtype = self.template["Resources"][logical_id]["Type"]
        physical = self.stack.physical_ids[logical_id]
        if rtype == "AWS::SQS::Queue":
            return _client("sqs").get_queue_attributes(QueueUrl=physical, AttributeNames=["QueueArn"])[
                "Attributes"
            ]["QueueArn"]
        if rtype == "AWS::S3::Bucket":
            return f"arn:aws:s3:::{physical}"
        if rtype == "AWS::DynamoDB::Table":
            return str(_client("dynamodb").describe_table(TableName=physical)["Table"]["TableArn"])
        raise AssertionError(f"no ARN for {rtype}")


@pytest.fixture(scope="module")
def resolve(packaged: dict[str, Any], local: ProvisionedStack) -> Resolver:
    return Resolver(packaged, local)


def _declared(packaged: dict[str, Any], rtype: str) -> list[str]:
    return [lid for lid, res in packaged["Resources"].items() if res["Type"] == rtype]


# --- every resource is accounted for ---------------------------------------------------------


def test_every_packaged_resource_is_emulated_served_locally_or_declared_aws_only(
    packaged: dict[str, Any], local: ProvisionedStack, resolve: Resolver
) -> None:
    from local.provision import load_template

    stateful = load_template(DEFAULT_TEMPLATE)["Resources"]
    unaccounted = []
    for logical_id, resource in packaged["Resources"].items():
        rtype = resource["Type"]
        if "Condition" in resource and not resolve.condition(resource["Condition"]):
            assert logical_id not in local.physical_ids
        elif logical_id in stateful and rtype in HANDLED_PROPERTIES:
            if logical_id not in local.physical_ids:
                unaccounted.append(f"{logical_id} ({rtype}) is not in the local stack")
        elif logical_id in stateful and rtype in NOT_EMULATED:
            if local.not_emulated.get(logical_id) != NOT_EMULATED[rtype]:
                unaccounted.append(f"{logical_id} ({rtype}) was not skipped as declared")
        elif logical_id in stateful:
            unaccounted.append(f"{logical_id} ({rtype}) is in infra/template.yaml but not provisioned")
        # The Lambda side (chalice's output, infra/lambda.yaml, the generated parts):
        elif rtype not in SERVED_LOCALLY and rtype not in LAMBDA_PLUMBING and rtype not in NOT_EMULATED:
            unaccounted.append(f"{logical_id} ({rtype}): neither emulated, nor served locally, nor AWS-only")
    assert unaccounted == []


def test_the_local_stack_has_nothing_the_packaged_template_lacks(
    packaged: dict[str, Any], local: ProvisionedStack
) -> None:
    assert set(local.physical_ids) | set(local.not_emulated) <= set(packaged["Resources"])


def test_every_packaged_function_is_served_by_the_local_runners(packaged: dict[str, Any]) -> None:
    from app import app

    runner = EventRunner(app, sqs=None)
    local_queues = {source.queue for source in runner.queue_sources}
    local_schedules = {source.name for source in runner.schedule_sources}
    routes = set(app.routes)
    for logical_id in _declared(packaged, "AWS::Serverless::Function"):
        properties = packaged["Resources"][logical_id]["Properties"]
        for event in properties.get("Events", {}).values():
            if event["Type"] == "SQS":
                (queue_id,) = re.fullmatch(
                    r"\$\{(\w+)\.Arn\}", event["Properties"]["Queue"]["Fn::Sub"]
                ).groups()
                local_name = packaged["Resources"][queue_id]["Properties"]["QueueName"]["Fn::Sub"]
                assert local_name.replace("${NamePrefix}", "flint-dev") in local_queues, logical_id
            elif event["Type"] == "Schedule":
                name = properties["FunctionName"]["Fn::Sub"].removeprefix("${NamePrefix}-")
                assert name in local_schedules, logical_id
    paths = packaged["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    assert set(paths) == routes  # chalice local serves exactly the API Gateway's routes


# --- the emulated resources, property by property ------------------------------------------------


def test_tables_have_the_declared_keys_indexes_ttl_stream_and_protection(
    packaged: dict[str, Any], local: ProvisionedStack, resolve: Resolver
) -> None:
    ddb = _client("dynamodb")
    for logical_id in _declared(packaged, "AWS::DynamoDB::Table"):
        declared = packaged["Resources"][logical_id]["Properties"]
        name = local.physical_ids[logical_id]
        table = ddb.describe_table(TableName=name)["Table"]
        assert table["KeySchema"] == declared["KeySchema"]
        assert _by("AttributeName", table["AttributeDefinitions"]) == _by(
            "AttributeName", declared["AttributeDefinitions"]
        )
        assert table["BillingModeSummary"]["BillingMode"] == declared["BillingMode"]
        indexes = {i["IndexName"]: i for i in table.get("GlobalSecondaryIndexes", [])}
        assert set(indexes) == {i["IndexName"] for i in declared.get("GlobalSecondaryIndexes", [])}
        for index in declared.get("GlobalSecondaryIndexes", []):
            assert indexes[index["IndexName"]]["KeySchema"] == index["KeySchema"]
            assert indexes[index["IndexName"]]["Projection"] == index["Projection"]
        if "StreamSpecification" in declared:
            assert (
                table["StreamSpecification"]["StreamViewType"]
                == declared["StreamSpecification"]["StreamViewType"]
            )
        ttl = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        if declared.get("TimeToLiveSpecification", {}).get("Enabled"):
            assert ttl == {
                "TimeToLiveStatus": "ENABLED",
                "AttributeName": declared["TimeToLiveSpecification"]["AttributeName"],
            }
        assert bool(table.get("DeletionProtectionEnabled")) == resolve.value(
            declared["DeletionProtectionEnabled"]
        )
        pitr = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
        expected = resolve.value(declared["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"])
        assert (pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED") == expected


def test_queues_have_the_declared_timeouts_retention_and_redrive(
    packaged: dict[str, Any], local: ProvisionedStack, resolve: Resolver
) -> None:
    sqs = _client("sqs")
    for logical_id in _declared(packaged, "AWS::SQS::Queue"):
        declared = packaged["Resources"][logical_id]["Properties"]
        attributes = sqs.get_queue_attributes(
            QueueUrl=local.physical_ids[logical_id], AttributeNames=["All"]
        )["Attributes"]
        assert attributes["QueueArn"].endswith(":" + resolve.value(declared["QueueName"]))
        for name in ("VisibilityTimeout", "MessageRetentionPeriod"):
            if name in declared:
                assert attributes[name] == str(declared[name]), (logical_id, name)
        if "RedrivePolicy" in declared:
            redrive = json.loads(attributes["RedrivePolicy"])
            assert redrive["deadLetterTargetArn"] == resolve.value(
                declared["RedrivePolicy"]["deadLetterTargetArn"]
            )
            assert int(redrive["maxReceiveCount"]) == declared["RedrivePolicy"]["maxReceiveCount"]
        else:
            assert "RedrivePolicy" not in attributes


def test_queue_policies_are_the_declared_documents(
    packaged: dict[str, Any], local: ProvisionedStack, resolve: Resolver
) -> None:
    sqs = _client("sqs")
    for logical_id in _declared(packaged, "AWS::SQS::QueuePolicy"):
        declared = packaged["Resources"][logical_id]["Properties"]
        for queue in declared["Queues"]:
            url = resolve.value(queue)
            policy = json.loads(
                sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"]
            )
            assert policy == resolve.value(declared["PolicyDocument"])


def test_buckets_have_the_declared_access_block_encryption_cors_lifecycle_and_notifications(
    packaged: dict[str, Any], local: ProvisionedStack, resolve: Resolver
) -> None:
    s3 = _client("s3")
    for logical_id in _declared(packaged, "AWS::S3::Bucket"):
        declared = packaged["Resources"][logical_id]["Properties"]
        bucket = local.physical_ids[logical_id]
        assert bucket == resolve.value(declared["BucketName"])
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert block == declared["PublicAccessBlockConfiguration"]
        (rule,) = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
        (declared_rule,) = declared["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ApplyServerSideEncryptionByDefault"] == declared_rule["ServerSideEncryptionByDefault"]
        if "CorsConfiguration" in declared:
            rules = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
            assert [(r["AllowedMethods"], r["AllowedOrigins"]) for r in rules] == [
                (r["AllowedMethods"], resolve.value(r["AllowedOrigins"]))
                for r in declared["CorsConfiguration"]["CorsRules"]
            ]
        if "VersioningConfiguration" in declared:
            versioning = s3.get_bucket_versioning(Bucket=bucket)
            assert versioning["Status"] == declared["VersioningConfiguration"]["Status"]
        if "OwnershipControls" in declared:
            ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]
            assert ownership == declared["OwnershipControls"]
        lifecycle = {r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]}
        for declared_rule in declared["LifecycleConfiguration"]["Rules"]:
            rule = lifecycle[declared_rule["Id"]]
            assert rule["Status"] == declared_rule["Status"]
            assert rule["Filter"] == {"Prefix": declared_rule.get("Prefix", "")}
            if "AbortIncompleteMultipartUpload" in declared_rule:
                assert (
                    rule["AbortIncompleteMultipartUpload"] == declared_rule["AbortIncompleteMultipartUpload"]
                )
            if "ExpirationInDays" in declared_rule:
                assert rule["Expiration"] == {"Days": declared_rule["ExpirationInDays"]}
            if "NoncurrentVersionExpirationInDays" in declared_rule:
                assert (
                    rule["NoncurrentVersionExpiration"]["NoncurrentDays"]
                    == (declared_rule["NoncurrentVersionExpirationInDays"])
                )
        notifications = s3.get_bucket_notification_configuration(Bucket=bucket).get("QueueConfigurations", [])
        expected = declared.get("NotificationConfiguration", {}).get("QueueConfigurations", [])
        assert [(n["QueueArn"], n["Events"], n["Filter"]["Key"]["FilterRules"]) for n in notifications] == [
            (resolve.value(e["Queue"]), [e["Event"]], e["Filter"]["S3Key"]["Rules"]) for e in expected
        ], logical_id


def test_the_user_pool_client_and_groups_are_the_declared_ones(
    packaged: dict[str, Any], local: ProvisionedStack, resolve: Resolver
) -> None:
    idp = _client("cognito-idp")
    resources = packaged["Resources"]
    for logical_id in _declared(packaged, "AWS::Cognito::UserPool"):
        declared = resources[logical_id]["Properties"]
        pool = idp.describe_user_pool(UserPoolId=local.physical_ids[logical_id])["UserPool"]
        assert pool["Name"] == resolve.value(declared["UserPoolName"])
        assert pool["UsernameAttributes"] == declared["UsernameAttributes"]
        assert pool["AutoVerifiedAttributes"] == declared["AutoVerifiedAttributes"]
        assert pool["Policies"]["PasswordPolicy"] == declared["Policies"]["PasswordPolicy"]
        assert pool["DeletionProtection"] == resolve.value(declared["DeletionProtection"])
        assert pool["MfaConfiguration"] == declared["MfaConfiguration"]
        assert pool["UserAttributeUpdateSettings"] == declared["UserAttributeUpdateSettings"]
        mfa = idp.get_user_pool_mfa_config(UserPoolId=pool["Id"])
        assert mfa["SoftwareTokenMfaConfiguration"]["Enabled"] == (
            "SOFTWARE_TOKEN_MFA" in declared["EnabledMfas"]
        )
    for logical_id in _declared(packaged, "AWS::Cognito::UserPoolClient"):
        declared = resources[logical_id]["Properties"]
        pool_id = resolve.value(declared["UserPoolId"])
        client = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=local.physical_ids[logical_id])[
            "UserPoolClient"
        ]
        assert client["ClientName"] == resolve.value(declared["ClientName"])
        assert set(client["ExplicitAuthFlows"]) == set(resolve.value(declared["ExplicitAuthFlows"]))
        assert ("ClientSecret" in client) == declared["GenerateSecret"]
        for name in ("IdTokenValidity", "AccessTokenValidity", "RefreshTokenValidity"):
            assert client[name] == declared[name], name
    for logical_id in _declared(packaged, "AWS::Cognito::UserPoolGroup"):
        declared = resources[logical_id]["Properties"]
        group = idp.get_group(
            UserPoolId=resolve.value(declared["UserPoolId"]), GroupName=declared["GroupName"]
        )
        assert group["Group"]["Description"] == declared["Description"]


def _by(key: str, items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item[key]: item for item in items}
