"""What the CDN delivers per card and per post page: the renditions' real bytes on the demo's photos.

    .venv/bin/python -m bench.image_bytes [--photos 24]

The first `--photos` photo posts of the demo plan (local/demo_plan.py, the photos `make dev`
publishes through the thumbnailer, at full size: 12 MP-class, some EXIF-rotated), drawn by
local/demo_posts.py and run through the thumbnailer's own `process_image` with its WebP and AVIF
copies (chalicelib/services/imaging.py, the settings' sizes). Mean bytes per size, JPEG, WebP and
AVIF, and the CPU the copies add (`time.thread_time`, this process, with and without them). The cost model
(bench/cost_model.py `image_bytes`) takes the bytes of a card and of a post page from here.

The demo photos are drawn scenes (flat shapes, gradients, a little noise): they compress better
than camera photos, so absolute bytes are low; the WebP and AVIF / JPEG ratios are the comparable
figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any


def measure(photos: int = 24) -> dict[str, Any]:
    from chalicelib.services.imaging import process_image
    from chalicelib.settings import get_settings
    from local.demo_plan import plan
    from local.demo_posts import post_photo

    sizes = get_settings().thumbnail_sizes
    posts = [p for p in plan().posts if p.has_photo][:photos]
    jpeg: dict[str, list[int]] = {name: [] for name in sizes}
    webp: dict[str, list[int]] = {name: [] for name in sizes}
    avif: dict[str, list[int]] = {name: [] for name in sizes}
    cpu_plain = cpu_webp = 0.0
    for post in posts:
        data, _ = post_photo(post)
        started = time.thread_time()
        process_image(data, sizes=sizes, max_bytes=len(data) + 1)
        cpu_plain += time.thread_time() - started
        started = time.thread_time()
        image = process_image(data, sizes=sizes, max_bytes=len(data) + 1, webp=True)
        cpu_webp += time.thread_time() - started
        for rendition in image.renditions:
            jpeg[rendition.name].append(len(rendition.data))
            webp[rendition.name].append(len(rendition.webp if rendition.webp is not None else rendition.data))
            avif[rendition.name].append(len(rendition.avif if rendition.avif is not None else rendition.data))
    return {
        "photos": len(posts),
        "jpeg": {name: statistics.mean(v) for name, v in jpeg.items()},
        "webp": {name: statistics.mean(v) for name, v in webp.items()},
        "avif": {name: statistics.mean(v) for name, v in avif.items()},
        "cpu_ms_per_photo": cpu_plain * 1000 / len(posts),
        "cpu_ms_per_photo_with_webp": cpu_webp * 1000 / len(posts),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=24)
    print(json.dumps(measure(parser.parse_args().photos), indent=2))


if __name__ == "__main__":
    main()
