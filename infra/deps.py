"""Lambda's dependencies: requirements.txt installed from manylinux wheels for the target runtime.

pip cross-installs for the runtime's Python, the architecture and the glibc of the runtime's
Amazon Linux; the versions the dev venv tested constrain the transitive ones. Cached in
build/lambda/deps/ by a hash of what decides the result."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from infra.layout import ARCHITECTURES, BUILD_DIR, INFRA_DIR, PROJECT_DIR, PackageError

PINS_FILE = INFRA_DIR / "lambda-pins.txt"
# Part of the dependency cache's key: bump it when install_dependencies changes what it installs.
BUILD_FORMAT = 1


@dataclass(frozen=True)
class LambdaLinux:
    """The OS image under a Lambda Python runtime: what native code can rely on."""

    image: str
    # Newest symbol version available per family in the system libraries.
    max_versions: dict[str, tuple[int, ...]]


_AL2 = LambdaLinux(
    "Amazon Linux 2",
    {"GLIBC": (2, 26), "GLIBCXX": (3, 4, 24), "CXXABI": (1, 3, 11), "GCC": (7, 0, 0), "ZLIB": (1, 2, 7)},
)
_AL2023 = LambdaLinux(
    "Amazon Linux 2023",
    {"GLIBC": (2, 34), "GLIBCXX": (3, 4, 29), "CXXABI": (1, 3, 13), "GCC": (11, 0, 0), "ZLIB": (1, 2, 11)},
)
RUNTIME_LINUX = {"python3.10": _AL2, "python3.11": _AL2, "python3.12": _AL2023, "python3.13": _AL2023}


# Set by `python -m infra.package --runtime` (make RUNTIME=). Not FLINT_*: load_app clears those.
RUNTIME_VARIABLE = "INFRA_LAMBDA_RUNTIME"


@lru_cache
def pinned_runtime() -> str:
    """The Lambda runtime, pinned in one place: infra/lambda.yaml Metadata.Runtime."""
    from flint_template import load_template

    return str(load_template(INFRA_DIR / "lambda.yaml")["Metadata"]["Runtime"])


def python_runtime() -> str:
    """The runtime this build targets: the pinned one, or `--runtime` (e.g. python3.13)."""
    return os.environ.get(RUNTIME_VARIABLE) or pinned_runtime()


def builds_bytecode(runtime: str) -> bool:
    """Bytecode is only valid for the interpreter that wrote it: the build's own Python."""
    return runtime == f"python{sys.version_info.major}.{sys.version_info.minor}"


def _requirement_name(line: str) -> str | None:
    match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
    return (
        re.sub(r"[-_.]+", "-", match.group(1)).lower()
        if match and not line.lstrip().startswith("#")
        else None
    )


def lambda_requirements(linux: LambdaLinux | None = None) -> tuple[str, dict[str, tuple[str, str]]]:
    """requirements.txt with infra/lambda-pins.txt applied; and what was changed (name -> (was, now)).

    The pins are for Amazon Linux 2's old glibc: a runtime on Amazon Linux 2023 gets requirements.txt.
    """
    pins = {}
    applies = (linux or RUNTIME_LINUX[python_runtime()]) is _AL2
    for line in PINS_FILE.read_text().splitlines() if PINS_FILE.exists() and applies else []:
        name = _requirement_name(line)
        if name:
            pins[name] = line.split("#", 1)[0].strip()
    lines, changed = [], {}
    for line in (PROJECT_DIR / "requirements.txt").read_text().splitlines():
        name = _requirement_name(line)
        if name in pins:
            requirement = line.split("#", 1)[0].strip()
            if requirement != pins[name]:
                changed[name] = (requirement, pins[name])
            line = pins[name]
        lines.append(line)
    unknown = set(pins) - {_requirement_name(line) for line in lines}
    if unknown:
        raise PackageError(f"infra/lambda-pins.txt pins packages requirements.txt lacks: {sorted(unknown)}")
    return "\n".join(lines) + "\n", changed


def tested_versions(exclude: set[str]) -> str:
    """The dev venv's versions, as pip constraints: Lambda gets the transitive versions tests ran on."""
    frozen = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    keep = [line for line in frozen.splitlines() if "==" in line and _requirement_name(line) not in exclude]
    return "\n".join(sorted(keep, key=str.lower)) + "\n"


def _platforms(machine: str, linux: LambdaLinux) -> list[str]:
    glibc_major, glibc_minor = linux.max_versions["GLIBC"]
    # pip takes --platform literally: list every glibc the runtime satisfies, then the legacy alias.
    tags = [f"manylinux_{glibc_major}_{minor}_{machine}" for minor in range(17, glibc_minor + 1)]
    return [*tags, f"manylinux2014_{machine}"]


def _digest(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def install_dependencies(arch: str, log: Any) -> tuple[Path, dict[str, tuple[str, str]]]:
    """The Lambda dependencies for `arch`, installed from manylinux wheels (cached)."""
    runtime = python_runtime()
    linux = RUNTIME_LINUX.get(runtime)
    if linux is None:
        raise PackageError(f"no Lambda image known for {runtime}: extend RUNTIME_LINUX in infra/deps.py")
    requirements, pinned = lambda_requirements(linux)
    # requirements.txt pins the direct dependencies; the venv's versions pin the transitive ones.
    direct = {name for name in map(_requirement_name, requirements.splitlines()) if name}
    constraints = tested_versions(exclude=direct | {"chalice"})
    platforms = _platforms(ARCHITECTURES[arch], linux)
    key = _digest(str(BUILD_FORMAT), requirements, constraints, runtime, arch, *platforms)
    target = BUILD_DIR / "lambda" / "deps" / f"{runtime}-{arch}-{key}"
    if (target / ".complete").exists():
        return target, pinned
    log(f"installing Lambda dependencies for {runtime} {arch} (manylinux wheels only)")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    (partial / ".requirements.txt").write_text(requirements)
    (partial / ".constraints.txt").write_text(constraints)
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--target", str(partial / "site"), "--only-binary=:all:", "--implementation", "cp",
        "--python-version", runtime.removeprefix("python"), "--abi", "cp" + runtime[6:].replace(".", ""),
        *[arg for platform in platforms for arg in ("--platform", platform)],
        "--no-compile", "-r", str(partial / ".requirements.txt"), "-c", str(partial / ".constraints.txt"),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise PackageError(
            f"pip could not install the Lambda dependencies for {arch} from manylinux wheels "
            f"(glibc <= {'.'.join(map(str, linux.max_versions['GLIBC']))}, {linux.image}):\n"
            f"{result.stderr.strip()}\nPin a version with such wheels in infra/lambda-pins.txt."
        )
    site = partial / "site"
    shutil.rmtree(site / "bin", ignore_errors=True)  # console scripts: useless in Lambda
    # Lambda's /var/task is read-only: without .pyc every cold start compiles every import.
    # unchecked-hash: valid whatever mtimes the zip round-trip leaves. Only this interpreter's
    # bytecode can be written here: for another runtime the functions compile at cold start
    # (docs/deploy.md, runtime), until the project itself moves to that Python.
    if builds_bytecode(runtime):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "compileall",
                "-q",
                "-j",
                "0",
                "--invalidation-mode",
                "unchecked-hash",
                str(site),
            ],
            check=True,
            capture_output=True,
        )
    (partial / ".complete").write_text(json.dumps({"platforms": platforms, "pinned": pinned}))
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    for stale in target.parent.glob(f"{runtime}-{arch}-*"):
        if stale != target:
            shutil.rmtree(stale, ignore_errors=True)  # an older requirements set
    return target, pinned
