"""Which neighbours' incidents a chief next door must know: serious ones, and those near.

An incident placed in a bordering municipality is shown when its severity is
`neighbour_min_severity` or above, or when it happened within `neighbour_radius_km`
of the home municipality's boundary ([briefing] in sources.toml). "Where" is the
incident's own point when it has one, else the neighbour's RegSO area its text names
(police texts name places, not points): an area counts as near when any part of it lies
within the radius of the boundary (SCB's areas: "Källa: SCB"). The rest (a bicycle
found in Stockholm's inner city) is left out of the briefing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from briefing.geo import areas
from briefing.geo.geometry import Point
from briefing.judge import districts
from briefing.judge.gazetteer import Gazetteer
from briefing.models import Incident, Judgement, Place, Severity

_M_PER_DEGREE = 111_195.0  # metres per degree of latitude (mean Earth radius)


@dataclass(frozen=True, slots=True)
class Rule:
    """The neighbours' rule of one briefing."""

    home: str  # kommunkod
    min_severity: Severity
    radius_km: float

    def matters(self, incident: Incident, place: Place, judgement: Judgement) -> bool:
        """Whether a neighbour's incident is shown: serious enough, or near the border."""
        if judgement.severity.rank >= self.min_severity.rank:
            return True
        if self.radius_km <= 0 or place.municipality is None:
            return False
        if place.lat is not None and place.lon is not None:
            return _near_point(self.home, (place.lon, place.lat), self.radius_km)
        if incident.lat is not None and incident.lon is not None:
            return _near_point(self.home, (incident.lon, incident.lat), self.radius_km)
        near = near_areas(self.home, place.municipality, self.radius_km)
        if not near:
            return False
        text = "\n".join(p for p in (incident.title, incident.summary, incident.text) if p)
        gazetteer = _area_names(place.municipality)
        return any(match.entry.district in near for match in gazetteer.find(text))


@cache
def _area_names(municipality: str) -> Gazetteer:
    """The neighbour's RegSO names and their parts, each giving its area."""
    grouped = {area.name: (area.name,) for area in areas.load(municipality).areas}
    return districts.starting_gazetteer(municipality, grouped)


@cache
def near_areas(home: str, neighbour: str, radius_km: float) -> frozenset[str]:
    """The neighbour's RegSO areas with a point within `radius_km` of home's boundary."""
    try:
        other = areas.load(neighbour)
    except ValueError:
        return frozenset()
    index = _index(home, radius_km)
    return frozenset(
        area.name for area in other.areas if any(index.near(p) for ring in area.rings for p in ring)
    )


def _near_point(home: str, point: Point, radius_km: float) -> bool:
    return _index(home, radius_km).near(point)


@cache
def _index(home: str, radius_km: float) -> _Index:
    """Home's boundary, with points added along long edges (at most radius/2 apart)."""
    step = max(radius_km * 1000 / 2, 50.0)
    points: list[Point] = []
    for part in areas.load(home).boundary:
        for a, b in zip(part.outer, part.outer[1:], strict=False):
            pieces = max(1, math.ceil(math.dist(_metres(a), _metres(b)) / step))
            points += [
                (a[0] + (b[0] - a[0]) * k / pieces, a[1] + (b[1] - a[1]) * k / pieces)
                for k in range(pieces)
            ]
    return _Index(points, radius_km * 1000)


class _Index:
    """Boundary points in a grid of cells `radius` wide: is a point within `radius`?"""

    def __init__(self, points: Iterable[Point], radius: float) -> None:
        self.radius = max(radius, 1.0)
        self.cells: dict[tuple[int, int], list[tuple[float, float]]] = {}
        for point in points:
            x, y = _metres(point)
            self.cells.setdefault(self._cell(x, y), []).append((x, y))

    def _cell(self, x: float, y: float) -> tuple[int, int]:
        return (math.floor(x / self.radius), math.floor(y / self.radius))

    def near(self, point: Point) -> bool:
        x, y = _metres(point)
        cx, cy = self._cell(x, y)
        return any(
            math.hypot(x - u, y - v) <= self.radius
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
            for u, v in self.cells.get((cx + dx, cy + dy), ())
        )


def _metres(point: Point) -> tuple[float, float]:
    """Equirectangular metres, scaled at the point's own latitude: within a percent over
    the few km compared across a border."""
    lon, lat = point
    return (lon * _M_PER_DEGREE * math.cos(math.radians(lat)), lat * _M_PER_DEGREE)
