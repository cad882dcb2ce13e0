"""The one parser for calendar days in the API: strict `YYYY-MM-DD`, bounded to 2000-01-01..2100-12-31.

Every day a client sends (insights windows, campaign dates, anything added later) goes through
`Day`, so date arithmetic downstream (a previous window, a default window, 92-day blocks) can
never leave Python's calendar: `date.min - timedelta(days=1)` is an OverflowError, i.e. a 500.
Only strings are taken: `20260101` or `1767225600` (a Unix timestamp) is a 422 or 400, not a day.

Days read back from storage go through `stored_day`, which never raises: a campaign stored
before these bounds existed is clamped into them, so no stored item can make a read fail.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import PlainValidator, WithJsonSchema

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_day(value: Any) -> date:
    """A day from the client: ValueError (a 422 in a body, a 400 in a query) unless it is one."""
    if not isinstance(value, str) or not _DAY_RE.match(value):
        raise ValueError("must be a day as YYYY-MM-DD")
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError("must be a real calendar day (YYYY-MM-DD)") from exc
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"must be between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}")
    return day


def stored_day(value: str) -> date:
    """A day read from storage, clamped into the supported range (never raises)."""
    try:
        day = date.fromisoformat(str(value)[:10])
    except ValueError:
        return FIRST_DAY
    return min(LAST_DAY, max(FIRST_DAY, day))


Day = Annotated[
    date,
    PlainValidator(parse_day),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": _DAY_RE.pattern,
            "description": f"A day, YYYY-MM-DD, from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}",
        }
    ),
]
