"""Request and response models for smiles, comments, follows and Enthusiasts."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from chalicelib.schemas.common import StrictModel
from chalicelib.schemas.members import Profile
from chalicelib.schemas.posts import AuthorOut


class SmileOut(BaseModel):
    smiled: bool
    smile_count: int


class CommentIn(StrictModel):
    # Stored exactly as written (only the outer whitespace trimmed); JSON escaping happens on output.
    text: str = Field(min_length=1, max_length=1000)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


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


class EnthusiastQuery(StrictModel):
    interest: str | None = Field(default=None, max_length=100, description="An interest id; omit for overall")


class RankedProfile(Profile):
    smiles_30d: int = Field(description="Smiles received in the last 30 days (in this interest, if given)")


class EnthusiastList(BaseModel):
    items: list[RankedProfile]
