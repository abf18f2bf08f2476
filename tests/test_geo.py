"""geo: distances, and district polygons from GeoJSON with a point-in-polygon test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from briefing.errors import ConfigError
from briefing.geo.geometry import Polygons, haversine_m

# Two made-up kommundelar side by side near Järfälla, sharing the edge lon = 17.85:
# West is a square with a square hole; East is a MultiPolygon (a square plus an island).
WEST = [
    [[17.80, 59.40], [17.85, 59.40], [17.85, 59.44], [17.80, 59.44], [17.80, 59.40]],
    [[17.81, 59.41], [17.82, 59.41], [17.82, 59.42], [17.81, 59.42], [17.81, 59.41]],
]
EAST = [
    [[[17.85, 59.40], [17.90, 59.40], [17.90, 59.44], [17.85, 59.44], [17.85, 59.40]]],
    [[[17.95, 59.45], [17.96, 59.45], [17.96, 59.46], [17.95, 59.46], [17.95, 59.45]]],
]


def feature(name: str, kind: str, coordinates: Any, key: str = "name") -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {key: name},
        "geometry": {"type": kind, "coordinates": coordinates},
    }


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


@pytest.fixture
def polygons() -> Polygons:
    return Polygons.parse(
        collection(feature("West", "Polygon", WEST), feature("East", "MultiPolygon", EAST)),
        "districts.geojson",
    )


def test_haversine_on_known_distances() -> None:
    # one degree of latitude is 111.2 km on the mean sphere
    assert haversine_m(59.0, 18.0, 60.0, 18.0) == pytest.approx(111_195, rel=1e-4)
    # Stockholm central station to Göteborg central station: about 398 km
    assert haversine_m(59.3303, 18.0586, 57.7089, 11.9733) == pytest.approx(398_000, rel=0.01)
    # at 59.4° north a degree of longitude is only about 56.6 km
    assert haversine_m(59.4, 17.8, 59.4, 17.81) == pytest.approx(566, abs=2)
    assert haversine_m(59.4, 17.8, 59.4, 17.8) == 0.0


@pytest.mark.parametrize(
    ("lat", "lon", "district"),
    [
        (59.43, 17.83, "West"),
        (59.43, 17.87, "East"),
        (59.455, 17.955, "East"),  # the second polygon of the MultiPolygon
        (59.415, 17.815, None),  # in West's hole, and nobody else's
        (59.39, 17.83, None),  # south of both
        (59.455, 17.93, None),  # inside East's bounding box, outside both its polygons
    ],
)
def test_district_of(polygons: Polygons, lat: float, lon: float, district: str | None) -> None:
    assert polygons.district_of(lat, lon) == district


def test_boundary_rule_edges_belong_to_the_polygon_and_the_first_feature_wins(
    polygons: Polygons,
) -> None:
    assert polygons.district_of(59.40, 17.83) == "West"  # on West's southern edge
    assert polygons.district_of(59.44, 17.80) == "West"  # on a corner
    assert polygons.district_of(59.42, 17.85) == "West"  # on the shared edge: first in the file
    assert polygons.district_of(59.41, 17.815) == "West"  # on the hole's edge: still West's
    reordered = Polygons.parse(
        collection(feature("East", "MultiPolygon", EAST), feature("West", "Polygon", WEST)), "r"
    )
    assert reordered.district_of(59.42, 17.85) == "East"


def test_a_point_in_a_hole_falls_to_the_feature_that_fills_it() -> None:
    hole = WEST[1]
    island = feature("Island", "Polygon", [hole])
    filled = Polygons.parse(collection(feature("West", "Polygon", WEST), island), "f")
    assert filled.district_of(59.415, 17.815) == "Island"


def test_load_reads_a_file_and_accepts_the_district_property(tmp_path: Path) -> None:
    path = tmp_path / "districts.geojson"
    path.write_text(json.dumps(collection(feature("West", "Polygon", WEST, key="district"))))
    loaded = Polygons.load(path, districts=["West", "East"])
    assert loaded.names == ("West",)
    assert loaded.district_of(59.43, 17.83) == "West"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({**collection(), "crs": {"type": "name"}}, "has a `crs` member"),
        ([], "not a GeoJSON object"),
        ({"type": "GeometryCollection"}, "must be a GeoJSON FeatureCollection"),
        (collection(), "no district polygons"),
        (collection(feature("", "Polygon", WEST)), "properties.name (or district)"),
        (collection(feature("Narnia", "Polygon", WEST)), "('Narnia'): not a kommundel"),
        (
            collection(feature("West", "Point", [17.8, 59.4])),
            "Polygon or MultiPolygon, not 'Point'",
        ),
        (
            collection(feature("West", "Polygon", [WEST[0][:-1]])),
            "ring 0: a linear ring needs 4 or more positions, the last equal to the first",
        ),
        (
            collection(feature("West", "Polygon", [[[lat, lon] for lon, lat in WEST[0]]])),
            "looks like [latitude, longitude]",
        ),
        (
            collection(feature("West", "Polygon", [[[x + 20, y] for x, y in WEST[0]]])),
            "position [37.8, 59.4] is not in Sweden",
        ),
        (
            collection(feature("West", "Polygon", [[["a", "b"]]])),
            "positions must be [longitude, latitude] numbers",
        ),
        (
            collection(feature("East", "MultiPolygon", [EAST[0], [[[17.95, 59.45]]]])),
            "('East'): polygon 1: ring 0: a linear ring needs 4",
        ),
    ],
)
def test_bad_polygons_are_refused_with_the_feature(data: Any, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Polygons.parse(data, "d.geojson", districts=["West", "East"])
    message = str(caught.value)
    assert message.startswith("d.geojson")
    assert expected in message


def test_projected_coordinates_get_a_hint() -> None:
    square = [[660000, 6590000], [661000, 6590000], [661000, 6591000], [660000, 6590000]]
    with pytest.raises(ConfigError, match="projected coordinates"):
        Polygons.parse(collection(feature("West", "Polygon", [square])), "d")


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        Polygons.parse(
            collection(feature("Narnia", "Polygon", WEST), feature("", "Polygon", WEST)),
            "d",
            districts=["West"],
        )
    assert len(caught.value.problems) == 2


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the district polygons"):
        Polygons.load(tmp_path / "missing.geojson")
    broken = tmp_path / "broken.geojson"
    broken.write_text("{not json")
    with pytest.raises(ConfigError, match="not JSON"):
        Polygons.load(broken)
