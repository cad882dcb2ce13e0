"""local/provision.py builds the whole template in a fresh emulator, and what it builds works.

The stack under test is the session's (tests/conftest.py): provisioned with the template's
defaults, once, when the test process's emulator was new."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import unquote_plus

import boto3
import pytest

from chalicelib.data.models import POST_STATS_ATTRIBUTES
from local.provision import DEFAULT_TEMPLATE, ProvisionedStack, ProvisionError, provision

REGION = "us-east-1"


@pytest.fixture
def provisioned(stack: ProvisionedStack) -> ProvisionedStack:
    """The session's stack: the template provisioned with its defaults in a fresh emulator, once."""
    return stack


def _client(service: str) -> Any:
    return boto3.client(service, region_name=REGION)


def test_table_keys_indexes_ttl_and_stream(provisioned: ProvisionedStack) -> None:
    ddb = _client("dynamodb")
    table = ddb.describe_table(TableName="flint-dev")["Table"]
    assert table["KeySchema"] == [
        {"AttributeName": "PK", "KeyType": "HASH"},
        {"AttributeName": "SK", "KeyType": "RANGE"},
    ]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    indexes = {gsi["IndexName"]: gsi for gsi in table["GlobalSecondaryIndexes"]}
    assert set(indexes) == {"GSI1", "GSI2", "GSI3", "GSI4"}
    for name, gsi in indexes.items():
        assert gsi["KeySchema"] == [
            {"AttributeName": f"{name}PK", "KeyType": "HASH"},
            {"AttributeName": f"{name}SK", "KeyType": "RANGE"},
        ]
    assert indexes["GSI1"]["Projection"]["ProjectionType"] == "ALL"
    assert indexes["GSI2"]["Projection"]["ProjectionType"] == "ALL"
    # GSI3 is narrow: a post's ranking inputs only, exactly what the models declare
    assert indexes["GSI3"]["Projection"]["ProjectionType"] == "INCLUDE"
    assert indexes["GSI3"]["Projection"]["NonKeyAttributes"] == POST_STATS_ATTRIBUTES
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert table["LatestStreamArn"] == provisioned.outputs["TableStreamArn"]
    assert table["SSEDescription"]["Status"] == "ENABLED"
    assert not table.get("DeletionProtectionEnabled")  # dev stage
    ttl = ddb.describe_time_to_live(TableName="flint-dev")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


def test_buckets_are_private_encrypted_and_have_cors_and_lifecycle(provisioned: ProvisionedStack) -> None:
    s3 = _client("s3")
    for bucket in ("flint-dev-uploads", "flint-dev-media"):
        s3.head_bucket(Bucket=bucket)
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert all(block.values()) and len(block) == 4
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
        assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    uploads_cors = s3.get_bucket_cors(Bucket="flint-dev-uploads")["CORSRules"]
    assert set(uploads_cors[0]["AllowedMethods"]) == {"POST", "PUT", "GET"}
    assert uploads_cors[0]["AllowedOrigins"] == ["*"]
    assert s3.get_bucket_cors(Bucket="flint-dev-media")["CORSRules"][0]["AllowedMethods"] == ["GET"]
    lifecycle = {
        r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket="flint-dev-uploads")["Rules"]
    }
    assert lifecycle["AbortIncompleteMultipartUploads"]["AbortIncompleteMultipartUpload"] == {
        "DaysAfterInitiation": 1
    }
    assert lifecycle["ExpireOriginals"]["Filter"] == {"Prefix": "uploads/"}
    assert lifecycle["ExpireOriginals"]["Expiration"] == {"Days": 7}


def test_uploads_notify_the_thumbnail_queue(provisioned: ProvisionedStack) -> None:
    s3 = _client("s3")
    config = s3.get_bucket_notification_configuration(Bucket="flint-dev-uploads")["QueueConfigurations"]
    assert len(config) == 1
    assert config[0]["QueueArn"] == provisioned.outputs["ThumbnailQueueArn"]
    assert config[0]["Events"] == ["s3:ObjectCreated:*"]
    assert config[0]["Filter"]["Key"]["FilterRules"] == [{"Name": "prefix", "Value": "uploads/"}]


def test_an_upload_really_reaches_the_thumbnail_queue(provisioned: ProvisionedStack) -> None:
    s3, sqs = _client("s3"), _client("sqs")
    queue_url = provisioned.outputs["ThumbnailQueueUrl"]
    mine = uuid.uuid4().hex  # the queue is shared: this test's notifications are those naming it
    s3.put_object(Bucket="flint-dev-uploads", Key=f"elsewhere/{mine}.jpg", Body=b"x")  # outside the prefix
    s3.put_object(Bucket="flint-dev-uploads", Key=f"uploads/{mine}/a photo.jpg", Body=b"jpeg")
    keys: list[str] = []
    for _ in range(5):
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in messages.get("Messages", []):
            body = json.loads(message["Body"])
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            if body.get("Event") == "s3:TestEvent":  # sent when the notification was configured
                continue
            named = (unquote_plus(record["s3"]["object"]["key"]) for record in body["Records"])
            keys.extend(key for key in named if mine in key)
        if keys:
            break
    assert keys == [f"uploads/{mine}/a photo.jpg"]


def test_queues_redrive_to_their_dead_letter_queues(provisioned: ProvisionedStack) -> None:
    sqs = _client("sqs")
    outputs = provisioned.outputs
    for queue, dlq in [
        ("ThumbnailQueueUrl", "ThumbnailDeadLetterQueueUrl"),
        ("FeedRefreshQueueUrl", "FeedRefreshDeadLetterQueueUrl"),
        ("EngagementQueueUrl", "EngagementDeadLetterQueueUrl"),
    ]:
        attributes = sqs.get_queue_attributes(QueueUrl=outputs[queue], AttributeNames=["All"])["Attributes"]
        dlq_attributes = sqs.get_queue_attributes(QueueUrl=outputs[dlq], AttributeNames=["All"])["Attributes"]
        assert attributes["VisibilityTimeout"] == "180"
        redrive = json.loads(attributes["RedrivePolicy"])
        assert redrive["deadLetterTargetArn"] == dlq_attributes["QueueArn"]
        assert int(redrive["maxReceiveCount"]) == 5
        assert dlq_attributes["MessageRetentionPeriod"] == str(14 * 24 * 3600)


def test_the_thumbnail_queue_lets_only_the_uploads_bucket_send(provisioned: ProvisionedStack) -> None:
    sqs = _client("sqs")
    url = provisioned.outputs["ThumbnailQueueUrl"]
    policy = json.loads(
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"]
    )
    (statement,) = policy["Statement"]
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert statement["Action"] == "sqs:SendMessage"
    assert statement["Resource"] == provisioned.outputs["ThumbnailQueueArn"]
    assert statement["Condition"]["ArnEquals"]["aws:SourceArn"] == "arn:aws:s3:::flint-dev-uploads"
    account = _client("sts").get_caller_identity()["Account"]
    assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == account


def test_user_pool_client_and_groups(provisioned: ProvisionedStack) -> None:
    idp = _client("cognito-idp")
    pool_id, client_id = provisioned.outputs["UserPoolId"], provisioned.outputs["UserPoolClientId"]
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Name"] == "flint-dev-users"
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 8
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False
    client = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    assert "ALLOW_USER_PASSWORD_AUTH" in client["ExplicitAuthFlows"]
    assert "ClientSecret" not in client
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert (client["IdTokenValidity"], client["TokenValidityUnits"]["IdToken"]) == (60, "minutes")
    groups = {g["GroupName"] for g in idp.list_groups(UserPoolId=pool_id)["Groups"]}
    assert groups == {"prime", "brand", "moderator"}


def test_outputs_resolve_to_the_created_resources(provisioned: ProvisionedStack) -> None:
    outputs = provisioned.outputs
    pool_id = outputs["UserPoolId"]
    assert outputs["TableName"] == "flint-dev"
    assert outputs["UploadsBucketName"] == "flint-dev-uploads"
    assert outputs["MediaBucketName"] == "flint-dev-media"
    assert outputs["ThumbnailQueueUrl"].endswith("/flint-dev-thumbnails")
    assert outputs["ThumbnailQueueArn"].endswith(":flint-dev-thumbnails")
    assert outputs["ThumbnailDeadLetterQueueUrl"].endswith("/flint-dev-thumbnails-dlq")
    assert outputs["FeedRefreshQueueUrl"].endswith("/flint-dev-feed-refresh")
    assert outputs["FeedRefreshQueueArn"].endswith(":flint-dev-feed-refresh")
    assert outputs["FeedRefreshDeadLetterQueueUrl"].endswith("/flint-dev-feed-refresh-dlq")
    assert outputs["UserPoolProviderUrl"] == f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}"
    assert provisioned.physical_ids["UserPool"] == pool_id
    assert provisioned.physical_ids["PrimeGroup"] == "prime"
    assert provisioned.adopted == frozenset()
    for name, value in outputs.items():
        assert value and "{" not in value, name


def test_provisioning_again_reuses_what_exists(provisioned: ProvisionedStack) -> None:
    again = provision(DEFAULT_TEMPLATE)
    assert again.outputs == provisioned.outputs
    assert again.adopted == set(again.physical_ids) - {"ThumbnailQueuePolicy"}
    pools = _client("cognito-idp").list_user_pools(MaxResults=60)["UserPools"]
    assert [p["Name"] for p in pools].count("flint-dev-users") == 1


def test_prod_stage_turns_on_protection(provisioned: ProvisionedStack) -> None:
    prod = provision(
        DEFAULT_TEMPLATE,
        parameters={
            "Stage": "prod",
            "NamePrefix": "flint-prod",
            "AlarmEmail": "ops@example.com",
            "SiteOrigin": "https://flint.example.com",
        },
    )
    ddb = _client("dynamodb")
    assert prod.outputs["TableName"] == "flint-prod"
    assert ddb.describe_table(TableName="flint-prod")["Table"]["DeletionProtectionEnabled"] is True
    backups = ddb.describe_continuous_backups(TableName="flint-prod")["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    pool = _client("cognito-idp").describe_user_pool(UserPoolId=prod.outputs["UserPoolId"])["UserPool"]
    assert pool["DeletionProtection"] == "ACTIVE"


def test_a_throwaway_stack_keeps_no_backups(provisioned: ProvisionedStack) -> None:
    # Given the dev stack (keeps backups by default) and a throwaway one
    ddb = _client("dynamodb")
    throwaway = provision(DEFAULT_TEMPLATE, parameters={"NamePrefix": "flint-tmp", "Throwaway": "true"})
    # Then only the throwaway table goes without point-in-time recovery
    for table, status in (
        (provisioned.outputs["TableName"], "ENABLED"),
        (throwaway.outputs["TableName"], "DISABLED"),
    ):
        backups = ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
        assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == status


def test_prod_refuses_to_provision_without_an_alarm_recipient_or_a_site_origin(
    provisioned: ProvisionedStack,
) -> None:
    with pytest.raises(ProvisionError, match="AlarmEmail") as refused:
        provision(DEFAULT_TEMPLATE, parameters={"Stage": "prod", "NamePrefix": "flint-nope"})
    assert "SiteOrigin" in str(refused.value)
    assert "flint-nope" not in str(_client("dynamodb").list_tables()["TableNames"])
