"""A stand-in for Rekognition DetectModerationLabels, answered by the embedded AWS.

moto 5.2.5 implements DetectLabels (one canned label) but not DetectModerationLabels, so the
embedded AWS (local/aws_server.py) answers that one action itself, with this module, in the shape
Rekognition does. The thumbnailer's code path, its IAM policy and its failure handling are then
the same locally as in AWS: nothing in chalicelib knows it is talking to a stand-in.

What it flags: an image that carries the text marker `flint-moderation:<category>` anywhere in
its bytes (a JPEG comment, a PNG tEXt chunk, EXIF), e.g. `flint-moderation:explicit-nudity`,
answers that category as a top-level moderation label with one child label, the way Rekognition
returns its hierarchy flattened. Every other image is clean. A marker is deterministic and
honest: the stand-in does not pretend to see anything, and tests and demos can exercise the hold
path with a real image (`marked_jpeg()`). Images passed by S3 reference (over 5 MB) are read from
the embedded S3.
"""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Iterable
from typing import Any

TARGET = "RekognitionService.DetectModerationLabels"
MARKER = re.compile(rb"flint-moderation:([a-z-]{3,40})")
# Marker -> (top-level category, a child label), in Rekognition's own names.
CATEGORIES = {
    "explicit-nudity": ("Explicit Nudity", "Graphic Male Nudity"),
    "explicit": ("Explicit", "Exposed Male Genitalia"),
    "violence": ("Violence", "Graphic Violence Or Gore"),
    "visually-disturbing": ("Visually Disturbing", "Emaciated Bodies"),
    "hate-symbols": ("Hate Symbols", "Nazi Party"),
    "suggestive": ("Suggestive", "Revealing Clothes"),
}


def moderation_labels(image: bytes) -> list[dict[str, Any]]:
    found = MARKER.search(image)
    if not found or found.group(1).decode() not in CATEGORIES:
        return []
    top, child = CATEGORIES[found.group(1).decode()]
    return [
        {"Confidence": 98.5, "Name": top, "ParentName": "", "TaxonomyLevel": 1},
        {"Confidence": 97.1, "Name": child, "ParentName": top, "TaxonomyLevel": 2},
    ]


def _s3_object(bucket: str, key: str) -> bytes:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    return bytes(s3_backends[DEFAULT_ACCOUNT_ID]["global"].get_object(bucket, key).value)


def answer(body: bytes) -> tuple[int, dict[str, Any]]:
    """(status, JSON) for one DetectModerationLabels request body."""
    try:
        request = json.loads(body or b"{}")
        image = request["Image"]
        if "Bytes" in image:
            data = base64.b64decode(image["Bytes"])
        else:
            data = _s3_object(image["S3Object"]["Bucket"], image["S3Object"]["Name"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return 400, {"__type": "InvalidParameterException", "message": "Image is required"}
    minimum = float(request.get("MinConfidence", 50))
    labels = [label for label in moderation_labels(data) if label["Confidence"] >= minimum]
    return 200, {"ModerationLabels": labels, "ModerationModelVersion": "7.0"}


def wsgi(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    status, payload = answer(environ["wsgi.input"].read(length) if length else b"")
    data = json.dumps(payload).encode()
    start_response(
        f"{status} {'OK' if status == 200 else 'Bad Request'}",
        [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(data)))],
    )
    return [data]


def marked_jpeg(category: str = "explicit-nudity", size: tuple[int, int] = (640, 480)) -> bytes:
    """A plain JPEG carrying the marker in a comment segment (for tests and the demo)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (201, 160, 140)).save(
        buffer, "JPEG", comment=f"flint-moderation:{category}".encode()
    )
    return buffer.getvalue()
