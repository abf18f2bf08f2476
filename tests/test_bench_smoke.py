"""The benchmarks under bench/ still work, at a tiny scale (the real run: `python bench/run.py`)."""

from __future__ import annotations

import gzip
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.request import urlopen
from zoneinfo import ZoneInfo

from bench import backlog, common, corpus, fetching, morning, rendering, run, startup, volume
from bench.loopback import Route, SlowServer
from briefing.models import _CONTROL, Origin, clean_text
from briefing.sources.polisen import parse_event

TZ = ZoneInfo("Europe/Stockholm")


def test_the_import_check_names_the_top_heavy_modules_only() -> None:
    loaded = {"typer", "briefing", "briefing.cli", "httpx", "httpx._client", "briefing.store"}
    assert startup.heavy_modules(loaded) == ["briefing.store", "httpx"]
    assert startup.heavy_modules({"typer", "briefing.cli", "briefing.errors"}) == []


def test_the_loopback_server_answers_slow_requests_at_once() -> None:
    routes = {f"/{n}": Route(b"ok", "text/plain", 0.2) for n in range(5)}
    with SlowServer(routes) as server, ThreadPoolExecutor(5) as pool:
        start = time.perf_counter()
        bodies = list(pool.map(lambda n: urlopen(server.url(f"/{n}")).read(), range(5)))
        elapsed = time.perf_counter() - start
    assert bodies == [b"ok"] * 5
    assert 0.2 <= elapsed < 0.6  # five at once, not one after another (1 s)


def test_the_fetch_benchmark_config_reads_every_kind_of_source(tmp_path: Path) -> None:
    feeds = tuple(f for f in fetching.FEEDS if f.name != "polisen_rss")  # the big feed is slow
    routes = {f"/{f.name}": Route(f.payload.read_bytes(), f.content_type, 0.05) for f in feeds}
    with SlowServer(routes) as server:
        config = fetching.write_config(tmp_path / "all.toml", server, feeds)
        seconds = fetching.today_seconds(config, tmp_path)  # raises if a source failed
    assert 0.05 <= seconds < 2


def test_a_replayed_event_is_fresh_and_moved_back_whole() -> None:
    original = backlog.snapshots()[0][0]
    moved = backlog.shifted(original, 2)
    before = parse_event(original, source="p", origin=Origin.POLICE, tz=TZ)
    after = parse_event(moved, source="p", origin=Origin.POLICE, tz=TZ)
    assert after.key != before.key
    assert before.published_at - after.published_at == timedelta(days=42)
    assert before.occurred_at and after.occurred_at
    assert before.occurred_at - after.occurred_at == timedelta(days=42)


def test_the_volume_pipeline_runs_every_stage_on_a_small_backlog(tmp_path: Path) -> None:
    # Two responses as the API gives them (the real corpus is not read by tests), the
    # second with an edit of an event of the first.
    records = list(backlog.replay(100))
    edit = dict(records[0], summary=records[0]["summary"] + " Uppdaterad.")
    path = tmp_path / "responses.json"
    assert corpus.write(path, iter([records[:60], [*records[60:], edit]])) == (2, 101)
    timings = volume.pipeline(path, tmp_path)
    floor = volume.floor(path)
    assert timings["events"] == floor["events"] == 101
    assert (timings["new"], timings["updated"], timings["unchanged"]) == (100, 1, 0)
    rows = volume.rows(timings, floor, peak_mb=100.0, floor_mb=50.0)
    assert [row.name for row in rows][:5] == [
        "volume: store → JSON, 101 events",
        "volume: store, save_batch per response",
        "volume: JSON, 100 incidents",
        "volume: place + classify",
        "volume: peak memory (RSS)",
    ]
    stages = {row.name.strip(): row for row in rows if row.name.startswith("  stage")}
    assert all(stages[f"stage: {s}"].figure for s in ("store", "window", "place", "classify"))


def test_a_missing_stage_is_not_yet_and_a_missed_target_fails() -> None:
    timings: volume.Timings = {"events": 1000, "place": 0.5, "classify": 0.5, "store": 0.005}
    timings |= {"fuse": "not yet (x)", "json": 0.02, "items": 1000}
    rows = volume.rows(timings, {"floor": 0.1}, peak_mb=500.0, floor_mb=50.0, label="2024")
    verdicts = {row.name.strip(): row.verdict for row in rows}
    assert verdicts["volume 2024: place + classify"] == "FAIL"
    assert verdicts["volume 2024: peak memory (RSS)"] == "FAIL"
    assert verdicts["volume 2024: store → JSON, 1,000 events"] == "FAIL"  # 10.25× the floor
    assert verdicts["volume 2024: store, save_batch per response"] == "pass"  # 200 000/s
    assert verdicts["volume 2024: JSON, 1,000 incidents"] == "FAIL"  # 50 000/s
    assert verdicts["stage: fuse (2024)"] == "not yet"


def test_the_morning_benchmark_runs_briefing_today_on_a_filled_store(tmp_path: Path) -> None:
    config = tmp_path / "sources.toml"
    config.write_text(morning.CONFIG, encoding="utf-8")
    # A corpus of 50 replayed events in the shared corpus's shape, one of them edited.
    records = list(backlog.replay(50))
    entries = [{"event": r, "first_seen": n, "last_seen": n + 5} for n, r in enumerate(records)]
    entries[0]["first_version"] = dict(records[0], summary="Först så här.")
    small = tmp_path / "corpus.json.gz"
    small.write_bytes(gzip.compress(json.dumps(entries).encode()))
    home = tmp_path / "home"
    home.mkdir()
    assert morning.fill(home, None, 1, small) == 51
    assert morning.today_seconds(home, config) > 0
    assert json.loads((home / "briefing.json").read_text("utf-8"))["schema"] == 1


def test_the_render_night_and_floor(tmp_path: Path) -> None:
    briefing = rendering.night(10)
    assert len(briefing.items) == 10
    assert rendering.floor_html(briefing).count("<li>") == 10


def test_results_are_written_between_the_markers(tmp_path: Path) -> None:
    path = tmp_path / "RESULTS.md"
    path.write_text(f"# Benchmarks\n\nprose\n\n{run.BEGIN}\nold\n{run.END}\n\nmore prose\n")
    row = common.Row("fetch", 1.1, "s", 1.0, "≤ 1.3×", True, "a note")
    run._write_results(path, "a machine", [row], 12.0)
    text = path.read_text()
    assert "prose" in text and "more prose" in text and "old" not in text
    assert "| fetch | 1.10 s | 1.00 s | 1.10× | ≤ 1.3× | pass |" in text


def _clean_text_without_fast_path(value: object, *, single_line: bool = False) -> str:
    text = "" if value is None else str(value)
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if single_line:
        text = text.replace("\n", " ")
    return re.sub(r"[ \t\u00a0]+", " ", text).strip()


def test_clean_text_fast_path_changes_nothing() -> None:
    # A speed-up made for the volume benchmark: clean text is returned as it is.
    samples = [
        "Brand i förråd, Kallhäll.",
        " lead",
        "trail ",
        "two  spaces",
        "tab\there",
        "nb\u00a0sp",
        "line\nbreak",
        "cr\r\nlf",
        "bell\x07",
        "c1\x85",
        "soft\xadhyphen",
        "em\u2003space",
        "sep\u2028line",
        "",
        None,
        42,
        "\u3000ideographic",
        "zero\u200bwidth",
    ]
    for sample in samples:
        for single_line in (False, True):
            expected = _clean_text_without_fast_path(sample, single_line=single_line)
            assert clean_text(sample, single_line=single_line) == expected, repr(sample)


def test_the_volume_figures_are_medians_of_interleaved_runs() -> None:
    runs: list[tuple[dict[str, float | int | str], float]] = [
        ({"store": 3.0, "json": 1.0, "events": 10, "note": "a"}, 100.0),
        ({"store": 1.0, "json": 9.0, "events": 10, "note": "b"}, 120.0),
        ({"store": 2.0, "json": 2.0, "events": 10, "note": "c"}, 110.0),
    ]
    assert volume.median_timings(runs) == {"store": 2.0, "json": 2.0, "events": 10, "note": "a"}
