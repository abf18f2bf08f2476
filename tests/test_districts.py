"""Districts from SCB's RegSO areas: [districts] groups, the defaults, the starting gazetteer."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from briefing import config
from briefing.errors import ConfigError
from briefing.geo import areas
from briefing.judge import districts
from briefing.judge.gazetteer import Gazetteer
from briefing.judge.places import Area, configured, resolve
from briefing.models import Incident, Origin
from tests.test_nearby import TZ

SOLLENTUNA = Area("Sollentuna", "Stockholms län", ("Järfälla", "Täby"))


def write(tmp_path: Path, municipality: str, districts_table: str = "") -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(
        f'[briefing]\nmunicipality = "{municipality}"\n\n'
        '[sources.p]\nkind = "polisen"\npath = "events.json"\n\n' + districts_table,
        encoding="utf-8",
    )
    return path


NORTH = ["Rotebro centrum", "Norrviken", "Vaxmora-Väsjön", "Töjnan", "Bagarby", "Knista"]


def quote(names: list[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


def grouping(north: list[str]) -> str:
    rest = [a.name for a in areas.load("Sollentuna").areas if a.name not in NORTH]
    # a key with å, ä or ö is quoted in TOML ("Södra"), as `briefing init` writes them
    return f'[districts]\nNorra = [{quote(north)}]\n"Södra" = [\n    {quote(rest)},\n]\n'


def test_the_default_districts_are_the_regso_areas(tmp_path: Path) -> None:
    gazetteer = configured(config.load(write(tmp_path, "Sollentuna")))
    assert gazetteer is not None and gazetteer.polygons is not None
    names = tuple(a.name for a in areas.load("Sollentuna").areas)
    assert gazetteer.districts == names == gazetteer.polygons.names


def test_jarfalla_gets_its_four_kommundelar(tmp_path: Path) -> None:
    gazetteer = configured(config.load(write(tmp_path, "Järfälla")))
    assert gazetteer is not None and gazetteer.polygons is not None
    assert gazetteer.polygons.names == (
        "Jakobsberg",
        "Viksjö",
        "Barkarby-Skälby",
        "Kallhäll-Stäket",
    )
    # a point in RegSO Stäket is in Kallhäll-Stäket, one in Akalla (Stockholm) in none
    assert gazetteer.polygons.district_of(59.4860, 17.8160) == "Kallhäll-Stäket"
    assert gazetteer.polygons.district_of(59.4155, 17.9330) is None


def test_areas_grouped_in_the_config_become_the_districts(tmp_path: Path) -> None:
    cfg = config.load(write(tmp_path, "Sollentuna", grouping(NORTH)))
    assert cfg.districts is not None and cfg.districts["Norra"] == tuple(NORTH)
    gazetteer = configured(cfg)
    assert gazetteer is not None and gazetteer.polygons is not None
    assert gazetteer.districts == ("Norra", "Södra")
    rotebro = areas.load("Sollentuna").area("Rotebro centrum").label
    assert gazetteer.polygons.district_of(rotebro[1], rotebro[0]) == "Norra"
    # "Rotebro" (from RegSO "Rotebro centrum") is now a place of Norra
    entry = gazetteer.entry("Rotebro")
    assert entry is not None and entry.district == "Norra"


@pytest.mark.parametrize(
    ("north", "message"),
    [
        ([*NORTH, "Narnia"], r"sources.toml:9: districts.Norra\[6\]: 'Narnia' is not a RegSO "
         r"area of Sollentuna \(they are: Bagarby, Edsberg"),
        ([*NORTH, "Edsberg"], r"sources.toml:\d+: districts.\"Södra\"\[\d+\]: 'Edsberg' is "
         r"already in district 'Norra'"),
        (NORTH[:-1] + ["Knista"] * 2, r"'Knista' is already in district 'Norra'"),
    ],
)  # fmt: skip
def test_a_bad_grouping_is_refused_with_file_and_line(
    tmp_path: Path, north: list[str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        config.load(write(tmp_path, "Sollentuna", grouping(north)))


def test_areas_left_out_and_a_wrong_shape_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"areas of Sollentuna in no district: Edsberg"):
        config.load(write(tmp_path, "Sollentuna", '[districts]\nNorra = ["Bagarby"]\n'))
    with pytest.raises(ConfigError, match=r"districts.Norra: must be a non-empty list"):
        config.load(write(tmp_path, "Sollentuna", '[districts]\nNorra = "Bagarby"\n'))


def test_a_gazetteer_of_another_scheme_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "g.toml"
    other.write_text('municipality = "Sollentuna"\n[[districts]]\nname = "Mitt"\n', "utf-8")
    path = write(tmp_path, "Sollentuna", '[places]\ngazetteer = "g.toml"\n')
    with pytest.raises(ConfigError, match=r"districts Mitt are not the districts of"):
        configured(config.load(path))


def test_the_starting_gazetteer_has_the_parts_of_the_area_names() -> None:
    grouped = districts.groups("Sollentuna")
    gazetteer = districts.starting_gazetteer("Sollentuna", grouped)
    assert isinstance(gazetteer, Gazetteer)
    # "Edsviken-Kummelby" gives Edsviken and Kummelby, each placing its area
    for name in ("Edsviken", "Kummelby", "Häggvik", "Rotebro", "Helenelund"):
        entry = gazetteer.entry(name)
        assert entry is not None and entry.district is not None, name
    # the municipality's own name, and others', are never places of it
    assert gazetteer.entry("Sollentuna") is None
    # "Eriksberg" is also an area name in Botkyrka (the same county): a homonym
    eriksberg = gazetteer.entry("Eriksberg")
    assert eriksberg is not None and eriksberg.homonym and not gazetteer.entry("Edsviken").homonym  # type: ignore[union-attr]


def test_areas_sharing_a_place_name_are_one_district_by_default() -> None:
    umea = districts.groups("Umeå")
    assert umea["Ersboda"] == ("Ersboda centrala-Ersboda sydöstra", "Ersboda nordöstra",
                               "Ersboda västra")  # fmt: skip
    assert umea["Holmsund-Obbola"] == (
        "Holmsund västra", "Holmsund östra", "Holmsund-Obbola omland", "Obbola"
    )  # fmt: skip
    assert "Väst på stan" in umea and len(umea) < len(areas.load("Umeå").areas)
    # every area in exactly one district
    members = [name for group in umea.values() for name in group]
    assert sorted(members) == sorted(a.name for a in areas.load("Umeå").areas)
    # Sollentuna's 20 areas share no name: 20 districts
    assert len(districts.groups("Sollentuna")) == 20


def police(summary: str, municipality: str | None = "Sollentuna") -> Incident:
    return Incident(
        source="polisen",
        key=str(abs(hash(summary))),
        origin=Origin.POLICE,
        type="Stöld",
        title=f"Stöld, {municipality or 'Stockholms län'}",
        summary=summary,
        published_at=datetime(2026, 11, 27, 6, 0, tzinfo=TZ),
        municipality=municipality,
        county="Stockholms län",
    )


def test_a_name_is_never_matched_in_another_municipalitys_event(tmp_path: Path) -> None:
    gazetteer = configured(config.load(write(tmp_path, "Sollentuna")))
    assert resolve(police("Inbrott i Edsberg."), SOLLENTUNA, gazetteer).district == "Edsberg"
    # Täby's event naming a Sollentuna area name is Täby's, with no district of Sollentuna
    other = resolve(police("Inbrott i Edsberg.", "Täby"), SOLLENTUNA, gazetteer)
    assert other.municipality == "Täby" and other.district is None
    # a text naming no place gets no district
    none = resolve(police("En man greps misstänkt för stöld."), SOLLENTUNA, gazetteer)
    assert none.municipality == "Sollentuna" and none.district is None
    assert not re.search("→", " ".join(none.reasons))


def test_every_point_of_the_bundled_gazetteer_lies_in_its_kommundel() -> None:
    """Skälby, Stäket and Almare-Stäket had points outside Järfälla (in Akalla and
    Upplands-Bro); now every point lies in the municipality, in the entry's kommundel."""
    gazetteer = Gazetteer.bundled("Järfälla")
    polygons = areas.kommundelar("Järfälla")
    home = areas.load("Järfälla")
    assert gazetteer is not None and polygons is not None
    located = [e for e in gazetteer.entries() if e.lat is not None and e.lon is not None]
    assert len(located) > 20
    for entry in located:
        assert entry.lat is not None and entry.lon is not None
        assert home.contains(entry.lon, entry.lat), entry.name
        inside = polygons.district_of(entry.lat, entry.lon)
        # Görväln (nature, no district: it crosses kommundelar) has its point in Jakobsberg
        assert entry.district in (None, inside), (entry.name, entry.district, inside)
