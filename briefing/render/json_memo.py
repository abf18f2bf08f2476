"""What one briefing's JSON incidents repeat, made once (briefing.render.json).

Every value here is what the dict path of briefing.render.json writes for the same
input (`encode_basestring(clean_text(text))`, `_time`), only remembered: the texts of
the fields with few values (source, type, category, places, reasons, stakeholders),
the pieces of an incident made of them alone, and the local time of each hour.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from json.encoder import encode_basestring

from briefing.models import Briefing, FollowUp, clean_text

_DAY = timedelta(days=1)
_LAST = timedelta(days=1, microseconds=-1)  # the last moment of a day, from its start
_TWO = tuple(f"{number:02}" for number in range(60))


class Texts(dict[str | None, str]):
    """Text → `encode_basestring(clean_text(text))`, made on first use; None → null."""

    def __init__(self) -> None:
        super().__init__({None: "null"})

    def __missing__(self, text: str | None) -> str:
        quoted = self[text] = encode_basestring(clean_text(text))
        return quoted


class Clock:
    """An aware time as `_time` quotes it in `zone` ("2024-03-31T03:00:00+02:00"), from
    what is known of the day it falls on, made once per day and offset it is written in.

    A day is known when `zone` keeps one offset all through it (no zone changes its
    offset twice within a day): the local time is then the time written, moved by the
    difference of the offsets. Any other time (naive, no zone, a day with a change of
    offset such as the last Sundays of March and October) is converted the plain way.
    """

    def __init__(self, zone: tzinfo | None) -> None:
        self.zone = zone
        # (ordinal, offset) → ('"2024-03-31T', '+02:00"', the offset's difference) or None
        self.days: dict[tuple[int, timedelta], tuple[str, str, timedelta] | None] = {}
        self.dates: dict[int, str] = {}

    def __call__(self, moment: datetime | None) -> str:
        if moment is None:
            return "null"
        if (offset := moment.utcoffset()) is None or not self.zone:
            return _quoted_time(moment, self.zone)
        key = (moment.toordinal(), offset)
        try:
            day = self.days[key]
        except KeyError:
            day = self.days[key] = self._day(*key)
        if day is None:
            return _quoted_time(moment, self.zone)
        date, suffix, moved = day
        if moved:  # the zone's offset is not the one written: the local time differs
            moment += moved
            try:
                date = self.dates[moment.toordinal()]
            except KeyError:
                date = self.dates[moment.toordinal()] = _date(moment)
        second = moment.second
        return f"{date}{_TWO[moment.hour]}:{_TWO[moment.minute]}:{_TWO[second]}{suffix}"

    def _day(self, ordinal: int, offset: timedelta) -> tuple[str, str, timedelta] | None:
        """What every time written on day `ordinal` at `offset` shares in `zone`, or None
        when the zone's offset changes on it (or the day is at the end of the calendar)."""
        try:
            start = datetime.fromordinal(ordinal).replace(tzinfo=timezone(offset))
            first, last = start.astimezone(self.zone), (start + _LAST).astimezone(self.zone)
        except (OverflowError, ValueError):
            return None
        local = first.utcoffset()
        if local is None or local != last.utcoffset():
            return None
        text = first.isoformat(timespec="seconds")  # "YYYY-MM-DDTHH:MM:SS+HH:MM"
        return _date(start), text[19:] + '"', local - offset


def _date(moment: datetime) -> str:
    """'"2024-03-31T': how a quoted time starts."""
    return f'"{moment.year:04}-{moment.month:02}-{moment.day:02}T'


def _quoted_time(moment: datetime, zone: tzinfo | None) -> str:
    local = moment.astimezone(zone) if zone else moment
    return f'"{local.isoformat(timespec="seconds")}"'  # digits, "-", ":", "T", "+": no escapes


class Memo:
    """What one briefing's incidents repeat, made once: the quoted clean texts, the times
    (`Clock`), the pieces of an incident that only fields with few values make (keyed by
    those values; briefing.render.json_incident fills them), and the follow-ups by
    incident (`followup.of` walks them all)."""

    def __init__(self, briefing: Briefing, zone: tzinfo | None = None) -> None:
        self.texts = Texts()
        self.time = Clock(zone if zone is not None else briefing.window_end.tzinfo)
        self.pieces: dict[object, str] = {}
        self.followups: dict[str, FollowUp] = {}
        for followup in briefing.followups:
            self.followups.setdefault(followup.incident_id, followup)

    def text(self, text: str) -> str:
        """`encode_basestring(clean_text(text))`, remembered."""
        return self.texts[text]

    def nullable(self, text: str | None) -> str:
        return self.texts[text]
