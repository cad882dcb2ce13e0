"""The embedded AWS's cheaper Query answers exactly what stock moto answers, page by page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models.table import Table

from local import moto_queries

TABLE = "t"


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        strings = ("PK", "SK", "G1PK", "G1SK")
        client.create_table(
            TableName=TABLE,
            KeySchema=[
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in strings],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "GSI1",
                    "KeySchema": [
                        {"AttributeName": "G1PK", "KeyType": "HASH"},
                        {"AttributeName": "G1SK", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        for n in range(60):
            item = {"PK": {"S": f"P#{n % 4}"}, "SK": {"S": f"S#{n:03d}"}, "n": {"N": str(n)}}
            if n % 3:  # a third of the items are not in the index
                item |= {"G1PK": {"S": f"G#{n % 2}"}, "G1SK": {"S": f"T#{n % 7}"}}  # ties across partitions
            client.put_item(TableName=TABLE, Item=item)
        yield client


QUERIES: list[dict[str, Any]] = [
    {"KeyConditionExpression": "PK = :p", "ExpressionAttributeValues": {":p": {"S": "P#1"}}},
    {"KeyConditionExpression": "PK = :p", "ExpressionAttributeValues": {":p": {"S": "P#9"}}},
    {
        "KeyConditionExpression": "PK = :p AND SK > :s",
        "ExpressionAttributeValues": {":p": {"S": "P#2"}, ":s": {"S": "S#020"}},
        "ScanIndexForward": False,
        "Limit": 4,
    },
    {
        "IndexName": "GSI1",
        "KeyConditionExpression": "G1PK = :g",
        "ExpressionAttributeValues": {":g": {"S": "G#1"}},
        "Limit": 5,
    },
    {
        "IndexName": "GSI1",
        "KeyConditionExpression": "G1PK = :g AND begins_with(G1SK, :t)",
        "ExpressionAttributeValues": {":g": {"S": "G#0"}, ":t": {"S": "T#"}},
        "ScanIndexForward": False,
        "Limit": 3,
        "FilterExpression": "n > :min",
    },
]
QUERIES[4]["ExpressionAttributeValues"][":min"] = {"N": "10"}


def all_pages(client: Any, query: dict[str, Any]) -> list[list[dict[str, Any]]]:
    pages, start = [], None
    while True:
        answer = client.query(TableName=TABLE, **query, **({"ExclusiveStartKey": start} if start else {}))
        pages.append(answer["Items"])
        start = answer.get("LastEvaluatedKey")
        if not start:
            return pages


@pytest.mark.parametrize("query", QUERIES, ids=range(len(QUERIES)))
def test_the_cheaper_query_pages_exactly_like_stock_moto(
    dynamodb: Any, query: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the pages stock moto answers
    expected = all_pages(dynamodb, query)
    # When the same query runs with only the candidates that can match
    monkeypatch.setattr(Table, "query", moto_queries.cheap(Table.query))
    # Then every page is the same, in the same order
    assert all_pages(dynamodb, query) == expected
    assert sum(map(len, expected)) or query["ExpressionAttributeValues"].get(":p") == {"S": "P#9"}
