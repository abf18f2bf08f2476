"""Statistics Sweden's RegSO areas for every municipality: polygons, boundary, neighbours.

The data (briefing/data/areas/, "Källa: SCB", CC BY 4.0) is derived by
tools/build_areas.py from SCB's RegSO 2025: per municipality one gzip JSON file with
its areas (code, name, label point, box, rings) and its boundary, and index.json with
every municipality's bounding box and neighbours. Coordinates are WGS84 (lon, lat);
a file is read only when its municipality is first asked for.

Rings are stored as integers of 1/scale degree, delta-encoded ([x0, y0, dx1, dy1, …]),
outer rings counter-clockwise, holes clockwise. Neighbouring areas share identical
edges, so a union of areas (a kommundel) is the set of their edges that are not
shared, with no slivers (`dissolve`).

A point on the edge between two areas belongs to the first of them in code order
(briefing.geo.geometry's rule), so `locate` has exactly one answer inside the country.
"""

from __future__ import annotations

import gzip
import json
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib.resources import files
from importlib.resources.abc import Traversable
from itertools import accumulate, pairwise
from typing import Any

from briefing.errors import BriefingError
from briefing.geo.geometry import Box, District, Point, Polygon, Polygons, Ring
from briefing.sources import municipalities

ATTRIBUTION = "Källa: SCB (RegSO 2025, CC BY 4.0)"


class AreaDataError(BriefingError):
    """The bundled area data is missing or damaged (a packaging fault, not user input)."""


@dataclass(frozen=True, slots=True)
class Encoded:
    """A polygon's rings as stored (checked, not yet decoded: most are never needed)."""

    rings: tuple[Sequence[int], ...]
    scale: float

    def decode(self) -> Polygon:
        outer, *holes = (_decode(values, self.scale) for values in self.rings)
        return Polygon(outer, tuple(holes))


@dataclass(frozen=True, eq=False)
class Area:
    """One RegSO area: a polygon (outer ring and holes) and a label point inside it.

    The polygon is decoded when first needed (a point inside the box asks for it).
    """

    code: str  # "0123R005"
    name: str  # "Centrala Jakobsberg"
    label: Point
    box: Box
    encoded: Encoded = field(repr=False)

    @cached_property
    def polygon(self) -> Polygon:
        return self.encoded.decode()

    @property
    def rings(self) -> tuple[Ring, ...]:
        return (self.polygon.outer, *self.polygon.holes)

    @property
    def municipality(self) -> str:
        return self.code[:4]

    def contains(self, lon: float, lat: float) -> bool:
        return self.box.holds(lon, lat) and self.polygon.contains(lon, lat)


@dataclass(frozen=True, eq=False)
class MunicipalityAreas:
    """A municipality's RegSO areas (in code order), its boundary and its neighbours."""

    code: str
    name: str
    areas: tuple[Area, ...]
    neighbours: tuple[str, ...]  # kommunkoder, sharing a border by land or water
    box: Box
    encoded: tuple[Encoded, ...] = field(repr=False)

    @cached_property
    def boundary(self) -> tuple[Polygon, ...]:
        """The union of the areas: polygons (islands, exclaves) with their holes."""
        return tuple(polygon.decode() for polygon in self.encoded)

    def contains(self, lon: float, lat: float) -> bool:
        return self.box.holds(lon, lat) and any(p.contains(lon, lat) for p in self.boundary)

    def locate(self, lon: float, lat: float) -> Area | None:
        """The area holding the point (bounding boxes first), or None outside them all."""
        if not self.box.holds(lon, lat):
            return None
        return next((area for area in self.areas if area.contains(lon, lat)), None)

    def area(self, name_or_code: str) -> Area:
        """The area by its RegSO code or exact name; KeyError naming the choices if none."""
        for area in self.areas:
            if name_or_code in (area.code, area.name):
                return area
        choices = ", ".join(area.name for area in self.areas)
        raise KeyError(f"{name_or_code!r} is not a RegSO area of {self.name} ({choices})")

    def geojson(self) -> dict[str, Any]:
        """The areas as a GeoJSON FeatureCollection (RFC 7946), with SCB's attribution."""
        features = [
            {
                "type": "Feature",
                "properties": {"code": area.code, "name": area.name, "label": list(area.label)},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [list(map(list, r)) for r in area.rings],
                },
            }
            for area in self.areas
        ]
        return {"type": "FeatureCollection", "attribution": ATTRIBUTION, "features": features}

    def districts(self, groups: Mapping[str, Iterable[str]]) -> Polygons:
        """Named unions of areas (e.g. kommundelar), for briefing.geo.geometry.Polygons.

        Every area must be in exactly one group, so the districts tile the municipality;
        ValueError naming the unknown, repeated or left-out areas otherwise.
        """
        problems: list[str] = []
        owner: dict[str, str] = {}
        found = []
        for district, names in groups.items():
            members = []
            for name in names:
                try:
                    area = self.area(name)
                except KeyError as exc:
                    problems.append(f"district {district!r}: {exc.args[0]}")
                    continue
                if area.code in owner:
                    problems.append(
                        f"{area.name!r} is in both {owner[area.code]!r} and {district!r}"
                    )
                owner[area.code] = district
                members.append(area)
            if members:
                parts = dissolve(area.polygon for area in members)
                found.append(District(district, parts, _outline_box(parts)))
        left_out = [area.name for area in self.areas if area.code not in owner]
        if left_out:
            problems.append(f"areas of {self.name} in no district: {', '.join(left_out)}")
        if problems:
            raise ValueError("; ".join(problems))
        return Polygons(found)


class Atlas:
    """The bundled RegSO data (or another directory of the same layout), read lazily."""

    def __init__(self, root: Traversable | None = None) -> None:
        self.root = root if root is not None else files("briefing.data").joinpath("areas")
        self._loaded: dict[str, MunicipalityAreas] = {}
        self._kommundelar: dict[str, Polygons] = {}

    @cached_property
    def _data(self) -> dict[str, Any]:
        source = self.root.joinpath("index.json")
        try:
            data = json.loads(source.read_text(encoding="utf-8"))
            if not (isinstance(data["municipalities"], dict) and isinstance(data["meta"], dict)):
                raise TypeError("municipalities and meta must be objects")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise AreaDataError(f"{source}: cannot read the area index: {exc!r}") from exc
        return dict(data)

    @property
    def index(self) -> dict[str, Any]:
        """Per kommunkod: name, areas (count), bbox [w, s, e, n], neighbours {code: metres}."""
        found: dict[str, Any] = self._data["municipalities"]
        return found

    @property
    def meta(self) -> dict[str, Any]:
        """The build's source, tolerance and what the simplification cost."""
        found: dict[str, Any] = self._data["meta"]
        return found

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.index)

    def code_of(self, name_or_code: str) -> str:
        found = municipalities.lookup(name_or_code)
        if found is None or found.code not in self.index:
            raise ValueError(f"{name_or_code!r} is not a Swedish municipality name or kommunkod")
        return found.code

    def neighbours(self, name_or_code: str) -> tuple[str, ...]:
        """The kommunkoder of the municipalities that share a border with this one."""
        return tuple(self.index[self.code_of(name_or_code)]["neighbours"])

    def municipality(self, name_or_code: str) -> MunicipalityAreas:
        code = self.code_of(name_or_code)
        if code not in self._loaded:
            self._loaded[code] = self._read(code)
        return self._loaded[code]

    def locate(self, lon: float, lat: float) -> Area | None:
        """The RegSO area anywhere in Sweden holding the point, or None outside them all."""
        for code, entry in self.index.items():
            west, south, east, north = entry["bbox"]
            if west <= lon <= east and south <= lat <= north:
                found = self.municipality(code).locate(lon, lat)
                if found is not None:
                    return found
        return None

    @cached_property
    def groupings(self) -> dict[str, Any]:
        """kommundelar.toml: per kommunkod, districts as lists of RegSO names."""
        source = self.root.joinpath("kommundelar.toml")
        try:
            found = tomllib.loads(source.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise AreaDataError(f"{source}: cannot read the kommundelar: {exc}") from exc
        return found

    def kommundelar(self, name_or_code: str) -> Polygons | None:
        """The kommundelar as unions of RegSO areas, when kommundelar.toml lists them."""
        code = self.code_of(name_or_code)
        entry = self.groupings.get(code)
        if entry is None:
            return None
        if code in self._kommundelar:
            return self._kommundelar[code]
        try:
            found = self.municipality(code).districts(entry["districts"])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            where = f"{self.root.joinpath('kommundelar.toml')}: {code}.districts"
            raise AreaDataError(f"{where}: {exc}") from exc
        self._kommundelar[code] = found
        return found

    def _read(self, code: str) -> MunicipalityAreas:
        source = self.root.joinpath(f"{code}.json.gz")
        try:
            data = json.loads(gzip.decompress(source.read_bytes()))
            scale = float(data["scale"])
            areas = tuple(_area(item, scale) for item in data["areas"])
            boundary = tuple(_encoded(rings, scale) for rings in data["boundary"])
            box = _box(data["box"], scale)
        except (OSError, ValueError, KeyError, TypeError, IndexError, EOFError) as exc:
            raise AreaDataError(f"{source}: damaged area data: {exc!r}") from exc
        entry = self.index[code]
        return MunicipalityAreas(
            code, entry["name"], areas, tuple(entry["neighbours"]), box, boundary
        )


def _area(item: Any, scale: float) -> Area:
    x, y = item["label"]
    return Area(
        item["code"],
        item["name"],
        (x / scale, y / scale),
        _box(item["box"], scale),
        _encoded(item["rings"], scale),
    )


def _box(values: Any, scale: float) -> Box:
    west, south, east, north = (value / scale for value in values)
    if not (west <= east and south <= north):
        raise ValueError(f"box {values} is not [west, south, east, north]")
    return Box(west, south, east, north)


def _encoded(rings: Any, scale: float) -> Encoded:
    """The rings checked (4 or more positions, closed), to be decoded when needed."""
    if not (isinstance(rings, list) and rings):
        raise ValueError("a polygon is a non-empty list of rings")
    for values in rings:
        if not isinstance(values, list) or len(values) < 8 or len(values) % 2:
            raise ValueError("a ring needs 4 or more [x, y] positions")
        if sum(values[2::2]) or sum(values[3::2]):
            raise ValueError("a ring must end where it starts")
    return Encoded(tuple(rings), scale)


def _decode(values: Sequence[int], scale: float) -> Ring:
    xs = [x / scale for x in accumulate(values[0::2])]
    ys = [y / scale for y in accumulate(values[1::2])]
    return tuple(zip(xs, ys, strict=True))


def _outline_box(polygons: Iterable[Polygon]) -> Box:
    return Box.around(point for polygon in polygons for point in polygon.outer)


def signed_area(ring: Ring) -> float:
    """The shoelace area in square degrees, positive when the ring runs counter-clockwise."""
    total = 0.0
    for (x1, y1), (x2, y2) in pairwise(ring):
        total += x1 * y2 - x2 * y1
    return total / 2


def dissolve(polygons: Iterable[Polygon]) -> tuple[Polygon, ...]:
    """The union of edge-matched polygons: the edges not shared by two of them, as rings.

    Needs consistent orientation (outer counter-clockwise, holes clockwise), as the data
    has: an edge shared by two neighbours runs once each way and cancels out.
    """
    edges: dict[tuple[Point, Point], None] = {}
    for polygon in polygons:
        for ring in (polygon.outer, *polygon.holes):
            for a, b in pairwise(ring):
                if (b, a) in edges:
                    del edges[b, a]
                elif a != b:
                    edges[a, b] = None
    following: dict[Point, list[Point]] = {}
    for a, b in edges:
        following.setdefault(a, []).append(b)
    rings: list[Ring] = []
    while following:
        start = next(iter(following))
        walk = [start]
        point = start
        while True:
            ahead = following[point]
            step = ahead.pop()
            if not ahead:
                del following[point]
            walk.append(step)
            point = step
            if point == start:
                break
        rings.append(tuple(walk))
    outers = sorted((r for r in rings if signed_area(r) > 0), key=signed_area)
    holes: dict[Ring, list[Ring]] = {outer: [] for outer in outers}
    for ring in rings:
        if signed_area(ring) < 0:
            home = next(
                (o for o in outers if all(Polygon(o).contains(x, y) for x, y in ring)), None
            )
            if home is None:
                raise ValueError("a hole lies in no outer ring: the polygons are not edge-matched")
            holes[home].append(ring)
    return tuple(Polygon(outer, tuple(holes[outer])) for outer in outers)


_default: Atlas | None = None


def atlas() -> Atlas:
    """The bundled data, shared by the module functions below."""
    global _default
    if _default is None:
        _default = Atlas()
    return _default


def load(name_or_code: str) -> MunicipalityAreas:
    return atlas().municipality(name_or_code)


def neighbours(name_or_code: str) -> tuple[str, ...]:
    return atlas().neighbours(name_or_code)


def locate(lon: float, lat: float) -> Area | None:
    return atlas().locate(lon, lat)


def kommundelar(name_or_code: str) -> Polygons | None:
    return atlas().kommundelar(name_or_code)
