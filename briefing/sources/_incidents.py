"""What the adapters share about the incidents they read: a batch's order, and the
police's title.

`in_order` sorts a batch as the store takes it. The police write a title as
"06 juni 17.40, Misshandel, Järfälla" in the events API and in their RSS feeds
alike: `incident_time` reads its time (no year: the publication's, one less
across New Year) and `place_of` its municipality and county.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from briefing.errors import SourceError
from briefing.models import Incident
from briefing.sources import municipalities
from briefing.sources.base import Batch, payload_files

# Some events are dated a little after their own publication ("22.00" published
# 21:59:23); only an incident time more than this after publication means the
# year rolled over ("31 december 23.50" published on 1 January).
ROLLOVER_SLACK = timedelta(days=1)
_MONTH_NAMES = (
    "januari februari mars april maj juni juli augusti september oktober november december"
)
MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES.split(" "), start=1)}
_INCIDENT_TIME = re.compile(r"\s*(\d{1,2})\s+([^\W\d_]+)\s+(\d{1,2})[.:](\d{2})(?!\d)")


class Placement(NamedTuple):
    municipality: str | None
    county: str | None
    location: str


T = TypeVar("T")


def place_of(name: str, location_name: str) -> Placement:
    """Municipality and county from the title's last segment, else from `location.name`.

    `location` keeps the title's segment as written ("Upplands väsby").
    """
    head, comma, last = name.rpartition(",")
    segment = last.strip() if comma and head else ""
    for text in (segment, location_name):
        if not text:
            continue
        found = municipalities.lookup(text)
        if found is not None:
            return Placement(found.name, found.county, segment or text)
        county = municipalities.county(text)
        if county is not None:
            return Placement(None, county, segment or text)
    return Placement(None, None, segment or location_name)


def incident_time(name: str, published: datetime, tz: ZoneInfo) -> datetime | None:
    """The local time at the start of `name` ("06 juni 17.40"), None if there is none.

    The year is the publication's, or the one before when that would put the
    incident more than a day after its own publication (New Year).
    """
    match = _INCIDENT_TIME.match(name)
    if match is None:
        return None
    day, month_name, hour, minute = match.groups()
    month = MONTHS.get(month_name.casefold())
    if month is None or int(hour) > 23 or int(minute) > 59:
        return None
    year = published.astimezone(tz).year
    latest = published.astimezone(UTC) + ROLLOVER_SLACK
    for candidate_year in (year, year - 1):
        try:
            wall = datetime(candidate_year, month, int(day), int(hour), int(minute))
        except ValueError:  # "30 februari", or 29 February outside a leap year
            continue
        instant = _local_instant(wall, tz, published)
        if instant <= latest:
            return instant.astimezone(tz)
    return None


def _local_instant(wall: datetime, tz: ZoneInfo, published: datetime) -> datetime:
    """A wall-clock time in `tz` as a UTC instant.

    At a DST switch a wall time can mean two instants (autumn) or none (spring,
    where fold 0 and 1 give the instants an hour apart on either side of the
    gap). Take the latest reading not after publication, else the earliest.
    """
    readings = sorted({wall.replace(tzinfo=tz, fold=fold).astimezone(UTC) for fold in (0, 1)})
    before = [reading for reading in readings if reading <= published.astimezone(UTC)]
    return before[-1] if before else readings[0]


def in_order(incidents: list[Incident]) -> list[Incident]:
    """Sorted by (published_at, key), the versions of one id kept together in the
    order read, so the last is the latest; a version repeated unchanged is kept once.
    """
    latest_published = {incident.key: incident.published_at.timestamp() for incident in incidents}
    distinct: list[Incident] = []
    last_version: dict[str, Incident] = {}
    for incident in incidents:
        # Equal incidents have equal facts (raw is not compared): the store fingerprints
        # each incident it keeps, so it is not done here a second time.
        if last_version.get(incident.key) != incident:
            last_version[incident.key] = incident
            distinct.append(incident)
    return sorted(distinct, key=lambda incident: (latest_published[incident.key], incident.key))


def read_json_file(file: Path) -> Any:
    """A recorded JSON payload (a BOM allowed); SourceError naming the file otherwise."""
    try:
        return json.loads(file.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise SourceError(f"{file}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise SourceError(f"{file}: not UTF-8 text ({exc.reason})") from exc
    except ValueError as exc:
        raise SourceError(f"{file}: not valid JSON ({exc})") from exc


def recorded_payloads(
    name: str,
    path: Path,
    batch: Batch,
    shape: Callable[[Any, str], T] = lambda payload, where: payload,
) -> list[tuple[str, T]]:
    """(file name, JSON) of every readable .json file under `path`, each through `shape`
    (which may refuse a payload with SourceError); one broken file among several is a
    problem, all of them broken fails the source."""
    files = payload_files(path, (".json",), batch.problems)
    payloads: list[tuple[str, T]] = []
    errors: list[str] = []
    for file in files:
        try:
            payloads.append((file.name, shape(read_json_file(file), str(file))))
        except SourceError as exc:
            errors.append(exc.message)
    if errors and not payloads:
        raise SourceError(errors[0], f"check `path` in [sources.{name}]")
    batch.problems.extend(f"{name}: {error}" for error in errors)
    if not files:
        batch.problems.append(f"{name}: no .json files in {path}")
    return payloads
