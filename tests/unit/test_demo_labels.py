"""The local stand-in for Rekognition labels the demo pictures by what the generator drew."""

from __future__ import annotations

import base64
import json

from local import demo_labels
from local.demo_images import jpeg, scene


def demo_photo(seed: int, interest: str) -> tuple[bytes, list[str]]:
    """A demo picture as the seed writes it, and the kinds of what was drawn in it."""
    image, drawing = scene(interest, (640, 480), seed)
    return jpeg(image), list(drawing.kinds())


def test_a_demo_picture_is_labelled_by_what_was_drawn_in_it() -> None:
    data, drawn = demo_photo(1000, "hiking")
    labels = demo_labels.labels_in(data)
    assert "mobile phone" not in labels
    assert drawn and len(labels) > len(set(drawn))  # each object drawn, and the setting


def test_every_scene_family_names_its_objects() -> None:
    for interest in ("coffee", "tech", "yoga", "pets", "fashion", "books", "skincare"):
        image, drawing = scene(interest, (320, 240), 7)
        names = demo_labels.labels_in(jpeg(image))
        # the setting and the objects drawn in it (named as the record names them)
        assert len(names) > len(set(drawing.kinds())) >= 1 and "mobile phone" not in names, (interest, names)


def test_a_picture_without_a_record_gets_no_label_rather_than_a_canned_one() -> None:
    from PIL import Image

    plain = jpeg(Image.new("RGB", (64, 48), (10, 20, 30)))
    answer = json.loads(
        demo_labels.answer(json.dumps({"Image": {"Bytes": base64.b64encode(plain).decode()}}))
    )
    assert answer["Labels"] == []


def test_the_answer_respects_min_confidence_and_max_labels() -> None:
    data, _ = demo_photo(1001, "coffee")
    request = {"Image": {"Bytes": base64.b64encode(data).decode()}, "MaxLabels": 3, "MinConfidence": 98}
    answer = json.loads(demo_labels.answer(json.dumps(request)))
    assert [label["Confidence"] for label in answer["Labels"]] == [99.0, 98.0]
