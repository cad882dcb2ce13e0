"""The embedded AWS's TransactWriteItems keeps DynamoDB's all-or-nothing semantics, at O(items) cost."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend

from local import moto_transactions

TABLE = "t"


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", moto_transactions.transact_write_items)
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName=TABLE,
            KeySchema=[
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "PK", "AttributeType": "S"},
                {"AttributeName": "SK", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        client.put_item(TableName=TABLE, Item={**key("post"), "smiles": {"N": "0"}})
        yield client


def key(pk: str) -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": "X"}}


def put_new(pk: str) -> dict[str, Any]:
    return {"Put": {"TableName": TABLE, "Item": key(pk), "ConditionExpression": "attribute_not_exists(PK)"}}


def add_smile(amount: str = "1", expression: str = "ADD smiles :n") -> dict[str, Any]:
    return {
        "Update": {
            "TableName": TABLE,
            "Key": key("post"),
            "UpdateExpression": expression,
            "ExpressionAttributeValues": {":n": {"N": amount}},
        }
    }


def smiles(client: Any) -> int:
    return int(client.get_item(TableName=TABLE, Key=key("post"))["Item"]["smiles"]["N"])


def items(client: Any) -> set[str]:
    return {i["PK"]["S"] for i in client.scan(TableName=TABLE)["Items"]}


def test_a_transaction_writes_every_item(dynamodb: Any) -> None:
    dynamodb.transact_write_items(TransactItems=[put_new("edge"), add_smile()])
    assert items(dynamodb) == {"post", "edge"}
    assert smiles(dynamodb) == 1


def test_a_failed_condition_writes_nothing_and_names_the_item(dynamodb: Any) -> None:
    dynamodb.transact_write_items(TransactItems=[put_new("edge"), add_smile()])
    with pytest.raises(ClientError) as raised:
        dynamodb.transact_write_items(TransactItems=[add_smile(), put_new("other"), put_new("edge")])
    error = raised.value.response
    assert error["Error"]["Code"] == "TransactionCanceledException"
    assert [r["Code"] for r in error["CancellationReasons"]] == ["None", "None", "ConditionalCheckFailed"]
    assert items(dynamodb) == {"post", "edge"}
    assert smiles(dynamodb) == 1


def test_a_write_failing_midway_is_undone(dynamodb: Any) -> None:
    # ADD of a number to a string attribute only fails when it is applied, after the first write
    dynamodb.put_item(TableName=TABLE, Item={**key("text"), "smiles": {"S": "not a number"}})
    bad = add_smile()
    bad["Update"]["Key"] = key("text")
    with pytest.raises(ClientError):
        dynamodb.transact_write_items(TransactItems=[put_new("edge"), add_smile(), bad])
    assert items(dynamodb) == {"post", "text"}
    assert smiles(dynamodb) == 0


def test_the_same_item_twice_is_refused(dynamodb: Any) -> None:
    with pytest.raises(ClientError) as raised:
        dynamodb.transact_write_items(TransactItems=[add_smile(), add_smile()])
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert smiles(dynamodb) == 0


def test_no_table_is_copied(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    copied: list[str] = []
    original = copy.deepcopy

    def spying(value: Any, *args: Any) -> Any:
        copied.append(type(value).__name__)
        return original(value, *args)

    monkeypatch.setattr(copy, "deepcopy", spying)
    dynamodb.transact_write_items(TransactItems=[put_new("edge"), add_smile()])
    assert "Table" not in copied
