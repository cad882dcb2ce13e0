"""A cheaper TransactWriteItems for the embedded AWS: O(items in the transaction), not O(table).

Stock moto deep-copies every table a transaction touches before writing, so that it can roll a
cancelled one back: with the demo data loaded (~1,600 items) every smile, comment and follow costs
about a second of emulator time, and because `aws_server` applies DynamoDB requests one at a time,
everything else queues behind it (seconds per request under `make dev`, minutes for the e2e tests).

DynamoDB evaluates every condition against the state before the transaction, then writes all
items or none. This does the same: check all conditions first (nothing written if one fails, with
moto's own cancellation reasons), then write, snapshotting only the items written so an invalid
update expression midway can be undone. Isolation still comes from `aws_server`'s lock.
"""

from __future__ import annotations

from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend

MAX_ITEMS = 100
OPERATIONS = ("ConditionCheck", "Put", "Delete", "Update")
OK: tuple[None, None, None] = (None, None, None)


def _key(backend: DynamoDBBackend, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return dict(op["Key"])
    table = backend.get_table(op["TableName"])
    key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = op["Item"][table.range_key_attr]
    return key


def _reason(backend: DynamoDBBackend, op: dict[str, Any], key: dict[str, Any]) -> tuple[Any, Any, Any]:
    """Why this item cancels the transaction, or OK when its condition holds."""
    expression = op.get("ConditionExpression")
    if expression is None:
        return OK
    current = backend.get_item(op["TableName"], key)
    condition = get_filter_expression(
        expression, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
    )
    if condition.expr(current):
        return OK
    old = None
    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
        old = current.to_json()["Attributes"]
    return ("ConditionalCheckFailed", ConditionalCheckFailed().message, old)


def _write(backend: DynamoDBBackend, op_type: str, op: dict[str, Any], key: dict[str, Any]) -> None:
    if op_type == "Put":
        backend.put_item(op["TableName"], op["Item"])
    elif op_type == "Delete":
        backend.delete_item(op["TableName"], key)
    elif op_type == "Update":
        backend.update_item(
            op["TableName"],
            key,
            update_expression=op["UpdateExpression"],
            expression_attribute_names=op.get("ExpressionAttributeNames"),
            expression_attribute_values=op.get("ExpressionAttributeValues"),
        )


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    if len(transact_items) > MAX_ITEMS:
        raise TooManyTransactionsException()
    operations: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    targets: set[tuple[str, str]] = set()
    for entry in transact_items:
        if len(entry) > 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(entry.items()))
        if op_type not in OPERATIONS:
            raise MockValidationException("Unsupported transaction operation")
        key = _key(self, op_type, op)
        target = (str(op["TableName"]), str(dict(sorted(key.items()))))
        if target in targets:
            raise MultipleTransactionsException()
        targets.add(target)
        operations.append((op_type, op, key))

    reasons = [_reason(self, op, key) for _, op, key in operations]
    if any(code is not None for code, _, _ in reasons):
        raise TransactionCanceledException(reasons)

    undo: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = []
    try:
        for op_type, op, key in operations:
            before = self.get_item(op["TableName"], key)
            undo.append((op["TableName"], key, before.to_json()["Attributes"] if before else None))
            _write(self, op_type, op, key)
    except Exception as exc:
        for table_name, key, attributes in reversed(undo):
            if attributes is None:
                self.delete_item(table_name, key)
            else:
                self.put_item(table_name, attributes)
        if isinstance(exc, MockValidationException):
            raise
        failed = [OK] * len(operations)
        failed[len(undo) - 1] = (type(exc).__name__, str(exc), None)
        raise TransactionCanceledException(failed) from exc


def install() -> None:
    """Use this transaction in every moto DynamoDB backend of this process (idempotent)."""
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
