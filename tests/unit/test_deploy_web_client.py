"""infra/deploy.sh publishes the web client: web/ to the site bucket, and a config.js naming the API."""

from __future__ import annotations

import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]

# A stand-in `aws` CLI: logs every call, answers the identity and stack output queries, and
# stores what `s3 cp -` receives on stdin.
FAKE_AWS = r"""#!/bin/bash
echo "$*" >> "$LOG"
case "$*" in
  "sts get-caller-identity --query Arn"*) echo arn:aws:iam::123456789012:user/dev ;;
  "sts get-caller-identity --query Account"*) echo 123456789012 ;;
  "configure get region") echo us-east-1 ;;
  "apigateway get-account"*) echo arn:aws:iam::123456789012:role/apigateway-logs ;;
  *"OutputKey=='SiteBucketName'"*) echo flint-prod-site ;;
  *"OutputKey=='EndpointURL'"*) echo https://abc123.execute-api.us-east-1.amazonaws.com/api/ ;;
  *"OutputKey=='SiteDistributionId'"*) echo E2SITE ;;
  "s3 cp - "*) cat > "$CONFIG_OUT" ;;
esac
exit 0
"""


@pytest.fixture
def packaged() -> Iterator[str]:
    stage = "webtest"
    directory = PROJECT_DIR / "build" / "package" / f"{stage}-x86_64"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "sam.json").write_text("{}")
    (directory / "deployment.zip").write_bytes(b"")
    (directory / "imaging-layer.zip").write_bytes(b"")
    yield stage
    shutil.rmtree(directory)


def test_deploy_syncs_web_and_writes_a_config_naming_the_api(tmp_path: Path, packaged: str) -> None:
    # Given a packaged stage and an AWS CLI that answers like a deployed stack
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    aws = bin_dir / "aws"
    aws.write_text(FAKE_AWS)
    aws.chmod(aws.stat().st_mode | stat.S_IEXEC)
    log, config = tmp_path / "calls.log", tmp_path / "config.js"
    # When the deploy runs
    run = subprocess.run(
        ["/bin/bash", str(PROJECT_DIR / "infra" / "deploy.sh"), packaged, "x86_64"],
        env={
            "PATH": f"{bin_dir}:/usr/bin:/bin",
            "HOME": str(tmp_path),
            "LOG": str(log),
            "CONFIG_OUT": str(config),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    # Then web/ is synced (its local config.js left out), a config.js names the deployed API, and
    # the site's CDN cache is invalidated
    assert run.returncode == 0, run.stderr
    calls = log.read_text().splitlines()
    sync = next(c for c in calls if c.startswith("s3 sync"))
    assert sync.startswith("s3 sync web/ s3://flint-prod-site/ --delete --exclude config.js")
    assert any(
        c.startswith("s3 cp - s3://flint-prod-site/config.js") and "text/javascript" in c for c in calls
    )
    assert config.read_text() == (
        'window.FLINT_CONFIG = {"api": "https://abc123.execute-api.us-east-1.amazonaws.com/api", '
        '"localHelpers": false};\n'
    )
    assert any(c.startswith("cloudfront create-invalidation --distribution-id E2SITE") for c in calls)
    assert calls.index(sync) > max(i for i, c in enumerate(calls) if c.startswith("cloudformation deploy"))
