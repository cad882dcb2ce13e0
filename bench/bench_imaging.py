"""Benchmark: `process_image` (JPEG shrink-on-load, cascaded resizes) against a naive full decode.

    .venv/bin/python bench/bench_imaging.py [--runs N]

Builds a 6000x4000 photo-like JPEG in memory, times both paths N times each in this process and
prints only naive/optimised ratios (median wall time, peak resident memory) and a markdown row.
Peak memory is read from the kernel (VmHWM, reset through /proc/self/clear_refs): tracemalloc
cannot see Pillow's pixel buffers, which are plain malloc() blocks.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageFilter, ImageOps

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # so it runs as a plain script from any directory

from chalicelib.services.imaging import JPEG_QUALITY, process_image  # noqa: E402

SOURCE_SIZE = (6000, 4000)
SIZES = {"small": 320, "medium": 640, "large": 1280}
MAX_BYTES = 64 * 1024 * 1024


def make_source_jpeg(size: tuple[int, int] = SOURCE_SIZE) -> bytes:
    """Gradients plus fine noise: smooth areas and real high-frequency detail, like a photo."""
    width, height = size
    noise = Image.effect_noise((width // 2, height // 2), 48).resize(size, Image.Resampling.BILINEAR)
    red = Image.linear_gradient("L").resize(size)
    green = Image.radial_gradient("L").resize(size)
    blue = Image.blend(noise, red.transpose(Image.Transpose.ROTATE_180), 0.5)
    image = Image.merge("RGB", (red, green, blue)).filter(ImageFilter.SMOOTH)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def naive_process(data: bytes, sizes: dict[str, int]) -> list[bytes]:
    """The obvious version: decode everything at full size, then resize each width from it."""
    outputs: list[bytes] = []
    with Image.open(io.BytesIO(data)) as opened:
        opened.load()
        image = ImageOps.exif_transpose(opened).convert("RGB")
        image.info = {}
        for width in sorted(sizes.values(), reverse=True):
            target = min(width, image.width)
            height = max(1, round(image.height * target / image.width))
            resized = image.resize((target, height), Image.Resampling.LANCZOS)
            buffer = io.BytesIO()
            resized.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
            outputs.append(buffer.getvalue())
    return outputs


def optimised_process(data: bytes, sizes: dict[str, int]) -> list[bytes]:
    result = process_image(data, sizes=sizes, max_bytes=MAX_BYTES)
    return [rendition.data for rendition in result.renditions]


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def peak_growth_kib(run: Callable[[], object]) -> int | None:
    """How far resident memory rose above its starting point during `run` (None: not measurable)."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")  # resets VmHWM to the current RSS
        before = _status_kib("VmRSS")
        run()
        return _status_kib("VmHWM") - before
    except OSError:
        return None


def median_seconds(run: Callable[[], object], runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    data = make_source_jpeg()

    def naive() -> object:
        return naive_process(data, SIZES)

    def optimised() -> object:
        return optimised_process(data, SIZES)

    naive(), optimised()  # warm up: plugin imports, first-touch allocations
    naive_memory, optimised_memory = peak_growth_kib(naive), peak_growth_kib(optimised)
    time_ratio = median_seconds(naive, args.runs) / median_seconds(optimised, args.runs)
    if naive_memory is None or optimised_memory is None:
        memory = "n/a"
    else:
        memory = f"{naive_memory / max(optimised_memory, 1):.1f}x"

    label = f"{SOURCE_SIZE[0]}x{SOURCE_SIZE[1]} JPEG -> {'/'.join(str(w) for w in sorted(SIZES.values()))}"
    print(f"time naive/optimised: {time_ratio:.1f}x")
    print(f"peak memory naive/optimised: {memory}")
    print(f"| {label} | {time_ratio:.1f}x faster | {memory} less peak RSS |")


if __name__ == "__main__":
    main()
