"""The cost model's image-request rules (bench/traces.py, bench/cost_model.py): pure functions, no AWS."""

from __future__ import annotations

from pathlib import Path

from bench import cost_model, traces
from bench.traces import READ, TICK


def test_a_first_page_read_again_unchanged_loads_no_new_images() -> None:
    reads = [0.0, 2.0, 4.0]
    assert traces._changed_reads(reads, []) == 1  # only the first read shows new cards


def test_a_tick_refresh_between_reads_changes_the_next_read() -> None:
    reads = [0.0, 2.0, 4.0, 6.0]
    assert traces._changed_reads(reads, [(5.0, TICK)]) == 2  # the first read, and 6 after the tick at 5


def test_a_refresh_queued_by_a_read_is_seen_from_the_next_read() -> None:
    reads = [0.0, 2.0, 4.0]
    # the read at 0 queued a refresh: that read shows the old feed, the read at 2 the new one
    assert traces._changed_reads(reads, [(0.0, READ)]) == 2
    # a tick at the very minute of a read is seen by it
    assert traces._changed_reads(reads, [(2.0, TICK)]) == 2


def test_every_policy_changes_some_but_not_all_first_pages() -> None:
    result = traces.simulate("small", 0.3, members=300)
    for policy in ("first", "previous", "today"):
        # the day's first read counts as changed; reads 2 minutes apart with no refresh between do not
        assert 0 < result.changed_first_pages[policy] < 1


def test_originals_are_billed_for_the_upload_buckets_lifecycle() -> None:
    days = cost_model.original_retention_days()
    template = (Path(__file__).resolve().parents[2] / "infra" / "template.yaml").read_text()
    rule = template[template.index("Id: ExpireAcceptedOriginals") :]
    assert f"ExpirationInDays: {days}\n" in rule.split("- Id:")[0]
    assert 0 < days <= cost_model.DAYS
