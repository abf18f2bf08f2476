"""`places suggest` on real police history: Sollentuna's and Umeå's 2023–2024 events.

The extracts in tests/data/corpus/ are the whole two years of each municipality
(see tests/data/PROVENANCE.md); the expected places were counted in them.
"""

from __future__ import annotations

import dataclasses
import gzip
import importlib.util
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from briefing.judge.gazetteer import Gazetteer
from briefing.judge.suggest import (
    Suggestion,
    county_texts_of,
    elsewhere,
    suggest,
    suggest_from_incidents,
)
from briefing.judge.suggest_rules import mentions
from briefing.judge.suggest_toml import render_toml
from briefing.models import Incident, Origin
from briefing.sources.base import FetchContext
from briefing.sources.http import HttpClient
from briefing.sources.polisen import PolisenSettings, PolisenSource
from tests import corpus

TOOLS = Path(__file__).parents[1] / "tools"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
VASTERBOTTEN = ("vannas", "Vännäs"), ("robertsfors", "Robertsfors"), ("nordmaling", "Nordmaling")


def _no_network(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"a replay must not call {request.url}")


def replayed(slug: str, municipality: str, folder: Path) -> list[Incident]:
    """The extract through the polisen adapter, pages from a details_path folder."""
    events, pages = corpus.write_replay(slug, folder)
    settings = PolisenSettings(
        kind="polisen", origin=Origin.POLICE, path=events, details_path=pages
    )
    http = HttpClient(transport=httpx.MockTransport(_no_network))
    now = datetime(2025, 1, 1, 8, 0, tzinfo=STOCKHOLM)
    ctx = FetchContext(http=http, now=now, tz=STOCKHOLM, municipality=municipality)
    batch = PolisenSource("polisen", settings).fetch(ctx)
    assert batch.problems == []
    return batch.incidents


def event_texts(slug: str) -> list[tuple[str, str, str]]:
    """(title, summary, page text) of each event of an extract, without the adapter."""
    pages = corpus.pages(slug)
    found = []
    for event in corpus.events(slug):
        page = pages.get(str(event["id"]), {})
        text = "\n".join([page.get("preamble", ""), *page.get("body_paragraphs", [])])
        found.append((event["name"], event["summary"], text))
    return found


def by_name(suggestions: list[Suggestion]) -> dict[str, Suggestion]:
    return {s.name: s for s in suggestions}


@pytest.fixture(scope="module")
def sollentuna(tmp_path_factory: pytest.TempPathFactory) -> list[Incident]:
    return replayed("sollentuna", "Sollentuna", tmp_path_factory.mktemp("sollentuna"))


@pytest.fixture(scope="module")
def umea() -> list[Suggestion]:
    county = {
        name: ["\n".join(texts) for texts in event_texts(slug)] for slug, name in VASTERBOTTEN
    }
    return suggest(event_texts("umea"), "Umeå", homonyms=elsewhere(county, "Umeå"))


def test_the_extract_replays_through_the_adapter(sollentuna: list[Incident]) -> None:
    assert len(sollentuna) == 107
    assert {incident.municipality for incident in sollentuna} == {"Sollentuna"}
    with_text = [incident for incident in sollentuna if incident.text]
    assert len(with_text) == 98  # every page of the extract that has text
    edsberg = next(
        i for i in sollentuna if i.summary == "I Edsberg omhändertogs en berusad kvinna."
    )
    assert edsberg.text.startswith("I Edsberg omhändertogs en berusad kvinna.\nPersonen som ringde")


def test_sollentunas_well_known_places_come_first(sollentuna: list[Incident]) -> None:
    found = suggest_from_incidents(sollentuna, {}, "Sollentuna")
    top = [s.name for s in found[:10]]
    for place in ("Tureberg", "Edsberg", "Rotebro", "Häggvik", "Helenelund"):
        assert place in top
    counts = by_name(found)
    # Events naming them, counted with a plain word search in the extract.
    assert [counts[p].count for p in ("Tureberg", "Edsberg", "Rotebro", "Häggvik")] == [
        16,
        13,
        11,
        10,
    ]
    assert counts["Helenelund"].count == 5 and counts["Viby"].count == 2
    assert counts["Norrviken"].count == 1 and counts["Sollentuna centrum"].kind == "centre"
    assert counts["E4"].kind == "road" and counts["Norrviksleden"].kind == "road"
    # The municipality itself and other municipalities are no places of it.
    assert not {"Sollentuna", "Stockholm", "Sollentunas"} & counts.keys()


def test_page_text_comes_from_the_pages_when_the_incident_has_none(
    sollentuna: list[Incident],
) -> None:
    bare = [dataclasses.replace(i, text="") for i in sollentuna]
    pages = {i.key: i.text for i in sollentuna}
    assert suggest_from_incidents(bare, pages, "Sollentuna") == suggest_from_incidents(
        sollentuna, {}, "Sollentuna"
    )
    without = by_name(suggest_from_incidents(bare, {}, "Sollentuna"))
    assert without["Tureberg"].count < 16  # some events name it only on their page


def test_umeas_well_known_places_are_among_the_first(umea: list[Suggestion]) -> None:
    top = [s.name for s in umea[:30]]
    for place in ("Ersboda", "Ålidhem", "Mariehem", "Holmsund", "Teg", "Haga", "Tomtebo"):
        assert place in top
    counts = by_name(umea)
    assert [counts[p].count for p in ("Ersboda", "Ålidhem", "Mariehem", "Teg", "Holmsund")] == [
        65,
        28,
        27,
        21,
        19,
    ]
    assert counts["Haga"].count == 13
    assert not [s.name for s in umea[:12] if s.common_noun]


def test_common_nouns_are_marked(umea: list[Suggestion]) -> None:
    counts = by_name(umea)
    assert counts["Centrum"].common_noun  # on the list, and "i centrum" 92 times
    assert "Bilen" not in counts  # opens lines ("Bilen, som …"), and "bilen" is a word
    assert counts["Backen"].common_noun  # Umeå's Backen, and any "backen" (or "bäcken")
    assert counts["Tillnyktringsenheten"].common_noun  # by the rule: lower-case 10 times
    assert counts["Tillnyktringsenheten"].lower_case >= 3
    for place in ("Ersboda", "Ålidhem", "Holmsund", "Teg", "Haga"):
        assert not counts[place].common_noun and counts[place].lower_case == 0


def test_names_used_elsewhere_in_the_county_are_homonyms(umea: list[Suggestion]) -> None:
    counts = by_name(umea)
    assert counts["Hörnefors"].homonym_in == ("Nordmaling",)  # by the border, named alone there
    assert counts["Storgatan"].homonym_in == ("Nordmaling", "Robertsfors")
    assert counts["Storgatan"].ambiguous
    for place in ("Ersboda", "Ålidhem", "Mariehem", "Holmsund"):
        assert not counts[place].homonym


def test_an_event_naming_this_municipality_does_not_make_a_homonym() -> None:
    county = {
        "Täby": ["En man grips i Rotebro i Sollentuna efter en jakt från Täby centrum."],
        "Danderyd": ["Inbrott i en villa i Edsberg, Danderyd."],
    }
    seen = elsewhere(county, "Sollentuna")
    assert "rotebro" not in seen and seen["edsberg"] == {"Danderyd"}
    events = [("1 maj, Stöld, Sollentuna", "Stöld i Edsberg och i Rotebro.", "")]
    found = by_name(suggest(events, "Sollentuna", homonyms=seen))
    assert found["Edsberg"].homonym_in == ("Danderyd",) and not found["Rotebro"].homonym


def test_the_county_texts_come_from_the_other_municipalities_of_the_county(
    sollentuna: list[Incident], tmp_path: Path
) -> None:
    danderyd = replayed("danderyd", "Danderyd", tmp_path)
    umea = [dataclasses.replace(i, municipality="Umeå", key=f"u{i.key}") for i in danderyd]
    texts = county_texts_of([*sollentuna, *danderyd, *umea], {}, "Sollentuna")
    assert list(texts) == ["Danderyd"] and len(texts["Danderyd"]) == 33
    assert texts["Danderyd"][0].startswith(danderyd[0].title + "\n" + danderyd[0].summary)


def test_how_the_police_write_places() -> None:
    def names(text: str) -> list[str]:
        return [name for name, _ in mentions(text)]

    assert names("Polis kallas till Fasanvägen/Lomvägen i Sollentuna.") == [
        "Fasanvägen",
        "Lomvägen",
        "Sollentuna",
    ]
    assert names("En man skadas med kniv vid Häggviks station.") == ["Häggviks station"]
    assert names("Bråk i området kring Edsberg och utanför Sollentuna centrum.") == [
        "Edsberg",
        "Sollentuna centrum",
    ]
    assert names("Fridhem, resultat efter trafikkontroll på Strombergs väg") == [
        "Fridhem",
        "Strombergs väg",
    ]
    assert names("E4 Sävar, bilist stoppad på länsväg 503.") == ["E4", "Sävar", "länsväg 503"]
    assert names("Bråk på Vasaplan Polis kallas dit.") == ["Vasaplan"]
    assert names("en man på parkeringsplatsen i skogen") == []
    assert mentions("28 mars 16:21, Fylleri/LOB, Sollentuna", title=True) == [
        ("Sollentuna", "title")
    ]


def test_the_area_is_the_name_or_the_area_named_with_it() -> None:
    events = [
        ("t, Stöld, Sollentuna", "Stöld på Malmvägen i Tureberg.", ""),
        ("t, Stöld, Sollentuna", "Stöld på Malmvägen i Tureberg.", ""),
        ("t, Stöld, Sollentuna", "Stöld på Malmvägen i Edsberg.", ""),
        ("t, Stöld, Sollentuna", "Bråk vid Häggviks station.", ""),
        ("t, Stöld, Sollentuna", "Olycka på E4 vid Rotebro.", ""),
        ("t, Stöld, Sollentuna", "Olycka på E4 vid Häggvik.", ""),
        ("t, Stöld, Sollentuna", "Brand på Bygatan i Edsberg och i Tureberg.", ""),
        ("t, Stöld, Sollentuna", "Bråk på Lomvägen i Tureberg.", ""),
        ("t, Kontroll, Sollentuna", "Kontroller i Edsberg, Häggvik, Tureberg, på Lomvägen.", ""),
    ]
    areas = {"Tureberg": "Tureberg", "Edsberg": "Edsberg", "Häggvik": "Häggvik"}
    areas["Rotebro"] = "Rotebro-Norrviken"
    found = by_name(suggest(events, "Sollentuna", areas=areas))
    malm = found["Malmvägen"]
    assert (malm.area, malm.area_votes, malm.area_events) == ("Tureberg", 2, 3)
    assert found["Häggviks station"].area == "Häggvik" and found["Häggviks station"].area_votes == 0
    assert found["Rotebro"].area == "Rotebro-Norrviken"
    assert found["E4"].area is None  # a road crosses areas
    assert found["Bygatan"].area is None and found["Bygatan"].area_events == 1  # a tie
    lom = found["Lomvägen"]  # named with one area, and in a list of three: too little to go on
    assert (lom.area, lom.area_events) == (None, 1)


def test_known_names_and_rare_ones_are_left_out(sollentuna: list[Incident]) -> None:
    found = suggest_from_incidents(
        sollentuna, {}, "Sollentuna", known=["Tureberg", "edsberg"], min_count=2
    )
    names = {s.name for s in found}
    assert "Tureberg" not in names and "Edsberg" not in names and "Rotebro" in names
    assert min(s.count for s in found) >= 2


def test_the_toml_is_a_gazetteer_the_loader_reads(
    sollentuna: list[Incident], tmp_path: Path
) -> None:
    county = {
        "Danderyd": ["Inbrott i en villa i Edsberg, Danderyd."],
        "Täby": ["Stöld i centrum, Täby."],
    }
    areas = {"Tureberg": "Tureberg", "Edsberg": "Edsberg", "Häggvik": "Häggvik"}
    found = suggest_from_incidents(sollentuna, {}, "Sollentuna", county, areas=areas, min_count=2)
    text = render_toml(
        found, "Sollentuna", districts=["Edsberg", "Häggvik", "Tureberg"], events=107
    )
    file = tmp_path / "sollentuna.toml"
    file.write_text(text, encoding="utf-8")
    gazetteer = Gazetteer.load(file)
    assert gazetteer.municipality == "Sollentuna"
    assert gazetteer.districts == ("Edsberg", "Häggvik", "Tureberg")
    for suggestion in found:
        entry = gazetteer.entry(suggestion.name)
        assert entry is not None and entry.confirm
        assert entry.homonym == suggestion.homonym
        assert entry.common_noun == suggestion.common_noun
    assert gazetteer.entry("Edsberg").homonym  # type: ignore[union-attr]
    assert gazetteer.entry("Rotebro").kind == "area"  # type: ignore[union-attr]
    assert '# 16 events\n[[districts]]\nname = "Tureberg"\nconfirm = true' in text
    assert "# 13 events; HOMONYM: also in Danderyd\n[[districts]]" in text
    assert "confirm = true" in text.split("[[places]]", 2)[1]
    matches = gazetteer.find("Polisen kallas till Sollentuna centrum efter ett bråk i Turebergs.")
    assert [m.entry.name for m in matches] == ["Sollentuna centrum", "Tureberg"]


def test_names_from_a_feed_are_written_as_safe_toml() -> None:
    odd = Suggestion(name='Kvarnen "Nya"\\ x', kind="area", count=1, common_noun=True)
    text = render_toml([odd], "Umeå")
    entry = Gazetteer.parse(text, "x.toml").entry('Kvarnen "Nya"\\ x')
    assert entry is not None and entry.common_noun and entry.district is None


def _extract_tool() -> Any:
    spec = importlib.util.spec_from_file_location("corpus_extract", TOOLS / "corpus_extract.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_extract_tool_keeps_one_municipality_in_the_adapters_shape(tmp_path: Path) -> None:
    """tools/corpus_extract.py on a corpus made of three real Sollentuna and Danderyd events."""
    paged = corpus.pages("sollentuna")
    real = [e for e in corpus.events("sollentuna") if str(e["id"]) in paged][:2]
    real.append(corpus.events("danderyd")[0])
    lines = [{"event": event, "first_seen": 1, "last_seen": 2, "versions": 1} for event in real]
    pages = {str(real[0]["id"]): {**paged[str(real[0]["id"])], "text_by": ""}}
    pages[str(real[1]["id"])] = {"h1": "x", "preamble": "", "body_paragraphs": [], "text_by": ""}
    for name, data in (("events.json.gz", lines[::-1]), ("pages.json.gz", pages)):
        (tmp_path / name).write_bytes(gzip.compress(json.dumps(data).encode()))
    tool = _extract_tool()
    args = ["--events", str(tmp_path / "events.json.gz")]
    args += ["--pages", str(tmp_path / "pages.json.gz")]
    assert tool.main([*args, "--out", str(tmp_path / "out"), "Sollentuna"]) == 0
    written = tmp_path / "out" / "sollentuna-events.json.gz"
    assert json.loads(gzip.decompress(written.read_bytes())) == real[:2]  # oldest first
    kept = json.loads(gzip.decompress((tmp_path / "out" / "sollentuna-pages.json.gz").read_bytes()))
    assert list(kept) == [str(real[0]["id"])]  # the empty page is left out
    assert set(kept[str(real[0]["id"])]) == {"h1", "preamble", "body_paragraphs"}
    before = written.read_bytes()
    assert tool.main([*args, "--out", str(tmp_path / "out"), "Sollentuna"]) == 0
    assert written.read_bytes() == before  # no timestamp in the gzip
    assert tool.main([*args, "--out", str(tmp_path / "out"), "Kiruna"]) == 1
