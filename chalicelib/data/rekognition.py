"""Amazon Rekognition adapter: what an image shows (label names) and whether it is explicit."""

from __future__ import annotations

from chalicelib import aws

# DetectLabels takes at most 5 MB of image bytes; larger images are read from S3 by reference.
MAX_IMAGE_BYTES = 5 * 1024 * 1024


def _image(data: bytes, bucket: str, key: str) -> dict[str, object]:
    return {"Bytes": data} if len(data) <= MAX_IMAGE_BYTES else {"S3Object": {"Bucket": bucket, "Name": key}}


def detect_moderation_labels(
    data: bytes, *, bucket: str, key: str, min_confidence: float
) -> list[tuple[str, str]]:
    """(label, parent label) pairs DetectModerationLabels finds at `min_confidence` or more; the
    hierarchy comes back flattened, so a top-level category appears with an empty parent."""
    answer = aws.client("rekognition").detect_moderation_labels(
        Image=_image(data, bucket, key), MinConfidence=min_confidence
    )
    return [
        (str(label["Name"]), str(label.get("ParentName") or ""))
        for label in answer.get("ModerationLabels", [])
        if label.get("Name")
    ]


def detect_labels(data: bytes, *, bucket: str, key: str, min_confidence: float, max_labels: int) -> list[str]:
    """Label names, most confident first (lower case). Raises botocore errors as they come."""
    answer = aws.client("rekognition").detect_labels(
        Image=_image(data, bucket, key), MaxLabels=max_labels, MinConfidence=min_confidence
    )
    labels = sorted(answer.get("Labels", []), key=lambda label: -float(label.get("Confidence", 0)))
    return [str(label["Name"]).lower() for label in labels if label.get("Name")]
