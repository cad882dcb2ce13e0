"""Models and field types shared by many routes: the error body, ids, human text and strict scalars.

Text fields are checked on what the client sent (lengths as declared in /openapi.json), then
cleaned by the text rules of chalicelib/text.py (the one place they live; see there for what is
refused). Scalars are strict, as the contract says: a number is not a string, a date is not a
number, a query-string integer is written in digits.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, RootModel

from chalicelib.schemas.currencies import CURRENCY_CODES
from chalicelib.schemas.dates import Day
from chalicelib.text import clean_name, clean_text, is_visible

__all__ = ["clean_name", "clean_text", "is_visible"]

# Server-chosen ids are URL-safe and short: a longer or stranger one is refused at the edge.
ID_PATTERN = r"^[A-Za-z0-9_-]+$"
ID_MAX_LENGTH = 128
ID_RE = re.compile(rf"^[A-Za-z0-9_-]{{1,{ID_MAX_LENGTH}}}$")

Id = Annotated[str, Field(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]


def _visible_lines(text: str) -> str:
    return clean_text(text, lines=True, visible=True)


def _lines(text: str) -> str:
    return clean_text(text, lines=True, visible=False)


# A name or title (display names, product titles, brand, campaign and audience names): one visible
# line under the name rules. Give it its length with Field(max_length=...).
Name = Annotated[str, AfterValidator(clean_name)]
# A caption or comment: lines allowed, something visible.
VisibleText = Annotated[str, AfterValidator(_visible_lines)]
# A bio or post body: lines allowed, may be empty.
Text = Annotated[str, AfterValidator(_lines)]


_DIGITS = re.compile(r"^[0-9]{1,18}$")


def _query_int(value: Any) -> Any:
    # Query strings arrive as text: pydantic alone takes "20.0", "+20" and " 20" as 20.
    if isinstance(value, int) and not isinstance(value, bool):
        return value  # built in code, not parsed from a request
    if not isinstance(value, str) or not _DIGITS.match(value):
        raise ValueError("must be a whole number written in digits")
    return value


def _iso_4217(code: str) -> str:
    if code not in CURRENCY_CODES:
        raise ValueError("must be an ISO 4217 currency code in circulation, e.g. USD")
    return code


# A calendar day as the contract writes it: a JSON string "YYYY-MM-DD", never a number or a time,
# from 2000-01-01 to 2100-12-31: the API's one day parser (schemas/dates.py).
IsoDate = Day
# An integer query parameter (`?limit=20`): digits only.
QueryInt = Annotated[int, BeforeValidator(_query_int)]
# A price's currency: an ISO 4217 code of a currency in circulation (schemas/currencies.py).
Currency = Annotated[
    str,
    Field(
        pattern=r"^[A-Z]{3}$",
        description="ISO 4217 code of a currency in circulation",
        examples=["USD"],
        json_schema_extra={"enum": sorted(CURRENCY_CODES)},
    ),
    AfterValidator(_iso_4217),
]


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


# GET /openapi.json's answer: the document itself (no docstring: it would become its description).
class OpenApiDocument(RootModel[dict[str, Any]]):
    pass
