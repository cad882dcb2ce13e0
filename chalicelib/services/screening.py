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

Trust (`screen_upload`): DetectModerationLabels on every upload was the stack's largest line (about
$6.3k a month per 1M weekly members, bench/results.md), and nearly all of it screened members
whose photos had always been clean. A member's record is the count of their photos screened clean
since their last strike (`screened_clean` on the profile); a strike is a held photo, or a
moderator hiding their post, rejecting their upload or banning them (services/moderation.py), and
resets it to 0. Below `screening_trusted_after` every upload is screened; from there 1 upload in
`screening_trusted_sample` is, drawn at random (the upload id is random and minted by the server,
so a member can neither predict nor choose which). The risk, accepted for the cost: a trusted
member's unscreened photo is public until someone reports it; reports reach the moderators'
queue exactly as before, and an upheld one ends the trust at once (so does a sampled photo that
screening holds). New members, members with a strike, and every 10th upload of the rest are
screened before anything is public.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.data import rekognition, users
from chalicelib.observability import logger, metrics
from chalicelib.settings import Settings

REKOGNITION = "rekognition"
UNAVAILABLE = "screening_unavailable"


@dataclass(frozen=True)
class Verdict:
    held: bool
    reason: str | None = None
    labels: tuple[str, ...] = ()
    screened: bool = True  # False: passed on the member's record, not asked of Rekognition


CLEAR = Verdict(held=False)
TRUSTED = Verdict(held=False, screened=False)


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


def drawn(upload_id: str, sample: int) -> bool:
    """Whether a trusted member's upload is among the 1 in `sample` screened: a uniform draw keyed
    by the upload id (random, minted by the server), so a retry of the same upload draws the same."""
    if sample <= 1:
        return True
    digest = hashlib.sha256(upload_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") % sample == 0


def needs_screening(settings: Settings, *, upload_id: str, screened_clean: int) -> bool:
    """The trust rule: every upload until the member's record reaches `screening_trusted_after`
    clean photos since their last strike, then 1 in `screening_trusted_sample`."""
    if screened_clean < settings.screening_trusted_after:
        return True
    return drawn(upload_id, settings.screening_trusted_sample)


def screen_upload(
    settings: Settings, data: bytes, *, bucket: str, key: str, upload_id: str, owner_id: str
) -> Verdict:
    """Screen an upload when the trust rule asks for it (one GetItem of the owner's record)."""
    if settings.screening != REKOGNITION:
        return CLEAR
    if not needs_screening(settings, upload_id=upload_id, screened_clean=users.screened_clean(owner_id)):
        metrics.add_metric(name="ScreeningSkippedTrusted", unit="Count", value=1)
        return TRUSTED
    return screen(settings, data, bucket=bucket, key=key)


def record(owner_id: str, verdict: Verdict) -> None:
    """Keep the owner's record once their upload is final: a clean screening counts (one write
    unit), a held photo is a strike; a photo passed on trust, or held because screening could not
    answer, changes nothing."""
    if not verdict.screened:
        return
    if not verdict.held:
        users.count_screened_clean(owner_id)
    elif verdict.reason != UNAVAILABLE:
        users.reset_screened_clean(owner_id)
