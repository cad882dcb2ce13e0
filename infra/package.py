"""`make package`: the whole stack as one CloudFormation (SAM) template, and the Lambda zip.

    python -m infra.package --stage prod [--arch x86_64] [--arch arm64] [--force] [--json]

For each architecture, into build/package/<stage>-<arch>/ (sam.json, deployment.zip, report.json):

1. Dependencies. requirements.txt (with the pins of infra/lambda-pins.txt) is installed by
   pip from manylinux wheels only, for Lambda's Python, architecture and glibc, with the
   versions the dev venv tested (its `pip freeze` constrains the transitive ones), and
   byte-compiled. Chalice would try the same but, failing to find a wheel, silently builds
   the sdist for *this* machine; pip with --only-binary fails loudly instead. Cached in
   build/lambda/deps/ by a hash of what decides the result.
2. A staging copy of the project (app.py, chalicelib/, .chalice/) whose vendor/ is those
   dependencies and whose requirements.txt is empty, so chalice zips them as they are.
3. The merge template: infra/template.yaml + infra/lambda.yaml + what every function needs,
   generated from the app itself (function name, stack-derived environment, log group with
   retention, errors alarm, and for SQS handlers the queue's stack ARN and partial batch
   responses), so a new handler needs only its IAM policy file.
4. `chalice package --stage <stage> --merge-template merge.json <out>`.
5. Checks: every generated fragment landed on a resource chalice wrote; every function has
   its own least-privilege policy; every native library in the zip is for the architecture
   and loads on Lambda's glibc; the zip's size against Lambda's limits.

A build whose inputs have not changed is reused (report.json records their hash), so the
check `make test` runs costs seconds after the first build.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from infra.deps import (
    RUNTIME_LINUX,
    RUNTIME_VARIABLE,
    _digest,
    builds_bytecode,
    install_dependencies,
    pinned_runtime,
    python_runtime,
)
from infra.functions import app_functions, chalice_config, load_app, policy_files
from infra.layout import (
    ARCHITECTURES,
    BUILD_DIR,
    CHALICE_DIR,
    INFRA_DIR,
    MB,
    PROJECT_DIR,
    UNZIPPED_LIMIT,
    ZIPPED_LIMIT,
    PackageError,
)
from infra.merge import finish_template, merge_template
from infra.zipcheck import (
    IMAGING_LAYER,
    IMAGING_LOGICAL_ID,
    IMAGING_NATIVE,
    check_policies,
    check_template,
    check_zip,
    function_sizes,
    split_imaging_layer,
)

# --- chalice ----------------------------------------------------------------------------


def _copy_project(staging: Path, stage: str, arch: str, deps: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
    (staging / ".chalice").mkdir(parents=True)
    shutil.copy2(PROJECT_DIR / "app.py", staging / "app.py")
    shutil.copytree(
        PROJECT_DIR / "chalicelib", staging / "chalicelib", ignore=shutil.ignore_patterns("__pycache__")
    )
    if builds_bytecode(python_runtime()):
        # The app's own modules as bytecode too, as the dependencies are (infra/deps.py): a cold start
        # compiles none of what it imports (bench/bench_coldstart.py measures both). chalice zips
        # chalicelib/ whole, __pycache__ included; app.py alone, which imports little.
        subprocess.run(
            [
                sys.executable,
                "-m",
                "compileall",
                "-q",
                "--invalidation-mode",
                "unchecked-hash",
                str(staging / "chalicelib"),
            ],
            check=True,
            capture_output=True,
        )
    config = chalice_config()
    config.setdefault("stages", {}).setdefault(stage, {})["lambda_architecture"] = arch
    (staging / ".chalice" / "config.json").write_text(json.dumps(config, indent=2))
    for policy in CHALICE_DIR.glob("policy-*.json"):
        shutil.copy2(policy, staging / ".chalice" / policy.name)
    (staging / "requirements.txt").write_text("# vendor/ holds the dependencies: see infra/package.py\n")
    (staging / "vendor").symlink_to(deps / "site", target_is_directory=True)


def run_chalice(staging: Path, stage: str, merge: Path, out: Path) -> None:
    shutil.rmtree(out, ignore_errors=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "FLINT_")) and key not in ("PYTHONPATH",)
    }
    env["AWS_DEFAULT_REGION"] = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")  # chalice needs one
    chalice = Path(sys.executable).with_name("chalice")
    command = [str(chalice), "--project-dir", str(staging), "package", "--stage", stage]
    result = subprocess.run(
        [*command, "--merge-template", str(merge), str(out)], env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise PackageError(f"chalice package failed:\n{result.stdout}{result.stderr}")


# --- entry points -------------------------------------------------------------------------


@contextlib.contextmanager
def _lock() -> Iterator[None]:
    BUILD_DIR.mkdir(exist_ok=True)
    with open(BUILD_DIR / ".package.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # parallel test workers build once, then reuse
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _inputs_digest(stage: str, arch: str, deps: Path) -> str:
    files = [PROJECT_DIR / "app.py", *sorted(INFRA_DIR.glob("*.py"))]
    files += sorted((PROJECT_DIR / "flint_template").glob("*.py"))
    files += sorted((PROJECT_DIR / "chalicelib").rglob("*.py"))
    files += sorted(CHALICE_DIR.glob("*.json")) + sorted(INFRA_DIR.glob("*.yaml"))
    parts = [f"{path.relative_to(PROJECT_DIR)}\0".encode() + path.read_bytes() for path in files]
    return _digest(stage, arch, deps.name, python_runtime(), *parts)


def package(stage: str, arch: str, *, force: bool = False, log: Any = print) -> dict[str, Any]:
    """Build (or reuse) build/package/<stage>-<arch>/; returns its report."""
    if arch not in ARCHITECTURES:
        raise PackageError(f"unknown architecture {arch!r}: one of {sorted(ARCHITECTURES)}")
    runtime = python_runtime()
    # Another runtime than the pinned one builds beside it, so the two never evict each other.
    out = BUILD_DIR / "package" / (f"{stage}-{arch}" + ("" if runtime == pinned_runtime() else f"-{runtime}"))
    with _lock():
        deps, pinned = install_dependencies(arch, log)
        digest = _inputs_digest(stage, arch, deps)
        report_path = out / "report.json"
        if not force and report_path.exists():
            report = json.loads(report_path.read_text())
            if (
                report.get("inputs") == digest
                and (out / "sam.json").exists()
                and (out / "deployment.zip").exists()
            ):
                return report
        app, stage_env = load_app(stage)
        functions = app_functions(app)
        config = chalice_config()
        policies = policy_files(config, functions)
        staging = BUILD_DIR / "lambda" / "staging" / f"{stage}-{arch}"
        _copy_project(staging, stage, arch, deps)
        merged = merge_template(stage, config["app_name"], functions, stage_env)
        check_policies(policies, merged)
        merge = staging / "merge.json"
        merge.write_text(json.dumps(merged, indent=2))
        log(f"chalice package --stage {stage} ({arch})")
        run_chalice(staging, stage, merge, out)
        template = finish_template(json.loads((out / "sam.json").read_text()), functions)
        (out / "sam.json").write_text(json.dumps(template, indent=2))
        check_template(template, functions)
        split_imaging_layer(out)
        linux = RUNTIME_LINUX[runtime]
        zip_report = check_zip(out / "deployment.zip", arch, linux, runtime=runtime)
        layer_report = check_zip(
            out / IMAGING_LAYER,
            arch,
            linux,
            runtime=runtime,
            required_native=IMAGING_NATIVE,
            required_files=(),
            forbidden=re.compile(r"^(?!python/)"),
        )
        sizes = function_sizes(template, functions, zip_report, layer_report)
        report = {
            "stage": stage,
            "arch": arch,
            "runtime": runtime,
            "bytecode": builds_bytecode(runtime),
            "inputs": digest,
            "template": str(out / "sam.json"),
            "zip": str(out / "deployment.zip"),
            "dependencies": str(deps / "site"),
            "pinned_for_lambda": {name: list(change) for name, change in pinned.items()},
            "functions": {f.name: asdict(f) for f in functions},
            "policies": {name: str(path.relative_to(PROJECT_DIR)) for name, path in policies.items()},
            "size": asdict(zip_report),
            "layers": {IMAGING_LOGICAL_ID: {"zip": str(out / IMAGING_LAYER), "size": asdict(layer_report)}},
            "function_sizes": sizes,
            "limits": {"zipped_bytes": ZIPPED_LIMIT, "unzipped_bytes": UNZIPPED_LIMIT},
        }
        report_path.write_text(json.dumps(report, indent=2))
        return report


def build(stage: str, arches: Sequence[str], runtime: str | None = None) -> dict[str, dict[str, Any]]:
    """Package in a fresh interpreter (importing the app sets the stage's environment): reports by arch."""
    command = [sys.executable, "-m", "infra.package", "--stage", stage, "--json"]
    command += ["--runtime", runtime] if runtime else []
    command += [arg for arch in arches for arg in ("--arch", arch)]
    result = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True)
    if result.returncode != 0:
        raise PackageError(result.stderr.strip())
    return {report["arch"]: report for report in json.loads(result.stdout)}


def describe(report: Mapping[str, Any]) -> str:
    size = report["size"]
    layer = report["layers"][IMAGING_LOGICAL_ID]["size"]
    lines = [
        f"{report['stage']} {report['arch']} ({report['runtime']}): {report['template']}",
        f"  code zip {size['zipped_bytes'] / MB:.1f} MB zipped (direct-upload limit "
        f"{ZIPPED_LIMIT / MB:.0f}), {size['unzipped_bytes'] / MB:.1f} MB unzipped "
        f"(limit {UNZIPPED_LIMIT / MB:.0f} MB, code and layers together)",
        f"  imaging layer {layer['zipped_bytes'] / MB:.1f} MB zipped, "
        f"{layer['unzipped_bytes'] / MB:.1f} MB unzipped",
        f"  native code: {', '.join(sorted({*size['native'], *layer['native']}))}",
        "  per function (code + layers):",
    ]
    for name, function in sorted(report["function_sizes"].items()):
        extra = " (with the imaging layer)" if function["imaging_layer"] else ""
        lines.append(
            f"    {name}: {function['zipped_bytes'] / MB:.1f} MB zipped, "
            f"{function['unzipped_bytes'] / MB:.1f} MB unzipped{extra}"
        )
    for name, (was, now) in report["pinned_for_lambda"].items():
        lines.append(f"  {name}: Lambda gets {now} (requirements.txt {was}): see infra/lambda-pins.txt")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--arch", action="append", choices=sorted(ARCHITECTURES), help="repeatable")
    parser.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    parser.add_argument(
        "--runtime", help="Lambda runtime to build for (default: infra/lambda.yaml Metadata.Runtime)"
    )
    parser.add_argument("--json", action="store_true", help="print the reports as JSON")
    args = parser.parse_args(argv)
    if args.runtime:
        if args.runtime not in RUNTIME_LINUX:
            parser.error(f"--runtime: one of {sorted(RUNTIME_LINUX)}")
        os.environ[RUNTIME_VARIABLE] = args.runtime
    sys.path.insert(0, str(PROJECT_DIR))
    log = (lambda message: print(message, file=sys.stderr)) if args.json else print
    reports = []
    try:
        for arch in args.arch or ["x86_64"]:
            reports.append(package(args.stage, arch, force=args.force, log=log))
    except PackageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(reports, indent=2))
    else:
        print("\n".join(describe(report) for report in reports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
