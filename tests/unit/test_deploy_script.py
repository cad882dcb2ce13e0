"""infra/deploy.sh against a stand-in `aws` that keeps the real CLI's rules (tests/support/fake_aws.py).

Each branch the account decides is here: the template goes through the artifacts bucket (it is
far over the CLI's 51,200-byte inline limit), the scheduled jobs reserve concurrency only where
the account has room, the stream consumer follows the table's live stream, an existing cost
monitor is reused, and the web client is published with a config.js naming the API.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flint_template import load_template

PROJECT_DIR = Path(__file__).resolve().parents[2]
FAKE_AWS = PROJECT_DIR / "tests" / "support" / "fake_aws.py"


def stub_template() -> dict[str, Any]:
    """The packaged template's parameters and jobs, padded to a real template's size (~180 KB)."""
    parameters = {
        **load_template(PROJECT_DIR / "infra" / "template.yaml")["Parameters"],
        **load_template(PROJECT_DIR / "infra" / "lambda.yaml")["Parameters"],
    }
    job = {"ReservedConcurrentExecutions": {"Fn::If": ["ReservesJobConcurrency", 1, {"Ref": "AWS::NoValue"}]}}
    return {
        "Description": "x" * 180_000,
        "Parameters": parameters,
        "Resources": {
            "FeedPlanner": {"Type": "AWS::Serverless::Function", "Properties": dict(job)},
            "EnthusiastJob": {"Type": "AWS::Serverless::Function", "Properties": dict(job)},
        },
    }


@pytest.fixture
def packaged() -> Iterator[str]:
    # A stage of its own: tests of this module run side by side on several workers.
    stage = f"deploytest{uuid.uuid4().hex[:8]}"
    directory = PROJECT_DIR / "build" / "package" / f"{stage}-x86_64"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "sam.json").write_text(json.dumps(stub_template()))
    (directory / "deployment.zip").write_bytes(b"")
    (directory / "imaging-layer.zip").write_bytes(b"")
    yield stage
    shutil.rmtree(directory)


def deploy(tmp_path: Path, stage: str, **env: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "aws").unlink(missing_ok=True)
    (bin_dir / "aws").symlink_to(FAKE_AWS)
    log = tmp_path / "calls.log"
    log.unlink(missing_ok=True)
    run = subprocess.run(
        ["/bin/bash", str(PROJECT_DIR / "infra" / "deploy.sh"), stage, "x86_64"],
        env={
            "PATH": f"{bin_dir}:/usr/bin:/bin",
            "HOME": str(tmp_path),
            "LOG": str(log),
            "CONFIG_OUT": str(tmp_path / "config.js"),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    return run, log.read_text().splitlines() if log.exists() else []


def overrides(calls: list[str]) -> list[str]:
    deploy_call = next(c for c in calls if c.startswith("cloudformation deploy")).split()
    if "--parameter-overrides" not in deploy_call:
        return []
    return deploy_call[deploy_call.index("--parameter-overrides") + 1 :]


def test_the_stand_in_refuses_what_the_real_cli_refuses(tmp_path: Path) -> None:
    # A template over 51,200 bytes without a bucket, an unknown parameter, a missing one
    template = tmp_path / "t.json"
    template.write_text(
        json.dumps({"Description": "x" * 60_000, "Parameters": {"Needed": {"Type": "String"}}})
    )
    log = tmp_path / "log"

    def aws(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(FAKE_AWS), *args], env={"LOG": str(log)}, capture_output=True, text=True)

    base = ("cloudformation", "deploy", "--template-file", str(template), "--stack-name", "s")
    assert "must be deployed via an S3 Bucket" in aws(*base).stderr
    assert "do not exist" in aws(*base, "--s3-bucket", "b", "--parameter-overrides", "Nope=1").stderr
    assert "must have values" in aws(*base, "--s3-bucket", "b").stderr
    assert aws(*base, "--s3-bucket", "b", "--parameter-overrides", "Needed=1").returncode == 0


def test_the_template_goes_through_the_artifacts_bucket(tmp_path: Path, packaged: str) -> None:
    run, calls = deploy(tmp_path, packaged)
    assert run.returncode == 0, run.stderr
    deploy_call = next(c for c in calls if c.startswith("cloudformation deploy"))
    assert "--s3-bucket flint-artifacts-123456789012-us-east-1" in deploy_call


def test_a_roomy_account_keeps_the_jobs_reserved_concurrency(tmp_path: Path, packaged: str) -> None:
    run, calls = deploy(tmp_path, packaged, FAKE_CONCURRENCY="1000\t1000")
    assert run.returncode == 0, run.stderr
    assert not any(o.startswith("ReserveJobConcurrency") for o in overrides(calls))


def test_a_new_account_with_a_quota_of_10_deploys_without_reserving(tmp_path: Path, packaged: str) -> None:
    # Lambda would refuse: "decreases account's UnreservedConcurrentExecution below its minimum value of [10]"
    run, calls = deploy(tmp_path, packaged, FAKE_CONCURRENCY="10\t10")
    assert run.returncode == 0, run.stderr
    assert "ReserveJobConcurrency=false" in overrides(calls)
    assert "run unreserved" in run.stderr
    # An operator's explicit choice wins
    run, calls = deploy(
        tmp_path, packaged, FAKE_CONCURRENCY="10\t10", FLINT_PARAMETERS="ReserveJobConcurrency=true"
    )
    assert overrides(calls) == ["ReserveJobConcurrency=true"]


def test_the_stream_consumer_follows_the_tables_live_stream(tmp_path: Path, packaged: str) -> None:
    live = "arn:aws:dynamodb:us-east-1:123456789012:table/flint-deploytest/stream/2026-12-03T10:00:00.000"
    run, calls = deploy(tmp_path, packaged, FAKE_STREAM_ARN=live)
    assert run.returncode == 0, run.stderr
    assert f"TableStreamArn={live}" in overrides(calls)
    assert any(c.startswith("dynamodb describe-table --table-name flint-deploytest") for c in calls)


def test_an_accounts_existing_cost_monitor_is_reused(tmp_path: Path, packaged: str) -> None:
    monitor = "arn:aws:ce::123456789012:anomalymonitor/abc"
    run, calls = deploy(tmp_path, packaged, FAKE_MONITOR=monitor)
    assert run.returncode == 0, run.stderr
    assert f"CostAnomalyMonitorArn={monitor}" in overrides(calls)


def test_deploy_syncs_web_and_writes_a_config_naming_the_api(tmp_path: Path, packaged: str) -> None:
    run, calls = deploy(tmp_path, packaged)
    assert run.returncode == 0, run.stderr
    sync = next(c for c in calls if c.startswith("s3 sync"))
    assert sync.startswith("s3 sync web/ s3://flint-prod-site/ --delete --exclude config.js")
    assert any(
        c.startswith("s3 cp - s3://flint-prod-site/config.js") and "text/javascript" in c for c in calls
    )
    assert (tmp_path / "config.js").read_text() == (
        'window.FLINT_CONFIG = {"api": "https://abc123.execute-api.us-east-1.amazonaws.com/api", '
        '"localHelpers": false};\n'
    )
    assert any(c.startswith("cloudfront create-invalidation --distribution-id E2SITE") for c in calls)
    assert calls.index(sync) > max(i for i, c in enumerate(calls) if c.startswith("cloudformation deploy"))


def test_the_emulator_endpoint_is_refused_outside_a_rehearsal(tmp_path: Path, packaged: str) -> None:
    run, _ = deploy(tmp_path, packaged, AWS_ENDPOINT_URL="http://127.0.0.1:5000")
    assert run.returncode == 2 and "points at the local emulator" in run.stderr
