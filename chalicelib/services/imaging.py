"""Pure image-processing core of the thumbnailer: upload bytes in, metadata-free renditions out.

No AWS and no I/O: `process_image` takes the uploaded bytes and returns the encoded renditions, the
oriented size and a 5-colour palette, or raises `ImageRejected` with a stable `reason` code.

Decisions:
- The format is identified from the bytes alone (magic numbers; Pillow's own header probes only
  to name other image formats). JPEG, PNG and WebP are accepted; everything else is rejected.
- Pixel counts are checked from the header before Pillow allocates anything: libwebp allocates the
  whole canvas as soon as a WebP is opened, so PNG/WebP/JPEG headers are read here first.
- Truncated files are rejected (`corrupt`): Pillow's strict loading (LOAD_TRUNCATED_IMAGES is never
  touched here) plus an end-of-stream check of our own, so a process that flipped that global
  still never gets a half-grey image out of this module.
- Animated WebP and APNG are accepted and reduced to their first frame (for APNG, the default
  image a non-animated viewer shows). A feed thumbnail is a still, and refusing animated uploads
  would bounce photos that some phones and editors save as single-loop animations.
- Outputs carry no metadata at all (no EXIF/GPS, XMP, ICC profile or comment); pixels are
  converted to RGB/RGBA (CMYK with Pillow's Adobe-inverted handling, 16-bit scaled to 8-bit).
- Opaque results are progressive, optimised JPEG (quality 82). Results with real transparency are
  lossy WebP (quality 82, exact alpha): on a 1280x960 photographic cut-out it measured ~53 KiB
  against ~1.1 MiB for optimised PNG (about 20x smaller) and encoded faster; every browser the
  feed targets decodes WebP.
- With `webp=True` (the thumbnailer) each opaque JPEG rendition also gets a lossy WebP copy of
  the same pixels (quality 82, `Rendition.webp`), served to browsers that take WebP through
  `<picture>` (docs/api.md `webp_url`): fewer bytes per card for the CDN to deliver
  (`make bench`, "Image bytes"). The JPEG stays for every other client.
- With `webp=True`, where this Pillow encodes AVIF (`AVIF_ENCODES`; else none is made), each also
  gets an AVIF copy (quality 60, speed 8, `Rendition.avif`, docs/api.md `avif_url`), offered
  before the WebP one: at the PSNR of the WebP copy (measured on the demo's photos against the
  resized pixels: 38.5 / 38.0 / 40.6 dB against WebP's 38.4 / 38.1 / 39.9 dB, small / medium /
  large, at speed 6) it is ~0.83x its bytes; speed 8 costs about as much CPU as the WebP copy.
- Renditions are never upscaled.
- Shape (issue 21, finding 6): a 600x65,000 JPEG passed the pixel cap and, capped by width only,
  made a 320x34,667 `small` rendition (a 300x30,000 one a 300x30,000 `large`): megabytes of pixels
  in a feed card. Two rules now:
  - Uploads whose long side is over 4x the short side are rejected (`extreme_aspect_ratio`),
    checked on the header's size before anything is decoded (the rule is symmetric, so EXIF
    orientation cannot change the verdict). 4:1 keeps every phone photo and screenshot
    (9:19.5 is 1:2.2), posters and short panoramas; the strips beyond it are not photos a feed
    card can show.
  - Each rendition fits a box as wide as its size and twice as high (`small` within 320x640): a
    photo taller than 1:2 is scaled by its height, so its renditions are narrower than the
    nominal width (the API reports each rendition's real size). No crop: product tags sit at
    x, y of the whole image, and a crop would move them or cut them off.
- Speed and peak memory (measured against libvips' `thumbnail` by `make bench`, bench/results.md):
  - Shrink-on-load: a JPEG is decoded at the smallest libjpeg scale (1/8, 1/4 or 1/2) that still
    covers the largest rendition in both dimensions, judged on the stored (pre-EXIF) size. A
    4032x3024 phone photo decodes at 2016x1512 for a 1280 rendition (a quarter of the pixels,
    memory and colour conversion), a 6000x4000 one at 1500x1000. The earlier rule kept 2x the
    target (Pillow's `thumbnail()` gap) and so never shrank 4000-px photos at all; DCT scaling
    is a proper low-pass, and the bench/unit tests hold the result within 0.5 dB PSNR of a
    full-decode LANCZOS reference (photo-like inputs: within 0.1 dB). Known limit: on synthetic
    pixel-level noise, a decode covering the rendition by only 1.02-1.18x (the last step then
    near 1:1) measured up to 1.5 dB worse at some ratios. A 1.2x margin would avoid that but
    loses shrink-on-load for EXIF-rotated 12 MP portraits (1.18x) and 24 MP photos (1.17x),
    the cases it exists for; real photos carry far less energy at the pixel level.
  - Resize first, orient last: renditions are resized in the stored orientation and each small
    result is transposed, instead of transposing the full-size decode (a copy as big as the
    photo, for EXIF-rotated portraits).
  - Cascade: each rendition is the source of the next smaller one (1280 -> 640 -> 320), so only
    the largest resize touches the decoded photo, which is freed right after it (before any
    encoding): the peak is then one decode plus one rendition, not both plus an encoder.
  - Filters: a JPEG decoded at reduced scale was already low-passed by the DCT scaling, so its
    one remaining step (under 2x unless at 1/8) is BICUBIC: on the bench's 12 and 24 MP photos LANCZOS there
    gained 0.05 dB PSNR for 45% more resize time, the largest single cost after decoding.
    Every other resize (non-JPEG sources, full-scale decodes, the cascade) is LANCZOS.
  - LANCZOS with `reducing_gap=3.0`: a box `reduce()` first only when the remaining step is
    still >= 3x (non-JPEG sources, which have no shrink-on-load); below 3x it changes the result
    measurably, and with shrink-on-load plus the cascade the steps are under 3x anyway.
    `Image.reduce()` alone (a box filter) is not used for the final step: it aliases.
"""

from __future__ import annotations

import functools
import io
import re
import warnings
from dataclasses import dataclass
from typing import Final, Literal

from PIL import Image, features

RejectReason = Literal[
    "empty",
    "too_large",
    "not_an_image",
    "unsupported_format",
    "too_many_pixels",
    "extreme_aspect_ratio",
    "corrupt",
]
SourceFormat = Literal["jpeg", "png", "webp"]

# Long side over short side, at most: beyond it an upload is `extreme_aspect_ratio`.
MAX_ASPECT_RATIO: Final = 4
# A rendition of size W fits W wide and this many times W high.
RENDITION_HEIGHT_RATIO: Final = 2
JPEG_QUALITY: Final = 82
WEBP_QUALITY: Final = 82
AVIF_QUALITY: Final = 60
# libavif's 0 (slowest, smallest) .. 10. Measured on the demo's photos at quality 60: speed 8 is
# ~3x faster to encode than Pillow's default 6 (large 381 -> 132 ms CPU) for 1-8% more bytes.
AVIF_SPEED: Final = 8
PALETTE_COLOURS: Final = 5
# Edge of the downscaled sample the palette is computed on.
PALETTE_SAMPLE: Final = 64
# Quantiser buckets before merging, and the RGB distance under which two buckets are one colour.
PALETTE_BUCKETS: Final = 16
PALETTE_MERGE_DISTANCE: Final = 48
# libjpeg's DCT scaling denominators, largest (cheapest decode) first.
JPEG_SCALES: Final = (8, 4, 2)
# Resize does a cheap box reduce first while staying 3x above the target: visually identical.
RESIZE_REDUCING_GAP: Final = 3.0
# The filter from a JPEG decoded at reduced scale to the largest rendition (see the log above).
SHRUNK_RESAMPLE: Final = Image.Resampling.BICUBIC

_PIL_FORMATS: Final[dict[SourceFormat, str]] = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
# Formats worth naming without asking Pillow (HEIC is not a Pillow plugin at all).
_OTHER_IMAGE_MAGIC: Final = (
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"8BPS", "PSD"),
    (b"\x00\x00\x01\x00", "ICO"),
    (b"\xff\x0a", "JPEG XL"),
    (b"\x00\x00\x00\x0cJXL ", "JPEG XL"),
    (b"\x00\x00\x00\x0cjP  ", "JPEG 2000"),
)
_ISO_BMFF_BRANDS: Final = (b"heic", b"heix", b"hevc", b"mif1", b"msf1", b"avif", b"avis")
_JPEG_SOF_MARKERS: Final = frozenset(
    {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
)
_JPEG_NEXT_MARKER: Final = re.compile(rb"\xff[^\x00\xd0-\xd7]")
_EXIF_ORIENTATION: Final = 0x0112
# The transpose that shows stored pixels as a viewer does, per EXIF orientation (as exif_transpose).
_ORIENTATION_TRANSPOSE: Final = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SWAPS_AXES: Final = frozenset({5, 6, 7, 8})


class ImageRejected(Exception):
    """The upload cannot become renditions; `reason` is a stable snake_case code."""

    def __init__(self, reason: RejectReason, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason: RejectReason = reason
        self.message = message


@dataclass(frozen=True)
class Rendition:
    name: str
    width: int
    height: int
    content_type: str
    extension: str
    data: bytes
    webp: bytes | None = None  # the same pixels as WebP, beside an opaque JPEG (process_image webp=True)
    avif: bytes | None = None  # and as AVIF, where this Pillow encodes it (AVIF_ENCODES)


@dataclass(frozen=True)
class ProcessedImage:
    source_format: SourceFormat
    # Displayed size, after EXIF orientation.
    width: int
    height: int
    # Up to 5 "#rrggbb" colours, most pixels first.
    palette: list[str]
    # One per requested size, largest first.
    renditions: list[Rendition]


def process_image(
    data: bytes, *, sizes: dict[str, int], max_bytes: int, max_pixels: int = 40_000_000, webp: bool = False
) -> ProcessedImage:
    """Validate `data`, then orient, strip, convert and resize it to each width in `sizes`.

    Raises `ImageRejected` for anything about the upload; `ValueError` only for bad `sizes`.
    """
    targets = _ordered_targets(sizes)
    if not data:
        raise ImageRejected("empty", "the upload is empty")
    if len(data) > max_bytes:
        raise ImageRejected("too_large", f"the upload is {len(data)} bytes; the limit is {max_bytes}")
    source_format = _identify(data)
    declared, complete = _inspect(source_format, data)
    if declared is not None:
        _check_pixels(declared, max_pixels)
        _check_shape(declared)
    if not complete:
        raise ImageRejected("corrupt", "the image data is truncated")

    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice it; that is a bomb here too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Everything happens inside the `with`: closing the file also frees the decoded pixels.
            with Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[source_format]]) as opened:
                _check_pixels(opened.size, max_pixels)
                _check_shape(opened.size)
                orientation = _orientation(opened)
                full_size = _displayed(opened.size, orientation)
                plan = [(name, _fit(full_size, width)) for name, width in targets]
                first_filter = Image.Resampling.LANCZOS
                if source_format == "jpeg":
                    scale = jpeg_scale(opened.size, _displayed(plan[0][1], orientation))
                    if scale > 1:
                        first_filter = SHRUNK_RESAMPLE
                        # Pillow's draft() picks the same 1/scale for this request.
                        opened.draft("RGB", (max(1, opened.width // scale), max(1, opened.height // scale)))
                base = _decode(opened)
                if base is not opened:
                    opened.close()  # a converted copy: the decoded original is not needed any more
                renditions, smallest = _render(base, orientation, plan, first_filter, webp)
                palette = _palette(smallest)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected("too_many_pixels", "the image has too many pixels to process safely") from exc
    except MemoryError:
        # Not the upload's fault (the pixel cap already passed): let the worker fail and retry.
        raise
    except Exception as exc:
        # Pillow raises OSError, ValueError, SyntaxError, struct.error... for bad data; the chained
        # cause keeps its text for the logs, the message stays free of Pillow internals.
        raise ImageRejected("corrupt", "the image data could not be decoded") from exc

    return ProcessedImage(
        source_format=source_format,
        width=full_size[0],
        height=full_size[1],
        palette=palette,
        renditions=renditions,
    )


def _ordered_targets(sizes: dict[str, int]) -> list[tuple[str, int]]:
    if not sizes:
        raise ValueError("sizes must name at least one rendition")
    for name, width in sizes.items():
        if isinstance(width, bool) or not isinstance(width, int) or width < 1:
            raise ValueError(f"size {name!r} must be a positive int width, got {width!r}")
    return sorted(sizes.items(), key=lambda item: (-item[1], item[0]))


def _identify(data: bytes) -> SourceFormat:
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    other = _other_image_format(data)
    if other is not None:
        raise ImageRejected("unsupported_format", f"{other} images are not accepted; use JPEG, PNG or WebP")
    raise ImageRejected("not_an_image", "the upload is not an image")


def _other_image_format(data: bytes) -> str | None:
    for magic, name in _OTHER_IMAGE_MAGIC:
        if data.startswith(magic):
            return name
    if data[4:8] == b"ftyp" and data[8:12] in _ISO_BMFF_BRANDS:
        return "HEIF/AVIF"
    # Pillow's prefix probes only look at the first 16 bytes; nothing is parsed or decoded.
    Image.init()
    prefix = data[:16]
    for name, (_factory, accept) in Image.OPEN.items():
        try:
            if accept is not None and accept(prefix):
                return name
        except Exception:  # a probe choking on odd bytes just means "not this format"
            continue
    return None


def _inspect(source_format: SourceFormat, data: bytes) -> tuple[tuple[int, int] | None, bool]:
    """(declared width/height or None, whether the stream is complete), from the bytes alone.

    Read before Pillow sees the data: libwebp allocates the canvas as soon as a WebP is opened,
    and the completeness check holds even if someone set ImageFile.LOAD_TRUNCATED_IMAGES.
    """
    if source_format == "png":
        if data[12:16] != b"IHDR" or len(data) < 24:
            raise ImageRejected("corrupt", "the PNG header is missing")
        size = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        return size, _png_complete(data)
    if source_format == "webp":
        webp_size = _webp_size(data)
        if webp_size is None:
            # libwebp would allocate whatever the canvas claims, so no size means no decoding.
            raise ImageRejected("corrupt", "the WebP header is unreadable")
        return webp_size, int.from_bytes(data[4:8], "little") + 8 <= len(data)
    return _jpeg_layout(data)


def _png_complete(data: bytes) -> bool:
    # Walk the chunks to IEND (strict: a PNG without IEND is cut short, even if Pillow would take it).
    pos = 8
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        if data[pos + 4 : pos + 8] == b"IEND":
            return True
        pos += 12 + length
    return False


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        return (
            int.from_bytes(data[26:28], "little") & 0x3FFF,
            int.from_bytes(data[28:30], "little") & 0x3FFF,
        )
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _jpeg_layout(data: bytes) -> tuple[tuple[int, int] | None, bool]:
    """Frame size and whether the primary image reaches its EOI marker.

    Markers are walked rather than searched for: bytes after the EOI (Motion Photo videos, MPF
    secondary images, vendor trailers) are arbitrary and may contain any marker-like pair.
    """
    size: tuple[int, int] | None = None
    pos = 2
    while pos + 2 <= len(data):
        if data[pos] != 0xFF:
            # Junk between segments: libjpeg and Pillow skip to the next marker, so do we.
            pos = data.find(b"\xff", pos)
            if pos == -1:
                break
            continue
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:
            return size, True
        if marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:  # no length field
            pos += 2
            continue
        if pos + 4 > len(data):
            break
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if marker in _JPEG_SOF_MARKERS and size is None and pos + 9 <= len(data):
            size = (
                int.from_bytes(data[pos + 7 : pos + 9], "big"),
                int.from_bytes(data[pos + 5 : pos + 7], "big"),
            )
        pos += 2 + length
        if marker == 0xDA:
            # Entropy-coded data: FF is only ever followed by 00 (stuffing) or RST0-7 inside it.
            scan_end = _JPEG_NEXT_MARKER.search(data, pos)
            if scan_end is None:
                break
            pos = scan_end.start()
    return size, False


def _check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width * height > max_pixels:
        raise ImageRejected(
            "too_many_pixels", f"the image is {width}x{height}; the limit is {max_pixels} pixels"
        )


def _check_shape(size: tuple[int, int]) -> None:
    long_side, short_side = max(size), min(size)
    if long_side > MAX_ASPECT_RATIO * short_side:
        raise ImageRejected(
            "extreme_aspect_ratio",
            f"the image is {size[0]}x{size[1]}; a side may be at most {MAX_ASPECT_RATIO}x the other",
        )


def _orientation(image: Image.Image) -> int:
    orientation = image.getexif().get(_EXIF_ORIENTATION, 1)
    return orientation if orientation in _ORIENTATION_TRANSPOSE else 1


def _displayed(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    """The size a viewer shows for stored `size` (and back: swapping is its own inverse)."""
    return (size[1], size[0]) if orientation in _SWAPS_AXES else size


def jpeg_scale(stored: tuple[int, int], needed: tuple[int, int]) -> int:
    """The largest libjpeg scale denominator whose decode still covers `needed` (1: full decode).

    Both sizes are in stored orientation; libjpeg rounds scaled sides up.
    """
    for scale in JPEG_SCALES:
        if all(-(-side // scale) >= want for side, want in zip(stored, needed, strict=True)):
            return scale
    return 1


def _fit(size: tuple[int, int], target_width: int) -> tuple[int, int]:
    """The displayed size that fits `target_width` wide and RENDITION_HEIGHT_RATIO times that high."""
    width, height = size
    target_height = target_width * RENDITION_HEIGHT_RATIO
    if width <= target_width and height <= target_height:
        return width, height  # never upscale
    if height * target_width > width * target_height:  # taller than the box: the height decides
        return max(1, round(width * target_height / height)), target_height
    return target_width, max(1, round(height * target_width / width))


def _decode(opened: Image.Image) -> Image.Image:
    """Decode (at the draft scale, if any) into metadata-free RGB or RGBA, still as stored."""
    opened.load()  # animated WebP/APNG: a fresh open sits on the first frame, the only one used
    image = _to_rgb_or_rgba(opened)
    # Nothing from the source (EXIF, XMP, ICC, comments, text chunks) may reach the outputs.
    image.info = {}
    return image


def _to_rgb_or_rgba(image: Image.Image) -> Image.Image:
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):
        # 16-bit greyscale: a plain convert("L") clips everything above 255 to white.
        image.info.pop("transparency", None)  # a 16-bit tRNS key means nothing after scaling
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if "A" in image.getbands() or "transparency" in image.info:
        rgba = image.convert("RGBA")
        lowest_alpha, _ = rgba.getchannel("A").getextrema()
        if lowest_alpha < 255:
            return rgba
        return rgba.convert("RGB")  # an all-opaque alpha channel is not transparency
    # CMYK goes through Pillow's inverted-Adobe decode, then its CMYK->RGB formula.
    return image if image.mode == "RGB" else image.convert("RGB")


def _render(
    base: Image.Image,
    orientation: int,
    plan: list[tuple[str, tuple[int, int]]],
    first_filter: Image.Resampling,
    webp: bool = False,
) -> tuple[list[Rendition], Image.Image]:
    """Resize largest first in stored orientation, each from the previous one, then orient each.

    `plan` is (name, displayed size), largest first; `first_filter` resizes the decoded image, the
    cascade uses LANCZOS. Returns the renditions and the smallest image.
    """
    source = base
    resample = first_filter
    encoded: dict[tuple[int, int], Rendition] = {}
    renditions: list[Rendition] = []
    for name, dims in plan:
        if dims not in encoded:
            stored = _displayed(dims, orientation)
            if stored != source.size:
                resized = source.resize(stored, resample, reducing_gap=RESIZE_REDUCING_GAP)
                if source is base:
                    base.close()  # frees the decoded photo before encoding: it is the largest buffer
                source, resample = resized, Image.Resampling.LANCZOS
            transpose = _ORIENTATION_TRANSPOSE.get(orientation)
            encoded[dims] = _encode(name, source if transpose is None else source.transpose(transpose), webp)
        kept = encoded[dims]
        renditions.append(
            Rendition(
                name,
                kept.width,
                kept.height,
                kept.content_type,
                kept.extension,
                kept.data,
                kept.webp,
                kept.avif,
            )
        )
    return renditions, source


def _encode(name: str, image: Image.Image, webp: bool = False) -> Rendition:
    buffer = io.BytesIO()
    sibling = avif = None
    if image.mode == "RGBA":
        image.save(buffer, "WEBP", quality=WEBP_QUALITY, alpha_quality=100, method=4)
        content_type, extension = "image/webp", "webp"
    else:
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        content_type, extension = "image/jpeg", "jpg"
        if webp:
            copy = io.BytesIO()
            image.save(copy, "WEBP", quality=WEBP_QUALITY, method=4)
            sibling = copy.getvalue()
            if avif_encodes():
                copy = io.BytesIO()
                image.save(copy, "AVIF", quality=AVIF_QUALITY, speed=AVIF_SPEED)
                avif = copy.getvalue()
    return Rendition(
        name, image.width, image.height, content_type, extension, buffer.getvalue(), sibling, avif
    )


@functools.cache
def avif_encodes() -> bool:
    """This Pillow was built with libavif (Pillow's wheels since 11.3 are; a build without it makes
    no AVIF copies, and clients fall back to WebP or JPEG)."""
    return bool(features.check("avif"))


def _palette(image: Image.Image) -> list[str]:
    """Dominant colours of a small sample, most pixels first; transparent pixels do not count."""
    if image.width > PALETTE_SAMPLE or image.height > PALETTE_SAMPLE:
        # NEAREST samples real pixels instead of inventing blended edge colours.
        sample_size = (min(image.width, PALETTE_SAMPLE), min(image.height, PALETTE_SAMPLE))
        image = image.resize(sample_size, Image.Resampling.NEAREST)
    rgb = image.convert("RGB")
    if image.mode == "RGBA":
        pixels = rgb.tobytes()
        alpha = image.getchannel("A").tobytes()
        opaque = b"".join(pixels[i * 3 : i * 3 + 3] for i, a in enumerate(alpha) if a >= 128)
        if not opaque:
            return []
        rgb = Image.frombytes("RGB", (len(opaque) // 3, 1), opaque)
    # Quantising straight to 5 averages unrelated colours together (red + yellow -> orange), so
    # quantise finer, then fold near-identical shades into the most common one.
    quantized = rgb.quantize(colors=PALETTE_BUCKETS, method=Image.Quantize.MEDIANCUT)
    palette = quantized.getpalette() or []
    buckets = sorted(
        ((count, tuple(palette[index * 3 : index * 3 + 3])) for count, index in quantized.getcolors() or []),
        reverse=True,
    )
    clusters: list[tuple[tuple[int, ...], int]] = []
    for count, colour in buckets:
        for position, (kept, total) in enumerate(clusters):
            if sum((a - b) ** 2 for a, b in zip(kept, colour, strict=True)) <= PALETTE_MERGE_DISTANCE**2:
                clusters[position] = (kept, total + count)
                break
        else:
            clusters.append((colour, count))
    hexes = {"#{:02x}{:02x}{:02x}".format(*colour): total for colour, total in clusters}
    ranked = sorted(hexes.items(), key=lambda item: (-item[1], item[0]))
    return [colour for colour, _ in ranked[:PALETTE_COLOURS]]
