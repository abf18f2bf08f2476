"""What one briefing's JSON incidents repeat, made once (briefing.render.json).

Every value here is what the dict path of briefing.render.json writes for the same
input (`encode_basestring(clean_text(text))`, `_time`), only remembered: the texts of
the fields with few values (source, type, category, places, reasons, stakeholders),
the pieces of an incident made of them alone, and what the times written on one day
in one offset share (`Clock`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime, timedelta, timezone, tzinfo
from json.encoder import encode_basestring
from typing import TypeVar

from briefing.models import Briefing, FollowUp, clean_text

Key = TypeVar("Key", bound=Hashable)

_LAST = timedelta(days=1, microseconds=-1)  # the last moment of a day, from its start
# How a quoted time goes on after its date: "HH:", "MM:", "SS".
HOURS = tuple(f"{number:02}:" for number in range(24))
MINUTES = tuple(f"{number:02}:" for number in range(60))
SECONDS = tuple(f"{number:02}" for number in range(60))
# A day as written in one fixed offset: ('"2024-03-31T', '+02:00"', how far the zone's
# offset is from it), or None when the zone's offset changes on it.
Day = tuple[str, str, timedelta] | None


class Texts(dict[str | None, str]):
    """Text → `encode_basestring(clean_text(text))`, made on first use; None → null."""

    def __init__(self) -> None:
        super().__init__({None: "null"})

    def __missing__(self, text: str | None) -> str:
        quoted = self[text] = encode_basestring(clean_text(text))
        return quoted


class Pieces(dict[Key, str]):
    """Key → `make(key)`, made on first use."""

    def __init__(self, make: Callable[[Key], str]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: Key) -> str:
        piece = self[key] = self.make(key)
        return piece


class Clock:
    """An aware time as `_time` quotes it in `zone` ("2024-03-31T03:00:00+02:00"), from
    what is known of the day it is written on, made once per day and fixed offset.

    A day is known when `zone` keeps one offset all through it (no zone changes its
    offset twice within a day): the local time is then the time written, moved by the
    difference of the offsets. Any other time (naive, no zone, in a zone of its own
    rather than a fixed offset, on a day with a change of offset such as the last
    Sundays of March and October) is converted the plain way.

    `days` is keyed by (the day's ordinal, the time's tzinfo), for briefing.render.
    json_incident, which reads it straight for the times that need no moving.
    """

    def __init__(self, zone: tzinfo | None) -> None:
        self.zone = zone
        self.days: dict[tuple[int, tzinfo | None], Day] = {}
        self.dates: dict[int, str] = {}

    def __call__(self, moment: datetime | None) -> str:
        if moment is None:
            return "null"
        key = (moment.toordinal(), moment.tzinfo)
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
        return f"{date}{HOURS[moment.hour]}{MINUTES[moment.minute]}{SECONDS[second]}{suffix}"

    def _day(self, ordinal: int, written: tzinfo | None) -> Day:
        """What every time written on day `ordinal` in `written` shares in `zone`."""
        if not self.zone or type(written) is not timezone:  # naive, or no fixed offset
            return None
        try:
            start = datetime.fromordinal(ordinal).replace(tzinfo=written)
            first, last = start.astimezone(self.zone), (start + _LAST).astimezone(self.zone)
        except (OverflowError, ValueError):  # the first or the last days of the calendar
            return None
        local, offset = first.utcoffset(), start.utcoffset()
        if local is None or offset is None or local != last.utcoffset():
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
    (`Clock`), and the follow-ups by incident (`followup.of` walks them all)."""

    def __init__(self, briefing: Briefing, zone: tzinfo | None = None) -> None:
        self.texts = Texts()
        self.time = Clock(zone if zone is not None else briefing.window_end.tzinfo)
        self.followups: dict[str, FollowUp] = {}
        for followup in briefing.followups:
            self.followups.setdefault(followup.incident_id, followup)
