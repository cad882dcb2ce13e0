"""The demo's pictures show what they say: every tag sits on the drawn object of its product's
kind, the record in the JPEG is what was drawn, and each product is drawn as its own kind.

The generator's own record (local/demo_scenes.py `Drawing`) is the evidence: its object map says
which object is visible at each pixel, so "the tag is on the object" is checked where the tag is,
not where the object was meant to go.
"""

from __future__ import annotations

import io
from collections import Counter

import pytest
from PIL import Image

from local import demo_images
from local.demo_data import BRANDS, COLOURS, products
from local.demo_objects import KINDS
from local.demo_plan import PlannedPost, plan
from local.demo_posts import post_body, post_photo, tags_of
from local.demo_scenes import SETTINGS, TIMES, Drawing
from local.demo_stories import SHOTS

# Small pictures: the layout and the record do not depend on the size, and the tests stay cheap.
EDGE = 240


@pytest.fixture(autouse=True)
def _no_disk_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Draw every picture: a cached record has no object map, and tests leave no files behind."""
    monkeypatch.setenv("FLINT_DEMO_IMAGE_CACHE", "off")


@pytest.fixture(scope="module")
def demo_posts() -> list[PlannedPost]:
    return [p for p in plan(120).posts if p.has_photo]


def _drawn(post: PlannedPost) -> tuple[bytes, Drawing]:
    return post_photo(post, long_edge=EDGE)


def test_every_tag_is_on_the_drawn_object_of_its_products_kind(demo_posts: list[PlannedPost]) -> None:
    kind_of = {p.product_id: p.kind for p in products()}
    checked = 0
    for post in demo_posts:
        _, drawing = _drawn(post)
        tags = tags_of(drawing)
        # one tag per product the post names, none for the props around them
        assert sorted(t["product_id"] for t in tags) == sorted(p.product_id for p in post.products)
        for tag in tags:
            kind = kind_of[tag["product_id"]]
            assert drawing.kind_at(tag["x"], tag["y"]) == kind, (post.shot.caption, tag, kind)
            checked += 1
    assert checked >= 150  # the whole demo, not a sample of it


def test_a_posts_body_carries_the_tags_at_the_drawn_points(demo_posts: list[PlannedPost]) -> None:
    post = next(p for p in demo_posts if len(p.products) >= 2)
    _, drawing = _drawn(post)
    body = post_body(post, "upload_x", drawing)
    assert body["caption"] == post.shot.caption
    assert body["photos"][0]["tags"] == tags_of(drawing)
    assert {(t["x"], t["y"]) for t in body["photos"][0]["tags"]} == {
        o.point for o in drawing.objects if o.product_id
    }


def test_a_pictures_record_in_its_exif_is_what_was_drawn(demo_posts: list[PlannedPost]) -> None:
    for post in demo_posts[:12]:
        data, drawing = _drawn(post)
        with Image.open(io.BytesIO(data)) as image:
            description = image.getexif().get(demo_images.IMAGE_DESCRIPTION)
        # The contract local/demo_labels.py (t20-brand) reads: "flint-demo: <family>: <kind>, ..."
        prefix, family, kinds = description.split(": ", 2)
        assert prefix + ": " == demo_images.RECORD_PREFIX == "flint-demo: "
        assert family == SETTINGS[post.shot.setting].family == drawing.family
        assert kinds.split(", ") == drawing.kinds()
        # the products and the props, nothing else
        assert Counter(drawing.kinds()) == Counter([p.kind for p in post.products] + list(post.shot.props))


def test_the_record_survives_the_sideways_phone_photos(demo_posts: list[PlannedPost]) -> None:
    sideways = next(p for p in demo_posts if p.shape[2] == 6)
    data, drawing = post_photo(sideways, long_edge=None)
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        assert exif.get(0x0112) == 6
        assert exif.get(demo_images.IMAGE_DESCRIPTION) == demo_images.record(drawing)
        stored = image.size
    # stored sideways; the record's points are in the upright picture
    assert stored == (drawing.size[1], drawing.size[0])


def test_every_shot_can_be_drawn_with_catalog_products_of_its_kinds() -> None:
    by_kind = Counter(p.kind for p in products())
    for shot in SHOTS:
        if shot.kind == "idea":
            assert not shot.subject and shot.story
            continue
        assert shot.setting in SETTINGS, shot.caption
        assert shot.subject, shot.caption
        for kind in shot.subject:
            assert by_kind[kind] >= 1, (shot.caption, kind)  # something to tag
        for kind in shot.props:
            assert kind in KINDS, (shot.caption, kind)
        assert all(t in TIMES for t in shot.times), shot.caption
        if shot.kind == "story":
            assert shot.story, shot.caption


def test_each_product_is_of_a_drawable_kind_its_title_names_in_its_colour() -> None:
    nouns = {brand.brand_id: brand.nouns for brand in BRANDS}
    catalog = products()
    assert len(catalog) == 240
    for product in catalog:
        assert product.kind in KINDS and KINDS[product.kind].product, product.title
        assert product.colour in COLOURS
        assert product.title.endswith(f" - {product.colour}")
        assert any(noun in product.title for noun, kind in nouns[product.brand_id] if kind == product.kind)
    # every noun of every brand has products, so every kind a brand sells can be tagged
    assert {(p.brand_id, p.kind) for p in catalog} == {(b.brand_id, k) for b in BRANDS for _, k in b.nouns}


def test_packshots_differ_per_product_and_are_square_jpegs() -> None:
    some = products()[:6]
    pictures = [demo_images.product_image(p, size=160) for p in some]
    assert len(set(pictures)) == len(pictures)
    for data in pictures:
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "JPEG" and image.size == (160, 160)
