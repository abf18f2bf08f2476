"""A country's backlog: the three recorded police API snapshots replayed with fresh ids.

Round k shifts every event `k × SHIFT` back in time, publication and the
incident time in the title alike (so the title stays true to the record), and
gives it a fresh id, until the backlog holds the events asked for: 100 000
events of the whole country are about four years.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.common import SNAPSHOTS

TZ = ZoneInfo("Europe/Stockholm")
SHIFT = timedelta(days=21)
ID_STRIDE = 10_000_000  # above every real id, so a replayed id is never a real one
API_FORMAT = "%Y-%m-%d %H:%M:%S %z"
MONTHS = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]
# "08 juni 08:27, …" and "9 juli 15.53, …": day, month, hour, separator, minute
_TITLE_TIME = re.compile(r"(\d{1,2}) ([a-zåäö]+) (\d{1,2})([.:])(\d{2})")


def snapshots() -> list[list[dict[str, Any]]]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in SNAPSHOTS]


def replay(events: int) -> Iterator[dict[str, Any]]:
    """`events` API records: the snapshots, then the snapshots again, older, with fresh ids."""
    originals = [record for snapshot in snapshots() for record in snapshot]
    produced = 0
    for round_number in range(events // len(originals) + 1):
        for record in originals:
            if produced == events:
                return
            yield shifted(record, round_number)
            produced += 1


def shifted(record: dict[str, Any], rounds: int) -> dict[str, Any]:
    """`record` moved `rounds × SHIFT` back, with a fresh id for rounds > 0."""
    if rounds == 0:
        return record
    return moved_back(record, SHIFT * rounds, rounds * ID_STRIDE)


def moved_back(record: dict[str, Any], delta: timedelta, id_offset: int) -> dict[str, Any]:
    """`record` published `delta` earlier (its title's incident time too), its id + `id_offset`."""
    original = datetime.strptime(record["datetime"], API_FORMAT).astimezone(TZ)
    # Moved in wall time, so the offset is the one in force on the new day.
    published = (original.replace(tzinfo=None) - delta).replace(tzinfo=TZ)
    offset = published.strftime("%z")
    copy = dict(record)
    copy["id"] = int(record["id"]) + id_offset
    copy["datetime"] = (
        f"{published:%Y-%m-%d} {published.hour}:{published:%M:%S} {offset[:3]}:{offset[3:]}"
    )
    copy["name"] = _shift_title(record["name"], original.year, delta)
    return copy


def _shift_title(title: str, year: int, delta: timedelta) -> str:
    """The incident time at the start of a police title, moved back by `delta`."""
    match = _TITLE_TIME.match(title)
    if match is None or match.group(2) not in MONTHS:
        return title
    day, month, hour, separator, minute = match.groups()
    try:
        wall = datetime(year, MONTHS.index(month) + 1, int(day), int(hour), int(minute))
    except ValueError:  # 29 februari of another year: leave the title as it was
        return title
    moved = wall - delta
    moved_day = f"{moved.day:0{len(day)}d}"
    stamp = f"{moved_day} {MONTHS[moved.month - 1]} {moved.hour:02d}{separator}{moved.minute:02d}"
    return stamp + title[match.end() :]


def write(path: Path, events: int) -> Path:
    """The backlog as one JSON array, the way the API would have sent it."""
    with path.open("w", encoding="utf-8") as out:
        json.dump(list(replay(events)), out, ensure_ascii=False)
    return path
