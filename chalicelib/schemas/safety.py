"""Request and response models for reports, blocks and the moderation queue."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from chalicelib.schemas.common import Id, StrictModel, Text
from chalicelib.schemas.media import Rendition
from chalicelib.schemas.posts import AuthorOut, PostSummary

ReportReason = Literal[
    "spam",
    "harassment",
    "hate",
    "nudity",
    "violence",
    "self_harm",
    "misinformation",
    "intellectual_property",
    "other",
]
MAX_NOTE = 500


class _Target(StrictModel):
    """What a report or an action is about; a comment is addressed within its post."""

    type: str
    id: Id
    post_id: Id | None = Field(
        default=None, description="The comment's post (comments only)", validate_default=True
    )

    @field_validator("post_id")
    @classmethod
    def _only_a_comment_names_its_post(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("type")
        if kind == "comment" and not value:
            raise ValueError("a comment is addressed with its post_id")
        if kind not in ("comment", None) and value:
            raise ValueError(f"a {kind} is addressed without a post_id")
        return value


class ReportTarget(_Target):
    """What is reported: a post, a comment (with its post) or a member."""

    type: Literal["post", "comment", "member"]


class ReportIn(StrictModel):
    target: ReportTarget
    reason: ReportReason
    text: Text | None = Field(default=None, max_length=MAX_NOTE, validate_default=True)

    @field_validator("text")
    @classmethod
    def _other_needs_words(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("reason") == "other" and not (value and value.strip()):
            raise ValueError('say what is wrong when the reason is "other"')
        return value


class ReportOut(BaseModel):
    target: ReportTarget
    reason: ReportReason
    received: bool = Field(description="Always true: a repeated report of the same target counts once")


class BlockOut(BaseModel):
    blocked: bool


class BlockedPage(BaseModel):
    items: list[AuthorOut]
    next_cursor: str | None


ModerationTargetType = Literal["post", "comment", "member", "upload"]
ModerationAction = Literal["hide", "restore", "ban", "unban", "approve", "reject", "dismiss"]
# Which actions apply to which targets (anything else is a 422).
ACTIONS_BY_TARGET: dict[str, frozenset[str]] = {
    "post": frozenset({"hide", "restore", "dismiss"}),
    "comment": frozenset({"hide", "restore", "dismiss"}),
    "member": frozenset({"ban", "unban", "dismiss"}),
    "upload": frozenset({"approve", "reject"}),
}


class ModerationTarget(_Target):
    type: ModerationTargetType


class ActionIn(StrictModel):
    """hide/restore a post or comment; ban/unban a member; approve/reject a held upload; dismiss
    a case (no change to the target)."""

    action: ModerationAction
    target: ModerationTarget
    note: Text | None = Field(default=None, max_length=MAX_NOTE, description="Why (kept in the audit trail)")

    @field_validator("target")
    @classmethod
    def _action_fits_target(cls, value: ModerationTarget, info: ValidationInfo) -> ModerationTarget:
        action = info.data.get("action")
        if action and action not in ACTIONS_BY_TARGET[value.type]:
            allowed = ", ".join(sorted(ACTIONS_BY_TARGET[value.type]))
            raise ValueError(f"{action!r} does not apply to a {value.type} (use {allowed})")
        return value


class AuditOut(BaseModel):
    id: str
    action: ModerationAction
    target: ModerationTarget
    moderator_id: str
    note: str | None
    created_at: str


class ActionOut(BaseModel):
    action: ModerationAction
    target: ModerationTarget
    changed: bool = Field(description="False when the target was already in that state (nothing recorded)")
    state: str = Field(
        description="The target's state now: live, hidden, banned, active, ready, rejected, ..."
    )
    audit: AuditOut | None = Field(description="The audit entry this action wrote (null when unchanged)")


class CommentPreview(BaseModel):
    id: str
    text: str
    created_at: str
    hidden: bool


class UploadPreview(BaseModel):
    reason: str | None
    width: int | None
    height: int | None
    thumbnails: dict[str, Rendition] = Field(description="Short-lived URLs (moderators only)")
    labels: list[str]


class CaseOut(BaseModel):
    target: ModerationTarget
    source: Literal["members", "screening"]
    reports: int
    reasons: list[str]
    last_note: str | None
    opened_at: str | None
    last_reported_at: str | None
    state: str = Field(description="The target's state: live, hidden, deleted, banned, active, held, ...")
    author: AuthorOut | None = Field(description="Who made the content (the member, for a member)")
    post: PostSummary | None = None
    comment: CommentPreview | None = None
    upload: UploadPreview | None = None


class QueuePage(BaseModel):
    items: list[CaseOut]
    next_cursor: str | None


class AuditPage(BaseModel):
    items: list[AuditOut]
    next_cursor: str | None
