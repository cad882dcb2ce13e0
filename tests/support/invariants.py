"""Assert the stored data agrees with itself (local/invariants.py) after a scenario."""

from __future__ import annotations

from chalicelib.settings import get_settings
from local.invariants import Report, run


def assert_invariants() -> Report:
    """Run the invariant checker against the test's stack; fail with its table on any finding."""
    settings = get_settings()
    report = run(
        endpoint=settings.aws_endpoint_url,
        table=settings.table_name,
        media_bucket=settings.media_bucket,
        region=settings.region,
    )
    assert not report.findings, "\n" + report.table()
    return report
