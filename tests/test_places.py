"""places.resolve and the Järfälla gazetteer, on real police texts where we have them."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from briefing.errors import ConfigError
from briefing.models import Incident, Origin, Precision
from briefing.places import Area, Gazetteer, resolve
from briefing.sources.polisen import parse_event

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
            "places[0] ('Gamla gatan'): unknown district 'Narnia'",
        ),
        (
            SMALL.replace('kind = "street"', 'kind = "lane"'),
            "places[0] ('Gamla gatan'): kind 'lane' is not one of",
        ),
        (
            SMALL.replace("confirm = true", "confirm = 'yes'"),
            "places[0] ('Gamla gatan'): confirm must be true, false or \"point\"",
        ),
        (
            SMALL.replace("confirm = true", "colour = 'red'"),
            "places[0] ('Gamla gatan'): unknown key 'colour'",
        ),
        (
            SMALL + '[[places]]\nname = "Viksjö"\nkind = "area"\ndistrict = "Viksjö"\n',
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
            "districts[1] ('Viksjö'): a [[districts]] entry is of kind 'district'",
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
