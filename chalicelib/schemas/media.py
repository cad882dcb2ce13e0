"""Request and response models for uploads."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, StrictInt

from chalicelib.schemas.common import StrictModel


class UploadRequest(StrictModel):
    content_type: Literal["image/jpeg", "image/png", "image/webp"]
    size: StrictInt = Field(
        ge=1, description="Bytes the client will upload (at most max_upload_bytes, else 413)"
    )


class UploadTicket(BaseModel):
    upload_id: str
    url: str = Field(description="POST the file here as multipart/form-data")
    fields: dict[str, str] = Field(description="Form fields to send before the file field")
    expires_at: str


class Rendition(BaseModel):
    url: str
    width: int
    height: int
    webp_url: str | None = Field(
        default=None,
        description="The same picture as WebP (fewer bytes), for clients that take it (`<picture>`); "
        "null on older photos and on pictures whose `url` is WebP already",
    )
    avif_url: str | None = Field(
        default=None,
        description="The same picture as AVIF (fewer bytes than WebP), for clients that take it "
        "(`<picture>`, offered first); null on older photos and pictures whose `url` is WebP",
    )


class SuggestedTag(BaseModel):
    """A product a photo likely shows, where, and how sure the match is."""

    product_id: str
    brand_id: str
    title: str
    confidence: float = Field(ge=0, le=1, description="Visual match score (0..1), at or above the threshold")
    x: float = Field(ge=0, le=1)
    y: float = Field(ge=0, le=1)


class UploadOut(BaseModel):
    upload_id: str
    status: Literal["pending", "ready", "rejected", "held"] = Field(
        description="pending -> ready | rejected | held; held (screening flagged it) -> ready | rejected "
        "once a moderator decides. A held upload shows no thumbnails and cannot be posted (409)."
    )
    reason: str | None = Field(
        default=None,
        description="Why it was rejected or held (stable code, e.g. not_an_image, explicit_nudity, "
        "screening_unavailable, refused_in_review)",
    )
    width: int | None
    height: int | None
    thumbnails: dict[str, Rendition]
    palette: list[str]
    suggested_tags: list[SuggestedTag] = Field(
        default_factory=list,
        description="Once ready: the catalog products the photo most likely shows (best first, at most 3), "
        "to offer as one-click tags",
    )
