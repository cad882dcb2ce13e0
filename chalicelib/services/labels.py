"""Image labels: colour names for every photo, Rekognition's labels for the photos brands read.

Brand insights read a post's labels only for the brands whose products it tags (the `L#<label>`
counters), so Rekognition DetectLabels (about $1 per 1,000 images, the stack's largest line when
every photo was labelled) runs only for a photo that tags a product, when the post is published
(`photo_labels`): the thumbnailer names colours only (`colour_only_labels`), free. Which photos
are worth labelling is decided in one place, `worth_labelling` (the hook for a brand that turns
label discovery on for all its photos).

`FLINT_LABELS=rekognition` (default) asks Rekognition (minimum confidence and maximum count in
settings) and adds the palette's colour names; `FLINT_LABELS=colours` names colours only (no AWS
call). A Rekognition failure (throttling, access denied, an outage) never fails a publish: the
post keeps its colour labels, a warning is logged and the `LabelsUnavailable` metric counts it.
"""

from __future__ import annotations

from collections.abc import Sequence

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.data import rekognition
from chalicelib.observability import logger, metrics
from chalicelib.services.colours import colour_labels
from chalicelib.settings import Settings

REKOGNITION = "rekognition"


def colour_only_labels(palette: list[str]) -> list[str]:
    """What the thumbnailer stores on every upload: colour names from the palette (no AWS call)."""
    return colour_labels(palette)


def worth_labelling(tagged_product_ids: Sequence[str]) -> bool:
    """A photo is worth a DetectLabels call when a brand reads its labels: it tags a product."""
    return bool(tagged_product_ids)


def photo_labels(settings: Settings, *, bucket: str, key: str, colours: list[str]) -> list[str]:
    """Rekognition's labels of a published photo (read from its original in S3), then its colours."""
    found: list[str] = []
    if settings.labels == REKOGNITION:
        try:
            found = rekognition.detect_labels(
                None,
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
    return list(dict.fromkeys(found + colours))
