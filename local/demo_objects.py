"""The kinds of object the demo draws: every catalog product is one of them, and so is every
object a demo scene shows (local/demo_data.py gives each product its kind).

A kind knows its real size (so a mug beside a kettle is mug-sized), the shape of its box, where
it can stand (a table, a floor, outdoor ground, a wall hook) and where a shopping tag sits on it;
its drawer draws it in a `Pen` (fractions of its box, base at the bottom) in a main colour, the
product's. Props (bread, a bicycle, a cat) are kinds no product has: they make a scene a place.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from local.demo_art import Colour, Pen, mix, shade

Drawer = Callable[[Pen, Colour, random.Random], None]

TABLE, FLOOR, GROUND, WALL = "table", "floor", "ground", "wall"

DARK: Colour = (36, 36, 40)
METAL: Colour = (176, 178, 182)
STEEL: Colour = (120, 124, 130)
WOOD: Colour = (158, 112, 70)
WHITE: Colour = (240, 238, 232)
PAPER: Colour = (246, 242, 232)
RUBBER: Colour = (28, 28, 30)
GLASS = (214, 232, 240, 120)
COFFEE: Colour = (70, 42, 24)
LEAF: Colour = (62, 128, 70)


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # what an image labeller would call it
    height_cm: float
    aspect: float  # box width / height
    draw: Drawer
    places: frozenset[str]
    tag: tuple[float, float] = (0.5, 0.55)  # the tag's point in the box
    product: bool = True  # False: a prop, never sold


KINDS: dict[str, Kind] = {}


def kind(
    name: str,
    height_cm: float,
    aspect: float,
    places: str,
    tag: tuple[float, float] = (0.5, 0.55),
    label: str | None = None,
    product: bool = True,
) -> Callable[[Drawer], Drawer]:
    def register(draw: Drawer) -> Drawer:
        KINDS[name] = Kind(
            name,
            label or name.replace("_", " "),
            height_cm,
            aspect,
            draw,
            frozenset(places.split()),
            tag,
            product,
        )
        return draw

    return register


def _lt(c: Colour, f: float = 1.25) -> Colour:
    return shade(c, f)


def _dk(c: Colour, f: float = 0.7) -> Colour:
    return shade(c, f)


# ---------------------------------------------------------------- outdoors (Northpeak)


@kind("tent", 110, 1.7, "ground", tag=(0.3, 0.6))
def _tent(p: Pen, c: Colour, r: random.Random) -> None:
    p.poly([(0.0, 1.0), (0.42, 0.02), (0.58, 0.0), (1.0, 1.0)], _dk(c, 0.8))
    p.poly([(0.0, 1.0), (0.42, 0.02), (0.55, 1.0)], c)  # front panel
    p.poly([(0.2, 1.0), (0.42, 0.3), (0.5, 1.0)], _dk(c, 0.35))  # open door
    p.poly([(0.42, 0.3), (0.5, 1.0), (0.55, 1.0)], _dk(c, 0.55))
    p.line([(0.42, 0.02), (0.0, 1.0)], _lt(c, 1.3), 0.012)
    p.line([(0.58, 0.0), (1.0, 1.0)], _dk(c, 0.6), 0.01)
    p.line([(0.42, 0.02), (0.58, 0.0)], _lt(c, 1.3), 0.012)
    for x in (0.02, 0.98):
        p.line([(x, 0.985), (x + (0.06 if x < 0.5 else -0.06), 0.94)], METAL, 0.006)


@kind("backpack", 55, 0.68, "ground floor wall", tag=(0.5, 0.55))
def _backpack(p: Pen, c: Colour, r: random.Random) -> None:
    p.rect((0.22, 0.0, 0.78, 0.12), _dk(c, 0.5), radius=0.1)  # top handle
    p.rect((0.06, 0.06, 0.94, 1.0), c, radius=0.28)
    p.rect((0.06, 0.06, 0.94, 0.42), _dk(c, 0.88), radius=0.28)  # lid
    p.line([(0.1, 0.42), (0.9, 0.42)], _dk(c, 0.6), 0.02)
    p.rect((0.2, 0.56, 0.8, 0.92), _dk(c, 0.82), radius=0.14)  # front pocket
    p.line([(0.24, 0.62), (0.76, 0.62)], _dk(c, 0.55), 0.015)
    for x in (0.32, 0.68):
        p.rect((x - 0.03, 0.3, x + 0.03, 0.62), _dk(c, 0.5))  # straps
        p.rect((x - 0.05, 0.55, x + 0.05, 0.6), METAL)


@kind("jacket", 75, 0.85, "wall", tag=(0.5, 0.5))
def _jacket(p: Pen, c: Colour, r: random.Random) -> None:
    p.arc((0.4, 0.0, 0.6, 0.1), 180, 360, METAL, 0.015)  # hanger hook
    p.line([(0.5, 0.05), (0.5, 0.09)], METAL, 0.015)
    p.poly(
        [
            (0.28, 0.1),
            (0.72, 0.1),
            (0.98, 0.2),
            (1.0, 0.9),
            (0.86, 0.92),
            (0.82, 0.4),
            (0.82, 1.0),
            (0.18, 1.0),
            (0.18, 0.4),
            (0.14, 0.92),
            (0.0, 0.9),
            (0.02, 0.2),
        ],
        c,
    )
    p.poly([(0.4, 0.1), (0.5, 0.3), (0.6, 0.1)], _dk(c, 0.45))  # collar opening
    p.poly([(0.36, 0.1), (0.5, 0.32), (0.42, 0.34), (0.3, 0.14)], _dk(c, 0.85))
    p.poly([(0.64, 0.1), (0.5, 0.32), (0.58, 0.34), (0.7, 0.14)], _dk(c, 0.85))
    p.line([(0.5, 0.32), (0.5, 1.0)], _dk(c, 0.55), 0.012)  # zip
    for y in (0.55, 0.8):
        p.line([(0.24, y), (0.4, y - 0.04)], _dk(c, 0.6), 0.01)
        p.line([(0.6, y - 0.04), (0.76, y)], _dk(c, 0.6), 0.01)
    p.rect((0.18, 0.95, 0.82, 1.0), _dk(c, 0.75))
    p.rect((0.0, 0.86, 0.14, 0.92), _dk(c, 0.7))
    p.rect((0.86, 0.86, 1.0, 0.92), _dk(c, 0.7))


@kind("headlamp", 7, 1.6, "table ground", tag=(0.5, 0.55))
def _headlamp(p: Pen, c: Colour, r: random.Random) -> None:
    p.ellipse((0.0, 0.05, 1.0, 0.95), _dk(c, 0.55))
    p.ellipse((0.08, 0.18, 0.92, 0.82), (0, 0, 0, 0))
    p.draw.ellipse(p._xy((0.1, 0.2, 0.9, 0.8)), fill=(0, 0, 0, 0))
    p.rect((0.28, 0.2, 0.72, 0.95), c, radius=0.12)
    p.ellipse((0.38, 0.36, 0.62, 0.8), (230, 236, 240))
    p.ellipse((0.43, 0.44, 0.57, 0.72), (255, 250, 220))


@kind("hiking_boots", 24, 1.3, "ground floor", tag=(0.4, 0.55), label="hiking boots")
def _hiking_boots(p: Pen, c: Colour, r: random.Random) -> None:
    for dx, f in ((0.34, 0.8), (0.0, 1.0)):
        p.poly(
            [
                (dx + 0.08, 0.0),
                (dx + 0.36, 0.0),
                (dx + 0.4, 0.5),
                (dx + 0.66, 0.64),
                (dx + 0.66, 0.94),
                (dx + 0.02, 0.94),
                (dx + 0.04, 0.45),
            ],
            shade(c, f),
        )
        p.rect((dx + 0.0, 0.88, dx + 0.68, 1.0), RUBBER, radius=0.03)
        p.rect((dx + 0.06, 0.0, dx + 0.38, 0.06), _dk(c, 0.6 * f))
        for y in (0.14, 0.25, 0.36):
            p.line([(dx + 0.12, y), (dx + 0.34, y + 0.03)], (200, 60, 40), 0.018)
        p.rect((dx + 0.3, 0.62, dx + 0.64, 0.72), _dk(c, 0.7 * f), radius=0.03)


@kind("lantern", 26, 0.6, "table ground", tag=(0.5, 0.55))
def _lantern(p: Pen, c: Colour, r: random.Random) -> None:
    p.arc((0.25, 0.0, 0.75, 0.22), 180, 360, DARK, 0.03)
    p.rect((0.18, 0.1, 0.82, 0.22), c, radius=0.05)
    p.rect((0.22, 0.22, 0.78, 0.84), (255, 214, 130))
    p.ellipse((0.34, 0.36, 0.66, 0.72), (255, 244, 200))
    for x in (0.22, 0.5, 0.78):
        p.line([(x, 0.22), (x, 0.84)], _dk(c, 0.7), 0.03)
    p.rect((0.12, 0.84, 0.88, 1.0), c, radius=0.05)


# ---------------------------------------------------------------- kitchen (Hearthware, Brewlab)


@kind("dutch_oven", 18, 1.6, "table ground", tag=(0.5, 0.6), label="dutch oven")
def _dutch_oven(p: Pen, c: Colour, r: random.Random) -> None:
    p.rect((0.02, 0.36, 0.16, 0.46), _dk(c, 0.6), radius=0.03)
    p.rect((0.84, 0.36, 0.98, 0.46), _dk(c, 0.6), radius=0.03)
    p.rect((0.1, 0.3, 0.9, 1.0), c, radius=0.12)
    p.ellipse((0.06, 0.16, 0.94, 0.38), _lt(c, 1.15))
    p.ellipse((0.1, 0.2, 0.9, 0.34), c)
    p.rect((0.42, 0.06, 0.58, 0.2), METAL, radius=0.05)
    p.line([(0.12, 0.42), (0.88, 0.42)], _dk(c, 0.75), 0.01)


@kind("chef_knife", 4, 7.0, "table", tag=(0.35, 0.5), label="chef knife")
def _chef_knife(p: Pen, c: Colour, r: random.Random) -> None:
    p.poly([(0.0, 0.75), (0.05, 0.2), (0.62, 0.2), (0.62, 1.0), (0.3, 0.95)], (205, 208, 212))
    p.line([(0.05, 0.28), (0.6, 0.28)], (240, 242, 245), 0.008)
    p.rect((0.6, 0.15, 0.64, 1.0), METAL)
    p.rect((0.64, 0.25, 1.0, 0.9), c, radius=0.02)
    for x in (0.72, 0.82, 0.92):
        p.ellipse((x - 0.01, 0.5, x + 0.01, 0.64), METAL)


@kind("cutting_board", 30, 1.15, "table wall", tag=(0.45, 0.55), label="cutting board")
def _cutting_board(p: Pen, c: Colour, r: random.Random) -> None:
    wood = mix(WOOD, c, 0.25)
    p.rect((0.38, 0.0, 0.62, 0.2), wood, radius=0.08)
    p.ellipse((0.45, 0.05, 0.55, 0.13), (0, 0, 0, 0))
    p.rect((0.0, 0.12, 1.0, 1.0), wood, radius=0.08)
    for i in range(6):
        y = 0.2 + i * 0.14 + r.uniform(-0.03, 0.03)
        p.line([(0.04, y), (0.96, y + r.uniform(-0.03, 0.03))], _dk(wood, 0.85), 0.006)
    p.rect((0.0, 0.94, 1.0, 1.0), _dk(wood, 0.7), radius=0.02)


@kind("mixing_bowl", 14, 2.0, "table", tag=(0.5, 0.6), label="mixing bowl")
def _mixing_bowl(p: Pen, c: Colour, r: random.Random) -> None:
    p.chord((0.0, -0.8, 1.0, 1.0), 0, 180, c)
    p.ellipse((0.0, 0.0, 1.0, 0.22), _lt(c, 1.2))
    p.ellipse((0.04, 0.03, 0.96, 0.2), _dk(c, 0.75))
    p.rect((0.3, 0.92, 0.7, 1.0), _dk(c, 0.8), radius=0.02)


@kind("skillet", 6, 5.0, "table wall ground", tag=(0.3, 0.5))
def _skillet(p: Pen, c: Colour, r: random.Random) -> None:
    iron = mix(DARK, c, 0.2)
    p.rect((0.55, 0.3, 1.0, 0.6), iron, radius=0.1)
    p.ellipse((0.94, 0.35, 0.98, 0.55), (0, 0, 0, 0))
    p.rect((0.0, 0.0, 0.6, 1.0), iron, radius=0.25)
    p.ellipse((0.02, 0.0, 0.58, 0.45), shade(iron, 1.5))
    p.ellipse((0.04, 0.06, 0.56, 0.42), shade(iron, 0.8))


@kind("apron", 80, 0.72, "wall", tag=(0.5, 0.6))
def _apron(p: Pen, c: Colour, r: random.Random) -> None:
    p.arc((0.3, -0.1, 0.7, 0.3), 200, 340, _dk(c, 0.7), 0.02)
    p.line([(0.5, 0.0), (0.5, 0.04)], METAL, 0.03)
    p.poly(
        [
            (0.3, 0.08),
            (0.7, 0.08),
            (0.72, 0.34),
            (0.95, 0.46),
            (1.0, 1.0),
            (0.0, 1.0),
            (0.05, 0.46),
            (0.28, 0.34),
        ],
        c,
    )
    p.rect((0.25, 0.58, 0.75, 0.8), _dk(c, 0.88), radius=0.02)
    p.line([(0.5, 0.58), (0.5, 0.8)], _dk(c, 0.7), 0.01)
    p.line([(0.0, 0.44), (0.1, 0.48), (0.0, 0.62)], _dk(c, 0.8), 0.02)


@kind("gooseneck_kettle", 22, 1.4, "table ground", tag=(0.38, 0.62), label="kettle")
def _gooseneck_kettle(p: Pen, c: Colour, r: random.Random) -> None:
    p.line([(0.2, 0.62), (0.06, 0.5), (0.0, 0.22), (0.04, 0.1)], c, 0.045)  # spout
    p.poly([(0.2, 0.3), (0.58, 0.3), (0.64, 1.0), (0.14, 1.0)], c)
    p.ellipse((0.2, 0.24, 0.58, 0.36), _lt(c, 1.2))
    p.rect((0.35, 0.16, 0.43, 0.26), DARK, radius=0.03)
    p.line([(0.6, 0.4), (0.9, 0.38), (0.9, 0.82), (0.63, 0.84)], DARK, 0.06)
    p.rect((0.12, 0.96, 0.66, 1.0), _dk(c, 0.6))


@kind("grinder", 24, 0.62, "table", tag=(0.5, 0.55), label="coffee grinder")
def _grinder(p: Pen, c: Colour, r: random.Random) -> None:
    p.poly([(0.18, 0.0), (0.82, 0.0), (0.7, 0.3), (0.3, 0.3)], (200, 214, 222))
    p.rect((0.3, 0.08, 0.7, 0.28), COFFEE)
    p.rect((0.1, 0.28, 0.9, 1.0), c, radius=0.08)
    p.ellipse((0.36, 0.38, 0.64, 0.54), _dk(c, 0.5))
    p.rect((0.22, 0.68, 0.78, 0.96), (40, 38, 36), radius=0.04)
    p.rect((0.26, 0.72, 0.74, 0.92), (80, 52, 32), radius=0.03)


@kind("dripper", 12, 1.1, "table", tag=(0.5, 0.35), label="coffee dripper")
def _dripper(p: Pen, c: Colour, r: random.Random) -> None:
    p.poly([(0.0, 0.0), (1.0, 0.0), (0.68, 0.5), (0.32, 0.5)], c)
    p.ellipse((0.0, -0.05, 1.0, 0.08), _lt(c, 1.2))
    for x in (0.3, 0.5, 0.7):
        p.line([(x, 0.06), (0.5 + (x - 0.5) * 0.4, 0.46)], _dk(c, 0.85), 0.01)
    p.rect((0.22, 0.5, 0.78, 0.56), _dk(c, 0.8))
    p.poly([(0.2, 0.56), (0.8, 0.56), (0.86, 1.0), (0.14, 1.0)], GLASS)
    p.rect((0.18, 0.78, 0.82, 1.0), (90, 50, 24, 230))


@kind("coffee_scale", 4, 4.0, "table", tag=(0.5, 0.5), label="kitchen scale")
def _coffee_scale(p: Pen, c: Colour, r: random.Random) -> None:
    p.rect((0.0, 0.1, 1.0, 1.0), c, radius=0.2)
    p.rect((0.0, 0.1, 1.0, 0.4), _lt(c, 1.15), radius=0.15)
    p.rect((0.62, 0.45, 0.88, 0.85), (20, 24, 28), radius=0.08)
    p.rect((0.65, 0.52, 0.85, 0.78), (120, 220, 255))


@kind("french_press", 24, 0.62, "table ground", tag=(0.45, 0.6), label="french press")
def _french_press(p: Pen, c: Colour, r: random.Random) -> None:
    p.line([(0.5, 0.0), (0.5, 0.14)], METAL, 0.05)
    p.ellipse((0.42, -0.02, 0.58, 0.06), c)
    p.rect((0.08, 0.12, 0.8, 0.2), c, radius=0.03)
    p.rect((0.12, 0.2, 0.76, 0.94), GLASS)
    p.rect((0.12, 0.42, 0.76, 0.94), (78, 44, 22, 235))
    p.rect((0.12, 0.42, 0.76, 0.48), (150, 100, 60, 240))
    p.line([(0.12, 0.2), (0.12, 0.94)], c, 0.035)
    p.line([(0.76, 0.2), (0.76, 0.94)], c, 0.035)
    p.line([(0.76, 0.3), (0.98, 0.34), (0.98, 0.8), (0.76, 0.84)], c, 0.07)
    p.rect((0.06, 0.92, 0.82, 1.0), c, radius=0.03)


@kind("mug", 10, 1.25, "table ground", tag=(0.4, 0.55))
def _mug(p: Pen, c: Colour, r: random.Random) -> None:
    p.ellipse((0.56, 0.22, 1.0, 0.72), c)
    p.ellipse((0.66, 0.34, 0.9, 0.6), (0, 0, 0, 0))
    p.rect((0.0, 0.06, 0.76, 1.0), c, radius=0.08)
    p.ellipse((0.0, 0.0, 0.76, 0.14), _lt(c, 1.15))
    p.ellipse((0.04, 0.02, 0.72, 0.12), COFFEE)
    p.rect((0.0, 0.92, 0.76, 1.0), _dk(c, 0.8), radius=0.04)


# ---------------------------------------------------------------- active (Stride, Zenmat)


@kind("running_shoes", 12, 2.4, "floor ground table", tag=(0.45, 0.5), label="running shoes")
def _running_shoes(p: Pen, c: Colour, r: random.Random) -> None:
    p.poly([(0.02, 0.42), (0.3, 0.05), (0.5, 0.02), (0.62, 0.35), (0.98, 0.55), (1.0, 0.85), (0.0, 0.85)], c)
    p.poly([(0.28, 0.1), (0.48, 0.06), (0.55, 0.3), (0.34, 0.36)], _lt(c, 1.25))
    for i in range(4):
        x = 0.36 + i * 0.05
        p.line([(x, 0.14 + i * 0.04), (x + 0.08, 0.12 + i * 0.04)], WHITE, 0.014)
    p.poly([(0.12, 0.62), (0.6, 0.5), (0.8, 0.62), (0.5, 0.7)], _lt(c, 1.45))  # swoosh
    p.rect((0.0, 0.8, 1.0, 1.0), WHITE, radius=0.08)
    p.rect((0.0, 0.93, 1.0, 1.0), (60, 60, 62), radius=0.04)


@kind("tee", 8, 2.0, "table floor ground", tag=(0.5, 0.5), label="t-shirt")
def _tee(p: Pen, c: Colour, r: random.Random) -> None:
    for y, f in ((0.55, 0.9), (0.3, 1.0), (0.0, 1.1)):
        p.rect((0.0, y, 1.0, y + 0.45), shade(c, f), radius=0.1)
        p.line([(0.04, y + 0.04), (0.96, y + 0.04)], shade(c, f * 1.1), 0.01)
    p.arc((0.38, -0.12, 0.62, 0.16), 0, 180, _dk(c, 0.7), 0.02)


@kind("water_bottle", 25, 0.36, "table ground floor", tag=(0.5, 0.55), label="water bottle")
def _water_bottle(p: Pen, c: Colour, r: random.Random) -> None:
    p.rect((0.3, 0.0, 0.7, 0.08), RUBBER, radius=0.05)
    p.arc((0.32, -0.08, 0.68, 0.12), 180, 360, RUBBER, 0.06)
    p.rect((0.22, 0.07, 0.78, 0.16), _dk(c, 0.6), radius=0.03)
    p.rect((0.05, 0.15, 0.95, 1.0), c, radius=0.22)
    p.rect((0.05, 0.45, 0.95, 0.7), _lt(c, 1.25))
    p.line([(0.22, 0.2), (0.22, 0.92)], _lt(c, 1.4), 0.05)


@kind("foam_roller", 15, 2.6, "floor", tag=(0.45, 0.5), label="foam roller")
def _foam_roller(p: Pen, c: Colour, r: random.Random) -> None:
    p.rect((0.1, 0.0, 1.0, 1.0), c, radius=0.12)
    for i in range(7):
        x = 0.18 + i * 0.11
        p.rect((x, 0.0, x + 0.05, 1.0), _dk(c, 0.82))
    p.ellipse((0.0, 0.0, 0.2, 1.0), _lt(c, 1.15))
    p.ellipse((0.05, 0.3, 0.15, 0.7), _dk(c, 0.6))


@kind("watch", 4, 2.2, "table ground", tag=(0.5, 0.5), label="sports watch")
def _watch(p: Pen, c: Colour, r: random.Random) -> None:
    p.rect((0.0, 0.3, 1.0, 0.7), c, radius=0.15)
    for x in (0.1, 0.18, 0.82, 0.9):
        p.line([(x, 0.34), (x, 0.66)], _dk(c, 0.8), 0.01)
    p.ellipse((0.28, 0.0, 0.72, 1.0), DARK)
    p.ellipse((0.32, 0.1, 0.68, 0.9), (24, 26, 30))
    p.rect((0.4, 0.36, 0.6, 0.48), (120, 230, 160))
    p.rect((0.4, 0.54, 0.56, 0.62), (230, 230, 230))


@kind("helmet", 18, 1.4, "table floor ground", tag=(0.5, 0.45), label="bicycle helmet")
def _helmet(p: Pen, c: Colour, r: random.Random) -> None:
    p.chord((0.0, 0.0, 1.0, 1.5), 180, 360, c)
    for x in (0.25, 0.45, 0.65):
        p.rect((x, 0.2, x + 0.1, 0.45), _dk(c, 0.45), radius=0.04)
    p.line([(0.06, 0.6), (0.94, 0.6)], _lt(c, 1.3), 0.02)
    p.rect((0.0, 0.7, 1.0, 0.78), DARK, radius=0.03)
    p.line([(0.2, 0.76), (0.4, 1.0), (0.6, 1.0), (0.8, 0.76)], DARK, 0.02, joint=False)


@kind("yoga_mat", 14, 4.2, "floor ground", tag=(0.4, 0.5), label="yoga mat")
def _yoga_mat(p: Pen, c: Colour, r: random.Random) -> None:
    p.rect((0.05, 0.0, 1.0, 1.0), c, radius=0.1)
    p.line([(0.08, 0.08), (0.97, 0.08)], _lt(c, 1.25), 0.01)
    p.ellipse((0.0, 0.0, 0.12, 1.0), _lt(c, 1.1))
    for k in range(4):
        inset = 0.012 + k * 0.012
        p.ellipse(
            (inset, 0.1 + k * 0.1, 0.12 - inset, 0.9 - k * 0.1), _dk(c, 0.75) if k % 2 == 0 else _lt(c, 1.05)
        )
    p.rect((0.45, 0.0, 0.52, 1.0), (60, 60, 60))  # strap


@kind("yoga_block", 12, 1.5, "floor", tag=(0.5, 0.55), label="yoga block")
def _yoga_block(p: Pen, c: Colour, r: random.Random) -> None:
    p.poly([(0.0, 0.2), (0.8, 0.2), (1.0, 0.0), (0.2, 0.0)], _lt(c, 1.2))
    p.poly([(0.8, 0.2), (1.0, 0.0), (1.0, 0.8), (0.8, 1.0)], _dk(c, 0.8))
    p.rect((0.0, 0.2, 0.8, 1.0), c, radius=0.03)


@kind("meditation_cushion", 16, 2.2, "floor", tag=(0.5, 0.5), label="cushion")
def _meditation_cushion(p: Pen, c: Colour, r: random.Random) -> None:
    p.ellipse((0.0, 0.2, 1.0, 1.0), _dk(c, 0.85))
    p.ellipse((0.0, 0.0, 1.0, 0.75), c)
    for i in range(9):
        x = 0.08 + i * 0.105
        p.line([(0.5, 0.37), (x, 0.05 if i % 2 else 0.7)], _dk(c, 0.85), 0.006)
    p.ellipse((0.46, 0.32, 0.54, 0.42), _dk(c, 0.6))


@kind("kettlebell", 24, 0.9, "floor", tag=(0.5, 0.65))
def _kettlebell(p: Pen, c: Colour, r: random.Random) -> None:
    p.arc((0.18, 0.0, 0.82, 0.62), 180, 360, _dk(c, 0.9), 0.12)
    p.line([(0.24, 0.31), (0.3, 0.45)], _dk(c, 0.9), 0.12)
    p.line([(0.76, 0.31), (0.7, 0.45)], _dk(c, 0.9), 0.12)
    p.ellipse((0.0, 0.28, 1.0, 1.0), c)
    p.rect((0.2, 0.94, 0.8, 1.0), _dk(c, 0.6))
    p.rect((0.38, 0.6, 0.62, 0.72), _lt(c, 1.3), radius=0.03)


@kind("dumbbell", 12, 2.6, "floor", tag=(0.2, 0.5))
def _dumbbell(p: Pen, c: Colour, r: random.Random) -> None:
    p.rect((0.2, 0.4, 0.8, 0.6), METAL)
    for x in (0.0, 0.68):
        p.rect((x + 0.02, 0.0, x + 0.3, 1.0), c, radius=0.08)
        p.rect((x + 0.05, 0.08, x + 0.27, 0.2), _lt(c, 1.2), radius=0.04)


@kind("towel", 10, 2.6, "floor table ground", tag=(0.5, 0.5))
def _towel(p: Pen, c: Colour, r: random.Random) -> None:
    for y, f in ((0.5, 0.88), (0.0, 1.0)):
        p.rect((0.0, y, 1.0, y + 0.5), shade(c, f), radius=0.12)
        for x in range(10):
            p.line([(0.05 + x * 0.1, y + 0.05), (0.05 + x * 0.1, y + 0.45)], shade(c, f * 0.93), 0.01)


# ---------------------------------------------------------------- home (Lumen)


@kind("floor_lamp", 160, 0.3, "floor", tag=(0.5, 0.12), label="floor lamp")
def _floor_lamp(p: Pen, c: Colour, r: random.Random) -> None:
    p.line([(0.5, 0.2), (0.5, 0.98)], (70, 66, 60), 0.04)
    p.ellipse((0.15, 0.96, 0.85, 1.0), (70, 66, 60))
    p.poly([(0.2, 0.0), (0.8, 0.0), (1.0, 0.22), (0.0, 0.22)], c)
    p.rect((0.02, 0.2, 0.98, 0.23), _lt(c, 1.3))
    p.poly([(0.1, 0.23), (0.9, 0.23), (0.8, 0.26), (0.2, 0.26)], (255, 236, 190, 150))


@kind("throw", 55, 1.2, "floor", tag=(0.5, 0.45), label="blanket")
def _throw(p: Pen, c: Colour, r: random.Random) -> None:
    # a blanket draped over a chair back
    p.rect((0.08, 0.0, 0.92, 0.85), (110, 80, 56), radius=0.08)
    p.rect((0.12, 0.85, 0.2, 1.0), (90, 64, 44))
    p.rect((0.8, 0.85, 0.88, 1.0), (90, 64, 44))
    p.poly(
        [
            (0.0, 0.1),
            (0.7, 0.06),
            (0.78, 0.65),
            (0.6, 0.8),
            (0.5, 0.7),
            (0.35, 0.86),
            (0.2, 0.72),
            (0.05, 0.82),
        ],
        c,
    )
    for x in (0.15, 0.3, 0.45, 0.6):
        p.line([(x, 0.12), (x + 0.02, 0.75)], _dk(c, 0.82), 0.01)
    for x in range(8):
        p.line([(0.06 + x * 0.08, 0.78), (0.06 + x * 0.08, 0.86)], _dk(c, 0.9), 0.008)


@kind("vase", 28, 0.55, "table floor", tag=(0.5, 0.7))
def _vase(p: Pen, c: Colour, r: random.Random) -> None:
    stems = [(0.5 + r.uniform(-0.45, 0.45), r.uniform(0.0, 0.25)) for _ in range(5)]
    for x, y in stems:
        p.line([(0.5, 0.5), (x, y)], (70, 110, 60), 0.015)
        p.ellipse(
            (x - 0.1, y - 0.05, x + 0.1, y + 0.06),
            r.choice([(240, 240, 235), (236, 200, 90), (220, 130, 140)]),
        )
    p.ellipse((0.1, 0.5, 0.9, 1.0), c)
    p.rect((0.32, 0.4, 0.68, 0.62), c)
    p.ellipse((0.3, 0.37, 0.7, 0.44), _lt(c, 1.2))
    p.rect((0.2, 0.96, 0.8, 1.0), _dk(c, 0.8))


@kind("cushion", 45, 1.1, "floor", tag=(0.5, 0.5), label="pillow")
def _cushion(p: Pen, c: Colour, r: random.Random) -> None:
    p.poly(
        [(0.0, 0.05), (0.5, 0.1), (1.0, 0.0), (0.94, 0.5), (1.0, 1.0), (0.5, 0.92), (0.0, 1.0), (0.06, 0.5)],
        c,
    )
    p.ellipse((0.2, 0.2, 0.8, 0.8), _lt(c, 1.08))
    p.line([(0.06, 0.06), (0.5, 0.5), (0.94, 0.94)], _dk(c, 0.9), 0.008)


@kind("table_lamp", 45, 0.62, "table", tag=(0.5, 0.25), label="table lamp")
def _table_lamp(p: Pen, c: Colour, r: random.Random) -> None:
    p.ellipse((0.2, 0.5, 0.8, 1.0), c)
    p.rect((0.3, 0.94, 0.7, 1.0), _dk(c, 0.7))
    p.line([(0.5, 0.3), (0.5, 0.55)], (180, 160, 120), 0.04)
    p.poly([(0.18, 0.0), (0.82, 0.0), (1.0, 0.42), (0.0, 0.42)], (246, 236, 214))
    p.poly([(0.05, 0.4), (0.95, 0.4), (0.9, 0.44), (0.1, 0.44)], (255, 240, 200, 150))


@kind("candle", 12, 0.8, "table", tag=(0.5, 0.65), label="candle")
def _candle(p: Pen, c: Colour, r: random.Random) -> None:
    p.ellipse((0.42, 0.0, 0.58, 0.22), (255, 200, 90))
    p.ellipse((0.46, 0.08, 0.54, 0.2), (255, 246, 210))
    p.line([(0.5, 0.2), (0.5, 0.3)], DARK, 0.02)
    p.rect((0.05, 0.28, 0.95, 1.0), GLASS)
    p.rect((0.1, 0.42, 0.9, 0.98), c)
    p.ellipse((0.1, 0.36, 0.9, 0.48), _lt(c, 1.3))
    p.rect((0.2, 0.6, 0.8, 0.82), PAPER)
    p.line([(0.3, 0.7), (0.7, 0.7)], _dk(c, 0.6), 0.02)


# ---------------------------------------------------------------- desk (Pixelforge, Lensly, Soundhaus)


@kind("keyboard", 4, 9.0, "table", tag=(0.5, 0.5), label="keyboard")
def _keyboard(p: Pen, c: Colour, r: random.Random) -> None:
    p.rect((0.0, 0.0, 1.0, 1.0), _dk(c, 0.7), radius=0.1)
    for col in range(15):
        x = 0.02 + col * 0.065
        p.rect((x, 0.12, x + 0.056, 0.62), c, radius=0.04)
        p.rect((x + 0.006, 0.14, x + 0.05, 0.36), _lt(c, 1.25), radius=0.03)
    p.rect((0.0, 0.75, 1.0, 1.0), _dk(c, 0.55), radius=0.05)


@kind("mouse", 4, 1.8, "table", tag=(0.5, 0.5), label="computer mouse")
def _mouse(p: Pen, c: Colour, r: random.Random) -> None:
    p.chord((0.0, 0.0, 1.0, 1.9), 180, 360, c)
    p.rect((0.0, 0.85, 1.0, 1.0), _dk(c, 0.6), radius=0.05)
    p.line([(0.42, 0.12), (0.42, 0.4)], _dk(c, 0.55), 0.02)
    p.line([(0.1, 0.7), (0.9, 0.7)], (90, 180, 255), 0.025)


@kind("headset", 20, 1.0, "table", tag=(0.5, 0.3), label="gaming headset")
def _headset(p: Pen, c: Colour, r: random.Random) -> None:
    p.arc((0.1, 0.0, 0.9, 0.9), 180, 360, _dk(c, 0.7), 0.08)
    p.arc((0.14, 0.04, 0.86, 0.86), 190, 350, (60, 60, 64), 0.04)
    for x in (0.0, 0.7):
        p.rect((x, 0.4, x + 0.3, 0.95), c, radius=0.12)
        p.ellipse((x + 0.06, 0.52, x + 0.24, 0.84), _lt(c, 1.3))
    p.line([(0.1, 0.85), (0.2, 1.0), (0.42, 0.98)], DARK, 0.03)
    p.ellipse((0.38, 0.94, 0.46, 1.0), DARK)


@kind("controller", 7, 1.7, "table floor", tag=(0.5, 0.45), label="game controller")
def _controller(p: Pen, c: Colour, r: random.Random) -> None:
    p.ellipse((0.0, 0.2, 0.4, 1.0), c)
    p.ellipse((0.6, 0.2, 1.0, 1.0), c)
    p.rect((0.15, 0.0, 0.85, 0.66), c, radius=0.3)
    p.rect((0.14, 0.28, 0.3, 0.36), DARK)
    p.rect((0.18, 0.22, 0.26, 0.42), DARK)
    for x, y, col in (
        (0.74, 0.22, (90, 200, 110)),
        (0.82, 0.32, (230, 70, 70)),
        (0.66, 0.32, (70, 120, 230)),
        (0.74, 0.42, (240, 200, 60)),
    ):
        p.ellipse((x - 0.035, y - 0.06, x + 0.035, y + 0.06), col)
    for x in (0.38, 0.62):
        p.ellipse((x - 0.07, 0.45, x + 0.07, 0.7), _dk(c, 0.4))


@kind("monitor", 45, 1.55, "table", tag=(0.5, 0.35))
def _monitor(p: Pen, c: Colour, r: random.Random) -> None:
    p.rect((0.44, 0.7, 0.56, 0.96), _dk(c, 0.8))
    p.rect((0.28, 0.95, 0.72, 1.0), _dk(c, 0.7), radius=0.02)
    p.rect((0.0, 0.0, 1.0, 0.75), c, radius=0.01)
    screen = (0.02, 0.025, 0.98, 0.72)
    top, bottom = r.choice(
        [((40, 90, 160), (200, 120, 160)), ((20, 40, 60), (60, 160, 150)), ((250, 170, 90), (90, 60, 140))]
    )
    p.rect(screen, bottom)
    p.rect((0.02, 0.025, 0.98, 0.4), top)
    p.rect((0.02, 0.36, 0.98, 0.46), mix(top, bottom, 0.5))
    p.poly(
        [(0.02, 0.72), (0.3, 0.45), (0.55, 0.6), (0.8, 0.38), (0.98, 0.5), (0.98, 0.72)], shade(bottom, 0.5)
    )


@kind("console", 30, 0.45, "table floor", tag=(0.5, 0.5), label="game console")
def _console(p: Pen, c: Colour, r: random.Random) -> None:
    p.rect((0.1, 0.0, 0.9, 1.0), c, radius=0.1)
    p.rect((0.42, 0.0, 0.58, 1.0), DARK)
    p.rect((0.44, 0.05, 0.56, 0.12), (100, 180, 255))
    p.rect((0.1, 0.94, 0.9, 1.0), _dk(c, 0.6))


@kind("camera", 10, 1.5, "table ground", tag=(0.5, 0.58), label="camera")
def _camera(p: Pen, c: Colour, r: random.Random) -> None:
    body = mix(DARK, c, 0.25)
    p.rect((0.1, 0.0, 0.4, 0.2), body, radius=0.04)
    p.rect((0.0, 0.12, 1.0, 1.0), body, radius=0.1)
    p.rect((0.0, 0.3, 0.22, 1.0), c, radius=0.08)  # grip
    p.rect((0.74, 0.04, 0.9, 0.14), STEEL, radius=0.03)
    p.ellipse((0.3, 0.25, 0.92, 0.98), STEEL)
    p.ellipse((0.36, 0.33, 0.86, 0.9), (26, 26, 28))
    p.ellipse((0.45, 0.44, 0.77, 0.79), (30, 44, 80))
    p.ellipse((0.52, 0.5, 0.6, 0.6), (210, 220, 255))


@kind("tripod", 150, 0.45, "floor ground", tag=(0.5, 0.55))
def _tripod(p: Pen, c: Colour, r: random.Random) -> None:
    p.rect((0.3, 0.0, 0.7, 0.06), DARK, radius=0.02)
    p.rect((0.44, 0.05, 0.56, 0.32), c)
    for foot in (0.02, 0.5, 0.98):
        p.line([(0.5, 0.3), (foot, 1.0)], c, 0.05)
        p.line([(0.5 + (foot - 0.5) * 0.5, 0.65), (foot, 1.0)], _dk(c, 0.6), 0.04)
    p.line([(0.35, 0.62), (0.65, 0.62)], DARK, 0.03)


@kind("lens", 9, 0.9, "table", tag=(0.5, 0.5), label="camera lens")
def _lens(p: Pen, c: Colour, r: random.Random) -> None:
    p.rect((0.05, 0.0, 0.95, 1.0), (30, 30, 32), radius=0.08)
    for y in (0.22, 0.3, 0.38):
        p.line([(0.05, y), (0.95, y)], (60, 60, 64), 0.02)
    p.rect((0.05, 0.55, 0.95, 0.62), c)
    p.rect((0.0, 0.0, 1.0, 0.1), (20, 20, 22), radius=0.03)


@kind("camera_bag", 26, 1.3, "table floor wall ground", tag=(0.5, 0.6), label="camera bag")
def _camera_bag(p: Pen, c: Colour, r: random.Random) -> None:
    p.arc((0.05, -0.3, 0.95, 0.6), 180, 360, _dk(c, 0.6), 0.035)
    p.rect((0.0, 0.2, 1.0, 1.0), c, radius=0.1)
    p.rect((0.0, 0.2, 1.0, 0.6), _dk(c, 0.85), radius=0.1)
    p.rect((0.42, 0.5, 0.58, 0.66), (190, 160, 100), radius=0.02)
    p.rect((0.1, 0.72, 0.9, 0.92), _dk(c, 0.9), radius=0.04)


@kind("instant_camera", 12, 1.15, "table ground", tag=(0.5, 0.55), label="instant camera")
def _instant_camera(p: Pen, c: Colour, r: random.Random) -> None:
    p.rect((0.0, 0.0, 1.0, 1.0), WHITE, radius=0.12)
    p.rect((0.0, 0.0, 1.0, 0.45), c, radius=0.12)
    for i, stripe in enumerate(
        [(230, 60, 50), (245, 150, 40), (250, 210, 60), (80, 170, 80), (60, 120, 210)]
    ):
        p.rect((0.44 + i * 0.03, 0.45, 0.47 + i * 0.03, 1.0), stripe)
    p.ellipse((0.22, 0.3, 0.78, 0.86), (40, 40, 42))
    p.ellipse((0.32, 0.4, 0.68, 0.76), (20, 30, 60))
    p.rect((0.72, 0.1, 0.92, 0.26), (30, 30, 30), radius=0.03)


@kind("headphones", 20, 1.0, "table wall ground", tag=(0.5, 0.22), label="headphones")
def _headphones(p: Pen, c: Colour, r: random.Random) -> None:
    p.arc((0.08, 0.0, 0.92, 0.9), 180, 360, c, 0.08)
    p.arc((0.12, 0.06, 0.88, 0.86), 200, 340, _dk(c, 0.7), 0.03)
    for x in (0.0, 0.72):
        p.rect((x + 0.04, 0.38, x + 0.24, 0.5), METAL)
        p.ellipse((x, 0.42, x + 0.28, 1.0), c)
        p.ellipse((x + 0.05, 0.5, x + 0.23, 0.92), _dk(c, 0.55))


@kind("speaker", 18, 1.7, "table ground floor", tag=(0.5, 0.5), label="speaker")
def _speaker(p: Pen, c: Colour, r: random.Random) -> None:
    p.rect((0.0, 0.0, 1.0, 1.0), c, radius=0.4)
    for y in range(6):
        for x in range(14):
            p.ellipse((0.12 + x * 0.055, 0.2 + y * 0.1, 0.14 + x * 0.055, 0.23 + y * 0.1), _dk(c, 0.6))
    p.rect((0.4, 0.84, 0.6, 0.9), _lt(c, 1.3), radius=0.02)


@kind("guitar", 100, 0.38, "floor", tag=(0.5, 0.68), label="guitar")
def _guitar(p: Pen, c: Colour, r: random.Random) -> None:
    wood = mix((196, 140, 80), c, 0.5)
    p.rect((0.42, 0.0, 0.58, 0.1), DARK, radius=0.02)
    p.rect((0.45, 0.08, 0.55, 0.5), (90, 60, 40))
    p.ellipse((0.12, 0.36, 0.88, 0.66), wood)
    p.ellipse((0.0, 0.55, 1.0, 1.0), wood)
    p.rect((0.3, 0.5, 0.7, 0.62), wood)
    p.ellipse((0.36, 0.52, 0.64, 0.66), (30, 20, 14))
    p.rect((0.36, 0.82, 0.64, 0.86), (60, 40, 26))
    for x in (0.47, 0.49, 0.51, 0.53):
        p.line([(x, 0.05), (x, 0.84)], (230, 230, 220), 0.004)


@kind("turntable", 14, 2.6, "table floor", tag=(0.4, 0.5), label="record player")
def _turntable(p: Pen, c: Colour, r: random.Random) -> None:
    p.rect((0.0, 0.35, 1.0, 1.0), c, radius=0.05)
    p.rect((0.0, 0.35, 1.0, 0.45), _lt(c, 1.2), radius=0.03)
    p.ellipse((0.05, 0.12, 0.7, 0.44), (20, 20, 22))
    p.ellipse((0.28, 0.22, 0.48, 0.34), (200, 60, 50))
    p.line([(0.86, 0.15), (0.86, 0.35)], METAL, 0.03)
    p.line([(0.86, 0.18), (0.6, 0.3)], METAL, 0.015)
    p.ellipse((0.88, 0.7, 0.94, 0.85), METAL)


@kind("microphone", 30, 0.5, "table", tag=(0.5, 0.25), label="microphone")
def _microphone(p: Pen, c: Colour, r: random.Random) -> None:
    p.rect((0.28, 0.0, 0.72, 0.5), c, radius=0.25)
    for y in (0.08, 0.16, 0.24, 0.32, 0.4):
        p.line([(0.3, y), (0.7, y)], _dk(c, 0.6), 0.01)
    p.arc((0.15, 0.25, 0.85, 0.65), 0, 180, DARK, 0.04)
    p.line([(0.5, 0.65), (0.5, 0.96)], DARK, 0.06)
    p.ellipse((0.1, 0.92, 0.9, 1.0), DARK)


@kind("vinyl", 31, 1.0, "table floor", tag=(0.4, 0.5), label="vinyl record")
def _vinyl(p: Pen, c: Colour, r: random.Random) -> None:
    p.ellipse((0.35, 0.02, 1.0, 0.98), (16, 16, 18))
    p.ellipse((0.58, 0.35, 0.76, 0.65), (230, 200, 90))
    p.rect((0.0, 0.0, 0.72, 1.0), c)
    p.ellipse((0.1, 0.15, 0.62, 0.7), _lt(c, 1.35))
    p.rect((0.08, 0.78, 0.5, 0.84), _dk(c, 0.6))


# ---------------------------------------------------------------- beauty (Glowroot)


@kind("serum", 11, 0.42, "table", tag=(0.5, 0.7), label="serum bottle")
def _serum(p: Pen, c: Colour, r: random.Random) -> None:
    p.rect((0.3, 0.0, 0.7, 0.22), RUBBER, radius=0.15)
    p.rect((0.2, 0.2, 0.8, 0.32), (190, 170, 120))
    p.rect((0.0, 0.3, 1.0, 1.0), (*shade(c, 0.9), 235), radius=0.12)
    p.rect((0.08, 0.5, 0.92, 0.8), PAPER)
    p.line([(0.2, 0.6), (0.8, 0.6)], _dk(c, 0.6), 0.04)
    p.line([(0.2, 0.7), (0.6, 0.7)], (160, 160, 160), 0.03)


@kind("cream_jar", 7, 1.45, "table", tag=(0.5, 0.65), label="cream jar")
def _cream_jar(p: Pen, c: Colour, r: random.Random) -> None:
    p.rect((0.0, 0.0, 1.0, 0.36), (200, 180, 130), radius=0.08)
    p.rect((0.04, 0.34, 0.96, 1.0), c, radius=0.12)
    p.rect((0.2, 0.52, 0.8, 0.82), PAPER, radius=0.03)
    p.line([(0.3, 0.64), (0.7, 0.64)], _dk(c, 0.6), 0.03)


@kind("balm_tin", 4, 2.4, "table", tag=(0.5, 0.6), label="balm tin")
def _balm_tin(p: Pen, c: Colour, r: random.Random) -> None:
    p.rect((0.0, 0.0, 1.0, 0.55), c, radius=0.15)
    p.ellipse((0.2, 0.08, 0.8, 0.45), PAPER)
    p.rect((0.02, 0.5, 0.98, 1.0), METAL, radius=0.1)


@kind("sheet_mask", 18, 0.72, "table", tag=(0.5, 0.55), label="sheet mask")
def _sheet_mask(p: Pen, c: Colour, r: random.Random) -> None:
    p.rect((0.0, 0.0, 1.0, 1.0), c, radius=0.04)
    p.rect((0.0, 0.0, 1.0, 0.08), _dk(c, 0.85))
    p.ellipse((0.22, 0.2, 0.78, 0.7), PAPER)
    p.ellipse((0.34, 0.36, 0.44, 0.42), c)
    p.ellipse((0.56, 0.36, 0.66, 0.42), c)
    p.rect((0.15, 0.78, 0.85, 0.86), _lt(c, 1.4))


@kind("lip_balm", 8, 0.32, "table", tag=(0.5, 0.6), label="lip balm")
def _lip_balm(p: Pen, c: Colour, r: random.Random) -> None:
    p.rect((0.0, 0.0, 1.0, 0.4), _lt(c, 1.2), radius=0.3)
    p.rect((0.0, 0.36, 1.0, 1.0), c, radius=0.1)
    p.rect((0.1, 0.55, 0.9, 0.75), PAPER)


@kind("lotion_tube", 17, 0.4, "table", tag=(0.5, 0.45), label="lotion tube")
def _lotion_tube(p: Pen, c: Colour, r: random.Random) -> None:
    p.poly([(0.0, 0.0), (1.0, 0.0), (0.86, 0.82), (0.14, 0.82)], c)
    p.rect((0.0, 0.0, 1.0, 0.05), _dk(c, 0.8))
    p.rect((0.22, 0.8, 0.78, 1.0), PAPER, radius=0.08)
    p.rect((0.15, 0.25, 0.85, 0.55), PAPER)
    p.line([(0.25, 0.36), (0.75, 0.36)], _dk(c, 0.6), 0.05)


# ---------------------------------------------------------------- pets (Pawsome)


@kind("pet_bed", 28, 2.6, "floor", tag=(0.3, 0.65), label="pet bed")
def _pet_bed(p: Pen, c: Colour, r: random.Random) -> None:
    p.ellipse((0.0, 0.1, 1.0, 1.0), c)
    p.ellipse((0.1, 0.25, 0.9, 0.8), _lt(c, 1.25))
    p.ellipse((0.14, 0.35, 0.86, 0.82), mix(_lt(c, 1.4), WHITE, 0.4))


@kind("cat_tree", 110, 0.55, "floor", tag=(0.5, 0.78), label="cat tree")
def _cat_tree(p: Pen, c: Colour, r: random.Random) -> None:
    sisal = (200, 176, 130)
    p.rect((0.0, 0.94, 1.0, 1.0), c, radius=0.02)
    p.rect((0.2, 0.4, 0.34, 0.94), sisal)
    p.rect((0.62, 0.15, 0.76, 0.94), sisal)
    for y in range(0, 40):
        p.line([(0.2, 0.4 + y * 0.014), (0.34, 0.4 + y * 0.014)], shade(sisal, 0.85), 0.003)
        p.line([(0.62, 0.15 + y * 0.02), (0.76, 0.15 + y * 0.02)], shade(sisal, 0.85), 0.003)
    p.rect((0.0, 0.34, 0.6, 0.42), c, radius=0.02)
    p.rect((0.45, 0.08, 1.0, 0.16), c, radius=0.02)
    p.rect((0.0, 0.62, 1.0, 0.82), _dk(c, 0.9), radius=0.05)
    p.ellipse((0.38, 0.66, 0.62, 0.8), (30, 30, 30))


@kind("chew_toy", 6, 2.4, "floor ground", tag=(0.5, 0.5), label="dog toy")
def _chew_toy(p: Pen, c: Colour, r: random.Random) -> None:
    for x in (0.0, 0.78):
        p.ellipse((x, 0.0, x + 0.22, 0.55), c)
        p.ellipse((x, 0.45, x + 0.22, 1.0), c)
    p.rect((0.12, 0.25, 0.88, 0.75), c, radius=0.1)
    p.line([(0.2, 0.35), (0.8, 0.35)], _lt(c, 1.3), 0.04)


@kind("pet_carrier", 32, 1.4, "floor", tag=(0.3, 0.55), label="pet carrier")
def _pet_carrier(p: Pen, c: Colour, r: random.Random) -> None:
    p.arc((0.3, 0.0, 0.7, 0.3), 180, 360, DARK, 0.05)
    p.rect((0.0, 0.12, 1.0, 1.0), c, radius=0.18)
    p.rect((0.62, 0.3, 0.9, 0.86), (40, 40, 44), radius=0.06)
    for x in range(5):
        p.line([(0.66 + x * 0.05, 0.32), (0.66 + x * 0.05, 0.84)], METAL, 0.01)
    p.line([(0.0, 0.55), (1.0, 0.55)], _dk(c, 0.7), 0.015)


@kind("pet_bowl", 7, 2.6, "floor", tag=(0.5, 0.6), label="pet bowl")
def _pet_bowl(p: Pen, c: Colour, r: random.Random) -> None:
    p.poly([(0.0, 0.15), (1.0, 0.15), (0.85, 1.0), (0.15, 1.0)], c)
    p.ellipse((0.0, 0.0, 1.0, 0.3), _lt(c, 1.2))
    p.ellipse((0.08, 0.04, 0.92, 0.26), (150, 96, 60))
    for _ in range(8):
        x, y = r.uniform(0.15, 0.8), r.uniform(0.06, 0.18)
        p.ellipse((x, y, x + 0.06, y + 0.06), (120, 70, 40))


@kind("pet_brush", 5, 4.0, "floor table", tag=(0.3, 0.5), label="grooming brush")
def _pet_brush(p: Pen, c: Colour, r: random.Random) -> None:
    p.rect((0.5, 0.3, 1.0, 0.7), c, radius=0.2)
    p.rect((0.0, 0.0, 0.55, 1.0), c, radius=0.2)
    p.rect((0.05, 0.1, 0.5, 0.9), (240, 240, 240), radius=0.15)
    for i in range(7):
        p.line([(0.08 + i * 0.06, 0.2), (0.08 + i * 0.06, 0.8)], (150, 150, 150), 0.012)


# ---------------------------------------------------------------- garden (Greenthumb)


@kind("shears", 4, 4.0, "table ground", tag=(0.7, 0.5), label="pruning shears")
def _shears(p: Pen, c: Colour, r: random.Random) -> None:
    p.poly([(0.0, 0.5), (0.42, 0.1), (0.46, 0.5)], METAL)
    p.poly([(0.0, 0.5), (0.42, 0.9), (0.46, 0.5)], STEEL)
    p.ellipse((0.4, 0.4, 0.5, 0.6), DARK)
    p.line([(0.46, 0.45), (1.0, 0.05)], c, 0.07)
    p.line([(0.46, 0.55), (1.0, 0.95)], c, 0.07)


@kind("planter", 30, 0.9, "table floor ground", tag=(0.5, 0.78))
def _planter(p: Pen, c: Colour, r: random.Random) -> None:
    for i in range(7):
        angle = -0.9 + i * 0.3
        tip = (0.5 + angle * 0.45, 0.02 + abs(angle) * 0.22)
        p.line([(0.5, 0.62), tip], shade(LEAF, 0.8), 0.02)
        p.ellipse(
            (tip[0] - 0.1, tip[1] - 0.03, tip[0] + 0.1, tip[1] + 0.26), shade(LEAF, r.uniform(0.85, 1.2))
        )
    p.poly([(0.14, 0.58), (0.86, 0.58), (0.76, 1.0), (0.24, 1.0)], c)
    p.rect((0.1, 0.56, 0.9, 0.64), _lt(c, 1.15), radius=0.02)


@kind("gloves", 4, 2.0, "table ground", tag=(0.5, 0.5), label="gardening gloves")
def _gloves(p: Pen, c: Colour, r: random.Random) -> None:
    for dx, f in ((0.38, 0.85), (0.0, 1.0)):
        col = shade(c, f)
        p.rect((dx + 0.0, 0.3, dx + 0.5, 1.0), col, radius=0.08)
        for i in range(4):
            p.rect((dx + 0.02 + i * 0.12, 0.0 + i * 0.02, dx + 0.12 + i * 0.12, 0.5), col, radius=0.05)
        p.rect((dx + 0.0, 0.82, dx + 0.5, 1.0), _dk(col, 0.75), radius=0.04)


@kind("watering_can", 30, 1.5, "ground floor", tag=(0.45, 0.6), label="watering can")
def _watering_can(p: Pen, c: Colour, r: random.Random) -> None:
    p.line([(0.6, 0.72), (0.95, 0.15)], c, 0.05)
    p.ellipse((0.88, 0.06, 1.0, 0.2), _dk(c, 0.8))
    p.arc((0.12, 0.0, 0.6, 0.6), 180, 360, c, 0.05)
    p.rect((0.05, 0.25, 0.65, 1.0), c, radius=0.08)
    p.ellipse((0.05, 0.2, 0.65, 0.32), _lt(c, 1.2))
    p.line([(0.05, 0.5), (0.65, 0.5)], _dk(c, 0.8), 0.015)


@kind("seed_tray", 8, 3.0, "table ground", tag=(0.5, 0.6), label="seed tray")
def _seed_tray(p: Pen, c: Colour, r: random.Random) -> None:
    for i in range(6):
        x = 0.08 + i * 0.15
        for k in range(3):
            p.line([(x, 0.45), (x + r.uniform(-0.06, 0.06), 0.1 + k * 0.08)], LEAF, 0.01)
            p.ellipse(
                (x - 0.04 + k * 0.02, 0.05 + k * 0.08, x + 0.02 + k * 0.02, 0.15 + k * 0.08), _lt(LEAF, 1.2)
            )
    p.rect((0.0, 0.4, 1.0, 1.0), c, radius=0.04)
    p.rect((0.0, 0.4, 1.0, 0.5), (80, 56, 36))


@kind("trowel", 4, 4.0, "table ground", tag=(0.3, 0.5))
def _trowel(p: Pen, c: Colour, r: random.Random) -> None:
    p.poly([(0.0, 0.5), (0.2, 0.05), (0.5, 0.2), (0.5, 0.8), (0.2, 0.95)], METAL)
    p.line([(0.1, 0.5), (0.48, 0.5)], STEEL, 0.02)
    p.rect((0.48, 0.42, 0.58, 0.58), STEEL)
    p.rect((0.58, 0.3, 1.0, 0.7), c, radius=0.15)


# ---------------------------------------------------------------- books (Pageturner)


@kind("bookends", 16, 1.9, "table", tag=(0.12, 0.55))
def _bookends(p: Pen, c: Colour, r: random.Random) -> None:
    x = 0.2
    for _ in range(7):
        w, h = r.uniform(0.07, 0.1), r.uniform(0.62, 0.9)
        p.rect(
            (x, 1 - h, x + w, 1.0),
            r.choice(
                [(150, 50, 50), (40, 70, 110), (220, 200, 160), (60, 100, 80), (200, 140, 60), (70, 60, 80)]
            ),
        )
        p.line([(x + 0.01, 1 - h + 0.1), (x + w - 0.01, 1 - h + 0.1)], (230, 210, 160), 0.008)
        x += w + 0.004
    for bx in (0.0, 0.82):
        p.rect((bx, 0.2, bx + 0.18, 1.0), c, radius=0.04)
        p.rect((bx, 0.92, bx + 0.18, 1.0), _dk(c, 0.7))


@kind("journal", 3, 5.0, "table ground", tag=(0.5, 0.5), label="notebook")
def _journal(p: Pen, c: Colour, r: random.Random) -> None:
    p.rect((0.0, 0.55, 1.0, 1.0), PAPER)
    p.rect((0.0, 0.0, 1.0, 0.6), c, radius=0.06)
    p.rect((0.0, 0.85, 1.0, 1.0), c, radius=0.05)
    p.rect((0.78, 0.0, 0.82, 1.0), DARK)


@kind("book_stand", 24, 1.0, "table", tag=(0.5, 0.4), label="book stand")
def _book_stand(p: Pen, c: Colour, r: random.Random) -> None:
    wood = mix(WOOD, c, 0.4)
    p.line([(0.3, 0.1), (0.1, 1.0)], wood, 0.06)
    p.line([(0.7, 0.1), (0.95, 1.0)], _dk(wood, 0.8), 0.05)
    p.poly([(0.08, 0.0), (0.92, 0.0), (0.98, 0.7), (0.02, 0.7)], PAPER)
    p.line([(0.5, 0.0), (0.5, 0.7)], (200, 190, 170), 0.01)
    for i in range(8):
        y = 0.08 + i * 0.07
        p.line([(0.12, y), (0.44, y)], (150, 150, 150), 0.01)
        p.line([(0.56, y), (0.88, y)], (150, 150, 150), 0.01)
    p.rect((0.0, 0.68, 1.0, 0.78), wood, radius=0.02)


@kind("e_reader", 17, 0.72, "table ground", tag=(0.5, 0.5), label="e-reader")
def _e_reader(p: Pen, c: Colour, r: random.Random) -> None:
    p.rect((0.0, 0.0, 1.0, 1.0), c, radius=0.08)
    p.rect((0.08, 0.07, 0.92, 0.86), (226, 224, 216))
    for i in range(9):
        p.line(
            [(0.14, 0.13 + i * 0.075), (0.86 if i % 4 != 3 else 0.6, 0.13 + i * 0.075)],
            (120, 120, 118),
            0.012,
        )


@kind("books", 24, 1.2, "table floor ground", tag=(0.5, 0.5), label="books")
def _books(p: Pen, c: Colour, r: random.Random) -> None:
    y = 1.0
    palette = [c, (150, 50, 50), (40, 70, 110), (220, 200, 160), (60, 100, 80), (200, 140, 60)]
    for i in range(5):
        h = r.uniform(0.14, 0.22)
        w = r.uniform(0.72, 0.98)
        x = r.uniform(0.0, 1.0 - w)
        col = palette[i % len(palette)]
        p.rect((x, y - h, x + w, y), col, radius=0.01)
        p.rect((x + w - 0.05, y - h + 0.02, x + w, y - 0.02), PAPER)
        p.line([(x + 0.05, y - h / 2), (x + 0.3, y - h / 2)], (230, 210, 150), 0.012)
        y -= h


@kind("reading_glasses", 4, 3.2, "table ground", tag=(0.25, 0.5), label="glasses")
def _reading_glasses(p: Pen, c: Colour, r: random.Random) -> None:
    for x in (0.0, 0.56):
        p.ellipse((x, 0.1, x + 0.44, 1.0), c)
        p.ellipse((x + 0.05, 0.2, x + 0.39, 0.9), (210, 225, 230, 90))
    p.arc((0.4, 0.15, 0.6, 0.6), 180, 360, c, 0.04)


# ---------------------------------------------------------------- parenting (Tiny Tots)


@kind("baby_carrier", 45, 0.8, "wall floor", tag=(0.5, 0.55), label="baby carrier")
def _baby_carrier(p: Pen, c: Colour, r: random.Random) -> None:
    p.line([(0.2, 0.0), (0.25, 0.4)], _dk(c, 0.7), 0.06)
    p.line([(0.8, 0.0), (0.75, 0.4)], _dk(c, 0.7), 0.06)
    p.rect((0.1, 0.3, 0.9, 0.9), c, radius=0.2)
    p.rect((0.2, 0.45, 0.8, 0.75), _lt(c, 1.15), radius=0.1)
    p.rect((0.0, 0.82, 1.0, 1.0), _dk(c, 0.75), radius=0.06)
    p.rect((0.46, 0.84, 0.54, 0.98), METAL)


@kind("stacking_rings", 18, 0.7, "floor table", tag=(0.5, 0.6), label="toy")
def _stacking_rings(p: Pen, c: Colour, r: random.Random) -> None:
    p.rect((0.44, 0.0, 0.56, 0.9), WOOD, radius=0.05)
    p.ellipse((0.4, 0.0, 0.6, 0.1), WOOD)
    colours = [c, (240, 190, 60), (90, 170, 120), (90, 150, 220), (230, 110, 90)]
    for i in range(5):
        w = 0.5 - i * 0.08
        y = 0.86 - i * 0.15
        p.rect((0.5 - w, y - 0.14, 0.5 + w, y + 0.02), colours[i], radius=0.07)
    p.rect((0.0, 0.88, 1.0, 1.0), WOOD, radius=0.04)


@kind("baby_bottle", 18, 0.42, "table", tag=(0.5, 0.65), label="baby bottle")
def _baby_bottle(p: Pen, c: Colour, r: random.Random) -> None:
    p.ellipse((0.3, 0.0, 0.7, 0.28), (230, 200, 150))
    p.rect((0.12, 0.2, 0.88, 0.34), c, radius=0.05)
    p.rect((0.08, 0.32, 0.92, 1.0), (236, 240, 244, 210), radius=0.15)
    p.rect((0.08, 0.55, 0.92, 1.0), (252, 250, 240), radius=0.15)
    for y in (0.45, 0.6, 0.75):
        p.line([(0.1, y), (0.3, y)], c, 0.02)


@kind("stroller", 100, 0.95, "floor ground", tag=(0.45, 0.35))
def _stroller(p: Pen, c: Colour, r: random.Random) -> None:
    p.line([(0.8, 0.05), (0.7, 0.55), (0.2, 0.85)], DARK, 0.025)
    p.line([(0.7, 0.55), (0.85, 0.85)], DARK, 0.025)
    p.rect((0.74, 0.02, 0.92, 0.08), DARK, radius=0.02)
    p.pieslice((0.0, 0.05, 0.7, 0.75), 180, 270, _dk(c, 0.85))
    p.rect((0.05, 0.38, 0.68, 0.64), c, radius=0.08)
    for x in (0.12, 0.74):
        p.ellipse((x - 0.13, 0.74, x + 0.13, 1.0), RUBBER)
        p.ellipse((x - 0.05, 0.83, x + 0.05, 0.91), METAL)


@kind("rubber_duck", 9, 1.15, "table", tag=(0.45, 0.6), label="rubber duck")
def _rubber_duck(p: Pen, c: Colour, r: random.Random) -> None:
    duck = mix((250, 210, 50), c, 0.25)
    p.ellipse((0.0, 0.4, 1.0, 1.0), duck)
    p.ellipse((0.3, 0.0, 0.78, 0.5), duck)
    p.poly([(0.74, 0.24), (0.98, 0.3), (0.74, 0.36)], (240, 120, 40))
    p.ellipse((0.56, 0.14, 0.64, 0.24), DARK)
    p.chord((0.1, 0.55, 0.6, 0.9), 0, 180, _dk(duck, 0.9))


@kind("teddy", 30, 0.85, "floor table", tag=(0.5, 0.6), label="teddy bear")
def _teddy(p: Pen, c: Colour, r: random.Random) -> None:
    fur = mix((170, 120, 80), c, 0.35)
    p.ellipse((0.2, 0.0, 0.4, 0.18), fur)
    p.ellipse((0.6, 0.0, 0.8, 0.18), fur)
    p.ellipse((0.0, 0.5, 0.3, 0.8), fur)
    p.ellipse((0.7, 0.5, 1.0, 0.8), fur)
    p.ellipse((0.15, 0.4, 0.85, 1.0), fur)
    p.ellipse((0.05, 0.8, 0.4, 1.0), _dk(fur, 0.9))
    p.ellipse((0.6, 0.8, 0.95, 1.0), _dk(fur, 0.9))
    p.ellipse((0.22, 0.04, 0.78, 0.5), fur)
    p.ellipse((0.38, 0.26, 0.62, 0.44), _lt(fur, 1.3))
    p.ellipse((0.46, 0.28, 0.54, 0.34), DARK)
    p.ellipse((0.34, 0.18, 0.4, 0.24), DARK)
    p.ellipse((0.6, 0.18, 0.66, 0.24), DARK)
    p.ellipse((0.35, 0.56, 0.65, 0.86), _lt(fur, 1.2))


# ---------------------------------------------------------------- fashion (Threadline)


@kind("scarf", 70, 0.45, "wall", tag=(0.5, 0.5))
def _scarf(p: Pen, c: Colour, r: random.Random) -> None:
    p.ellipse((0.42, 0.0, 0.58, 0.06), METAL)  # hook
    p.poly([(0.3, 0.04), (0.7, 0.04), (0.66, 0.92), (0.52, 0.92), (0.5, 0.1), (0.48, 0.96), (0.34, 0.96)], c)
    for y in (0.3, 0.5, 0.7):
        p.line([(0.3 + y * 0.04, y), (0.48, y)], _dk(c, 0.8), 0.01)
        p.line([(0.52, y), (0.68 - y * 0.03, y)], _dk(c, 0.8), 0.01)
    for i in range(6):
        p.line([(0.34 + i * 0.025, 0.96), (0.34 + i * 0.025, 1.0)], c, 0.008)
        p.line([(0.52 + i * 0.025, 0.92), (0.52 + i * 0.025, 0.96)], c, 0.008)


@kind("tote", 40, 0.8, "wall floor table ground", tag=(0.5, 0.65), label="tote bag")
def _tote(p: Pen, c: Colour, r: random.Random) -> None:
    p.arc((0.22, 0.0, 0.48, 0.6), 180, 360, _dk(c, 0.8), 0.04)
    p.arc((0.52, 0.0, 0.78, 0.6), 180, 360, _dk(c, 0.8), 0.04)
    p.poly([(0.05, 0.3), (0.95, 0.3), (1.0, 1.0), (0.0, 1.0)], c)
    p.rect((0.3, 0.55, 0.7, 0.62), _dk(c, 0.75))


@kind("shirt", 75, 0.9, "wall", tag=(0.5, 0.5))
def _shirt(p: Pen, c: Colour, r: random.Random) -> None:
    p.arc((0.4, 0.0, 0.6, 0.1), 180, 360, METAL, 0.015)
    p.line([(0.5, 0.05), (0.5, 0.09)], METAL, 0.015)
    p.poly(
        [
            (0.3, 0.1),
            (0.7, 0.1),
            (0.98, 0.22),
            (0.92, 0.62),
            (0.8, 0.6),
            (0.8, 1.0),
            (0.2, 1.0),
            (0.2, 0.6),
            (0.08, 0.62),
            (0.02, 0.22),
        ],
        c,
    )
    p.poly([(0.4, 0.1), (0.5, 0.22), (0.6, 0.1), (0.56, 0.06), (0.44, 0.06)], _lt(c, 1.15))
    p.poly([(0.38, 0.08), (0.5, 0.22), (0.44, 0.26)], _dk(c, 0.9))
    p.poly([(0.62, 0.08), (0.5, 0.22), (0.56, 0.26)], _dk(c, 0.9))
    p.line([(0.5, 0.22), (0.5, 1.0)], _dk(c, 0.85), 0.008)
    for y in (0.32, 0.46, 0.6, 0.74, 0.88):
        p.ellipse((0.485, y, 0.515, y + 0.025), WHITE)
    p.rect((0.25, 0.3, 0.4, 0.42), _dk(c, 0.92))


@kind("sneakers", 11, 2.4, "floor table ground", tag=(0.45, 0.55), label="sneakers")
def _sneakers(p: Pen, c: Colour, r: random.Random) -> None:
    p.poly([(0.02, 0.35), (0.25, 0.05), (0.45, 0.05), (0.52, 0.35), (0.98, 0.5), (1.0, 0.82), (0.0, 0.82)], c)
    p.rect((0.0, 0.78, 1.0, 1.0), WHITE, radius=0.06)
    p.line([(0.0, 0.86), (1.0, 0.86)], (210, 210, 205), 0.02)
    p.rect((0.78, 0.55, 1.0, 0.8), _dk(c, 0.9), radius=0.08)
    for i in range(4):
        p.line([(0.28 + i * 0.05, 0.12 + i * 0.05), (0.4 + i * 0.05, 0.1 + i * 0.05)], WHITE, 0.012)
    p.ellipse((0.02, 0.4, 0.14, 0.6), _dk(c, 0.8))


@kind("beanie", 20, 1.05, "table floor wall ground", tag=(0.5, 0.55))
def _beanie(p: Pen, c: Colour, r: random.Random) -> None:
    p.ellipse((0.36, 0.0, 0.64, 0.24), _lt(c, 1.15))  # pom
    p.chord((0.02, 0.12, 0.98, 1.5), 180, 360, c)
    for i in range(9):
        x = 0.1 + i * 0.1
        p.line([(x, 0.72), (0.5 + (x - 0.5) * 0.6, 0.25)], _dk(c, 0.85), 0.01)
    p.rect((0.0, 0.7, 1.0, 1.0), _dk(c, 0.9), radius=0.08)
    for i in range(16):
        p.line([(0.03 + i * 0.06, 0.72), (0.03 + i * 0.06, 0.98)], _dk(c, 0.75), 0.008)


# ---------------------------------------------------------------- props: never sold, make a place


@kind("houseplant", 45, 0.8, "table floor", tag=(0.5, 0.8), label="house plant", product=False)
def _houseplant(p: Pen, c: Colour, r: random.Random) -> None:
    for _ in range(11):
        tip = (r.uniform(0.02, 0.98), r.uniform(0.0, 0.5))
        p.line([(0.5, 0.68), tip], shade(LEAF, 0.7), 0.012)
        w = r.uniform(0.08, 0.14)
        p.ellipse((tip[0] - w, tip[1] - 0.04, tip[0] + w, tip[1] + 0.12), shade(LEAF, r.uniform(0.8, 1.3)))
    p.poly([(0.24, 0.66), (0.76, 0.66), (0.7, 1.0), (0.3, 1.0)], c)
    p.rect((0.22, 0.64, 0.78, 0.7), shade(c, 1.15))


@kind("bread", 12, 2.0, "table", tag=(0.5, 0.5), label="bread", product=False)
def _bread(p: Pen, c: Colour, r: random.Random) -> None:
    crust = (176, 112, 56)
    p.ellipse((0.0, 0.0, 1.0, 1.2), crust)
    p.rect((0.0, 0.8, 1.0, 1.0), _dk(crust, 0.85))
    for x in (0.25, 0.45, 0.65):
        p.line([(x, 0.2), (x + 0.12, 0.55)], (236, 200, 150), 0.035)


@kind("croissants", 8, 2.4, "table", tag=(0.5, 0.5), label="croissant", product=False)
def _croissants(p: Pen, c: Colour, r: random.Random) -> None:
    p.ellipse((0.0, 0.7, 1.0, 1.0), WHITE)
    for x, f in ((0.08, 0.9), (0.42, 1.0)):
        p.chord((x, 0.1, x + 0.5, 1.4), 180, 360, shade((200, 134, 60), f))
        for i in range(4):
            p.line([(x + 0.1 + i * 0.1, 0.25), (x + 0.12 + i * 0.1, 0.7)], shade((150, 90, 40), f), 0.012)


@kind("cake", 14, 1.4, "table", tag=(0.5, 0.5), label="cake", product=False)
def _cake(p: Pen, c: Colour, r: random.Random) -> None:
    p.ellipse((0.0, 0.86, 1.0, 1.0), WHITE)
    p.rect((0.1, 0.2, 0.9, 0.92), (244, 226, 200), radius=0.05)
    p.rect((0.1, 0.46, 0.9, 0.54), (190, 70, 90))
    p.ellipse((0.1, 0.12, 0.9, 0.3), (250, 240, 230))
    for x in (0.25, 0.45, 0.65):
        p.ellipse((x, 0.08, x + 0.1, 0.2), (200, 30, 50))


@kind("laptop", 24, 1.5, "table", tag=(0.5, 0.4), label="laptop", product=False)
def _laptop(p: Pen, c: Colour, r: random.Random) -> None:
    p.poly([(0.1, 0.0), (0.9, 0.0), (0.9, 0.86), (0.1, 0.86)], (70, 72, 78))
    p.rect((0.13, 0.03, 0.87, 0.82), (30, 60, 90))
    p.rect((0.16, 0.08, 0.6, 0.14), (220, 220, 230))
    for i in range(5):
        p.rect((0.16, 0.22 + i * 0.1, 0.16 + r.uniform(0.3, 0.65), 0.26 + i * 0.1), (120, 170, 210))
    p.poly([(0.05, 0.88), (0.95, 0.88), (1.0, 1.0), (0.0, 1.0)], (190, 192, 198))


@kind("bicycle", 100, 1.7, "floor ground", tag=(0.5, 0.5), label="bicycle", product=False)
def _bicycle(p: Pen, c: Colour, r: random.Random) -> None:
    for x in (0.2, 0.8):
        p.ellipse((x - 0.2, 0.42, x + 0.2, 1.0), RUBBER)
        p.ellipse((x - 0.17, 0.46, x + 0.17, 0.96), (0, 0, 0, 0))
        p.draw.ellipse(p._xy((x - 0.17, 0.46, x + 0.17, 0.96)), fill=(0, 0, 0, 0))
        p.ellipse((x - 0.025, 0.675, x + 0.025, 0.745), METAL)
    frame = [(0.2, 0.71), (0.45, 0.71), (0.7, 0.3), (0.36, 0.3), (0.2, 0.71)]
    p.line(frame, c, 0.02)
    p.line([(0.36, 0.3), (0.45, 0.71)], c, 0.02)
    p.line([(0.7, 0.3), (0.8, 0.71)], c, 0.02)
    p.line([(0.34, 0.22), (0.38, 0.3)], DARK, 0.015)
    p.rect((0.28, 0.18, 0.42, 0.23), DARK, radius=0.02)
    p.line([(0.7, 0.3), (0.68, 0.18), (0.76, 0.16)], DARK, 0.015)
    p.ellipse((0.41, 0.66, 0.49, 0.76), DARK)


@kind("campfire", 30, 1.3, "ground", tag=(0.5, 0.5), label="campfire", product=False)
def _campfire(p: Pen, c: Colour, r: random.Random) -> None:
    p.ellipse((0.05, 0.2, 0.95, 0.9), (255, 120, 30, 120))
    p.poly(
        [(0.2, 0.9), (0.35, 0.3), (0.45, 0.55), (0.52, 0.05), (0.62, 0.5), (0.7, 0.3), (0.82, 0.9)],
        (250, 140, 40),
    )
    p.poly([(0.32, 0.9), (0.45, 0.5), (0.52, 0.3), (0.6, 0.55), (0.7, 0.9)], (255, 220, 110))
    p.line([(0.05, 0.98), (0.95, 0.8)], (90, 60, 40), 0.08)
    p.line([(0.05, 0.8), (0.95, 0.98)], (110, 74, 48), 0.08)
    for x in (0.0, 0.85):
        p.ellipse((x, 0.85, x + 0.15, 1.0), (120, 118, 112))


@kind("cat", 32, 0.9, "floor table", tag=(0.5, 0.5), label="cat", product=False)
def _cat(p: Pen, c: Colour, r: random.Random) -> None:
    fur = r.choice([(60, 58, 56), (200, 120, 60), (150, 140, 130), (230, 224, 214)])
    p.line([(0.8, 0.95), (0.98, 0.7), (0.9, 0.45)], fur, 0.06)
    p.ellipse((0.1, 0.35, 0.9, 1.0), fur)
    p.ellipse((0.22, 0.05, 0.72, 0.5), fur)
    p.poly([(0.24, 0.2), (0.28, -0.02), (0.4, 0.1)], fur)
    p.poly([(0.54, 0.1), (0.66, -0.02), (0.7, 0.2)], fur)
    for x in (0.36, 0.54):
        p.ellipse((x, 0.2, x + 0.07, 0.28), (120, 170, 60))
        p.ellipse((x + 0.025, 0.21, x + 0.045, 0.27), DARK)
    p.poly([(0.45, 0.32), (0.49, 0.36), (0.53, 0.32)], (220, 140, 140))


@kind("dog", 45, 1.0, "floor ground", tag=(0.5, 0.5), label="dog", product=False)
def _dog(p: Pen, c: Colour, r: random.Random) -> None:
    fur = r.choice([(200, 150, 90), (80, 60, 50), (230, 210, 170), (120, 90, 60)])
    p.ellipse((0.15, 0.45, 0.95, 1.0), fur)
    p.rect((0.25, 0.7, 0.38, 1.0), fur, radius=0.05)
    p.rect((0.6, 0.7, 0.73, 1.0), fur, radius=0.05)
    p.ellipse((0.0, 0.08, 0.5, 0.55), fur)
    p.ellipse((0.0, 0.28, 0.2, 0.48), _lt(fur, 1.2))
    p.ellipse((0.0, 0.3, 0.08, 0.38), DARK)
    p.ellipse((0.32, 0.05, 0.5, 0.4), _dk(fur, 0.7))
    p.ellipse((0.16, 0.16, 0.22, 0.22), DARK)
    p.line([(0.92, 0.6), (1.0, 0.38)], fur, 0.05)


@kind("fruit_bowl", 14, 2.0, "table", tag=(0.5, 0.5), label="fruit", product=False)
def _fruit_bowl(p: Pen, c: Colour, r: random.Random) -> None:
    for x, col in (
        (0.2, (230, 140, 40)),
        (0.42, (200, 40, 40)),
        (0.62, (240, 200, 60)),
        (0.32, (120, 170, 60)),
    ):
        p.ellipse((x, 0.1, x + 0.26, 0.55), col)
    p.chord((0.0, -0.4, 1.0, 1.0), 0, 180, (236, 232, 222))
    p.rect((0.3, 0.94, 0.7, 1.0), (210, 206, 196))


@kind("sunglasses", 4, 3.0, "table ground", tag=(0.25, 0.5), label="sunglasses", product=False)
def _sunglasses(p: Pen, c: Colour, r: random.Random) -> None:
    for x in (0.0, 0.56):
        p.rect((x, 0.05, x + 0.44, 1.0), DARK, radius=0.2)
        p.rect((x + 0.05, 0.15, x + 0.39, 0.9), (40, 50, 60), radius=0.15)
    p.arc((0.4, 0.1, 0.6, 0.5), 180, 360, DARK, 0.05)


@kind("coffee_bag", 20, 0.7, "table", tag=(0.5, 0.6), label="coffee beans", product=False)
def _coffee_bag(p: Pen, c: Colour, r: random.Random) -> None:
    bag = r.choice([(180, 150, 110), (40, 40, 44), (230, 226, 216)])
    p.poly([(0.05, 0.05), (0.95, 0.05), (1.0, 1.0), (0.0, 1.0)], bag)
    p.rect((0.05, 0.0, 0.95, 0.12), shade(bag, 0.85))
    p.rect((0.2, 0.4, 0.8, 0.75), PAPER)
    p.ellipse((0.42, 0.48, 0.58, 0.66), COFFEE)


def product_kinds() -> list[str]:
    return sorted(k for k, v in KINDS.items() if v.product)
