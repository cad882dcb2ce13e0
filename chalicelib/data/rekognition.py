"""Amazon Rekognition adapter: what an image shows, as label names."""

from __future__ import annotations

from chalicelib import aws

# DetectLabels takes at most 5 MB of image bytes; larger images are read from S3 by reference.
MAX_IMAGE_BYTES = 5 * 1024 * 1024


def detect_labels(
    data: bytes | None, *, bucket: str, key: str, min_confidence: float, max_labels: int
) -> list[str]:
    """Label names, most confident first (lower case). Raises botocore errors as they come.

    Without `data` (or over DetectLabels' byte limit) Rekognition reads the object itself, with
    the caller's permission to read it.
    """
    if data is not None and len(data) <= MAX_IMAGE_BYTES:
        image: dict[str, object] = {"Bytes": data}
    else:
        image = {"S3Object": {"Bucket": bucket, "Name": key}}
    answer = aws.client("rekognition").detect_labels(
        Image=image, MaxLabels=max_labels, MinConfidence=min_confidence
    )
    labels = sorted(answer.get("Labels", []), key=lambda label: -float(label.get("Confidence", 0)))
    return [str(label["Name"]).lower() for label in labels if label.get("Name")]
