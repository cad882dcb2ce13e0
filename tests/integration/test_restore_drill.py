"""The restore drill (local/restore_drill.py, `make restore-drill`) restores the table and checks it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3

from chalicelib.settings import get_settings
from local.restore_drill import drill
from local.seed import seed_interests
from tests.conftest import SignedInMember
from tests.support.community import call, ok


def test_the_table_restored_to_a_point_in_time_holds_consistent_data(
    api: Any, private_table: str, new_member: Callable[..., SignedInMember]
) -> None:
    # A table of its own: the drill restores and scans the whole table.
    # Given a member with a profile, interests and a follow
    seed_interests()
    one, two = new_member("prime"), new_member()
    ok(call(api, "GET", "/me", two))  # a profile exists from the first authenticated call
    ok(
        call(
            api,
            "PUT",
            "/me/interests",
            one,
            {"interests": ["hiking", "camping", "coffee", "cooking", "photography"]},
        )
    )
    ok(call(api, "PUT", f"/users/{two.user_id}/follow", one))
    settings = get_settings()
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    s3 = boto3.client("s3", region_name="us-east-1")
    # When the drill restores the table into a new one and checks it
    report, problems = drill(dynamodb, s3, settings.table_name, settings.media_bucket)
    # Then the restored table has the source's shape, our items, and nothing the checker objects to
    assert problems == []
    assert not report.findings, report.table()
    assert report.items >= 3
    assert report.checks["member following = its items"].checked >= 2
    restored = [
        t for t in dynamodb.list_tables()["TableNames"] if t.startswith(f"{settings.table_name}-restored")
    ]
    assert restored == []  # the drill deletes what it restored
