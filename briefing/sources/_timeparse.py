"""Swedish date-and-time text, as people and Excel write it, read as aware datetimes.

Guard and rescue-service exports are typed or exported by hand, so one column
may hold "2026-11-26 23:40", "2026-11-26 23.40", "26/11/2026 23:40",
"26.11.2026 23:40", "26 nov 2026 23:40" or "26 november 2026 kl. 23.40",
with or without seconds and with an unpadded hour. A time without an offset is
local wall-clock time in the briefing's zone.

A date without a time of day is refused: placing it at midnight would move an
evening report into the wrong night.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

_FULL_MONTHS = (
    *("januari", "februari", "mars", "april", "maj", "juni"),
    *("juli", "augusti", "september", "oktober", "november", "december"),
)
MONTHS: dict[str, int] = {name: number for number, name in enumerate(_FULL_MONTHS, start=1)}
MONTHS.update({name[:3]: number for name, number in list(MONTHS.items())})
MONTHS["sept"] = 9

_ISO_DATE = r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
_NUMERIC_DATE = r"(?P<d>\d{1,2})(?P<sep>[./-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})"
_NAMED_DATE = r"(?P<d>\d{1,2})\s+(?P<month>[^\W\d_]+)\.?\s+(?P<y>\d{4})"
# Between date and time: "T", spaces, a comma, and an optional "kl." / "kl".
_JOIN = r"(?:\s*T\s*|\s*,\s*|\s+)(?:kl\.?\s*)?"
_CLOCK = r"(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2}))?"
_PATTERNS = tuple(
    re.compile(date + _JOIN + _CLOCK, re.IGNORECASE)
    for date in (_ISO_DATE, _NUMERIC_DATE, _NAMED_DATE)
)


def local_instant(wall: datetime, tz: ZoneInfo) -> datetime:
    """A naive wall-clock time as an aware one in `tz`.

    In the autumn hour that happens twice the first reading is taken (fold=0);
    a time in the spring gap keeps the offset from before the gap.
    """
    return wall.replace(tzinfo=tz) if wall.tzinfo is None else wall


def parse_datetime(text: str, tz: ZoneInfo, date_format: str | None = None) -> datetime:
    """`text` as an aware datetime; ValueError says why it cannot be read.

    With `date_format` only that strptime format is tried. Without it, the
    Swedish forms above are tried, then ISO 8601 (which may carry an offset).
    """
    value = " ".join(text.split())
    if not value:
        raise ValueError("empty time")
    if date_format is not None:
        try:
            return local_instant(datetime.strptime(value, date_format), tz)
        except ValueError:
            raise ValueError(f"time {value[:40]!r} does not match {date_format!r}") from None
    for pattern in _PATTERNS:
        match = pattern.fullmatch(value)
        if match is not None:
            try:
                return local_instant(_from_match(match), tz)
            except ValueError as exc:  # "31.02.2026", "kl. 25.00", an unknown month
                raise ValueError(f"impossible time {value[:40]!r} ({exc})") from None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"unreadable time {value[:40]!r}") from None
    if len(value) <= len("2026-11-26"):
        raise ValueError(f"no time of day in {value!r}")
    return local_instant(parsed, tz)


def _from_match(match: re.Match[str]) -> datetime:
    parts = match.groupdict()
    if parts.get("month") is not None:
        month = MONTHS.get(parts["month"].casefold())
        if month is None:
            raise ValueError(f"unknown month {parts['month']!r}")
    else:
        month = int(parts["m"])
    return datetime(
        int(parts["y"]),
        month,
        int(parts["d"]),
        int(parts["H"]),
        int(parts["M"]),
        int(parts["S"] or 0),
    )
