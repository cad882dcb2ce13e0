"""A small generated image corpus for end-to-end thumbnailer tests (no binary fixtures)."""

from __future__ import annotations

import io
import random
import struct
from typing import Any

from PIL import ExifTags, Image

HTML = b"<!doctype html><html><head><title>hi</title></head><body><script>alert(1)</script></body></html>"
SECRET_MAKER = "SecretPhoneCo"


def encode(image: Image.Image, fmt: str, **params: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def stripes(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """Three vertical colour bands: enough detail that a cut file is visibly cut."""
    image = Image.new("RGB", (width, height), (200, 60, 40))
    image.paste((40, 120, 200), (width // 3, 0, 2 * width // 3, height))
    image.paste((60, 180, 80), (2 * width // 3, 0, width, height))
    return image if mode == "RGB" else image.convert(mode)


def jpeg(width: int = 500, height: int = 300, **params: Any) -> bytes:
    return encode(stripes(width, height), "JPEG", quality=85, **params)


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = SECRET_MAKER
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (48.0, 51.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 17.0, 40.0)
    return exif


def jpeg_with_gps(width: int = 500, height: int = 300) -> bytes:
    data = jpeg(width, height, exif=gps_exif())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo), "corpus: GPS not written"
    return data


def png_with_alpha(width: int = 400, height: int = 300) -> bytes:
    image = stripes(width, height, "RGBA")
    image.paste((0, 0, 0, 0), (0, 0, width // 4, height // 4))
    return encode(image, "PNG")


def cmyk_jpeg(width: int = 400, height: int = 300) -> bytes:
    return encode(stripes(width, height, "CMYK"), "JPEG", quality=85)


def truncated_jpeg(width: int = 400, height: int = 300) -> bytes:
    data = jpeg(width, height)
    return data[: len(data) // 2]


def jpeg_declaring(width: int, height: int) -> bytes:
    """A tiny JPEG whose frame header claims another size: a pixel bomb's header."""
    data = bytearray(encode(Image.new("RGB", (8, 8)), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def noisy_jpeg(width: int, height: int, seed: int = 7) -> bytes:
    """Random pixels compress badly: a valid JPEG of predictable, large-ish size."""
    rng = random.Random(seed)
    image = Image.frombytes(
        "RGB", (width, height), bytes(rng.randrange(256) for _ in range(width * height * 3))
    )
    return encode(image, "JPEG", quality=95)


def open_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
