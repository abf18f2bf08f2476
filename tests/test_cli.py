"""The command line end to end, through typer's CliRunner, on recorded real data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.cli.today import parse_when
from briefing.errors import UsageError
from tests.schema_check import validate

SCHEMA_1 = json.loads(
    (Path(__file__).parent.parent / "briefing" / "data" / "schema-1.json").read_text("utf-8")
)

TZ = ZoneInfo("Europe/Stockholm")
DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden"
POLISEN = DATA / "polisen"
EXTRACT = POLISEN / "polisen-events-jarfalla-extract.json"
NEIGHBOURS = '["Sollentuna", "Upplands-Bro", "Upplands Väsby", "Sundbyberg", "Stockholm", "Ekerö"]'

runner = CliRunner()


def make_config(tmp_path: Path, sources: str, neighbours: str = NEIGHBOURS) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(
        f"""[briefing]
municipality = "Järfälla"
neighbours = {neighbours}

[store]
path = "{tmp_path / "store.sqlite3"}"

{sources}
""",
        encoding="utf-8",
    )
    return path


def polisen_source(path: Path, name: str = "polisen") -> str:
    return f'[sources.{name}]\nkind = "polisen"\norigin = "police"\npath = "{path}"\n'


def run_json(*args: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["today", "--format", "json", *args], catch_exceptions=False)
    assert result.stdout, result.stderr
    return result.exit_code, json.loads(result.stdout)


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("briefing ")


def test_demo_prints_a_briefing_and_exits_0() -> None:
    result = runner.invoke(app, ["today", "--demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "Järfälla" in result.stdout
    assert "DEMO" in result.stdout
    assert "\x1b" not in result.stdout
    assert not [line for line in result.stdout.splitlines() if line != line.rstrip()]


@pytest.mark.parametrize(
    ("fmt", "name"), [("terminal", "briefing-demo-terminal.txt"), ("html", "briefing-demo.html")]
)
def test_golden_demo(fmt: str, name: str) -> None:
    """`briefing today --demo` off a terminal (a pipe, cron) at a fixed width; and its page."""
    result = runner.invoke(app, ["today", "--demo", "-f", fmt], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.stderr
    golden = GOLDEN / name
    if os.environ.get("BRIEFING_REGEN_GOLDEN") == "1":
        golden.write_text(result.stdout, "utf-8")
    assert result.stdout == golden.read_text("utf-8"), "differs; BRIEFING_REGEN_GOLDEN=1 to update"


def test_demo_json_lists_incidents_with_judgements() -> None:
    code, doc = run_json("--demo")
    assert code == 0
    validate(doc, SCHEMA_1)
    assert doc["municipality"] == "Järfälla"
    jarfalla = [i for i in doc["incidents"] if i["municipality"] == "Järfälla"]
    assert len(doc["incidents"]) >= 5
    assert len(jarfalla) >= 3
    origins = {o for i in jarfalla for o in i["origins"]}
    assert {"police", "guards", "rescue"} <= origins
    for incident in doc["incidents"]:
        assert incident["severity"] in {"critical", "high", "medium", "low", "info"}
        assert incident["reasons"]
        assert incident["status"] == "new"
        assert "district" in incident


def test_extract_every_event_exactly_once_then_unchanged(tmp_path: Path) -> None:
    cfg = make_config(tmp_path, polisen_source(EXTRACT))
    window = ["--config", str(cfg), "--since", "2023-01-01", "--until", "2024-12-31"]
    expected = {str(e["id"]) for e in json.loads(EXTRACT.read_text(encoding="utf-8"))}
    assert len(expected) == 164

    code, first = run_json(*window)
    assert code == 0
    ids = Counter(i["id"].removeprefix("polisen:") for i in first["incidents"])
    assert set(ids) == expected
    assert max(ids.values()) == 1
    assert {i["status"] for i in first["incidents"]} == {"new"}
    before_ten = [i for i in first["incidents"] if int(i["published_at"][11:13]) < 10]
    assert len(before_ten) > 20

    code, second = run_json(*window)
    assert code == 0
    assert len(second["incidents"]) == 164
    assert {i["status"] for i in second["incidents"]} == {"unchanged"}


@pytest.mark.parametrize(
    "snapshot",
    [
        "polisen-events-2023-06-08-morning.json",
        "polisen-events-2026-01-20-location-switch.json",
        "polisen-events-2026-07-29-county-era.json",
    ],
)
def test_snapshots_yield_exactly_their_jarfalla_events(tmp_path: Path, snapshot: str) -> None:
    events = json.loads((POLISEN / snapshot).read_text(encoding="utf-8"))
    # Independent count: the municipality is the last ", " segment of the title.
    expected = {str(e["id"]) for e in events if e["name"].rsplit(", ", 1)[-1] == "Järfälla"}
    assert expected
    cfg = make_config(tmp_path, polisen_source(POLISEN / snapshot), neighbours="[]")
    code, doc = run_json("--config", str(cfg), "--since", "2020-01-01", "--until", "2027-01-01")
    assert code == 0
    got = [i["id"].removeprefix("polisen:") for i in doc["incidents"]]
    assert sorted(got) == sorted(expected)


def test_failing_source_next_to_a_working_one(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("<html>login</html>", encoding="utf-8")
    sources = polisen_source(EXTRACT) + "\n" + polisen_source(broken, name="trasig")
    cfg = make_config(tmp_path, sources)
    code, doc = run_json("--config", str(cfg), "--since", "2023-01-01", "--until", "2024-12-31")
    assert code == 3
    status = {s["name"]: s for s in doc["sources"]}
    assert status["polisen"]["status"] == "ok"
    assert status["trasig"]["status"] == "error"
    assert "broken.json" in status["trasig"]["error"]
    assert len(doc["incidents"]) == 164

    terminal = runner.invoke(app, ["today", "--config", str(cfg), "--no-fetch"])
    assert terminal.exit_code == 3
    assert "trasig" in terminal.stdout


def test_bad_config_exits_2_without_traceback(tmp_path: Path) -> None:
    cfg = tmp_path / "sources.toml"
    cfg.write_text('[briefing]\nmunicipality = "Gotham"\n', encoding="utf-8")
    result = runner.invoke(app, ["today", "--config", str(cfg)])
    assert result.exit_code == 2
    assert "briefing.municipality: 'Gotham' is not a Swedish municipality" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_bad_option_values_exit_2(tmp_path: Path) -> None:
    cfg = make_config(tmp_path, polisen_source(EXTRACT))
    for args in (["--format", "pdf"], ["--lang", "de"], ["--since", "yesterday"]):
        result = runner.invoke(app, ["today", "--config", str(cfg), *args])
        assert result.exit_code == 2, args
        assert result.stderr.startswith("briefing: ")


def test_output_file_is_written(tmp_path: Path) -> None:
    cfg = make_config(tmp_path, polisen_source(EXTRACT))
    out = tmp_path / "out" / "briefing.html"
    result = runner.invoke(
        app,
        ["today", "-c", str(cfg), "-f", "html", "-o", str(out), "--since", "2024-06-01"],
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html>")


def test_english(tmp_path: Path) -> None:
    result = runner.invoke(app, ["today", "--demo", "--lang", "en", "--format", "text"])
    assert result.exit_code == 0
    assert "briefing" in result.stdout.lower()
    assert "Säkerhetsbriefing" not in result.stdout


def test_sources_command_lists_health(tmp_path: Path) -> None:
    cfg = make_config(tmp_path, polisen_source(EXTRACT))
    runner.invoke(app, ["fetch", "--config", str(cfg)])
    result = runner.invoke(app, ["sources", "--config", str(cfg)])
    assert result.exit_code == 0
    assert "polisen" in result.stdout
    assert "never" not in result.stdout


@pytest.mark.slow  # a fresh interpreter
def test_installed_console_script_runs() -> None:
    """One real process: catches import-time errors and real exit codes."""
    proc = subprocess.run(
        [sys.executable, "-m", "briefing", "today", "--demo", "--format", "text"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Järfälla" in proc.stdout


def test_configured_templates_override_the_bundled_page(tmp_path: Path) -> None:
    folder = tmp_path / "mallar"
    folder.mkdir()
    (folder / "page.html.j2").write_text("<p>{{ view.title }}</p>\n", encoding="utf-8")
    cfg = make_config(tmp_path, polisen_source(EXTRACT))
    text = cfg.read_text(encoding="utf-8").replace(
        "[briefing]\n", '[briefing]\ntemplates = "mallar"\n'
    )
    cfg.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["today", "-c", str(cfg), "-f", "html", "--since", "2024-06-01"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("<p>Säkerhetsbriefing Järfälla")


def test_parse_when() -> None:
    assert parse_when("2024-12-31", TZ, day_end=True) == datetime(2025, 1, 1, tzinfo=TZ)
    assert parse_when("2024-12-31", TZ) == datetime(2024, 12, 31, tzinfo=TZ)
    local = parse_when("2024-06-01T08:30", TZ)
    assert local.utcoffset() == timedelta(hours=2)
    utc = parse_when("2024-06-01T06:30:00+00:00", TZ)
    assert utc == local
    with pytest.raises(UsageError, match="not an ISO 8601"):
        parse_when("igår", TZ)
