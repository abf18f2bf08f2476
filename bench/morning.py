"""The 08:30 figure: `briefing today --no-fetch` on a store of one year of Sweden, and of
four, against the same run on an empty store.

The stores are filled with the police corpus replayed as the API's responses, edits
included (bench.corpus): the 2024 year, and the whole 2023–2024 corpus ×2 (four years,
2021–2024). Then `python -m briefing today --no-fetch --now 2024-12-31T08:30 -f json -o
FILE` runs in a fresh interpreter on each, interleaved, `RUNS` times; the figure is the
median. The config names the police source (never fetched) and Järfälla.

    python -m bench.morning [CORPUS]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from bench import corpus
from bench.common import Row, run_python

RUNS = 5
TARGET = 1.5  # × the same run on an empty store
NOW = "2024-12-31T08:30"
TZ = ZoneInfo("Europe/Stockholm")
CONFIG = """\
[briefing]
municipality = "Järfälla"
neighbours = ["Sollentuna", "Upplands-Bro", "Upplands Väsby", "Sundbyberg", "Stockholm", "Ekerö"]

[sources.polisen]
kind = "polisen"
origin = "police"
url = "http://127.0.0.1:9/api/events"
"""
# (label, years of the corpus, copies)
STORES = (("one year", ("2024",), 1), ("four years", None, 2))


def fill(home: Path, years: tuple[str, ...] | None, copies: int, path: Path) -> int:
    """A store under `home` with the replayed corpus, one save per response; its events."""
    from briefing.models import Origin
    from briefing.sources.polisen import parse_event
    from briefing.store import Store

    events = 0
    with Store(home / "briefing.sqlite3") as store:
        for response in corpus.scaled(path, copies, years):
            batch = [
                parse_event(record, source="polisen", origin=Origin.POLICE, tz=TZ)
                for record in response
            ]
            store.save_batch("polisen", batch, {}, max(i.published_at for i in batch))
            events += len(batch)
    return events


def today_seconds(home: Path, config: Path) -> float:
    out = home / "briefing.json"
    start = time.perf_counter()
    args = ["-m", "briefing", "today", "--no-fetch", "--now", NOW, "-c", str(config)]
    run_python([*args, "-f", "json", "-o", str(out)], env_extra={"BRIEFING_HOME": str(home)})
    return time.perf_counter() - start


def run(path: Path | None = None, runs: int = RUNS) -> list[Row]:
    source = path or corpus.DEFAULT
    with tempfile.TemporaryDirectory(prefix="bench-morning-") as tmp:
        folder = Path(tmp)
        config = folder / "sources.toml"
        config.write_text(CONFIG, encoding="utf-8")
        homes = {"empty": folder / "empty"}
        events = {"empty": 0}
        homes["empty"].mkdir()
        for label, years, copies in STORES:
            homes[label] = folder / label.replace(" ", "-")
            homes[label].mkdir()
            events[label] = fill(homes[label], years, copies, source)
        times: dict[str, list[float]] = {label: [] for label in homes}
        for _ in range(runs):  # interleaved, so a busy moment of the machine hits all alike
            for label, home in homes.items():
                times[label].append(today_seconds(home, config))
    floor = statistics.median(times["empty"])
    rows = []
    for label, _, _ in STORES:
        figure = statistics.median(times[label])
        rows.append(
            Row(
                f"08:30: `briefing today --no-fetch`, {label} of Sweden",
                figure,
                "s",
                floor,
                f"≤ {TARGET:g}× empty store",
                figure <= TARGET * floor,
                f"{events[label]:,} events stored; median of {runs} fresh interpreters, "
                f"interleaved with the empty store; --now {NOW}; "
                f"margin {(TARGET - figure / floor) / TARGET:+.0%}",
            )
        )
    return rows


def main(argv: list[str]) -> None:
    for row in run(Path(argv[0]) if argv else None):
        print(f"{row.name}: {row.figure:.3f} s, empty {row.floor:.3f} s, {row.ratio:.2f}×")


if __name__ == "__main__":
    main(sys.argv[1:])
