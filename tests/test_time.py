"""Time: windows in the configured zone, right across the clock changes, and
reports dated in the future flagged, shown when they arrive, never a cursor.

In Europe/Stockholm the night of 30-31 March 2024 lost an hour (02:00 → 03:00)
and the night of 26-27 October 2024 gained one (03:00 → 02:00): 23:00 to 07:00
was 7 real hours, then 9.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from briefing import config, pipeline
from briefing.models import Incident, Origin
from briefing.store import Store
from tests.builders import make_config, recorded_events, table
from tests.clirun import run

TZ = ZoneInfo("Europe/Stockholm")
GUARD_COLUMNS = {"time": "Datum", "place": "Plats", "category": "Händelse", "text": "Beskrivning"}
NIGHT = '[briefing]\nmunicipality = "Järfälla"\nnight_starts = "23:00"\n\n'


def night_config(tmp: Path, rows: list[str], zone: str = "Europe/Stockholm") -> Path:
    inbox = tmp / "inkorg"
    inbox.mkdir()
    text = "Datum;Plats;Händelse;Beskrivning\n" + "".join(f"{row}\n" for row in rows)
    (inbox / "natt.csv").write_text(text, encoding="utf-8")
    path = tmp / "sources.toml"
    path.write_text(
        NIGHT.replace("\n\n", f'\ntimezone = "{zone}"\n\n')
        + f"[store]\npath = {json.dumps(str(tmp / 'store.sqlite3'))}\n\n"
        + table("vakter", "csv", "guards", path=inbox, columns=GUARD_COLUMNS),
        encoding="utf-8",
    )
    return path


def hours(start: str, end: str) -> float:
    delta = datetime.fromisoformat(end) - datetime.fromisoformat(start)
    return round(delta.total_seconds() / 3600, 3)


def shown_places(document: dict[str, object]) -> list[str]:
    incidents = document["incidents"]
    assert isinstance(incidents, list)
    return sorted(str(i["summary"]) for i in incidents)


@pytest.mark.parametrize(
    ("morning", "rows", "inside", "length"),
    [
        pytest.param(
            "2024-03-31T07:00",
            ["2024-03-30 22:59;Viksjö;Bråk;före", "2024-03-30 23:00;Viksjö;Bråk;start",
             "2024-03-31 01:59;Viksjö;Bråk;vintertid", "2024-03-31 03:00;Viksjö;Bråk;sommartid",
             "2024-03-31 06:59;Viksjö;Bråk;slut", "2024-03-31 07:01;Viksjö;Bråk;efter"],
            ["start", "vintertid", "sommartid", "slut"],
            7.0,
            id="spring-7-hours",
        ),
        pytest.param(
            "2024-10-27T07:00",
            ["2024-10-26 22:59;Viksjö;Bråk;före", "2024-10-26 23:00;Viksjö;Bråk;start",
             "2024-10-27 02:30;Viksjö;Bråk;dubbeltimmen", "2024-10-27 03:30;Viksjö;Bråk;vintertid",
             "2024-10-27 06:59;Viksjö;Bråk;slut", "2024-10-27 07:01;Viksjö;Bråk;efter"],
            ["start", "dubbeltimmen", "vintertid", "slut"],
            9.0,
            id="autumn-9-hours",
        ),
    ],
)  # fmt: skip
def test_the_night_across_a_clock_change(
    tmp_path: Path, morning: str, rows: list[str], inside: list[str], length: float
) -> None:
    cfg = night_config(tmp_path, rows)
    result = run(cfg, "--now", morning, window=False)
    assert result.code == 0
    window = result.doc["window"]
    assert window["start"].startswith(f"{morning[:8]}{int(morning[8:10]) - 1:02d}T23:00:00")
    assert hours(window["start"], window["end"]) == pytest.approx(length, abs=0.001)
    assert shown_places(result.doc) == sorted(inside)


def test_the_window_is_in_the_configured_zone(tmp_path: Path) -> None:
    rows = ["2024-06-10 22:30;Viksjö;Bråk;före", "2024-06-11 05:30;Viksjö;Bråk;natten"]
    cfg = night_config(tmp_path, rows, zone="Europe/Helsinki")
    result = run(cfg, "--now", "2024-06-11T07:00", window=False)
    window = result.doc["window"]
    assert window["start"] == "2024-06-10T23:00:00+03:00"
    assert shown_places(result.doc) == ["natten"]


def test_the_next_window_starts_where_the_last_live_one_ended_across_the_switch(
    tmp_path: Path,
) -> None:
    cfg = config.load(night_config(tmp_path, []))
    with Store(tmp_path / "store.sqlite3") as store:
        saturday = datetime(2024, 3, 30, 7, 0, tzinfo=TZ)
        store.record_briefing(
            generated_at=saturday, start=saturday - timedelta(hours=8), end=saturday,
            live=True, shown=[],
        )  # fmt: skip
        span = pipeline.window(cfg, store, datetime(2024, 3, 31, 7, 0, tzinfo=TZ))
    assert span.start == saturday
    real = span.end.astimezone(UTC) - span.start.astimezone(UTC)
    assert real == timedelta(hours=23, microseconds=1)  # the day the clocks went forward


# --- dated in the future: flagged, shown when it arrives, never a cursor ----------------------


def test_an_event_dated_in_the_future_is_flagged_shown_and_hides_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "polisen"
    folder.mkdir()
    now = datetime.now(TZ)
    template = recorded_events(1)[0]
    future = {**template, "id": 990001, "datetime": stamp(now + timedelta(days=2))}
    (folder / "a.json").write_text(json.dumps([future], ensure_ascii=False), encoding="utf-8")
    cfg = make_config(tmp_path, table("polisen", "polisen", "police", path=folder))

    first = run(cfg, fmt="text", window=False)
    assert first.code == 0
    text = " ".join(first.stdout.split())
    assert "polisen: 990001" in text and "in the future; shown now as it arrived" in text
    assert "Barkarby såg polisen en personbil" in text  # shown the morning it arrived

    later = {**template, "id": 990002, "datetime": stamp(now - timedelta(hours=1)),
             "summary": "Ny händelse efter den framtida."}  # fmt: skip
    (folder / "b.json").write_text(json.dumps([later], ensure_ascii=False), encoding="utf-8")
    second = run(cfg, window=False)
    statuses = {i["id"]: i["status"] for i in second.doc["incidents"]}
    assert statuses["polisen:990002"] == "new"  # the future date held nothing back
    assert statuses["polisen:990001"] == "unchanged"


def stamp(moment: datetime) -> str:
    """Polisen's own format: "2026-11-27 7:19:49 +01:00" (hour without a leading zero)."""
    local = moment.astimezone(TZ)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d} {local.hour}:{local:%M:%S} {offset[:3]}:{offset[3:]}"


def test_a_future_date_cannot_make_a_silent_source_look_alive(tmp_path: Path) -> None:
    seen = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    future = Incident(
        source="vakter", key="1", origin=Origin.GUARDS, type="Bråk", title="Bråk",
        summary="", published_at=datetime(2030, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    with Store(tmp_path / "s.sqlite3") as store:
        store.save_batch("vakter", [future], {}, seen)
        assert store.last_report("vakter", datetime(2026, 11, 27, tzinfo=UTC)) == seen
        assert store.last_report("vakter", seen - timedelta(days=1)) is None
