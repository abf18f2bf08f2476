"""Points, distances and district polygons (WGS84 longitude/latitude).

`Polygons` reads kommundel boundaries from a GeoJSON file (RFC 7946: WGS84,
[longitude, latitude], no `crs` member) and says which district a point lies
in, with a plain ray-casting test behind a bounding-box prefilter.

Boundary rule: a point on an edge (outer ring or hole) belongs to the polygon,
and where two districts share an edge the first feature in the file wins, so
every point has exactly one answer.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefing.errors import ConfigError

EARTH_RADIUS_M = 6_371_008.8  # the mean radius (IUGG)
# Sweden with a margin: longitude 10.5–24.5 east, latitude 55–69.5 north.
SWEDEN_LON = (10.5, 24.5)
SWEDEN_LAT = (55.0, 69.5)
_ON_EDGE = 1e-12  # degrees²: a cross product this small is a point on the edge

Point = tuple[float, float]  # (lon, lat), as GeoJSON writes it
Ring = tuple[Point, ...]


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in metres between two WGS84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def in_sweden(lat: float, lon: float) -> bool:
    return SWEDEN_LAT[0] <= lat <= SWEDEN_LAT[1] and SWEDEN_LON[0] <= lon <= SWEDEN_LON[1]


@dataclass(frozen=True, slots=True)
class Box:
    west: float
    south: float
    east: float
    north: float

    @classmethod
    def around(cls, points: Iterable[Point]) -> Box:
        lons, lats = zip(*points, strict=True)
        return cls(min(lons), min(lats), max(lons), max(lats))

    def holds(self, lon: float, lat: float) -> bool:
        return self.west <= lon <= self.east and self.south <= lat <= self.north


@dataclass(frozen=True, slots=True)
class Polygon:
    """One outer ring and its holes."""

    outer: Ring
    holes: tuple[Ring, ...] = ()

    def contains(self, lon: float, lat: float) -> bool:
        """Inside or on the boundary (holes' edges are boundary too)."""
        if not _in_ring(self.outer, lon, lat):
            return False
        return not any(
            _in_ring(hole, lon, lat) and not _on_ring(hole, lon, lat) for hole in self.holes
        )


@dataclass(frozen=True, slots=True)
class District:
    name: str
    parts: tuple[Polygon, ...]
    box: Box

    def contains(self, lon: float, lat: float) -> bool:
        return self.box.holds(lon, lat) and any(part.contains(lon, lat) for part in self.parts)


class Polygons:
    """District boundaries; `district_of` answers with the first feature that holds the point."""

    def __init__(self, districts: Sequence[District]) -> None:
        self.districts = tuple(districts)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(d.name for d in self.districts))

    @classmethod
    def load(cls, path: Path, districts: Iterable[str] | None = None) -> Polygons:
        """Read a GeoJSON file; `districts`, when given, are the only names allowed."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError([f"{path}: cannot read the district polygons: {exc}"]) from exc
        except ValueError as exc:
            raise ConfigError(
                [f"{path}: not JSON: {exc}"], "write the polygons as GeoJSON"
            ) from exc
        return cls.parse(data, str(path), districts)

    @classmethod
    def parse(cls, data: Any, source: str, districts: Iterable[str] | None = None) -> Polygons:
        problems: list[str] = []
        allowed = None if districts is None else tuple(districts)
        found = [
            district
            for index, feature in enumerate(_features(data, source, problems))
            if (district := _district(feature, f"{source}: features[{index}]", allowed, problems))
        ]
        if not found and not problems:
            problems.append(f"{source}: no district polygons")
        if problems:
            raise ConfigError(
                problems, "GeoJSON in WGS84 longitude/latitude, one feature per kommundel"
            )
        return cls(found)

    def district_of(self, lat: float, lon: float) -> str | None:
        """The district the point lies in, or None outside every polygon."""
        return next((d.name for d in self.districts if d.contains(lon, lat)), None)


def _in_ring(ring: Ring, lon: float, lat: float) -> bool:
    """Ray casting to the east; a point on an edge counts as inside."""
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if _on_segment(x1, y1, x2, y2, lon, lat):
            return True
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _on_ring(ring: Ring, lon: float, lat: float) -> bool:
    return any(
        _on_segment(x1, y1, x2, y2, lon, lat) for (x1, y1), (x2, y2) in itertools.pairwise(ring)
    )


def _on_segment(x1: float, y1: float, x2: float, y2: float, x: float, y: float) -> bool:
    if not (min(x1, x2) <= x <= max(x1, x2) and min(y1, y2) <= y <= max(y1, y2)):
        return False
    return abs((x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)) <= _ON_EDGE


def _features(data: Any, source: str, problems: list[str]) -> list[Any]:
    if not isinstance(data, dict):
        problems.append(f"{source}: not a GeoJSON object")
        return []
    if "crs" in data:
        problems.append(
            f"{source}: has a `crs` member: GeoJSON must be WGS84 longitude/latitude (RFC 7946); "
            "reproject (e.g. from SWEREF 99 TM, EPSG:3006) to EPSG:4326 and drop `crs`"
        )
        return []
    if data.get("type") == "Feature":
        return [data]
    features = data.get("features")
    if data.get("type") != "FeatureCollection" or not isinstance(features, list):
        problems.append(f"{source}: must be a GeoJSON FeatureCollection (or one Feature)")
        return []
    return features


def _district(
    feature: Any, where: str, allowed: tuple[str, ...] | None, problems: list[str]
) -> District | None:
    properties = feature.get("properties") if isinstance(feature, dict) else None
    properties = properties if isinstance(properties, dict) else {}
    name = properties.get("name", properties.get("district"))
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{where}: properties.name (or district) must name the kommundel")
        return None
    where = f"{where} ('{name}')"
    if allowed is not None and name not in allowed:
        problems.append(f"{where}: not a kommundel of the gazetteer ({', '.join(allowed)})")
    geometry = feature.get("geometry") if isinstance(feature, dict) else None
    before = len(problems)
    parts = _geometry(geometry, where, problems)
    if len(problems) > before or not parts:
        return None
    return District(name, parts, Box.around(p for part in parts for p in part.outer))


def _geometry(geometry: Any, where: str, problems: list[str]) -> tuple[Polygon, ...]:
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon" and isinstance(coordinates, list):
        polygons = coordinates
    else:
        problems.append(f"{where}: geometry must be a Polygon or MultiPolygon, not {kind!r}")
        return ()
    found = []
    for index, rings in enumerate(polygons):
        label = f"{where}: polygon {index}" if kind == "MultiPolygon" else where
        polygon = _polygon(rings, label, problems)
        if polygon is not None:
            found.append(polygon)
    return tuple(found)


def _polygon(rings: Any, where: str, problems: list[str]) -> Polygon | None:
    if not (isinstance(rings, list) and rings):
        problems.append(f"{where}: a polygon is a list of linear rings")
        return None
    parsed = [_ring(ring, f"{where}: ring {n}", problems) for n, ring in enumerate(rings)]
    if any(ring is None for ring in parsed):
        return None
    outer, *holes = (ring for ring in parsed if ring is not None)
    return Polygon(outer, tuple(holes))


def _ring(value: Any, where: str, problems: list[str]) -> Ring | None:
    try:
        ring = tuple((float(p[0]), float(p[1])) for p in value)
    except (TypeError, ValueError, IndexError, KeyError):
        problems.append(f"{where}: positions must be [longitude, latitude] numbers")
        return None
    if len(ring) < 4 or ring[0] != ring[-1]:
        problems.append(
            f"{where}: a linear ring needs 4 or more positions, the last equal to the first"
        )
        return None
    outside = [p for p in ring if not in_sweden(p[1], p[0])]
    if outside:
        problems.append(f"{where}: {_outside_sweden(outside[0])}")
        return None
    return ring


def _outside_sweden(point: Point) -> str:
    lon, lat = point
    text = f"position [{lon}, {lat}] is not in Sweden (longitude 10.5–24.5, latitude 55–69.5)"
    if in_sweden(lon, lat):
        return text + ": it looks like [latitude, longitude]; GeoJSON writes longitude first"
    if abs(lon) > 180 or abs(lat) > 90:
        return text + ": it looks like projected coordinates (SWEREF 99 TM?); reproject to WGS84"
    return text
