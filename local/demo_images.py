"""Demo pictures for `make dev`, drawn with Pillow: scenes for posts, packshots for products.

A scene is a small set piece for an interest (a trail with a tent and a backpack, a kitchen
counter with a kettle and mugs, a desk with a monitor and headphones, ...): gradients, soft
shadows and simple shapes, so the feed reads like a shopping community rather than test
patterns. `scene()` also returns where its objects are (x, y in [0, 1]) so demo tags sit on
them. Product images are square packshots of the product's kind in its colour, uploaded to the
media bucket so `image_url`s load locally. Deterministic: the same seed, the same picture.
"""

from __future__ import annotations

import io
import random
import re
from collections.abc import Callable, Iterable
from typing import Any

from PIL import Image, ImageDraw, ImageFilter

from local import demo_labels
from local.processes import parallel_map

Colour = tuple[int, int, int]
Anchor = tuple[float, float]

COLOURS: dict[str, Colour] = {
    "Black": (40, 40, 44),
    "Sand": (214, 190, 150),
    "Olive": (112, 120, 60),
    "Navy": (32, 52, 96),
    "Rust": (176, 82, 40),
    "Sage": (150, 170, 140),
    "Charcoal": (70, 72, 76),
    "Cream": (240, 232, 210),
    "Teal": (30, 128, 128),
    "Plum": (110, 50, 90),
}
PALETTE = [*COLOURS.values(), (220, 60, 60), (240, 170, 40), (70, 140, 210), (250, 250, 250)]
DRAWN = "flint_drawn"  # Image.info key: what a scene shows


def _gradient(size: tuple[int, int], top: Colour, bottom: Colour) -> Image.Image:
    height = size[1]
    steps = [y / max(1, height - 1) for y in range(height)]
    column = bytes(int(a + (b - a) * t) for t in steps for a, b in zip(top, bottom, strict=True))
    return Image.frombytes("RGB", (1, height), column).resize(size, Image.Resampling.NEAREST)


def _shade(colour: Colour, factor: float) -> Colour:
    return tuple(max(0, min(255, int(c * factor))) for c in colour)  # type: ignore[return-value]


def _shadow(image: Image.Image, box: tuple[float, float, float, float], blur: float) -> None:
    """A soft contact shadow: an ellipse blurred in its own small layer."""
    pad = int(blur * 3) + 1
    left, top = int(box[0]) - pad, int(box[1]) - pad
    size = (int(box[2] - box[0]) + 2 * pad, int(box[3] - box[1]) + 2 * pad)
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).ellipse((pad, pad, size[0] - pad, size[1] - pad), fill=110)
    image.paste(
        (0, 0, 0), (left, top, left + size[0], top + size[1]), mask.filter(ImageFilter.GaussianBlur(blur))
    )


def _trapezoid(
    draw: ImageDraw.ImageDraw, cx: float, top: tuple[float, float], bottom: tuple[float, float], fill: Colour
) -> None:
    """A shape centred on cx: `top` and `bottom` are (y, half width)."""
    (y0, w0), (y1, w1) = top, bottom
    draw.polygon([(cx - w0, y0), (cx + w0, y0), (cx + w1, y1), (cx - w1, y1)], fill=fill)


# ---- objects: each draws at (cx, base_y) with a scale s (pixels) and returns its centre ----


def _backpack(draw: ImageDraw.ImageDraw, cx: float, base: float, s: float, colour: Colour) -> Anchor:
    draw.rounded_rectangle((cx - s * 0.5, base - s * 1.3, cx + s * 0.5, base), radius=s * 0.25, fill=colour)
    draw.rounded_rectangle(
        (cx - s * 0.35, base - s * 0.6, cx + s * 0.35, base - s * 0.1),
        radius=s * 0.12,
        fill=_shade(colour, 0.75),
    )
    draw.arc(
        (cx - s * 0.3, base - s * 1.55, cx + s * 0.3, base - s * 1.05),
        180,
        360,
        fill=_shade(colour, 0.6),
        width=int(s * 0.08),
    )
    return cx, base - s * 0.65


def _tent(draw: ImageDraw.ImageDraw, cx: float, base: float, s: float, colour: Colour) -> Anchor:
    draw.polygon([(cx - s * 1.2, base), (cx, base - s * 1.1), (cx + s * 1.2, base)], fill=colour)
    draw.polygon(
        [(cx - s * 0.3, base), (cx, base - s * 0.75), (cx + s * 0.3, base)], fill=_shade(colour, 0.45)
    )
    return cx, base - s * 0.45


def _boots(draw: ImageDraw.ImageDraw, cx: float, base: float, s: float, colour: Colour) -> Anchor:
    for dx in (-s * 0.35, s * 0.35):
        draw.rounded_rectangle(
            (cx + dx - s * 0.2, base - s * 0.7, cx + dx + s * 0.15, base), radius=s * 0.08, fill=colour
        )
        draw.rounded_rectangle(
            (cx + dx - s * 0.2, base - s * 0.25, cx + dx + s * 0.4, base), radius=s * 0.1, fill=colour
        )
        draw.rectangle((cx + dx - s * 0.22, base - s * 0.06, cx + dx + s * 0.42, base), fill=(30, 30, 30))
    return cx, base - s * 0.3


def _mug(draw: ImageDraw.ImageDraw, cx: float, base: float, s: float, colour: Colour) -> Anchor:
    draw.arc(
        (cx + s * 0.2, base - s * 0.75, cx + s * 0.65, base - s * 0.25),
        270,
        90,
        fill=colour,
        width=int(s * 0.1),
    )
    draw.rounded_rectangle((cx - s * 0.4, base - s * 0.9, cx + s * 0.4, base), radius=s * 0.1, fill=colour)
    draw.ellipse((cx - s * 0.4, base - s * 0.97, cx + s * 0.4, base - s * 0.83), fill=(90, 55, 30))
    return cx, base - s * 0.45


def _kettle(draw: ImageDraw.ImageDraw, cx: float, base: float, s: float, colour: Colour) -> Anchor:
    draw.line((cx + s * 0.4, base - s * 0.4, cx + s * 1.0, base - s * 1.0), fill=colour, width=int(s * 0.12))
    draw.ellipse((cx - s * 0.6, base - s * 1.0, cx + s * 0.6, base), fill=colour)
    draw.arc(
        (cx - s * 0.4, base - s * 1.4, cx + s * 0.4, base - s * 0.7),
        180,
        360,
        fill=(40, 40, 40),
        width=int(s * 0.1),
    )
    draw.ellipse((cx - s * 0.3, base - s * 0.8, cx - s * 0.05, base - s * 0.55), fill=_shade(colour, 1.35))
    return cx, base - s * 0.5


def _pot(draw: ImageDraw.ImageDraw, cx: float, base: float, s: float, colour: Colour) -> Anchor:
    draw.rounded_rectangle((cx - s * 0.8, base - s * 0.8, cx + s * 0.8, base), radius=s * 0.15, fill=colour)
    draw.rectangle((cx - s * 1.0, base - s * 0.7, cx + s * 1.0, base - s * 0.6), fill=_shade(colour, 0.7))
    draw.ellipse((cx - s * 0.85, base - s * 0.95, cx + s * 0.85, base - s * 0.7), fill=_shade(colour, 1.2))
    return cx, base - s * 0.4


def _plant(draw: ImageDraw.ImageDraw, cx: float, base: float, s: float, colour: Colour) -> Anchor:
    _trapezoid(draw, cx, (base - s * 0.7, s * 0.4), (base, s * 0.3), colour)
    for angle, length in ((-0.9, 1.2), (-0.4, 1.5), (0.1, 1.6), (0.6, 1.3), (1.0, 1.0)):
        tip = (cx + angle * s * 0.8, base - s * 0.7 - length * s)
        draw.ellipse(
            (tip[0] - s * 0.22, tip[1] - s * 0.1, tip[0] + s * 0.22, tip[1] + s * 0.6), fill=(60, 140, 70)
        )
        draw.line(
            (cx, base - s * 0.7, tip[0], tip[1] + s * 0.3), fill=(50, 110, 60), width=max(2, int(s * 0.05))
        )
    return cx, base - s * 0.35


def _lamp(draw: ImageDraw.ImageDraw, cx: float, base: float, s: float, colour: Colour) -> Anchor:
    draw.rectangle((cx - s * 0.04, base - s * 2.0, cx + s * 0.04, base), fill=(60, 60, 60))
    draw.ellipse((cx - s * 0.35, base - s * 0.1, cx + s * 0.35, base + s * 0.05), fill=(60, 60, 60))
    _trapezoid(draw, cx, (base - s * 2.4, s * 0.3), (base - s * 1.9, s * 0.55), colour)
    return cx, base - s * 2.15


def _books(draw: ImageDraw.ImageDraw, cx: float, base: float, s: float, colour: Colour) -> Anchor:
    x = cx - s * 0.7
    rng = random.Random(int(cx * 7 + base))
    for _ in range(6):
        width = s * rng.uniform(0.15, 0.28)
        height = s * rng.uniform(0.8, 1.2)
        draw.rectangle((x, base - height, x + width, base), fill=rng.choice(PALETTE))
        x += width + 2
    return cx, base - s * 0.5


def _monitor(draw: ImageDraw.ImageDraw, cx: float, base: float, s: float, colour: Colour) -> Anchor:
    draw.rectangle((cx - s * 0.08, base - s * 0.5, cx + s * 0.08, base), fill=(50, 50, 55))
    draw.rectangle((cx - s * 0.4, base - s * 0.06, cx + s * 0.4, base), fill=(50, 50, 55))
    draw.rounded_rectangle(
        (cx - s * 1.2, base - s * 1.4, cx + s * 1.2, base - s * 0.45), radius=s * 0.05, fill=(25, 25, 30)
    )
    screen = (cx - s * 1.12, base - s * 1.32, cx + s * 1.12, base - s * 0.53)
    draw.rectangle(screen, fill=_shade(colour, 1.4))
    draw.rectangle((screen[0], screen[1], screen[2], screen[1] + s * 0.15), fill=_shade(colour, 0.8))
    return cx, base - s * 0.9


def _keyboard(draw: ImageDraw.ImageDraw, cx: float, base: float, s: float, colour: Colour) -> Anchor:
    draw.rounded_rectangle((cx - s * 0.9, base - s * 0.3, cx + s * 0.9, base), radius=s * 0.05, fill=colour)
    for row in range(3):
        for col in range(12):
            x = cx - s * 0.85 + col * s * 0.142
            y = base - s * 0.27 + row * s * 0.085
            draw.rectangle((x, y, x + s * 0.11, y + s * 0.06), fill=_shade(colour, 1.5))
    return cx, base - s * 0.15


def _headphones(draw: ImageDraw.ImageDraw, cx: float, base: float, s: float, colour: Colour) -> Anchor:
    draw.arc(
        (cx - s * 0.6, base - s * 1.3, cx + s * 0.6, base - s * 0.1),
        180,
        360,
        fill=colour,
        width=int(s * 0.12),
    )
    for dx in (-s * 0.6, s * 0.6):
        draw.rounded_rectangle(
            (cx + dx - s * 0.2, base - s * 0.75, cx + dx + s * 0.2, base - s * 0.15),
            radius=s * 0.15,
            fill=_shade(colour, 0.8),
        )
    return cx, base - s * 0.5


def _camera(draw: ImageDraw.ImageDraw, cx: float, base: float, s: float, colour: Colour) -> Anchor:
    draw.rounded_rectangle(
        (cx - s * 0.8, base - s * 1.0, cx + s * 0.8, base), radius=s * 0.12, fill=(35, 35, 38)
    )
    draw.rectangle((cx - s * 0.3, base - s * 1.2, cx + s * 0.2, base - s * 0.95), fill=(35, 35, 38))
    draw.ellipse((cx - s * 0.45, base - s * 0.85, cx + s * 0.45, base - s * 0.05), fill=_shade(colour, 0.6))
    draw.ellipse((cx - s * 0.28, base - s * 0.68, cx + s * 0.28, base - s * 0.22), fill=(20, 30, 50))
    return cx, base - s * 0.45


def _bottle(draw: ImageDraw.ImageDraw, cx: float, base: float, s: float, colour: Colour) -> Anchor:
    draw.rounded_rectangle((cx - s * 0.3, base - s * 1.2, cx + s * 0.3, base), radius=s * 0.1, fill=colour)
    draw.rectangle((cx - s * 0.12, base - s * 1.45, cx + s * 0.12, base - s * 1.2), fill=(230, 230, 230))
    draw.rectangle((cx - s * 0.22, base - s * 0.8, cx + s * 0.22, base - s * 0.4), fill=(250, 248, 240))
    return cx, base - s * 0.6


def _jar(draw: ImageDraw.ImageDraw, cx: float, base: float, s: float, colour: Colour) -> Anchor:
    draw.rounded_rectangle((cx - s * 0.45, base - s * 0.6, cx + s * 0.45, base), radius=s * 0.12, fill=colour)
    draw.rounded_rectangle(
        (cx - s * 0.47, base - s * 0.8, cx + s * 0.47, base - s * 0.58), radius=s * 0.05, fill=(235, 225, 205)
    )
    return cx, base - s * 0.35


def _mat(draw: ImageDraw.ImageDraw, cx: float, base: float, s: float, colour: Colour) -> Anchor:
    _trapezoid(draw, cx, (base - s * 0.5, s * 1.0), (base, s * 1.6), colour)
    draw.ellipse((cx + s * 1.1, base - s * 0.55, cx + s * 1.6, base - s * 0.05), fill=_shade(colour, 0.8))
    return cx, base - s * 0.25


def _dumbbell(draw: ImageDraw.ImageDraw, cx: float, base: float, s: float, colour: Colour) -> Anchor:
    draw.rectangle((cx - s * 0.5, base - s * 0.25, cx + s * 0.5, base - s * 0.15), fill=(120, 120, 120))
    for dx in (-s * 0.55, s * 0.55):
        draw.rounded_rectangle(
            (cx + dx - s * 0.15, base - s * 0.45, cx + dx + s * 0.15, base), radius=s * 0.05, fill=colour
        )
    return cx, base - s * 0.2


def _shoe(draw: ImageDraw.ImageDraw, cx: float, base: float, s: float, colour: Colour) -> Anchor:
    draw.chord((cx - s * 0.8, base - s * 0.9, cx + s * 0.4, base + s * 0.2), 180, 360, fill=colour)
    draw.rounded_rectangle((cx - s * 0.8, base - s * 0.35, cx + s * 0.8, base), radius=s * 0.15, fill=colour)
    draw.rectangle((cx - s * 0.82, base - s * 0.1, cx + s * 0.82, base), fill=(245, 245, 245))
    return cx, base - s * 0.3


def _pet_bed(draw: ImageDraw.ImageDraw, cx: float, base: float, s: float, colour: Colour) -> Anchor:
    draw.ellipse((cx - s * 1.2, base - s * 0.7, cx + s * 1.2, base), fill=colour)
    draw.ellipse((cx - s * 0.9, base - s * 0.6, cx + s * 0.9, base - s * 0.15), fill=_shade(colour, 1.3))
    draw.ellipse((cx - s * 0.4, base - s * 0.75, cx + s * 0.3, base - s * 0.25), fill=(170, 120, 70))
    draw.ellipse((cx + s * 0.15, base - s * 0.9, cx + s * 0.55, base - s * 0.5), fill=(170, 120, 70))
    return cx, base - s * 0.45


def _tote(draw: ImageDraw.ImageDraw, cx: float, base: float, s: float, colour: Colour) -> Anchor:
    draw.arc(
        (cx - s * 0.35, base - s * 1.5, cx + s * 0.35, base - s * 0.8),
        180,
        360,
        fill=_shade(colour, 0.6),
        width=int(s * 0.07),
    )
    _trapezoid(draw, cx, (base - s * 1.1, s * 0.6), (base, s * 0.7), colour)
    return cx, base - s * 0.55


def _board(draw: ImageDraw.ImageDraw, cx: float, base: float, s: float, colour: Colour) -> Anchor:
    draw.rounded_rectangle((cx - s * 1.1, base - s * 0.5, cx + s * 0.9, base), radius=s * 0.1, fill=colour)
    draw.rounded_rectangle(
        (cx + s * 0.9, base - s * 0.32, cx + s * 1.4, base - s * 0.18),
        radius=s * 0.07,
        fill=_shade(colour, 0.7),
    )
    draw.line(
        (cx - s * 0.9, base - s * 0.42, cx + s * 0.7, base - s * 0.42), fill=_shade(colour, 1.25), width=3
    )
    return cx, base - s * 0.25


Drawer = Callable[[ImageDraw.ImageDraw, float, float, float, Colour], Anchor]

# Scene families: background (top, bottom), floor colour, and the objects that appear.
FAMILIES: dict[str, tuple[Colour, Colour, Colour, list[Drawer]]] = {
    "outdoors": ((120, 180, 235), (230, 240, 250), (110, 150, 80), [_tent, _backpack, _boots]),
    "kitchen": ((236, 228, 214), (250, 246, 238), (160, 110, 70), [_kettle, _mug, _pot, _plant]),
    "home": ((222, 214, 200), (244, 238, 228), (175, 140, 105), [_lamp, _plant, _books, _jar]),
    "desk": ((60, 64, 80), (110, 116, 140), (120, 90, 70), [_monitor, _keyboard, _headphones, _camera]),
    "beauty": ((250, 225, 225), (255, 245, 240), (235, 210, 200), [_bottle, _jar, _bottle, _plant]),
    "active": ((200, 225, 235), (240, 248, 250), (190, 175, 150), [_mat, _dumbbell, _shoe, _bottle]),
    "pets": ((230, 220, 200), (248, 244, 236), (170, 135, 100), [_pet_bed, _plant, _books]),
    "style": ((215, 205, 195), (240, 236, 230), (150, 130, 115), [_tote, _shoe, _plant]),
}
INTEREST_FAMILY = {
    "hiking": "outdoors", "camping": "outdoors", "outdoors": "outdoors", "travel": "outdoors",
    "cycling": "active", "running": "active", "fitness": "active", "yoga": "active",
    "cooking": "kitchen", "baking": "kitchen", "coffee": "kitchen",
    "home-decor": "home", "diy": "home", "books": "home", "gardening": "home", "parenting": "home",
    "gaming": "desk", "tech": "desk", "music": "desk", "photography": "desk",
    "beauty": "beauty", "skincare": "beauty",
    "fashion": "style", "pets": "pets",
}  # fmt: skip


def _mountains(image: Image.Image, rng: random.Random, horizon: float) -> None:
    draw = ImageDraw.Draw(image)
    width, _ = image.size
    for layer, colour in enumerate([(150, 170, 200), (100, 130, 150)]):
        points = [(0, horizon)]
        x = 0.0
        while x < width:
            x += rng.uniform(width * 0.08, width * 0.2)
            points.append((x, horizon - rng.uniform(0.15, 0.45) * horizon * (1 - layer * 0.3)))
        points += [(width, horizon)]
        draw.polygon(points, fill=colour)
    draw.ellipse(
        (width * 0.75, horizon * 0.15, width * 0.85, horizon * 0.15 + width * 0.1), fill=(255, 236, 160)
    )


def scene(interest: str, size: tuple[int, int], seed: int) -> tuple[Image.Image, list[Anchor]]:
    """A picture for `interest` and the centres of its objects (fractions of width, height)."""
    rng = random.Random(seed)
    family = INTEREST_FAMILY.get(interest, "home")
    top, bottom, floor, drawers = FAMILIES[family]
    width, height = size
    horizon = height * rng.uniform(0.55, 0.68)
    image = _gradient(size, top, bottom)
    if family == "outdoors":
        _mountains(image, rng, horizon)
    floor_image = _gradient((width, height - int(horizon)), _shade(floor, 1.1), _shade(floor, 0.8))
    image.paste(floor_image, (0, int(horizon)))
    if family in ("kitchen", "home", "desk", "beauty"):  # a wall detail: window or shelf light
        ImageDraw.Draw(image).rectangle(
            (width * 0.08, height * 0.1, width * 0.3, horizon * 0.7),
            fill=_shade(top, 1.08),
            outline=_shade(top, 0.85),
            width=6,
        )
    chosen = rng.sample(drawers, k=min(len(drawers), 3))
    scale = min(width, height) * 0.2
    slots = sorted(rng.sample([0.2, 0.4, 0.6, 0.8], k=len(chosen)))
    anchors: list[Anchor] = []
    # What was drawn, kept with the picture: jpeg() writes it in the file (local/demo_labels.py).
    image.info[DRAWN] = demo_labels.record(family, [d.__name__.strip("_") for d in chosen])
    for drawer, slot in zip(chosen, slots, strict=True):
        cx = width * (slot + rng.uniform(-0.05, 0.05))
        base = horizon + (height - horizon) * rng.uniform(0.3, 0.7)
        s = scale * rng.uniform(0.8, 1.15)
        _shadow(image, (cx - s * 1.1, base - s * 0.12, cx + s * 1.2, base + s * 0.14), s * 0.08)
        x, y = drawer(ImageDraw.Draw(image), cx, base, s, rng.choice(list(COLOURS.values())))
        anchors.append(
            (round(min(0.95, max(0.05, x / width)), 3), round(min(0.95, max(0.05, y / height)), 3))
        )
    return image, anchors


# Product kinds (words of a demo product title) -> the object drawn in its packshot.
KIND_DRAWERS: list[tuple[tuple[str, ...], Drawer]] = [
    (("tent",), _tent),
    (("backpack", "bag", "tote", "carrier"), _backpack),
    (("boots",), _boots),
    (("shoes", "sneakers", "socks"), _shoe),
    (("kettle", "press"), _kettle),
    (("mug", "grinder", "scale", "tamper"), _mug),
    (("oven", "skillet", "bowl"), _pot),
    (("lamp", "light", "headlamp"), _lamp),
    (("board", "knife", "apron", "shelf", "rug", "throw", "stand", "mat"), _board),
    (("planter", "seed", "vase", "plant"), _plant),
    (("book", "journal", "bookends", "bookmark"), _books),
    (("monitor", "reader"), _monitor),
    (("keyboard", "mouse"), _keyboard),
    (("headphones", "headset", "speaker"), _headphones),
    (("camera", "lens", "tripod", "filter", "card"), _camera),
    (("serum", "lotion", "spray", "bottle", "filter"), _bottle),
    (("cream", "balm", "masks"), _jar),
    (("yoga", "towel", "strap", "cushion"), _mat),
    (("roller", "blocks"), _dumbbell),
    (("dog", "cat", "chew", "leash", "grooming"), _pet_bed),
]


def product_image(title: str, seed: int, size: int = 480) -> bytes:
    """A square packshot: the product's kind, in the colour its title names, on a soft backdrop."""
    rng = random.Random(seed)
    name, _, colour_name = title.partition(" - ")  # demo titles: "Classic Tent - Olive"
    words = set(re.findall(r"[a-z]+", name.lower()))
    drawer = next((d for keys, d in KIND_DRAWERS if words & set(keys)), _tote)
    colour = COLOURS.get(colour_name.strip(), rng.choice(PALETTE))
    image = _gradient((size, size), (248, 246, 242), (226, 222, 216))
    s = size * 0.3
    base = size * 0.8
    _shadow(image, (size * 0.2, base - s * 0.1, size * 0.8, base + s * 0.12), s * 0.1)
    drawer(ImageDraw.Draw(image), size * 0.5, base, s, colour)
    return jpeg(image, quality=85)


def jpeg(image: Image.Image, quality: int = 82, exif: bytes | None = None) -> bytes:
    if DRAWN in image.info:  # a scene: its record of what it shows goes in the file's EXIF
        tags = Image.Exif()
        if exif:
            tags.load(exif)
        tags[demo_labels.IMAGE_DESCRIPTION] = image.info[DRAWN]
        exif = tags.tobytes()
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality, **({"exif": exif} if exif else {}))
    return buffer.getvalue()


def put_product_images(
    s3: Any, bucket: str, products: Iterable[Any], prefix: str = "demo/products/", workers: int = 4
) -> dict[str, str]:
    """Upload a packshot per product to the media bucket, a few at once; returns product id -> key."""

    def put(numbered: tuple[int, Any]) -> tuple[str, str]:
        index, product = numbered
        key = f"{prefix}{product.product_id}.jpg"
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=product_image(product.title, index),
            ContentType="image/jpeg",
            CacheControl="public, max-age=86400",
        )
        return product.product_id, key

    return dict(parallel_map(put, enumerate(products), workers))
