"""A cheaper Query for the embedded AWS: only the items that can match, no sort of the whole table.

Stock moto (5.2) answers each Query by sorting every item of the table (`Table.all_items()`,
O(n log n) comparisons of its Python value objects) and then checking each one against the key
condition. With the demo data in (~10,000 items once brand events are seeded) that was two thirds
of the emulator's CPU, and the planner, the feed worker and every listing page run Queries all the
time; even unsorted, a walk over every item per Query on a global secondary index kept an idle
`make dev` stack busy (the planner's 8 shard Queries every 15 s).

Here a Query reads only its partition: on the table's key (or a local index, which shares it) the
table's own `items[hash]`; on a global index, the items whose index hash key equals the Query's,
from an index kept per table. The index is brought up to date lazily: every write path marks the
item's key (Table.put_item / delete_item, which batch writes, transactions and PartiQL go through,
and the backend's update_item, which changes items in place), and the next Query re-files just
those items. Anything it cannot reason about (a multi-attribute index key, an unhashable value)
falls back to every item. moto's own query then runs on those candidates: it checks the key
condition again, sorts, pages, filters, projects and counts exactly as it does unpatched.
tests/integration/test_moto_queries_property.py compares it with stock moto over random writes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import GlobalSecondaryIndex, Table

# Table.query(hash_key, range_comparison, range_objs, limit, start_key, forward, projection, index_name)
INDEX_NAME_POSITION = 6
STATE = "_flint_gsi_partitions"
Key = tuple[Any, Any]


class GsiPartitions:
    """For each single-hash-key GSI of a table: index hash value -> {table key: item}."""

    def __init__(self, table: Table):
        self.signature = _signature(table)
        self.by_index: dict[str, dict[Any, dict[Key, Any]]] = {name: {} for name, _ in self.signature}
        self.filed: dict[str, dict[Key, Any]] = {name: {} for name, _ in self.signature}
        self.unhashable: dict[str, dict[Key, Any]] = {name: {} for name, _ in self.signature}
        self.dirty: set[Key] = set()
        for item in _every_item(table):
            self._file(_key_of(item), item)

    def _file(self, key: Key, item: Any) -> None:
        for name, hash_attr in self.signature:
            value = item.attrs.get(hash_attr)
            if value is None:
                continue
            try:
                self.by_index[name].setdefault(value, {})[key] = item
                self.filed[name][key] = value
            except TypeError:  # not a key type (moto validates key types only on some paths)
                self.unhashable[name][key] = item

    def _unfile(self, key: Key) -> None:
        for name, _ in self.signature:
            self.unhashable[name].pop(key, None)
            value = self.filed[name].pop(key, None)
            if value is None:
                continue
            partition = self.by_index[name][value]
            del partition[key]
            if not partition:
                del self.by_index[name][value]

    def refresh(self, table: Table) -> None:
        for key in self.dirty:
            self._unfile(key)
            item = _current(table, key)
            if item is not None:
                self._file(key, item)
        self.dirty.clear()

    def partition(self, index_name: str, hash_value: Any) -> list[Any]:
        try:
            found = list(self.by_index[index_name].get(hash_value, {}).values())
        except TypeError:
            return []
        return found + list(self.unhashable[index_name].values())


def _signature(table: Table) -> tuple[tuple[str, str], ...]:
    single = []
    for index in table.global_indexes or []:
        hashes = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
        if len(hashes) == 1:
            single.append((index.name, hashes[0]))
    return tuple(single)


def _every_item(table: Table) -> Iterable[Any]:
    if table.range_key_attr:
        return [item for partition in table.items.values() for item in partition.values()]
    return list(table.items.values())


def _key_of(item: Any) -> Key:
    return (item.hash_key, item.range_key)


def _current(table: Table, key: Key) -> Any:
    hash_key, range_key = key
    if table.range_key_attr:
        return table.items.get(hash_key, {}).get(range_key) if hash_key in table.items else None
    return table.items.get(hash_key)


def _state(table: Table) -> GsiPartitions:
    state: GsiPartitions | None = table.__dict__.get(STATE)
    if state is None or state.signature != _signature(table):
        state = GsiPartitions(table)
        table.__dict__[STATE] = state
    else:
        state.refresh(table)
    return state


def mark(table: Table, hash_key: Any, range_key: Any) -> None:
    """The item at this key was written: re-file it before the next Query on an index."""
    state: GsiPartitions | None = table.__dict__.get(STATE)
    if state is not None:
        state.dirty.add((hash_key, range_key if table.range_key_attr else None))


def forget(table: Table) -> None:
    """Items changed in ways not tracked item by item: rebuild at the next Query on an index."""
    table.__dict__.pop(STATE, None)


def _candidates(table: Table, hash_key: Any, index_name: str | None) -> list[Any]:
    index = table.get_index(index_name) if index_name else None
    if index is None or not isinstance(index, GlobalSecondaryIndex):
        # The table's own key, or a local index (same hash key): one partition.
        if hash_key is not None and (index is None or _hash_attrs(index) == [table.hash_key_attr]):
            partition = table.items.get(hash_key)
            if partition is None:
                return []
            return list(partition.values()) if table.range_key_attr else [partition]
        return list(_every_item(table))
    if hash_key is not None and len(_hash_attrs(index)) == 1:
        return _state(table).partition(index.name, hash_key)
    return list(_every_item(table))


def _hash_attrs(index: Any) -> list[str]:
    return [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]


def cheap(stock_query: Callable[..., Any]) -> Callable[..., Any]:
    """moto's `Table.query`, given only the candidates that can match."""

    @functools.wraps(stock_query)
    def query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        positional = len(args) > INDEX_NAME_POSITION
        index_name = args[INDEX_NAME_POSITION] if positional else kwargs.get("index_name")
        if index_name and index_name not in {i.name for i in self.all_indexes()}:
            return stock_query(self, hash_key, *args, **kwargs)  # moto's own error
        candidates = _candidates(self, hash_key, index_name)
        # Only for this call (DynamoDB requests are applied one at a time: aws_server's lock).
        self.all_items = lambda: candidates  # type: ignore[method-assign]
        try:
            return stock_query(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items

    query.flint_cheap = True  # type: ignore[attr-defined]
    return query


def _marking_put(stock: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(stock)
    def put_item(self: Table, item_attrs: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        item = stock(self, item_attrs, *args, **kwargs)
        mark(self, item.hash_key, item.range_key)
        return item

    return put_item


def _marking_delete(stock: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(stock)
    def delete_item(self: Table, hash_key: Any, range_key: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return stock(self, hash_key, range_key, *args, **kwargs)
        finally:
            mark(self, hash_key, range_key)

    return delete_item


def _marking_update(stock: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(stock)
    def update_item(
        self: DynamoDBBackend, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        try:
            return stock(self, table_name, key, *args, **kwargs)
        finally:  # even a failed update may have changed the item midway
            table = self.tables.get(table_name)
            if table is not None:
                try:
                    range_key = key.get(table.range_key_attr) if table.range_key_attr else None
                    mark(table, DynamoType(key[table.hash_key_attr]), range_key and DynamoType(range_key))
                except Exception:  # an invalid key: moto has refused it; re-file everything anyway
                    forget(table)

    return update_item


def _forgetting(stock: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(stock)
    def statement(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        try:
            return stock(self, *args, **kwargs)
        finally:
            for table in self.tables.values():
                forget(table)

    return statement


def install() -> None:
    """Patch moto's Table.query and its write paths once per process (idempotent)."""
    if getattr(Table.query, "flint_cheap", False):
        return
    Table.query = cheap(Table.query)  # type: ignore[method-assign]
    Table.put_item = _marking_put(Table.put_item)  # type: ignore[method-assign]
    Table.delete_item = _marking_delete(Table.delete_item)  # type: ignore[method-assign]
    DynamoDBBackend.update_item = _marking_update(DynamoDBBackend.update_item)  # type: ignore[method-assign]
    for name in ("execute_statement", "batch_execute_statement", "execute_transaction"):
        setattr(DynamoDBBackend, name, _forgetting(getattr(DynamoDBBackend, name)))
