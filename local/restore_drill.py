"""The restore drill (`make restore-drill`): restore the table to a point in time into a new table,
and check the restored data with the invariant checker, as docs/runbook.md's restore does in AWS.

    python -m local.restore_drill                       # on a fresh embedded AWS with demo data
    python -m local.restore_drill --endpoint URL --table flint-dev   # against a running make dev

Steps, the same calls as in AWS: point-in-time recovery on (`update-continuous-backups`), the
earliest and latest restorable times read (`describe-continuous-backups`), the table restored to
a time between them into `<table>-restored-<time>` (`restore-table-to-point-in-time`), waited
for, then scanned by local/invariants.py (every counter equal to its items, nothing orphaned)
and compared with the source, and deleted.

What the embedded AWS (moto 5.2.5) cannot show, said plainly: its RestoreTableToPointInTime
copies the source table *as it is now*, whatever time is asked. The drill proves the commands,
their order, that the restored table has the source's keys and indexes and that the checker
runs on it; it cannot prove that a past second's data comes back. In AWS the same commands do
(docs/runbook.md, "Restore drill"); the restored table has no stream, TTL or PITR, as there.
Exit status 1 on any finding.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from local.invariants import Report, check, media_keys, scan


def restore(dynamodb: Any, table: str, *, at: datetime | None = None) -> tuple[str, datetime]:
    """Restore `table` to `at` (default: a minute ago, within the restorable window) into a new table."""
    dynamodb.update_continuous_backups(
        TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    window = dynamodb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    pitr = window["PointInTimeRecoveryDescription"]
    earliest, latest = pitr.get("EarliestRestorableDateTime"), pitr.get("LatestRestorableDateTime")
    moment = at or datetime.now(UTC) - timedelta(minutes=1)
    if earliest is not None and latest is not None:
        moment = min(max(moment, earliest), latest)
    target = f"{table}-restored-{moment.strftime('%Y%m%d%H%M%S')}"
    dynamodb.restore_table_to_point_in_time(
        SourceTableName=table, TargetTableName=target, RestoreDateTime=moment
    )
    dynamodb.get_waiter("table_exists").wait(TableName=target, WaiterConfig={"Delay": 1, "MaxAttempts": 600})
    return target, moment


def drill(dynamodb: Any, s3: Any, table: str, media_bucket: str) -> tuple[Report, list[str]]:
    """Restore, check and delete; returns the checker's report and the drill's own findings."""
    source = dynamodb.describe_table(TableName=table)["Table"]
    target, moment = restore(dynamodb, table)
    problems = []
    try:
        restored = dynamodb.describe_table(TableName=target)["Table"]
        if restored["KeySchema"] != source["KeySchema"]:
            problems.append("the restored table's key schema differs")
        indexes = {i["IndexName"] for i in restored.get("GlobalSecondaryIndexes", [])}
        if indexes != {i["IndexName"] for i in source.get("GlobalSecondaryIndexes", [])}:
            problems.append(f"the restored table's indexes differ: {sorted(indexes)}")
        items = list(scan(dynamodb, target))
        report = check(items, media_keys(s3, media_bucket))
        print(f"restored {table} to {moment.isoformat()} into {target}: {len(items)} items")
    finally:
        dynamodb.delete_table(TableName=target)
    return report, problems


def _fresh_stack() -> tuple[Any, str, str, Any]:
    """An embedded AWS with the template provisioned and the demo catalog and members seeded."""
    import os

    from local.aws_server import EmbeddedAws
    from local.provision import provision
    from local.seed import seed_all

    server = EmbeddedAws().start()
    os.environ.update(
        AWS_ENDPOINT_URL=server.endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
    )
    stack = provision(endpoint_url=server.endpoint)
    cognito = boto3.client("cognito-idp", region_name="us-east-1")
    seed_all(cognito, pool_id=stack.outputs["UserPoolId"], client_id=stack.outputs["UserPoolClientId"])
    return server, stack.outputs["TableName"], stack.outputs["MediaBucketName"], server.endpoint


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--endpoint", help="a running embedded AWS (default: start one with demo data)")
    parser.add_argument("--table", default="flint-dev")
    parser.add_argument("--media-bucket", default="flint-dev-media")
    args = parser.parse_args(argv)
    server = None
    started = time.monotonic()
    if args.endpoint:
        endpoint, table, media = args.endpoint, args.table, args.media_bucket
    else:
        server, table, media, endpoint = _fresh_stack()
    options = {"region_name": "us-east-1", "endpoint_url": endpoint}
    options.update(aws_access_key_id="testing", aws_secret_access_key="testing")
    try:
        report, problems = drill(
            boto3.client("dynamodb", **options), boto3.client("s3", **options), table, media
        )
    finally:
        if server is not None:
            server.stop()
    print(report.table())
    for problem in problems:
        print(f"  - {problem}")
    print(
        "note: the embedded AWS restores the table as it is now, whatever time is asked "
        f"(docs/runbook.md, Restore drill); drill took {time.monotonic() - started:.0f} s"
    )
    return 1 if report.findings or problems else 0


if __name__ == "__main__":
    sys.exit(main())
