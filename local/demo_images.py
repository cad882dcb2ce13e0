"""Demo pictures for `make dev`: a photo per demo post, a packshot per product.

A post's photo is a scene (local/demo_scenes.py) of the shot it illustrates, showing its tagged
products in their own colours; the scene's record (what was drawn where) gives the tags their
points and travels with the picture: `image.info[DRAWN]` holds it as text and `jpeg()` writes that
text into the file's EXIF ImageDescription, where the local image labeller reads it
(local/demo_labels.py stands in for Rekognition's DetectLabels under `make dev`).

A product's packshot is its own kind of object in its own colour, on a backdrop and from a side
chosen by its id, so no two products share a picture.

Cheap: a post photo costs tens of milliseconds, a packshot a few; both are cached on disk
(`.flint/demo-images/`, keyed by a hash of what is drawn and of the generator's own source), so
a second `make dev` draws nothing.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import threading
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image

from local import demo_art as art
from local.demo_data import COLOURS, DemoProduct
from local.demo_objects import KINDS
from local.demo_scenes import Drawing, Piece, compose
from local.processes import parallel_map

DRAWN = "flint_drawn"  # Image.info key: what a scene shows, as the text its JPEG carries
RECORD_PREFIX = "flint-demo: "  # local/demo_labels.py reads pictures that start so
IMAGE_DESCRIPTION = 0x010E  # the EXIF tag the record is written to
PROP_COLOURS = list(COLOURS.values())
CACHE_DIR = Path(
    os.environ.get(
        "FLINT_DEMO_IMAGE_CACHE", Path(__file__).resolve().parent.parent / ".flint" / "demo-images"
    )
)


def record(drawing: Drawing) -> str:
    """The picture's record as text: its scene family and the kinds it shows, front last
    (`flint-demo: outdoors: tent, lantern, backpack`)."""
    return f"{RECORD_PREFIX}{drawing.family}: {', '.join(drawing.kinds())}"


def picture(
    setting: str,
    pieces: list[Piece],
    size: tuple[int, int],
    seed: int,
    time: str | None = None,
) -> tuple[Image.Image, Drawing]:
    """A scene with its record attached (`image.info[DRAWN]`)."""
    image, drawing = compose(setting, pieces, size, seed, time)
    image.info[DRAWN] = record(drawing)
    return image, drawing


def scene(interest: str, size: tuple[int, int], seed: int) -> tuple[Image.Image, Drawing]:
    """A picture for `interest`: one of its shots, chosen by the seed, with catalog colours."""
    from local.demo_stories import SHOTS

    shots = [s for s in SHOTS if s.interests[0] == interest and s.kind != "idea"] or [
        s for s in SHOTS if s.kind != "idea"
    ]
    rng = random.Random(seed)
    shot = shots[rng.randrange(len(shots))]
    pieces = [Piece(k, rng.choice(PROP_COLOURS)) for k in shot.subject + shot.props]
    return picture(shot.setting, pieces, size, seed, rng.choice(shot.times) if shot.times else None)


def jpeg(image: Image.Image, quality: int = 82, exif: bytes | None = None) -> bytes:
    if DRAWN in image.info:  # a scene: its record of what it shows goes in the file's EXIF
        tags = Image.Exif()
        if exif:
            tags.load(exif)
        tags[IMAGE_DESCRIPTION] = image.info[DRAWN]
        exif = tags.tobytes()
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality, **({"exif": exif} if exif else {}))
    return buffer.getvalue()


# ---------------------------------------------------------------- packshots

BACKDROPS: list[tuple[tuple[int, int, int], tuple[int, int, int]]] = [
    ((248, 246, 242), (226, 222, 216)),
    ((244, 240, 232), (214, 206, 194)),
    ((236, 242, 246), (206, 216, 224)),
    ((246, 238, 236), (222, 206, 202)),
    ((240, 244, 236), (210, 218, 204)),
    ((250, 250, 250), (232, 232, 232)),
]


def product_image(product: DemoProduct, size: int = 400) -> bytes:
    """A square packshot: the product's kind in its colour, on a paper sweep, lit from a side."""
    return cached(
        "product", (product.product_id, product.kind, product.colour, size), lambda: _packshot(product, size)
    )


def _packshot(product: DemoProduct, size: int) -> bytes:
    rng = random.Random(product.product_id)
    top, bottom = rng.choice(BACKDROPS)
    image = art.vertical((size, size), top, bottom)
    light = art.Light(rng.choice([-1.0, 1.0]), 0.5, 0.6, (255, 252, 248), 1.0)
    spec = KINDS[product.kind]
    fill = rng.uniform(0.56, 0.7) * size
    w, h = (fill, fill / spec.aspect) if spec.aspect >= 1 else (fill * spec.aspect, fill)
    base = size * rng.uniform(0.8, 0.86)
    x0, y0 = (size - w) / 2 + rng.uniform(-0.03, 0.03) * size, base - h
    pen = art.Pen(int(w), int(h))
    spec.draw(pen, COLOURS[product.colour], random.Random(product.product_id + "/draw"))
    layer = art.form(pen.layer(), light)
    art.cast_shadow(image, layer, (int(x0), int(y0)), light)
    image.paste(layer, (int(x0), int(y0)), layer)
    image = art.develop(
        image, light, rng.randrange(1 << 16), source=None, vignette=0.08, grain=2.5, saturation=1.0
    )
    return jpeg(image, quality=86)


# ---------------------------------------------------------------- cache


@lru_cache(maxsize=1)
def generator_version() -> str:
    """A hash of the generator's own source: a change to how things are drawn is a new picture."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in ("demo_art.py", "demo_objects.py", "demo_scenes.py", "demo_images.py", "demo_data.py"):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


def _cache_path(kind: str, key: Any) -> Path:
    return CACHE_DIR / hashlib.sha256(repr((kind, key, generator_version())).encode()).hexdigest()[:32]


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _write(path: Path, data: bytes) -> None:
    try:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        partial.write_bytes(data)
        partial.replace(path)  # atomic: a concurrent reader sees the whole file or none
    except OSError:
        pass  # a read-only checkout just draws every time


def _cache_off() -> bool:
    return os.environ.get("FLINT_DEMO_IMAGE_CACHE") == "off"


def cached(kind: str, key: Any, make: Callable[[], bytes]) -> bytes:
    """`make()`'s bytes, kept under CACHE_DIR by a hash of (kind, key, generator version)."""
    if _cache_off():
        return make()
    path = _cache_path(kind, key).with_suffix(".jpg")
    data = _read(path)
    if data is None:
        data = make()
        _write(path, data)
    return data


def cached_photo(key: Any, make: Callable[[], tuple[bytes, Drawing]]) -> tuple[bytes, Drawing]:
    """A scene's JPEG and its record, kept together like `cached()` (the cached record has no
    object map: publishing needs the tag points, not the map)."""
    if _cache_off():
        return make()
    base = _cache_path("photo", key)
    data, text = _read(base.with_suffix(".jpg")), _read(base.with_suffix(".json"))
    if data is not None and text is not None:
        return data, Drawing.from_json(text.decode())
    data, drawing = make()
    _write(base.with_suffix(".json"), drawing.to_json().encode())
    _write(base.with_suffix(".jpg"), data)
    return data, drawing


def put_product_images(
    s3: Any, bucket: str, products: Iterable[DemoProduct], prefix: str = "demo/products/", workers: int = 4
) -> dict[str, str]:
    """Upload a packshot per product to the media bucket, a few at once; returns product id -> key."""

    def put(product: DemoProduct) -> tuple[str, str]:
        key = f"{prefix}{product.product_id}.jpg"
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=product_image(product),
            ContentType="image/jpeg",
            CacheControl="public, max-age=86400",
        )
        return product.product_id, key

    return dict(parallel_map(put, list(products), workers))
