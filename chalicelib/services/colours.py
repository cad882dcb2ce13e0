"""Colour labels: each palette colour named after the nearest entry of a fixed table, in CIELAB.

Distances in CIELAB (CIE76 delta E) follow what people see far better than RGB distances, so a
dark navy is "navy", not "black". The table is small and fixed on purpose: labels are counted
per post in brand insights, so they must be few, stable words.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

COLOUR_NAMES: dict[str, tuple[int, int, int]] = {
    "black": (0, 0, 0),
    "charcoal": (54, 69, 79),
    "grey": (128, 128, 128),
    "silver": (192, 192, 192),
    "white": (255, 255, 255),
    "red": (200, 30, 30),
    "maroon": (128, 0, 0),
    "pink": (255, 160, 190),
    "orange": (245, 130, 30),
    "brown": (120, 75, 40),
    "beige": (220, 200, 160),
    "yellow": (250, 220, 40),
    "olive": (128, 128, 0),
    "green": (40, 160, 60),
    "dark green": (0, 80, 40),
    "teal": (0, 128, 128),
    "sky blue": (135, 200, 235),
    "blue": (30, 80, 220),
    "navy": (20, 30, 90),
    "purple": (120, 50, 160),
}


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def lab(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    """sRGB (D65) -> CIELAB."""
    r, g, b = (_linear(c) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


_TABLE = {name: lab(rgb) for name, rgb in COLOUR_NAMES.items()}


def parse_hex(value: str) -> tuple[int, int, int] | None:
    text = value.strip().lstrip("#")
    if len(text) != 6:
        return None
    try:
        return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
    except ValueError:
        return None


def colour_name(rgb: tuple[int, int, int]) -> str:
    point = lab(rgb)
    return min(_TABLE, key=lambda name: math.dist(point, _TABLE[name]))


def colour_labels(palette: Iterable[str]) -> list[str]:
    """Distinct colour names of a palette (`#rrggbb`, most common first), in palette order."""
    names = (colour_name(rgb) for rgb in (parse_hex(c) for c in palette) if rgb is not None)
    return list(dict.fromkeys(names))
