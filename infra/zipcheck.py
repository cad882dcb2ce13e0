"""Checks of what `make package` built: the template's shape, the policies, and each zip's native code."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.deps import LambdaLinux
from infra.functions import Function
from infra.layout import ARCHITECTURES, MB, PROJECT_DIR, UNZIPPED_LIMIT, ZIPPED_LIMIT, PackageError

# Libraries every Lambda image provides (and the manylinux policy lets wheels link against).
SYSTEM_LIBRARIES = frozenset(
    {
        "libc.so.6",
        "libm.so.6",
        "libpthread.so.0",
        "libdl.so.2",
        "librt.so.1",
        "libutil.so.1",
        "libgcc_s.so.1",
        "libstdc++.so.6",
        "libz.so.1",
        "ld-linux-x86-64.so.2",
        "ld-linux-aarch64.so.1",
    }
)
# The native code the app needs; the check fails if a build lacks any of them.
REQUIRED_NATIVE = {
    "pydantic-core": "pydantic_core/_pydantic_core.",
    "cryptography": "cryptography/hazmat/bindings/_rust.",
}
# The image library ships in its own layer, attached only to the functions that make
# thumbnails (infra/lambda.yaml ImagingFunctions): the API and the authorizer go without it.
IMAGING_LAYER = "imaging-layer.zip"
IMAGING_LOGICAL_ID = "ImagingLayer"
IMAGING_NATIVE = {"pillow": "python/PIL/_imaging."}
_IMAGING_PATHS = re.compile(r"^(PIL/|pillow\.libs/|pillow-[^/]+\.dist-info/)")


def _mixed_intrinsics(node: Any, where: str) -> Iterator[str]:
    """Dicts the deep merge spliced into chalice's intrinsics, e.g. {"Fn::Sub": .., "Fn::GetAtt": ..}."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _mixed_intrinsics(item, f"{where}[{index}]")
    elif isinstance(node, dict):
        if len(node) > 1 and any(key == "Ref" or key.startswith("Fn::") for key in node):
            yield f"{where}: merged into an intrinsic function: {sorted(node)}"
        for key, value in node.items():
            yield from _mixed_intrinsics(value, f"{where}.{key}")


def split_imaging_layer(out: Path) -> None:
    """Move the image library out of chalice's zip into the layer zip (under python/, on Lambda's path)."""
    source, app_zip, layer_zip = out / "deployment.zip", out / "deployment.zip.partial", out / IMAGING_LAYER
    with (
        zipfile.ZipFile(source) as archive,
        zipfile.ZipFile(app_zip, "w", zipfile.ZIP_DEFLATED) as app,
        zipfile.ZipFile(layer_zip, "w", zipfile.ZIP_DEFLATED) as layer,
    ):
        for info in archive.infolist():
            data = archive.read(info)
            if _IMAGING_PATHS.match(info.filename):
                moved = zipfile.ZipInfo(f"python/{info.filename}", date_time=info.date_time)
                moved.external_attr = info.external_attr
                moved.compress_type = zipfile.ZIP_DEFLATED
                layer.writestr(moved, data)
            else:
                app.writestr(info, data)
    app_zip.replace(source)


def function_sizes(
    template: Mapping[str, Any], functions: list[Function], code: ZipReport, layer: ZipReport
) -> dict[str, dict[str, int]]:
    """What each function deploys: its code zip, plus the layers it has (Lambda's limits count both)."""
    sizes = {}
    for function in functions:
        layers = template["Resources"][function.logical_id]["Properties"].get("Layers", [])
        with_layer = {"Ref": IMAGING_LOGICAL_ID} in layers
        sizes[function.name] = {
            "zipped_bytes": code.zipped_bytes + (layer.zipped_bytes if with_layer else 0),
            "unzipped_bytes": code.unzipped_bytes + (layer.unzipped_bytes if with_layer else 0),
            "imaging_layer": with_layer,
        }
    too_big = [name for name, size in sizes.items() if size["unzipped_bytes"] > UNZIPPED_LIMIT]
    if too_big:
        raise PackageError(f"functions over Lambda's {UNZIPPED_LIMIT / MB:.0f} MB unzipped: {too_big}")
    return sizes


def check_template(template: Mapping[str, Any], functions: list[Function]) -> None:
    problems = list(_mixed_intrinsics(template["Resources"], "Resources"))
    for logical_id, resource in template["Resources"].items():
        if "Type" not in resource:
            problems.append(f"{logical_id}: merged into a resource chalice did not write")
    for function in functions:
        resource = template["Resources"].get(function.logical_id, {})
        if resource.get("Type") != "AWS::Serverless::Function" or resource["Properties"]["Handler"] != (
            function.handler
        ):
            problems.append(
                f"{function.name}: expected {function.logical_id} with handler {function.handler}"
            )
            continue
        for event_id, event in resource["Properties"].get("Events", {}).items():
            if "Type" not in event:
                problems.append(
                    f"{function.name}: event {event_id} merged into an event chalice did not write"
                )
    declared = {f.logical_id for f in functions}
    extra = [
        lid
        for lid, res in template["Resources"].items()
        if res.get("Type") == "AWS::Serverless::Function" and lid not in declared
    ]
    if extra:
        problems.append(f"functions this packager does not know: {extra}")
    if problems:
        raise PackageError("packaged template:\n  " + "\n  ".join(problems))


def check_policies(policies: Mapping[str, Path], template: Mapping[str, Any]) -> None:
    from infra import iam

    problems = [
        f"{path.relative_to(PROJECT_DIR)}: {problem}"
        for function, path in policies.items()
        for problem in iam.lint(json.loads(path.read_text()), function=function, template=template)
    ]
    if problems:
        raise PackageError("least-privilege rules (infra/iam.py):\n  " + "\n  ".join(problems))


@dataclass
class ZipReport:
    zipped_bytes: int
    unzipped_bytes: int
    files: int
    native: dict[str, list[str]] = field(default_factory=dict)  # top-level package -> .so files


_ABI_SUFFIX = re.compile(r"\.cpython-(\d)(\d+)-")
_PLATFORM = re.compile(r"^(?:manylinux_(\d+)_(\d+)|manylinux(2014|2010|1))_(x86_64|aarch64)$")
_LEGACY_GLIBC = {"2014": (2, 17), "2010": (2, 12), "1": (2, 5)}


def wheel_tag_problems(tag: str, runtime: str, machine: str, linux: LambdaLinux) -> list[str]:
    """Why a wheel tag (`cp313-cp313-manylinux_2_28_x86_64`) cannot run on the runtime; [] when it can."""
    version = runtime.removeprefix("python").replace(".", "")
    interpreter, abi, platform = tag.split("-")
    if platform == "any":
        return (
            []
            if interpreter.startswith("py") or interpreter == f"cp{version}"
            else [f"{tag}: not for cp{version}"]
        )
    problems = []
    if abi == "abi3":
        if not interpreter.startswith("cp3") or int(interpreter[3:]) > int(version[1:]):
            problems.append(f"{tag}: the stable ABI of a newer Python than {runtime}")
    elif interpreter != f"cp{version}" or abi != f"cp{version}":
        problems.append(f"{tag}: built for {interpreter}/{abi}, not cp{version}")
    match = _PLATFORM.match(platform)
    if not match:
        return [*problems, f"{tag}: not a manylinux platform"]
    glibc = (int(match[1]), int(match[2])) if match[1] else _LEGACY_GLIBC[match[3]]
    if match[4] != machine:
        problems.append(f"{tag}: for {match[4]}, not {machine}")
    if glibc > linux.max_versions["GLIBC"]:
        problems.append(
            f"{tag}: needs glibc {glibc[0]}.{glibc[1]}; {linux.image} has {linux.max_versions['GLIBC']}"
        )
    return problems


def check_zip(
    path: Path,
    arch: str,
    linux: LambdaLinux,
    *,
    runtime: str | None = None,
    required_native: Mapping[str, str] = REQUIRED_NATIVE,
    required_files: Sequence[str] = ("app.py", "chalice/app.py", "chalicelib/__init__.py"),
    forbidden: re.Pattern[str] | None = _IMAGING_PATHS,
) -> ZipReport:
    """The zip's native code suits the architecture and Lambda's glibc; the files it must (not) hold."""
    from infra import elf

    problems = []
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        basenames = {Path(name).name for name in names}
        report = ZipReport(path.stat().st_size, sum(i.file_size for i in infos), len(infos))
        for info in infos:
            filename = info.filename
            if not re.search(r"\.so(\.\d+)*$", filename):
                continue
            try:
                library = elf.read(archive.read(info))
            except elf.NotElf as exc:
                problems.append(f"{filename}: {exc}")
                continue
            report.native.setdefault(filename.removeprefix("python/").split("/", 1)[0], []).append(filename)
            if library.machine != ARCHITECTURES[arch]:
                problems.append(f"{filename}: built for {library.machine}, not {ARCHITECTURES[arch]}")
            missing = [n for n in library.needed if n not in SYSTEM_LIBRARIES and n not in basenames]
            if missing:
                problems.append(f"{filename}: needs {missing}, neither bundled nor on Lambda")
            for needed_from, families in library.versions.items():
                if needed_from not in SYSTEM_LIBRARIES:
                    continue  # a bundled library: its versions come with it
                for family, version in families.items():
                    available = linux.max_versions.get(family)
                    if available is not None and version > available:
                        problems.append(
                            f"{filename}: needs {family}_{'.'.join(map(str, version))} from {needed_from}; "
                            f"{linux.image} has {'.'.join(map(str, available))}"
                        )
        if runtime is not None:
            # Every wheel's tags, and every extension's ABI suffix, must suit the runtime's Python.
            version = runtime.removeprefix("python").split(".")
            for info in infos:
                if info.filename.endswith(".dist-info/WHEEL"):
                    # A wheel's tags are alternatives for one binary: one that fits is enough.
                    tags = [
                        line[4:].strip()
                        for line in archive.read(info).decode().splitlines()
                        if line.startswith("Tag:")
                    ]
                    found = [wheel_tag_problems(tag, runtime, ARCHITECTURES[arch], linux) for tag in tags]
                    if found and all(found):
                        problems += found[0]
                suffix = _ABI_SUFFIX.search(info.filename)
                if suffix and info.filename.endswith(".so") and list(suffix.groups()) != version:
                    problems.append(f"{info.filename}: an extension for CPython {'.'.join(suffix.groups())}")
        for package, prefix in required_native.items():
            if not any(name.startswith(prefix) and ".so" in name for name in names):
                problems.append(f"{package}: no {prefix}*.so in the zip")
        for required in required_files:
            if required not in names:
                problems.append(f"{required} is missing")
        if forbidden is not None:
            shipped = sorted({name.split("/", 1)[0] for name in names if forbidden.match(name)})
            if shipped:
                problems.append(f"{shipped} belong in the {IMAGING_LAYER} layer, not here")
    if report.zipped_bytes > ZIPPED_LIMIT:
        problems.append(f"zipped {report.zipped_bytes / MB:.1f} MB > {ZIPPED_LIMIT / MB:.0f} MB")
    if report.unzipped_bytes > UNZIPPED_LIMIT:
        problems.append(f"unzipped {report.unzipped_bytes / MB:.1f} MB > {UNZIPPED_LIMIT / MB:.0f} MB")
    if problems:
        raise PackageError(f"{path}:\n  " + "\n  ".join(problems))
    return report
