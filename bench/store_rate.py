"""Store write rate: real police events saved in batches of 500, as fetches save them.

The three recorded police API snapshots (tests/data/polisen) are replayed with fresh ids
(bench.backlog) to the number of events asked for and parsed by the police adapter; then
only `Store.save_batch` is timed, on a file store (WAL) in a temporary folder: first every
event new, then the same batches again (every event unchanged, the re-run of a night), then
every event edited once (a new version each).

    python -m bench.store_rate [EVENTS]     (default 100 000)
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from bench import backlog
from bench.common import Row, machine
from briefing.models import Incident, Origin

EVENTS = 100_000
BATCH = 500  # events in one response of the police API
TARGET_RATE = 100_000.0  # events per second, new events (issue 13)
TZ = ZoneInfo("Europe/Stockholm")


@dataclasses.dataclass(frozen=True, slots=True)
class Rate:
    """One pass over every batch: events, wall and CPU seconds."""

    name: str
    events: int
    wall: float
    cpu: float

    @property
    def per_second(self) -> float:
        return self.events / self.wall

    @property
    def cpu_per_second(self) -> float:
        return self.events / self.cpu


def incidents(events: int) -> list[Incident]:
    """`events` replayed police events as the adapter parses them."""
    from briefing.sources.polisen import parse_event

    return [
        parse_event(record, source="polisen", origin=Origin.POLICE, tz=TZ)
        for record in backlog.replay(events)
    ]


def batches(items: Sequence[Incident], size: int = BATCH) -> list[Sequence[Incident]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def measure(items: Sequence[Incident], folder: Path) -> list[Rate]:
    """New, unchanged and updated passes over `items` in one fresh store under `folder`."""
    from briefing.store import Store

    edits = [dataclasses.replace(item, summary=item.summary + " (uppdaterad)") for item in items]
    with Store(folder / "briefing.sqlite3") as store:

        def saving(chunks: list[Sequence[Incident]]) -> Callable[[], None]:
            def save() -> None:
                for number, chunk in enumerate(chunks):
                    state = {"etag": f'"{number}"'}
                    store.save_batch("polisen", chunk, state, chunk[-1].published_at)

            return save

        return [
            _timed("new", len(items), saving(batches(items))),
            _timed("unchanged", len(items), saving(batches(items))),
            _timed("updated", len(edits), saving(batches(edits))),
        ]


def _timed(name: str, events: int, action: Callable[[], None]) -> Rate:
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return Rate(name, events, time.perf_counter() - wall, time.process_time() - cpu)


def run(events: int = EVENTS) -> list[Row]:
    """The rates as rows of bench/run.py's table; the target is on new events."""
    items = incidents(events)
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        rates = measure(items, Path(tmp))
    return [
        Row(
            f"store: save_batch, {rate.name}, {rate.events:,} events",
            rate.per_second,
            "/s",
            target=f"≥ {TARGET_RATE:,.0f}/s" if rate.name == "new" else "",
            ok=rate.per_second >= TARGET_RATE if rate.name == "new" else None,
            note=f"CPU {rate.cpu_per_second:,.0f}/s; batches of {BATCH}, a file store (WAL)",
        )
        for rate in rates
    ]


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    events = int(args[0]) if args else EVENTS
    print(machine())
    items = incidents(events)
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        rates = measure(items, Path(tmp))
    for rate in rates:
        print(
            f"{rate.name:>9}: {rate.events:,} events in {rate.wall:.2f} s = "
            f"{rate.per_second:,.0f} events/s (CPU {rate.cpu:.2f} s = "
            f"{rate.cpu_per_second:,.0f}/s)"
        )


if __name__ == "__main__":
    main()
