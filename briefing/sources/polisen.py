"""Polisen's events API (`https://polisen.se/api/events`), live or replayed from files.

The API returns the 500 newest events for the whole country as one unsorted
JSON array. Its quirks (DOMAIN.md §1) are handled here, at the border:

- `datetime` has an unpadded hour ("2026-06-27 7:19:49 +02:00"), so it is read
  with `strptime`, never `fromisoformat` (which drops every event before 10:00).
- The incident time is only in `name` ("06 juni 23:24", "9 juli 15.53"), with
  no year: the year of publication is used, one less across New Year.
- The place is the last ", " segment of `name`. `location.name` turned into a
  county for new events on 2026-01-20 and is only a fallback; where the two
  disagree (id 472285: "…, Upplands-Bro" with location "Järfälla") the name wins,
  because it is the text the police write and correct.
- `location.gps` is a municipality or county centroid: never used as a position.
"""

from __future__ import annotations

import contextlib
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator, model_validator

from briefing.errors import SourceError
from briefing.models import Incident, Origin, clean_text
from briefing.sources._incidents import in_order, incident_time, place_of, recorded_payloads
from briefing.sources.base import (
    Batch,
    FetchContext,
    Source,
    SourceSettings,
    fetch_if_changed,
)
from briefing.sources.http import RateLimit
from briefing.sources.polisen_details import PageOptions, add_page_text, site_of

BASE_URL = "https://polisen.se/"
# The terms of use: at least 10 s between calls and at most 60 an hour.
RATE = RateLimit("polisen.se", min_interval=10.0, per_hour=60)
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S %z"  # %H also takes the unpadded "7"
_HEADER_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")
# The API's own datetime shape ("2023-06-08 8:27:58 +02:00"), read without strptime
# (a sixth of reading an event); anything else goes through strptime as before.
# Years a report can be dated in; outside them a date is a typo (and 9999 overflows).
MIN_YEAR, MAX_YEAR = 1900, 2999
_API_DATETIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{1,2}):([0-9]{2}):([0-9]{2})"
    r" ([+-])([0-9]{2}):([0-5][0-9])"
)
# An event path that urljoin would append to BASE_URL as it is: no "." or ".."
# segment, no "//", no query, fragment or escape.
_PLAIN_PATH = re.compile(r"/[A-Za-z0-9_~./-]*")
_DOT_SEGMENT = re.compile(r"/\.\.?(?:/|$)")


class PolisenSettings(SourceSettings):
    """`[sources.NAME]` keys for kind "polisen".

    `details`, `details_path` and `details_per_run` add the text of each event's
    page on polisen.se (see `briefing.sources.polisen_details`).
    """

    user_agent: str | None = Field(
        default=None,
        description="User-Agent naming the application and a contact (polisen's terms ask for one)",
    )
    details: bool = Field(
        default=False, description="read the page of each event in the own municipality"
    )
    details_path: Path | None = Field(
        default=None, description="saved event pages named <id>.html, read instead of fetching"
    )
    details_per_run: int = Field(
        default=5, ge=0, le=50, description="event pages fetched at most per run (10 s each)"
    )
    details_per_fetch: int = Field(
        default=10,
        ge=0,
        le=50,
        description="event pages fetched at most by `briefing fetch`, which nobody waits for",
    )

    @model_validator(mode="after")
    def _pages_from_somewhere(self) -> PolisenSettings:
        if self.details and self.url is None and self.details_path is None:
            raise ValueError(
                "`details = true` fetches pages from polisen.se, which a replay from `path` "
                "never does; give `details_path` to read saved pages"
            )
        return self

    @field_validator("user_agent")
    @classmethod
    def _usable_header(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.strip() or _HEADER_UNSAFE.search(value):
            raise ValueError("must be non-empty text on one line")
        return value.strip()


class RecordError(ValueError):
    """One event in the payload cannot be read; the rest of the batch is kept."""


class PolisenSource(Source):
    """Events from the police API, one `Incident` per event version.

    With `path`, every `*.json` file of a folder is read in name order and every
    event of every file is kept: an id seen in several snapshots appears once per
    distinct version, oldest file first, so the store (which upserts by id and
    keeps every version) ends with the latest snapshot's version.
    """

    kind: ClassVar[str] = "polisen"
    Settings: ClassVar[type[SourceSettings]] = PolisenSettings
    settings: PolisenSettings

    def fetch(self, ctx: FetchContext) -> Batch:
        batch = Batch()
        if self.settings.path is not None:
            payloads = self._read_files(self.settings.path, batch)
        else:
            payloads = [(None, self._download(ctx, str(self.settings.url), batch))]
        for file_name, records in payloads:
            for index, record in enumerate(records):
                self._add(batch, record, index, file_name, ctx.tz)
        batch.incidents, problems = add_page_text(
            in_order(batch.incidents), self._page_options(), ctx
        )
        batch.problems.extend(f"{self.name}: {problem}" for problem in problems)
        return batch

    def _page_options(self) -> PageOptions:
        settings = self.settings
        return PageOptions(
            folder=settings.details_path,
            fetch=settings.details,
            per_run=settings.details_per_run,
            per_fetch=settings.details_per_fetch,
            site=site_of(settings.url),
            rate=RATE,  # pages and the API share polisen.se's budget
            timeout=settings.timeout,
            user_agent=settings.user_agent,
        )

    def _download(self, ctx: FetchContext, url: str, batch: Batch) -> list[Any]:
        # One unfiltered call: `locationname` may no longer match county-era events.
        response = fetch_if_changed(
            ctx,
            batch,
            url,
            timeout=self.settings.timeout,
            rate=RATE,
            user_agent=self.settings.user_agent,
        )
        if response is None:  # not modified since the events that were stored last time
            return []
        return _as_array(response.json(), url)

    def _read_files(self, path: Path, batch: Batch) -> list[tuple[str | None, list[Any]]]:
        """Every readable file; a broken one among several is a problem, not a failure."""
        return list(recorded_payloads(self.name, path, batch, shape=_as_array))

    def _add(
        self, batch: Batch, record: object, index: int, file_name: str | None, tz: ZoneInfo
    ) -> None:
        try:
            incident = parse_event(record, source=self.name, origin=self.origin, tz=tz)
        except RecordError as exc:
            where = f" in {file_name}" if file_name else ""
            batch.problems.append(f"{self.name}: record {index}{_id_of(record)}{where}: {exc}")
        else:
            batch.incidents.append(incident)


def _as_array(payload: Any, where: str) -> list[Any]:
    if not isinstance(payload, list):
        raise SourceError(
            f"{where}: expected a JSON array of events, got {type(payload).__name__}",
            "is this polisen's /api/events?",
        )
    return payload


def _id_of(record: object) -> str:
    if isinstance(record, dict) and "id" in record:
        return f" (id {clean_text(record['id'], single_line=True)[:20]})"
    return ""


def parse_event(record: object, *, source: str, origin: Origin, tz: ZoneInfo) -> Incident:
    """One API event as an `Incident`; RecordError says what is wrong with it."""
    if not isinstance(record, dict):
        raise RecordError(f"not an object but {type(record).__name__}")
    key = _event_id(record.get("id"))
    published = _published(record.get("datetime")).astimezone(tz)
    title = _required_text(record, "name")
    place = place_of(title, _location_name(record.get("location")))
    return Incident(
        source=source,
        key=key,
        origin=origin,
        type=_event_type(record.get("type"), title),
        title=title,
        summary=_optional_text(record.get("summary")),
        published_at=published,
        occurred_at=incident_time(title, published, tz),
        url=event_url(record.get("url")),
        municipality=place.municipality,
        county=place.county,
        location=place.location,
        raw=json.dumps(record),  # ASCII: no bidi or invisible characters
    )


def _event_id(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise RecordError("missing or non-numeric id")
    text = str(value).strip()
    if not text.isascii() or not text.isdigit():
        raise RecordError(f"id is not a number: {clean_text(text)[:20]!r}")
    return str(int(text))


def _published(value: object) -> datetime:
    if not isinstance(value, str):
        raise RecordError("missing datetime")
    text = value.strip()
    published = None
    if (parts := _API_DATETIME.fullmatch(text)) is not None:
        with contextlib.suppress(ValueError):  # out of range: strptime says so below
            published = _api_datetime(parts)
    try:
        published = published or datetime.strptime(text, DATETIME_FORMAT)
    except ValueError:
        raise RecordError(f"unreadable datetime {clean_text(value)[:40]!r}") from None
    if not MIN_YEAR <= published.year <= MAX_YEAR:  # 9999-12-31 overflows in UTC
        raise RecordError(f"datetime out of range {clean_text(value)[:40]!r}")
    return published


def _api_datetime(parts: re.Match[str]) -> datetime:
    """What strptime(DATETIME_FORMAT) gives for a match of _API_DATETIME."""
    year, month, day, hour, minute, second = (int(parts.group(n)) for n in range(1, 7))
    offset = timedelta(hours=int(parts.group(8)), minutes=int(parts.group(9)))
    zone = timezone(-offset if parts.group(7) == "-" else offset)
    return datetime(year, month, day, hour, minute, second, tzinfo=zone)


def _required_text(record: dict[Any, Any], key: str) -> str:
    text = _optional_text(record.get(key))
    if not text:
        raise RecordError(f"missing or empty {key}")
    return text


def _optional_text(value: object) -> str:
    return clean_text(value, single_line=True) if isinstance(value, str) else ""


def _location_name(location: object) -> str:
    return _optional_text(location.get("name")) if isinstance(location, dict) else ""


def _event_type(value: object, title: str) -> str:
    """The `type` field, stripped; if it is empty, the type part of the title."""
    text = _optional_text(value)
    if text:
        return text
    middle = ", ".join(part.strip() for part in title.split(",")[1:-1])
    return middle or "Övrigt"


def event_url(value: object) -> str | None:
    """The event page as an absolute http(s) URL; anything else is dropped."""
    if not isinstance(value, str) or not value.strip() or re.search(r"\s", value.strip()):
        return None
    path = value.strip()
    if _PLAIN_PATH.fullmatch(path) and "//" not in path and not _DOT_SEGMENT.search(path):
        return BASE_URL + path[1:]  # what urljoin gives, without its work
    url = urljoin(BASE_URL, value.strip())
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None
