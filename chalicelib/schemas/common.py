"""Models and field types shared by many routes: the error body, ids and human text.

Text fields are checked on what the client sent (lengths as declared in /openapi.json), then
normalised (NFC, CRLF -> LF, outer whitespace trimmed). Refused anywhere: control characters
(newline only where the field allows lines), lone surrogates, and the bidi override and isolate
controls that make "Priya\u202eemirP" display as "PriyaPrime". Names, captions and comments
need at least one visible character, so a zero-width or blank-filler string is refused too.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

# Server-chosen ids are URL-safe and short: a longer or stranger one is refused at the edge.
ID_PATTERN = r"^[A-Za-z0-9_-]+$"
ID_MAX_LENGTH = 128
ID_RE = re.compile(rf"^[A-Za-z0-9_-]{{1,{ID_MAX_LENGTH}}}$")

Id = Annotated[str, Field(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]

# LRE, RLE, PDF, LRO, RLO and LRI, RLI, FSI, PDI: they reorder how the rest of a string displays.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Letters that render as nothing (Hangul fillers, braille blank, Mongolian vowel separator).
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")


def _bad_character(text: str, *, lines: bool) -> str | None:
    if _BIDI_CONTROLS.search(text):
        return "must not contain bidirectional override or isolate controls"
    for char in text:
        category = unicodedata.category(char)
        if category == "Cs":
            return "must be valid Unicode"
        if category == "Cc" and not (lines and char == "\n"):
            return "must not contain control characters" + (" other than newlines" if lines else "")
        if char in "\u2028\u2029":
            return "must not contain line or paragraph separators"
    return None


def is_visible(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] not in "ZCM" and char not in _BLANK_LETTERS


def clean_text(text: str, *, lines: bool, visible: bool) -> str:
    """The normalised text, or ValueError naming what is wrong (pydantic turns it into a 422)."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    problem = _bad_character(text, lines=lines)
    if problem:
        raise ValueError(problem)
    text = text.strip()
    if visible and not any(is_visible(c) for c in text):
        raise ValueError("must contain at least one visible character")
    return text


def _line(text: str) -> str:
    return clean_text(text, lines=False, visible=True)


def _visible_lines(text: str) -> str:
    return clean_text(text, lines=True, visible=True)


def _lines(text: str) -> str:
    return clean_text(text, lines=True, visible=False)


# A name or title: one line, something visible.
Name = Annotated[str, AfterValidator(_line)]
# A caption or comment: lines allowed, something visible.
VisibleText = Annotated[str, AfterValidator(_visible_lines)]
# A bio or post body: lines allowed, may be empty.
Text = Annotated[str, AfterValidator(_lines)]


class StrictModel(BaseModel):
    """Request bodies: unknown fields are a 422, not silently dropped; lengths apply to what was sent."""

    model_config = ConfigDict(extra="forbid")


class QueryModel(BaseModel):
    """Query strings: unknown parameters (cache-busters, utm_*) are ignored; known ones validated."""

    model_config = ConfigDict(extra="ignore")


class ErrorDetail(BaseModel):
    field: str
    message: str
    type: str


class ErrorInfo(BaseModel):
    code: str = Field(description="Stable snake_case code")
    message: str
    details: list[ErrorDetail] | None = None


class ErrorBody(BaseModel):
    error: ErrorInfo


class Health(BaseModel):
    status: str = "ok"
