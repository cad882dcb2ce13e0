"""The embedded AWS's cheaper Query answers exactly what stock moto answers, page by page."""

from __future__ import annotations

import inspect
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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


# --- the GSI partitions, kept up to date through every write path --------------------------------

PKS = ("a", "b", "c")
SKS = ("1", "2", "3", "4")
GS = ("g", "h")
PROPERTY_QUERIES: list[dict[str, Any]] = [
    *({"KeyConditionExpression": "PK = :p", "ExpressionAttributeValues": {":p": {"S": p}}} for p in PKS),
    {
        "KeyConditionExpression": "PK = :p AND begins_with(SK, :s)",
        "ExpressionAttributeValues": {":p": {"S": "a"}, ":s": {"S": "2"}},
    },
    *(
        {
            "IndexName": "GSI1",
            "KeyConditionExpression": "G1PK = :g",
            "ExpressionAttributeValues": {":g": {"S": g}},
            "Limit": 2,
            "ScanIndexForward": forward,
        }
        for g in GS
        for forward in (True, False)
    ),
    {
        "IndexName": "GSI1",
        "KeyConditionExpression": "G1PK = :g AND G1SK BETWEEN :a AND :b",
        "ExpressionAttributeValues": {":g": {"S": "g"}, ":a": {"S": "2"}, ":b": {"S": "3"}},
    },
    {
        "IndexName": "GSI1",
        "KeyConditionExpression": "G1PK = :g",
        "FilterExpression": "n > :n",
        "ExpressionAttributeValues": {":g": {"S": "h"}, ":n": {"N": "1"}},
        "Limit": 2,
    },
    {
        "IndexName": "GSI1",
        "KeyConditionExpression": "G1PK = :g",
        "ExpressionAttributeValues": {":g": {"S": "g"}},
        "Select": "COUNT",
    },
    *(
        {
            "IndexName": "GSI2",
            "KeyConditionExpression": "G2PK = :g AND G2SK > :n",
            "ExpressionAttributeValues": {":g": {"S": g}, ":n": {"N": "0"}},
            "ScanIndexForward": False,
            "Limit": 3,
        }
        for g in GS
    ),
    {
        "IndexName": "GSI3",
        "KeyConditionExpression": "G3PK = :g",
        "ExpressionAttributeValues": {":g": {"S": "g"}},
        "ProjectionExpression": "PK, n",
    },
    {
        "IndexName": "LSI1",
        "KeyConditionExpression": "PK = :p AND n >= :n",
        "ExpressionAttributeValues": {":p": {"S": "b"}, ":n": {"N": "1"}},
    },
]


def index_attrs() -> Any:
    return st.fixed_dictionaries(
        {},
        optional={
            "G1PK": st.sampled_from(GS).map(lambda v: {"S": v}),
            "G1SK": st.sampled_from(SKS).map(lambda v: {"S": v}),
            "G2PK": st.sampled_from(GS).map(lambda v: {"S": v}),
            "G2SK": st.integers(-2, 3).map(lambda v: {"N": str(v)}),
            "G3PK": st.sampled_from(GS).map(lambda v: {"S": v}),
            "n": st.integers(0, 3).map(lambda v: {"N": str(v)}),
        },
    )


UPDATES = (
    ("SET G1PK = :g, G1SK = :s", {":g": {"S": "g"}, ":s": {"S": "3"}}),
    ("SET G1PK = :g", {":g": {"S": "h"}}),
    ("REMOVE G1PK, G2SK", {}),
    ("SET G2PK = :g, G2SK = :n", {":g": {"S": "g"}, ":n": {"N": "2"}}),
    ("ADD n :n", {":n": {"N": "1"}}),
    ("SET G3PK = :g REMOVE n", {":g": {"S": "h"}}),
)
keys = st.tuples(st.sampled_from(PKS), st.sampled_from(SKS))
operations = st.one_of(
    st.tuples(st.just("put"), keys, index_attrs()),
    st.tuples(st.just("put_if_new"), keys, index_attrs()),
    st.tuples(st.just("update"), keys, st.sampled_from(UPDATES)),
    st.tuples(st.just("delete"), keys, st.none()),
    st.tuples(st.just("batch"), st.lists(st.tuples(keys, st.none() | index_attrs()), max_size=4), st.none()),
    st.tuples(
        st.just("transact"), st.lists(st.tuples(keys, st.sampled_from(UPDATES)), max_size=3), st.booleans()
    ),
)


def item_key(key: tuple[str, str]) -> dict[str, Any]:
    return {"PK": {"S": key[0]}, "SK": {"S": key[1]}}


def apply(client: Any, table: str, operation: tuple[Any, Any, Any]) -> None:
    kind, target, detail = operation
    try:
        if kind in ("put", "put_if_new"):
            condition = {"ConditionExpression": "attribute_not_exists(PK)"} if kind == "put_if_new" else {}
            client.put_item(TableName=table, Item={**item_key(target), **detail}, **condition)
        elif kind == "update":
            expression, values = detail
            client.update_item(
                TableName=table,
                Key=item_key(target),
                UpdateExpression=expression,
                **({"ExpressionAttributeValues": values} if values else {}),
            )
        elif kind == "delete":
            client.delete_item(TableName=table, Key=item_key(target))
        elif kind == "batch":
            writes = {k: attrs for k, attrs in target}  # one write per key, as DynamoDB requires
            requests = [
                {"DeleteRequest": {"Key": item_key(k)}}
                if attrs is None
                else {"PutRequest": {"Item": {**item_key(k), **attrs}}}
                for k, attrs in writes.items()
            ]
            if requests:
                client.batch_write_item(RequestItems={table: requests})
        elif kind == "transact":
            updates = dict(target)
            items = [
                {
                    "Update": {
                        "TableName": table,
                        "Key": item_key(k),
                        "UpdateExpression": expression,
                        **({"ExpressionAttributeValues": values} if values else {}),
                    }
                }
                for k, (expression, values) in updates.items()
            ]
            if detail and items:  # a transaction that is cancelled: nothing of it may show
                items.append(
                    {
                        "ConditionCheck": {
                            "TableName": table,
                            "Key": item_key(("z", "z")),
                            "ConditionExpression": "attribute_exists(PK)",
                        }
                    }
                )
            if items:
                client.transact_write_items(TransactItems=items)
    except ClientError as error:
        assert error.response["Error"]["Code"] in (
            "ConditionalCheckFailedException",
            "TransactionCanceledException",
            "ValidationException",
        )


def answers(client: Any, table: str) -> list[Any]:
    found = []
    for query in PROPERTY_QUERIES:
        pages, start = [], None
        while True:
            answer = client.query(TableName=table, **query, **({"ExclusiveStartKey": start} if start else {}))
            pages.append(
                (answer.get("Items"), answer["Count"], answer["ScannedCount"], answer.get("LastEvaluatedKey"))
            )
            start = answer.get("LastEvaluatedKey")
            if not start:
                break
        found.append(pages)
    return found


def create_property_table(client: Any, name: str) -> None:
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            *(
                {"AttributeName": a, "AttributeType": "S"}
                for a in ("PK", "SK", "G1PK", "G1SK", "G2PK", "G3PK")
            ),
            {"AttributeName": "G2SK", "AttributeType": "N"},
            {"AttributeName": "n", "AttributeType": "N"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "GSI1",
                "KeySchema": [
                    {"AttributeName": "G1PK", "KeyType": "HASH"},
                    {"AttributeName": "G1SK", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": "GSI2",
                "KeySchema": [
                    {"AttributeName": "G2PK", "KeyType": "HASH"},
                    {"AttributeName": "G2SK", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            },
            {
                "IndexName": "GSI3",
                "KeySchema": [{"AttributeName": "G3PK", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["n"]},
            },
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "LSI1",
                "KeySchema": [
                    {"AttributeName": "PK", "KeyType": "HASH"},
                    {"AttributeName": "n", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
        ],
        BillingMode="PAY_PER_REQUEST",
    )


# The same examples every run (a CI failure replays); too_slow off: a loaded machine is not a bug
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.lists(operations, max_size=8), min_size=1, max_size=4))
def test_queries_over_random_writes_answer_exactly_what_stock_moto_answers(
    dynamodb: Any,  # noqa: F811 (the imported fixture, requested by name)
    steps: list[list[Any]],
) -> None:
    # Given the write paths marking what they change (as the embedded AWS installs them)
    moto_queries.install()
    stock = inspect.unwrap(Table.query)
    table = f"prop-{uuid.uuid4().hex[:8]}"
    create_property_table(dynamodb, table)
    try:
        for batch in steps:
            # When some writes go in (puts, conditional puts, updates that set, change or remove
            # index keys, deletes, batch writes, transactions, cancelled transactions)
            for operation in batch:
                apply(dynamodb, table, operation)
            # Then every query pages exactly as stock moto's (which walks every item) does
            patched = answers(dynamodb, table)
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(Table, "query", stock)
                assert patched == answers(dynamodb, table)
    finally:
        dynamodb.delete_table(TableName=table)
