"""Where things are and Lambda's hard limits: shared by every packaging module."""

from __future__ import annotations

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
INFRA_DIR = PROJECT_DIR / "infra"
CHALICE_DIR = PROJECT_DIR / ".chalice"
BUILD_DIR = PROJECT_DIR / "build"

ARCHITECTURES = {"x86_64": "x86_64", "arm64": "aarch64"}  # Lambda name -> ELF / wheel machine
MB = 1024 * 1024
# https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
ZIPPED_LIMIT = 50 * MB  # direct upload; through S3 (CloudFormation) only the unzipped limit applies
UNZIPPED_LIMIT = 250 * MB  # function code plus all layers


class PackageError(Exception):
    pass
