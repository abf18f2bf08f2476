"""Rows of one CSV drop as incidents, by the columns its header names (see `csv`)."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from briefing.errors import SourceError
from briefing.models import Incident, Origin, clean_text
from briefing.sources import municipalities
from briefing.sources._timeparse import parse_datetime

NO_TITLE = "(utan rubrik)"


def fold(header: str) -> str:
    """A column header reduced for comparison: NFC, trimmed, casefolded."""
    return unicodedata.normalize("NFC", header).strip().casefold()


def report_json(header: list[str], row: list[str]) -> str:
    """The row as the file gave it (already masked), for `Incident.raw`."""
    return json.dumps(dict(zip(header, row, strict=False)), ensure_ascii=True)


class RowError(ValueError):
    """One row cannot be read; it is reported and skipped."""


# Sweden's bounding box: a swapped or projected (SWEREF 99) pair falls outside it.
_LAT_RANGE = (55.0, 69.5)
_LON_RANGE = (10.5, 24.5)
TITLE_LENGTH = 80


class RowReader:
    """Rows of one file as incidents. Warnings about rows that are kept go to `problems`."""

    def __init__(
        self,
        file: str,
        header: list[str],
        mapped: dict[str, tuple[str, ...]],
        *,
        source: str,
        origin: Origin,
        tz: ZoneInfo,
        municipality: str,
        date_format: str | None,
        problems: list[str],
    ) -> None:
        self.file = file
        self.header = [clean_text(cell, single_line=True) for cell in header]
        self.source = source
        self.origin = origin
        self.tz = tz
        self.municipality = municipality
        self.date_format = date_format
        self.problems = problems
        if not any(self.header):
            raise SourceError(f"{file}:1: no header line (empty file?)")
        self.columns = self._locate(mapped)

    def _locate(self, mapped: dict[str, tuple[str, ...]]) -> dict[str, tuple[int, ...]]:
        folded = [fold(cell) for cell in self.header]
        columns: dict[str, tuple[int, ...]] = {}
        missing: dict[str, list[str]] = {}
        for field_name, names in mapped.items():
            missing[field_name] = [name for name in names if fold(name) not in folded]
            if not missing[field_name]:
                columns[field_name] = tuple(folded.index(fold(name)) for name in names)
        if "time" not in columns:
            raise SourceError(
                f"{self.file}:1: no column {', '.join(map(repr, missing['time']))} for the time "
                f"(the header has: {', '.join(self.header)[:200]})"
            )
        for field_name, absent in missing.items():
            if absent:
                self.problems.append(
                    f"{self.file}:1: no column {absent[0]!r}; {field_name} left empty"
                )
        return columns

    @property
    def time_columns(self) -> frozenset[int]:
        """Where times are: compact times ("202306072340") look like identity numbers."""
        return frozenset(
            index for name in ("time", "end_time") for index in self.columns.get(name, ())
        )

    def incident(self, row: list[str], line: int) -> Incident | None:
        """The row as an incident; None for an empty row; RowError for a bad one."""
        if not any(cell.strip() for cell in row):
            return None
        self._check_width(row)
        values = {
            field_name: " ".join(clean_text(row[i], single_line=True) for i in indices).strip()
            for field_name, indices in self.columns.items()
        }
        try:
            when = parse_datetime(values["time"], self.tz, self.date_format)
        except ValueError as exc:
            raise RowError(str(exc)) from None
        when = when.astimezone(self.tz)
        municipality = self._municipality(values.get("municipality", ""), line)
        lat, lon = self._position(values.get("lat", ""), values.get("lon", ""), line)
        category, place = values.get("category", ""), values.get("place", "")
        return Incident(
            source=self.source,
            key=values.get("id") or _content_key(when, values),
            origin=self.origin,
            type=category,
            title=values.get("title") or _title(category, place, values.get("text", "")),
            summary=_with_end(values.get("text", ""), self._end_time(values, line)),
            published_at=when,
            occurred_at=when,
            municipality=municipality,
            county=_county_of(municipality),
            location=place,
            lat=lat,
            lon=lon,
            raw=report_json(self.header, row),
        )

    def _check_width(self, row: list[str]) -> None:
        width = len(self.header)
        if len(row) < width:
            raise RowError(f"too few columns ({len(row)}, the header has {width})")
        if any(cell.strip() for cell in row[width:]):
            raise RowError(
                f"too many columns ({len(row)}, the header has {width}): "
                "a delimiter inside a field without quotes?"
            )

    def _municipality(self, named: str, line: int) -> str:
        if not named:
            return self.municipality
        found = municipalities.lookup(named)
        if found is None:
            self.problems.append(
                f"{self.file}:{line}: {named[:40]!r} is not a municipality; "
                f"taken as {self.municipality}"
            )
            return self.municipality
        return found.name

    def _position(
        self, lat_text: str, lon_text: str, line: int
    ) -> tuple[float | None, float | None]:
        if not lat_text and not lon_text:
            return None, None
        try:
            lat = float(lat_text.replace(",", "."))
            lon = float(lon_text.replace(",", "."))
        except ValueError:
            lat = lon = float("nan")
        if _LAT_RANGE[0] <= lat <= _LAT_RANGE[1] and _LON_RANGE[0] <= lon <= _LON_RANGE[1]:
            return lat, lon
        self.problems.append(
            f"{self.file}:{line}: position {lat_text!r}, {lon_text!r} is not in Sweden "
            "(WGS84 lat, lon expected); ignored"
        )
        return None, None

    def _end_time(self, values: dict[str, str], line: int) -> datetime | None:
        text = values.get("end_time", "")
        if not text:
            return None
        try:
            return parse_datetime(text, self.tz, self.date_format).astimezone(self.tz)
        except ValueError as exc:
            self.problems.append(f"{self.file}:{line}: end time ignored: {exc}")
            return None


def _content_key(when: datetime, values: dict[str, str]) -> str:
    """The same row in a re-exported file is the same incident, whatever the file is called."""
    facts = [when.astimezone(UTC).isoformat()]
    facts += [values.get(name, "") for name in ("place", "text", "category")]
    return hashlib.sha256("\x1f".join(facts).encode()).hexdigest()[:24]


def _title(category: str, place: str, text: str) -> str:
    """Like a police title: "Brand, Jakobsbergs centrum"; else the start of the text."""
    if category:
        return ", ".join(part for part in (category, place) if part)
    if len(text) > TITLE_LENGTH:
        return text[:TITLE_LENGTH].rsplit(" ", 1)[0] + "…"
    return text or place or NO_TITLE


def _with_end(text: str, end: datetime | None) -> str:
    if end is None:
        return text
    return f"{text} (avslutad {end:%Y-%m-%d %H:%M})".strip()


def _county_of(municipality: str) -> str | None:
    found = municipalities.lookup(municipality)
    return found.county if found else None
