"""Thumbnailer benchmark: `process_image` side by side with libvips and two Pillow pipelines.

    .venv/bin/python -m bench.bench_imaging [--runs N] [--no-lambda-pillow]
    (`make bench` runs it with 5 runs; BENCH_IMAGING_RUNS=N changes that)

Methods, each making the same three renditions (1280/640/320 wide, metadata-free progressive
optimised JPEG, quality 82, EXIF orientation applied):
- flint: chalicelib.services.imaging.process_image (also computes the palette).
- pyvips: libvips `thumbnail` for the largest, `thumbnail_image` of that in-memory result for the
  smaller two (faster than three `thumbnail_buffer` calls), one thread (VIPS_CONCURRENCY=1) and
  the operation cache off (it would return repeated calls from memory).
- pillow-thumbnail: Pillow's `Image.thumbnail()` (its own draft + reduce + BICUBIC), in place
  largest first, each result transposed by `exif_transpose` before encoding.
- textbook: decode fully, `exif_transpose`, LANCZOS each size from the full image.

Inputs are generated photo-like images (1/f colour texture, hard-edged shapes, sensor noise; no
downloads), cached in build/bench-inputs/: 24 MP and 12 MP (4032x3024) landscape JPEGs, the 12 MP
one EXIF-rotated to a portrait (orientation 6), a PNG and a WebP.

Measurement: every (method, case, run) is a fresh child process. The child imports, reads the
input, makes one warm-up call (lazy plugin and library set-up, code paged in), returns freed heap to
the kernel (malloc_trim), resets its peak-RSS mark (/proc/self/clear_refs), then times one call.
Time is the child's CPU time (all threads) for that call: the machine is shared, so wall time
mostly measures the neighbours; the wall ratio is printed beside it. Peak memory is the rise of
VmHWM over VmRSS before the call. Medians over the runs (--runs, 5, for flint and pyvips; at most
3 for the informational Pillow baselines); runs interleave methods and cases.
Quality: PSNR (RGB) and SSIM (luma, 11x11 Gaussian window) of each decoded output against a
full-decode LANCZOS reference at the same size; the textbook output is that reference JPEG-encoded
with the same settings, so "within 0.5 dB" is measured against it.

Lambda's Pillow: the thumbnailer ships with the Pillow pinned in infra/lambda-pins.txt (12.2.0,
see there why). `flint` and `pillow-thumbnail` also run in a venv with that Pillow, created and
cached by this module in build/bench-venv-pillow<major>/ (plain `python -m venv` + pip; delete the
folder to rebuild it, `--no-lambda-pillow` to skip those rows).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import io
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # so it runs as a plain script from any directory

from bench.report import Row  # noqa: E402
from chalicelib.services.imaging import JPEG_QUALITY, process_image  # noqa: E402

SIZES = {"small": 320, "medium": 640, "large": 1280}
MAX_BYTES = 64 * 1024 * 1024
METHODS = ("flint", "pyvips", "pillow-thumbnail", "textbook")
# The two the targets compare get every run; the informational baselines fewer (time budget).
TARGET_METHODS = ("flint", "pyvips")
BASELINE_RUNS = 3
LAMBDA_METHODS = ("flint", "pillow-thumbnail")
INPUTS_VERSION = "v1"  # bump when the generator or the cases change
INPUTS_DIR = ROOT / "build" / "bench-inputs" / INPUTS_VERSION
LAMBDA_PINS = ROOT / "infra" / "lambda-pins.txt"
TIME_TARGET = 1.2  # x pyvips CPU time, every JPEG case
MEMORY_TARGET = 1.0  # x pyvips peak RSS rise, every JPEG case
QUALITY_TARGET_DB = -0.5  # PSNR vs the reference, relative to the textbook (reference) encoding


@dataclass(frozen=True)
class Case:
    key: str
    label: str
    filename: str
    is_jpeg: bool


CASES = (
    Case("jpeg24", "24 MP landscape JPEG (6000x4000)", "landscape-24mp.jpg", True),
    Case("jpeg12", "12 MP landscape JPEG (4032x3024)", "landscape-12mp.jpg", True),
    Case("jpeg12rot", "12 MP EXIF-rotated portrait JPEG (3024x4032)", "portrait-12mp-exif6.jpg", True),
    Case("png", "PNG (2400x1600)", "photo.png", False),
    Case("webp", "WebP (3000x2000)", "photo.webp", False),
)


# --- inputs --------------------------------------------------------------------------------------


def photo_like(size: tuple[int, int], seed: int) -> Image.Image:
    """1/f ("pink") colour texture built coarse to fine, hard-edged shapes, lens blur, sensor noise."""
    import numpy as np
    from PIL import ImageDraw, ImageFilter

    width, height = size
    rng = np.random.default_rng(seed)
    levels = 0
    while (width >> (levels + 1)) >= 8 and (height >> (levels + 1)) >= 8:
        levels += 1
    level_w, level_h = -(-width >> levels), -(-height >> levels)
    image = Image.fromarray(rng.integers(40, 216, (level_h, level_w, 3), dtype=np.uint8), "RGB")
    amplitude = 48.0
    while level_w < width or level_h < height:
        level_w, level_h = min(level_w * 2, width), min(level_h * 2, height)
        image = image.resize((level_w, level_h), Image.Resampling.BILINEAR)
        amplitude *= 0.68  # each finer octave weaker: the 1/f spectrum of natural images
        step = round(amplitude)
        if step:
            noise = rng.integers(-step, step + 1, (level_h, level_w, 1), dtype=np.int16)
            pixels = np.asarray(image, dtype=np.int16) + noise
            image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        r = int(rng.integers(width // 60, width // 8))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            draw.ellipse((x - r, y - r, x + r, y + r // 2), fill=colour)
        else:
            draw.polygon([(x, y), (x + r, y + r // 3), (x + r // 2, y + r)], fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(0.7))
    grain = rng.integers(-3, 4, (height, width, 1), dtype=np.int16)
    pixels = np.asarray(image, dtype=np.int16) + grain
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")


def _camera_exif(orientation: int) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Flint Bench"  # Make
    exif[0x0110] = "Photo-like generator"  # Model
    exif[0x0112] = orientation
    return exif


def ensure_inputs() -> dict[str, Path]:
    """Generate the inputs once (about 15 s), then reuse them from build/bench-inputs/."""
    INPUTS_DIR.mkdir(parents=True, exist_ok=True)
    paths = {case.key: INPUTS_DIR / case.filename for case in CASES}
    if all(path.exists() for path in paths.values()):
        return paths
    print("generating bench inputs (cached in build/bench-inputs/)...", file=sys.stderr, flush=True)
    big = photo_like((6000, 4000), seed=24)
    big.save(paths["jpeg24"], "JPEG", quality=92, exif=_camera_exif(1))
    phone = photo_like((4032, 3024), seed=12)
    phone.save(paths["jpeg12"], "JPEG", quality=92, exif=_camera_exif(1))
    # The same stored pixels, tagged "rotate 90 clockwise": what a phone held upright writes.
    phone.save(paths["jpeg12rot"], "JPEG", quality=92, exif=_camera_exif(6))
    photo_like((2400, 1600), seed=3).save(paths["png"], "PNG")
    photo_like((3000, 2000), seed=4).save(paths["webp"], "WEBP", quality=85)
    return paths


# --- the methods (run in the child; Pillow and, for pyvips, pyvips only) --------------------------


def _widths() -> list[int]:
    return sorted(SIZES.values(), reverse=True)


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()


def run_flint(data: bytes) -> list[bytes]:
    result = process_image(data, sizes=SIZES, max_bytes=MAX_BYTES)
    return [rendition.data for rendition in result.renditions]


def run_textbook(data: bytes) -> list[bytes]:
    with Image.open(io.BytesIO(data)) as opened:
        image = ImageOps.exif_transpose(opened).convert("RGB")
    image.info = {}
    outputs = []
    for width in _widths():
        target = min(width, image.width)
        height = max(1, round(image.height * target / image.width))
        outputs.append(_jpeg(image.resize((target, height), Image.Resampling.LANCZOS)))
    return outputs


def run_pillow_thumbnail(data: bytes) -> list[bytes]:
    outputs = []
    with Image.open(io.BytesIO(data)) as image:
        swapped = image.getexif().get(0x0112, 1) in (5, 6, 7, 8)
        for width in _widths():
            # thumbnail() knows nothing of EXIF: bound the stored axis that will be displayed as width.
            box = (10**6, width) if swapped else (width, 10**6)
            image.thumbnail(box)
            shown = ImageOps.exif_transpose(image).convert("RGB")
            shown.info = {}
            outputs.append(_jpeg(shown))
    return outputs


def run_pyvips(data: bytes) -> list[bytes]:
    import pyvips  # bench-only dependency (requirements-dev.txt)

    def save(image: Any) -> bytes:
        return bytes(image.jpegsave_buffer(Q=JPEG_QUALITY, optimize_coding=True, interlace=True, keep="none"))

    widths = _widths()
    largest = pyvips.Image.thumbnail_buffer(data, widths[0], height=10**7, size="down").copy_memory()
    outputs = [save(largest)]
    for width in widths[1:]:
        outputs.append(save(largest.thumbnail_image(width, height=10**7, size="down")))
    return outputs


RUNNERS: dict[str, Callable[[bytes], list[bytes]]] = {
    "flint": run_flint,
    "pyvips": run_pyvips,
    "pillow-thumbnail": run_pillow_thumbnail,
    "textbook": run_textbook,
}


# --- the child ------------------------------------------------------------------------------------


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def child(method: str, source: Path, outputs: Path | None) -> dict[str, Any]:
    if method == "pyvips":
        import pyvips

        pyvips.cache_set_max(0)
    run = RUNNERS[method]
    data = source.read_bytes()
    run(data)  # warm-up
    gc.collect()
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")  # VmHWM := VmRSS
        before: int | None = _status_kib("VmRSS")
    except OSError:
        before = None
    wall, cpu = time.perf_counter(), time.process_time()
    results = run(data)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    peak = None if before is None else _status_kib("VmHWM") - before
    if outputs is not None:
        outputs.mkdir(parents=True, exist_ok=True)
        for index, encoded in enumerate(results):
            (outputs / f"{index}.jpg").write_bytes(encoded)
    return {"cpu": cpu, "wall": wall, "peak_kib": peak, "pillow": Image.__version__}


# --- the parent -----------------------------------------------------------------------------------


def _spawn(python: Path, method: str, source: Path, outputs: Path | None) -> dict[str, Any]:
    command = [str(python), "-m", "bench.bench_imaging", "--child", method, str(source)]
    if outputs is not None:
        command += ["--outputs", str(outputs)]
    env = {**os.environ, "VIPS_CONCURRENCY": "1", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{method} on {source.name} failed:\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def lambda_pillow_python() -> tuple[Path | None, str]:
    """A cached venv with the Pillow that ships to Lambda: (its python, version) or (None, why not)."""
    match = re.search(r"^pillow==(\S+)", LAMBDA_PINS.read_text(), flags=re.M | re.I)
    if match is None:
        return None, "no pillow pin in infra/lambda-pins.txt"
    version = match.group(1)
    venv = ROOT / "build" / f"bench-venv-pillow{version.split('.')[0]}"
    python = venv / "bin" / "python"
    check = [str(python), "-c", "import PIL; print(PIL.__version__)"]
    if python.exists():
        found = subprocess.run(check, capture_output=True, text=True, check=False).stdout.strip()
        if found == version:
            return python, version
    print(f"creating {venv.relative_to(ROOT)} with pillow=={version}...", file=sys.stderr, flush=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", f"pillow=={version}"],
            check=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        return None, f"could not build the Pillow {version} venv ({exc})"
    return python, version


def _psnr(image: Any, reference: Any) -> float:
    import numpy as np

    mse = float(np.mean((image.astype(np.float64) - reference.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)


def _gaussian_blur(plane: Any, sigma: float = 1.5, radius: int = 5) -> Any:
    """'valid' separable Gaussian filter (the standard SSIM window), numpy only."""
    import numpy as np

    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    taps /= taps.sum()
    size = 2 * radius + 1
    rows = sum(t * plane[k : plane.shape[0] - size + 1 + k, :] for k, t in enumerate(taps))
    return sum(t * rows[:, k : rows.shape[1] - size + 1 + k] for k, t in enumerate(taps))


def _ssim(image: Any, reference: Any) -> float:
    """Mean SSIM (Wang et al. 2004) on BT.601 luma, 11x11 Gaussian window, sigma 1.5."""
    import numpy as np

    weights = np.array([0.299, 0.587, 0.114])
    x, y = image.astype(np.float64) @ weights, reference.astype(np.float64) @ weights
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mu_x, mu_y = _gaussian_blur(x), _gaussian_blur(y)
    var_x = _gaussian_blur(x * x) - mu_x**2
    var_y = _gaussian_blur(y * y) - mu_y**2
    cov = _gaussian_blur(x * y) - mu_x * mu_y
    ssim = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2))
    return float(ssim.mean())


@dataclass
class Quality:
    psnr: float  # worst rendition, dB
    ssim: float  # worst rendition
    total_bytes: int
    resized: bool  # an output's size differed from the reference by rounding and was resampled


def measure_quality(source: Path, outputs: Path) -> Quality:
    import numpy as np

    with Image.open(source) as opened:
        full = ImageOps.exif_transpose(opened).convert("RGB")
    psnrs, ssims, total, resized = [], [], 0, False
    for index, width in enumerate(_widths()):
        encoded = (outputs / f"{index}.jpg").read_bytes()
        total += len(encoded)
        target = min(width, full.width)
        dims = (target, max(1, round(full.height * target / full.width)))
        reference = np.asarray(full.resize(dims, Image.Resampling.LANCZOS))
        with Image.open(io.BytesIO(encoded)) as decoded:
            image = decoded.convert("RGB")
        if image.size != dims:
            resized = True
            image = image.resize(dims, Image.Resampling.LANCZOS)
        pixels = np.asarray(image)
        psnrs.append(_psnr(pixels, reference))
        ssims.append(_ssim(pixels, reference))
    return Quality(min(psnrs), min(ssims), total, resized)


@dataclass
class Measured:
    cpu: float
    wall: float
    peak_kib: float | None


def _median(samples: list[dict[str, Any]]) -> Measured:
    peaks = [s["peak_kib"] for s in samples if s["peak_kib"] is not None]
    return Measured(
        statistics.median(s["cpu"] for s in samples),
        statistics.median(s["wall"] for s in samples),
        statistics.median(peaks) if peaks else None,
    )


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return None
    return a / max(b, 1e-9)


def _x(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def measure(runs: int, lambda_pillow: bool) -> tuple[list[Row], str]:
    paths = ensure_inputs()
    jobs: list[tuple[str, Path, str]] = [("main", Path(sys.executable), m) for m in METHODS]
    lambda_note = ""
    lambda_version = ""
    if lambda_pillow:
        python, lambda_version = lambda_pillow_python()
        if python is None:
            lambda_note, lambda_version = lambda_version, ""
        else:
            jobs += [("lambda", python, m) for m in LAMBDA_METHODS]
    samples: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="flint-bench-") as scratch:
        out_root = Path(scratch)
        for run in range(runs):
            print(f"thumbnailer run {run + 1}/{runs}...", file=sys.stderr, flush=True)
            for case in CASES:
                for env, python, method in jobs:
                    if method not in TARGET_METHODS and run >= BASELINE_RUNS:
                        continue
                    keep = out_root / env / method / case.key if run == 0 else None
                    result = _spawn(python, method, paths[case.key], keep)
                    samples.setdefault((env, method, case.key), []).append(result)
        quality = {
            (env, method, case.key): measure_quality(paths[case.key], out_root / env / method / case.key)
            for env, _python, method in jobs
            for case in CASES
        }
    main_pillow = samples[("main", "flint", CASES[0].key)][0]["pillow"]
    rows = _rows(samples, quality, main_pillow, lambda_version, lambda_note)
    return rows, main_pillow


def _rows(
    samples: dict[tuple[str, str, str], list[dict[str, Any]]],
    quality: dict[tuple[str, str, str], Quality],
    main_pillow: str,
    lambda_version: str,
    lambda_note: str,
) -> list[Row]:
    rows: list[Row] = []
    medians = {key: _median(values) for key, values in samples.items()}
    section = "Thumbnailer"
    for env, pillow in (("main", main_pillow), ("lambda", lambda_version)):
        if not pillow:
            continue
        tag = f"Pillow {pillow}" + (", as shipped to Lambda" if env == "lambda" else "")
        for case in CASES:
            vips = medians[("main", "pyvips", case.key)]
            flint = medians[(env, "flint", case.key)]
            methods = LAMBDA_METHODS if env == "lambda" else METHODS
            others = [m for m in methods if m not in ("flint", "pyvips")]
            time_ratio = _ratio(flint.cpu, vips.cpu)
            time_met = None if not case.is_jpeg or time_ratio is None else time_ratio <= TIME_TARGET
            time_note = f"wall {_x(_ratio(flint.wall, vips.wall))}; " + ", ".join(
                f"{m} {_x(_ratio(medians[(env, m, case.key)].cpu, vips.cpu))}" for m in others
            )
            if time_met is False:
                time_note += (
                    "; gap: Pillow's resample of the shrunk decode (libvips' reduce is vectorised)"
                    " and the full-size decode buffer - pillow-simd or banded resizes would close it"
                )
            elif not case.is_jpeg:
                time_note += (
                    "; no target: Pillow has no shrink-on-load for PNG/WebP and flint resizes with"
                    " LANCZOS where thumbnail() uses BICUBIC"
                )
            rows.append(
                Row(
                    section,
                    f"{case.label}, {tag}: CPU time flint / pyvips",
                    _x(time_ratio),
                    f"<= {TIME_TARGET}x" if case.is_jpeg else "",
                    time_met,
                    time_note,
                )
            )
            memory_ratio = _ratio(flint.peak_kib, vips.peak_kib)
            memory_met = None if not case.is_jpeg or memory_ratio is None else memory_ratio <= MEMORY_TARGET
            memory_note = ", ".join(
                f"{m} {_x(_ratio(medians[(env, m, case.key)].peak_kib, vips.peak_kib))}" for m in others
            )
            if memory_met is False:
                memory_note += (
                    "; gap: Pillow holds the whole (shrunk) decode at 4 bytes a pixel while libvips"
                    " streams strips - resizing in bands (resize box=) would cut the resample buffer"
                )
            elif not case.is_jpeg:
                memory_note += "; no shrink-on-load in Pillow for PNG/WebP (libvips scales WebP on load)"
            rows.append(
                Row(
                    section,
                    f"{case.label}, {tag}: peak RSS rise flint / pyvips",
                    _x(memory_ratio),
                    f"<= {MEMORY_TARGET}x" if case.is_jpeg else "",
                    memory_met,
                    memory_note,
                )
            )
            if env != "main":
                continue
            reference = quality[("main", "textbook", case.key)]
            ours = quality[("main", "flint", case.key)]
            delta = ours.psnr - reference.psnr
            quality_note = "; ".join(
                f"{m} {quality[('main', m, case.key)].psnr - reference.psnr:+.2f} dB"
                f" (SSIM {quality[('main', m, case.key)].ssim:.4f},"
                f" {quality[('main', m, case.key)].total_bytes / reference.total_bytes:.2f}x bytes"
                + (", resampled to the reference size" if quality[("main", m, case.key)].resized else "")
                + ")"
                for m in ("pyvips", "pillow-thumbnail")
            )
            rows.append(
                Row(
                    section,
                    f"{case.label}: quality, worst rendition PSNR vs full-decode LANCZOS reference,"
                    " flint - textbook",
                    f"{delta:+.2f} dB (SSIM {ours.ssim:.4f}, textbook {reference.ssim:.4f};"
                    f" {ours.total_bytes / reference.total_bytes:.2f}x textbook bytes,"
                    f" {ours.total_bytes // 1024} KiB)",
                    f">= {QUALITY_TARGET_DB} dB",
                    delta >= QUALITY_TARGET_DB,
                    quality_note,
                )
            )
    if lambda_note:
        rows.append(Row(section, "Lambda's Pillow rows", "not run", "", None, lambda_note))
    return rows


def rows(runs: int | None = None, lambda_pillow: bool = True) -> list[Row]:
    if runs is None:
        runs = int(os.environ.get("BENCH_IMAGING_RUNS", "5"))
    return measure(runs, lambda_pillow)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=None, help="default: $BENCH_IMAGING_RUNS or 5")
    parser.add_argument("--no-lambda-pillow", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("METHOD", "INPUT"), help=argparse.SUPPRESS)
    parser.add_argument("--outputs", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        method, source = args.child
        print(json.dumps(child(method, Path(source), args.outputs)))
        return
    from bench.report import markdown

    print(markdown(rows(args.runs, not args.no_lambda_pillow)))


if __name__ == "__main__":
    main()
