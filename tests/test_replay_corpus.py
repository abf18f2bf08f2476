"""Done when: the 2023–2024 police events of Sollentuna and Umeå, replayed through
`briefing init`'s config, get a district when their text names a place of the
municipality (at least half of them), and none when it names no place."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from briefing import config, pipeline
from briefing.cli import app
from briefing.judge.gazetteer import Gazetteer
from briefing.judge.places import configured
from briefing.models import Briefing, Item
from briefing.sources.http import HttpClient
from briefing.store import Store
from tests import corpus

TZ = ZoneInfo("Europe/Stockholm")
runner = CliRunner()


def replay(folder: Path, slug: str, municipality: str, *, suggested: bool) -> Briefing:
    """`briefing init`, the police source pointed at the extract, optionally the gazetteer
    `briefing places suggest` prints pasted in; the whole two years as one window."""
    events, pages = corpus.write_replay(slug, folder)
    assert runner.invoke(app, ["init", municipality, "--dir", str(folder)]).exit_code == 0
    path = folder / "sources.toml"
    text = path.read_text(encoding="utf-8").replace(
        'url = "https://polisen.se/api/events"', f'path = "{events}"\ndetails_path = "{pages}"'
    )
    text = text.replace('url = "https://', 'enabled = false\nurl = "https://')
    if suggested:
        printed = runner.invoke(
            app, ["places", "suggest", "-c", str(path), "--events", str(events), "--pages",
                  str(pages)],
        )  # fmt: skip
        assert printed.exit_code == 0, printed.output
        (folder / "gazetteer.toml").write_text(printed.stdout, encoding="utf-8")
        text += '\n[places]\ngazetteer = "gazetteer.toml"\n'
    path.write_text(text, encoding="utf-8")
    cfg = config.load(path)
    with HttpClient() as http:
        return pipeline.today(
            cfg,
            Store.memory(),
            http,
            now=datetime(2025, 1, 1, 8, 0, tzinfo=TZ),
            since=datetime(2023, 1, 1, tzinfo=TZ),
            until=datetime(2025, 1, 1, tzinfo=TZ),
            fuse_reports=False,
        )


def police_items(briefing: Briefing) -> list[Item]:
    return [i for i in briefing.local if i.incident.source == "polisen"]


@pytest.mark.parametrize(
    ("slug", "municipality", "suggested", "at_least"),
    [
        ("sollentuna", "Sollentuna", False, 0.95),
        ("sollentuna", "Sollentuna", True, 0.6),
        ("umea", "Umeå", False, 0.95),
        ("umea", "Umeå", True, 0.5),
    ],
)
def test_events_naming_a_place_get_a_district_and_others_none(
    tmp_path: Path, slug: str, municipality: str, suggested: bool, at_least: float
) -> None:
    briefing = replay(tmp_path, slug, municipality, suggested=suggested)
    gazetteer = configured(config.load(tmp_path / "sources.toml"))
    assert gazetteer is not None
    items = police_items(briefing)
    assert len(items) >= 0.9 * len(corpus.events(slug))  # nearly all are the municipality's
    named: list[Item] = []
    unnamed: list[Item] = []
    for item in items:
        incident = item.incident
        text = "\n".join(p for p in (incident.title, incident.summary, incident.text) if p)
        (named if gazetteer.find(text) else unnamed).append(item)
    placed = [item for item in named if item.place.district is not None]
    assert len(placed) >= at_least * len(named), (len(placed), len(named))
    # an event whose text names no place of the municipality gets no district
    assert [item for item in unnamed if item.place.district is not None] == []
    assert len(named) > 20 and len(unnamed) > 20


UMEA_SAMPLE = {
    # placed: the text names a place an area of Umeå is called by
    "409559": ("Berghem", "Fridhem"),  # "Fridhem, resultat efter trafikkontroll …"
    "410800": ("Tomtebo", "Tomtebo"),  # "… i en butik på Tomtebo."
    "410807": ("Hörnefors", "Hörnefors"),  # "… trafikkontroll på Kungsvägen, Hörnefors."
    "410884": ("Ersboda", "Ersboda"),  # "… vid en parkeringsinfart på Ersboda."
    # not placed: "centrala Umeå" is in several areas, E12 crosses them
    "409600": (None, None),  # "Misstänkt ringa stöld i matbutik i centrala Umeå."
    "411120": (None, None),  # "Larm om trafikolycka på E12/Strombergs Väg."
}
SOLLENTUNA_SAMPLE = {
    "411618": ("Edsberg", "Edsberg"),  # "I Edsberg omhändertogs en berusad kvinna."
    "415424": ("Häggvik-Klasro", "Häggvik"),  # "I Häggvik omhändertogs en berusad person."
    "413297": ("Rotebro centrum", "Rotebro"),  # "… på E4 vid Rotebro."
    "399297": (None, None),  # "En man knivskadas på en parkering."
    "410712": (None, None),  # "En man kör vingligt och vårdslöst på E4."
    "413318": (None, None),  # "I Tureberg …": no area is called so (places suggest lists it)
}


@pytest.mark.parametrize(
    ("slug", "municipality", "sample"),
    [("umea", "Umeå", UMEA_SAMPLE), ("sollentuna", "Sollentuna", SOLLENTUNA_SAMPLE)],
)
def test_a_sample_of_both(
    tmp_path: Path, slug: str, municipality: str, sample: dict[str, tuple[str | None, ...]]
) -> None:
    """What the figures are made of, with the gazetteer made of SCB's area names."""
    items = police_items(replay(tmp_path, slug, municipality, suggested=False))
    found = {item.incident.key: item.place for item in items}
    assert {key: (found[key].district, found[key].place) for key in sample} == sample
    for key in sample:
        assert found[key].municipality == municipality


def test_places_suggest_prints_a_gazetteer_the_loader_reads(tmp_path: Path) -> None:
    events, pages = corpus.write_replay("sollentuna", tmp_path)
    assert runner.invoke(app, ["init", "Sollentuna", "--dir", str(tmp_path)]).exit_code == 0
    cfg = str(tmp_path / "sources.toml")
    printed = runner.invoke(
        app, ["places", "suggest", "-c", cfg, "--events", str(events), "--pages", str(pages)]
    )
    assert printed.exit_code == 0, printed.output
    gazetteer = Gazetteer.parse(printed.stdout, "suggested.toml")
    assert gazetteer.municipality == "Sollentuna" and len(gazetteer.districts) == 20
    # an area name's part, a homonym in the county, and a name only the texts give
    assert gazetteer.entry("Häggvik").district == "Häggvik-Klasro"  # type: ignore[union-attr]
    assert gazetteer.entry("Eriksberg").homonym  # type: ignore[union-attr]
    assert gazetteer.entry("Tureberg") is not None
    assert "# 10 events; in Häggvik-Klasro by its name" in printed.stdout
    assert "HOMONYM: also in Botkyrka" in printed.stdout


def test_places_suggest_wants_one_source_of_events(tmp_path: Path) -> None:
    assert runner.invoke(app, ["init", "Sollentuna", "--dir", str(tmp_path)]).exit_code == 0
    cfg = str(tmp_path / "sources.toml")
    neither = runner.invoke(app, ["places", "suggest", "-c", cfg])
    assert neither.exit_code == 2 and "--from-store or --events" in neither.output
    pages_only = runner.invoke(app, ["places", "suggest", "-c", cfg, "--pages", str(tmp_path)])
    assert pages_only.exit_code == 2 and "--pages goes with --events" in pages_only.output


def test_places_suggest_reads_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`briefing fetch` fills the store from the extract; suggest reads it back."""
    events, pages = corpus.write_replay("sollentuna", tmp_path)
    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path / "home"))
    assert runner.invoke(app, ["init", "Sollentuna", "--dir", str(tmp_path)]).exit_code == 0
    path = tmp_path / "sources.toml"
    text = path.read_text(encoding="utf-8").replace(
        'url = "https://polisen.se/api/events"', f'path = "{events}"\ndetails_path = "{pages}"'
    )
    path.write_text(text.replace('url = "https://', 'enabled = false\nurl = "https://'), "utf-8")
    runner.invoke(app, ["fetch", "-c", str(path), "-q"])
    printed = runner.invoke(app, ["places", "suggest", "-c", str(path), "--from-store"])
    assert printed.exit_code == 0, printed.output
    assert "in 107 police events" in printed.stdout and 'name = "Tureberg"' in printed.stdout
