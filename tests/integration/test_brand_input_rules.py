"""Issue 21's brand findings, each as the review's exact requests: dates at both ends of the calendar,
a campaign stored with a day the API no longer accepts, the OpenAPI name of `from`, brand names."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.data import brands as brand_store
from chalicelib.data.brands import Campaign
from tests.conftest import SignedInMember
from tests.support.brands import brand_with_product, fresh_name
from tests.support.community import assert_error, call, ok


@pytest.fixture
def owner_and_brand(api: Any, new_member: Callable[..., SignedInMember]) -> tuple[SignedInMember, str, str]:
    owner = new_member("brand")
    brand, product = brand_with_product(api, owner, fresh_name("Dates"), title="Tent")
    return owner, str(brand["id"]), str(product["id"])


@pytest.mark.parametrize(
    "query",
    ["to=0001-01-05", "from=9999-12-25&to=9999-12-31", "from=1999-12-31&to=2000-01-05", "to=2101-01-01"],
)
def test_insights_windows_outside_the_calendar_the_api_takes_are_400(
    api: Any, owner_and_brand: tuple[SignedInMember, str, str], query: str
) -> None:
    owner, brand_id, _ = owner_and_brand
    error = assert_error(
        call(api, "GET", f"/brands/{brand_id}/insights?{query}", owner), 400, "bad_parameter"
    )
    assert "2000-01-01" in json.dumps(error)


def test_insights_at_the_first_days_the_api_takes_answer(
    api: Any, owner_and_brand: tuple[SignedInMember, str, str]
) -> None:
    owner, brand_id, _ = owner_and_brand
    # The default window would start 27 days before 2000-01-02: it is clipped to the first day.
    report = ok(call(api, "GET", f"/brands/{brand_id}/insights?to=2000-01-02", owner))
    assert (report["from"], report["to"]) == ("2000-01-01", "2000-01-02")
    late = ok(call(api, "GET", f"/brands/{brand_id}/insights?from=2100-12-01&to=2100-12-31", owner))
    assert len(late["series"]) == 31


@pytest.mark.parametrize(
    "dates",
    [
        {"starts_at": "0001-01-01", "ends_at": "0001-01-05"},
        {"starts_at": "9999-12-25", "ends_at": "9999-12-31"},
        {"starts_at": 1767225600, "ends_at": "2026-01-05"},
        {"starts_at": "2026-1-1", "ends_at": "2026-01-05"},
    ],
)
def test_campaign_days_outside_the_calendar_or_not_strings_are_422(
    api: Any, owner_and_brand: tuple[SignedInMember, str, str], dates: dict[str, Any]
) -> None:
    owner, brand_id, product_id = owner_and_brand
    body = {"name": "Launch", "product_ids": [product_id], **dates}
    error = assert_error(
        call(api, "POST", f"/brands/{brand_id}/campaigns", owner, body), 422, "validation_error"
    )
    assert {d["field"] for d in error["details"]} <= {"starts_at", "ends_at"}


def test_a_campaign_stored_with_a_day_out_of_range_still_reads(
    api: Any, owner_and_brand: tuple[SignedInMember, str, str]
) -> None:
    # Given a campaign stored before the API bounded its days (as the review's 201 did)
    owner, brand_id, product_id = owner_and_brand
    campaign_id = f"camp_{uuid.uuid4().hex[:12]}"
    brand_store.put_campaign(
        Campaign(campaign_id, brand_id, "Old", [product_id], "0001-01-01", "0001-01-05"),
        "2026-01-01T00:00:00.000Z",
    )
    # When it is read, alone and in the list, then the answers are 200s
    report = ok(call(api, "GET", f"/brands/{brand_id}/campaigns/{campaign_id}", owner))
    assert report["metrics"]["impressions"] == 0
    listed = ok(call(api, "GET", f"/brands/{brand_id}/campaigns", owner))
    assert campaign_id in [c["id"] for c in listed["items"]]


def test_the_openapi_insights_response_says_from_not_from_(api: Any) -> None:
    document = json.loads(call(api, "GET", "/openapi.json").body)
    schema = document["components"]["schemas"]["InsightsOut"]
    assert "from" in schema["properties"] and "from" in schema["required"]
    assert "from_" not in schema["properties"] and "from_" not in schema.get("required", [])


@pytest.mark.parametrize("name", ["North\u202epeak", "Brew\u0007lab", "\u200b\u200b", "   "])
def test_brand_names_follow_the_text_rules(
    api: Any, new_member: Callable[..., SignedInMember], name: str
) -> None:
    owner = new_member("brand")
    assert_error(call(api, "POST", "/brands", owner, {"name": name}), 422, "validation_error")


def test_a_brand_name_is_unique_after_nfkc_and_case_folding(
    api: Any, new_member: Callable[..., SignedInMember]
) -> None:
    # Given a brand with a fresh name
    first, second = new_member("brand"), new_member("brand")
    word = f"Peak{uuid.uuid4().hex[:6]}"
    ok(call(api, "POST", "/brands", first, {"name": f"North {word}"}), 201)
    full_width = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in f"North {word}")
    # When another account takes the same name, its case-folded, full-width or re-spaced spelling
    for copy in (f"North {word}", f"NORTH {word.upper()}", full_width, f"north\u00a0 {word.lower()}"):
        # Then each is 409 already_exists
        assert_error(call(api, "POST", "/brands", second, {"name": copy}), 409, "already_exists")
    # And a different name is still free
    ok(call(api, "POST", "/brands", second, {"name": f"South {word}"}), 201)
