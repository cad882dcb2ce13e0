"""Drawing tools for the demo pictures: supersampled shapes, light, texture and film.

Pillow draws hard, aliased, flat shapes; what makes a generated picture read as a photograph is
mostly what happens around them, so the few tools here do that cheaply (everything is C-level
Pillow work on small images, a few milliseconds a picture):
- `Pen` draws one object at twice its size in its own layer (coordinates are fractions of the
  object's box) and halves it: anti-aliased edges without drawing the whole picture twice.
- `form()` shades a drawn object as a volume lit from one side; `cast_shadow()` lays its own
  silhouette on the surface, away from the light, soft or hard by the light's quality.
- surfaces (wood, marble, linen, plaster, grass, ...) are noise stretched along a grain;
- `develop()` is the camera: white balance for the time of day, light fall-off, vignette,
  and grain.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter, ImageOps

Colour = tuple[int, int, int]
Box = tuple[float, float, float, float]
SUPERSAMPLE = 2


def clamp(value: float, low: float = 0.0, high: float = 255.0) -> float:
    return max(low, min(high, value))


def shade(colour: Colour, factor: float) -> Colour:
    return tuple(int(clamp(c * factor)) for c in colour)  # type: ignore[return-value]


def mix(a: Colour, b: Colour, t: float) -> Colour:
    return tuple(int(clamp(x + (y - x) * t)) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def jitter(colour: Colour, rng: random.Random, amount: int = 12) -> Colour:
    return tuple(int(clamp(c + rng.randint(-amount, amount))) for c in colour)  # type: ignore[return-value]


def blur(image: Image.Image, radius: float) -> Image.Image:
    """A Gaussian blur; a wide one is done on a smaller copy and scaled back (the same look for a
    fraction of the work: a wide blur has no detail left to lose)."""
    if radius < 2.5:
        return image.filter(ImageFilter.GaussianBlur(radius))
    factor = min(6, int(radius / 1.25))
    small = image.resize(
        (max(1, image.width // factor), max(1, image.height // factor)), Image.Resampling.BOX
    )
    return small.filter(ImageFilter.GaussianBlur(radius / factor)).resize(
        image.size, Image.Resampling.BILINEAR
    )


@lru_cache(maxsize=512)
def lut(kind: str, a: float, b: float = 0.0) -> list[int]:
    """Lookup tables for `point()`, built once: "scale" (i * a), "ramp" (a..b over 0..255)."""
    if kind == "scale":
        return [int(clamp(i * a)) for i in range(256)]
    if kind == "ramp":
        return [int(clamp(255 * (a + (b - a) * i / 255))) for i in range(256)]
    raise ValueError(kind)


# ---- gradients and masks (cached unit shapes, resized: resizing is cheap, drawing is not) ----


@lru_cache(maxsize=8)
def _linear() -> Image.Image:
    return Image.linear_gradient("L")  # 256 x 256, black at the top


@lru_cache(maxsize=8)
def _radial() -> Image.Image:
    return Image.radial_gradient("L")  # 256 x 256, black in the centre


def vertical(size: tuple[int, int], top: Colour, bottom: Colour) -> Image.Image:
    """A gradient from `top` to `bottom` (a copy: callers draw on it; packshots share six)."""
    return _vertical(size, top, bottom).copy()


@lru_cache(maxsize=16)
def _vertical(size: tuple[int, int], top: Colour, bottom: Colour) -> Image.Image:
    mask = _linear().resize(size, Image.Resampling.BILINEAR)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


@lru_cache(maxsize=256)
def ramp(size: tuple[int, int], start: float, end: float, horizontal: bool = False) -> Image.Image:
    """An "L" mask going from `start` to `end` (0..1) down the image, or across it (cached: do
    not draw on it)."""
    mask = _linear()
    if horizontal:
        mask = mask.transpose(Image.Transpose.ROTATE_90).transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return mask.point(lut("ramp", start, end)).resize(size, Image.Resampling.BILINEAR)


def glow(size: tuple[int, int], centre: tuple[float, float], radius: float, strength: float) -> Image.Image:
    """An "L" mask bright at `centre` (pixels), fading out over `radius` pixels."""
    spot = _spot(max(2, int(radius * 2)) // 4 * 4 + 4, round(strength, 2))
    side = spot.width
    mask = Image.new("L", size, 0)
    mask.paste(spot, (int(centre[0] - side / 2), int(centre[1] - side / 2)))
    return mask


@lru_cache(maxsize=64)
def _spot(side: int, strength: float) -> Image.Image:
    spot = ImageOps.invert(_radial()).resize((side, side), Image.Resampling.BILINEAR)
    return spot.point([int(255 * strength * (i / 255) ** 1.6) for i in range(256)])


def noise(size: tuple[int, int], sigma: float, seed: int) -> Image.Image:
    """Noise ("L", mean 128, spread about `sigma`). A cached seeded tile is shifted and flipped by
    the seed (Pillow's own noise is not seedable): the same seed, the same texture."""
    tile = _noise_tile(int(sigma))
    rng = random.Random(seed)
    shifted = ImageChops.offset(tile, rng.randrange(tile.width), rng.randrange(tile.height))
    if rng.random() < 0.5:
        shifted = shifted.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    if size[0] <= tile.width and size[1] <= tile.height:
        return shifted.crop((0, 0, *size))
    return shifted.resize(size, Image.Resampling.NEAREST)


@lru_cache(maxsize=16)
def _noise_tile(sigma: int) -> Image.Image:
    uniform = Image.frombytes("L", (512, 512), random.Random(512).randbytes(512 * 512))
    spread = sigma / 74  # a uniform byte's standard deviation is about 74
    return uniform.point([int(clamp(128 + (i - 128) * spread)) for i in range(256)])


def tint(mask: Image.Image, dark: Colour, light: Colour) -> Image.Image:
    """An "L" mask as colour from `dark` (0) to `light` (255): ImageOps.colorize's result, with
    its tables built once per pair of colours."""
    return Image.merge("RGB", [mask.point(table) for table in _tint_tables(dark, light)])


@lru_cache(maxsize=512)
def _tint_tables(dark: Colour, light: Colour) -> tuple[list[int], ...]:
    return tuple([int(d + (b - d) * i / 255) for i in range(256)] for d, b in zip(dark, light, strict=True))


# ---- surfaces ----


def streaks(size: tuple[int, int], seed: int, along: int = 12, sigma: float = 40) -> Image.Image:
    """Noise stretched along x: the grain of wood, brushed metal, fabric."""
    small = noise((max(2, size[0] // along), size[1]), sigma, seed)
    return small.resize(size, Image.Resampling.BICUBIC)


def wood(size: tuple[int, int], colour: Colour, seed: int, plank: float = 0.0) -> Image.Image:
    """Wood: grain along x; with `plank` (pixels), boards of that height, each a shade apart."""
    rng = random.Random(seed)
    image = tint(streaks(size, seed, along=18, sigma=34), shade(colour, 0.72), shade(colour, 1.18))
    if not plank:
        return image
    rows = []
    y = 0.0
    offset = rng.uniform(0, plank)
    for row in range(size[1]):
        board = int((row + offset) // plank)
        at_seam = (row + offset) % plank < max(1.0, size[1] / 400)
        rows.append(70 if at_seam else int(200 + 40 * random.Random(seed * 31 + board).random()))
        y += 1
    boards = Image.frombytes("L", (1, size[1]), bytes(rows)).resize(size, Image.Resampling.NEAREST)
    lit = boards.point([min(255, int(i * 255 / 240)) for i in range(256)])
    return ImageChops.multiply(image, Image.merge("RGB", (lit, lit, lit)))


def marble(size: tuple[int, int], colour: Colour, seed: int) -> Image.Image:
    rng = random.Random(seed)
    base = tint(noise(size, 6, seed), shade(colour, 0.93), shade(colour, 1.04))
    veins = Image.new("L", size, 0)
    draw = ImageDraw.Draw(veins)
    for _ in range(5):
        x, y = rng.uniform(0, size[0]), rng.uniform(0, size[1])
        points = [(x, y)]
        for _ in range(8):
            x += rng.uniform(-0.1, 0.25) * size[0]
            y += rng.uniform(-0.08, 0.08) * size[1]
            points.append((x, y))
        draw.line(points, fill=rng.randint(40, 90), width=max(1, size[0] // 400))
    veins = veins.filter(ImageFilter.GaussianBlur(1.2))
    return Image.composite(Image.new("RGB", size, shade(colour, 0.72)), base, veins)


def fabric(size: tuple[int, int], colour: Colour, seed: int) -> Image.Image:
    warp = streaks(size, seed, along=30, sigma=20)
    weft = streaks((size[1], size[0]), seed + 1, along=30, sigma=20).transpose(Image.Transpose.ROTATE_90)
    return tint(ImageChops.add(warp, weft, scale=2.0), shade(colour, 0.85), shade(colour, 1.1))


def speckle(
    size: tuple[int, int], colour: Colour, seed: int, sigma: float = 10, blur: float = 0.8
) -> Image.Image:
    """Plaster, concrete, paper, sand: fine noise around a colour."""
    return tint(
        _soft_noise(size, round(sigma), round(blur, 1), seed), shade(colour, 0.9), shade(colour, 1.07)
    )


def _soft_noise(size: tuple[int, int], sigma: int, blur: float, seed: int) -> Image.Image:
    """`noise()` blurred a little: a window of a tile blurred once (blurring the whole surface
    of every picture was a tenth of its cost)."""
    tile = _soft_tile(sigma, blur)
    rng = random.Random(seed)
    if size[0] > tile.width or size[1] > tile.height:
        return noise(size, sigma, seed).filter(ImageFilter.GaussianBlur(blur))
    x, y = rng.randrange(tile.width - size[0] + 1), rng.randrange(tile.height - size[1] + 1)
    return tile.crop((x, y, x + size[0], y + size[1]))


@lru_cache(maxsize=16)
def _soft_tile(sigma: int, blur: float) -> Image.Image:
    uniform = Image.frombytes("L", (1024, 1024), random.Random(sigma).randbytes(1024 * 1024))
    grey = uniform.point([int(clamp(128 + (i - 128) * sigma / 74)) for i in range(256)])
    return grey.filter(ImageFilter.GaussianBlur(blur))


def grass(size: tuple[int, int], colour: Colour, seed: int) -> Image.Image:
    rough = noise((max(2, size[0] // 3), max(2, size[1] // 2)), 45, seed).resize(
        size, Image.Resampling.BICUBIC
    )
    return tint(rough, shade(colour, 0.6), shade(colour, 1.25))


# ---- one object at a time ----


class Pen:
    """Draws one object in its own RGBA layer, in fractions of the object's box, at twice its
    final size; `layer()` gives the anti-aliased result."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = max(2, width), max(2, height)
        self.image = Image.new("RGBA", (self.width * SUPERSAMPLE, self.height * SUPERSAMPLE), (0, 0, 0, 0))
        self.draw = ImageDraw.Draw(self.image)
        self._w, self._h = self.image.size

    def _xy(self, points: Sequence[float]) -> list[float]:
        return [p * (self._w if i % 2 == 0 else self._h) for i, p in enumerate(points)]

    def _px(self, fraction: float) -> int:
        return max(1, int(fraction * self._w))

    def rect(self, box: Box, fill: Colour | tuple[int, int, int, int], radius: float = 0.0) -> None:
        if radius:
            self.draw.rounded_rectangle(self._xy(box), radius=self._px(radius), fill=fill)
        else:
            self.draw.rectangle(self._xy(box), fill=fill)

    def ellipse(self, box: Box, fill: Colour | tuple[int, int, int, int]) -> None:
        self.draw.ellipse(self._xy(box), fill=fill)

    def poly(self, points: Sequence[tuple[float, float]], fill: Colour | tuple[int, int, int, int]) -> None:
        self.draw.polygon([(x * self._w, y * self._h) for x, y in points], fill=fill)

    def line(
        self, points: Sequence[tuple[float, float]], fill: Colour, width: float, joint: bool = True
    ) -> None:
        self.draw.line(
            [(x * self._w, y * self._h) for x, y in points],
            fill=fill,
            width=self._px(width),
            joint="curve" if joint else None,
        )

    def arc(self, box: Box, start: float, end: float, fill: Colour, width: float) -> None:
        self.draw.arc(self._xy(box), start, end, fill=fill, width=self._px(width))

    def chord(self, box: Box, start: float, end: float, fill: Colour) -> None:
        self.draw.chord(self._xy(box), start, end, fill=fill)

    def pieslice(self, box: Box, start: float, end: float, fill: Colour) -> None:
        self.draw.pieslice(self._xy(box), start, end, fill=fill)

    def layer(self) -> Image.Image:
        return self.image.reduce(SUPERSAMPLE)


@dataclass(frozen=True)
class Light:
    """Where the light comes from and what it is like."""

    side: float  # -1: from the left, 1: from the right
    hardness: float  # 0: overcast/soft, 1: direct sun
    length: float  # shadow length as a share of the object's height (low sun: long)
    warmth: Colour  # white balance multiplier of the whole picture
    level: float  # exposure: 1 daylight, lower at dusk


@lru_cache(maxsize=64)
def _profile(side: float, hardness: float, depth: float) -> tuple[Image.Image, Image.Image]:
    """Across an object, left to right, as if it were round: (brightness, specular highlight),
    each a 256 x 1 "L" row. Lambert shading with the light `side` of front, plus a glint."""
    light_angle = 0.75 * side
    shading, glint = [], []
    for i in range(256):
        normal = (i / 255 - 0.5) * math.pi * 0.92
        facing = max(0.0, math.cos(normal - light_angle))
        shading.append(int(clamp(255 * ((1 - depth) + depth * facing) / 1.0)))
        glint.append(
            int(clamp(255 * (0.12 + 0.5 * hardness) * max(0.0, math.cos(normal - light_angle / 2)) ** 24))
        )
    return Image.frombytes("L", (256, 1), bytes(shading)), Image.frombytes("L", (256, 1), bytes(glint))


def form(layer: Image.Image, light: Light, depth: float = 0.55) -> Image.Image:
    """Shade a flat drawing as a volume: bright facing the light, falling off round its far side,
    a glint on the lit shoulder, a little darker towards its base (light blocked by the surface)."""
    size = layer.size
    shading_row, glint_row = _profile(light.side, round(light.hardness, 2), depth)
    shading = shading_row.resize(size, Image.Resampling.BILINEAR)
    shading = ImageChops.multiply(shading, ramp(size, 1.0, 0.82))
    rgb = ImageChops.multiply(layer.convert("RGB"), Image.merge("RGB", (shading, shading, shading)))
    glint = glint_row.resize(size, Image.Resampling.BILINEAR)
    glint = ImageChops.multiply(glint, ramp(size, 1.0, 0.35))
    rgb = ImageChops.add(rgb, Image.merge("RGB", (glint, glint, glint)))
    out = rgb.convert("RGBA")
    out.putalpha(layer.getchannel("A"))
    return out


blur_ = blur  # for functions with a local named `blur`


def cast_shadow(canvas: Image.Image, layer: Image.Image, at: tuple[int, int], light: Light) -> None:
    """The object's silhouette laid on the surface behind it, away from the light, plus a dark
    contact line at its base."""
    alpha = layer.getchannel("A")
    width, height = layer.size
    flat_h = max(2, int(height * (0.12 + 0.28 * light.length)))
    skew = -light.side * light.length * 1.6  # shadow leans away from the light
    flat = alpha.resize((width, flat_h), Image.Resampling.BILINEAR)
    pad = int(width * (abs(skew) * flat_h / max(1, width) + 0.3)) + 8
    sheared = flat.transform(
        (width + 2 * pad, flat_h),
        Image.Transform.AFFINE,
        (1, skew, -pad - skew * flat_h, 0, 1, 0),
        resample=Image.Resampling.BILINEAR,
    )
    opacity = 0.4 + 0.45 * light.hardness
    blur_radius = max(1.0, width * (0.05 + 0.12 * (1 - light.hardness)))
    shadow = blur_(sheared.point(lut("scale", round(opacity, 2))), blur_radius)
    left, top = at
    dark = Image.new("RGB", shadow.size, (18, 14, 12))
    canvas.paste(dark, (left - pad, top + height - flat_h + int(flat_h * 0.08)), shadow)
    # contact shadow: a thin dark ellipse under the base
    contact = Image.new("L", (width + 16, max(6, height // 10)), 0)
    ImageDraw.Draw(contact).ellipse((8 + width * 0.08, 2, 8 + width * 0.92, contact.height - 2), fill=200)
    contact = blur_(contact, max(1.5, height / 60))
    canvas.paste(
        Image.new("RGB", contact.size, (10, 8, 8)), (left - 8, top + height - contact.height // 2), contact
    )


# ---- the camera ----


@lru_cache(maxsize=64)
def _vignette(size: tuple[int, int], strength: float) -> Image.Image:
    edge = ImageOps.invert(_radial().resize(size, Image.Resampling.BILINEAR))
    shading = edge.point([int(255 * (1 - strength * (1 - (i / 255)) ** 2)) for i in range(256)])
    return Image.merge("RGB", (shading, shading, shading))


@lru_cache(maxsize=64)
def _grade(warmth: Colour, level: float, contrast: float) -> list[int]:
    """Per channel: white balance and exposure, then contrast around the middle grey."""
    table: list[int] = []
    for channel in range(3):
        gain = warmth[channel] / 255 * level
        table += [int(clamp(128 + (i * gain - 128) * contrast)) for i in range(256)]
    return table


def develop(
    image: Image.Image,
    light: Light,
    seed: int,
    source: tuple[float, float] | None = None,
    vignette: float = 0.35,
    grain: float = 7.0,
    saturation: float = 1.12,
) -> Image.Image:
    """White balance, exposure and contrast for the light, light pooling near its source, a
    vignette, a little more colour (`saturation`, 1: none), and film grain."""
    size = image.size
    image = image.point(_grade(light.warmth, round(light.level, 2), 1.08))
    if source is not None:  # light pooling near its source (a window, a lamp, the low sun)
        pool = glow(size, (source[0] * size[0], source[1] * size[1]), max(size) * 0.9, 0.22)
        warm = Image.new("RGB", size, mix(light.warmth, (255, 255, 255), 0.4))
        image = Image.composite(ImageChops.screen(image, warm), image, pool)
    if vignette:
        image = ImageChops.multiply(image, _vignette(size, round(vignette, 2)))
    if saturation != 1.0:
        image = ImageEnhance.Color(image).enhance(saturation)
    if grain:
        image = ImageChops.add(image, _film(size, round(grain), seed), scale=1.0, offset=-128)
    return image


def _film(size: tuple[int, int], grain: int, seed: int) -> Image.Image:
    """Grey film grain as RGB: a window of a cached tile, placed by the seed (no per-picture
    merge of three noise channels)."""
    tile = _film_tile(grain)
    if size[0] > tile.width or size[1] > tile.height:
        film = noise(size, grain, seed)
        return Image.merge("RGB", (film, film, film))
    rng = random.Random(seed)
    x, y = rng.randrange(tile.width - size[0] + 1), rng.randrange(tile.height - size[1] + 1)
    return tile.crop((x, y, x + size[0], y + size[1]))


@lru_cache(maxsize=8)
def _film_tile(grain: int) -> Image.Image:
    uniform = Image.frombytes("L", (1024, 1024), random.Random(grain).randbytes(1024 * 1024))
    grey = uniform.point([int(clamp(128 + (i - 128) * grain / 74)) for i in range(256)])
    return Image.merge("RGB", (grey, grey, grey))
