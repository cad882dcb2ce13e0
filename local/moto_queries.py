"""A cheaper Query for the embedded AWS: no sort of the whole table before every Query.

Stock moto (5.2) answers each Query by sorting every item of the table (`Table.all_items()`,
O(n log n) comparisons of its Python value objects) and then filtering. With the demo data in
(~10,000 items once brand events are seeded) that sort was two thirds of the emulator's CPU, and
the planner, the feed worker and every listing page run Queries all the time.

The results are sorted again after filtering (by the index's keys, then the table's), so the
candidates' order does not matter: a Query on the table's own key reads that one partition, a
Query on an index scans the items unsorted. Results, paging and errors are moto's own.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models.table import Table

# Table.query(hash_key, range_comparison, range_objs, limit, start_key, forward, projection, index_name)
INDEX_NAME_POSITION = 6


def _candidates(table: Table, hash_key: Any, index_name: str | None) -> list[Any]:
    if index_name is None and hash_key is not None:
        partition = table.items.get(hash_key)
        if partition is None:
            return []
        return list(partition.values()) if table.range_key_attr else [partition]
    if table.range_key_attr:
        return [item for partition in table.items.values() for item in partition.values()]
    return list(table.items.values())


def cheap(stock_query: Callable[..., Any]) -> Callable[..., Any]:
    """moto's `Table.query`, given only the candidates that can match."""

    @functools.wraps(stock_query)
    def query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        positional = len(args) > INDEX_NAME_POSITION
        index_name = args[INDEX_NAME_POSITION] if positional else kwargs.get("index_name")
        candidates = _candidates(self, hash_key, index_name)
        # Only for this call (DynamoDB requests are applied one at a time: aws_server's lock).
        self.all_items = lambda: candidates  # type: ignore[method-assign]
        try:
            return stock_query(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items

    query.flint_cheap = True  # type: ignore[attr-defined]
    return query


def install() -> None:
    """Patch moto's Table.query once per process (idempotent)."""
    if not getattr(Table.query, "flint_cheap", False):
        Table.query = cheap(Table.query)  # type: ignore[method-assign]
