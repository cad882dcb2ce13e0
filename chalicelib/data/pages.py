"""A page of a Query: its items and where the next page starts (DynamoDB's LastEvaluatedKey)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Page:
    items: list[Any]
    last_key: dict[str, Any] | None
