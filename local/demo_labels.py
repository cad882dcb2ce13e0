"""Image labels under `make dev`: what the demo pictures show, from the demo image generator's own record.

The embedded AWS's Rekognition answers every DetectLabels with one canned label ("Mobile
Phone"), which describes no demo picture. `local/demo_images.py` records what it drew in the
JPEG it writes (EXIF ImageDescription: `flint-demo: outdoors: tent, backpack, boots`); this
module is a local stand-in for DetectLabels, installed in the embedded AWS that `make dev` runs
(`python -m local.aws_server`), that answers with those objects and the scene as labels, and with
no label at all for a picture without a record (a photo you upload yourself: its colour names
still label it, services/labels.py). chalicelib keeps calling Rekognition the same way; tests,
which start the embedded AWS in-process, keep the canned answer.
"""

from __future__ import annotations

import base64
import io
import json
from typing import Any

RECORD_PREFIX = "flint-demo: "
IMAGE_DESCRIPTION = 0x010E

# What each drawn object is called, and what each scene family shows around it.
OBJECTS = {
    "tent": "tent",
    "backpack": "backpack",
    "boots": "hiking boots",
    "mug": "mug",
    "kettle": "kettle",
    "pot": "cooking pot",
    "plant": "house plant",
    "lamp": "lamp",
    "books": "books",
    "monitor": "computer monitor",
    "keyboard": "keyboard",
    "headphones": "headphones",
    "camera": "camera",
    "bottle": "bottle",
    "jar": "jar",
    "mat": "yoga mat",
    "dumbbell": "dumbbell",
    "shoe": "sneaker",
    "pet_bed": "pet bed",
    "tote": "tote bag",
    "board": "cutting board",
}
SCENES = {
    "outdoors": ["mountains", "outdoors"],
    "kitchen": ["kitchen", "countertop"],
    "home": ["living room", "shelf"],
    "desk": ["desk", "workspace"],
    "beauty": ["bathroom shelf"],
    "active": ["gym", "fitness"],
    "pets": ["pet corner"],
    "style": ["wardrobe", "fashion"],
}


def record(family: str, drawn: list[str]) -> str:
    """What the generator writes in the picture: its scene and the objects it drew."""
    return f"{RECORD_PREFIX}{family}: {', '.join(drawn)}"


def labels_of(description: str) -> list[str]:
    """Label names for a recorded picture: its objects first, then its scene."""
    if not description.startswith(RECORD_PREFIX):
        return []
    family, _, objects = description[len(RECORD_PREFIX) :].partition(": ")
    names = [OBJECTS.get(o.strip(), o.strip().replace("_", " ")) for o in objects.split(",") if o.strip()]
    return list(dict.fromkeys(names + SCENES.get(family, [])))


def labels_in(data: bytes) -> list[str]:
    """The labels a JPEG's record gives (none without a record, or for anything unreadable)."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            description = image.getexif().get(IMAGE_DESCRIPTION, "")
    except Exception:  # any picture the stand-in cannot read simply has no record
        return []
    return labels_of(str(description))


def answer(request_body: str) -> str:
    """A DetectLabels answer for a request body, in Rekognition's shape."""
    request: dict[str, Any] = json.loads(request_body or "{}")
    image = request.get("Image") or {}
    data = base64.b64decode(image["Bytes"]) if "Bytes" in image else b""
    names = labels_in(data) if data else []
    minimum = float(request.get("MinConfidence", 0))
    labels = [
        {"Name": name.title(), "Confidence": 99.0 - index, "Instances": [], "Parents": [], "Categories": []}
        for index, name in enumerate(names[: int(request.get("MaxLabels", 10))])
        if 99.0 - index >= minimum
    ]
    return json.dumps({"Labels": labels, "LabelModelVersion": "3.0"})


def install() -> None:
    """Answer DetectLabels from the demo record in this process's embedded AWS."""
    from moto.rekognition.responses import RekognitionResponse

    def detect_labels(self: RekognitionResponse) -> str:
        return answer(self.body)

    RekognitionResponse.detect_labels = detect_labels  # type: ignore[method-assign]
