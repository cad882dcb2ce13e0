"""The embedded AWS's lean DynamoDB serializer writes byte-for-byte the bodies moto's own writes."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto.core import responses as moto_responses
from moto.core.serialize import JSONSerializer

from local import moto_serialize
from tests.unit.test_moto_transactions import dynamodb  # noqa: F401 (the fake-AWS moto fixture)

TABLE = "serialized"
EVERY_TYPE = {
    "PK": {"S": "P#1"},
    "SK": {"S": "S#1"},
    "G1PK": {"S": "G#1"},
    "G1SK": {"N": "12.50"},
    "text": {"S": "caf\u00e9 \u202e \U0001f600"},
    "amount": {"N": "-0.000123"},
    "blob": {"B": b"\x00\xffbytes"},
    "strings": {"SS": ["a", "b"]},
    "numbers": {"NS": ["1", "2.5"]},
    "blobs": {"BS": [b"x", b"y"]},
    "map": {"M": {"nested": {"L": [{"S": "x"}, {"N": "1"}, {"NULL": True}, {"BOOL": False}]}}},
    "empty_map": {"M": {}},
    "empty_list": {"L": []},
    "flag": {"BOOL": True},
}


class BothSerializers(moto_serialize.LeanJSONSerializer):
    """Serializes every result with moto's JSONSerializer and the lean one; keeps both bodies."""

    seen: list[tuple[str, str, str]] = []

    def serialize(self, result: Any) -> Any:
        stock = JSONSerializer(
            operation_model=self.operation_model,
            pretty_print=self.pretty_print,
            value_picker=self._value_picker,
        ).serialize(result)
        lean = super().serialize(result)
        assert self._lean, "no response transformer is set in these calls: the lean path must run"
        self.seen.append((self.operation_name, stock["body"], lean["body"]))
        assert lean["headers"] == stock["headers"] and lean["status_code"] == stock["status_code"]
        return lean


@pytest.fixture
def both(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:  # noqa: F811
    def serializer_class(service_name: str, protocol: str) -> Any:
        chosen = moto_serialize.serializer_class(service_name, protocol)
        return BothSerializers if chosen is moto_serialize.LeanJSONSerializer else chosen

    monkeypatch.setattr(moto_responses, "get_serializer_class", serializer_class)
    monkeypatch.setattr(BothSerializers, "seen", [])
    return BothSerializers.seen


def test_every_dynamodb_and_streams_response_is_the_same_as_mottos_own(dynamodb: Any, both: Any) -> None:  # noqa: F811
    # Given a table with a GSI and a stream, and items with every attribute type
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
            {"AttributeName": "G1PK", "AttributeType": "S"},
            {"AttributeName": "G1SK", "AttributeType": "N"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "GSI1",
                "KeySchema": [
                    {"AttributeName": "G1PK", "KeyType": "HASH"},
                    {"AttributeName": "G1SK", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["text"]},
            }
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        BillingMode="PAY_PER_REQUEST",
    )
    # When every kind of call answers (results, pages, errors, timestamps, stream records)
    dynamodb.describe_table(TableName=TABLE)
    dynamodb.put_item(TableName=TABLE, Item=EVERY_TYPE)
    for n in range(2, 6):
        dynamodb.put_item(TableName=TABLE, Item={**EVERY_TYPE, "SK": {"S": f"S#{n}"}, "G1SK": {"N": str(n)}})
    dynamodb.put_item(TableName=TABLE, Item={**EVERY_TYPE, "flag": {"BOOL": False}}, ReturnValues="ALL_OLD")
    dynamodb.get_item(TableName=TABLE, Key={"PK": {"S": "P#1"}, "SK": {"S": "S#1"}})
    dynamodb.get_item(TableName=TABLE, Key={"PK": {"S": "P#1"}, "SK": {"S": "none"}})
    dynamodb.update_item(
        TableName=TABLE,
        Key={"PK": {"S": "P#1"}, "SK": {"S": "S#2"}},
        UpdateExpression="ADD amount :n REMOVE #b",
        ExpressionAttributeNames={"#b": "blob"},
        ExpressionAttributeValues={":n": {"N": "3"}},
        ReturnValues="ALL_NEW",
        ReturnConsumedCapacity="TOTAL",
    )
    page = dynamodb.query(
        TableName=TABLE,
        KeyConditionExpression="PK = :p",
        ExpressionAttributeValues={":p": {"S": "P#1"}},
        Limit=2,
        ReturnConsumedCapacity="INDEXES",
    )
    dynamodb.query(
        TableName=TABLE,
        KeyConditionExpression="PK = :p",
        ExpressionAttributeValues={":p": {"S": "P#1"}},
        ExclusiveStartKey=page["LastEvaluatedKey"],
        Select="COUNT",
    )
    dynamodb.query(
        TableName=TABLE,
        IndexName="GSI1",
        KeyConditionExpression="G1PK = :g AND G1SK BETWEEN :a AND :b",
        ExpressionAttributeValues={":g": {"S": "G#1"}, ":a": {"N": "2"}, ":b": {"N": "4"}},
        Limit=2,
    )
    dynamodb.scan(TableName=TABLE, ProjectionExpression="PK, map.nested[1]")
    dynamodb.batch_get_item(
        RequestItems={TABLE: {"Keys": [{"PK": {"S": "P#1"}, "SK": {"S": f"S#{n}"}} for n in (1, 3, 9)]}}
    )
    dynamodb.batch_write_item(
        RequestItems={TABLE: [{"DeleteRequest": {"Key": {"PK": {"S": "P#1"}, "SK": {"S": "S#5"}}}}]}
    )
    dynamodb.transact_get_items(
        TransactItems=[{"Get": {"TableName": TABLE, "Key": {"PK": {"S": "P#1"}, "SK": {"S": "S#3"}}}}]
    )
    with pytest.raises(ClientError):
        dynamodb.put_item(
            TableName=TABLE,
            Item=EVERY_TYPE,
            ConditionExpression="attribute_not_exists(PK)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    with pytest.raises(ClientError):
        dynamodb.query(
            TableName=TABLE,
            IndexName="nope",
            KeyConditionExpression="PK = :p",
            ExpressionAttributeValues={":p": {"S": "x"}},
        )
    # (account_id_endpoint_mode: in-process moto only matches the plain endpoint; LOCAL-AWS-NOTES.md)
    streams = boto3.client(
        "dynamodbstreams", region_name="us-east-1", config=Config(account_id_endpoint_mode="disabled")
    )
    arn = streams.list_streams(TableName=TABLE)["Streams"][0]["StreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    # Then the lean bodies are exactly moto's, for each of them
    assert len(records) >= 7
    operations = {operation for operation, _, _ in both}
    assert {"DescribeTable", "Query", "GetRecords", "DescribeStream", "PutItem", "BatchGetItem"} <= operations
    for operation, stock, lean in both:
        assert lean == stock, operation
