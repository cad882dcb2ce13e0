"""PostIn: the shape rules of each kind, interests and tags, and which field each error names."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from chalicelib.schemas.posts import MAX_PRODUCTS_PER_POST, PostIn


def _photos(count: int, tags_each: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "upload_id": f"up_{i}",
            "tags": [{"product_id": f"p-{j}", "x": 0.5, "y": 0.5} for j in range(tags_each)],
        }
        for i in range(count)
    ]


def _post(**overrides: Any) -> dict[str, Any]:
    return {"kind": "photo", "caption": "c", "interests": ["hiking"], "photos": _photos(1), **overrides}


def _error_fields(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        PostIn.model_validate(data)
    return [".".join(str(p) for p in e["loc"]) for e in caught.value.errors()]


# --- kinds -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "photos", "body"),
    [("photo", 1, None), ("story", 1, "b"), ("story", 10, "b"), ("idea", 0, "b"), ("idea", 10, "b")],
)
def test_each_kind_accepts_its_photo_counts(kind: str, photos: int, body: str | None) -> None:
    # When a post of that kind and photo count is validated
    post = PostIn.model_validate(_post(kind=kind, photos=_photos(photos), body=body))

    # Then it is accepted as sent
    assert (post.kind, len(post.photos)) == (kind, photos)


@pytest.mark.parametrize(
    ("kind", "photos", "body", "field"),
    [
        ("photo", 0, None, "photos"),
        ("photo", 2, None, "photos"),
        ("story", 0, "b", "photos"),
        ("story", 11, "b", "photos"),
        ("story", 1, None, "body"),
        ("story", 1, " \n ", "body"),
        ("idea", 11, "b", "photos"),
        ("idea", 0, None, "body"),
        ("idea", 0, "", "body"),
    ],
)
def test_each_kind_refuses_other_photo_counts_or_a_missing_body_naming_the_field(
    kind: str, photos: int, body: str | None, field: str
) -> None:
    # When a post breaking its kind's rule is validated, then the error names the field to fix
    assert _error_fields(_post(kind=kind, photos=_photos(photos), body=body)) == [field]


def test_an_unknown_kind_is_refused() -> None:
    assert _error_fields(_post(kind="video")) == ["kind"]


def test_a_photo_post_may_carry_a_body() -> None:
    assert PostIn.model_validate(_post(body="details")).body == "details"


def test_the_same_upload_twice_is_refused() -> None:
    photos = _photos(2)
    photos[1]["upload_id"] = photos[0]["upload_id"]
    assert _error_fields(_post(kind="story", body="b", photos=photos)) == ["photos"]


# --- interests -------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 2, 3])
def test_one_to_three_interests_are_accepted(count: int) -> None:
    interests = ["hiking", "camping", "coffee"][:count]
    assert PostIn.model_validate(_post(interests=interests)).interests == interests


@pytest.mark.parametrize("count", [0, 4])
def test_zero_or_four_interests_are_refused(count: int) -> None:
    assert _error_fields(_post(interests=["a", "b", "c", "d"][:count])) == ["interests"]


def test_interests_keep_their_positions_so_errors_can_point_at_them() -> None:
    # When interests with a repeat are validated, then they are kept as sent (the service de-duplicates)
    assert PostIn.model_validate(_post(interests=["hiking", "hiking", "x"])).interests == [
        "hiking",
        "hiking",
        "x",
    ]


# --- tags ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("x", "y"), [(0, 0), (1, 1), (0.5, 0.25)])
def test_tag_coordinates_inside_0_to_1_are_accepted(x: float, y: float) -> None:
    photos = [{"upload_id": "up_1", "tags": [{"product_id": "p", "x": x, "y": y}]}]
    tag = PostIn.model_validate(_post(photos=photos)).photos[0].tags[0]
    assert (tag.x, tag.y) == (x, y)


@pytest.mark.parametrize(
    ("x", "y", "field"), [(-0.001, 0.5, "x"), (1.001, 0.5, "x"), (0.5, -1, "y"), (0.5, 2, "y")]
)
def test_tag_coordinates_outside_0_to_1_are_refused(x: float, y: float, field: str) -> None:
    photos = [{"upload_id": "up_1", "tags": [{"product_id": "p", "x": x, "y": y}]}]
    assert _error_fields(_post(photos=photos)) == [f"photos.0.tags.0.{field}"]


def test_five_tags_on_a_photo_are_accepted() -> None:
    assert len(PostIn.model_validate(_post(photos=_photos(1, tags_each=5))).photos[0].tags) == 5


def test_six_tags_on_a_photo_are_refused() -> None:
    assert _error_fields(_post(photos=_photos(1, tags_each=6))) == ["photos.0.tags"]


def test_more_distinct_products_than_one_transaction_holds_are_refused() -> None:
    # Given a story whose photos tag one product more than the limit, all different
    count = MAX_PRODUCTS_PER_POST + 1
    photos = [
        {"upload_id": f"up_{i}", "tags": [{"product_id": f"p-{i}-{j}", "x": 0, "y": 0} for j in range(5)]}
        for i in range(5)
    ]
    flat = [t for p in photos for t in p["tags"]][:count]
    assert len({t["product_id"] for t in flat}) == count
    photos = [{"upload_id": f"up_{i}", "tags": flat[i * 5 : i * 5 + 5]} for i in range(5)]

    # When it is validated, then the photos are refused
    assert _error_fields(_post(kind="story", body="b", photos=photos)) == ["photos"]


def test_unknown_fields_are_refused() -> None:
    assert _error_fields(_post(author_id="someone-else")) == ["author_id"]
