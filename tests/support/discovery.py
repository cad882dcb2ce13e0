"""Synthetic pictures for image discovery tests: a packshot of an object, and photos showing it."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

Colour = tuple[int, int, int]


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _draw_object(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], colour: Colour) -> None:
    """A bottle-like object in `box`: a body and a narrower neck (a shape, not just a block)."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    draw.rectangle((x0, y0 + 0.3 * h, x1, y1), fill=colour)
    draw.rectangle((x0 + 0.35 * w, y0, x1 - 0.35 * w, y0 + 0.3 * h), fill=colour)


def packshot(colour: Colour, size: int = 400) -> bytes:
    """The object on a pale paper sweep, as product pictures are shot."""
    image = Image.new("RGB", (size, size), (246, 244, 240))
    draw = ImageDraw.Draw(image)
    for row in range(size // 2, size):  # the sweep darkens towards the bottom
        shade = 246 - (row - size // 2) // 12
        draw.line((0, row, size, row), fill=(shade, shade - 2, shade - 6))
    _draw_object(draw, (size * 0.35, size * 0.15, size * 0.65, size * 0.85), colour)
    return _jpeg(image)


def photo_showing(
    colour: Colour,
    at: tuple[float, float],
    background: Colour = (120, 90, 60),
    size: tuple[int, int] = (960, 720),
) -> bytes:
    """A photo with the object (0.6 of the frame high) centred at `at` (fractions), on `background`."""
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    width, height = size
    draw.rectangle((0, 0, width, height * 0.4), fill=(200, 210, 225))  # a sky or a wall
    h = height * 0.6
    w = h * 0.43
    cx, cy = at[0] * width, at[1] * height
    _draw_object(draw, (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), colour)
    return _jpeg(image)


def plain_photo(colour: Colour = (120, 90, 60), size: tuple[int, int] = (960, 720)) -> bytes:
    return _jpeg(Image.new("RGB", size, colour))
