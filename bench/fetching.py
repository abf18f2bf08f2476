"""Fetching: every source of a run at once, so a run waits only for its slowest source.

Five sources, each answering after `DELAY` seconds from the loopback server,
with the payloads of a real Järfälla configuration: the police events API (500
events), a police RSS feed (200 items), a second, small feed, and the guards'
and the rescue service's CSV exports. The figure is `pipeline.today` (fetch,
store, window, judge) with all five; the floor is the same with only the
slowest single source. The CLI rows run `briefing today` in a fresh
interpreter the same two ways.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bench.common import DATA, REPO, Row, run_python
from bench.loopback import Route, SlowServer

TARGET = 1.3
DELAY = 1.0
RUNS = 3
DEMO = REPO / "briefing" / "data" / "demo"
HEADER = """\
[briefing]
municipality = "Järfälla"
neighbours = ["Sollentuna", "Upplands-Bro", "Upplands Väsby", "Sundbyberg", "Stockholm", "Ekerö"]
"""


@dataclass(frozen=True, slots=True)
class Feed:
    name: str
    payload: Path
    content_type: str
    table: str  # the source's TOML keys besides `url`


FEEDS = (
    Feed(
        "polisen",
        DATA / "polisen" / "polisen-events-2023-06-08-morning.json",
        "application/json",
        'kind = "polisen"\norigin = "police"',
    ),
    Feed(
        "polisen_rss",
        DATA / "polisen-rss-blekinge-2022.xml",
        "application/rss+xml",
        'kind = "rss"\norigin = "police"',
    ),
    Feed(
        "nyheter",
        DATA / "rss" / "polisen-rss-new-year.xml",
        "application/rss+xml",
        'kind = "rss"\norigin = "authority"',
    ),
    Feed(
        "ordningsvakter",
        DEMO / "ordningsvakter" / "EXEMPEL-ordningsvakter-2023-06-07.csv",
        "text/csv",
        'kind = "csv"\norigin = "guards"\ndelimiter = ";"\nencoding = "cp1252"\n'
        'columns = { time = "Datum", place = "Plats", category = "Händelse", '
        'text = "Beskrivning" }',
    ),
    Feed(
        "raddningstjanst",
        DEMO / "raddningstjanst" / "EXEMPEL-raddningstjanst-2023-06-08.csv",
        "text/csv",
        'kind = "csv"\norigin = "rescue"\ndelimiter = ","\n'
        'columns = { time = "Larmtid", category = "Händelsetyp", place = "Adress", '
        'text = "Beskrivning" }',
    ),
)


def run(runs: int = RUNS, delay: float = DELAY, cli: bool = True) -> list[Row]:
    routes = {
        f"/{feed.name}": Route(feed.payload.read_bytes(), feed.content_type, delay)
        for feed in FEEDS
    }
    with SlowServer(routes) as server, tempfile.TemporaryDirectory(prefix="bench-fetch-") as tmp:
        folder = Path(tmp)
        all_five = write_config(folder / "all.toml", server, FEEDS)
        solo = {
            feed.name: write_config(folder / f"{feed.name}.toml", server, (feed,)) for feed in FEEDS
        }
        figure = statistics.median(today_seconds(all_five, folder) for _ in range(runs))
        floors = {
            name: statistics.median(today_seconds(path, folder) for _ in range(runs))
            for name, path in solo.items()
        }
        slowest = max(floors, key=floors.__getitem__)
        rows = [
            Row(
                f"fetch: pipeline.today, {len(FEEDS)} sources × {delay:g} s",
                figure,
                "s",
                floors[slowest],
                f"≤ {TARGET}× slowest source",
                figure <= TARGET * floors[slowest],
                f"floor: {slowest} alone; one after another would take "
                f"{sum(floors.values()):.1f} s",
            )
        ]
        if cli:
            rows.append(_cli_row(all_five, solo[slowest], slowest, folder, runs, delay))
    return rows


def _cli_row(
    all_five: Path, solo: Path, slowest: str, folder: Path, runs: int, delay: float
) -> Row:
    figure = statistics.median(cli_seconds(all_five, folder, n) for n in range(runs))
    floor = statistics.median(cli_seconds(solo, folder, runs + n) for n in range(runs))
    return Row(
        f"fetch: `briefing today` CLI, {len(FEEDS)} sources × {delay:g} s",
        figure,
        "s",
        floor,
        f"≤ {TARGET}× slowest source",
        figure <= TARGET * floor,
        f"floor: the same command with {slowest} alone; fresh interpreter and store",
    )


def write_config(path: Path, server: SlowServer, feeds: tuple[Feed, ...]) -> Path:
    tables = [f'[sources.{f.name}]\n{f.table}\nurl = "{server.url("/" + f.name)}"' for f in feeds]
    path.write_text(HEADER + "\n" + "\n\n".join(tables) + "\n", encoding="utf-8")
    return path


@contextmanager
def _fresh_store(folder: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        yield Path(tmp)


def today_seconds(config_path: Path, folder: Path) -> float:
    """Wall time of one `pipeline.today` on a fresh store; every source must succeed."""
    from briefing import config, pipeline
    from briefing.sources.http import HttpClient
    from briefing.store import Store

    cfg = config.load(config_path)
    with (
        _fresh_store(folder) as home,
        Store(home / "briefing.sqlite3") as store,
        HttpClient(call_log=store) as http,
    ):
        start = time.perf_counter()
        result = pipeline.today(cfg, store, http, now=datetime.now(cfg.tz))
        seconds = time.perf_counter() - start
    failed = [report.name for report in result.sources if not report.ok]
    if failed:
        raise RuntimeError(f"fetch benchmark: sources failed: {failed}: {result.sources}")
    return seconds


def cli_seconds(config_path: Path, folder: Path, n: int) -> float:
    """Wall time of `python -m briefing today` in a fresh interpreter and store."""
    with _fresh_store(folder) as home:
        out = home / "briefing.json"
        start = time.perf_counter()
        run_python(
            ["-m", "briefing", "today", "-c", str(config_path), "-f", "json", "-o", str(out)],
            env_extra={"BRIEFING_HOME": str(home)},
        )
        return time.perf_counter() - start
