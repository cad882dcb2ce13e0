"""checkov on the packaged template, as CloudFormation will see it (after the SAM transform).

    build/tools/checkov/bin/python -m infra.checks build/package/prod-x86_64

Runs in the checkov tool venv (requirements-checkov.txt: checkov and aws-sam-translator pin
versions of boto3 and pydantic the app cannot use). Writes <dir>/cfn.json (the transformed
template, which `make package-check` also gives cfn-lint) and <dir>/checkov.json, and fails
on any failed check infra/checkov-skips.yaml does not list for that resource, or on a listed
skip that no longer matches a finding. An unchanged template and skip list are not rechecked.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

SKIPS = Path(__file__).resolve().parent / "checkov-skips.yaml"
REGION = "us-east-1"


def transform(sam: dict[str, Any]) -> dict[str, Any]:
    """The SAM transform CloudFormation applies; code locations are placeholders (package uploads them)."""
    from samtranslator.translator.transform import transform as sam_transform

    class NoManagedPolicies:
        def load(self) -> dict[str, str]:
            return {}

    template = json.loads(json.dumps(sam))
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://artifacts/deployment.zip"
        elif resource["Type"] == "AWS::Serverless::LayerVersion":
            resource["Properties"]["ContentUri"] = "s3://artifacts/layer.zip"
    parameters = {name: spec.get("Default") for name, spec in template.get("Parameters", {}).items()}
    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
    return dict(sam_transform(template, parameters, NoManagedPolicies()))


def findings(cfn: Path) -> list[tuple[str, str, str]]:
    """(check id, logical id, check name) of every failed checkov check."""
    checkov = Path(sys.executable).with_name("checkov")
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "LOG_LEVEL": "WARNING"}
    command = [str(checkov), "-f", str(cfn), "--framework", "cloudformation", "-o", "json", "--quiet"]
    result = subprocess.run([*command, "--skip-download"], capture_output=True, text=True, env=env)
    if result.returncode not in (0, 1):
        raise SystemExit(f"checkov failed:\n{result.stderr[-3000:]}")
    report = json.loads(result.stdout or "{}")
    report = report[0] if isinstance(report, list) else report
    failed = report.get("results", {}).get("failed_checks", [])
    return sorted({(f["check_id"], f["resource"].split(".", 1)[1], f["check_name"]) for f in failed})


def unaccepted(found: list[tuple[str, str, str]], skips: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Findings no skip covers, and skips (or resources of a skip) that matched no finding."""
    problems, used = [], set()
    for check, resource, name in found:
        skip = skips.get(check)
        listed = skip and (skip["resources"] == "*" or resource in skip["resources"])
        if listed:
            used.add((check, resource if skip["resources"] != "*" else "*"))
        else:
            problems.append(f"{check} {resource}: {name}")
    stale = []
    for check, skip in skips.items():
        targets = ["*"] if skip["resources"] == "*" else skip["resources"]
        stale += [f"{check} {target}" for target in targets if (check, target) not in used]
    return problems, stale


def main(argv: list[str]) -> int:
    if argv[:1] == ["--transform-only"]:
        # The deploy rehearsal's input when a rebuild removed it: no checkov run.
        out = Path(argv[1] if len(argv) > 1 else "build/package/prod-x86_64")
        (out / "cfn.json").write_text(
            json.dumps(transform(json.loads((out / "sam.json").read_text())), indent=1)
        )
        return 0
    out = Path(argv[0] if argv else "build/package/prod-x86_64")
    sam_text = (out / "sam.json").read_text()
    skips_text = SKIPS.read_text()
    digest = hashlib.sha256((sam_text + "\0" + skips_text).encode()).hexdigest()[:16]
    stamp = out / "checkov.json"
    if stamp.exists() and json.loads(stamp.read_text()).get("inputs") == digest:
        print(f"checkov: {out} unchanged since it passed")
        return 0
    cfn = out / "cfn.json"
    cfn.write_text(json.dumps(transform(json.loads(sam_text)), indent=1))
    found = findings(cfn)
    skips = yaml.safe_load(skips_text)["skips"]
    problems, stale = unaccepted(found, skips)
    if problems or stale:
        if problems:
            print("checkov findings not accepted in infra/checkov-skips.yaml:", *problems, sep="\n  ")
        if stale:
            print("skips in infra/checkov-skips.yaml that match nothing (remove them):", *stale, sep="\n  ")
        return 1
    stamp.write_text(json.dumps({"inputs": digest, "accepted": [list(f) for f in found]}, indent=1))
    print(f"checkov: {len(found)} findings, each accepted with its reason in infra/checkov-skips.yaml")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
