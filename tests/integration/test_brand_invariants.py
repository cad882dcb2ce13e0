"""The invariant checker recomputes brand summaries from what they count, and notices a drift.

A brand world goes through the real pipeline (API, the table's stream, the engagement queue,
the aggregator), with a campaign backfilled and attributed live; the checker finds nothing.
Then one stored number at a time is corrupted as a bug could: each is a finding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from chalicelib.data import keys
from chalicelib.data.models import BrandSummaryItem
from chalicelib.data.summaries import IMPRESSIONS, SMILES, Sketch
from chalicelib.settings import get_settings
from local.invariants import Report, check, scan
from tests.conftest import SignedInMember
from tests.support.brands import begin, event, make_brand_world, receipt, run_aggregators, send_events, today
from tests.support.community import call, comment, ok, smile, unsmile


def brand_report() -> Report:
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    return check(scan(dynamodb, get_settings().table_name), None)


def brand_findings() -> list[str]:
    return [f for f in brand_report().findings if "brand" in f.split(":")[0] or "campaign" in f.split(":")[0]]


@pytest.fixture
def world(
    private_table: str, api: Any, new_member: Callable[..., SignedInMember]
) -> Iterator[dict[str, Any]]:
    """A table of its own (the checker scans it whole): a tagged post smiled at, commented on and
    seen, a smile taken back, the author's own smile, and a campaign over the product."""
    begin()  # the private table's stream, from here
    world = make_brand_world(api, new_member)
    owner, brand, post, author = world["owner"], world["brand"], world["post"], world["author"]
    fan, fickle = new_member("prime", name="Fan"), new_member("prime", name="Fickle")
    for member in (fan, fickle):
        ok(call(api, "GET", "/me", member))  # their profiles
    smile(api, fan, post["id"])
    smile(api, author, post["id"])  # own: never counted
    comment(api, fan, post["id"], "Where from?")
    smile(api, fickle, post["id"])
    unsmile(api, fickle, post["id"])
    seen = receipt(api, post["id"], fan)
    send_events(api, [event("impression", post["id"], seen)], fan)
    run_aggregators()
    starts = (datetime.now(UTC).date() - timedelta(days=3)).isoformat()
    campaign = ok(
        call(
            api,
            "POST",
            f"/brands/{brand['id']}/campaigns",
            owner,
            {
                "name": "Camp",
                "product_ids": [world["product"]["id"]],
                "starts_at": starts,
                "ends_at": today(),
            },
        ),
        201,
    )
    run_aggregators()  # the backfill
    comment(api, fickle, post["id"], "Nice")  # attributed live
    run_aggregators()
    yield {**world, "campaign": campaign}


def corrupt(brand_id: str, change: Callable[[BrandSummaryItem, Sketch], None]) -> None:
    key = keys.brand_summary(brand_id, "D", today())
    item = BrandSummaryItem.get(key.pk, key.sk, consistent_read=True)
    sketch = Sketch.unpack(item.packed)
    change(item, sketch)
    item.packed = sketch.pack()
    item.save()


def test_consistent_brand_summaries_have_no_findings(world: dict[str, Any]) -> None:
    report = brand_report()
    assert [f for f in report.findings if "brand" in f or "campaign" in f] == []
    # and each brand check looked at something: the post's day, the periods, the campaign's days, the members
    checked = {name: check.checked for name, check in report.checks.items()}
    assert checked["brand day holds its posts' smiles and comments"] >= 1
    assert checked["brand period totals = its post list and rest"] >= 1
    assert checked["a campaign day = its posts' entries"] >= 1
    assert checked["a member a brand lists has its mark"] >= 2  # the author and the fan


def test_a_day_total_drifted_from_its_list_is_found(world: dict[str, Any]) -> None:
    def drift(item: BrandSummaryItem, _: Sketch) -> None:
        item.days[today()][IMPRESSIONS] += 1

    corrupt(world["brand"]["id"], drift)
    assert any(f.startswith("brand period totals = its post list and rest") for f in brand_findings())


def test_a_smile_counted_twice_everywhere_is_found_against_the_smiles_themselves(
    world: dict[str, Any],
) -> None:
    # A consistent lie: the day total and the post's entry agree, but the table holds one smile
    post_id = world["post"]["id"]

    def double(item: BrandSummaryItem, sketch: Sketch) -> None:
        item.days[today()][SMILES] += 1
        sketch.lists["posts"][post_id][SMILES] += 1

    corrupt(world["brand"]["id"], double)
    found = brand_findings()
    assert any(f.startswith("brand day holds its posts' smiles and comments") and post_id in f for f in found)
    assert not any(f.startswith("brand period totals") for f in found)


def test_a_campaign_counter_drifted_from_its_posts_is_found(world: dict[str, Any]) -> None:
    campaign_id = world["campaign"]["id"]

    def drift(item: BrandSummaryItem, _: Sketch) -> None:
        item.camps = {**(item.camps or {}), campaign_id: [0, 0, 0, 5, 0, 0, 0, 0, 0]}

    corrupt(world["brand"]["id"], drift)
    found = brand_findings()
    assert any(f.startswith("a campaign day = its posts' entries") and campaign_id in f for f in found)
    assert any(f.startswith("a campaign never exceeds its brand") for f in found)


def test_a_member_listed_without_a_mark_is_found(world: dict[str, Any]) -> None:
    def intrude(_: BrandSummaryItem, sketch: Sketch) -> None:
        sketch.lists["engaged"]["someone-unmarked"] = [0, 0, 1, 0, 0, 0, 0, 0, 0]

    corrupt(world["brand"]["id"], intrude)
    found = brand_findings()
    assert any(f.startswith("a member a brand lists has its mark") and "someone-unmarked" in f for f in found)
