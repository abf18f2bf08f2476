"""One event seen by several sources: joined when time, place and category agree, else not."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.judge.fuse import fuse, point
from briefing.models import (
    Incident,
    Item,
    Judgement,
    Origin,
    Place,
    Precision,
    Severity,
    Status,
)
from tests.schema_check import validate

TZ = ZoneInfo("Europe/Stockholm")
DATA = Path(__file__).parent / "data"
EXTRACT = DATA / "polisen" / "polisen-events-jarfalla-extract.json"
SCHEMA_1 = json.loads(
    (Path(__file__).parent.parent / "briefing" / "data" / "schema-1.json").read_text("utf-8")
)
NIGHT = datetime(2023, 5, 11, 15, 0, tzinfo=TZ)
runner = CliRunner()
_keys = count()


def item(
    source: str = "polisen",
    minutes: float = 0,
    *,
    origin: Origin | None = None,
    category: str = "fire",
    severity: Severity = Severity.MEDIUM,
    place: str | None = "Snapphanevägen",
    district: str | None = "Jakobsberg",
    precision: Precision = Precision.STREET,
    lat: float | None = None,
    lon: float | None = None,
    local: bool = True,
    status: Status = Status.NEW,
    municipality: str = "Järfälla",
    reasons: tuple[str, ...] = (),
) -> Item:
    origins = {"polisen": Origin.POLICE, "vakter": Origin.GUARDS, "rtj": Origin.RESCUE}
    when = NIGHT + timedelta(minutes=minutes)
    incident = Incident(
        source=source,
        key=str(next(_keys)),
        origin=origin or origins.get(source, Origin.AUTHORITY),
        type=category,
        title=f"{category} {source}",
        summary="",
        published_at=when + timedelta(hours=1),
        occurred_at=when,
        municipality=municipality,
    )
    return Item(
        incident=incident,
        status=status,
        place=Place(municipality, district, place, precision, lat=lat, lon=lon),
        judgement=Judgement(category, severity, reasons or (f"{source} says {category}",)),
        local=local,
    )


# --- end to end: a real police event and a guard report of the same fire ---------------


@pytest.fixture
def night(tmp_path: Path) -> Path:
    """Police event 425496 (a real balcony fire on Snapphanevägen, 11 May 2023 15:02) and the
    guards' reports of the same afternoon: the same fire 12 minutes later, and another fire."""
    events = [e for e in json.loads(EXTRACT.read_text("utf-8")) if e["id"] == 425496]
    (tmp_path / "polisen.json").write_text(json.dumps(events, ensure_ascii=False), "utf-8")
    inbox = tmp_path / "vakter"
    inbox.mkdir()
    (inbox / "rapporter.csv").write_text(
        "Datum;Plats;Händelse;Beskrivning\n"
        "2023-05-11 15.14;Snapphanevägen;Brand på balkong;Rök från en balkong.\n"
        "2023-05-11 15.40;Kallhälls station;Brand i papperskorg;Släckt med handbrandsläckare.\n",
        "utf-8",
    )
    config = tmp_path / "sources.toml"
    config.write_text(
        f"""[briefing]
municipality = "Järfälla"

[store]
path = "{tmp_path / "store.sqlite3"}"

[sources.polisen]
kind = "polisen"
origin = "police"
path = "polisen.json"

[sources.vakter]
kind = "csv"
origin = "guards"
label = "Ordningsvakter"
path = "vakter"
columns = {{ time = "Datum", place = "Plats", category = "Händelse", text = "Beskrivning" }}
""",
        "utf-8",
    )
    return config


def briefing_json(config: Path, *args: str) -> dict[str, Any]:
    window = ["--since", "2023-05-11", "--until", "2023-05-11", "--now", "2023-05-12"]
    result = runner.invoke(
        app, ["today", "-c", str(config), "-f", "json", *window, *args], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    validate(document, SCHEMA_1)
    return document


def test_police_and_guards_reporting_one_fire_show_one_incident_with_both_sources(
    night: Path,
) -> None:
    incidents = briefing_json(night)["incidents"]
    assert len(incidents) == 2
    fused = next(i for i in incidents if i["id"] == "polisen:425496")
    assert fused["sources"] == ["polisen", "vakter"]
    assert fused["origins"] == ["police", "guards"]
    assert fused["fused_because"] == "samma plats Snapphanevägen, 12 minuter isär, båda brand"
    assert fused["url"].startswith("https://polisen.se/")  # the police report is the primary
    other = next(i for i in incidents if i is not fused)
    assert other["place"] == "Kallhälls station"
    assert other["sources"] == ["vakter"]
    assert "fused_because" not in other


def test_every_fused_report_is_recorded_as_shown(night: Path) -> None:
    briefing_json(night)
    again = briefing_json(night)["incidents"]
    assert {i["status"] for i in again} == {"unchanged"}  # the guards' report too


def test_the_reason_is_in_the_briefings_language(night: Path) -> None:
    incidents = briefing_json(night, "--lang", "en")["incidents"]
    reasons = [i["fused_because"] for i in incidents if "fused_because" in i]
    assert reasons == ["same place Snapphanevägen, 12 minutes apart, both fire"]


def test_no_fuse_shows_the_reports_apart(night: Path) -> None:
    incidents = briefing_json(night, "--no-fuse")["incidents"]
    assert len(incidents) == 3
    assert all(len(i["sources"]) == 1 and "fused_because" not in i for i in incidents)


def test_text_briefing_names_every_source_and_why(night: Path) -> None:
    window = ["--since", "2023-05-11", "--until", "2023-05-11", "--now", "2023-05-12"]
    result = runner.invoke(app, ["today", "-c", str(night), "-f", "text", *window])
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "Samma händelse: samma plats Snapphanevägen, 12 minuter isär, båda brand" in text
    assert "polis + ordningsvakter/väktare" in text


def test_the_demo_fuses_the_viksjo_bin_fire_and_keeps_the_other_fires_apart() -> None:
    result = runner.invoke(app, ["today", "--demo", "-f", "json"], catch_exceptions=False)
    incidents = json.loads(result.stdout)["incidents"]
    viksjo = [i for i in incidents if i["place"] == "Viksjö centrum"]
    assert len(viksjo) == 1
    assert viksjo[0]["origins"] == ["rescue", "guards"]
    assert viksjo[0]["fused_because"].startswith("samma plats Viksjö centrum, 3 minuter isär")
    fires = [i for i in incidents if i["municipality"] == "Järfälla" and i["category"] == "fire"]
    assert {i["place"] for i in fires} >= {"Viksjö centrum", "Söderhöjden", "Kallhäll"}
    assert all(len(i["sources"]) == 1 for i in fires if i is not viksjo[0])


# --- the rules, one at a time -----------------------------------------------------------


def test_reports_from_one_source_are_never_joined() -> None:
    assert len(fuse([item("vakter"), item("vakter", 1)])) == 2


@pytest.mark.parametrize(("minutes", "joined"), [(90, True), (91, False), (-90, True)])
def test_at_most_the_window_apart(minutes: int, joined: bool) -> None:
    items = [item("polisen"), item("vakter", minutes)]
    assert len(fuse(items)) == (1 if joined else 2)


def test_the_window_is_a_parameter() -> None:
    items = [item("polisen"), item("vakter", 30)]
    assert len(fuse(items, window_minutes=20)) == 2
    assert len(fuse(items, window_minutes=30)) == 1


def test_compatible_categories_are_joined_and_said_so() -> None:
    [fused] = fuse([item("polisen"), item("rtj", 5, category="rescue")])
    assert (
        fused.fused_because
        == "samma plats Snapphanevägen, 5 minuter isär, brand och räddningsinsats"
    )


@pytest.mark.parametrize(("first", "second"), [("fire", "theft"), ("other", "other")])
def test_other_categories_are_not_joined(first: str, second: str) -> None:
    assert len(fuse([item("polisen", category=first), item("vakter", category=second)])) == 2


def test_different_named_places_without_points_are_two_events() -> None:
    items = [item("polisen"), item("vakter", place="Dackevägen")]
    assert len(fuse(items)) == 2


def test_points_within_500_m_are_one_place() -> None:
    # Jakobsbergs station and Jakobsbergs centrum: about 150 m apart
    a = item("polisen", place="Jakobsbergs station", lat=59.4232, lon=17.8333)
    b = item("vakter", 20, place="Jakobsbergs centrum", lat=59.4240, lon=17.8350)
    [fused] = fuse([a, b], lang="en")
    assert fused.fused_because.startswith("130 m apart, 20 minutes apart")


def test_points_further_than_500_m_are_two_places_even_with_one_name() -> None:
    a = item("polisen", lat=59.4170, lon=17.8310)
    b = item("vakter", lat=59.4240, lon=17.8350)  # Snapphanevägen as well, but 800 m away
    assert len(fuse([a, b])) == 2


def test_a_district_agrees_with_a_place_inside_it() -> None:
    a = item("polisen", place="Jakobsberg", precision=Precision.DISTRICT)
    b = item("vakter", 10)
    [fused] = fuse([a, b])
    assert fused.fused_because.startswith("samma kommundel Jakobsberg, 10 minuter isär")
    assert fused.place.place == "Snapphanevägen"  # the most precise place is kept
    assert fused.incident.source == "polisen"


def test_the_municipality_alone_agrees_with_nothing() -> None:
    a = item("polisen", place=None, district=None, precision=Precision.MUNICIPALITY)
    b = item("vakter", 10)
    assert len(fuse([a, b])) == 2


def test_other_municipalities_and_local_with_neighbour_are_never_joined() -> None:
    a = item("polisen", municipality="Sollentuna", local=False)
    b = item("vakter", 5)
    assert len(fuse([a, b])) == 2


def test_the_police_report_is_primary_and_the_worst_severity_and_all_reasons_are_kept() -> None:
    guards = item("vakter", 0, severity=Severity.HIGH, category="fire", reasons=("guard rule",))
    police = item("polisen", 30, severity=Severity.MEDIUM, reasons=("police rule",))
    [fused] = fuse([guards, police])
    assert fused.incident is police.incident
    assert fused.also == (guards.incident,)
    assert fused.reports == (police.incident, guards.incident)
    assert fused.judgement.severity is Severity.HIGH
    assert fused.judgement.reasons == ("police rule", "guard rule")
    assert fused.fused_because == "samma plats Snapphanevägen, 30 minuter isär, båda brand"


def test_three_sources_become_one_item_and_a_second_report_of_a_source_stays_apart() -> None:
    items = [item("vakter"), item("rtj", 3), item("polisen", 10), item("vakter", 12)]
    fused = fuse(items)
    assert len(fused) == 2
    assert {r.source for r in fused[0].reports} == {"polisen", "rtj", "vakter"}
    assert fused[0].fused_because.count(";") == 1  # one reason per joined report
    assert fused[1].incident is items[3].incident


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ((Status.NEW, Status.NEW), Status.NEW),
        ((Status.UNCHANGED, Status.UNCHANGED), Status.UNCHANGED),
        ((Status.UNCHANGED, Status.NEW), Status.UPDATED),
    ],
)
def test_status_of_a_fused_item(statuses: tuple[Status, Status], expected: Status) -> None:
    items = [item("polisen", status=statuses[0]), item("vakter", 5, status=statuses[1])]
    assert fuse(items)[0].status is expected


def test_order_and_lone_items_are_kept() -> None:
    items = [item("vakter", 200, place="Dackevägen"), item("polisen", 0), item("rtj", 100)]
    assert fuse(items) == items


def test_a_district_centre_point_is_not_used_to_measure() -> None:
    district = item("polisen", place="Jakobsberg", precision=Precision.DISTRICT, lat=59.4, lon=17.8)
    street = item("vakter", lat=59.42, lon=17.83)
    assert point(district) is None
    assert point(street) == (59.42, 17.83)
