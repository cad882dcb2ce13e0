"""The one parser for calendar days in the API: strict `YYYY-MM-DD`, bounded to 2000-01-01..2100-12-31.

Every day a client sends (insights windows, campaign dates, anything added later) is a `Day`
(`schemas.common.IsoDate` is the same type), so date arithmetic downstream (a previous window, a
default window, 4-week blocks) never leaves Python's calendar: `date.min - timedelta(days=1)` is an
OverflowError, i.e. a 500. Only strings are taken: pydantic alone reads 1704067200 (a Unix
timestamp) or "2024-01-01T00:00:00" as a day.

Days read back from storage go through `stored_day`, which never raises: a campaign stored
before these bounds existed is clamped into them, so no stored item can make a read fail.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
_DAY_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _written_as_a_day(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value  # built in code, not parsed from a request
    if not isinstance(value, str) or not _DAY_RE.match(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    return value


def _in_range(day: date) -> date:
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
    BeforeValidator(_written_as_a_day),
    AfterValidator(_in_range),
    Field(description=f"A day, YYYY-MM-DD, from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"),
]
