"""The local provisioner handles everything infra/template.yaml declares, and refuses what it does not.

A few types exist only in AWS (CloudFront, alarms, ...): the provisioner declares each in
NOT_EMULATED with the reason, skips them, and refuses a handled resource that needs one.
"""

from __future__ import annotations

import copy
from typing import Any
from unittest import mock

import boto3
import pytest

from local import provision as prov
from local.provision import (
    DEFAULT_TEMPLATE,
    HANDLED_ATTRIBUTES,
    HANDLED_PROPERTIES,
    NOT_EMULATED,
    ProvisionError,
    creation_order,
    load_template,
    provision,
    validate_template,
)

EXPECTED_RESOURCES = {
    "FlintTable": "AWS::DynamoDB::Table",
    "UploadsBucket": "AWS::S3::Bucket",
    "MediaBucket": "AWS::S3::Bucket",
    "ThumbnailQueue": "AWS::SQS::Queue",
    "ThumbnailDeadLetterQueue": "AWS::SQS::Queue",
    "FeedRefreshQueue": "AWS::SQS::Queue",
    "FeedRefreshDeadLetterQueue": "AWS::SQS::Queue",
    "EngagementQueue": "AWS::SQS::Queue",
    "EngagementDeadLetterQueue": "AWS::SQS::Queue",
    "ScheduledJobFailureQueue": "AWS::SQS::Queue",
    "StreamFailureQueue": "AWS::SQS::Queue",
    "ErasureQueue": "AWS::SQS::Queue",
    "ErasureDeadLetterQueue": "AWS::SQS::Queue",
    "ThumbnailQueuePolicy": "AWS::SQS::QueuePolicy",
    "UserPool": "AWS::Cognito::UserPool",
    "UserPoolClient": "AWS::Cognito::UserPoolClient",
    "PrimeGroup": "AWS::Cognito::UserPoolGroup",
    "BrandGroup": "AWS::Cognito::UserPoolGroup",
    "ModeratorGroup": "AWS::Cognito::UserPoolGroup",
    "SiteBucket": "AWS::S3::Bucket",
    "LogBucket": "AWS::S3::Bucket",
    # Only in AWS (declared in NOT_EMULATED):
    "MediaOriginAccessControl": "AWS::CloudFront::OriginAccessControl",
    "MediaDistribution": "AWS::CloudFront::Distribution",
    "MediaBucketPolicy": "AWS::S3::BucketPolicy",
    "UploadsBucketPolicy": "AWS::S3::BucketPolicy",
    "LogBucketPolicy": "AWS::S3::BucketPolicy",
    "SiteOriginAccessControl": "AWS::CloudFront::OriginAccessControl",
    "SiteDistribution": "AWS::CloudFront::Distribution",
    "SiteBucketPolicy": "AWS::S3::BucketPolicy",
    "SiteHeadersPolicy": "AWS::CloudFront::ResponseHeadersPolicy",
    "EmbedHeadersPolicy": "AWS::CloudFront::ResponseHeadersPolicy",
    "CloudFrontWebAcl": "AWS::WAFv2::WebACL",
    "CursorSecret": "AWS::SecretsManager::Secret",
    "AlarmTopic": "AWS::SNS::Topic",
    "ThumbnailDeadLetterAlarm": "AWS::CloudWatch::Alarm",
    "FeedRefreshDeadLetterAlarm": "AWS::CloudWatch::Alarm",
    "EngagementDeadLetterAlarm": "AWS::CloudWatch::Alarm",
    "ScheduledJobFailureAlarm": "AWS::CloudWatch::Alarm",
    "StreamFailureAlarm": "AWS::CloudWatch::Alarm",
    "ErasureDeadLetterAlarm": "AWS::CloudWatch::Alarm",
    "AlarmTopicPolicy": "AWS::SNS::TopicPolicy",
    "MonthlyBudget": "AWS::Budgets::Budget",
    "CostAnomalyMonitor": "AWS::CE::AnomalyMonitor",
    "CostAnomalySubscription": "AWS::CE::AnomalySubscription",
    "EdgeWafLogGroup": "AWS::Logs::LogGroup",
    "EdgeWafLogging": "AWS::WAFv2::LoggingConfiguration",
}
EMULATED = [lid for lid, rtype in EXPECTED_RESOURCES.items() if rtype not in NOT_EMULATED]
EXPECTED_OUTPUTS = {
    "TableName",
    "TableStreamArn",
    "UploadsBucketName",
    "MediaBucketName",
    "ThumbnailQueueUrl",
    "ThumbnailQueueArn",
    "ThumbnailDeadLetterQueueUrl",
    "FeedRefreshQueueUrl",
    "FeedRefreshQueueArn",
    "FeedRefreshDeadLetterQueueUrl",
    "EngagementQueueUrl",
    "EngagementQueueArn",
    "EngagementDeadLetterQueueUrl",
    "ErasureQueueUrl",
    "ErasureDeadLetterQueueUrl",
    "StreamFailureQueueUrl",
    "UserPoolId",
    "UserPoolClientId",
    "UserPoolProviderUrl",
    "SiteBucketName",
    "MediaBaseUrl",
    "MediaDistributionId",
    "SiteUrl",
    "SiteDistributionId",
    "AlarmTopicArn",
    "CursorSecretArn",
}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template(DEFAULT_TEMPLATE)


def _resources(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return list(template["Resources"].items())


def test_every_resource_type_in_the_template_is_handled_or_declared_not_emulated(
    template: dict[str, Any],
) -> None:
    unhandled = {
        lid: res["Type"]
        for lid, res in _resources(template)
        if res["Type"] not in HANDLED_PROPERTIES and res["Type"] not in NOT_EMULATED
    }
    assert unhandled == {}


def test_each_type_not_emulated_says_why() -> None:
    assert not set(NOT_EMULATED) & set(HANDLED_PROPERTIES)
    for rtype, reason in NOT_EMULATED.items():
        assert rtype.startswith("AWS::") and len(reason) > 20, rtype


def test_a_handled_resource_may_not_need_one_that_is_not_emulated(template: dict[str, Any]) -> None:
    changed = copy.deepcopy(template)
    changed["Resources"]["MediaBucket"]["Properties"]["Tags"] = [
        {"Key": "cdn", "Value": {"Ref": "MediaDistribution"}}
    ]
    with pytest.raises(ProvisionError, match=r"MediaBucket .*not emulated locally \['MediaDistribution'\]"):
        validate_template(changed)


@pytest.mark.parametrize("logical_id", EMULATED)
def test_every_property_in_the_template_is_handled(template: dict[str, Any], logical_id: str) -> None:
    resource = template["Resources"][logical_id]
    assert set(resource.get("Properties", {})) <= HANDLED_PROPERTIES[resource["Type"]]


def test_every_resource_key_and_getatt_is_handled(template: dict[str, Any]) -> None:
    for logical_id, resource in _resources(template):
        assert set(resource) <= prov.RESOURCE_KEYS, logical_id
    validate_template(template)  # also checks Ref/GetAtt/Sub targets and attributes


def test_the_template_keeps_its_contract(template: dict[str, Any]) -> None:
    assert {lid: res["Type"] for lid, res in _resources(template)} == EXPECTED_RESOURCES
    assert set(template["Outputs"]) == EXPECTED_OUTPUTS
    assert set(template["Parameters"]) == {
        "Stage",
        "NamePrefix",
        "AlarmEmail",
        "SiteCdn",
        "BucketNameSuffix",
        "Throwaway",
        "SiteOrigin",
        "PasswordAuth",
        "UserPoolTier",
        "SesFromAddress",
        "WafEnabled",
        "WafRateLimit",
        "DomainName",
        "CertificateArn",
        "SesIdentity",
        "MediaWaf",
        "MonthlyBudgetUsd",
        "CostAnomalyMonitorArn",
        "CostAnomalyThresholdUsd",
        "WafLogRetentionDays",
    }
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"  # a str, not a YAML date


def test_short_form_tags_load_as_long_form(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    assert resources["UploadsBucket"]["Properties"]["BucketName"]["Fn::If"][2] == {
        "Fn::Sub": "${NamePrefix}-uploads"
    }
    assert resources["FlintTable"]["Properties"]["TableName"] == {"Ref": "NamePrefix"}
    assert template["Outputs"]["UserPoolProviderUrl"]["Value"] == {"Fn::GetAtt": ["UserPool", "ProviderURL"]}
    assert resources["FlintTable"]["Properties"]["DeletionProtectionEnabled"] == {
        "Fn::If": ["IsProd", True, False]
    }
    assert template["Conditions"]["IsProd"] == {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}


def test_dependencies_come_first(template: dict[str, Any]) -> None:
    order = creation_order(template)
    assert sorted(order) == sorted(template["Resources"])
    before = [
        ("ThumbnailDeadLetterQueue", "ThumbnailQueue"),
        ("FeedRefreshDeadLetterQueue", "FeedRefreshQueue"),
        ("EngagementDeadLetterQueue", "EngagementQueue"),
        ("ThumbnailQueue", "ThumbnailQueuePolicy"),
        ("ThumbnailQueuePolicy", "UploadsBucket"),  # DependsOn
        ("UserPool", "UserPoolClient"),
        ("UserPool", "PrimeGroup"),
    ]
    for first, then in before:
        assert order.index(first) < order.index(then), (first, then)


def test_an_unhandled_property_raises_before_anything_is_created(template: dict[str, Any]) -> None:
    changed = copy.deepcopy(template)
    changed["Resources"]["UploadsBucket"]["Properties"]["ObjectLockEnabled"] = True
    session = mock.Mock(spec=boto3.Session)
    with pytest.raises(ProvisionError, match=r"UploadsBucket.*ObjectLockEnabled"):
        provision(changed, session=session)
    session.client.assert_not_called()


def test_an_unhandled_resource_type_raises(template: dict[str, Any]) -> None:
    changed = copy.deepcopy(template)
    changed["Resources"]["Alerts"] = {"Type": "AWS::SES::EmailIdentity", "Properties": {}}
    with pytest.raises(ProvisionError, match=r"Alerts: unhandled resource type 'AWS::SES::EmailIdentity'"):
        validate_template(changed)


def test_an_unhandled_getatt_or_unknown_reference_raises(template: dict[str, Any]) -> None:
    changed = copy.deepcopy(template)
    changed["Outputs"]["Nope"] = {"Value": {"Fn::GetAtt": ["FlintTable", "Nope"]}}
    props = changed["Resources"]["MediaBucket"]["Properties"]
    props["BucketName"] = {"Fn::Sub": "${Missing}-media"}
    props["Tags"] = [{"Key": "t", "Value": {"Fn::GetAtt": ["FlintTable", "NotAnAttribute"]}}]
    with pytest.raises(ProvisionError) as error:
        validate_template(changed)
    assert "unknown name 'Missing'" in str(error.value)
    assert "FlintTable.NotAnAttribute" in str(error.value)


def test_unhandled_sections_and_functions_raise(template: dict[str, Any]) -> None:
    changed = copy.deepcopy(template)
    changed["Mappings"] = {"Sizes": {"dev": {"Small": 1}}}
    changed["Resources"]["ThumbnailQueue"]["Properties"]["DelaySeconds"] = {
        "Fn::FindInMap": ["Sizes", "dev", "Small"]
    }
    with pytest.raises(ProvisionError) as error:
        validate_template(changed)
    assert "unhandled template sections ['Mappings']" in str(error.value)
    assert "unhandled intrinsic function 'Fn::FindInMap'" in str(error.value)


def test_unhandled_nested_keys_raise() -> None:
    # Structures the handlers reshape are checked key by key; the rest botocore validates.
    with pytest.raises(ProvisionError, match="Transitions"):
        prov._lifecycle_rule({"Status": "Enabled", "Transitions": [{"StorageClass": "GLACIER"}]})
    with pytest.raises(ProvisionError, match="TopicConfigurations"):
        prov._notification({"TopicConfigurations": []})


def test_handlers_and_declarations_agree() -> None:
    assert set(prov._HANDLERS) == set(HANDLED_PROPERTIES) == set(HANDLED_ATTRIBUTES)


# --- intrinsic functions, resolved without touching AWS ---------------------------------


def _stack(template: dict[str, Any], **parameters: str) -> Any:
    return prov._Stack(template, parameters, boto3.Session(region_name="eu-west-1"), None, "test-stack")


@pytest.mark.parametrize(("stage", "expected"), [("dev", False), ("prod", True)])
def test_conditions_follow_the_stage(template: dict[str, Any], stage: str, expected: bool) -> None:
    stack = _stack(template, Stage=stage)
    assert stack.condition("IsProd") is expected
    assert (
        stack.resolve(template["Resources"]["FlintTable"]["Properties"]["DeletionProtectionEnabled"])
        is expected
    )


def test_intrinsics_resolve() -> None:
    template = {
        "Parameters": {
            "Prefix": {"Type": "String", "Default": "p"},
            "Stage": {"Type": "String", "Default": "dev"},
        },
        "Conditions": {
            "IsDev": {"Fn::Equals": [{"Ref": "Stage"}, "dev"]},
            "NotDev": {"Fn::Not": [{"Condition": "IsDev"}]},
            "Both": {"Fn::And": [{"Condition": "IsDev"}, {"Fn::Equals": ["a", "a"]}]},
            "Either": {"Fn::Or": [{"Condition": "NotDev"}, {"Condition": "Both"}]},
        },
        "Resources": {},
    }
    stack = _stack(template)
    assert stack.resolve({"Fn::Sub": "${Prefix}-${AWS::Region}-${!Literal}"}) == "p-eu-west-1-${Literal}"
    assert stack.resolve({"Fn::Sub": ["${A}/${Prefix}", {"A": {"Ref": "AWS::StackName"}}]}) == "test-stack/p"
    assert stack.resolve({"Fn::Sub": "arn:${AWS::Partition}:s3:::x"}) == "arn:aws:s3:::x"
    assert stack.resolve({"Fn::Join": ["-", ["a", {"Ref": "Prefix"}]]}) == "a-p"
    assert stack.resolve({"Fn::Select": ["1", ["a", "b"]]}) == "b"
    assert stack.resolve({"Fn::If": ["Either", "yes", "no"]}) == "yes"
    assert stack.resolve({"Fn::If": ["NotDev", "yes", "no"]}) == "no"
    removed = {"Keep": 1, "Drop": {"Fn::If": ["NotDev", 2, {"Ref": "AWS::NoValue"}]}}
    assert stack.resolve(removed) == {"Keep": 1}
    with pytest.raises(ProvisionError, match="Fn::Base64"):
        stack.resolve({"Fn::Base64": "x"})


@pytest.mark.parametrize(
    ("parameters", "refused"),
    [
        ({"Stage": "prod", "SiteOrigin": "https://flint.example.com"}, "AlarmEmail"),
        ({"Stage": "prod", "AlarmEmail": "ops@example.com"}, "SiteOrigin"),
        ({"DomainName": "flint.example.com"}, "CertificateArn"),
    ],
)
def test_the_templates_rules_refuse_unsafe_parameters(
    template: dict[str, Any], parameters: dict[str, str], refused: str
) -> None:
    with pytest.raises(ProvisionError, match=refused):
        _stack(template, **parameters).check_rules()


def test_prod_with_a_recipient_and_an_origin_passes_the_rules(template: dict[str, Any]) -> None:
    _stack(
        template, Stage="prod", AlarmEmail="ops@example.com", SiteOrigin="https://flint.example.com"
    ).check_rules()


def test_parameters_are_checked(template: dict[str, Any]) -> None:
    with pytest.raises(ProvisionError, match="Stage"):
        _stack(template, Stage="staging")
    with pytest.raises(ProvisionError, match="unknown parameters"):
        _stack(template, Colour="blue")


def test_real_aws_endpoints_are_refused() -> None:
    with pytest.raises(ProvisionError, match="refusing"):
        prov._refuse_real_aws("https://dynamodb.us-east-1.amazonaws.com")
    prov._refuse_real_aws("http://127.0.0.1:5000")
