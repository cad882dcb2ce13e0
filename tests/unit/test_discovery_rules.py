"""Image discovery's rules (issue 22): signatures, matching, candidate buckets, mentions."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from chalicelib.data.discovery import Candidate
from chalicelib.data.media import Upload
from chalicelib.services import discovery, signatures
from tests.support.discovery import packshot, photo_showing, plain_photo

TEAL = (20, 130, 130)
PLUM = (120, 40, 100)


def _candidate(product_id: str, colour: tuple[int, int, int]) -> Candidate:
    signature = signatures.product_signature_of(packshot(colour))
    assert signature is not None
    return Candidate(product_id, "brand-1", f"Bottle {product_id}", signature.encode())


def test_a_product_signature_keeps_the_objects_colour_shape_and_aspect() -> None:
    signature = signatures.product_signature_of(packshot(TEAL))
    assert signature is not None
    # Its own colour's name first, then the names the same teal may get under a scene's light
    buckets = signatures.product_buckets(signature)
    assert buckets[0] == "teal" and len(buckets) <= signatures.MAX_PRODUCT_BUCKETS
    assert 0.35 < signature.aspect < 0.5  # the object is 0.3 wide for 0.7 high
    assert 0.6 < signature.silhouette.bit_count() / 64 < 0.95  # a bottle fills most of its box
    assert signatures.ProductSignature.decode(signature.encode()) == signature


def test_a_plain_picture_has_no_product_signature() -> None:
    assert signatures.product_signature_of(plain_photo((240, 240, 240))) is None


def test_a_photo_signature_is_a_small_grid() -> None:
    encoded = signatures.photo_signature_of(photo_showing(TEAL, (0.5, 0.6)))
    photo = signatures.PhotoSignature.decode(encoded)
    assert (photo.width, photo.height) == (32, 24)
    assert len(encoded) < 4000


@pytest.mark.parametrize("at", [(0.25, 0.6), (0.7, 0.65)])
def test_a_product_filling_part_of_a_photo_matches_where_it_is(at: tuple[float, float]) -> None:
    photo = signatures.PhotoSignature.decode(signatures.photo_signature_of(photo_showing(TEAL, at)))
    [found] = discovery.rank_matches(
        signatures.photo_signature_of(photo_showing(TEAL, at)), [_candidate("teal", TEAL)]
    )
    assert found.product_id == "teal" and found.confidence >= discovery.MATCH_THRESHOLD
    assert abs(found.x - at[0]) < 0.08 and abs(found.y - at[1]) < 0.08
    assert "teal" in signatures.photo_buckets(photo)


def test_a_product_of_another_colour_does_not_match() -> None:
    photo = signatures.photo_signature_of(photo_showing(TEAL, (0.5, 0.6)))
    assert discovery.rank_matches(photo, [_candidate("plum", PLUM)]) == []


def test_only_the_best_matches_are_kept_best_first() -> None:
    photo = signatures.photo_signature_of(photo_showing(TEAL, (0.5, 0.6)))
    candidates = [_candidate(f"teal-{i}", TEAL) for i in range(5)]
    found = discovery.rank_matches(photo, candidates, threshold=0.0, kept=3)
    assert len(found) == 3
    assert [f.confidence for f in found] == sorted((f.confidence for f in found), reverse=True)


def test_a_signature_of_another_version_is_refused() -> None:
    with pytest.raises(ValueError):
        signatures.ProductSignature.decode("v0:1,2,3:1.0:ff")


def _post_insert(post_id: str, tagged: list[str], upload_id: str) -> SimpleNamespace:
    image = {
        "type": "post",
        "post_id": post_id,
        "author_id": "author-1",
        "created_at": "2026-12-03T20:00:00.000Z",
        "product_ids": tagged,
        "photos": [{"upload_id": upload_id, "tags": []}],
    }
    return SimpleNamespace(name="INSERT", new=image, old=None, event_id="e1")


def _upload(upload_id: str, product_ids: list[str]) -> Upload:
    matches = [
        {"product_id": p, "brand_id": "brand-1", "title": p, "confidence": 0.9, "x": 0.4, "y": 0.6}
        for p in product_ids
    ]
    return Upload(upload_id, "author-1", "ready", "image/jpeg", 1, "k", matches=matches)


def test_a_published_photo_mentions_its_best_match_when_it_does_not_tag_it() -> None:
    changes = [_post_insert("post-1", ["tagged"], "up-1")]
    found = discovery.mentions_of(changes, {"up-1": _upload("up-1", ["untagged", "tagged"])})
    assert [(m.brand_id, m.post_id, m.product_id, m.confidence) for m in found] == [
        ("brand-1", "post-1", "untagged", 0.9)
    ]
    # A photo whose best match is tagged mentions nothing (lesser matches are suggestions only)
    assert discovery.mentions_of(changes, {"up-1": _upload("up-1", ["tagged", "untagged"])}) == []


def test_only_new_posts_make_mentions() -> None:
    change = _post_insert("post-1", [], "up-1")
    edited = SimpleNamespace(name="MODIFY", new=change.new, old=change.new, event_id="e2")
    assert discovery.mentions_of([edited], {"up-1": _upload("up-1", ["p"])}) == []
