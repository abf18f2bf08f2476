"""Night summaries split into happenings: real summary pages, and the split in a briefing."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from briefing import config, pipeline
from briefing.judge import summaries
from briefing.judge.classify import Rules, classify
from briefing.models import Incident, Origin, Place, Severity, Status
from briefing.sources.http import HttpClient
from briefing.sources.polisen import parse_event
from briefing.sources.polisen_page import parse_page
from briefing.store import Store

TZ = ZoneInfo("Europe/Stockholm")
DATA = Path(__file__).parent / "data"
SNAPSHOTS = (
    "polisen-events-2023-06-08-morning.json",
    "polisen-events-2026-01-20-location-switch.json",
    "polisen-events-2026-07-29-county-era.json",
)


@pytest.fixture(scope="module")
def records() -> dict[int, dict[str, object]]:
    found = {}
    for name in SNAPSHOTS:
        for record in json.loads((DATA / "polisen" / name).read_text(encoding="utf-8")):
            found[record["id"]] = record
    return found


def summary(records: dict[int, dict[str, object]], event_id: int, *, page: bool = True) -> Incident:
    """A real summary event, with the text of its real page."""
    incident = parse_event(records[event_id], source="polisen", origin=Origin.POLICE, tz=TZ)
    if not page:
        return incident
    html = (DATA / "polisen-summaries" / f"{event_id}.html").read_text(encoding="utf-8")
    return dataclasses.replace(incident, text=parse_page(html).text)


def test_time_type_place_headings(records: dict[int, dict[str, object]]) -> None:
    # 2023 layout: "03:19 Skadegörelse, Örnsköldsvik" then the text after a line break
    parts = summaries.split(summary(records, 429841))
    assert [(p.key, p.type, p.location, p.municipality) for p in parts] == [
        ("429841#1", "Fylleri/LOB", "", None),  # the note before the first heading
        ("429841#2", "Skadegörelse", "Örnsköldsvik", "Örnsköldsvik"),
        ("429841#3", "Rattfylleri", "Sundsvall", "Sundsvall"),  # "Drograttfylleri"
        ("429841#4", "Trafikolycka", "Sundsvall", "Sundsvall"),
        ("429841#5", "Rattfylleri", "Örnsköldsvik", "Örnsköldsvik"),
    ]
    note, damage, *_, last = parts
    assert note.text.startswith("Under natten har en person omhändertagits för fylleri.")
    assert damage.title == "03:19 Skadegörelse, Örnsköldsvik"
    assert damage.summary == (
        "Polisen beordras till ett flerfamiljshus i Örnsköldsvik med anledning av en skadegörelse."
    )
    assert damage.occurred_at == datetime(2023, 6, 8, 3, 19, tzinfo=TZ)
    assert damage.county == "Västernorrlands län"
    assert {p.parent for p in parts} == {"polisen:429841"}
    assert {p.published_at for p in parts} == {note.published_at}
    assert "Polisen har varit på plats för trafikdirigering" in parts[3].text  # 2nd paragraph
    assert "Arnäsvall" in last.text and "Sundsvall" not in last.text


def test_type_place_time_headings_and_round_ups(records: dict[int, dict[str, object]]) -> None:
    # 2026 layout: "Trafikbrott, Hedemora kl. 01.02" as a paragraph of its own
    parts = summaries.split(summary(records, 648117))
    assert [(p.title, p.type, p.municipality, p.occurred_at) for p in parts] == [
        ("Trafikbrott, Hedemora kl. 01.02", "Trafikbrott", "Hedemora", at(2026, 7, 29, 1, 2)),
        ("Rattfylleri, Borlänge kl. 02.31", "Rattfylleri", "Borlänge", at(2026, 7, 29, 2, 31)),
        (
            "Stöld genom inbrott, Smedjebacken kl. 03.17",
            "Inbrott",  # the most serious word of the heading
            "Smedjebacken",
            at(2026, 7, 29, 3, 17),
        ),
    ]
    # "Under CCW i Rättvik har vi bland annat hanterat …" and "Utöver detta …" sum up
    assert all("bland annat" not in p.text for p in parts)


def at(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def test_type_place_colon_headings_and_times_in_the_text(
    records: dict[int, dict[str, object]],
) -> None:
    # "Lob/Ringa Misshandel, Vaggeryd: Vid 23.30-tiden larmas polisen …" after a round-up
    (part,) = summaries.split(summary(records, 622091))
    assert (part.type, part.title, part.municipality) == (
        "Misshandel",
        "Lob/Ringa Misshandel, Vaggeryd",
        "Vaggeryd",
    )
    assert part.text.startswith("Vid 23.30-tiden larmas polisen")
    assert part.occurred_at == at(2026, 1, 19, 23, 30)  # the evening before publication


def test_time_type_dash_place_headings(records: dict[int, dict[str, object]]) -> None:
    # "Sammanfattning kväll och natt": "03:52, brand – Göteborg"
    parts = summaries.split(summary(records, 647879))
    assert [(p.type, p.municipality, p.occurred_at) for p in parts] == [
        ("Brand", "Göteborg", at(2026, 7, 26, 3, 52)),
        ("Misshandel", "Vänersborg", at(2026, 7, 26, 2, 49)),  # "misshandel/olaga hot"
        ("Trafikolycka", "Mölndal", at(2026, 7, 25, 22, 9)),  # 22:09 the evening before
    ]


def test_each_part_is_judged_on_its_own(records: dict[int, dict[str, object]]) -> None:
    rules = Rules.load()
    parent = summary(records, 647879)
    assert classify(parent, Place(None), rules).severity is Severity.INFO
    fire, assault, crash = (
        classify(part, Place(part.municipality), rules) for part in summaries.split(parent)
    )
    assert (fire.category, fire.severity) == ("fire", Severity.MEDIUM)
    # "jagat mannen … med ett knivliknande föremål"
    assert (assault.category, assault.severity) == ("violence", Severity.HIGH)
    assert (crash.category, crash.severity) == ("traffic_accident", Severity.MEDIUM)


def test_without_the_page_text_there_is_nothing_to_split(
    records: dict[int, dict[str, object]],
) -> None:
    # the API's summary is the page's first 110 characters: "Ett urval av nattens …"
    for event_id in (429841, 648117, 622091, 647879, 429835, 648131):
        assert summaries.split(summary(records, event_id, page=False)) == []


def test_only_summaries_are_split(records: dict[int, dict[str, object]]) -> None:
    fire = parse_event(records[648133], source="polisen", origin=Origin.POLICE, tz=TZ)
    assert summaries.split(fire) == []
    part = summaries.split(summary(records, 429841))[0]
    assert summaries.is_summary(part) is False
    assert summaries.split(dataclasses.replace(part, type="Sammanfattning natt")) == []


def test_a_summary_without_headings_gives_one_part_per_paragraph() -> None:
    notice = invented_summary(
        "Här följer ett urval av nattens händelser.\n"
        "En bil brann på en parkering i Kallhäll strax efter midnatt.\n"
        "Vid 03.10 larmades polisen om ett inbrott i en villa i Viksjö.\n"
        "I övrigt har natten varit lugn."
    )
    parts = summaries.split(notice)
    assert [(p.type, p.title, p.location, p.municipality) for p in parts] == [
        ("Brand", "En bil brann på en parkering i Kallhäll strax efter midnatt.", "", None),
        ("Inbrott", "Vid 03.10 larmades polisen om ett inbrott i en villa i Viksjö.", "", None),
    ]
    assert parts[1].occurred_at == at(2026, 11, 27, 3, 10)


def invented_summary(text: str, key: str = "900001") -> Incident:
    """An INVENTED Stockholm summary (region Stockholm almost never publishes them)."""
    return Incident(
        source="polisen",
        key=key,
        origin=Origin.POLICE,
        type="Sammanfattning natt",
        title="27 november 07.30, Sammanfattning natt, Stockholms län",
        summary="Här följer ett urval av nattens händelser.",
        published_at=at(2026, 11, 27, 7, 30),
        county="Stockholms län",
        location="Stockholms län",
        text=text,
    )


# An INVENTED event and page in the real 2026 format, for the whole way through a briefing.
EVENT = {
    "id": 900002,
    "datetime": "2026-11-27 7:30:00 +01:00",
    "name": "27 november 07.30, Sammanfattning natt, Stockholms län",
    "summary": "EXEMPEL. Här följer ett urval av nattens händelser.",
    "url": "/aktuellt/handelser/2026/november/27/27-november-07.30-sammanfattning-natt-stockholm/",
    "type": "Sammanfattning natt",
    "location": {"name": "Stockholms län", "gps": "59.602496,18.138438"},
}
PAGE = """<main id="main-content"><div class="event-page editorial-content">
<h1>27 november 07.30, Sammanfattning natt, Stockholms l&#xE4;n</h1>
<p class="preamble">EXEMPEL. H&#xE4;r f&#xF6;ljer ett urval av nattens h&#xE4;ndelser.</p>
<div class="event-content"><div class="text-body editorial-html">
<p><strong>02:10, misshandel &ndash; J&auml;rf&auml;lla</strong><br />En man misshandlades av
tre ok&auml;nda personer vid Jakobsbergs station. Han f&ouml;rdes till sjukhus.</p>
<p><strong>03:40, brand &ndash; Norrt&auml;lje</strong><br />En container brann.</p>
</div></div></div></main>"""


def test_a_summary_in_a_briefing_shows_its_parts_each_in_place(tmp_path: Path) -> None:
    (tmp_path / "events.json").write_text(json.dumps([EVENT]), encoding="utf-8")
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "900002.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "sources.toml").write_text(
        '[briefing]\nmunicipality = "Järfälla"\n\n'
        '[sources.polisen]\nkind = "polisen"\norigin = "police"\n'
        'path = "events.json"\ndetails_path = "pages"\n',
        encoding="utf-8",
    )
    cfg = config.load(tmp_path / "sources.toml")
    store = Store.memory()
    since = at(2026, 11, 26, 16, 0)
    with HttpClient() as http:
        first = pipeline.today(cfg, store, http, now=at(2026, 11, 27, 8, 30), since=since)
        pipeline.record_shown(store, first)
        again = pipeline.today(cfg, store, http, now=at(2026, 11, 27, 9, 0), since=since)
    # the county-level summary itself, and the Norrtälje part, are not Järfälla's
    (item,) = first.items
    assert item.incident.id == "polisen:900002#1"
    assert item.incident.parent == "polisen:900002"
    assert (item.place.municipality, item.place.district, item.place.place) == (
        "Järfälla",
        "Jakobsberg",
        "Jakobsbergs station",
    )
    assert (item.judgement.category, item.judgement.severity) == ("violence", Severity.HIGH)
    assert item.status is Status.NEW
    assert [i.status for i in again.items] == [Status.UNCHANGED]
