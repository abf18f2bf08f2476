"""places.resolve and the Järfälla gazetteer, on real police texts where we have them."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from briefing import config, pipeline
from briefing.errors import ConfigError
from briefing.geo.geometry import Polygons
from briefing.judge.places import Area, Gazetteer, configured, resolve
from briefing.models import Incident, Origin, Place, Precision
from briefing.sources.http import HttpClient
from briefing.sources.polisen import parse_event
from briefing.store import Store

TZ = ZoneInfo("Europe/Stockholm")
AREA = Area("Järfälla", "Stockholms län", ("Sollentuna", "Upplands-Bro", "Stockholm"))
EXTRACT = Path(__file__).parent / "data" / "polisen" / "polisen-events-jarfalla-extract.json"
DETAILS = Path(__file__).parent / "data" / "eval" / "polisen-details-jarfalla-parsed.json"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    found = Gazetteer.bundled("Järfälla")
    assert found is not None
    return found


@pytest.fixture(scope="module")
def events() -> dict[int, Incident]:
    records = json.loads(EXTRACT.read_text(encoding="utf-8"))
    return {r["id"]: parse_event(r, source="polisen", origin=Origin.POLICE, tz=TZ) for r in records}


def report(
    summary: str,
    municipality: str | None = "Järfälla",
    *,
    county: str = "Stockholms län",
    text: str = "",
) -> Incident:
    """A police-style report; used where no recorded event shows the case."""
    return Incident(
        source="test",
        key=summary[:20],
        origin=Origin.POLICE,
        type="Övrigt",
        title="",
        summary=summary,
        published_at=datetime(2024, 5, 1, 8, 0, tzinfo=TZ),
        municipality=municipality,
        county=county,
        text=text,
    )


def test_bundled_gazetteer_has_the_four_kommundelar(gazetteer: Gazetteer) -> None:
    assert gazetteer.municipality == "Järfälla"
    assert gazetteer.districts == ("Jakobsberg", "Viksjö", "Barkarby-Skälby", "Kallhäll-Stäket")
    assert Gazetteer.bundled("Sollentuna") is None


@pytest.mark.parametrize(
    ("event_id", "district", "place", "precision"),
    [
        (411108, "Viksjö", "Viksjö", Precision.DISTRICT),  # "Bilbrand i Viksjö."
        (441887, "Barkarby-Skälby", "Barkarby", Precision.PLACE),  # genitive "Barkarbys butiker"
        (439960, "Jakobsberg", "Jakobsbergs station", Precision.PLACE),  # "…s pendeltågsstation"
        (426751, "Viksjö", "Viksjö centrum", Precision.PLACE),
        (425496, "Jakobsberg", "Snapphanevägen", Precision.STREET),
        (437998, "Barkarby-Skälby", "Barkarby", Precision.PLACE),  # misspelt "Barkaby"
        (431189, "Kallhäll-Stäket", "Kallhäll", Precision.PLACE),  # misspelt "Kalhäll"
        (414088, "Jakobsberg", "E18", Precision.STREET),  # "på E18 vid Jakobsberg"
        (484916, None, None, Precision.MUNICIPALITY),  # "Sovande man i bil." (API fields)
    ],
)
def test_real_events_are_placed(
    events: dict[int, Incident],
    gazetteer: Gazetteer,
    event_id: int,
    district: str | None,
    place: str | None,
    precision: Precision,
) -> None:
    resolved = resolve(events[event_id], AREA, gazetteer)
    assert resolved.municipality == "Järfälla"
    assert (resolved.district, resolved.place, resolved.precision) == (district, place, precision)


def test_reason_names_the_words_and_the_district(
    events: dict[int, Incident], gazetteer: Gazetteer
) -> None:
    resolved = resolve(events[439960], AREA, gazetteer)
    assert "'Jakobsbergs pendeltågsstation' → Jakobsberg" in resolved.reasons


def test_page_text_gives_the_street_and_the_most_specific_place_wins(
    events: dict[int, Incident], gazetteer: Gazetteer
) -> None:
    # 419561: API fields name no place; the page says "Jakobsbergs centrum" and "Snapphanevägen"
    assert resolve(events[419561], AREA, gazetteer).district is None
    pages = {p["id"]: p for p in json.loads(DETAILS.read_text(encoding="utf-8"))}
    text = "\n".join(pages[419561]["body_paragraphs"])
    with_page = dataclasses.replace(events[419561], text=text)
    resolved = resolve(with_page, AREA, gazetteer)
    assert (resolved.district, resolved.place, resolved.precision) == (
        "Jakobsberg",
        "Snapphanevägen",
        Precision.STREET,
    )


@pytest.mark.parametrize("event_id", [527208, 555424])  # "vinglat på E18", "Vinglig … på E18."
def test_a_road_through_several_districts_gives_a_place_but_no_district(
    events: dict[int, Incident], gazetteer: Gazetteer, event_id: int
) -> None:
    resolved = resolve(events[event_id], AREA, gazetteer)
    assert (resolved.place, resolved.district, resolved.precision) == (
        "E18",
        None,
        Precision.STREET,
    )
    assert any("no district" in reason for reason in resolved.reasons)


def test_the_ends_of_a_stretch_are_not_the_place(
    events: dict[int, Incident], gazetteer: Gazetteer
) -> None:
    # 558969: "Trafikolycka på E18 i höjd med Barkarby och Hjulsta." (Hjulsta is in Stockholm)
    assert resolve(events[558969], AREA, gazetteer).district is None
    stretch = report("Kö på E18 mellan Barkarby och Jakobsberg efter en olycka.")
    assert resolve(stretch, AREA, gazetteer).district is None
    same = report("Olycka på Dackevägen mellan Tomasvägen och Snapphanevägen.")
    assert resolve(same, AREA, gazetteer).district == "Jakobsberg"


def test_only_the_municipality_named(events: dict[int, Incident], gazetteer: Gazetteer) -> None:
    resolved = resolve(events[425389], AREA, gazetteer)  # "…farligt föremål i Järfälla."
    assert (resolved.municipality, resolved.district, resolved.precision) == (
        "Järfälla",
        None,
        Precision.MUNICIPALITY,
    )


def test_the_police_title_names_another_municipality(
    events: dict[int, Incident], gazetteer: Gazetteer
) -> None:
    # 472285: "…, Upplands-Bro" while location.name says Järfälla; "Misstänt föremål i Bro"
    resolved = resolve(events[472285], AREA, gazetteer)
    assert (resolved.municipality, resolved.district) == ("Upplands-Bro", None)


@pytest.mark.parametrize(
    ("municipality", "summary"),
    [
        ("Härnösand", "Brand i en villa i Viksjö."),
        ("Västerås", "Inbrott i en lägenhet i Skälby."),
        ("Uddevalla", "En man misshandlad i Jakobsbergs centrum."),
        ("Södertälje", "Bilbrand i Skälby under natten."),
    ],
)
def test_homonyms_in_other_municipalities_get_no_district(
    gazetteer: Gazetteer, municipality: str, summary: str
) -> None:
    resolved = resolve(report(summary, municipality), AREA, gazetteer)
    assert (resolved.municipality, resolved.district, resolved.place) == (municipality, None, None)
    assert resolved.precision is Precision.MUNICIPALITY


def test_a_common_noun_needs_its_capital(gazetteer: Gazetteer) -> None:
    fence = report("En bil körde in i ett staket, föraren greps.")
    assert resolve(fence, AREA, gazetteer).district is None
    place = report("Inbrott i en villa i Stäket under natten.")
    assert resolve(place, AREA, gazetteer).district == "Kallhäll-Stäket"


@pytest.mark.parametrize(
    ("summary", "district"),
    [
        ("Inbrott i en villa i Viksjö.", "Viksjö"),
        ("Bråk utanför Viksjös centrum.", "Viksjö"),
        ("Rån vid Kallhälls station.", "Kallhäll-Stäket"),
        ("Stöld på handelsplatsen i Barkarby.", "Barkarby-Skälby"),
        ("Misshandel vid busstationen i Jakobsberg.", "Jakobsberg"),
        ("Brand på Snapphanevägens parkering.", "Jakobsberg"),
        ("Skadegörelse i VIKSJÖ CENTRUM.", "Viksjö"),
        ("Larm från en villa i Hummelmora.", "Viksjö"),
        ("Olycka på Veddestavägen.", "Barkarby-Skälby"),
    ],
)
def test_inflected_and_folded_forms(gazetteer: Gazetteer, summary: str, district: str) -> None:
    assert resolve(report(summary), AREA, gazetteer).district == district


def test_places_in_two_districts_give_none_unless_a_broader_mention_settles_it(
    gazetteer: Gazetteer,
) -> None:
    two = resolve(report("Bilbränder i Kallhäll och i Barkarby i natt."), AREA, gazetteer)
    assert two.district is None
    assert any("Kallhäll-Stäket and Barkarby-Skälby" in reason for reason in two.reasons)
    settled = report(
        "I Jakobsberg stoppades en bil på Sturevägen efter en jakt från Veddestavägen."
    )
    assert resolve(settled, AREA, gazetteer).district == "Jakobsberg"


def test_county_level_event_names_the_municipality(gazetteer: Gazetteer) -> None:
    named = resolve(report("Skottlossning i Järfälla under natten.", None), AREA, gazetteer)
    assert named.municipality == "Järfälla"
    assert "'i Järfälla' → Järfälla" in named.reasons
    genitive = resolve(report("Järfällas polis söker vittnen.", None), AREA, gazetteer)
    assert genitive.municipality == "Järfälla"
    neighbour = resolve(report("Rån i Sollentuna centrum.", None), AREA, gazetteer)
    assert (neighbour.municipality, neighbour.district) == ("Sollentuna", None)


def test_county_level_event_placed_by_a_järfälla_place(gazetteer: Gazetteer) -> None:
    resolved = resolve(report("Misshandel i Jakobsbergs centrum.", None), AREA, gazetteer)
    assert (resolved.municipality, resolved.district) == ("Järfälla", "Jakobsberg")
    # Skälby is also in Södertälje, in the same county: not enough on its own
    assert resolve(report("Brand i Skälby.", None), AREA, gazetteer).municipality is None


def test_county_level_event_without_a_municipality(gazetteer: Gazetteer) -> None:
    for summary in (
        "Trafikolycka på E18 i riktning mot Stockholm.",
        "Polisen i Stockholms län varnar för bedrägerier.",
    ):
        resolved = resolve(report(summary, None), AREA, gazetteer)
        assert (resolved.municipality, resolved.precision) == (None, Precision.COUNTY)


def test_without_a_gazetteer_the_municipality_is_the_best_we_can_say() -> None:
    resolved = resolve(report("Bilbrand i Viksjö."), AREA, None)
    assert (resolved.municipality, resolved.district, resolved.precision) == (
        "Järfälla",
        None,
        Precision.MUNICIPALITY,
    )


SMALL = """
municipality = "Järfälla"
[[districts]]
name = "Jakobsberg"
[[districts]]
name = "Viksjö"
[[places]]
name = "Gamla gatan"
kind = "street"
district = "Viksjö"
confirm = true
"""


def test_an_entry_to_confirm_never_overrules_the_text() -> None:
    small = Gazetteer.parse(SMALL, "small.toml")
    alone = resolve(report("Inbrott på Gamla gatan."), AREA, small)
    assert alone.district == "Viksjö"
    assert any("to be confirmed" in reason for reason in alone.reasons)
    contradicted = resolve(report("Inbrott på Gamla gatan i Jakobsberg."), AREA, small)
    assert (contradicted.district, contradicted.place) == ("Jakobsberg", "Gamla gatan")


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        (
            SMALL.replace('district = "Viksjö"', 'district = "Narnia"'),
            "places[0] ('Gamla gatan').district: unknown district 'Narnia'",
        ),
        (
            SMALL.replace('kind = "street"', 'kind = "lane"'),
            "places[0] ('Gamla gatan').kind: 'lane' is not one of",
        ),
        (
            SMALL.replace("confirm = true", "confirm = 'yes'"),
            "places[0] ('Gamla gatan').confirm: must be true, false or \"point\"",
        ),
        (
            SMALL.replace("confirm = true", "colour = 'red'"),
            "gazetteer.toml:11: places[0] ('Gamla gatan').colour: unknown key",
        ),
        (
            SMALL + '[[places]]\nname = "Viksjö"\nkind = "area"\ndistrict = "Viksjö"\n',
            "gazetteer.toml:12: places[1] ('Viksjö'): "
            "'Viksjö' is listed for both 'Viksjö' (district) and 'Viksjö' (area)",
        ),
        (SMALL.replace('name = "Gamla gatan"', "name = Gamla gatan"), "gazetteer.toml:8:8: TOML"),
        (
            SMALL.replace("confirm = true", "lat = 59.4"),
            "gazetteer.toml:7: places[0] ('Gamla gatan'): lat and lon must both be given",
        ),
        (
            SMALL.replace("confirm = true", "lat = 17.83\nlon = 59.42"),
            "places[0] ('Gamla gatan'): lat 17.83, lon 59.42 is not in Sweden",
        ),
        (
            SMALL.replace('name = "Viksjö"', 'name = "Viksjö"\nkind = "area"'),
            "districts[1] ('Viksjö').kind: a [[districts]] entry is of kind 'district'",
        ),
    ],
)
def test_a_broken_gazetteer_names_the_file_and_the_entry(
    tmp_path: Path, broken: str, expected: str
) -> None:
    path = tmp_path / "gazetteer.toml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        Gazetteer.load(path)
    message = str(caught.value)
    assert str(path) in message
    assert expected in message


def test_every_problem_of_a_gazetteer_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "gazetteer.toml"
    path.write_text(
        SMALL.replace('district = "Viksjö"', 'district = "Narnia"').replace(
            'municipality = "Järfälla"', "shire = 1"
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        Gazetteer.load(path)
    assert len(caught.value.problems) == 3  # unknown key, no municipality, unknown district


def test_a_missing_gazetteer_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the gazetteer"):
        Gazetteer.load(tmp_path / "nowhere.toml")


# --- points, kinds and polygons --------------------------------------------------


def test_a_named_place_gives_its_point_and_kind(gazetteer: Gazetteer) -> None:
    station = resolve(report("Rån vid Kallhälls station."), AREA, gazetteer)
    assert (station.lat, station.lon, station.kind) == (59.4525, 17.8058, "station")
    centre = resolve(report("Bråk i Viksjö centrum."), AREA, gazetteer)
    assert (centre.kind, centre.precision) == ("centre", Precision.PLACE)
    assert centre.lat is not None
    assert "the point of 'Viksjö centrum' is approximate, to be confirmed" in centre.reasons
    street = resolve(report("Inbrott på Sturevägen."), AREA, gazetteer)  # no point for it
    assert (street.place, street.lat, street.lon, street.kind) == (
        "Sturevägen",
        None,
        None,
        "street",
    )


def test_every_point_of_the_bundled_gazetteer_lies_in_järfälla(gazetteer: Gazetteer) -> None:
    # Järfälla spans roughly 59.38–59.50 N, 17.72–17.92 E
    names = [*gazetteer.districts, "Jakobsbergs station", "Barkarby station", "Görväln"]
    for name in names:
        entry = gazetteer.entry(name)
        assert entry is not None and entry.point is not None, name
        lat, lon = entry.point
        assert 59.38 < lat < 59.50 and 17.72 < lon < 17.92, name


def test_the_bundled_gazetteer_gives_kinds() -> None:
    found = Gazetteer.bundled("Järfälla")
    assert found is not None
    kinds = {name: entry.kind for name in ("Barkarby handelsplats", "Veddesta", "Görväln")
             if (entry := found.entry(name)) is not None}  # fmt: skip
    assert kinds == {"Barkarby handelsplats": "commercial", "Veddesta": "industrial",
                     "Görväln": "nature"}  # fmt: skip


COMMON = """
municipality = "Järfälla"
[[districts]]
name = "Jakobsberg"
[[places]]
name = "Bro"
kind = "area"
district = "Jakobsberg"
common_noun = true
[[places]]
name = "Berg"
kind = "area"
district = "Jakobsberg"
common_noun = true
[[places]]
name = "Vik"
kind = "area"
district = "Jakobsberg"
common_noun = true
"""


@pytest.mark.parametrize(
    ("summary", "place"),
    [
        ("En cyklist föll på en bro.", None),
        ("Bron var avstängd efter olyckan.", None),  # a capital only because a sentence starts
        ("Olycka på bron. Bron stängdes.", None),
        ("Brand i ett förråd i Bro.", "Bro"),
        ("Bro: inbrott i en villa.", "Bro"),  # a name at the start, without an ending
        ("Inbrott i Jakobsberg.", "Jakobsberg"),  # "berg" inside a word is no match
        ("Klättrare fast på ett berg.", None),
        ("Båt på drift i en vik.", None),
        ("Båt på drift vid Vik.", "Vik"),
        ("Stöld i Viks hamn.", "Vik"),  # genitive of the name
    ],
)
def test_common_nouns_only_as_names(summary: str, place: str | None) -> None:
    small = Gazetteer.parse(COMMON, "common.toml")
    assert resolve(report(summary), AREA, small).place == place


@pytest.mark.parametrize(
    ("event_id", "district", "place"),
    [
        # county era (2026): location.name is "Stockholms län", the municipality in the title
        (648173, "Barkarby-Skälby", "Barkarby"),  # "vid butik i Barkarby"
        (647758, "Jakobsberg", "Jakobsberg"),  # "En man boende i Jakobsberg …"
        (647752, "Barkarby-Skälby", "Saldovägen"),  # "på Saldovägen i Barkarby"
        (647759, None, None),  # "taxi hem från norra innerstan": Stockholm, not a Järfälla place
        (647718, None, None),  # no place named
        (621781, "Barkarby-Skälby", "Barkarby"),  # the day of the switch
        # municipality era (2023 morning snapshot)
        (424964, "Jakobsberg", "Jakobsberg"),  # "smällar i Jacobsberg"
        (429580, "Kallhäll-Stäket", "Kallhäll"),
        (429532, "Viksjö", "Viksjö"),
        (429475, "Kallhäll-Stäket", "Kallhäll"),
        (429720, None, None),  # "Man går omkring med en kniv."
    ],
)
def test_other_real_järfälla_events_are_placed_sensibly(
    gazetteer: Gazetteer, event_id: int, district: str | None, place: str | None
) -> None:
    snapshots = (
        "polisen-events-2023-06-08-morning.json",
        "polisen-events-2026-01-20-location-switch.json",
        "polisen-events-2026-07-29-county-era.json",
    )
    records = {
        r["id"]: r
        for name in snapshots
        for r in json.loads((EXTRACT.parent / name).read_text(encoding="utf-8"))
    }
    incident = parse_event(records[event_id], source="polisen", origin=Origin.POLICE, tz=TZ)
    resolved = resolve(incident, AREA, gazetteer)
    assert (resolved.municipality, resolved.district, resolved.place) == (
        "Järfälla",
        district,
        place,
    )


# Made-up boundaries: Jakobsberg west of 17.85, Viksjö east of it (not the real map).
POLYGONS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "Jakobsberg"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[17.80, 59.40], [17.85, 59.40], [17.85, 59.44], [17.80, 59.44],
                                 [17.80, 59.40]]],
            },
        },
        {
            "type": "Feature",
            "properties": {"district": "Viksjö"},
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": [[[[17.85, 59.40], [17.90, 59.40], [17.90, 59.44], [17.85, 59.44],
                                  [17.85, 59.40]]]],
            },
        },
    ],
}  # fmt: skip


@pytest.fixture
def with_polygons() -> Gazetteer:
    small = Gazetteer.parse(SMALL, "small.toml")
    return small.with_polygons(Polygons.parse(POLYGONS, "d.geojson", small.districts))


def located(
    summary: str, lat: float, lon: float, municipality: str | None = "Järfälla"
) -> Incident:
    return dataclasses.replace(report(summary, municipality), lat=lat, lon=lon)


def test_the_polygons_decide_the_district_of_a_point(with_polygons: Gazetteer) -> None:
    # the text says Gamla gatan (Viksjö), the point lies in Jakobsberg: the point wins
    placed = resolve(located("Inbrott på Gamla gatan.", 59.42, 17.83), AREA, with_polygons)
    assert (placed.district, placed.place, placed.precision) == (
        "Jakobsberg",
        "Gamla gatan",
        Precision.STREET,
    )
    assert (placed.lat, placed.lon) == (59.42, 17.83)
    assert placed.reasons[-1] == (
        "point 59.42000, 17.83000 lies in Jakobsberg (district polygons), "
        "not Viksjö as the text says"
    )
    outside = resolve(located("Inbrott på Gamla gatan.", 59.45, 17.83), AREA, with_polygons)
    assert outside.district is None
    assert "lies in no district polygon" in outside.reasons[-1]


def test_a_point_places_a_county_level_report_in_the_municipality(with_polygons: Gazetteer) -> None:
    placed = resolve(located("Skadegörelse.", 59.42, 17.87, None), AREA, with_polygons)
    assert (placed.municipality, placed.district) == ("Järfälla", "Viksjö")
    elsewhere = resolve(located("Skadegörelse.", 59.33, 18.06, None), AREA, with_polygons)
    assert elsewhere.municipality is None


def test_a_point_without_polygons_keeps_the_text_district(gazetteer: Gazetteer) -> None:
    placed = resolve(located("Bråk i Viksjö centrum.", 59.415, 17.81), AREA, gazetteer)
    assert (placed.district, placed.lat, placed.lon, placed.precision) == (
        "Viksjö",
        59.415,
        17.81,
        Precision.STREET,
    )
    abroad = resolve(located("Bråk i Viksjö centrum.", 48.85, 2.35), AREA, gazetteer)
    assert abroad.lat != 48.85
    assert "point 48.85000, 2.35000 is not in Sweden: ignored" in abroad.reasons


def write_config(folder: Path, places: str) -> Path:
    path = folder / "sources.toml"
    path.write_text(
        f'[briefing]\nmunicipality = "Järfälla"\n\n[places]\n{places}\n\n'
        '[sources.vakter]\nkind = "csv"\norigin = "guards"\npath = "inkorg"\n'
        'columns = { time = "Datum", text = "Text", category = "Händelse", '
        'lat = "Lat", lon = "Lon" }\n',
        encoding="utf-8",
    )
    (folder / "inkorg").mkdir(exist_ok=True)
    return path


def test_configured_places(tmp_path: Path) -> None:
    (tmp_path / "small.toml").write_text(SMALL, encoding="utf-8")
    (tmp_path / "d.geojson").write_text(json.dumps(POLYGONS), encoding="utf-8")
    bundled = configured(config.load(write_config(tmp_path, "")))
    assert bundled is not None and len(bundled.districts) == 4
    # the kommundelar's polygons are the unions of Järfälla's RegSO areas (kommundelar.toml)
    assert bundled.polygons is not None and bundled.polygons.names == bundled.districts
    own = configured(
        config.load(write_config(tmp_path, 'gazetteer = "small.toml"\npolygons = "d.geojson"'))
    )
    assert own is not None and own.districts == ("Jakobsberg", "Viksjö")
    assert own.polygons is not None and own.polygons.district_of(59.42, 17.87) == "Viksjö"


@pytest.mark.parametrize(
    ("places", "expected"),
    [
        ('gazetteer = "other.toml"', "is for Sollentuna, the briefing for Järfälla"),
        ('polygons = "bad.geojson"', "('Narnia'): not a kommundel of the gazetteer"),
        ('gazetteer = "missing.toml"', "cannot read the gazetteer"),
    ],
)
def test_configured_places_are_checked(tmp_path: Path, places: str, expected: str) -> None:
    (tmp_path / "other.toml").write_text(SMALL.replace("Järfälla", "Sollentuna"), encoding="utf-8")
    bad = json.loads(json.dumps(POLYGONS))
    bad["features"][0]["properties"]["name"] = "Narnia"
    (tmp_path / "bad.geojson").write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(expected)):
        configured(config.load(write_config(tmp_path, places)))


def test_a_guard_report_with_coordinates_is_placed_by_the_polygons(tmp_path: Path) -> None:
    (tmp_path / "d.geojson").write_text(json.dumps(POLYGONS), encoding="utf-8")
    path = write_config(tmp_path, 'polygons = "d.geojson"')  # with the bundled gazetteer
    (tmp_path / "inkorg" / "natt.csv").write_text(
        "Datum;Händelse;Text;Lat;Lon\n"
        "2026-11-26 23:10;Skadegörelse;EXEMPEL: krossad ruta på Sturevägen;59,4200;17,8700\n",
        encoding="utf-8",
    )
    with HttpClient() as http:
        briefing = pipeline.today(
            config.load(path), Store.memory(), http, now=datetime(2026, 11, 27, 8, 30, tzinfo=TZ)
        )
    (item,) = briefing.items
    # Sturevägen is in Jakobsberg, but the report's own point lies in the "Viksjö" polygon
    assert (item.place.district, item.place.place) == ("Viksjö", "Sturevägen")
    assert (item.place.lat, item.place.lon) == (59.42, 17.87)


def cut(text: str) -> str:
    """A summary as the events API gives it: cut at 110 characters."""
    opening = "Polisen larmades efter midnatt om en incident med flera inblandade personer, "
    padded = opening * 2 + text
    return padded[-110:]


def test_a_name_cut_off_by_the_api_is_completed(
    events: dict[int, Incident], gazetteer: Gazetteer
) -> None:
    # 426546: "… en hund … i en kupé till en bil på en parkeringsplatsa i Barkar" (110 characters)
    resolved = resolve(events[426546], AREA, gazetteer)
    assert (resolved.district, resolved.place) == ("Barkarby-Skälby", "Barkarby")
    assert "'Barkar…' → Barkarby-Skälby" in resolved.reasons
    assert resolve(report(cut("det var i Jakobsb")), AREA, gazetteer).district == "Jakobsberg"


@pytest.mark.parametrize(
    "summary",
    [
        "Brand i Kall",  # short: not cut by the API, so not a stub
        cut("det var i Stockh"),  # no Järfälla name starts so
        cut("det var i Jak"),  # too short a stub to trust
        cut("det var i jakobsb"),  # not written as a name
    ],
)
def test_only_a_cut_off_name_is_completed(gazetteer: Gazetteer, summary: str) -> None:
    assert resolve(report(summary), AREA, gazetteer).district is None


def test_an_event_elsewhere_is_placed_in_its_municipality_by_one_shared_place(
    gazetteer: Gazetteer,
) -> None:
    # Most of a national store: a municipality given, no point. One frozen Place per name.
    first = resolve(report("Bilbrand.", "Umeå"), AREA, gazetteer)
    again = resolve(report("Inbrott i Viksjö.", "Umeå"), AREA, gazetteer)
    assert first == Place("Umeå", precision=Precision.MUNICIPALITY)
    assert again is first
    assert resolve(report("Bråk.", "Umeå"), AREA, None) is first
    # A point, or the gazetteer's own municipality, is read as before.
    pointed = resolve(located("Bilbrand.", 63.82, 20.26, "Umeå"), AREA, gazetteer)
    assert (pointed.precision, pointed.lat, pointed.lon) == (Precision.STREET, 63.82, 20.26)
    home = resolve(report("Bråk i Viksjö centrum."), AREA, gazetteer)
    assert (home.municipality, home.district) == ("Järfälla", "Viksjö")
    nowhere = resolve(report("Bråk.", None, county="Skåne län"), AREA, gazetteer)
    assert nowhere == Place(None, precision=Precision.COUNTY)
