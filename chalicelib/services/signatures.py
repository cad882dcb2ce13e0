"""Visual signatures for image discovery (issue 22): pure, Pillow only, no AWS.

A **photo signature** is a coarse colour grid: the photo shrunk to `GRID` cells on its long side
(32x24 for a 4:3 photo), one RGB triple per cell, zlib-compressed (about 2 KB). It is computed
once, when the thumbnailer has made the smallest rendition (decoding a 320-px JPEG costs about a
millisecond), and stored on the upload.

A **product signature** describes a packshot (an object on a plain backdrop): the backdrop is the
median of the border, the object is every pixel far enough from it (in CIELAB), and the signature
keeps the object's median colour, its bounding box's aspect ratio and its silhouette as an
8x8 bit mask (a 64-bit perceptual hash of the shape, cropped to the object so scale does not
matter).

**Matching** looks for the product inside the photo, so a product that fills a tenth of the
frame still matches: the cells whose colour lies within `COLOUR_RADIUS` of the product's colour
form connected regions; each region big enough is cropped to its box, its mask resampled to 8x8
and compared with the product's silhouette (intersection over union); the score is the mean of
shape agreement, aspect, colour closeness, how much of its box the region fills against the
product, and the region's size (full at a tenth of the photo): `SCORE_WEIGHTS`, chosen on the
demo's training half (bench/bench_discovery.py). The best region gives the confidence and the
tag's position (its centre). Cost: O(cells) per candidate product (768 cells), no allocation of
images.

Candidate products come from colour buckets: a product is indexed under the name
(services/colours.py) of its colour and of the colours near it (`product_buckets`: a scene's light
moves a colour across a name's border); a photo reads the names covering enough of its cells.
"""

from __future__ import annotations

import base64
import math
import zlib
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from chalicelib.services.colours import colour_name, lab

# Cells on the photo grid's long side.
GRID: Final = 32
# Product packshots are read at this size (a square packshot: 64x64).
PRODUCT_SAMPLE: Final = 64
# A packshot pixel is the object when it is this far (delta E) from the backdrop.
BACKDROP_DISTANCE: Final = 8.0
# Columns at each end of a packshot row that show the backdrop.
BACKDROP_EDGE: Final = 4
# How much lightness counts in colour distances (hue and chroma count fully).
LIGHTNESS_WEIGHT: Final = 0.5
# Silhouette mask edge (bits = MASK * MASK).
MASK: Final = 8
# A photo cell is the product's colour within this delta E.
COLOUR_RADIUS: Final = 22.0
# Regions smaller than this many cells are noise.
MIN_REGION_CELLS: Final = 4
# A region covering more than this share of the photo is a backdrop, not an object.
MAX_REGION_SHARE: Final = 0.5
# A region this share of the photo (or more) counts as fully visible.
FULL_SIZE_SHARE: Final = 0.1
# A photo's colour bucket needs this share of cells.
BUCKET_SHARE: Final = 0.02
# Bin edge (CIELAB units) when looking for an object's dominant colour.
DOMINANT_STEP: Final = 12.0
SIGNATURE_VERSION: Final = "v1"
# A product is also indexed under the names of colours this far from its own (delta E as
# `_distance` weighs it): the same object under a scene's light may be named one of those.
BUCKET_REACH: Final = 10.0
MAX_PRODUCT_BUCKETS: Final = 3
# Weights of a region's shape agreement, aspect, colour closeness, fill and size in its score:
# equal, chosen by a grid search on the bench's training half (bench/bench_discovery.py; the
# weights of the first version, 0.4/0.2/0.2/0.2/0.5, picked the right product less often there).
SCORE_WEIGHTS: Final = (1.0, 1.0, 1.0, 1.0, 1.0)

Lab = tuple[float, float, float]


@dataclass(frozen=True)
class ProductSignature:
    colour: Lab
    aspect: float  # object box width / height
    silhouette: int  # MASK*MASK bits, row-major, 1 = object

    def encode(self) -> str:
        l_, a, b = self.colour
        return f"{SIGNATURE_VERSION}:{l_:.1f},{a:.1f},{b:.1f}:{self.aspect:.3f}:{self.silhouette:016x}"

    @classmethod
    def decode(cls, text: str) -> ProductSignature:
        version, colour, aspect, silhouette = text.split(":")
        if version != SIGNATURE_VERSION:
            raise ValueError(f"unknown signature version {version!r}")
        l_, a, b = (float(v) for v in colour.split(","))
        return cls((l_, a, b), float(aspect), int(silhouette, 16))


@dataclass(frozen=True)
class PhotoSignature:
    width: int  # grid cells
    height: int
    cells: list[Lab]  # row-major

    @classmethod
    def decode(cls, text: str) -> PhotoSignature:
        version, size, payload = text.split(":")
        if version != SIGNATURE_VERSION:
            raise ValueError(f"unknown signature version {version!r}")
        width, height = (int(v) for v in size.split("x"))
        raw = zlib.decompress(base64.b64decode(payload))
        if len(raw) != width * height * 3:
            raise ValueError("photo signature has the wrong length")
        cells = [lab((raw[i], raw[i + 1], raw[i + 2])) for i in range(0, len(raw), 3)]
        return cls(width, height, cells)


@dataclass(frozen=True)
class Match:
    score: float  # 0..1
    x: float  # the region's centre, fractions of the photo
    y: float


def photo_signature_of(data: bytes) -> str:
    """The grid signature of an encoded image (the thumbnailer's smallest rendition)."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return photo_signature(image)


def product_signature_of(data: bytes) -> ProductSignature | None:
    """The signature of an encoded packshot."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return product_signature(image)


def photo_signature(image: Any) -> str:
    """The grid signature of a decoded PIL image (any mode; transparency counts as its RGB)."""
    from PIL import Image

    width, height = image.size
    scale = GRID / max(width, height)
    grid = (max(1, round(width * scale)), max(1, round(height * scale)))
    # BOX averages every pixel of a cell: the cell's colour, not one sampled pixel.
    small = image.convert("RGB").resize(grid, Image.Resampling.BOX)
    payload = base64.b64encode(zlib.compress(small.tobytes(), 9)).decode()
    return f"{SIGNATURE_VERSION}:{grid[0]}x{grid[1]}:{payload}"


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def _median_lab(points: list[Lab]) -> Lab:
    return (_median([p[0] for p in points]), _median([p[1] for p in points]), _median([p[2] for p in points]))


def _dominant(points: list[Lab]) -> Lab:
    """The median of the most populated coarse CIELAB bin: the object's own colour, not the mix
    of its shading, details and print."""
    bins: dict[tuple[int, int, int], list[Lab]] = {}
    for p in points:
        key = (int(p[0] // DOMINANT_STEP), int(p[1] // DOMINANT_STEP), int(p[2] // DOMINANT_STEP))
        bins.setdefault(key, []).append(p)
    return _median_lab(max(bins.values(), key=len))


def product_signature(image: Any) -> ProductSignature | None:
    """The signature of a packshot (PIL image); None when no object stands out of its backdrop."""
    from PIL import Image

    size = PRODUCT_SAMPLE
    small = image.convert("RGB").resize((size, size), Image.Resampling.BOX)
    raw = small.tobytes()
    cells = [lab((raw[i], raw[i + 1], raw[i + 2])) for i in range(0, len(raw), 3)]
    # A paper sweep shades from top to bottom: the backdrop is estimated per row, from its ends.
    edge = BACKDROP_EDGE
    backdrop = [
        _median_lab([cells[r * size + c] for c in (*range(edge), *range(size - edge, size))])
        for r in range(size)
    ]
    mask = [_distance(cells[i], backdrop[i // size]) > BACKDROP_DISTANCE for i in range(size * size)]
    inside = [i for i, m in enumerate(mask) if m]
    if len(inside) < 16:
        return None
    rows = [i // size for i in inside]
    cols = [i % size for i in inside]
    box = (min(cols), min(rows), max(cols) + 1, max(rows) + 1)
    # The lit half of the object shows its own colour; the other half is shading and shadow.
    lightness = _median([cells[i][0] for i in inside])
    colour = _dominant([cells[i] for i in inside if cells[i][0] >= lightness])
    silhouette = _mask_bits(lambda r, c: mask[r * size + c], box)
    # Rounded as encoded, so a signature read back is the very one computed.
    rounded = (round(colour[0], 1), round(colour[1], 1), round(colour[2], 1))
    return ProductSignature(rounded, round((box[2] - box[0]) / (box[3] - box[1]), 3), silhouette)


def _distance(p: Lab, q: Lab) -> float:
    """Colour distance with lightness weighed down: light and shade change it more than hue."""
    return math.sqrt((LIGHTNESS_WEIGHT * (p[0] - q[0])) ** 2 + (p[1] - q[1]) ** 2 + (p[2] - q[2]) ** 2)


def _mask_bits(is_inside: Any, box: tuple[int, int, int, int]) -> int:
    """The region inside `box` (cols x0..x1, rows y0..y1) resampled to MASK x MASK bits."""
    x0, y0, x1, y1 = box
    bits = 0
    for mr in range(MASK):
        for mc in range(MASK):
            # The majority of the source cells under this mask cell.
            r_lo, r_hi = y0 + (y1 - y0) * mr / MASK, y0 + (y1 - y0) * (mr + 1) / MASK
            c_lo, c_hi = x0 + (x1 - x0) * mc / MASK, x0 + (x1 - x0) * (mc + 1) / MASK
            hits = total = 0
            for r in range(int(r_lo), max(int(r_lo) + 1, math.ceil(r_hi))):
                for c in range(int(c_lo), max(int(c_lo) + 1, math.ceil(c_hi))):
                    total += 1
                    hits += bool(is_inside(r, c))
            if hits * 2 >= total:
                bits |= 1 << (mr * MASK + mc)
    return bits


def _iou(a: int, b: int) -> float:
    union = (a | b).bit_count()
    return (a & b).bit_count() / union if union else 0.0


def _regions(photo: PhotoSignature, near: list[bool]) -> Iterable[list[int]]:
    """Connected (4-neighbour) runs of `near` cells."""
    seen = [False] * len(near)
    w, h = photo.width, photo.height
    for start, is_near in enumerate(near):
        if not is_near or seen[start]:
            continue
        seen[start] = True
        region, queue = [], deque([start])
        while queue:
            i = queue.popleft()
            region.append(i)
            r, c = divmod(i, w)
            for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                j = nr * w + nc
                if 0 <= nr < h and 0 <= nc < w and near[j] and not seen[j]:
                    seen[j] = True
                    queue.append(j)
        yield region


def match(photo: PhotoSignature, product: ProductSignature) -> Match | None:
    """Where the product most likely is in the photo, with a score in 0..1; None if nowhere."""
    distances = [_distance(cell, product.colour) for cell in photo.cells]
    near = [d <= COLOUR_RADIUS for d in distances]
    total = len(photo.cells)
    best: Match | None = None
    for region in _regions(photo, near):
        if len(region) < MIN_REGION_CELLS or len(region) > MAX_REGION_SHARE * total:
            continue
        members = set(region)
        rows = [i // photo.width for i in region]
        cols = [i % photo.width for i in region]
        box = (min(cols), min(rows), max(cols) + 1, max(rows) + 1)
        shape = _mask_bits(lambda r, c, inside=members: r * photo.width + c in inside, box)
        iou = _iou(shape, product.silhouette)
        aspect = (box[2] - box[0]) / (box[3] - box[1])
        aspect_fit = min(aspect, product.aspect) / max(aspect, product.aspect)
        closeness = 1 - sum(distances[i] for i in region) / len(region) / COLOUR_RADIUS
        fill = len(region) / ((box[2] - box[0]) * (box[3] - box[1]))
        product_fill = product.silhouette.bit_count() / (MASK * MASK)
        fill_fit = min(fill, product_fill) / max(fill, product_fill)
        # Larger regions win: a product is shot to be seen, a speck of its colour is mostly noise.
        size = min(1.0, len(region) / total / FULL_SIZE_SHARE)
        features = (iou, aspect_fit, closeness, fill_fit, size)
        score = sum(w * f for w, f in zip(SCORE_WEIGHTS, features, strict=True)) / sum(SCORE_WEIGHTS)
        if best is None or score > best.score:
            best = Match(
                round(score, 4),
                round((box[0] + box[2]) / 2 / photo.width, 4),
                round((box[1] + box[3]) / 2 / photo.height, 4),
            )
    return best


def product_buckets(product: ProductSignature) -> list[str]:
    """The colour buckets a product is indexed under: its colour's name first, then the names a
    photo may give the same colour under other light (the names of colours within
    `BUCKET_REACH` of it), at most `MAX_PRODUCT_BUCKETS`."""
    l_, a, b = product.colour
    r = BUCKET_REACH
    names = [colour_name(_rgb(product.colour))]
    for dl, da, db in ((-r, 0, 0), (r, 0, 0), (0, -r, 0), (0, r, 0), (0, 0, -r), (0, 0, r)):
        name = colour_name(_rgb((l_ + dl / LIGHTNESS_WEIGHT, a + da, b + db)))
        if name not in names:
            names.append(name)
    return names[:MAX_PRODUCT_BUCKETS]


def photo_buckets(photo: PhotoSignature) -> list[str]:
    """Colour buckets covering at least BUCKET_SHARE of the photo's cells, most cells first."""
    counts: dict[str, int] = {}
    for cell in photo.cells:
        name = colour_name(_rgb(cell))
        counts[name] = counts.get(name, 0) + 1
    floor = BUCKET_SHARE * len(photo.cells)
    return [name for name, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n >= floor]


def _rgb(point: Lab) -> tuple[int, int, int]:
    """CIELAB (D65) -> sRGB, clamped."""
    l_, a, b = point
    fy = (l_ + 16) / 116
    fx, fz = fy + a / 500, fy - b / 200

    def finv(t: float) -> float:
        return t**3 if t**3 > 0.008856 else (t - 16 / 116) / 7.787

    x, y, z = finv(fx) * 0.95047, finv(fy), finv(fz) * 1.08883
    linear = (
        3.2406 * x - 1.5372 * y - 0.4986 * z,
        -0.9689 * x + 1.8758 * y + 0.0415 * z,
        0.0557 * x - 0.2040 * y + 1.0570 * z,
    )

    def gamma(c: float) -> int:
        c = min(1.0, max(0.0, c))
        v = 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055
        return round(v * 255)

    return gamma(linear[0]), gamma(linear[1]), gamma(linear[2])
