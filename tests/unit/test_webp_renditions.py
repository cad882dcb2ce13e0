"""WebP and AVIF copies of the renditions: made beside opaque JPEGs only, shown as each size's
`webp_url` and `avif_url`."""

from __future__ import annotations

import io

from PIL import Image

from chalicelib.data.media import RenditionRecord, avif_name, size_of_avif, size_of_webp, webp_name
from chalicelib.services.imaging import avif_encodes, process_image
from chalicelib.services.presenters import renditions_at, renditions_out
from chalicelib.settings import get_settings

SIZES = {"small": 32, "large": 64}


def _image(mode: str, colour: tuple[int, ...]) -> bytes:
    buffer = io.BytesIO()
    image = Image.new(mode, (96, 72), colour)
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_an_opaque_photo_gets_a_webp_copy_of_each_jpeg_rendition_and_only_when_asked() -> None:
    data = _image("RGB", (200, 60, 40))
    with_copies = process_image(data, sizes=SIZES, max_bytes=10**6, webp=True)
    assert [(r.extension, r.webp is not None) for r in with_copies.renditions] == [("jpg", True)] * 2
    for rendition in with_copies.renditions:
        assert rendition.webp is not None
        with Image.open(io.BytesIO(rendition.webp)) as copy:
            assert (copy.format, copy.size) == ("WEBP", (rendition.width, rendition.height))
    assert all(r.webp is None for r in process_image(data, sizes=SIZES, max_bytes=10**6).renditions)


def test_a_transparent_picture_is_webp_already_and_gets_no_copy() -> None:
    data = _image("RGBA", (200, 60, 40, 128))
    renditions = process_image(data, sizes=SIZES, max_bytes=10**6, webp=True).renditions
    assert [(r.extension, r.webp) for r in renditions] == [("webp", None)] * 2


def test_a_sizes_copies_are_its_webp_and_avif_urls_never_sizes_of_their_own() -> None:
    assert (webp_name("small"), size_of_webp("small.webp"), size_of_webp("small")) == (
        "small.webp",
        "small",
        None,
    )
    stored = {
        "small": {"key": "media/u/small.jpg", "width": 32, "height": 24},
        "small.webp": {"key": "media/u/small.webp", "width": 32, "height": 24},
        "small.avif": {"key": "media/u/small.avif", "width": 32, "height": 24},
        "large": {"key": "media/u/large.jpg", "width": 64, "height": 48},
    }
    assert (avif_name("small"), size_of_avif("small.avif"), size_of_avif("small.webp")) == (
        "small.avif",
        "small",
        None,
    )
    out = renditions_out(get_settings(), stored)
    assert set(out) == {"small", "large"}
    assert (out["small"].avif_url or "").endswith("/media/u/small.avif")
    assert out["large"].avif_url is None
    assert out["small"].url.endswith("/media/u/small.jpg")
    assert out["small"].webp_url is not None and out["small"].webp_url.endswith("/media/u/small.webp")
    assert out["large"].webp_url is None  # an older photo: no copy
    records = [RenditionRecord(name, r["key"], r["width"], r["height"]) for name, r in stored.items()]
    held = renditions_at(records, lambda key: f"signed:{key}")
    assert {n: (r.url, r.webp_url) for n, r in held.items()} == {
        "small": ("signed:media/u/small.jpg", "signed:media/u/small.webp"),
        "large": ("signed:media/u/large.jpg", None),
    }


def test_an_opaque_photo_gets_an_avif_copy_beside_its_webp_one_where_pillow_encodes_avif() -> None:
    assert (
        avif_encodes()
    )  # the Pillow of requirements.txt does (the Lambda zip's: tests/unit/test_imaging.py)
    renditions = process_image(
        _image("RGB", (200, 60, 40)), sizes=SIZES, max_bytes=10**6, webp=True
    ).renditions
    for rendition in renditions:
        assert rendition.avif is not None
        with Image.open(io.BytesIO(rendition.avif)) as copy:
            assert (copy.format, copy.size) == ("AVIF", (rendition.width, rendition.height))
    transparent = process_image(_image("RGBA", (200, 60, 40, 128)), sizes=SIZES, max_bytes=10**6, webp=True)
    assert all(r.avif is None for r in transparent.renditions)
