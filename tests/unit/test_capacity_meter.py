"""The bench's DynamoDB meter bills by DynamoDB's rules (bench/capacity.py): pure functions, no AWS."""

from __future__ import annotations

from typing import Any

from bench import capacity


def _post(**extra: Any) -> dict[str, Any]:
    item = {
        "PK": {"S": "POST#p"},
        "SK": {"S": "POST"},
        "type": {"S": "post"},
        "post_id": {"S": "p"},
        "smile_count": {"N": "1"},
        "caption": {"S": "x" * 100},
        "GSI3PK": {"S": "AUTHOR#a"},
        "GSI3SK": {"S": "POST#p"},
    }
    item.update(extra)
    return item


def test_an_index_entry_whose_key_moves_costs_a_delete_and_a_put() -> None:
    before = _post(GSI2PK={"S": "ACTIVE#1"}, GSI2SK={"S": "2026-03-01T10:00"})
    after = _post(GSI2PK={"S": "ACTIVE#1"}, GSI2SK={"S": "2026-03-01T10:05"})
    assert capacity._index_write_units(before, after) == 2  # GSI2: delete + put; GSI3: nothing it projects


def test_an_index_entry_added_or_removed_costs_one_write() -> None:
    with_entry = _post(GSI2PK={"S": "ACTIVE#1"}, GSI2SK={"S": "t"})
    assert capacity._index_write_units(_post(), with_entry) == 1
    assert capacity._index_write_units(with_entry, _post()) == 1


def test_a_narrow_index_is_written_only_when_what_it_projects_changes() -> None:
    recaptioned = _post(caption={"S": "y" * 100})  # caption is not in GSI3's projection
    assert capacity._index_write_units(_post(), recaptioned) == 0
    smiled = _post(smile_count={"N": "2"})
    assert capacity._index_write_units(_post(), smiled) == 1


def test_a_conditional_write_refused_is_billed_like_the_write() -> None:
    item = _post(caption={"S": "z" * 3000})
    assert capacity._failed_write_bill("PutItem", {"Item": item}, [None]) == 4
    assert capacity._failed_write_bill("UpdateItem", {"Key": {}}, [item]) == 4


def test_a_cancelled_transaction_is_billed_twice_every_item() -> None:
    params = {
        "TransactItems": [
            {"Put": {"TableName": "t", "Item": _post()}},
            {"Update": {"TableName": "t", "Key": {"PK": {"S": "USER#a"}, "SK": {"S": "PROFILE"}}}},
        ]
    }
    profile = {"PK": {"S": "USER#a"}, "SK": {"S": "PROFILE"}, "n": {"N": "1"}}
    assert capacity._failed_write_bill("TransactWriteItems", params, [None, profile]) == 2 * 1 + 2 * 1


def test_prices_are_the_on_demand_ones_after_the_november_2024_cut() -> None:
    assert capacity.WRITE_UNIT_PRICE == 0.625e-6
    assert capacity.READ_UNIT_PRICE == 0.125e-6
