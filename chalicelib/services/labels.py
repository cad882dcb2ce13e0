"""Image labels for every ready upload: Rekognition's labels plus colour names from the palette.

`FLINT_LABELS=rekognition` (default) asks Rekognition DetectLabels (minimum confidence and
maximum count in settings) and adds the palette's colour names; `FLINT_LABELS=colours` names
colours only (no AWS call). A Rekognition failure (throttling, access denied, an outage) never
fails the thumbnail: the upload gets its colour labels, a warning is logged and the
`LabelsUnavailable` metric counts it.
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.data import rekognition
from chalicelib.observability import logger, metrics
from chalicelib.services.colours import colour_labels
from chalicelib.settings import Settings

REKOGNITION = "rekognition"


def image_labels(settings: Settings, data: bytes, *, bucket: str, key: str, palette: list[str]) -> list[str]:
    found: list[str] = []
    if settings.labels == REKOGNITION:
        try:
            found = rekognition.detect_labels(
                data,
                bucket=bucket,
                key=key,
                min_confidence=settings.label_min_confidence,
                max_labels=settings.label_max_labels,
            )
        except (ClientError, BotoCoreError) as exc:
            logger.warning(
                "image labels unavailable: colour labels only", extra={"key": key, "error": str(exc)}
            )
            metrics.add_metric(name="LabelsUnavailable", unit="Count", value=1)
    return list(dict.fromkeys(found + colour_labels(palette)))
