"""SMHI's impact-based weather warnings (DOMAIN.md §4c), live or replayed from files.

`warning.json` is an array of warnings, each an event ("Kraftig vind") with
`warningAreas`: one per area and level, each with a GeoJSON polygon. One
incident per warning area that meets the municipality, keyed "<warning id>-<area id>":

- the level gives the type, and the type table the severity: yellow
  ("SMHI gul varning") medium, orange high, red critical; `MESSAGE` (a notice,
  almost always present) is not a warning and is dropped;
- "meets the municipality" is: the polygon and the municipality's bounding box
  (`municipality_bounds`, or `bounds` in the settings) overlap, and then (without
  `bounds`) the polygon meets the municipality's own boundary (SCB's RegSO areas,
  briefing.geo.areas): a warning just outside the box's corner does not show;
- there is no "valid to": a warning that is no longer in the list (or no longer
  meets the municipality, or fell to MESSAGE) has ended. Its last version is
  repeated as "Upphört: …", from what the source state remembers. A replay of
  old snapshots changes nothing: an area older than the newest version seen
  (`published`) is skipped, and an ended one comes back only with a later one;
- times are UTC, ISO 8601 or milliseconds since 1970.

Licence CC BY 4.0: the briefing names SMHI as the source (README.md).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator

from briefing.errors import SourceError
from briefing.geo import areas
from briefing.geo.geometry import Box, Polygon, in_sweden
from briefing.models import Incident
from briefing.sources import municipalities
from briefing.sources._authority import (
    AuthoritySettings,
    RecordError,
    aware_time,
    recall,
    remember,
    remembered,
    remembered_times,
    snapshots,
    text_of,
    times_to_remember,
)
from briefing.sources.base import Batch, FetchContext, Source, SourceSettings

WARNINGS_PAGE = (
    "https://www.smhi.se/vader/varningar-och-brandrisk/varningar-och-meddelanden/varningar"
)
LEVELS = {"YELLOW": ("SMHI gul varning", "Gul"), "ORANGE": ("SMHI orange varning", "Orange"),
          "RED": ("SMHI röd varning", "Röd")}  # fmt: skip
ENDED = "Upphört: "
ENDED_NOTE = "Varningen finns inte längre i SMHI:s lista."
_ACTIVE, _ENDED, _NEWEST = "active:", "ended:", "newest:"
KEEP_SEEN = 500  # areas whose newest version is remembered, so that a replay changes nothing

# What "the municipality" is for one fetch: its box, the municipality, the briefing's zone.
_Place = tuple[Box, municipalities.Municipality | None, ZoneInfo]


def municipality_bounds(kommunkod: str) -> Box | None:
    """The bounding box of a municipality (SCB's RegSO areas), None for an unknown code."""
    entry = areas.atlas().index.get(kommunkod)
    return None if entry is None else Box(*entry["bbox"])


def meets_boundary(polygons: list[Polygon], kommunkod: str) -> bool:
    """Whether any polygon meets the municipality itself (its RegSO areas' union)."""
    home = areas.load(kommunkod)
    boundary = home.boundary
    for polygon in polygons:
        if any(home.contains(lon, lat) for lon, lat in polygon.outer):
            return True
        if any(polygon.contains(*part.outer[0]) for part in boundary):
            return True
        box = Box.around(polygon.outer)
        edges = [e for e in itertools.pairwise(polygon.outer) if _near(e, home.box)]
        for part in boundary:
            sides = [s for s in itertools.pairwise(part.outer) if _near(s, box)]
            if any(_cross(edge, side) for edge in edges for side in sides):
                return True
    return False


def _near(segment: tuple[Point, Point], box: Box) -> bool:
    (x1, y1), (x2, y2) = segment
    return not (
        max(x1, x2) < box.west
        or min(x1, x2) > box.east
        or max(y1, y2) < box.south
        or min(y1, y2) > box.north
    )


class SmhiSettings(AuthoritySettings):
    """`[sources.NAME]` keys for kind "smhi"."""

    bounds: tuple[float, float, float, float] | None = Field(
        default=None,
        description="the municipality's box [west, south, east, north] in WGS84 degrees "
        "(needed where no box is bundled)",
    )

    @field_validator("bounds")
    @classmethod
    def _a_box_in_sweden(
        cls, value: tuple[float, float, float, float] | None
    ) -> tuple[float, float, float, float] | None:
        if value is None:
            return None
        west, south, east, north = value
        if not (west < east and south < north):
            raise ValueError("must be [west, south, east, north], west < east and south < north")
        if not (in_sweden(south, west) and in_sweden(north, east)):
            raise ValueError("must lie in Sweden (longitude 10.5–24.5, latitude 55–69.5)")
        return value


class SmhiSource(Source):
    """SMHI warnings for the areas that meet the municipality, and when they end."""

    kind: ClassVar[str] = "smhi"
    Settings: ClassVar[type[SourceSettings]] = SmhiSettings
    settings: SmhiSettings

    def fetch(self, ctx: FetchContext) -> Batch:
        batch = Batch()
        home = municipalities.lookup(ctx.municipality)
        box = self._box(home)
        payloads = snapshots(self.name, self.settings, ctx, batch)
        if payloads is None:  # not modified: the same warnings, none ended
            return batch
        active = {
            key: found
            for key, text in remembered(ctx.state, _ACTIVE).items()
            if (found := recall(text, self.name, self.origin)) is not None
        }
        newest = remembered_times(ctx.state, _NEWEST)
        ended = set(remembered(ctx.state, _ENDED))
        for where, payload in payloads:
            current, old = {}, set()
            for incident in self._current(where, payload, (box, home, ctx.tz), batch):
                last = newest.get(incident.key)
                if last and (incident.published_at < last or (
                    incident.key in ended and incident.published_at <= last
                )):  # fmt: skip
                    old.add(incident.key)  # an older snapshot's version (a replay)
                else:
                    current[incident.key] = incident
            for key, before in active.items():
                if key not in current and key not in old:
                    batch.incidents.append(_ended(before))
                    ended.add(key)
            for key, incident in current.items():
                ended.discard(key)
                newest[key] = max(incident.published_at, newest.get(key, incident.published_at))
                batch.incidents.append(incident)
            active = {**{k: v for k, v in active.items() if k in old}, **current}
        batch.state.update({_ACTIVE + key: remember(found) for key, found in active.items()})
        kept = times_to_remember(newest, _NEWEST, KEEP_SEEN)
        batch.state.update(kept)
        batch.state.update({_ENDED + key: "" for key in ended if _NEWEST + key in kept})
        return batch

    def _box(self, home: municipalities.Municipality | None) -> Box:
        if self.settings.bounds is not None:
            return Box(*self.settings.bounds)
        box = municipality_bounds(home.code) if home else None
        if box is None:
            where = home.name if home else "this municipality"
            raise SourceError(
                f"no bounding box is known for {where}",
                f"give `bounds = [west, south, east, north]` in [sources.{self.name}]",
            )
        return box

    def _current(self, where: str, payload: Any, place: _Place, batch: Batch) -> list[Incident]:
        """The warning areas of one snapshot that meet the box."""
        if not isinstance(payload, list):
            raise SourceError(
                f"{where}: expected a JSON array of warnings, got {type(payload).__name__}",
                "is this SMHI's ibww warning.json?",
            )
        current: list[Incident] = []
        for index, warning in enumerate(payload):
            areas = warning.get("warningAreas") if isinstance(warning, dict) else None
            if not isinstance(areas, list):
                batch.problems.append(f"{self.name}: {where}: warning {index}: no warningAreas")
                continue
            for number, area in enumerate(areas):
                try:
                    incident = self._incident(warning, area, place)
                except RecordError as exc:
                    batch.problems.append(
                        f"{self.name}: {where}: warning {index}, area {number}: {exc}"
                    )
                    continue
                if incident is not None:
                    current.append(incident)
        return current

    def _incident(
        self,
        warning: dict[str, Any],
        area: object,
        place: _Place,
    ) -> Incident | None:
        box, home, tz = place
        if not isinstance(area, dict):
            raise RecordError(f"not an object but {type(area).__name__}")
        level = area.get("warningLevel")
        code = text_of(level.get("code")) if isinstance(level, dict) else ""
        if code == "MESSAGE":
            return None
        if code not in LEVELS:
            raise RecordError(f"unknown warning level {code[:20]!r}")
        shapes = _polygons(area.get("area"))
        if not meets(shapes, box):
            return None
        if self.settings.bounds is None and home and not meets_boundary(shapes, home.code):
            return None
        kind, word = LEVELS[code]
        event = _swedish(warning.get("event")) or "Vädervarning"
        area_name = _swedish(area.get("areaName"))
        start, end = _time(area.get("approximateStart")), _time(area.get("approximateEnd"))
        period = _period(start, end, tz)
        texts = _descriptions(area.get("descriptions"))
        texts = texts or _descriptions(warning.get("descriptions"))
        first = texts[0][1] if texts else ""
        return Incident(
            source=self.name,
            key=f"{_id(warning.get('id'))}-{_id(area.get('id'))}",
            origin=self.origin,
            type=kind,
            title=f"{word} varning: {event}" + (f", {area_name}" if area_name else ""),
            summary=" ".join(part for part in (period, first) if part),
            published_at=_required_time(area.get("published") or warning.get("published")),
            occurred_at=start,
            url=WARNINGS_PAGE,
            municipality=home.name if home else None,
            county=home.county if home else None,
            location=area_name,
            text=" ".join(f"{title}: {text}" if title else text for title, text in texts[1:]),
            raw=json.dumps({"warning": _without_areas(warning), "area": area}),
        )


def meets(polygons: list[Polygon], box: Box) -> bool:
    """Whether any polygon and the box overlap (touching counts)."""
    corners = [(box.west, box.south), (box.east, box.south), (box.east, box.north),
               (box.west, box.north)]  # fmt: skip
    sides = list(itertools.pairwise([*corners, corners[0]]))
    for polygon in polygons:
        for ring in (polygon.outer, *polygon.holes):
            if any(box.holds(lon, lat) for lon, lat in ring):
                return True
            edges = itertools.pairwise(ring)
            if any(_cross(edge, side) for edge in edges for side in sides):
                return True
        if any(polygon.contains(lon, lat) for lon, lat in corners):
            return True
    return False


Point = tuple[float, float]


def _cross(a: tuple[Point, Point], b: tuple[Point, Point]) -> bool:
    """Whether two segments intersect (collinear overlaps included)."""

    def side(p: Point, q: Point, r: Point) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    (p1, p2), (q1, q2) = a, b
    d1, d2 = side(q1, q2, p1), side(q1, q2, p2)
    d3, d4 = side(p1, p2, q1), side(p1, p2, q2)
    if ((d1 > 0) != (d2 > 0)) and ((d3 > 0) != (d4 > 0)) and 0 not in (d1, d2, d3, d4):
        return True

    def on(p: Point, q: Point, r: Point) -> bool:
        return min(p[0], q[0]) <= r[0] <= max(p[0], q[0]) and min(p[1], q[1]) <= r[1] <= max(
            p[1], q[1]
        )

    return (
        (d1 == 0 and on(q1, q2, p1))
        or (d2 == 0 and on(q1, q2, p2))
        or (d3 == 0 and on(p1, p2, q1))
        or (d4 == 0 and on(p1, p2, q2))
    )


def _polygons(value: object) -> list[Polygon]:
    """The polygons of a GeoJSON Feature or geometry (Polygon or MultiPolygon)."""
    geometry = value.get("geometry", value) if isinstance(value, dict) else None
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon" and isinstance(coordinates, list):
        polygons = coordinates
    else:
        raise RecordError(f"area is not a GeoJSON Polygon or MultiPolygon ({kind!r})")
    found = []
    for rings in polygons:
        if not isinstance(rings, list):
            raise RecordError("a polygon is a list of rings")
        try:
            parsed = [tuple((float(p[0]), float(p[1])) for p in ring) for ring in rings]
        except (TypeError, ValueError, IndexError, KeyError):
            raise RecordError("polygon positions must be [longitude, latitude] numbers") from None
        if not parsed or any(len(ring) < 4 for ring in parsed):
            raise RecordError("a polygon ring needs 4 or more positions")
        found.append(Polygon(parsed[0], tuple(parsed[1:])))
    return found


def _ended(before: Incident) -> Incident:
    title = ENDED + before.title.removeprefix(ENDED)
    summary = before.summary if before.summary.startswith(ENDED_NOTE) else (
        f"{ENDED_NOTE} {before.summary}".strip()
    )  # fmt: skip
    return replace(before, title=title, summary=summary, raw="")


def _swedish(value: object) -> str:
    return text_of(value.get("sv")) if isinstance(value, dict) else text_of(value)


def _id(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip():
        raise RecordError("missing id")
    return text_of(str(value))


def _time(value: object) -> datetime | None:
    if value is None or value == "":
        return None
    return _required_time(value)


def _required_time(value: object) -> datetime:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value / 1000, UTC)
        except (OverflowError, OSError, ValueError):
            raise RecordError(f"time {value!r} is out of range") from None
    return aware_time(value, "time")


def _period(start: datetime | None, end: datetime | None, tz: ZoneInfo) -> str:
    if start and end:
        return f"Från {start.astimezone(tz):%d/%m %H:%M} till {end.astimezone(tz):%d/%m %H:%M}."
    if start:
        return f"Från {start.astimezone(tz):%d/%m %H:%M}."
    return ""


def _descriptions(value: object) -> list[tuple[str, str]]:
    found = []
    for entry in value if isinstance(value, list) else []:
        if not isinstance(entry, dict):
            continue
        text = _swedish(entry.get("text"))
        if text:
            found.append((_swedish(entry.get("title")), text))
    return found


def _without_areas(warning: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in warning.items() if key != "warningAreas"}
