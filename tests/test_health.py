"""Source health: "nothing happened" and "we heard nothing" never look alike.

A source that failed, or has reported nothing for longer than its
`stale_after`, is named at the top of every briefing and makes the exit code 3;
`briefing sources check` tests every source now; `briefing store check` says
whether the store is sound.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.errors import ConfigError
from briefing.judge import health
from briefing.models import Origin, SourceReport
from briefing.render.health import banner
from briefing.sources.base import SourceSettings
from briefing.store import Store
from tests.builders import make_config, recorded_ids, recorded_table, table
from tests.clirun import run

runner = CliRunner()
GUARD_COLUMNS = {"time": "Datum", "place": "Plats", "category": "Händelse", "text": "Beskrivning"}
HEADER = "Datum;Plats;Händelse;Beskrivning"
# Thursday 8 June 2023, 08:30: the morning of the replays below.
MORNING = "2023-06-08T08:30"


def flat(text: str) -> str:
    return " ".join(text.split())


def guards(tmp: Path, *rows: str, stale_after: str | None = "36h") -> str:
    """A guard company's drop folder with one CSV holding `rows` (none: a header only)."""
    folder = tmp / "inkorg"
    folder.mkdir(exist_ok=True)
    (folder / "vakter.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return table(
        "ordningsvakter",
        "csv",
        "guards",
        label="Ordningsvakter",
        path=folder,
        columns=GUARD_COLUMNS,
        **({"stale_after": stale_after} if stale_after else {}),
    )


def replay(cfg: Path, *args: str, fmt: str = "text") -> tuple[int, str]:
    result = runner.invoke(app, ["today", "-c", str(cfg), "-f", fmt, "--now", MORNING, *args])
    return result.exit_code, result.stdout


# --- stale: the banner, the status, the exit code --------------------------------------------


def test_a_silent_source_is_stale_with_the_banner_at_the_top(tmp_path: Path) -> None:
    cfg = make_config(tmp_path, guards(tmp_path, "2023-06-06 18:02;Kallhäll;Klotter;Text."))
    code, text = replay(cfg)
    assert code == 3
    top = flat(text[: text.index("Källor")])
    assert "Ordningsvakter: ingen rapport sedan tis 18:02 — kontrollera" in top
    assert "inaktuell" in text and "senaste rapport tis 18:02" in flat(text)
    code, document = replay(cfg, fmt="json")
    assert code == 3 and '"status": "stale"' in document


def test_a_source_that_reported_within_stale_after_is_ok(tmp_path: Path) -> None:
    cfg = make_config(tmp_path, guards(tmp_path, "2023-06-07 23:10;Kallhäll;Klotter;Text."))
    code, text = replay(cfg)
    assert code == 0
    assert "VARNING" not in text and "kontrollera" not in text


def test_a_source_that_never_reported_is_stale(tmp_path: Path) -> None:
    cfg = make_config(tmp_path, guards(tmp_path))  # a header, no reports, ever
    code, text = replay(cfg)
    assert code == 3
    assert "Ordningsvakter: ingen rapport ännu — kontrollera" in flat(text)


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "html"])
def test_the_banner_is_in_every_format(tmp_path: Path, fmt: str) -> None:
    cfg = make_config(tmp_path, guards(tmp_path, "2023-06-06 18:02;Kallhäll;Klotter;Text."))
    code, output = replay(cfg, fmt=fmt)
    assert code == 3
    assert "Ordningsvakter: ingen rapport sedan tis 18:02 — kontrollera" in flat(output)


def test_the_banner_in_english(tmp_path: Path) -> None:
    cfg = make_config(tmp_path, guards(tmp_path, "2023-06-06 18:02;Kallhäll;Klotter;Text."))
    code, text = replay(cfg, "--lang", "en")
    assert code == 3
    assert "Ordningsvakter: no report since Tue 18:02 — check it" in flat(text)


def test_stale_holds_without_fetching_too(tmp_path: Path) -> None:
    cfg = make_config(tmp_path, guards(tmp_path, "2023-06-06 18:02;Kallhäll;Klotter;Text."))
    replay(cfg)
    code, text = replay(cfg, "--no-fetch")
    assert code == 3
    assert "ingen rapport sedan tis 18:02" in flat(text)


def test_nothing_happened_and_we_heard_nothing_never_look_alike(tmp_path: Path) -> None:
    quiet = make_config(tmp_path, guards(tmp_path, "2023-06-07 23:10;Stockholm;Klotter;Text."))
    code, text = replay(quiet, "--since", "2023-06-08T00:00")
    assert code == 0
    assert "Inga händelser rapporterade i Järfälla." in text
    assert "fungerade inte" not in text and "VARNING" not in text

    deaf = tmp_path / "deaf"
    deaf.mkdir()
    missing = table("ordningsvakter", "csv", "guards", path=deaf / "saknas", columns=GUARD_COLUMNS)
    code, text = replay(make_config(deaf, missing), "--since", "2023-06-08T00:00")
    assert code == 3
    assert "Inga händelser rapporterade i Järfälla." in text
    assert "minst en källa fungerade inte" in flat(text)
    assert "ordningsvakter: hämtningen misslyckades, ingen rapport ännu — kontrollera" in flat(text)


def test_a_failed_source_says_when_it_last_reported(tmp_path: Path) -> None:
    cfg = make_config(tmp_path, guards(tmp_path, "2023-06-07 18:02;Kallhäll;Klotter;Text."))
    assert replay(cfg)[0] == 0
    (tmp_path / "inkorg" / "vakter.csv").unlink()
    (tmp_path / "inkorg").rmdir()
    code, text = replay(cfg)
    assert code == 3
    assert "Ordningsvakter: hämtningen misslyckades, ingen rapport sedan ons 18:02" in flat(text)


# --- the health kept per source ----------------------------------------------------------------


def test_health_counts_failures_problems_and_keeps_the_last_success(tmp_path: Path) -> None:
    rows = ["2023-06-07 18:40;Viksjö;Klotter;Text.", "igår;Viksjö;Klotter;Text."]
    cfg = make_config(tmp_path, guards(tmp_path, *rows, stale_after=None), recorded_table(tmp_path))
    assert run(cfg).code == 0
    with Store(tmp_path / "store.sqlite3") as store:
        first = store.health("ordningsvakter")
    assert (first.consecutive_failures, first.last_problems, first.last_count) == (0, 1, 1)
    for file in (tmp_path / "inkorg").iterdir():
        file.unlink()
    (tmp_path / "inkorg").rmdir()
    for _ in range(2):
        result = run(cfg)
        assert result.code == 3
        assert recorded_ids() <= result.ids("inspelad")
    with Store(tmp_path / "store.sqlite3") as store:
        failed = store.health("ordningsvakter")
    assert failed.consecutive_failures == 2
    assert failed.last_success == first.last_success
    assert failed.last_error is not None and "no such file or folder" in failed.last_error


def test_assess_marks_stale_by_the_latest_report_not_the_latest_fetch(tmp_path: Path) -> None:
    now = datetime(2026, 11, 27, 7, 30, tzinfo=UTC)
    settings = SourceSettings.model_validate(
        {"kind": "csv", "origin": "guards", "path": tmp_path, "stale_after": "2d"}
    )
    assert settings.stale_after == timedelta(days=2)
    assert not health.is_stale(settings, now - timedelta(hours=47), now)
    assert health.is_stale(settings, now - timedelta(hours=49), now)
    assert health.is_stale(settings, None, now)
    never = SourceSettings(kind="csv", origin=Origin.GUARDS, path=tmp_path)
    assert not health.is_stale(never, None, now)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("36h", timedelta(hours=36)), ("2d", timedelta(days=2)), ("90m", timedelta(minutes=90)),
     (12, timedelta(hours=12)), ("1.5d", timedelta(hours=36))],
)  # fmt: skip
def test_stale_after_reads_hours_days_and_minutes(value: object, expected: timedelta) -> None:
    settings = SourceSettings.model_validate(
        {"kind": "rss", "origin": "police", "url": "https://x.se/", "stale_after": value}
    )
    assert settings.stale_after == expected


@pytest.mark.parametrize("value", ["soon", "0h", "-3h", "36 timmar", True])
def test_a_bad_stale_after_is_a_config_error_with_file_and_line(
    tmp_path: Path, value: object
) -> None:
    from briefing import config

    text = table("lan", "rss", "police", url="https://x.se/feed", stale_after=value)
    cfg = make_config(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        config.load(cfg)
    assert re.search(r"sources\.toml:\d+: sources\.lan\.stale_after: ", caught.value.problems[0])
    result = runner.invoke(app, ["today", "-c", str(cfg)])
    assert result.exit_code == 2


def test_banner_wording_for_a_never_fetched_failure() -> None:
    report = SourceReport("x", "rss", Origin.POLICE, "error", error="boom")
    assert banner("sv", report, "Länsstyrelsen", None, None) == (
        "Länsstyrelsen: hämtningen misslyckades, ingen rapport ännu — kontrollera"
    )
    assert banner("sv", SourceReport("x", "rss", Origin.POLICE, "ok"), "L", None, None) == ""


# --- briefing sources check, briefing fetch, briefing store check ----------------------------


def test_sources_check_tests_every_source_and_prints_a_table(tmp_path: Path) -> None:
    cfg = make_config(
        tmp_path,
        guards(tmp_path, "2023-06-06 18:02;Kallhäll;Klotter;Text."),
        recorded_table(tmp_path),
        table("trasig", "csv", "guards", path=tmp_path / "saknas", columns=GUARD_COLUMNS),
    )
    result = runner.invoke(app, ["sources", "check", "-c", str(cfg)], env={"COLUMNS": "200"})
    assert result.exit_code == 3
    lines = [line for line in result.stdout.splitlines() if re.search(r"\w", line)]
    order = [next(i for i, line in enumerate(lines) if name in line) for name in
             ("trasig", "Ordningsvakter", "Inspelad polis")]  # fmt: skip
    assert order == sorted(order)  # failures first, then stale, then the healthy
    assert "no such file or folder" in result.stdout
    assert re.search(r"Ordningsvakter\W+csv\W+stale\W", result.stdout)
    assert re.search(r"Inspelad polis\W+polisen\W+ok\W+12\W+12\W", result.stdout)


def test_sources_check_exits_0_when_all_is_well(tmp_path: Path) -> None:
    cfg = make_config(tmp_path, recorded_table(tmp_path))
    result = runner.invoke(app, ["sources", "check", "-c", str(cfg)])
    assert result.exit_code == 0
    listing = runner.invoke(app, ["sources", "-c", str(cfg)], env={"COLUMNS": "200"})
    assert listing.exit_code == 0 and "Inspelad polis" in listing.stdout


def test_fetch_exits_3_for_a_stale_source(tmp_path: Path) -> None:
    cfg = make_config(tmp_path, guards(tmp_path, "2020-01-01 18:02;Kallhäll;Klotter;Text."))
    result = runner.invoke(app, ["fetch", "-c", str(cfg)])
    assert result.exit_code == 3
    assert "inaktuell" in result.stdout


def test_store_check_on_a_sound_store(tmp_path: Path) -> None:
    cfg = make_config(tmp_path, recorded_table(tmp_path))
    result = runner.invoke(app, ["store", "check", "-c", str(cfg)])
    assert (result.exit_code, result.stdout.strip()) == (
        0,
        f"store {tmp_path / 'store.sqlite3'}: not made yet",
    )
    run(cfg)
    result = runner.invoke(app, ["store", "check", "-c", str(cfg)])
    assert result.exit_code == 0 and result.stdout.strip().endswith(": ok")


def test_store_check_reports_a_file_that_is_not_a_store(tmp_path: Path) -> None:
    cfg = make_config(tmp_path, recorded_table(tmp_path))
    (tmp_path / "store.sqlite3").write_bytes(b"inte en databas\n" * 400)
    result = runner.invoke(app, ["store", "check", "-c", str(cfg)])
    assert result.exit_code == 6
    assert "is not a briefing store or is damaged" in result.stderr
    assert "move it aside" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_store_check_reports_damaged_pages(tmp_path: Path) -> None:
    cfg = make_config(tmp_path, recorded_table(tmp_path))
    run(cfg)
    path = tmp_path / "store.sqlite3"
    with Store(path):
        pass  # a clean close folds the write-ahead log into the file
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")  # the page size, from the file's header
    data[3 * page : 6 * page] = b"\xff" * (3 * page)  # pages 4-6, not the header
    path.write_bytes(bytes(data))
    result = runner.invoke(app, ["store", "check", "-c", str(cfg)])
    assert result.exit_code == 6, result.stdout
    assert result.stderr.startswith(f"briefing: store {path}: ")
    today = run(cfg)  # the briefing says so too, instead of crashing
    assert today.code == 1
    assert "Traceback" not in today.stderr


def test_a_gone_url_is_asked_again_once_the_config_names_another() -> None:
    from briefing.store import Health

    settings = SourceSettings(kind="rss", origin=Origin.POLICE, url="https://ny.example/feed")
    gone = Health("lan", None, None, 1, "HTTP 404", 0, 0, gone="https://gammal.example/feed")
    assert health.should_ask(settings, gone)
    assert not health.should_ask(
        settings, Health("lan", None, None, 1, "", 0, 0, gone=settings.url)
    )
    assert health.should_ask(settings, Health("lan", None, None, 0, None, 0))


def test_the_sources_listing_counts_unreadable_records(tmp_path: Path) -> None:
    rows = ["2023-06-07 18:40;Viksjö;Klotter;Text.", "igår;Viksjö;Klotter;Text."]
    cfg = make_config(tmp_path, guards(tmp_path, *rows, stale_after=None))
    runner.invoke(app, ["fetch", "-c", str(cfg)])
    listing = runner.invoke(app, ["sources", "-c", str(cfg)], env={"COLUMNS": "200"})
    assert listing.exit_code == 0
    assert re.search(r"Ordningsvakter\W.*\W0\W+1\W", listing.stdout), listing.stdout
