"""Request and response models for smiles, comments, follows and Enthusiasts."""

from __future__ import annotations

from pydantic import BaseModel, Field

from chalicelib.schemas.common import Id, QueryModel, StrictModel, VisibleText
from chalicelib.schemas.members import Profile
from chalicelib.schemas.posts import AuthorOut


class SmileOut(BaseModel):
    smiled: bool
    smile_count: int


class CommentIn(StrictModel):
    # Stored as written, normalised (NFC, outer whitespace trimmed); JSON escaping happens on output.
    text: VisibleText = Field(min_length=1, max_length=1000, examples=["Great light on that ridge!"])


class CommentOut(BaseModel):
    id: str
    author: AuthorOut
    text: str
    created_at: str


class CommentPage(BaseModel):
    items: list[CommentOut]
    next_cursor: str | None


class FollowOut(BaseModel):
    following: bool


class EnthusiastQuery(QueryModel):
    interest: Id | None = Field(default=None, description="An interest id; omit for overall")


class RankedProfile(Profile):
    smiles_30d: int = Field(description="Smiles received in the last 30 days (in this interest, if given)")


class EnthusiastList(BaseModel):
    items: list[RankedProfile]
