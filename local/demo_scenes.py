"""Demo scenes: a setting (a place), a light (a time of day), a composition, and the objects in it.

`compose()` draws a picture and keeps a record of what it drew where: each object's kind, box and
the point a shopping tag would sit on (a point where that object, not another in front of it,
is visible). The demo's posts put their tags on those points, and the tests check them there.

Settings are places people photograph their things: a kitchen counter, a cafe table, a desk, a
vanity shelf, a living-room floor, an entryway, a paper-sweep studio, a gym, a workbench, a
nursery, a garden, a mountain trail, a campsite, a lake shore, a beach, a city street, a park.
Each is drawn with variations (wall colour and texture, window or shelf or art, surface
material), seen from a varying height (horizon), lit by one of six lights (morning, midday,
golden hour, overcast, blue hour, lamp-lit night) from the left or the right, and developed like
a photograph (white balance, fall-off, vignette, grain, background out of focus).
"""

from __future__ import annotations

import itertools
import json
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from local import demo_art as art
from local.demo_art import Colour, Light, mix, shade
from local.demo_objects import FLOOR, GROUND, KINDS, TABLE, WALL

# ---------------------------------------------------------------- light


@dataclass(frozen=True)
class TimeOfDay:
    name: str
    sky: tuple[Colour, Colour]  # top, horizon
    warmth: Colour
    level: float
    hardness: float
    length: float
    lamps: bool  # lamps and screens glow


TIMES: dict[str, TimeOfDay] = {
    "morning": TimeOfDay(
        "morning", ((120, 170, 225), (248, 226, 200)), (255, 246, 232), 1.02, 0.55, 1.0, False
    ),
    "midday": TimeOfDay(
        "midday", ((70, 140, 225), (200, 225, 245)), (252, 252, 255), 1.06, 0.85, 0.35, False
    ),
    "golden": TimeOfDay("golden", ((110, 140, 200), (255, 196, 130)), (255, 222, 178), 1.0, 0.8, 1.4, False),
    "overcast": TimeOfDay(
        "overcast", ((170, 180, 192), (222, 226, 230)), (238, 244, 252), 0.97, 0.12, 0.35, False
    ),
    "dusk": TimeOfDay("dusk", ((40, 56, 110), (226, 150, 140)), (206, 212, 255), 0.8, 0.25, 0.6, True),
    "night": TimeOfDay("night", ((14, 18, 36), (40, 44, 70)), (255, 206, 150), 0.78, 0.45, 0.8, True),
}

# Where light comes out of an object (fractions of its box), when lamps glow.
EMITTERS: dict[str, tuple[float, float, Colour]] = {
    "lantern": (0.5, 0.55, (255, 190, 100)),
    "table_lamp": (0.5, 0.3, (255, 210, 140)),
    "floor_lamp": (0.5, 0.15, (255, 210, 140)),
    "candle": (0.5, 0.12, (255, 180, 90)),
    "campfire": (0.5, 0.55, (255, 140, 50)),
    "monitor": (0.5, 0.35, (150, 170, 255)),
    "laptop": (0.5, 0.4, (150, 180, 255)),
    "headlamp": (0.5, 0.6, (255, 250, 220)),
}


# ---------------------------------------------------------------- the record


@dataclass(frozen=True)
class Drawn:
    """One object in a picture: its kind, its box and a tag point, as fractions of the picture."""

    kind: str
    box: tuple[float, float, float, float]
    point: tuple[float, float]
    colour: Colour
    product_id: str | None = None  # the catalog product it shows, when it shows one


@dataclass
class Drawing:
    """What `compose()` drew: the place and light, and every object in drawing order (a later one
    is in front). `kind_at()` answers from the picture's own object map."""

    setting: str
    family: str  # the scene family image labels name (local/demo_labels.py)
    time: str
    objects: list[Drawn]
    size: tuple[int, int]
    object_map: Image.Image | None = field(default=None, repr=False)  # "L": 0 none, i+1 objects[i]

    def kind_at(self, x: float, y: float) -> str | None:
        """The kind of the object visible at (x, y) (fractions), or None."""
        if self.object_map is None:
            raise ValueError("this record has no object map")
        px = min(self.size[0] - 1, max(0, int(x * self.size[0])))
        py = min(self.size[1] - 1, max(0, int(y * self.size[1])))
        index = self.object_map.getpixel((px, py))
        assert isinstance(index, int)
        return self.objects[index - 1].kind if index else None

    def kinds(self) -> list[str]:
        return [o.kind for o in self.objects]

    def to_json(self) -> str:
        """The record without its object map (what a cached picture keeps beside it)."""
        objects = [[d.kind, d.box, d.point, d.colour, d.product_id] for d in self.objects]
        return json.dumps(
            {
                "setting": self.setting,
                "family": self.family,
                "time": self.time,
                "size": self.size,
                "objects": objects,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Drawing:
        raw = json.loads(text)
        objects = [Drawn(k, tuple(b), tuple(p), tuple(c), pid) for k, b, p, c, pid in raw["objects"]]
        return cls(raw["setting"], raw["family"], raw["time"], objects, tuple(raw["size"]))  # type: ignore[arg-type]


# ---------------------------------------------------------------- settings


@dataclass
class Stage:
    """The picture being drawn: its size, where the surface begins, its light."""

    image: Image.Image
    horizon: int  # y where the surface (table top, floor, ground) begins
    time: TimeOfDay
    light: Light
    rng: random.Random
    seed: int
    source: tuple[float, float] | None = None  # where the light pools (fractions)
    rail: int | None = None  # y of a wall rail things hang from

    @property
    def size(self) -> tuple[int, int]:
        return self.image.size


Backdrop = Callable[[Stage], None]

WALLS: list[Colour] = [
    (238, 234, 226), (228, 220, 206), (214, 222, 210), (200, 208, 214), (232, 214, 200),
    (70, 84, 96), (52, 58, 62), (196, 142, 112), (222, 206, 190), (246, 244, 240),
]  # fmt: skip
WOODS: list[Colour] = [(170, 120, 76), (128, 86, 56), (196, 160, 118), (92, 64, 44), (210, 180, 140)]


def _sky(stage: Stage, bottom: int) -> None:
    width = stage.size[0]
    top, horizon = stage.time.sky
    sky = art.vertical((width, max(2, bottom)), top, horizon)
    if stage.time.name in ("morning", "golden", "dusk"):
        sun_x = stage.rng.uniform(0.15, 0.85) * width
        stage.source = (sun_x / width, 0.5 * bottom / stage.size[1])
        sky = Image.composite(
            Image.new("RGB", sky.size, mix(horizon, (255, 250, 230), 0.6)),
            sky,
            art.glow(sky.size, (sun_x, bottom * 0.9), width * 0.45, 0.8),
        )
    if stage.time.name in ("midday", "overcast", "morning"):
        clouds = Image.new("L", sky.size, 0)
        draw = ImageDraw.Draw(clouds)
        for _ in range(stage.rng.randint(2, 7)):
            cx, cy = stage.rng.uniform(0, width), stage.rng.uniform(0.05, 0.6) * bottom
            for _ in range(5):
                rx, ry = stage.rng.uniform(0.04, 0.1) * width, stage.rng.uniform(0.02, 0.05) * width
                ox = stage.rng.uniform(-0.08, 0.08) * width
                draw.ellipse((cx + ox - rx, cy - ry, cx + ox + rx, cy + ry), fill=stage.rng.randint(120, 200))
        clouds = art.blur(clouds, width / 90)
        sky = Image.composite(Image.new("RGB", sky.size, (250, 250, 252)), sky, clouds)
    stage.image.paste(sky, (0, 0))


def _ridges(stage: Stage, base: int, layers: int, colour: Colour, height: float) -> None:
    width = stage.size[0]
    haze = stage.time.sky[1]
    for layer in range(layers):
        tone = mix(colour, haze, 0.6 - 0.5 * layer / max(1, layers - 1))
        points = [(0.0, float(base))]
        x, y = 0.0, base - stage.rng.uniform(0.2, 0.6) * height
        while x < width:
            points.append((x, y))
            x += stage.rng.uniform(0.05, 0.14) * width
            y = base - stage.rng.uniform(0.15, 1.0) * height * (1 - 0.25 * layer)
        points += [(width, y), (float(width), float(base))]
        ImageDraw.Draw(stage.image).polygon(points, fill=tone)


def _pines(stage: Stage, base: int, height: float, colour: Colour, density: int) -> None:
    draw = ImageDraw.Draw(stage.image)
    width = stage.size[0]
    for _ in range(density):
        x = stage.rng.uniform(-0.02, 1.02) * width
        h = height * stage.rng.uniform(0.5, 1.0)
        w = h * stage.rng.uniform(0.22, 0.32)
        tone = shade(colour, stage.rng.uniform(0.8, 1.15))
        draw.polygon([(x - w, base), (x, base - h), (x + w, base)], fill=tone)


def _ground(stage: Stage, colour: Colour, texture: str) -> None:
    width, height = stage.size
    area = (width, height - stage.horizon)
    if texture == "grass":
        surface = art.grass(area, colour, stage.seed)
    elif texture == "sand":
        surface = art.speckle(area, colour, stage.seed, sigma=14, blur=0.5)
    else:
        surface = art.speckle(area, colour, stage.seed, sigma=22, blur=0.7)
    # distance: the far ground hazier and lighter, the near ground darker
    surface = Image.composite(
        Image.new("RGB", area, mix(colour, stage.time.sky[1], 0.45)),
        surface,
        art.ramp(area, 0.55, 0.0),
    )
    stage.image.paste(surface, (0, stage.horizon))


def outdoor(view: str, ground: str, ground_colour: Colour) -> Backdrop:
    def draw(stage: Stage) -> None:
        width, height = stage.size
        _sky(stage, stage.horizon + 2)
        if view == "mountains":
            _ridges(stage, stage.horizon, 3, (84, 100, 126), stage.horizon * 0.55)
            _pines(stage, stage.horizon + 2, stage.horizon * 0.18, (40, 62, 48), 40)
        elif view == "forest":
            _ridges(stage, stage.horizon, 1, (96, 116, 120), stage.horizon * 0.35)
            _pines(stage, stage.horizon + 2, stage.horizon * 0.6, (34, 58, 44), 26)
            _pines(stage, stage.horizon + 2, stage.horizon * 0.4, (28, 48, 36), 18)
        elif view in ("lake", "sea"):
            water_top = stage.horizon - int(height * (0.05 if view == "sea" else 0.08))
            if view == "lake":
                _ridges(stage, water_top, 2, (70, 96, 90), water_top * 0.4)
                _pines(stage, water_top + 1, water_top * 0.12, (40, 62, 48), 30)
            water = art.vertical(
                (width, stage.horizon - water_top + 2),
                shade(stage.time.sky[0], 0.85),
                mix(stage.time.sky[1], (60, 110, 140), 0.5),
            )
            glint = art.streaks(water.size, stage.seed, along=40, sigma=30)
            water = Image.composite(
                Image.new("RGB", water.size, (250, 250, 240)),
                water,
                glint.point([max(0, (i - 170) * 3) for i in range(256)]),
            )
            stage.image.paste(water, (0, water_top))
        elif view == "fence":
            fence = (236, 232, 222) if stage.rng.random() < 0.5 else (150, 110, 76)
            top = int(stage.horizon * 0.45)
            draw_ = ImageDraw.Draw(stage.image)
            for x in range(-10, width + 10, max(12, width // 14)):
                draw_.rectangle(
                    (x, top, x + width // 18, stage.horizon), fill=art.jitter(fence, stage.rng, 8)
                )
            for _ in range(24):
                x = stage.rng.uniform(0, width)
                r = stage.rng.uniform(0.03, 0.07) * width
                draw_.ellipse(
                    (x - r, stage.horizon - r * 1.4, x + r, stage.horizon + r * 0.2),
                    fill=shade((70, 120, 64), stage.rng.uniform(0.7, 1.2)),
                )
        elif view == "park":
            for _ in range(7):
                x = stage.rng.uniform(0, width)
                r = stage.rng.uniform(0.07, 0.13) * width
                trunk = stage.horizon - r * 0.5
                ImageDraw.Draw(stage.image).rectangle(
                    (x - r * 0.08, trunk - r, x + r * 0.08, stage.horizon), fill=(80, 64, 50)
                )
                ImageDraw.Draw(stage.image).ellipse(
                    (x - r, trunk - r * 2.4, x + r, trunk),
                    fill=shade((78, 124, 70), stage.rng.uniform(0.8, 1.1)),
                )
        _ground(stage, ground_colour, ground)
        if view in ("mountains", "forest", "park") and ground != "sand":  # a path into the distance
            path = Image.new("L", (width, height), 0)
            cx = stage.rng.uniform(0.35, 0.65) * width
            ImageDraw.Draw(path).polygon(
                [
                    (cx - width * 0.02, stage.horizon),
                    (cx + width * 0.02, stage.horizon),
                    (cx + width * 0.35, height),
                    (cx - width * 0.2, height),
                ],
                fill=150,
            )
            path = art.blur(path, width / 120)
            stage.image.paste(
                art.speckle((width, height), (176, 150, 116), stage.seed + 3, sigma=20), (0, 0), path
            )
        if stage.source is None:
            stage.source = (0.15 if stage.light.side < 0 else 0.85, 0.1)

    return draw


def _window(stage: Stage, box: tuple[int, int, int, int]) -> None:
    draw = ImageDraw.Draw(stage.image)
    x0, y0, x1, y1 = box
    sky = art.vertical((x1 - x0, y1 - y0), stage.time.sky[0], stage.time.sky[1])
    bright = mix(stage.time.sky[1], (255, 255, 255), 0.55 if not stage.time.lamps else 0.0)
    sky = Image.blend(sky, Image.new("RGB", sky.size, bright), 0.5)
    if stage.rng.random() < 0.6 and not stage.time.lamps:  # a tree outside
        leaves = Image.new("L", sky.size, 0)
        ld = ImageDraw.Draw(leaves)
        for _ in range(12):
            cx, cy = stage.rng.uniform(0, sky.width), stage.rng.uniform(0.4, 1.0) * sky.height
            r = stage.rng.uniform(0.1, 0.25) * sky.width
            ld.ellipse((cx - r, cy - r, cx + r, cy + r), fill=110)
        sky = Image.composite(Image.new("RGB", sky.size, (120, 150, 110)), sky, art.blur(leaves, 6))
    stage.image.paste(sky, (x0, y0))
    frame = (250, 248, 244) if stage.rng.random() < 0.7 else (40, 40, 42)
    bar = max(3, (x1 - x0) // 28)
    draw.rectangle(box, outline=frame, width=bar * 2)
    draw.rectangle(((x0 + x1) // 2 - bar // 2, y0, (x0 + x1) // 2 + bar // 2, y1), fill=frame)
    draw.rectangle((x0, (y0 + y1) // 2 - bar // 2, x1, (y0 + y1) // 2 + bar // 2), fill=frame)
    draw.rectangle((x0 - bar * 2, y1, x1 + bar * 2, y1 + bar * 2), fill=shade(frame, 0.92))
    stage.source = ((x0 + x1) / 2 / stage.size[0], (y0 + y1) / 2 / stage.size[1])


def _shelf(stage: Stage, y: int, x0: int, x1: int, items: Sequence[Colour]) -> None:
    draw = ImageDraw.Draw(stage.image)
    thick = max(4, stage.size[1] // 70)
    draw.rectangle((x0, y, x1, y + thick), fill=shade(stage.rng.choice(WOODS), 1.0))
    x = x0 + thick
    while x < x1 - thick * 4:
        w = stage.rng.uniform(0.02, 0.05) * stage.size[0]
        h = stage.rng.uniform(0.04, 0.12) * stage.size[1]
        colour = stage.rng.choice(list(items))
        if stage.rng.random() < 0.5:
            draw.rectangle((x, y - h, x + w, y), fill=colour)
        else:
            draw.rounded_rectangle((x, y - h * 0.8, x + w * 1.5, y), radius=w * 0.4, fill=colour)
            w *= 1.5
        x += w + stage.rng.uniform(0.0, 0.03) * stage.size[0]


def _art(stage: Stage, box: tuple[int, int, int, int]) -> None:
    draw = ImageDraw.Draw(stage.image)
    frame = stage.rng.choice([(30, 30, 30), (250, 250, 248), (170, 130, 90)])
    draw.rectangle(box, fill=frame)
    pad = max(3, (box[2] - box[0]) // 12)
    inner = (box[0] + pad, box[1] + pad, box[2] - pad, box[3] - pad)
    a, b = stage.rng.sample(
        [(220, 200, 170), (70, 100, 120), (190, 110, 80), (230, 230, 220), (120, 140, 110)], 2
    )
    draw.rectangle(inner, fill=a)
    w, h = inner[2] - inner[0], inner[3] - inner[1]
    draw.ellipse((inner[0] + w * 0.2, inner[1] + h * 0.3, inner[0] + w * 0.8, inner[1] + h * 0.9), fill=b)


def _tiles(stage: Stage, bottom: int, colour: Colour, tile: int) -> None:
    draw = ImageDraw.Draw(stage.image)
    grout = shade(colour, 0.86)
    width = stage.size[0]
    for row, y in enumerate(range(bottom, -tile, -tile // 2)):
        offset = (row % 2) * tile // 2
        for x in range(-offset, width, tile):
            draw.rectangle(
                (x, y - tile // 2, x + tile, y), fill=art.jitter(colour, stage.rng, 4), outline=grout
            )


def _bricks(stage: Stage, bottom: int, colour: Colour) -> None:
    draw = ImageDraw.Draw(stage.image)
    width = stage.size[0]
    brick_w, brick_h = max(16, width // 12), max(8, width // 36)
    draw.rectangle((0, 0, width, bottom), fill=(200, 196, 188))
    for row, y in enumerate(range(bottom, -brick_h, -brick_h)):
        offset = (row % 2) * brick_w // 2
        for x in range(-offset, width, brick_w):
            draw.rectangle(
                (x + 1, y - brick_h + 1, x + brick_w - 1, y - 1), fill=art.jitter(colour, stage.rng, 16)
            )


def _pegboard(stage: Stage, bottom: int) -> None:
    draw = ImageDraw.Draw(stage.image)
    width = stage.size[0]
    board = (206, 176, 136)
    draw.rectangle((0, 0, width, bottom), fill=board)
    step = max(10, width // 40)
    for y in range(step // 2, bottom, step):
        for x in range(step // 2, width, step):
            draw.ellipse((x - 1.5, y - 1.5, x + 1.5, y + 1.5), fill=shade(board, 0.55))
    for _ in range(5):  # tools hanging
        x, y = stage.rng.uniform(0.1, 0.9) * width, stage.rng.uniform(0.1, 0.5) * bottom
        length = stage.rng.uniform(0.08, 0.2) * bottom
        colour = stage.rng.choice([(200, 40, 40), (40, 40, 44), (230, 180, 40), (60, 90, 160)])
        draw.rectangle((x - 3, y, x + 3, y + length), fill=colour)
        draw.rectangle((x - 8, y + length, x + 8, y + length + length * 0.35), fill=(150, 150, 156))


def _bokeh(stage: Stage, bottom: int) -> None:
    spots = Image.new("L", (stage.size[0], bottom), 0)
    draw = ImageDraw.Draw(spots)
    for _ in range(stage.rng.randint(10, 22)):
        x, y = stage.rng.uniform(0, spots.width), stage.rng.uniform(0.1, 0.8) * bottom
        r = stage.rng.uniform(0.012, 0.04) * spots.width
        draw.ellipse((x - r, y - r, x + r, y + r), fill=stage.rng.randint(120, 230))
    warm = Image.new("RGB", spots.size, (255, 200, 130))
    region = stage.image.crop((0, 0, spots.width, bottom))
    stage.image.paste(
        Image.composite(ImageChops.screen(region, warm), region, spots.filter(ImageFilter.GaussianBlur(2))),
        (0, 0),
    )


def interior(decor: Sequence[str], walls: Sequence[Colour] | None = None, surface: str = "wood") -> Backdrop:
    """A wall (plaster, tiles, bricks, pegboard) with decor, and a surface: a table top or a floor."""

    def draw(stage: Stage) -> None:
        width, height = stage.size
        rng = stage.rng
        wall = rng.choice(list(walls or WALLS))
        if stage.time.lamps:
            wall = shade(wall, 0.7)
        stage.image.paste(art.speckle((width, stage.horizon + 2), wall, stage.seed, sigma=6), (0, 0))
        style = rng.choice(list(decor))
        if style == "tiles":
            _tiles(
                stage,
                stage.horizon,
                rng.choice([(240, 240, 236), (200, 222, 214), (30, 60, 70), (232, 220, 200)]),
                max(18, width // 16),
            )
        elif style == "bricks":
            _bricks(
                stage,
                stage.horizon,
                rng.choice([(150, 70, 50), (170, 96, 70), (120, 60, 50), (220, 214, 204)]),
            )
        elif style == "pegboard":
            _pegboard(stage, stage.horizon)
        if style == "window" or (style in ("tiles", "plain") and rng.random() < 0.4):
            left = rng.random() < 0.5 if stage.light.side == 0 else stage.light.side < 0
            w = int(width * rng.uniform(0.22, 0.34))
            x0 = (
                int(width * rng.uniform(0.04, 0.14))
                if left
                else width - w - int(width * rng.uniform(0.04, 0.14))
            )
            y1 = stage.horizon - int(height * rng.uniform(0.04, 0.12))
            y0 = max(int(height * 0.02), y1 - int(w * rng.uniform(1.0, 1.5)))
            _window(stage, (x0, y0, x0 + w, y1))
        elif style == "shelf":
            y = int(stage.horizon * rng.uniform(0.35, 0.6))
            _shelf(
                stage,
                y,
                int(width * rng.uniform(0.0, 0.3)),
                int(width * rng.uniform(0.7, 1.0)),
                [(230, 230, 226), (150, 60, 50), (60, 80, 110), (200, 170, 110), (90, 120, 90)],
            )
        elif style == "art":
            w = int(width * rng.uniform(0.18, 0.3))
            x0 = int(width * rng.uniform(0.1, 0.9 - 0.3))
            y1 = int(stage.horizon * rng.uniform(0.6, 0.8))
            _art(stage, (x0, y1 - int(w * rng.uniform(0.7, 1.3)), x0 + w, y1))
        elif style == "bokeh":
            stage.image.paste(art.vertical((width, stage.horizon), (40, 30, 26), (90, 66, 50)), (0, 0))
            _bokeh(stage, stage.horizon)
        elif style == "panels":
            d = ImageDraw.Draw(stage.image)
            panel = rng.choice([(60, 64, 72), (120, 90, 70), (50, 70, 80)])
            step = width // 6
            for x in range(step // 3, width, step):
                d.rectangle(
                    (x, int(stage.horizon * 0.1), x + step * 0.8, int(stage.horizon * 0.75)),
                    fill=art.jitter(panel, rng, 10),
                )
        elif style == "rail":
            d = ImageDraw.Draw(stage.image)
            stage.rail = int(stage.horizon * rng.uniform(0.18, 0.3))
            d.rectangle((0, stage.rail - 6, width, stage.rail + 6), fill=rng.choice(WOODS))
        if stage.time.lamps and style != "bokeh":  # a warm pool of lamp light on the wall
            x = rng.uniform(0.2, 0.8) * width
            pool = art.glow((width, stage.horizon + 2), (x, stage.horizon * 0.3), width * 0.45, 0.55)
            region = stage.image.crop((0, 0, width, stage.horizon + 2))
            stage.image.paste(
                Image.composite(
                    ImageChops.screen(region, Image.new("RGB", region.size, (150, 100, 50))), region, pool
                ),
                (0, 0),
            )
        _surface(stage, surface)
        if stage.source is None:
            stage.source = (0.0 if stage.light.side < 0 else 1.0, 0.2)

    return draw


def _surface(stage: Stage, kind: str) -> None:
    width, height = stage.size
    area = (width, height - stage.horizon)
    rng = stage.rng
    if kind == "wood":
        top = art.wood(area, rng.choice(WOODS), stage.seed, plank=area[1] / rng.uniform(2.5, 5))
    elif kind == "floorboards":
        flat = art.wood((width, area[1] * 2), rng.choice(WOODS), stage.seed).transpose(
            Image.Transpose.ROTATE_90
        )
        flat = flat.resize((width * 2, area[1]))
        draw = ImageDraw.Draw(flat)
        for x in range(0, flat.width, max(8, flat.width // 16)):
            draw.line((x, 0, x, flat.height), fill=(60, 40, 30), width=2)
        top = flat.transform(
            area,
            Image.Transform.QUAD,
            (0, 0, width * 0.5, area[1], width * 1.5, area[1], width * 2, 0),
            resample=Image.Resampling.BILINEAR,
        )
    elif kind == "marble":
        top = art.marble(area, rng.choice([(236, 234, 230), (224, 222, 218), (60, 60, 62)]), stage.seed)
    elif kind == "linen":
        top = art.fabric(
            area, rng.choice([(236, 230, 218), (200, 210, 214), (220, 200, 186), (170, 180, 160)]), stage.seed
        )
    elif kind == "concrete":
        top = art.speckle(
            area, rng.choice([(170, 170, 168), (128, 130, 132), (196, 192, 186)]), stage.seed, sigma=16
        )
    elif kind == "rubber":
        top = art.speckle(area, (46, 48, 50), stage.seed, sigma=14, blur=0.4)
    elif kind == "rug":
        base = rng.choice([(200, 180, 150), (150, 70, 60), (60, 80, 100), (220, 214, 200)])
        top = art.fabric(area, base, stage.seed)
        draw = ImageDraw.Draw(top)
        for y in range(area[1] // 6, area[1], max(6, area[1] // 5)):
            draw.line((0, y, width, y), fill=shade(base, 0.75), width=max(2, area[1] // 40))
    elif kind == "paper":
        top = art.vertical(
            area,
            shade(stage.image.getpixel((width // 2, stage.horizon - 1))[:3], 1.0),
            shade(stage.image.getpixel((width // 2, stage.horizon - 1))[:3], 0.92),
        )  # type: ignore[index]
    else:
        top = art.speckle(area, (200, 196, 190), stage.seed)
    # The far edge of a surface catches less light than its front; its edge line shows depth.
    top = ImageChops.multiply(top, Image.merge("RGB", [art.ramp(area, 0.82, 1.0)] * 3))
    stage.image.paste(top, (0, stage.horizon))
    if kind != "paper":
        edge = shade(top.getpixel((width // 2, 2))[:3], 0.6)  # type: ignore[index]
        ImageDraw.Draw(stage.image).line(
            (0, stage.horizon, width, stage.horizon), fill=edge, width=max(2, height // 200)
        )


def studio(stage: Stage) -> None:
    """A paper sweep: one colour curving from wall to floor, no edge."""
    width, height = stage.size
    paper = stage.rng.choice(
        [(236, 226, 212), (214, 226, 232), (240, 214, 206), (222, 230, 214), (60, 62, 68), (246, 236, 200)]
    )
    stage.image.paste(art.vertical((width, height), shade(paper, 0.82), shade(paper, 1.06)), (0, 0))
    stage.image.paste(
        art.speckle((width, height), paper, stage.seed, sigma=3, blur=1.5),
        (0, 0),
        art.ramp((width, height), 0.0, 0.35),
    )
    stage.source = (0.2 if stage.light.side < 0 else 0.8, 0.1)


@dataclass(frozen=True)
class Setting:
    name: str
    family: str  # scene family for image labels: outdoors, kitchen, home, desk, beauty, active, pets, style
    place: str  # where objects stand: TABLE, FLOOR or GROUND
    backdrop: Backdrop
    horizon: tuple[float, float]  # the surface's back edge, as a share of the height
    times: tuple[str, ...]
    dof: float  # background blur, as a share of the width
    labels: tuple[str, ...]


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting(
            "kitchen_counter",
            "kitchen",
            TABLE,
            interior(["tiles", "window", "shelf", "plain"], surface="marble"),
            (0.32, 0.5),
            ("morning", "midday", "overcast", "golden", "night"),
            0.004,
            ("kitchen", "countertop"),
        ),
        Setting(
            "dining_table",
            "kitchen",
            TABLE,
            interior(["art", "window", "plain", "shelf"], surface="wood"),
            (0.3, 0.48),
            ("morning", "midday", "golden", "overcast", "night"),
            0.005,
            ("dining table", "indoors"),
        ),
        Setting(
            "cafe_table",
            "kitchen",
            TABLE,
            interior(["bokeh", "bricks"], walls=[(60, 46, 40), (90, 70, 56)], surface="wood"),
            (0.3, 0.48),
            ("morning", "overcast", "night", "golden"),
            0.007,
            ("cafe", "table"),
        ),
        Setting(
            "desk",
            "desk",
            TABLE,
            interior(["shelf", "window", "pegboard", "plain", "art"], surface="wood"),
            (0.3, 0.48),
            ("morning", "midday", "overcast", "dusk", "night"),
            0.005,
            ("desk", "workspace"),
        ),
        Setting(
            "vanity",
            "beauty",
            TABLE,
            interior(
                ["tiles", "plain", "window"],
                walls=[(246, 240, 236), (240, 226, 222), (226, 234, 232)],
                surface="marble",
            ),
            (0.3, 0.48),
            ("morning", "midday", "overcast", "golden"),
            0.006,
            ("bathroom", "shelf"),
        ),
        Setting(
            "nightstand",
            "home",
            TABLE,
            interior(["art", "plain", "window"], surface="wood"),
            (0.3, 0.48),
            ("night", "dusk", "morning", "overcast"),
            0.006,
            ("bedroom", "nightstand"),
        ),
        Setting(
            "living_room",
            "home",
            FLOOR,
            interior(["window", "art", "shelf", "plain"], surface="floorboards"),
            (0.5, 0.66),
            ("morning", "midday", "golden", "overcast", "night", "dusk"),
            0.004,
            ("living room", "floor"),
        ),
        Setting(
            "entryway",
            "style",
            FLOOR,
            interior(["rail"], surface="floorboards"),
            (0.62, 0.72),
            ("morning", "overcast", "midday", "golden"),
            0.003,
            ("hallway", "indoors"),
        ),
        Setting(
            "studio",
            "style",
            FLOOR,
            studio,
            (0.55, 0.7),
            ("midday", "overcast", "golden"),
            0.0,
            ("studio", "backdrop"),
        ),
        Setting(
            "studio_table",
            "style",
            TABLE,
            studio,
            (0.3, 0.48),
            ("midday", "overcast", "morning"),
            0.0,
            ("studio", "product"),
        ),
        Setting(
            "gym",
            "active",
            FLOOR,
            interior(
                ["plain", "window", "panels"],
                walls=[(200, 200, 198), (70, 74, 80), (226, 226, 222)],
                surface="rubber",
            ),
            (0.42, 0.6),
            ("morning", "midday", "overcast", "night"),
            0.004,
            ("gym", "fitness"),
        ),
        Setting(
            "yoga_room",
            "active",
            FLOOR,
            interior(
                ["window", "plain", "art"],
                walls=[(240, 236, 228), (214, 222, 210), (232, 214, 200)],
                surface="floorboards",
            ),
            (0.5, 0.64),
            ("morning", "golden", "overcast"),
            0.004,
            ("yoga", "room"),
        ),
        Setting(
            "workbench",
            "home",
            TABLE,
            interior(["pegboard"], surface="wood"),
            (0.3, 0.48),
            ("midday", "overcast", "night"),
            0.004,
            ("workshop", "tools"),
        ),
        Setting(
            "music_corner",
            "desk",
            FLOOR,
            interior(["panels", "art", "plain"], surface="rug"),
            (0.5, 0.64),
            ("night", "dusk", "overcast", "golden"),
            0.004,
            ("music", "room"),
        ),
        Setting(
            "nursery",
            "home",
            FLOOR,
            interior(
                ["art", "window", "plain"],
                walls=[(236, 226, 214), (214, 228, 232), (238, 220, 222), (226, 232, 214)],
                surface="rug",
            ),
            (0.5, 0.64),
            ("morning", "midday", "overcast"),
            0.004,
            ("nursery", "room"),
        ),
        Setting(
            "pet_corner",
            "pets",
            FLOOR,
            interior(["window", "plain", "art"], surface="floorboards"),
            (0.5, 0.66),
            ("morning", "golden", "overcast", "night"),
            0.004,
            ("pet", "floor"),
        ),
        Setting(
            "garden",
            "outdoors",
            GROUND,
            outdoor("fence", "grass", (96, 140, 70)),
            (0.45, 0.6),
            ("morning", "midday", "golden", "overcast"),
            0.004,
            ("garden", "plant"),
        ),
        Setting(
            "trail",
            "outdoors",
            GROUND,
            outdoor("mountains", "dirt", (150, 128, 96)),
            (0.4, 0.56),
            ("morning", "midday", "golden", "overcast"),
            0.002,
            ("mountains", "outdoors"),
        ),
        Setting(
            "campsite",
            "outdoors",
            GROUND,
            outdoor("forest", "grass", (90, 110, 64)),
            (0.42, 0.58),
            ("dusk", "golden", "morning", "night"),
            0.003,
            ("camping", "outdoors"),
        ),
        Setting(
            "lakeside",
            "outdoors",
            GROUND,
            outdoor("lake", "dirt", (130, 120, 100)),
            (0.45, 0.58),
            ("morning", "golden", "overcast", "dusk"),
            0.002,
            ("lake", "outdoors"),
        ),
        Setting(
            "beach",
            "outdoors",
            GROUND,
            outdoor("sea", "sand", (226, 206, 170)),
            (0.4, 0.55),
            ("midday", "golden", "morning"),
            0.002,
            ("beach", "sea"),
        ),
        Setting(
            "street",
            "style",
            GROUND,
            interior(["bricks"], surface="concrete"),
            (0.55, 0.7),
            ("overcast", "golden", "midday"),
            0.003,
            ("street", "city"),
        ),
        Setting(
            "park",
            "active",
            GROUND,
            outdoor("park", "grass", (104, 146, 76)),
            (0.42, 0.56),
            ("morning", "golden", "midday", "overcast"),
            0.003,
            ("park", "outdoors"),
        ),
    ]
}


# ---------------------------------------------------------------- composing


@dataclass(frozen=True)
class Piece:
    """An object to place: its kind, colour and the product it shows (None for a prop)."""

    kind: str
    colour: Colour
    product_id: str | None = None


SOLID = [255 if a > 110 else 0 for a in range(256)]  # alpha -> the object map's "this is it"

# How much of the frame's height the largest object fills: table tops are shot close.
CLOSENESS = {TABLE: (0.5, 0.72), FLOOR: (0.45, 0.68), GROUND: (0.4, 0.62)}


def _light(time: TimeOfDay, rng: random.Random) -> Light:
    return Light(rng.choice([-1.0, 1.0]), time.hardness, time.length, time.warmth, time.level)


def compose(
    setting_name: str,
    pieces: Sequence[Piece],
    size: tuple[int, int],
    seed: int,
    time: str | None = None,
) -> tuple[Image.Image, Drawing]:
    """Draw `pieces` in the setting; the first pieces are the picture's subject (nearest, largest)."""
    rng = random.Random(seed)
    setting = SETTINGS[setting_name]
    tod = TIMES[time or rng.choice(setting.times)]
    width, height = size
    stage = Stage(
        Image.new("RGB", size, (0, 0, 0)),
        int(height * rng.uniform(*setting.horizon)),
        tod,
        _light(tod, rng),
        rng,
        seed,
    )
    setting.backdrop(stage)
    if setting.dof:
        stage.image = art.blur(stage.image, setting.dof * width)
    layout = _clear_layout(stage, setting, pieces)
    object_map = Image.new("L", size, 0)
    drawn: list[Drawn] = []
    glows: list[tuple[float, float, float, Colour]] = []
    for index, (piece, box) in enumerate(layout, start=1):
        spec = KINDS[piece.kind]
        x0, y0, x1, y1 = box
        pen = art.Pen(int(x1 - x0), int(y1 - y0))
        spec.draw(pen, piece.colour, random.Random(seed * 7 + index))
        layer = art.form(pen.layer(), stage.light)
        at = (int(x0), int(y0))
        if _hangs(spec.places, setting, stage):
            _drop_shadow(stage.image, layer, at, stage.light)
        else:
            art.cast_shadow(stage.image, layer, at, stage.light)
        stage.image.paste(layer, at, layer)
        solid = layer.getchannel("A").point(SOLID)
        object_map.paste(index, at, solid)
        if piece.kind in EMITTERS and tod.lamps:
            ex, ey, colour = EMITTERS[piece.kind]
            glows.append((x0 + ex * (x1 - x0), y0 + ey * (y1 - y0), max(x1 - x0, y1 - y0), colour))
        drawn.append(
            Drawn(
                piece.kind,
                (x0 / width, y0 / height, x1 / width, y1 / height),
                (0.0, 0.0),
                piece.colour,
                piece.product_id,
            )
        )
    for x, y, reach, colour in glows:
        mask = art.glow(size, (x, y), reach * 1.6, 0.75)
        stage.image = Image.composite(
            ImageChops.screen(stage.image, Image.new("RGB", size, colour)), stage.image, mask
        )
    image = art.develop(
        stage.image,
        stage.light,
        seed,
        source=stage.source,
        vignette=rng.uniform(0.12, 0.32),
        grain=rng.uniform(3, 6),
    )
    drawing = Drawing(setting.name, setting.family, tod.name, [], size, object_map)
    drawing.objects = [
        Drawn(
            d.kind,
            _rounded(d.box),
            _tag_point(object_map, i, layout[i - 1][1], KINDS[d.kind].tag, size),
            d.colour,
            d.product_id,
        )
        for i, d in enumerate(drawn, start=1)
    ]
    return image, drawing


def _rounded(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    return tuple(round(min(1.0, max(0.0, v)), 4) for v in box)  # type: ignore[return-value]


def _hangs(places: frozenset[str], setting: Setting, stage: Stage) -> bool:
    """Whether a kind hangs on the wall here: it cannot stand on this surface, or the wall has a
    rail for it."""
    if WALL not in places:
        return False
    return setting.place not in places or stage.rail is not None


def _drop_shadow(canvas: Image.Image, layer: Image.Image, at: tuple[int, int], light: Light) -> None:
    alpha = layer.getchannel("A").point([int(i * (0.25 + 0.3 * light.hardness)) for i in range(256)])
    shadow = art.blur(alpha, max(2, layer.width // 25))
    offset = int(-light.side * layer.width * 0.06)
    canvas.paste(
        Image.new("RGB", layer.size, (20, 16, 14)), (at[0] + offset, at[1] + layer.height // 40), shadow
    )


def _tag_point(
    object_map: Image.Image,
    index: int,
    box: tuple[float, float, float, float],
    tag: tuple[float, float],
    size: tuple[int, int],
) -> tuple[float, float]:
    """The kind's tag point in its box if this object is what shows there (with a finger's width
    of it around the point), else the nearest point where it does: objects in front cover parts
    of it, and thin parts (a strap, a frame) are no place for a tag."""
    left, top = max(0, int(box[0])), max(0, int(box[1]))
    right, bottom = min(size[0], int(box[2]) + 1), min(size[1], int(box[3]) + 1)
    wx, wy = int(box[0] + tag[0] * (box[2] - box[0])), int(box[1] + tag[1] * (box[3] - box[1]))
    # Usually the kind's own point is clear (the layout avoided covering it): a finger's width
    # around it is all this object, and no filter over the whole box is needed.
    reach = 2
    if left + reach <= wx < right - reach and top + reach <= wy < bottom - reach:
        around = object_map.crop((wx - reach, wy - reach, wx + reach + 1, wy + reach + 1))
        if around.getextrema() == (index, index):
            return round(wx / size[0], 4), round(wy / size[1], 4)
    mine = object_map.crop((left, top, right, bottom)).point([255 if v == index else 0 for v in range(256)])
    want = (wx - left, wy - top)
    for width in (5, 3, 1):
        core = mine.filter(ImageFilter.MinFilter(width)) if width > 1 else mine
        if core.getbbox() is None:
            continue
        if (
            core.getpixel((int(want[0]), int(want[1])))
            if 0 <= want[0] < core.width and 0 <= want[1] < core.height
            else 0
        ):
            x, y = want
        else:
            step = max(1, min(core.size) // 24)
            points = [
                (px, py)
                for px in range(0, core.width, step)
                for py in range(0, core.height, step)
                if core.getpixel((px, py))
            ]
            if not points:
                continue
            x, y = min(points, key=lambda p: math.hypot(p[0] - want[0], p[1] - want[1]))
        return round((x + left) / size[0], 4), round((y + top) / size[1], 4)
    raise ValueError(f"object {index} is hidden")


def _clear_layout(
    stage: Stage, setting: Setting, pieces: Sequence[Piece], attempts: int = 40
) -> list[tuple[Piece, tuple[float, float, float, float]]]:
    """A layout where no object's tag point is behind another object's box (boxes are drawn
    back to front): tries arrangements until one is clear, else the one with fewest hidden."""
    best: tuple[int, list[tuple[Piece, tuple[float, float, float, float]]]] | None = None
    for _ in range(attempts):
        layout = _layout(stage, setting, pieces)
        hidden = 0
        for i, (piece, box) in enumerate(layout):
            tx, ty = KINDS[piece.kind].tag
            x = box[0] + tx * (box[2] - box[0])
            y = box[1] + ty * (box[3] - box[1])
            pad = min(stage.size) * 0.03
            if any(b[0] - pad < x < b[2] + pad and b[1] - pad < y < b[3] + pad for _, b in layout[i + 1 :]):
                hidden += 1
        if hidden == 0:
            return layout
        if best is None or hidden < best[0]:
            best = (hidden, layout)
    assert best is not None
    return best[1]


def _layout(
    stage: Stage, setting: Setting, pieces: Sequence[Piece]
) -> list[tuple[Piece, tuple[float, float, float, float]]]:
    """Boxes for the pieces, back to front: standing ones on the surface at different depths,
    hanging ones on the wall; sized by their real sizes, the subject largest."""
    width, height = stage.size
    rng = stage.rng
    horizon = stage.horizon
    standing = [p for p in pieces if not _hangs(KINDS[p.kind].places, setting, stage)]
    hanging = [p for p in pieces if _hangs(KINDS[p.kind].places, setting, stage)]
    placed: list[tuple[float, Piece, tuple[float, float, float, float]]] = []

    def extent(piece: Piece) -> tuple[float, float]:
        spec = KINDS[piece.kind]
        return spec.height_cm * spec.aspect, spec.height_cm

    # Scale: the largest standing piece fills a share of the frame that depends on the shot.
    closeness = rng.uniform(*CLOSENESS[setting.place])
    if standing:
        largest = max(max(extent(p)[1], extent(p)[0] * height / width * 0.6) for p in standing)
        cm = height * closeness / largest
    else:
        cm = height * 0.5 / max(extent(p)[1] for p in hanging)
    # Depths: the subject (first) nearest, the others behind it.
    count = len(standing)
    depths = sorted((rng.uniform(0.1, 0.7) for _ in range(count)), reverse=True)
    if count:
        depths[0] = rng.uniform(0.75, 1.0)
    room = height - horizon
    sizes = []
    for piece, depth in zip(standing, depths, strict=True):
        w_cm, h_cm = extent(piece)
        factor = 0.72 + 0.4 * depth
        w, h = w_cm * cm * factor, h_cm * cm * factor
        min_side = min(width, height) * 0.12  # nothing so small a tag would hide it
        if max(w, h) < min_side:
            w, h = w * min_side / max(w, h), h * min_side / max(w, h)
        sizes.append((w, h))
    # A group, left to right in a random order, around a point on a third or the middle, with
    # small gaps or a little overlap (things stand in front of each other); shrunk to fit.
    total = sum(w for w, _ in sizes)
    fit = min(1.0, width * 0.92 / total) if total else 1.0
    sizes = [(w * fit, h * fit) for w, h in sizes]
    order = list(range(count))
    rng.shuffle(order)
    gaps = [rng.uniform(-0.12, 0.1) * min(sizes[a][0], sizes[b][0]) for a, b in itertools.pairwise(order)]
    group = sum(w for w, _ in sizes) + sum(gaps)
    centre = rng.choice([0.36, 0.5, 0.5, 0.64]) * width
    x = min(max(width * 0.03, centre - group / 2), width * 0.97 - group)
    for position, i in enumerate(order):
        w, h = sizes[i]
        base = horizon + room * (0.3 + 0.62 * depths[i]) + rng.uniform(-0.02, 0.02) * room
        base = min(height - room * 0.05, base)
        y0 = max(height * 0.02, base - h)
        placed.append((depths[i], standing[i], (x, y0, x + w, base)))
        x += w + (gaps[position] if position < len(gaps) else 0.0)
    boxes: list[tuple[Piece, tuple[float, float, float, float]]] = []
    rail = stage.rail if stage.rail is not None else int(horizon * 0.25)
    for i, piece in enumerate(hanging):
        w_cm, h_cm = extent(piece)
        scale = min(cm, (horizon - rail) * 0.95 / h_cm)
        w, h = w_cm * scale, h_cm * scale
        cx = width * (i + 1) / (len(hanging) + 1) + rng.uniform(-0.04, 0.04) * width
        boxes.append((piece, (cx - w / 2, rail, cx + w / 2, rail + h)))
    boxes += [(piece, box) for _, piece, box in sorted(placed, key=lambda t: t[0])]
    return boxes


def _unused_slots(count: int, rng: random.Random) -> list[float]:
    """Horizontal centres (fractions) for `count` objects: one off-centre on a third, several
    spread with jitter, the subject not always in the middle."""
    if count == 0:
        return []
    if count == 1:
        return [rng.choice([0.38, 0.5, 0.62]) + rng.uniform(-0.04, 0.04)]
    spread = [0.14 + 0.72 * i / (count - 1) for i in range(count)]
    spread = [s + rng.uniform(-0.05, 0.05) for s in spread]
    rng.shuffle(spread)
    return spread
