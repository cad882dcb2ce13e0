"""The thumbnailer's image core, against a corpus generated here with Pillow (no binary fixtures)."""

from __future__ import annotations

import io
import math
import random
import struct
import warnings
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from PIL import (
    ExifTags,
    Image,
    ImageChops,
    ImageCms,
    ImageDraw,
    ImageFile,
    ImageOps,
    ImageStat,
    JpegImagePlugin,
)

from chalicelib.services.imaging import (
    JPEG_QUALITY,
    ImageRejected,
    ProcessedImage,
    Rendition,
    jpeg_scale,
    process_image,
)

SIZES = {"small": 320, "medium": 640, "large": 1280}
MAX_BYTES = 20 * 1024 * 1024
RED = (255, 0, 0)
GREEN = (0, 255, 0)
BLUE = (0, 0, 255)
GREY = (128, 128, 128)


# --- corpus builders ---------------------------------------------------------------------------


def encode(image: Image.Image, fmt: str, **params: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def decode(rendition: Rendition) -> Image.Image:
    image = Image.open(io.BytesIO(rendition.data))
    image.load()
    return image


def process(data: bytes, **overrides: Any) -> ProcessedImage:
    return process_image(data, **{"sizes": SIZES, "max_bytes": MAX_BYTES, **overrides})


def rejection(data: bytes, **overrides: Any) -> str:
    with pytest.raises(ImageRejected) as caught:
        process(data, **overrides)
    return caught.value.reason


def near(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 30) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


def quadrants(size: tuple[int, int], colours: list[tuple[int, int, int]], mode: str = "RGB") -> Image.Image:
    """Four flat blocks: top-left, top-right, bottom-left, bottom-right."""
    width, height = size
    image = Image.new(mode, size)
    boxes = [
        (0, 0, width // 2, height // 2),
        (width // 2, 0, width, height // 2),
        (0, height // 2, width // 2, height),
        (width // 2, height // 2, width, height),
    ]
    for box, colour in zip(boxes, colours, strict=True):
        image.paste(colour, box)
    return image


def colourful(size: tuple[int, int]) -> Image.Image:
    """Eight vertical stripes of clearly different colours, widest first."""
    colours = [RED, BLUE, GREEN, (255, 255, 0), (255, 0, 255), (0, 255, 255), (0, 0, 0), (255, 255, 255)]
    weights = [30, 22, 16, 12, 8, 6, 4, 2]
    image = Image.new("RGB", size)
    left = 0
    for colour, weight in zip(colours, weights, strict=True):
        right = left + size[0] * weight // 100
        image.paste(colour, (left, 0, right, size[1]))
        left = right
    image.paste(colours[-1], (left, 0, size[0], size[1]))
    return image


def png_declaring(width: int, height: int) -> bytes:
    """A 1x1 PNG whose IHDR claims another size (valid CRC): a decompression bomb's header."""
    data = bytearray(encode(Image.new("RGB", (1, 1)), "PNG"))
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def jpeg_declaring(width: int, height: int) -> bytes:
    data = bytearray(encode(Image.new("RGB", (8, 8)), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def webp_declaring(width: int, height: int) -> bytes:
    data = bytearray(encode(Image.new("RGB", (8, 8)), "WEBP"))
    assert data[12:16] == b"VP8 "
    data[26:30] = struct.pack("<HH", width, height)
    return bytes(data)


def exif_with_orientation(orientation: int) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    return exif


# --- EXIF orientation ----------------------------------------------------------------------------

# Raw pixels: red block top-left, green block top-right. Where each lands once displayed:
ORIENTATIONS = [
    # orientation, displayed size, red corner, green corner
    (1, (300, 200), "top_left", "top_right"),
    (2, (300, 200), "top_right", "top_left"),
    (3, (300, 200), "bottom_right", "bottom_left"),
    (4, (300, 200), "bottom_left", "bottom_right"),
    (5, (200, 300), "top_left", "bottom_left"),
    (6, (200, 300), "top_right", "bottom_right"),
    (7, (200, 300), "bottom_right", "top_right"),
    (8, (200, 300), "bottom_left", "top_left"),
]


def oriented_jpeg(orientation: int) -> bytes:
    raw = Image.new("RGB", (300, 200), GREY)
    raw.paste(RED, (0, 0, 60, 60))
    raw.paste(GREEN, (240, 0, 300, 60))
    return encode(raw, "JPEG", quality=95, exif=exif_with_orientation(orientation))


def corner_colour(image: Image.Image, corner: str) -> tuple[int, ...]:
    vertical, horizontal = corner.split("_")
    x = image.width // 20 if horizontal == "left" else image.width - 1 - image.width // 20
    y = image.height // 20 if vertical == "top" else image.height - 1 - image.height // 20
    pixel = image.convert("RGB").getpixel((x, y))
    assert isinstance(pixel, tuple)
    return pixel


@pytest.mark.parametrize(("orientation", "displayed", "_red", "_green"), ORIENTATIONS)
def test_exif_orientation_gives_the_displayed_size_swapped_for_5_to_8(
    orientation: int, displayed: tuple[int, int], _red: str, _green: str
) -> None:
    # Given a 300x200 JPEG tagged with an EXIF orientation
    data = oriented_jpeg(orientation)

    # When it is processed
    result = process(data, sizes={"small": 150})

    # Then the reported size and the rendition follow the displayed orientation
    assert (result.width, result.height) == displayed
    rendition = result.renditions[0]
    assert (rendition.width, rendition.height) == (150, 150 * displayed[1] // displayed[0])
    assert decode(rendition).size == (rendition.width, rendition.height)


@pytest.mark.parametrize(("orientation", "_displayed", "red_corner", "green_corner"), ORIENTATIONS)
def test_exif_orientation_moves_the_corner_markers_where_a_viewer_shows_them(
    orientation: int, _displayed: tuple[int, int], red_corner: str, green_corner: str
) -> None:
    # Given raw pixels with a red block top-left and a green block top-right
    data = oriented_jpeg(orientation)

    # When processed
    image = decode(process(data, sizes={"small": 150}).renditions[0])

    # Then both markers sit in the corners the orientation puts them in
    assert near(corner_colour(image, red_corner), RED)
    assert near(corner_colour(image, green_corner), GREEN)


# --- colour modes --------------------------------------------------------------------------------


def test_cmyk_jpeg_comes_out_as_rgb_with_its_true_colours() -> None:
    # Given a CMYK JPEG (Pillow writes Adobe-inverted CMYK, as Photoshop does)
    source = quadrants((200, 200), [RED, GREEN, BLUE, (255, 255, 255)]).convert("CMYK")
    data = encode(source, "JPEG", quality=95)
    assert Image.open(io.BytesIO(data)).mode == "CMYK"

    # When processed
    rendition = process(data).renditions[0]

    # Then it is an RGB JPEG and pure red is still red
    image = decode(rendition)
    assert (rendition.content_type, image.mode) == ("image/jpeg", "RGB")
    assert near(corner_colour(image, "top_left"), RED)
    assert near(corner_colour(image, "bottom_left"), BLUE)


def test_png_with_alpha_keeps_its_transparency_in_a_webp_rendition() -> None:
    # Given a PNG whose left half is fully transparent
    source = Image.new("RGBA", (400, 200), (*RED, 255))
    source.paste((0, 0, 0, 0), (0, 0, 200, 200))
    data = encode(source, "PNG")

    # When processed
    rendition = process(data).renditions[0]

    # Then the rendition is a WebP that is still transparent on the left and opaque red on the right
    image = decode(rendition)
    assert (rendition.content_type, rendition.extension, image.mode) == ("image/webp", "webp", "RGBA")
    assert image.getpixel((20, 100))[3] == 0  # type: ignore[index]
    assert near(image.getpixel((380, 100)), (*RED, 255))  # type: ignore[arg-type]


def test_an_alpha_channel_that_is_fully_opaque_is_written_as_jpeg() -> None:
    # Given an RGBA PNG without a single transparent pixel
    data = encode(Image.new("RGBA", (100, 100), (*BLUE, 255)), "PNG")

    # When processed
    rendition = process(data).renditions[0]

    # Then transparency is not invented: it is a plain JPEG
    assert rendition.content_type == "image/jpeg"
    assert decode(rendition).mode == "RGB"


def test_16_bit_greyscale_png_is_scaled_to_8_bits_not_clipped_to_white() -> None:
    # Given a 16-bit greyscale PNG at half intensity
    data = encode(Image.new("I;16", (64, 64), 32768), "PNG")
    assert Image.open(io.BytesIO(data)).mode.startswith("I")

    # When processed
    image = decode(process(data).renditions[0])

    # Then it is mid-grey RGB
    assert image.mode == "RGB"
    assert near(image.getpixel((32, 32)), GREY, tolerance=4)  # type: ignore[arg-type]


def test_palette_png_without_transparency_becomes_an_rgb_jpeg_with_its_colours() -> None:
    # Given a palette PNG with no transparency
    data = encode(quadrants((100, 100), [RED, GREEN, BLUE, GREY]).convert("P"), "PNG")

    # When processed
    rendition = process(data).renditions[0]

    # Then it is an RGB JPEG with the palette colours
    image = decode(rendition)
    assert (rendition.content_type, image.mode) == ("image/jpeg", "RGB")
    assert near(corner_colour(image, "top_right"), GREEN)


def test_palette_png_with_a_transparent_index_becomes_a_transparent_webp() -> None:
    # Given a palette PNG whose index 0 (the left half) is transparent
    source = Image.new("P", (100, 100), 1)
    source.putpalette([0, 0, 0, *RED])
    source.paste(0, (0, 0, 50, 100))
    data = encode(source, "PNG", transparency=0)

    # When processed
    rendition = process(data).renditions[0]

    # Then the transparency survives
    image = decode(rendition)
    assert (rendition.content_type, image.mode) == ("image/webp", "RGBA")
    assert image.getpixel((10, 50))[3] == 0  # type: ignore[index]
    assert near(image.getpixel((90, 50)), (*RED, 255))  # type: ignore[arg-type]


def test_greyscale_jpeg_becomes_an_rgb_jpeg() -> None:
    # Given a greyscale (mode L) JPEG
    data = encode(Image.new("L", (100, 100), 128), "JPEG")

    # When processed
    image = decode(process(data).renditions[0])

    # Then it is RGB grey
    assert image.mode == "RGB"
    assert near(image.getpixel((50, 50)), GREY, tolerance=4)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("mode", "fmt", "content_type"),
    [
        ("1", "PNG", "image/jpeg"),
        ("L", "PNG", "image/jpeg"),
        ("LA", "PNG", "image/webp"),
        ("P", "PNG", "image/webp"),
        ("RGB", "PNG", "image/jpeg"),
        ("RGBA", "PNG", "image/webp"),
        ("I;16", "PNG", "image/jpeg"),
        ("L", "JPEG", "image/jpeg"),
        ("RGB", "JPEG", "image/jpeg"),
        ("CMYK", "JPEG", "image/jpeg"),
        ("RGB", "WEBP", "image/jpeg"),
        ("RGBA", "WEBP", "image/webp"),
    ],
)
def test_every_source_mode_becomes_an_rgb_jpeg_or_an_rgba_webp(
    mode: str, fmt: str, content_type: str
) -> None:
    # Given a source in that mode (alpha modes with a half-transparent corner)
    source = colourful((300, 200)).convert("RGBA")
    source.paste((0, 0, 0, 0), (0, 0, 50, 50))
    data = encode(source.convert(mode) if mode != "I;16" else Image.new("I;16", (300, 200), 9000), fmt)

    # When processed
    renditions = process(data).renditions

    # Then every rendition decodes as RGB JPEG or RGBA WebP
    expected_mode = "RGBA" if content_type == "image/webp" else "RGB"
    assert {(r.content_type, decode(r).mode) for r in renditions} == {(content_type, expected_mode)}


# --- animation -----------------------------------------------------------------------------------


def test_animated_gif_is_rejected_as_an_unsupported_format() -> None:
    # Given an animated GIF
    frames = [Image.new("RGB", (40, 30), colour) for colour in (RED, BLUE)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)

    # When / Then
    assert rejection(data) == "unsupported_format"


@pytest.mark.parametrize("fmt", ["WEBP", "PNG"])
def test_animated_webp_and_apng_are_reduced_to_their_first_frame(fmt: str) -> None:
    # Given a two-frame animation: red, then blue
    frames = [Image.new("RGB", (80, 60), colour) for colour in (RED, BLUE)]
    data = encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert Image.open(io.BytesIO(data)).n_frames == 2

    # When processed
    result = process(data)

    # Then the renditions are stills of the first frame
    image = decode(result.renditions[0])
    assert result.renditions[0].content_type == "image/jpeg"
    assert getattr(image, "n_frames", 1) == 1
    assert near(image.getpixel((40, 30)), RED)  # type: ignore[arg-type]


# --- truncation and corruption ---------------------------------------------------------------------


@pytest.mark.parametrize("progressive", [False, True])
def test_truncated_jpeg_is_rejected_as_corrupt(progressive: bool) -> None:
    # Given a JPEG cut in the middle of its scan data
    data = encode(colourful((800, 600)), "JPEG", progressive=progressive)

    # When / Then
    assert rejection(data[: len(data) // 2]) == "corrupt"


def test_truncated_jpeg_is_rejected_even_if_pillow_was_told_to_load_truncated_images(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given some other code in the process switched Pillow to half-decoding truncated files
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    data = encode(colourful((800, 600)), "JPEG")

    # When / Then
    assert rejection(data[: len(data) // 2]) == "corrupt"


def test_processing_leaves_pillow_strict_about_truncated_images() -> None:
    # Given / When an image is processed
    process(encode(colourful((100, 100)), "JPEG"))

    # Then the global stays at Pillow's strict default
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_truncated_png_is_rejected_as_corrupt() -> None:
    data = encode(colourful((400, 300)), "PNG")
    assert rejection(data[: len(data) // 2]) == "corrupt"


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        b"\xff\xd8\xff\xe0" + random.Random(7).randbytes(2000) + b"\xff\xd9",
        b"RIFF\x20\x00\x00\x00WEBPVP8 " + b"\x00" * 24,
    ],
    ids=["png-signature-then-zeros", "jpeg-soi-then-noise", "webp-header-then-zeros"],
)
def test_right_magic_with_undecodable_body_is_rejected_as_corrupt(data: bytes) -> None:
    assert rejection(data) == "corrupt"


def test_jpeg_with_a_trailer_after_its_end_marker_is_accepted() -> None:
    # Given a JPEG followed by a Motion-Photo-like binary trailer full of marker-like bytes
    trailer = b"ftypmp42" + random.Random(3).randbytes(200_000) + b"\xff\xda\x00"
    data = encode(colourful((400, 300)), "JPEG") + trailer

    # When / Then: the photo itself is complete, so it is processed
    assert process(data).renditions[0].width == 400


def test_multi_picture_jpeg_uses_its_primary_image() -> None:
    # Given a camera-style MPO: a red primary image followed by a blue secondary one
    frames = [Image.new("RGB", (120, 90), colour) for colour in (RED, BLUE)]
    data = encode(frames[0], "MPO", save_all=True, append_images=frames[1:])

    # When processed
    result = process(data)

    # Then it is read as a JPEG and the rendition is the primary image
    assert result.source_format == "jpeg"
    assert near(decode(result.renditions[0]).getpixel((60, 45)), RED)  # type: ignore[arg-type]


# --- decompression bombs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [png_declaring(20_000, 20_000), jpeg_declaring(20_000, 20_000), webp_declaring(16_383, 16_383)],
    ids=["png", "jpeg", "webp"],
)
def test_pixel_bomb_is_rejected_from_its_header_without_decoding(
    data: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a tiny file whose header declares hundreds of megapixels, and a decoder that must not run
    # (what makes the refusal cheap; no duration is asserted: a loaded machine would fail it)
    def no_decoding(*_args: object) -> None:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)

    # When processed
    reason = rejection(data)

    # Then it is refused as a bomb
    assert reason == "too_many_pixels"


def test_header_over_the_callers_pixel_cap_is_rejected() -> None:
    # 7000x7000 is below Pillow's own bomb limit but over the 40 MP default cap
    assert rejection(png_declaring(7_000, 7_000)) == "too_many_pixels"


@pytest.mark.parametrize("side", [10_000, 20_000], ids=["pillow-warning", "pillow-error"])
def test_pillows_own_bomb_guard_also_means_too_many_pixels(side: int) -> None:
    # Given a caller cap above Pillow's limit, so only Pillow's guard can trip
    assert rejection(png_declaring(side, side), max_pixels=10**9) == "too_many_pixels"


def test_processing_changes_no_pillow_or_warnings_globals() -> None:
    # Given the global state before
    max_pixels, filters = Image.MAX_IMAGE_PIXELS, list(warnings.filters)

    # When images are processed and rejected
    process(encode(colourful((100, 100)), "JPEG"))
    rejection(png_declaring(10_000, 10_000), max_pixels=10**9)

    # Then nothing leaked
    assert (Image.MAX_IMAGE_PIXELS, list(warnings.filters)) == (max_pixels, filters)


# --- identification and envelope -------------------------------------------------------------------


def test_html_uploaded_as_a_jpg_is_not_an_image() -> None:
    # Given "photo.jpg" declared image/jpeg whose bytes are an HTML page
    data = b"<!DOCTYPE html><html><head><title>hi</title></head><body><script>x()</script></body></html>"

    # When / Then: only the bytes count
    assert rejection(data) == "not_an_image"


def test_random_bytes_are_not_an_image() -> None:
    data = random.Random(1234).randbytes(4096)
    assert rejection(data) == "not_an_image"


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF", "ICO"])
def test_other_image_formats_are_rejected_as_unsupported(fmt: str) -> None:
    data = encode(colourful((64, 64)), fmt)
    assert rejection(data) == "unsupported_format"


def test_zero_bytes_are_rejected_as_empty() -> None:
    assert rejection(b"") == "empty"


def test_an_upload_over_max_bytes_is_rejected_as_too_large() -> None:
    data = encode(colourful((100, 100)), "JPEG")
    assert rejection(data, max_bytes=len(data) - 1) == "too_large"


def test_an_upload_of_exactly_max_bytes_is_accepted() -> None:
    data = encode(colourful((100, 100)), "JPEG")
    assert process(data, max_bytes=len(data)).source_format == "jpeg"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_source_format_is_read_from_the_bytes(fmt: str) -> None:
    assert process(encode(colourful((100, 100)), fmt)).source_format == fmt.lower()


def test_rejection_carries_a_human_message() -> None:
    with pytest.raises(ImageRejected) as caught:
        process(b"")
    assert (caught.value.reason, bool(caught.value.message)) == ("empty", True)


# --- metadata --------------------------------------------------------------------------------------


def private_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretPhoneCo"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (48.0, 51.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 17.0, 40.0)
    return exif


def assert_no_metadata(rendition: Rendition) -> None:
    image = decode(rendition)
    assert len(image.getexif()) == 0
    assert not {"exif", "xmp", "icc_profile", "comment"} & set(image.info)
    for marker in (b"Exif", b"EXIF", b"SecretPhoneCo", b"xmpmeta", b"ICCP"):
        assert marker not in rendition.data


def test_jpeg_with_gps_exif_xmp_and_icc_yields_renditions_with_no_metadata_at_all() -> None:
    # Given a JPEG carrying GPS EXIF, XMP, an ICC profile and a comment
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
    data = encode(colourful((900, 600)), "JPEG", exif=private_exif(), icc_profile=icc, xmp=xmp, comment="hi")
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    # When processed
    renditions = process(data).renditions

    # Then none of it reaches any rendition
    for rendition in renditions:
        assert_no_metadata(rendition)


def test_transparent_png_with_gps_exif_yields_webp_renditions_without_exif() -> None:
    # Given an RGBA PNG with an eXIf chunk holding GPS
    source = colourful((900, 600)).convert("RGBA")
    source.paste((0, 0, 0, 0), (0, 0, 100, 100))
    data = encode(source, "PNG", exif=private_exif())

    # When processed
    renditions = process(data).renditions

    # Then the WebP renditions carry no EXIF
    assert {r.content_type for r in renditions} == {"image/webp"}
    for rendition in renditions:
        assert_no_metadata(rendition)


# --- sizes -----------------------------------------------------------------------------------------


def test_a_small_source_is_never_upscaled() -> None:
    # Given a 500 px wide source
    data = encode(colourful((500, 250)), "JPEG")

    # When asked for 320, 640 and 1280
    renditions = {r.name: r for r in process(data).renditions}

    # Then only the 320 one is smaller; the others stay at 500
    assert {name: (r.width, r.height) for name, r in renditions.items()} == {
        "large": (500, 250),
        "medium": (500, 250),
        "small": (320, 160),
    }


def test_renditions_keep_the_aspect_ratio() -> None:
    # Given a 4:3 source
    data = encode(colourful((2000, 1500)), "JPEG")

    # When processed
    renditions = process(data).renditions

    # Then each rendition is 4:3 and decodes at its declared size
    assert [(r.width, r.height) for r in renditions] == [(1280, 960), (640, 480), (320, 240)]
    assert [decode(r).size for r in renditions] == [(1280, 960), (640, 480), (320, 240)]


def test_renditions_are_listed_largest_first_whatever_the_order_of_sizes() -> None:
    data = encode(colourful((1600, 900)), "PNG")
    renditions = process(data, sizes={"medium": 640, "small": 320, "large": 1280}).renditions
    assert [r.name for r in renditions] == ["large", "medium", "small"]


# --- shape: aspect-ratio limit and height cap (issue 21, finding 6) ------------------------------------


@pytest.mark.parametrize(
    ("size", "fmt"),
    [((600, 65_000), "JPEG"), ((300, 30_000), "JPEG"), ((65_000, 600), "JPEG"), ((100, 401), "PNG")],
    ids=["review-600x65000", "review-300x30000", "wide-strip", "just-over-1:4"],
)
def test_an_image_more_than_four_times_longer_than_wide_is_rejected(
    size: tuple[int, int], fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a real image that passes the pixel cap, and a decoder that must not run
    data = encode(Image.new("L", size, 128), fmt)

    def no_decoding(*_args: object) -> None:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    # When processed: refused from its header, with a reason of its own
    with pytest.raises(ImageRejected) as caught:
        process(data)
    assert caught.value.reason == "extreme_aspect_ratio"
    assert f"{size[0]}x{size[1]}" in caught.value.message


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((100, 400), {"large": (100, 400), "medium": (100, 400), "small": (100, 400)}),
        ((300, 1200), {"large": (300, 1200), "medium": (300, 1200), "small": (160, 640)}),
        ((1000, 2500), {"large": (1000, 2500), "medium": (512, 1280), "small": (256, 640)}),
        ((1600, 3200), {"large": (1280, 2560), "medium": (640, 1280), "small": (320, 640)}),
        ((4000, 1000), {"large": (1280, 320), "medium": (640, 160), "small": (320, 80)}),
    ],
    ids=["1:4-small", "1:4", "1:2.5", "1:2", "4:1"],
)
def test_each_rendition_fits_its_width_and_twice_that_height(
    size: tuple[int, int], expected: dict[str, tuple[int, int]]
) -> None:
    renditions = process(encode(colourful(size), "JPEG")).renditions
    assert {r.name: (r.width, r.height) for r in renditions} == expected
    assert {r.name: decode(r).size for r in renditions} == expected


def test_the_height_cap_applies_to_the_displayed_orientation() -> None:
    # Given a landscape-stored 2500x1000 photo that EXIF turns into a 1000x2500 portrait
    data = encode(colourful((2500, 1000)), "JPEG", exif=exif_with_orientation(6))
    image = process(data)
    # Then the portrait's renditions are height-capped, and decode at their declared size
    assert (image.width, image.height) == (1000, 2500)
    assert {r.name: (r.width, r.height) for r in image.renditions} == {
        "large": (1000, 2500),
        "medium": (512, 1280),
        "small": (256, 640),
    }
    assert [decode(r).size for r in image.renditions] == [(1000, 2500), (512, 1280), (256, 640)]


def spy_on_draft(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The sizes JPEGs were drafted to (libjpeg shrink-on-load), in call order."""
    drafted: list[tuple[int, int]] = []
    real_draft: Callable[..., Any] = JpegImagePlugin.JpegImageFile.draft

    def spy(self: JpegImagePlugin.JpegImageFile, mode: str | None, size: tuple[int, int] | None) -> Any:
        result = real_draft(self, mode, size)
        drafted.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    return drafted


@pytest.mark.parametrize(
    ("stored", "needed", "scale"),
    [
        ((4032, 3024), (1280, 960), 2),  # 12 MP phone photo: 2016x1512 still covers 1280
        ((4000, 3000), (1280, 960), 2),
        ((6000, 4000), (1280, 853), 4),  # 24 MP: 1500x1000
        ((4032, 3024), (1707, 1280), 2),  # EXIF-rotated portrait, needed size in stored orientation
        ((2560, 1920), (1280, 960), 2),  # exactly covered
        ((2559, 1919), (1280, 960), 2),  # libjpeg rounds up: 1280x960
        ((2500, 1875), (1280, 960), 1),  # 1/2 would be 1250 wide: full decode
        ((10240, 7680), (1280, 960), 8),
        ((1280, 960), (1280, 960), 1),  # never shrink below the rendition
        ((8000, 100), (1280, 16), 4),  # the short side limits too: 1/8 leaves 13 rows
    ],
)
def test_jpeg_scale_is_the_smallest_decode_that_covers_the_largest_rendition(
    stored: tuple[int, int], needed: tuple[int, int], scale: int
) -> None:
    assert jpeg_scale(stored, needed) == scale


def test_large_jpeg_is_decoded_at_the_smallest_scale_covering_the_rendition(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a 2600x1950 JPEG, a 320 px rendition, and a spy on JPEG draft mode
    drafted = spy_on_draft(monkeypatch)
    data = encode(colourful((2600, 1950)), "JPEG")

    # When processed
    rendition = process(data, sizes={"small": 320}).renditions[0]

    # Then libjpeg decoded at 1/8 scale (325x244 still covers 320x240) and the output is exact
    assert drafted == [(325, 244)]
    assert (rendition.width, rendition.height) == (320, 240)


def test_phone_photo_is_shrunk_on_load_even_when_exif_rotated(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a 4032x3024 JPEG tagged "rotate 90" (a 3024x4032 portrait), spies on draft and transpose
    drafted = spy_on_draft(monkeypatch)
    transposed: list[tuple[int, int]] = []
    real_transpose: Callable[..., Image.Image] = Image.Image.transpose

    def transpose_spy(self: Image.Image, method: Image.Transpose) -> Image.Image:
        transposed.append(self.size)
        return real_transpose(self, method)

    monkeypatch.setattr(Image.Image, "transpose", transpose_spy)
    data = encode(colourful((4032, 3024)), "JPEG", exif=exif_with_orientation(6))

    # When processed into 1280, 640 and 320
    result = process(data)

    # Then it decoded at 1/2 (2016x1512 covers the 1707x1280 stored-orientation rendition) and only
    # the renditions were transposed, never the decoded photo
    assert drafted == [(2016, 1512)]
    assert transposed == [(1707, 1280), (853, 640), (427, 320)]
    assert (result.width, result.height) == (3024, 4032)
    assert [(r.width, r.height) for r in result.renditions] == [(1280, 1707), (640, 853), (320, 427)]
    assert [decode(r).size for r in result.renditions] == [(1280, 1707), (640, 853), (320, 427)]


def test_small_jpeg_is_decoded_at_full_scale(monkeypatch: pytest.MonkeyPatch) -> None:
    drafted = spy_on_draft(monkeypatch)
    process(encode(colourful((2000, 1500)), "JPEG"))
    assert drafted == []


def test_smaller_renditions_are_resized_from_larger_ones_not_from_the_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a 2600 px PNG and a spy on high-quality resizes
    resized_from: list[int] = []
    real_resize: Callable[..., Image.Image] = Image.Image.resize

    def spy(self: Image.Image, size: tuple[int, int], resample: Any = None, *args: Any, **kw: Any) -> Any:
        if resample == Image.Resampling.LANCZOS:
            resized_from.append(self.width)
        return real_resize(self, size, resample, *args, **kw)

    monkeypatch.setattr(Image.Image, "resize", spy)

    # When processed into 1280, 640 and 320
    process(encode(colourful((2600, 1300)), "PNG"))

    # Then 1280 comes from the source, 640 from 1280, 320 from 640
    assert resized_from == [2600, 1280, 640]


def test_sizes_must_be_positive_widths() -> None:
    with pytest.raises(ValueError):
        process(encode(colourful((100, 100)), "JPEG"), sizes={"small": 0})


# --- palette ---------------------------------------------------------------------------------------


def test_palette_of_a_colourful_image_has_5_hex_colours() -> None:
    data = encode(colourful((640, 480)), "PNG")
    palette = process(data).palette
    assert len(palette) == 5
    assert all(len(c) == 7 and c[0] == "#" and int(c[1:], 16) >= 0 and c == c.lower() for c in palette)


def test_palette_is_ordered_by_pixel_count() -> None:
    # Given stripes where red covers most pixels, then blue, then green
    data = encode(colourful((640, 480)), "PNG")

    # When processed
    palette = process(data).palette

    # Then the first three are red, blue, green in that order
    assert palette[:3] == ["#ff0000", "#0000ff", "#00ff00"]


def test_palette_of_a_two_colour_image_has_two_entries() -> None:
    # Given an image that is 3/4 blue and 1/4 red
    source = Image.new("RGB", (64, 64), BLUE)
    source.paste(RED, (0, 0, 32, 32))

    # When processed
    palette = process(encode(source, "PNG")).palette

    # Then only those two, most pixels first
    assert palette == ["#0000ff", "#ff0000"]


def test_palette_ignores_transparent_pixels() -> None:
    # Given a mostly transparent PNG with a green subject
    source = Image.new("RGBA", (200, 200), (255, 0, 0, 0))
    source.paste((*GREEN, 255), (50, 50, 150, 150))

    # When processed
    palette = process(encode(source, "PNG")).palette

    # Then the invisible red does not count
    assert palette == ["#00ff00"]


# --- quality against the textbook pipeline -------------------------------------------------------


def photo_like(size: tuple[int, int], seed: int) -> Image.Image:
    """Texture at several scales (weaker as it gets finer), hard-edged shapes, sensor grain.

    Deterministic: every random byte comes from `seed` (Pillow's effect_noise uses C rand()).
    """
    rng = random.Random(seed)
    width, height = size

    def noise(step: int) -> Image.Image:
        cells = (-(-width // step), -(-height // step))
        layer = Image.frombytes("L", cells, rng.randbytes(cells[0] * cells[1]))
        return layer.resize(size, Image.Resampling.BICUBIC)

    channels = []
    for _ in range(3):
        layer = Image.new("L", size, rng.randrange(60, 200))
        for step, weight in ((256, 0.5), (64, 0.35), (16, 0.25), (4, 0.15)):
            layer = Image.blend(layer, noise(step), weight)
        channels.append(layer)
    image = Image.merge("RGB", channels)
    draw = ImageDraw.Draw(image)
    for _ in range(30):
        x, y, r = rng.randrange(width), rng.randrange(height), rng.randrange(width // 60, width // 8)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse((x - r, y - r, x + r, y + r // 2), fill=colour)
        draw.line((x, y, rng.randrange(width), rng.randrange(height)), fill=colour, width=rng.randrange(1, 6))
    grain = Image.frombytes("L", size, rng.randbytes(width * height)).point(lambda v: 128 + (v - 128) // 24)
    return ImageChops.add(image, Image.merge("RGB", [grain] * 3), offset=-128)


def psnr(image: Image.Image, reference: Image.Image) -> float:
    squares = ImageStat.Stat(ImageChops.difference(image.convert("RGB"), reference)).sum2
    mse = sum(squares) / (3 * reference.width * reference.height)
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)


# Half the bench's sizes, so the same shrink-on-load choices come up at a quarter of the pixels:
# 1/2 with room to spare (a phone photo), 1/2 rotated, 1/4 (24 MP), and 1/2 covering just 1.02x.
@pytest.mark.parametrize(
    ("stored", "orientation"),
    [((2016, 1512), 1), ((2016, 1512), 6), ((3000, 2000), 1), ((1300, 975), 1)],
)
def test_renditions_are_within_half_a_db_of_a_full_decode_lanczos_reference(
    stored: tuple[int, int], orientation: int
) -> None:
    # Given a photo-like JPEG, and the textbook renditions: full decode, orient, LANCZOS from full size
    exif = exif_with_orientation(orientation)
    data = encode(photo_like(stored, seed=stored[0]), "JPEG", quality=92, exif=exif)
    with Image.open(io.BytesIO(data)) as opened:
        full = ImageOps.exif_transpose(opened)

    # When processed (shrink-on-load, resized before orienting, cascaded)
    renditions = process(data, sizes={"large": 640, "medium": 320, "small": 160}).renditions

    # Then each is as close to the reference pixels as the reference itself once JPEG-encoded
    for rendition in renditions:
        reference = full.resize((rendition.width, rendition.height), Image.Resampling.LANCZOS)
        encoded = encode(reference, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        ceiling = psnr(Image.open(io.BytesIO(encoded)), reference)
        assert psnr(decode(rendition), reference) >= ceiling - 0.5, rendition.name
