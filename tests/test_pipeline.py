"""Windows across live mornings, re-runs and late arrivals, with an injected clock."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from briefing import config, pipeline
from briefing.cli import app
from briefing.judge.classify import classify
from briefing.models import Briefing, Incident, Judgement, Place, Status
from briefing.sources.http import HttpClient
from briefing.store import Store

TZ = ZoneInfo("Europe/Stockholm")
HEADER = "Datum;Plats;Händelse;Beskrivning\n"


@pytest.fixture
def setup(tmp_path: Path) -> tuple[config.Config, Path]:
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    path = tmp_path / "sources.toml"
    path.write_text(
        """[briefing]
municipality = "Järfälla"
night_starts = "16:00"

[sources.vakter]
kind = "csv"
origin = "guards"
path = "inkorg"
columns = { time = "Datum", place = "Plats", category = "Händelse", text = "Beskrivning" }
""",
        encoding="utf-8",
    )
    return config.load(path), inbox


def drop(inbox: Path, name: str, *rows: str) -> None:
    (inbox / name).write_text(HEADER + "".join(f"{r}\n" for r in rows), encoding="utf-8")


def morning(cfg: config.Config, store: Store, now: datetime) -> Briefing:
    with HttpClient() as http:
        made = pipeline.today(cfg, store, http, now=now)
    pipeline.record_shown(store, made)  # shown: as `briefing today` does once it is delivered
    return made


def shown(briefing: Briefing) -> dict[str, Status]:
    return {item.incident.type: item.status for item in briefing.items}


def test_live_windows_reruns_and_late_arrivals(setup: tuple[config.Config, Path]) -> None:
    cfg, inbox = setup
    store = Store.memory()
    drop(inbox, "a.csv", "2026-11-25 23:00;Jakobsbergs centrum;Bråk;Slagsmål vid torget")

    first = morning(cfg, store, datetime(2026, 11, 26, 8, 30, tzinfo=TZ))
    assert first.window_start == datetime(2026, 11, 25, 16, 0, tzinfo=TZ)
    assert shown(first) == {"Bråk": Status.NEW}

    rerun = morning(cfg, store, datetime(2026, 11, 26, 9, 0, tzinfo=TZ))
    assert rerun.window_start == first.window_start
    assert shown(rerun) == {"Bråk": Status.UNCHANGED}

    drop(
        inbox,
        "b.csv",
        "2026-11-26 22:00;Viksjö centrum;Skadegörelse;Krossad ruta",
        "2026-11-26 06:00;Kallhälls station;Klotter;Rapporterad sent",
    )
    second = morning(cfg, store, datetime(2026, 11, 27, 8, 30, tzinfo=TZ))
    assert second.window_start == rerun.window_end  # just after 09:00 yesterday
    assert shown(second) == {"Skadegörelse": Status.NEW, "Klotter": Status.NEW}


def test_first_fetch_of_a_source_does_not_flood_with_its_backlog(
    setup: tuple[config.Config, Path],
) -> None:
    cfg, inbox = setup
    store = Store.memory()
    now = datetime(2026, 11, 27, 8, 30, tzinfo=TZ)
    rows = [
        f"2026-11-{day:02d} 12:00;Jakobsberg;Stöld;Gammal rapport {day}" for day in range(1, 20)
    ]
    drop(inbox, "backlog.csv", *rows, "2026-11-26 23:10;Jakobsberg;Bråk;I natt")
    first = morning(cfg, store, now)
    assert shown(first) == {"Bråk": Status.NEW}


def test_replays_do_not_move_the_live_window(setup: tuple[config.Config, Path]) -> None:
    cfg, inbox = setup
    store = Store.memory()
    drop(inbox, "a.csv", "2026-11-20 23:00;Jakobsberg;Bråk;Förra veckan")
    with HttpClient() as http:
        replay = pipeline.today(
            cfg,
            store,
            http,
            now=datetime(2026, 11, 21, 8, 30, tzinfo=TZ),
            replay=True,
        )
    pipeline.record_shown(store, replay)
    assert shown(replay) == {"Bråk": Status.NEW}
    live = morning(cfg, store, datetime(2026, 11, 27, 8, 30, tzinfo=TZ))
    assert live.window_start == datetime(2026, 11, 26, 16, 0, tzinfo=TZ)
    assert shown(live) == {}


def test_windows_across_clock_changes(setup: tuple[config.Config, Path]) -> None:
    cfg, _ = setup
    store = Store.memory()
    spring = pipeline.window(cfg, store, datetime(2024, 3, 31, 8, 0, tzinfo=TZ))
    autumn = pipeline.window(cfg, store, datetime(2024, 10, 27, 8, 0, tzinfo=TZ))
    # 16:00 → 08:00 is 15 real hours when the clocks go forward, 17 when they go back.
    assert hours(autumn.end.astimezone(UTC) - autumn.start.astimezone(UTC)) == 17
    assert hours(spring.end.astimezone(UTC) - spring.start.astimezone(UTC)) == 15


def hours(delta: timedelta) -> int:
    return round(delta.total_seconds() / 3600)


def test_a_late_arrival_edited_the_same_morning_is_shown_once(tmp_path: Path) -> None:
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    path = tmp_path / "sources.toml"
    path.write_text(
        """[briefing]
municipality = "Järfälla"

[sources.vakter]
kind = "csv"
origin = "guards"
path = "inkorg"
columns = { id = "Nr", time = "Datum", place = "Plats", category = "Händelse", text = "Text" }
""",
        encoding="utf-8",
    )
    cfg = config.load(path)
    store = Store.memory()
    header = "Nr;Datum;Plats;Händelse;Text\n"
    morning(cfg, store, datetime(2026, 11, 26, 8, 30, tzinfo=TZ))  # the source is followed
    late = "7;2026-11-26 06:00;Kallhälls station;Klotter;{}\n"
    (inbox / "a.csv").write_text(header + late.format("Rapporterad sent"), encoding="utf-8")
    morning(cfg, store, datetime(2026, 11, 27, 7, 0, tzinfo=TZ))
    (inbox / "a.csv").write_text(header + late.format("Rättad text"), encoding="utf-8")
    again = morning(cfg, store, datetime(2026, 11, 27, 8, 30, tzinfo=TZ))
    assert [item.incident.summary for item in again.items] == ["Rättad text"]
    assert again.items[0].status is Status.UPDATED


def test_each_incident_is_classified_once_per_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The window and the trends' nine weeks share one judgement of each incident."""
    classified: Counter[str] = Counter()
    real = classify

    def counting(incident: Incident, place: Place, *args: object) -> Judgement:
        classified[incident.id] += 1
        return real(incident, place, *args)  # type: ignore[arg-type]

    monkeypatch.setattr("briefing.judge.judge.classify", counting)
    result = CliRunner().invoke(app, ["today", "--demo", "-f", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    shown = {incident["id"] for incident in json.loads(result.stdout)["incidents"]}
    assert shown <= set(classified)  # every incident shown was judged here
    assert len(classified) > len(shown)  # and so was the history behind the trends
    assert [i for i, n in classified.items() if n > 1] == []


def test_a_briefing_is_in_the_ledger_only_once_recorded(setup: tuple[config.Config, Path]) -> None:
    """`today` records nothing: what was made but never delivered stays new."""
    cfg, inbox = setup
    store = Store.memory()
    drop(inbox, "a.csv", "2026-11-26 23:00;Jakobsbergs centrum;Bråk;Slagsmål vid torget")
    now = datetime(2026, 11, 27, 8, 30, tzinfo=TZ)
    with HttpClient() as http:
        made = pipeline.today(cfg, store, http, now=now)
        again = pipeline.today(cfg, store, http, now=now)
    assert shown(made) == shown(again) == {"Bråk": Status.NEW}
    assert made.live and made.shown == (("vakter:" + made.items[0].incident.key, 1),)
    pipeline.record_shown(store, made)
    assert shown(morning(cfg, store, now)) == {"Bråk": Status.UNCHANGED}


def test_the_window_is_judged_with_the_collector_held_off(
    setup: tuple[config.Config, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    cfg, inbox = setup
    drop(inbox, "a.csv", "2024-06-04 22:10;Jakobsbergs centrum;Bråk;Stökigt vid torget")
    seen: list[bool] = []
    judge = pipeline._judge

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return judge(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "_judge", spy)
    enabled = gc.isenabled()
    with Store(tmp_path / "s.sqlite3") as store:
        made = morning(cfg, store, datetime(2024, 6, 5, 8, 30, tzinfo=TZ))
    assert made.items and seen == [False] * len(seen) and seen
    assert gc.isenabled() is enabled
