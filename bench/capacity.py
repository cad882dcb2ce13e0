"""Bill DynamoDB requests the way DynamoDB on-demand bills them, against the embedded AWS.

The emulator answers `ReturnConsumedCapacity` with fixed numbers, so the meter computes read and
write request units itself from the items each request touches, by DynamoDB's rules:

- GetItem / BatchGetItem: each item rounded up to 4 KB; 0.5 unit per 4 KB eventually consistent,
  1 strongly consistent; an item that is not there still costs the minimum.
- Query / Scan: the *sum* of the items read, rounded up to 4 KB once (so many small items share
  a unit), on the table's or the index's projected item. A projection in the request does not
  reduce what is read: the meter re-reads without it (unmetered) to learn the billed size.
- PutItem / UpdateItem / DeleteItem / BatchWriteItem: 1 unit per 1 KB of the larger of the item
  before and after, plus the same for every index whose keys the item carries (on the index's
  projected size). TransactWriteItems: twice that.

    with meter() as bill:
        feeds.refresh_member(member_id, generation)
    bill.requests, bill.read_units, bill.write_units

Standalone on purpose (stdlib + botocore): the legacy-design probe imports it by path.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.client import BaseClient

# On-demand prices (USD per million request units) used for projections. These are the prices the
# cost analysis in issue 10 used (us-east-1 before the November 2024 cut); the ratios between
# designs do not depend on them.
WRITE_UNIT_PRICE = 1.25e-6
READ_UNIT_PRICE = 0.25e-6

# Index name -> (partition key attribute, projected non-key attributes or None for ALL).
INDEXES: dict[str, tuple[str, list[str] | None]] = {
    "GSI1": ("GSI1PK", None),
    "GSI2": ("GSI2PK", None),
    "GSI3": (
        "GSI3PK",
        ["type", "post_id", "author_id", "created_at", "interests", "smile_count", "comment_count", "state"],
    ),
}
_KEY_ATTRIBUTES = ("PK", "SK")

_local = threading.local()


def value_size(value: dict[str, Any]) -> int:
    """Bytes DynamoDB counts for one attribute value (its item-size rules)."""
    [(kind, raw)] = value.items()
    if kind == "S":
        return len(raw.encode())
    if kind == "N":
        return math.ceil(len(raw.lstrip("-").replace(".", "").lstrip("0") or "0") / 2) + 1
    if kind == "B":
        return len(raw)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in raw)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + value_size(v) for k, v in raw.items())
    if kind in ("SS", "NS", "BS"):
        return sum(len(v.encode()) if isinstance(v, str) else len(v) for v in raw)
    return len(str(raw))


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def write_units(item: dict[str, Any] | None) -> int:
    return max(1, math.ceil(item_size(item) / 1024)) if item else 1


def _index_write_units(item: dict[str, Any] | None) -> int:
    """Extra units for every index the item is in, on its projected size there."""
    if not item:
        return 0
    units = 0
    for partition_key, projected in INDEXES.values():
        if partition_key not in item:
            continue
        index_keys = (partition_key, partition_key.replace("PK", "SK"))
        kept = (
            item
            if projected is None
            else {k: v for k, v in item.items() if k in (*_KEY_ATTRIBUTES, *index_keys, *projected)}
        )
        units += write_units(kept)
    return units


def read_units(size: int, consistent: bool) -> float:
    units = max(1, math.ceil(size / 4096))
    return units * (1.0 if consistent else 0.5)


@dataclass
class Bill:
    requests: int = 0
    read_units: float = 0.0
    write_units: float = 0.0
    by_operation: Counter[str] = field(default_factory=Counter)

    @property
    def cost(self) -> float:
        return self.read_units * READ_UNIT_PRICE + self.write_units * WRITE_UNIT_PRICE

    def add(self, other: Bill) -> None:
        self.requests += other.requests
        self.read_units += other.read_units
        self.write_units += other.write_units
        self.by_operation.update(other.by_operation)


def _unmetered(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
    _local.inside = True
    try:
        return _ORIGINAL(client, operation, params)
    finally:
        _local.inside = False


def _full_item(client: BaseClient, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
    found = _unmetered(client, "GetItem", {"TableName": table, "Key": key, "ConsistentRead": True})
    return found.get("Item")


def _key_of(item: dict[str, Any]) -> dict[str, Any]:
    return {k: item[k] for k in _KEY_ATTRIBUTES if k in item}


def _without_projection(params: dict[str, Any]) -> dict[str, Any]:
    dropped = ("ProjectionExpression", "AttributesToGet", "Select", "ExpressionAttributeNames")
    bare = {k: v for k, v in params.items() if k not in dropped}
    expressions = " ".join(str(params.get(k, "")) for k in ("KeyConditionExpression", "FilterExpression"))
    names = {k: v for k, v in (params.get("ExpressionAttributeNames") or {}).items() if k in expressions}
    if names:
        bare["ExpressionAttributeNames"] = names
    return bare


def _read_bill(client: BaseClient, operation: str, params: dict[str, Any], response: dict[str, Any]) -> float:
    consistent = bool(params.get("ConsistentRead"))
    if operation == "GetItem":
        item = response.get("Item")
        if item is not None and ("ProjectionExpression" in params or "AttributesToGet" in params):
            item = _full_item(client, params["TableName"], params["Key"])
        return read_units(item_size(item) if item else 0, consistent)
    if operation == "BatchGetItem":
        units = 0.0
        for table, request in params["RequestItems"].items():
            found = {
                tuple(sorted((k, str(v)) for k, v in _key_of(i).items())): i
                for i in response.get("Responses", {}).get(table, [])
            }
            projected = "ProjectionExpression" in request or "AttributesToGet" in request
            for key in request["Keys"]:
                item = found.get(tuple(sorted((k, str(v)) for k, v in key.items())))
                if item is not None and projected:
                    item = _full_item(client, table, key)
                units += read_units(item_size(item) if item else 0, bool(request.get("ConsistentRead")))
        return units
    # Query / Scan: one rounding over every item read (the index's projection, not the request's).
    items = response.get("Items", [])
    if "ProjectionExpression" in params or "AttributesToGet" in params or "Select" in params:
        items = _unmetered(client, operation, _without_projection(params)).get("Items", [])
    return read_units(sum(item_size(i) for i in items), consistent)


def _write_bill(client: BaseClient, operation: str, params: dict[str, Any]) -> float:
    if operation == "PutItem":
        item = params["Item"]
        old = _full_item(client, params["TableName"], _key_of(item))
        return max(write_units(item), write_units(old) if old else 0) + _index_write_units(item)
    if operation == "DeleteItem":
        old = _full_item(client, params["TableName"], params["Key"])
        return write_units(old) + _index_write_units(old)
    if operation == "BatchWriteItem":
        units = 0
        for table, requests in params["RequestItems"].items():
            for request in requests:
                if "PutRequest" in request:
                    item = request["PutRequest"]["Item"]
                    units += write_units(item) + _index_write_units(item)
                else:
                    old = _full_item(client, table, request["DeleteRequest"]["Key"])
                    units += write_units(old) + _index_write_units(old)
        return units
    return 0


def _post_write_bill(client: BaseClient, operation: str, params: dict[str, Any], before: Any) -> float:
    """UpdateItem and transactions: billed on the item after the write (the larger one, usually)."""
    if operation == "UpdateItem":
        after = _full_item(client, params["TableName"], params["Key"])
        return max(write_units(after), write_units(before)) + _index_write_units(after)
    if operation == "TransactWriteItems":
        units = 0
        for entry in params["TransactItems"]:
            [(kind, body)] = entry.items()
            if kind == "Put":
                units += 2 * (write_units(body["Item"]) + _index_write_units(body["Item"]))
            else:
                after = _full_item(client, body["TableName"], body["Key"])
                units += 2 * (write_units(after) + (_index_write_units(after) if kind == "Update" else 0))
        return units
    return 0


_READS = {"GetItem", "BatchGetItem", "Query", "Scan"}
_WRITES_BEFORE = {"PutItem", "DeleteItem", "BatchWriteItem"}
_WRITES_AFTER = {"UpdateItem", "TransactWriteItems"}
_ORIGINAL = BaseClient._make_api_call
_active: list[Bill] = []
_lock = threading.Lock()


def _metering(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
    if getattr(_local, "inside", False) or self.meta.service_model.service_name != "dynamodb" or not _active:
        return _ORIGINAL(self, operation_name, api_params)
    units_before = 0.0
    before_item = None
    if operation_name in _WRITES_BEFORE:
        units_before = _write_bill(self, operation_name, api_params)
    elif operation_name == "UpdateItem":
        before_item = _full_item(self, api_params["TableName"], api_params["Key"])
    response = _ORIGINAL(self, operation_name, api_params)
    read = _read_bill(self, operation_name, api_params, response) if operation_name in _READS else 0.0
    write = units_before + (
        _post_write_bill(self, operation_name, api_params, before_item)
        if operation_name in _WRITES_AFTER
        else 0
    )
    with _lock:
        for bill in _active:
            bill.requests += 1
            bill.by_operation[operation_name] += 1
            bill.read_units += read
            bill.write_units += write
    return response


@contextmanager
def meter() -> Iterator[Bill]:
    """Bill every DynamoDB request made in this process while the block runs."""
    bill = Bill()
    with _lock:
        first = not _active
        _active.append(bill)
        if first:
            BaseClient._make_api_call = _metering  # type: ignore[method-assign]
    try:
        yield bill
    finally:
        with _lock:
            _active.remove(bill)
            if not _active:
                BaseClient._make_api_call = _ORIGINAL  # type: ignore[method-assign]
