"""SCB's RegSO areas as bundled in briefing/data/areas (never /work/shared)."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.geo import areas
from briefing.geo.areanames import place_names
from briefing.geo.geometry import Polygon, Polygons
from briefing.judge.gazetteer import Gazetteer

ATLAS = areas.atlas()
BUNDLED = Path(areas.__file__).parent.parent / "data" / "areas"


def scb_codes() -> set[str]:
    text = (BUNDLED.parent / "scb-kommuner.csv").read_text(encoding="utf-8")
    return {row["municipality_code"] for row in csv.DictReader(text.splitlines())}


def every_area() -> list[areas.Area]:
    return [area for code in ATLAS.codes for area in ATLAS.municipality(code).areas]


def test_all_290_municipalities_with_all_3363_areas() -> None:
    assert set(ATLAS.codes) == scb_codes()
    assert len(ATLAS.codes) == 290
    found = every_area()
    assert len(found) == 3363
    assert len({area.code for area in found}) == 3363
    for code in ATLAS.codes:
        loaded = ATLAS.municipality(code)
        assert len(loaded.areas) == ATLAS.index[code]["areas"]
        assert all(area.municipality == code for area in loaded.areas)


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("Järfälla", 25),
        ("Sollentuna", 20),
        ("Umeå", 42),  # 42 rows with kommunkod 2480 in SCB's file (not 64)
        ("0180", 127),
    ],
)
def test_regso_counts(name: str, count: int) -> None:
    assert len(areas.load(name).areas) == count


def test_load_by_name_or_code_is_the_same_and_cached() -> None:
    assert areas.load("järfälla") is areas.load("0123") is areas.load("Järfälla kommun")
    jarfalla = areas.load("0123")
    assert (jarfalla.code, jarfalla.name) == ("0123", "Järfälla")
    assert jarfalla.area("0123R005").name == "Centrala Jakobsberg"
    assert jarfalla.area("Stäket").code == "0123R020"


def test_unknown_municipality_or_area_is_named() -> None:
    with pytest.raises(ValueError, match="'Atlantis' is not a Swedish municipality"):
        areas.load("Atlantis")
    with pytest.raises(KeyError, match="'Kista' is not a RegSO area of Järfälla"):
        areas.load("Järfälla").area("Kista")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Järfälla", {"0114", "0125", "0139", "0163", "0180"}),  # Ekerö across Mälaren
        ("Sollentuna", {"0114", "0123", "0160", "0162", "0180", "0183", "0184"}),
        ("Gotland", set()),  # an island: its sea areas touch no one else's
        ("Kiruna", {"2521", "2523"}),  # Pajala, Gällivare; Norway and Finland are not here
        ("Strömstad", {"1435"}),  # Tanum; the rest is Norway and the sea
    ],
)
def test_neighbours(name: str, expected: set[str]) -> None:
    assert set(areas.neighbours(name)) == expected
    assert set(areas.load(name).neighbours) == expected


def test_neighbours_are_mutual_and_never_oneself() -> None:
    for code in ATLAS.codes:
        for other in ATLAS.neighbours(code):
            assert other != code
            assert code in ATLAS.neighbours(other), (code, other)


@pytest.mark.parametrize(
    ("lon", "lat", "code", "name"),
    [
        (17.835, 59.423, "0123R005", "Centrala Jakobsberg"),  # Jakobsbergs station
        (17.9507, 59.4280, "0163R016", "Sollentuna centrum"),  # Sollentuna station
        (18.0717, 59.3251, "0180", None),  # Stockholm, Gamla stan
        (18.2942, 57.6389, "0980", None),  # Visby
        (20.2253, 67.8558, "2584", None),  # Kiruna
    ],
)
def test_locate_known_points(lon: float, lat: float, code: str, name: str | None) -> None:
    found = areas.locate(lon, lat)
    assert found is not None
    assert found.code.startswith(code)
    if name is not None:
        assert found.name == name
    assert areas.load(code[:4]).locate(lon, lat) is found


@pytest.mark.parametrize(("lon", "lat"), [(10.75, 59.91), (24.94, 60.17), (0.0, 0.0)])
def test_locate_outside_sweden(lon: float, lat: float) -> None:
    # Oslo, Helsinki, the Gulf of Guinea
    assert areas.locate(lon, lat) is None


def test_locate_in_the_wrong_municipality_is_none() -> None:
    assert areas.load("Sollentuna").locate(17.835, 59.423) is None


def _closed_and_oriented(polygon: Polygon) -> None:
    for ring in (polygon.outer, *polygon.holes):
        assert len(ring) >= 4
        assert ring[0] == ring[-1]
    assert areas.signed_area(polygon.outer) > 0
    assert all(areas.signed_area(hole) < 0 for hole in polygon.holes)


def test_boundaries_and_areas_are_closed_oriented_rings() -> None:
    for code in ATLAS.codes:
        loaded = ATLAS.municipality(code)
        assert loaded.boundary
        for polygon in loaded.boundary:
            _closed_and_oriented(polygon)
        for area in loaded.areas:
            _closed_and_oriented(area.polygon)


@pytest.mark.parametrize("name", ["Järfälla", "Stockholm", "Gotland", "Kiruna"])
def test_areas_dissolve_into_the_boundary(name: str) -> None:
    loaded = areas.load(name)
    dissolved = areas.dissolve(area.polygon for area in loaded.areas)
    assert sorted(frozenset(p.outer) for p in dissolved) == sorted(
        frozenset(p.outer) for p in loaded.boundary
    )
    total = sum(
        areas.signed_area(p.outer) + sum(map(areas.signed_area, p.holes)) for p in loaded.boundary
    )
    parts = sum(areas.signed_area(a.polygon.outer) for a in loaded.areas) + sum(
        areas.signed_area(h) for a in loaded.areas for h in a.polygon.holes
    )
    assert parts == pytest.approx(total, rel=1e-9)


def test_jarfalla_kommundelar_tile_the_municipality_and_fit_the_gazetteer() -> None:
    kommundelar = areas.kommundelar("Järfälla")
    assert kommundelar is not None
    gazetteer = Gazetteer.bundled("Järfälla")
    assert gazetteer is not None
    assert set(kommundelar.names) == set(gazetteer.districts)
    assert [len(d.parts) for d in kommundelar.districts] == [1, 1, 1, 1]  # each in one piece
    assert kommundelar.district_of(59.423, 17.835) == "Jakobsberg"  # the station
    assert kommundelar.district_of(59.4535, 17.806) == "Kallhäll-Stäket"  # Kallhälls station
    assert kommundelar.district_of(59.4058, 17.8703) == "Barkarby-Skälby"  # Barkarby station
    assert kommundelar.district_of(59.4110, 17.8100) == "Viksjö"
    jarfalla = areas.load("Järfälla")
    for area in jarfalla.areas:  # every area's label lies in exactly one kommundel
        lon, lat = area.label
        assert sum(d.contains(lon, lat) for d in kommundelar.districts) == 1
    with_polygons = gazetteer.with_polygons(kommundelar)
    assert with_polygons.polygons is kommundelar
    assert areas.kommundelar("Sollentuna") is None


def test_districts_name_what_is_wrong() -> None:
    jarfalla = areas.load("Järfälla")
    names = [area.name for area in jarfalla.areas]
    with pytest.raises(ValueError, match="'Kista' is not a RegSO area") as caught:
        jarfalla.districts({"A": [*names[:3], "Kista"], "B": names[2:]})
    assert "'Barkarbystaden norra' is in both 'A' and 'B'" in str(caught.value)
    with pytest.raises(ValueError, match="in no district: Stäket"):
        jarfalla.districts({"A": [n for n in names if n != "Stäket"]})


def test_geojson_reads_back_through_geo_polygons() -> None:
    sollentuna = areas.load("Sollentuna")
    collection = sollentuna.geojson()
    assert collection["attribution"].startswith("Källa: SCB")
    text = json.dumps(collection)  # plain JSON types only
    polygons = Polygons.parse(json.loads(text), "sollentuna.geojson")
    assert polygons.names == tuple(area.name for area in sollentuna.areas)
    assert polygons.district_of(59.4280, 17.9507) == "Sollentuna centrum"


def test_a_bad_grouping_names_the_file_and_municipality(tmp_path: Path) -> None:
    shutil.copy(BUNDLED / "index.json", tmp_path / "index.json")
    shutil.copy(BUNDLED / "0123.json.gz", tmp_path / "0123.json.gz")
    (tmp_path / "kommundelar.toml").write_text(
        '["0123".districts]\nJakobsberg = ["Centrala Jakobsberg"]\n', encoding="utf-8"
    )
    with pytest.raises(areas.AreaDataError, match=r"kommundelar\.toml: 0123\.districts: .*in no"):
        areas.Atlas(tmp_path).kommundelar("Järfälla")
    (tmp_path / "kommundelar.toml").write_text("[0123", encoding="utf-8")
    with pytest.raises(areas.AreaDataError, match="cannot read the kommundelar"):
        areas.Atlas(tmp_path).kommundelar("Järfälla")


def test_damaged_data_names_the_file(tmp_path: Path) -> None:
    shutil.copy(BUNDLED / "index.json", tmp_path / "index.json")
    (tmp_path / "0123.json.gz").write_bytes(gzip.compress(b'{"scale": 1000000, "areas": ['))
    broken = areas.Atlas(tmp_path)
    with pytest.raises(areas.AreaDataError, match=r"0123\.json\.gz: damaged area data"):
        broken.municipality("Järfälla")
    with pytest.raises(areas.AreaDataError, match=r"0163\.json\.gz"):
        broken.municipality("Sollentuna")  # missing
    area = {"code": "x", "name": "x", "label": [0, 0], "box": [0, 0, 1, 1], "rings": [[1, 2]]}
    ring = {"scale": 1, "areas": [area]}
    (tmp_path / "0114.json.gz").write_bytes(gzip.compress(json.dumps(ring).encode()))
    with pytest.raises(areas.AreaDataError, match="a ring needs 4 or more"):
        broken.municipality("0114")
    area["rings"] = [[0, 0, 1, 0, 0, 1, 0, 0]]  # does not come back to the start
    (tmp_path / "0115.json.gz").write_bytes(gzip.compress(json.dumps(ring).encode()))
    with pytest.raises(areas.AreaDataError, match="a ring must end where it starts"):
        broken.municipality("0115")
    (tmp_path / "index.json").write_text("{}", encoding="utf-8")
    with pytest.raises(areas.AreaDataError, match="cannot read the area index"):
        areas.Atlas(tmp_path).codes  # noqa: B018


def test_the_run_time_needs_only_the_standard_library() -> None:
    code = (
        "import sys; from briefing.geo import areas; areas.load('Järfälla'); "
        "areas.locate(17.835, 59.423); areas.kommundelar('Järfälla'); "
        "print(sorted({'shapely', 'pyproj', 'numpy'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_attribution_ships_with_the_data() -> None:
    readme = (BUNDLED / "README.md").read_text(encoding="utf-8")
    assert "Källa: SCB" in readme
    assert "CC BY 4.0" in readme
    assert "Källa: SCB" in ATLAS.meta["source"]
    assert ATLAS.meta["tolerance_m"] == 10.0


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(every_area()))
def test_every_label_point_locates_to_its_own_area(area: areas.Area) -> None:
    assert areas.locate(*area.label) is area


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["0123", "0163", "0180", "0980"]),
    st.floats(0, 1),
    st.floats(0, 1),
)
def test_a_point_is_in_an_area_exactly_when_it_is_inside_the_boundary(
    code: str, u: float, v: float
) -> None:
    loaded = areas.load(code)
    box = loaded.box
    lon = box.west + u * (box.east - box.west)
    lat = box.south + v * (box.north - box.south)
    found = loaded.locate(lon, lat)
    assert (found is not None) == loaded.contains(lon, lat)
    if found is not None:
        assert found.contains(lon, lat)
        assert loaded.areas.index(found) == min(
            i for i, area in enumerate(loaded.areas) if area.contains(lon, lat)
        )


@pytest.mark.parametrize(
    ("regso", "names"),
    [
        ("Barkarby östra-Veddesta", ("Barkarby", "Veddesta")),
        ("Centrala Jakobsberg", ("Jakobsberg",)),
        ("Barkarby västra-Skälby östra", ("Barkarby", "Skälby")),
        ("Centrala Viksjö norra", ("Viksjö",)),
        ("Nyberg-Hammaren östra", ("Nyberg", "Hammaren")),
        ("Bolinder Strand", ("Bolinder Strand",)),
        ("Olofströms omland-Vilshult", ("Olofström", "Vilshult")),
        ("Markaryds kommuns landsbygd", ("Markaryd",)),
        ("Barnarps-Tenhults landsbygder", ("Barnarp", "Tenhult")),
        ("Hofors tätort", ("Hofors",)),  # a name in -s that is not a genitive
        ("Bjursås omland-Sågmyra", ("Bjursås", "Sågmyra")),
        ("Salems centrum", ("Salem",)),
        ("Falköping norra stad", ("Falköping",)),
        ("Hjärup-Hjärup omnejd", ("Hjärup",)),
        ("RegSO-Västra hamnen nordväst", ("Västra hamnen",)),
        ("Västra Frölunda", ("Västra Frölunda",)),
        ("Gamla staden-Gjuteriet", ("Gamla staden", "Gjuteriet")),
        ("Munktellstaden-Norr-Gamla staden", ("Munktellstaden", "Norr", "Gamla staden")),
        ("Övertorneå-Södra", ("Övertorneå",)),
        ("Mjälga-Centrum", ("Mjälga",)),
        ("Tranås-väster", ("Tranås",)),
        ("Herrhagen sydöstra-Yttre hamn", ("Herrhagen", "Yttre hamn")),
        ("Motala tätort-övrigt", ("Motala",)),
        ("Upplands-Bro södra omland", ("Upplands-Bro",)),
    ],
)
def test_place_names(regso: str, names: tuple[str, ...]) -> None:
    assert place_names(regso) == names


def test_every_regso_name_gives_place_names_found_in_it() -> None:
    for area in every_area():
        found = place_names(area.name)
        assert len(found) == len(set(found))
        for name in found:
            assert name[0].isupper(), (area.name, name)
            # each place name is the RegSO text, or it less a genitive -s
            stem = name.split()[-1]
            assert stem in area.name, (area.name, name)
