"""Explicit-image screening: Rekognition DetectModerationLabels on every upload, before any of it
is public.

`FLINT_SCREENING=rekognition` (default) asks DetectModerationLabels for labels at
`screening_min_confidence` or more; a label that is, or sits under, one of `screening_hold`'s
categories holds the photo for review (the upload's status becomes `held`, its reason the category
in snake_case, e.g. `explicit_nudity`). `FLINT_SCREENING=off` screens nothing.

Locally the embedded AWS answers DetectModerationLabels (moto does not implement it) with
`local/moderation_stand_in.py`, so this code path, its IAM and its failure handling are the ones
that run in AWS. Unlike labels, screening fails closed: if Rekognition cannot answer
(throttling, an outage, access denied) the photo is held with reason `screening_unavailable` for
a moderator to look at, and the `ScreeningUnavailable` metric counts it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.data import rekognition
from chalicelib.observability import logger, metrics
from chalicelib.settings import Settings

REKOGNITION = "rekognition"
UNAVAILABLE = "screening_unavailable"


@dataclass(frozen=True)
class Verdict:
    held: bool
    reason: str | None = None
    labels: tuple[str, ...] = ()


CLEAR = Verdict(held=False)


def reason_code(category: str) -> str:
    """`Explicit Nudity` -> `explicit_nudity`: a stable, URL-safe reason for the contract."""
    return re.sub(r"[^a-z0-9]+", "_", category.lower()).strip("_")


def judge(found: list[tuple[str, str]], hold: list[str]) -> Verdict:
    """Held when a label is, or sits directly under, a category to hold; the first such category
    (in `hold`'s order of severity) is the reason."""
    names = {name for name, _ in found} | {parent for _, parent in found if parent}
    for category in hold:
        if category in names:
            return Verdict(True, reason_code(category), tuple(sorted(names)))
    return Verdict(False, None, tuple(sorted(names)))


def screen(settings: Settings, data: bytes, *, bucket: str, key: str) -> Verdict:
    if settings.screening != REKOGNITION:
        return CLEAR
    try:
        found = rekognition.detect_moderation_labels(
            data, bucket=bucket, key=key, min_confidence=settings.screening_min_confidence
        )
    except (ClientError, BotoCoreError) as exc:
        logger.warning("screening unavailable: holding the photo", extra={"key": key, "error": str(exc)})
        metrics.add_metric(name="ScreeningUnavailable", unit="Count", value=1)
        return Verdict(True, UNAVAILABLE)
    verdict = judge(found, settings.screening_hold)
    if verdict.held:
        metrics.add_metric(name="UploadHeld", unit="Count", value=1)
    return verdict
