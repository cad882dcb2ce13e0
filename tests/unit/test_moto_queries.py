"""The embedded AWS's cheaper Query answers exactly what stock moto answers, page by page."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from moto.dynamodb.models.table import Table

from local import moto_queries
from tests.unit.test_moto_transactions import dynamodb  # noqa: F401 (the fake-AWS moto fixture)

TABLE = "indexed"


@pytest.fixture
def indexed(dynamodb: Any) -> Any:  # noqa: F811 (the imported fixture, requested by name)
    """A table with a GSI and items over four partitions, in the fake-AWS moto of the
    transactions tests (its own table there is left alone)."""
    strings = ("PK", "SK", "G1PK", "G1SK")
    dynamodb.create_table(
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
        dynamodb.put_item(TableName=TABLE, Item=item)
    return dynamodb


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
    indexed: Any, query: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the pages stock moto answers (unpatched, even if this process's emulator installed it)
    stock = inspect.unwrap(Table.query)
    monkeypatch.setattr(Table, "query", stock)
    expected = all_pages(indexed, query)
    # When the same query runs with only the candidates that can match
    monkeypatch.setattr(Table, "query", moto_queries.cheap(stock))
    # Then every page is the same, in the same order
    assert all_pages(indexed, query) == expected
    assert sum(map(len, expected)) or query["ExpressionAttributeValues"].get(":p") == {"S": "P#9"}
