"""SMHI warnings: shown when the polygon meets the municipality, yellow/orange/red as
medium/high/critical, MESSAGE dropped, and a warning that leaves the list has ended."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.errors import ConfigError
from briefing.geo.geometry import Box, Polygon
from briefing.models import Origin
from briefing.sources.base import FetchContext
from briefing.sources.faultserver import FaultServer
from briefing.sources.http import HttpClient
from briefing.sources.smhi import (
    SmhiSettings,
    SmhiSource,
    meets,
    meets_boundary,
    municipality_bounds,
)
from briefing.store import Store
from tests.builders import DATA, make_config, table
from tests.clirun import run

SMHI = DATA / "smhi"
WINDOW = ("--since", "2026-11-26", "--until", "2026-11-28")
WIND, SNOW = "smhi:1001-2001", "smhi:1003-2004"
JARFALLA = municipality_bounds("0123")
_ALL_TIME = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def items(result_doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in result_doc["incidents"]}


def fetch(path: Path, municipality: str = "Järfälla", **keys: Any) -> list[str]:
    settings = SmhiSettings(kind="smhi", origin=Origin.AUTHORITY, path=path, **keys)
    ctx = FetchContext(
        http=HttpClient(),
        now=datetime(2026, 11, 27, 7, tzinfo=UTC),
        tz=ZoneInfo("Europe/Stockholm"),
        municipality=municipality,
    )
    batch = SmhiSource("smhi", settings).fetch(ctx)
    return [incident.key for incident in batch.incidents] + batch.problems


def test_a_warning_shows_when_its_polygon_meets_the_municipality() -> None:
    # 2001 holds the whole municipality; 2004 is a band across it (no vertex inside);
    # 2002 is a MESSAGE, 2003 is in Skåne, 2005 ends just west of the municipality.
    assert fetch(SMHI / "warning-1-active.json") == ["1001-2001", "1003-2004"]


def test_levels_become_severities_and_an_ended_warning_is_a_new_version(tmp_path: Path) -> None:
    feed = tmp_path / "feed"
    feed.mkdir()
    cfg = make_config(tmp_path, table("smhi", "smhi", "authority", path=feed, label="SMHI"))
    seen = []
    for snapshot in ("warning-1-active.json", "warning-2-later.json", "warning-2-later.json"):
        shutil.copy(SMHI / snapshot, feed / "warning.json")
        result = run(cfg, *WINDOW, window=False)
        assert result.code == 0, result.stdout
        seen.append(items(result.doc))
    first, later, again = seen
    assert set(first) == {WIND, SNOW}
    assert (first[WIND]["severity"], first[WIND]["type"]) == ("medium", "SMHI gul varning")
    assert first[WIND]["title"] == "Gul varning: Kraftig vind, Stockholms län, inland"
    assert first[WIND]["origins"] == ["authority"]
    assert "SMHI gul varning" in first[WIND]["reasons"][0]
    assert first[SNOW]["severity"] == "critical"
    assert first[SNOW]["occurred_at"] == "2026-11-27T01:00:00+01:00"  # milliseconds, UTC
    assert str(first[SNOW]["summary"]).startswith("Från 27/11 01:00 till 27/11 13:00. Snöfall")

    assert later[WIND]["status"] == "updated"
    assert later[WIND]["title"] == "Upphört: Gul varning: Kraftig vind, Stockholms län, inland"
    assert str(later[WIND]["summary"]).startswith("Varningen finns inte längre i SMHI:s lista.")
    assert (later[SNOW]["status"], later[SNOW]["severity"]) == ("updated", "high")
    assert {item["status"] for item in again.values()} == {"unchanged"}
    with Store(tmp_path / "store.sqlite3") as store:
        assert len(store.history(WIND)) == 2 and len(store.history(SNOW)) == 2


def test_a_replay_of_old_snapshots_does_not_reopen_an_ended_warning(tmp_path: Path) -> None:
    feed = tmp_path / "feed"
    feed.mkdir()
    shutil.copy(SMHI / "warning-1-active.json", feed / "1.json")
    shutil.copy(SMHI / "warning-2-later.json", feed / "2.json")
    cfg = make_config(tmp_path, table("smhi", "smhi", "authority", path=feed))
    for _ in range(3):
        assert run(cfg, *WINDOW, window=False).code == 0
    with Store(tmp_path / "store.sqlite3") as store:
        versions = {s.incident.id: s.version for s in store.window(*_ALL_TIME)}
        ended = store.history(WIND)[-1].incident
    assert versions == {WIND: 2, SNOW: 2}
    assert ended.title.startswith("Upphört: ")


def test_the_box_meets_polygons_inside_around_across_and_not_beside() -> None:
    assert JARFALLA is not None
    assert JARFALLA.holds(17.836804, 59.410065)  # the municipality's centroid
    assert not JARFALLA.holds(18.07, 59.33)  # Stockholm city
    box = Box(0.0, 0.0, 1.0, 1.0)

    def square(west: float, south: float, east: float, north: float) -> Polygon:
        return Polygon(((west, south), (east, south), (east, north), (west, north), (west, south)))

    assert meets([square(0.2, 0.2, 0.4, 0.4)], box)  # inside
    assert meets([square(-1, -1, 2, 2)], box)  # around
    assert meets([square(-1, 0.4, 2, 0.6)], box)  # across
    assert meets([square(1.0, 0.2, 2, 0.4)], box)  # touching the east side
    assert not meets([square(1.1, -1, 2, 2)], box)  # beside
    donut = Polygon(square(-2, -2, 3, 3).outer, (square(-1, -1, 2, 2).outer,))
    assert not meets([donut], box)  # the box sits in the hole


def test_every_municipality_has_its_boundary_and_bounds_override_it(tmp_path: Path) -> None:
    path = SMHI / "warning-1-active.json"
    # Göteborg's own boundary (SCB's areas) meets none of the recorded warnings' areas ...
    assert fetch(path, municipality="Göteborg") == []
    # ... a box given in the settings (here: one in western Skåne) is used instead.
    assert fetch(path, municipality="Göteborg", bounds=(13.2, 55.6, 13.4, 55.8)) == ["1002-2003"]


def test_a_warning_must_meet_the_boundary_not_only_the_box() -> None:
    assert JARFALLA is not None
    # a triangle in the box's north-east corner, outside Järfälla itself
    corner = Polygon(((17.893, 59.503), (17.898, 59.503), (17.898, 59.508), (17.893, 59.503)))
    assert meets([corner], JARFALLA)
    assert not meets_boundary([corner], "0123")
    # one around Jakobsberg, and one crossing the municipality with no vertex inside it
    around = Polygon(((17.83, 59.42), (17.86, 59.42), (17.86, 59.43), (17.83, 59.42)))
    across = Polygon(((17.70, 59.42), (17.95, 59.42), (17.95, 59.4201), (17.70, 59.42)))
    assert meets_boundary([around], "0123")
    assert meets_boundary([across], "0123")


def test_bounds_are_checked_in_the_configuration(tmp_path: Path) -> None:
    cfg = make_config(
        tmp_path, table("smhi", "smhi", "authority", path=SMHI, label="SMHI"), extra=""
    )
    with cfg.open("a", encoding="utf-8") as out:
        out.write("bounds = [59.3, 17.7, 59.5, 17.9]\n")
    from briefing import config as configuration

    with pytest.raises(ConfigError, match=r"sources.smhi.bounds: .*must lie in Sweden"):
        configuration.load(cfg)


def test_a_malformed_area_is_named_and_the_rest_kept(tmp_path: Path) -> None:
    warnings = json.loads((SMHI / "warning-1-active.json").read_text(encoding="utf-8"))
    bad_level = json.loads(json.dumps(warnings[0]["warningAreas"][0]))
    bad_level["warningLevel"]["code"] = "PURPLE"
    bad_shape = dict(bad_level, warningLevel={"code": "RED"}, area={"type": "Point"})
    warnings[0]["warningAreas"] += [bad_level, bad_shape]
    warnings.append({"id": 9})
    path = tmp_path / "warning.json"
    path.write_text(json.dumps(warnings, ensure_ascii=False), encoding="utf-8")
    found = fetch(path)
    assert found[:2] == ["1001-2001", "1003-2004"]
    assert found[2:] == [
        "smhi: warning.json: warning 0, area 2: unknown warning level 'PURPLE'",
        "smhi: warning.json: warning 0, area 3: area is not a GeoJSON Polygon or MultiPolygon "
        "('Point')",
        "smhi: warning.json: warning 4: no warningAreas",
    ]


def public_warning_sources(tmp: Path, **keys: Any) -> Path:
    """A config of the three public-warning kinds, replayed from the recorded fixtures;
    no `origin`: it defaults from the kind."""
    tables = [
        f"[sources.{name}]\nkind = {json.dumps(name)}\npath = {json.dumps(str(path))}\n"
        + "".join(f"{key} = {json.dumps(value)}\n" for key, value in keys.items())
        for name, path in (
            ("vma", DATA / "vma" / "v3-mixed.json"),
            ("krisinformation", DATA / "krisinformation"),
            ("smhi", SMHI / "warning-1-active.json"),
        )
    ]
    return make_config(tmp, *tables)


def test_sources_check_lists_every_public_warning_source(tmp_path: Path) -> None:
    cfg = public_warning_sources(tmp_path)
    result = CliRunner().invoke(
        app, ["sources", "check", "--config", str(cfg)], env={"COLUMNS": "160"}
    )
    assert result.exit_code == 0, result.stdout
    for name in ("vma", "krisinformation", "smhi"):
        line = next(line for line in result.stdout.splitlines() if f" {name} " in line)
        assert "│ ok " in line, line


def test_stale_after_is_honoured(tmp_path: Path) -> None:
    result = run(public_warning_sources(tmp_path, stale_after="36h"), *WINDOW, window=False)
    # Recorded in 2023 and 2026-11: silent for longer than 36 hours by now.
    assert {result.source(name)["status"] for name in ("vma", "krisinformation", "smhi")} == {
        "stale"
    }


HOSTILE = "Efterlyst 19850101-1234 \x1b[31mröd\x1b[0m\u202e text"


def test_the_border_masks_and_cleans_every_public_warning_kind(tmp_path: Path) -> None:
    vma = json.loads((DATA / "vma" / "v3-mixed.json").read_text(encoding="utf-8"))
    vma["alerts"][1]["info"][0]["description"] = HOSTILE
    kris = json.loads(
        (DATA / "krisinformation" / "derived" / "news-1-evening.json").read_text(encoding="utf-8")
    )
    kris[0]["Preamble"] = f"<p>{HOSTILE}</p>"
    smhi = json.loads((SMHI / "warning-1-active.json").read_text(encoding="utf-8"))
    smhi[0]["warningAreas"][0]["descriptions"][0]["text"]["sv"] = HOSTILE
    feeds = {"vma": vma, "krisinformation": kris, "smhi": smhi}
    for name, document in feeds.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(document), encoding="utf-8")
    tables = [table(name, name, "authority", path=tmp_path / f"{name}.json") for name in feeds]
    cfg = make_config(tmp_path, *tables)
    result = run(cfg, *WINDOW, window=False)
    assert result.code == 0, result.stdout
    summaries = {item["id"].partition(":")[0]: item["summary"] for item in result.doc["incidents"]
                 if "Efterlyst" in item["summary"]}  # fmt: skip
    assert set(summaries) == set(feeds)
    for summary in summaries.values():
        assert "[personnummer]" in summary and "1234" not in summary
        assert "\x1b" not in summary and "\u202e" not in summary
    with Store(tmp_path / "store.sqlite3") as store:
        state = [store.source_state(name) for name in feeds]
    assert not any("19850101" in value for saved in state for value in saved.values())


KRIS_EVENING = DATA / "krisinformation" / "derived" / "news-1-evening.json"
PUBLIC_WARNINGS = [
    pytest.param("vma", DATA / "vma" / "v3-mixed.json", 3, id="vma"),
    pytest.param("krisinformation", KRIS_EVENING, 3, id="krisinformation"),
    pytest.param("smhi", SMHI / "warning-1-active.json", 2, id="smhi"),
]


@pytest.mark.timeout(30)
@pytest.mark.parametrize(("kind", "payload", "count"), PUBLIC_WARNINGS)
def test_each_kind_over_http_sends_its_user_agent_and_asks_conditionally(
    tmp_path: Path, kind: str, payload: Path, count: int
) -> None:
    """The three kinds on a real server on 127.0.0.1 (tests/faultserver.py; the fault
    matrix of tests/test_faults.py has their failures)."""
    route = f"/feed/{kind}"
    with FaultServer(lifetime=30) as server:
        server.add(kind, payload.read_bytes(), "application/json", etag=f'"{kind}-1"')
        source = table(kind, kind, "authority", url=server.url(route), user_agent="Järfälla/1")
        cfg = make_config(tmp_path, source)
        first, second = run(cfg), run(cfg)
        seen = [r for r in server.requests if r.path.partition("?")[0] == route]
    assert first.code == 0, first.stdout
    assert (first.source(kind)["status"], first.source(kind)["fetched"]) == ("ok", count)
    assert (second.code, second.source(kind)["new"]) == (0, 0)
    assert {r.headers["User-Agent"] for r in seen} == {"Jarfalla/1"}
    if kind == "vma":  # two URLs a run, the municipality's and the county's, unconditionally
        assert {r.path for r in seen} == {f"{route}?geocode=0123", f"{route}?geocode=01"}
    else:
        assert seen[-1].headers["If-None-Match"] == f'"{kind}-1"'
