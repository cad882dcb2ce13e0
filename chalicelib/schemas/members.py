"""Request and response models for members, profiles and interests."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, StrictBool

from chalicelib.schemas.common import Id, Name, StrictModel, Text
from chalicelib.schemas.media import Rendition
from chalicelib.text import DISPLAY_NAME_MAX


class Counts(BaseModel):
    posts: int
    smiles_received: int
    followers: int
    following: int


class Profile(BaseModel):
    id: str
    display_name: str
    bio: str
    badges: list[str]
    counts: Counts
    followed_by_me: bool
    avatar: dict[str, Rendition] | None = Field(default=None, description="The avatar's thumbnails, if any")
    blocked_by_me: bool = Field(default=False, description="The caller blocked this member")


class BrandRef(BaseModel):
    id: str
    name: str


class Me(Profile):
    interests: list[str]
    prime: bool
    brand: bool
    moderator: bool = False
    onboarded: bool
    brand_audiences: bool = Field(
        default=True,
        description="Whether brands may list you in their audiences (fans, opinion leaders, potential "
        "customers); false leaves you out of every brand's lists. Your posts, smiles and comments "
        "still count in brands' totals, as numbers.",
    )
    brands: list[BrandRef] = Field(default_factory=list, description="Brands a brand account owns")


class ProfilePatch(StrictModel):
    """Fields left out stay as they are. `avatar_upload_id` names a ready upload of the caller's
    (from POST /me/avatar) to become the avatar; null removes the avatar. `interests` replaces
    them, with PUT /me/interests' rules."""

    display_name: Name | None = Field(default=None, min_length=1, max_length=DISPLAY_NAME_MAX)
    bio: Text | None = Field(default=None, max_length=280)
    avatar_upload_id: Id | None = None
    interests: list[Id] | None = Field(default=None, min_length=5, max_length=20)
    brand_audiences: StrictBool | None = Field(
        default=None, description="false: leave every brand's audiences and member lists; true: rejoin"
    )


class InterestsBody(StrictModel):
    # Kept as sent, repeats included, so a 422 can name each bad id at its position in the
    # request; the service counts and stores distinct ids only.
    interests: list[Id] = Field(
        min_length=5,
        max_length=20,
        description="At least 5 and at most 20 distinct interest ids",
        examples=[["hiking", "camping", "coffee", "cooking", "photography"]],
    )


class InterestsOut(BaseModel):
    interests: list[str]


class Interest(BaseModel):
    id: str
    name: str


class InterestList(BaseModel):
    items: list[Interest]


class PublicConfig(BaseModel):
    region: str
    user_pool_id: str
    user_pool_client_id: str
    cognito_endpoint: str | None
    max_upload_bytes: int
    thumbnail_sizes: dict[str, int] = Field(description="Rendition name -> W: it fits W wide and 2W high")
    min_interests: int
    max_interests: int
    shop_url_template: str | None = Field(
        default=None,
        description="Where 'View in shop' goes: a URL with {product_id} (and {url}, the brand's link, "
        "URL-encoded); null: the product's own url",
    )
    prime_join_url: str | None = Field(
        default=None, description="Where a member joins Prime (null: not offered by this deployment)"
    )


class ErasureOut(BaseModel):
    """DELETE /me: the account is being erased (services/erasure.py); the answer to a repeat is the same."""

    status: Literal["erasing"]
    requested_at: str


class ExportPage(BaseModel):
    """GET /me/export: one page of everything Flint holds about the member (docs/api.md)."""

    member: dict[str, Any] | None = Field(
        description="The profile and sign-in attributes: on the first page only, null after"
    )
    items: list[dict[str, Any]] = Field(description='Each with a "type": posts, comments, smiles, ...')
    next_cursor: str | None
