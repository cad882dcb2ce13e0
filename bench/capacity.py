"""Bill DynamoDB requests the way DynamoDB on-demand bills them, against the embedded AWS.

The emulator answers `ReturnConsumedCapacity` with fixed numbers, so the meter computes read and
write request units itself from the items each request touches, by DynamoDB's rules:

- GetItem / BatchGetItem: each item rounded up to 4 KB; 0.5 unit per 4 KB eventually consistent,
  1 strongly consistent; an item that is not there still costs the minimum.
- Query / Scan: the *sum* of the items read, rounded up to 4 KB once (so many small items share
  a unit), on the table's or the index's projected item. A projection in the request does not
  reduce what is read: the meter re-reads without it (unmetered) to learn the billed size.
- PutItem / UpdateItem / DeleteItem / BatchWriteItem: 1 unit per 1 KB of the larger of the item
  before and after, plus, for every index, what the index itself writes on its projected size:
  an entry added or removed is one write, an entry whose index key changed is two (a delete and
  a put), an entry whose projected attributes changed is one, an entry left alone is none.
  TransactWriteItems: twice that for every item (a ConditionCheck: twice the item's size).
- Failed writes are billed too: a conditional write whose condition failed costs what the write
  would have (on the item as it is), and a cancelled transaction costs twice every item's size.

    with meter() as bill:
        feeds.refresh_member(member_id, generation)
    bill.requests, bill.read_units, bill.write_units

Standalone on purpose (stdlib + botocore): the legacy-design probe imports it by path.
"""

from __future__ import annotations

import importlib.util
import math
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import ClientError


def _prices() -> Any:
    """bench/prices.py, loaded by path like this module (the probe runs inside other checkouts)."""
    path = Path(__file__).resolve().parent / "prices.py"
    spec = importlib.util.spec_from_file_location("flint_bench_prices", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PRICES = _prices()
WRITE_UNIT_PRICE = PRICES.DYNAMODB_WRITE_UNIT
READ_UNIT_PRICE = PRICES.DYNAMODB_READ_UNIT

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


def _projected(item: dict[str, Any], partition_key: str, projected: list[str] | None) -> dict[str, Any]:
    if projected is None:
        return item
    index_keys = (partition_key, partition_key.replace("PK", "SK"))
    return {k: v for k, v in item.items() if k in (*_KEY_ATTRIBUTES, *index_keys, *projected)}


def _index_write_units(before: dict[str, Any] | None, after: dict[str, Any] | None) -> int:
    """What every index writes when an item goes from `before` to `after` (None: absent)."""
    units = 0
    for partition_key, projected in INDEXES.values():
        sort_key = partition_key.replace("PK", "SK")
        old = before if before and partition_key in before else None
        new = after if after and partition_key in after else None
        if old is None and new is None:
            continue
        if old is None or new is None:  # an entry added or removed
            units += write_units(_projected(old or new or {}, partition_key, projected))
        elif (old[partition_key], old.get(sort_key)) != (new[partition_key], new.get(sort_key)):
            # the index key moved: the index deletes the old entry and puts the new one
            units += write_units(_projected(old, partition_key, projected))
            units += write_units(_projected(new, partition_key, projected))
        elif _projected(old, partition_key, projected) != _projected(new, partition_key, projected):
            units += max(
                write_units(_projected(old, partition_key, projected)),
                write_units(_projected(new, partition_key, projected)),
            )
    return units


def _item_write_units(before: dict[str, Any] | None, after: dict[str, Any] | None) -> int:
    """A successful single-item write: the larger of the two sizes, plus the indexes' writes."""
    return max(
        write_units(before) if before else 0, write_units(after) if after else 0, 1
    ) + _index_write_units(before, after)


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


def _befores(client: BaseClient, operation: str, params: dict[str, Any]) -> list[dict[str, Any] | None]:
    """The items a write is about to change, read first (unmetered)."""
    if operation == "PutItem":
        return [_full_item(client, params["TableName"], _key_of(params["Item"]))]
    if operation in ("UpdateItem", "DeleteItem"):
        return [_full_item(client, params["TableName"], params["Key"])]
    if operation == "BatchWriteItem":
        found = []
        for table, requests in params["RequestItems"].items():
            for request in requests:
                key = (
                    _key_of(request["PutRequest"]["Item"])
                    if "PutRequest" in request
                    else request["DeleteRequest"]["Key"]
                )
                found.append(_full_item(client, table, key))
        return found
    if operation == "TransactWriteItems":
        found = []
        for entry in params["TransactItems"]:
            [(kind, body)] = entry.items()
            key = _key_of(body["Item"]) if kind == "Put" else body["Key"]
            found.append(_full_item(client, body["TableName"], key))
        return found
    return []


def _write_bill(
    client: BaseClient, operation: str, params: dict[str, Any], befores: list[dict[str, Any] | None]
) -> float:
    """A write that succeeded: items before (read first) and after (the request, or read again)."""
    if operation == "PutItem":
        return _item_write_units(befores[0], params["Item"])
    if operation == "DeleteItem":
        return _item_write_units(befores[0], None)
    if operation == "UpdateItem":
        return _item_write_units(befores[0], _full_item(client, params["TableName"], params["Key"]))
    if operation == "BatchWriteItem":
        requests = [r for rs in params["RequestItems"].values() for r in rs]
        return sum(
            _item_write_units(before, r["PutRequest"]["Item"] if "PutRequest" in r else None)
            for r, before in zip(requests, befores, strict=True)
        )
    if operation == "TransactWriteItems":
        units = 0
        for entry, before in zip(params["TransactItems"], befores, strict=True):
            [(kind, body)] = entry.items()
            if kind == "Put":
                units += 2 * _item_write_units(before, body["Item"])
            elif kind == "Update":
                units += 2 * _item_write_units(before, _full_item(client, body["TableName"], body["Key"]))
            elif kind == "Delete":
                units += 2 * _item_write_units(before, None)
            else:  # ConditionCheck
                units += 2 * write_units(before)
        return units
    return 0


def _failed_write_bill(operation: str, params: dict[str, Any], befores: list[dict[str, Any] | None]) -> float:
    """A write DynamoDB refused on its condition, or a cancelled transaction: billed all the same
    (on the items as they are; nothing was written, so no index writes)."""
    if operation == "PutItem":
        return max(write_units(params["Item"]), write_units(befores[0]) if befores[0] else 0)
    if operation in ("UpdateItem", "DeleteItem"):
        return write_units(befores[0])
    if operation == "TransactWriteItems":
        units = 0
        for entry, before in zip(params["TransactItems"], befores, strict=True):
            [(kind, body)] = entry.items()
            size = max(
                write_units(body["Item"]) if kind == "Put" else 0, write_units(before) if before else 0
            )
            units += 2 * max(size, 1)
        return units
    return 0


_BILLED_FAILURES = {"ConditionalCheckFailedException", "TransactionCanceledException"}


_READS = {"GetItem", "BatchGetItem", "Query", "Scan"}
_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
_ORIGINAL = BaseClient._make_api_call
_active: list[Bill] = []
_lock = threading.Lock()


def _charge(operation_name: str, read: float, write: float) -> None:
    with _lock:
        for bill in _active:
            bill.requests += 1
            bill.by_operation[operation_name] += 1
            bill.read_units += read
            bill.write_units += write


def _metering(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
    if getattr(_local, "inside", False) or self.meta.service_model.service_name != "dynamodb" or not _active:
        return _ORIGINAL(self, operation_name, api_params)
    befores = _befores(self, operation_name, api_params) if operation_name in _WRITES else []
    try:
        response = _ORIGINAL(self, operation_name, api_params)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in _BILLED_FAILURES:
            _charge(operation_name, 0.0, _failed_write_bill(operation_name, api_params, befores))
        raise
    read = _read_bill(self, operation_name, api_params, response) if operation_name in _READS else 0.0
    write = _write_bill(self, operation_name, api_params, befores) if operation_name in _WRITES else 0.0
    _charge(operation_name, read, write)
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
