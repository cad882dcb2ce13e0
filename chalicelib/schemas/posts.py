"""Request and response models for posts."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, ValidationInfo, field_validator

from chalicelib.schemas.catalog import Price
from chalicelib.schemas.common import Id, StrictModel, Text, VisibleText
from chalicelib.schemas.media import Rendition

PostKind = Literal["photo", "story", "idea"]
MAX_TAGS_PER_PHOTO = 5
MAX_PHOTOS = 10
# Bounded so a post, its listing entries and counters publish in one DynamoDB transaction.
MAX_PRODUCTS_PER_POST = 20


class TagIn(StrictModel):
    product_id: Id
    x: StrictFloat = Field(ge=0, le=1, description="Horizontal position, 0 = left edge, 1 = right edge")
    y: StrictFloat = Field(ge=0, le=1, description="Vertical position, 0 = top edge, 1 = bottom edge")


class PhotoIn(StrictModel):
    upload_id: Id
    tags: list[TagIn] = Field(default_factory=list, max_length=MAX_TAGS_PER_PHOTO)


# The rules between fields, as JSON Schema (OpenAPI 3.1) states them, for /openapi.json.
_KIND_RULES = {
    "allOf": [
        {
            "if": {"properties": {"kind": {"const": "photo"}}, "required": ["kind"]},
            "then": {"required": ["photos"], "properties": {"photos": {"minItems": 1, "maxItems": 1}}},
        },
        {
            "if": {"properties": {"kind": {"const": "story"}}, "required": ["kind"]},
            "then": {
                "required": ["body", "photos"],
                "properties": {"body": {"type": "string", "minLength": 1}, "photos": {"minItems": 1}},
            },
        },
        {
            "if": {"properties": {"kind": {"const": "idea"}}, "required": ["kind"]},
            "then": {"required": ["body"], "properties": {"body": {"type": "string", "minLength": 1}}},
        },
    ]
}


class PostIn(StrictModel):
    """Rules that span fields are checked on the later field, so a 422's details name the field to fix."""

    model_config = ConfigDict(
        json_schema_extra={
            **_KIND_RULES,
            "examples": [
                {"kind": "idea", "caption": "Pack list", "body": "Light and warm.", "interests": ["hiking"]}
            ],
        }
    )

    kind: PostKind
    caption: VisibleText = Field(min_length=1, max_length=2200)
    body: Text | None = Field(default=None, max_length=10000, validate_default=True)
    # Repeats are harmless (the service files the post under each interest once); unknown ids are
    # reported at the position the client sent them, so they are not de-duplicated here.
    interests: list[Id] = Field(min_length=1, max_length=3)
    photos: list[PhotoIn] = Field(default_factory=list, max_length=MAX_PHOTOS, validate_default=True)

    @field_validator("body")
    @classmethod
    def _body_of_kind(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("kind")
        if kind in ("story", "idea") and not (value and value.strip()):
            raise ValueError(f"a {kind} needs a body")
        return value

    @field_validator("photos")
    @classmethod
    def _photos_of_kind(cls, value: list[PhotoIn], info: ValidationInfo) -> list[PhotoIn]:
        count, kind = len(value), info.data.get("kind")
        if kind == "photo" and count != 1:
            raise ValueError("a photo post has exactly 1 photo")
        if kind == "story" and not 1 <= count <= MAX_PHOTOS:
            raise ValueError(f"a story has 1 to {MAX_PHOTOS} photos")
        upload_ids = [p.upload_id for p in value]
        if len(set(upload_ids)) != len(upload_ids):
            raise ValueError("each upload can appear once")
        products = {t.product_id for p in value for t in p.tags}
        if len(products) > MAX_PRODUCTS_PER_POST:
            raise ValueError(f"at most {MAX_PRODUCTS_PER_POST} distinct products a post")
        return value


class AuthorOut(BaseModel):
    id: str
    display_name: str
    badges: list[str]
    avatar_url: str | None = Field(default=None, description="The avatar's smallest thumbnail, if any")


class TagOut(BaseModel):
    product_id: str
    x: float
    y: float
    title: str
    price: Price
    url: str


class PhotoOut(BaseModel):
    width: int
    height: int
    thumbnails: dict[str, Rendition]
    palette: list[str]
    tags: list[TagOut]


class PostSummary(BaseModel):
    id: str
    kind: PostKind
    caption: str
    created_at: str
    author: AuthorOut
    interests: list[str]
    photos: list[PhotoOut]
    shop_count: int = Field(description="Distinct tagged products: the shopping-bag badge")
    smile_count: int
    comment_count: int
    smiled_by_me: bool
    receipt: str | None = Field(
        description=(
            "Signed view receipt for this post and this viewer (the member, or the anonymous session "
            "sent in X-Flint-Session); send it with each event about the post. Valid this hour and the "
            "next. null for an anonymous caller without a session (POST /sessions)."
        )
    )


class PostOut(PostSummary):
    body: str | None


class PostPage(BaseModel):
    items: list[PostSummary]
    next_cursor: str | None
