"""Request and response models for brand audiences and one-click communities (issue 22)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, StrictBool, StrictInt, field_validator

from chalicelib.schemas.catalog import PageQuery
from chalicelib.schemas.common import Name, StrictModel
from chalicelib.schemas.posts import AuthorOut

Segment = Literal["fans", "opinion_leaders", "potential_customers"]
SEGMENTS: tuple[Segment, ...] = ("fans", "opinion_leaders", "potential_customers")


def _distinct_words(values: list[str]) -> list[str]:
    cleaned = [v.strip().casefold() for v in values]
    if any(not v or len(v) > 60 for v in cleaned):
        raise ValueError("each entry is 1..60 characters")
    return list(dict.fromkeys(cleaned))


class AudienceRules(StrictModel):
    """Who is in an audience: every given filter must hold (a list filter: any of its entries)."""

    segments: list[Segment] = Field(
        default_factory=lambda: list(SEGMENTS),
        min_length=1,
        max_length=3,
        description="Fans (posted about the brand), opinion leaders (fans whose brand posts earn "
        "engagement: docs/brands.md), potential customers (smiled or commented, never posted)",
    )
    interests: list[str] = Field(
        default_factory=list, max_length=10, description="Interest ids of posts they made or engaged with"
    )
    labels: list[str] = Field(
        default_factory=list, max_length=10, description="Labels of photos they posted or engaged with"
    )
    min_followers: StrictInt = Field(default=0, ge=0, le=100_000_000)
    enthusiast: StrictBool = Field(default=False, description="Only Enthusiast badge holders")
    active_within_days: StrictInt | None = Field(
        default=None, ge=1, le=365, description="Only members active about the brand in the last N days"
    )

    @field_validator("segments")
    @classmethod
    def _distinct_segments(cls, value: list[Segment]) -> list[Segment]:
        return list(dict.fromkeys(value))

    @field_validator("interests", "labels")
    @classmethod
    def _words(cls, value: list[str]) -> list[str]:
        return _distinct_words(value)


class AudienceIn(StrictModel):
    name: Name = Field(min_length=1, max_length=80)
    rules: AudienceRules = Field(default_factory=AudienceRules)


class CommunityOut(BaseModel):
    status: Literal["inviting", "throttled", "done"]
    invited: int = Field(description="Invitations sent so far")
    joined: int = Field(description="Invited members who accepted (and so follow the brand)")
    retry_at: str | None = Field(
        default=None, description="When a throttled community may go on (POST again)"
    )
    brand_page: str = Field(description="The brand's public page (API path)")


class AudienceOut(BaseModel):
    id: str
    name: str
    rules: AudienceRules
    created_at: str
    ready: bool = Field(description="False while the audience is first filled from the brand's members")
    community: CommunityOut | None


class AudiencePage(BaseModel):
    items: list[AudienceOut]
    next_cursor: str | None


class AudienceMemberOut(BaseModel):
    member: AuthorOut
    tags: list[str] = Field(description="Automatic audience tags (docs/brands.md, 'Audience tags')")
    followers: int
    last_active: str | None = Field(description="Last public activity about the brand")


class AudienceMemberPage(BaseModel):
    items: list[AudienceMemberOut]
    next_cursor: str | None


class AudienceMembersQuery(PageQuery):
    format: Literal["json", "csv"] = Field(default="json", description="csv: the members as text/csv")


class InvitationOut(BaseModel):
    brand_id: str
    status: Literal["invited", "accepted", "declined"]
    following: bool = Field(description="Whether the caller now follows the brand")
