"""A police site on 127.0.0.1 for whole runs of `briefing`: the events list and the
events' pages, real Järfälla events and their archived pages from tests/data.

Each event's `url` is rewritten to `/feed/page-<id>`: the API's addresses are read
as paths on polisen.se, and a source reads its pages from the site of its own
configured `url`, so the pages come from this server too. The FaultServer counts
every request (`server.hits(path)`).
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from briefing.sources.faultserver import FaultServer
from briefing.sources.polisen_details import cache_key
from briefing.sources.polisen_page import parse_page
from briefing.store import Store
from tests.builders import DATA

PAGES = DATA / "polisen-pages"
EXTRACT = DATA / "polisen" / "polisen-events-jarfalla-extract.json"
EVENTS_PATH = "/feed/events"


@cache
def _usable() -> tuple[dict[str, Any], ...]:
    """Real Järfälla events whose archived page has content, newest first."""
    extract = json.loads(EXTRACT.read_text(encoding="utf-8"))
    usable = [
        e
        for e in extract
        if e["name"].endswith("Järfälla") and (PAGES / f"{e['id']}.html").stat().st_size > 0
    ]
    return tuple(sorted(usable, key=lambda e: e["id"], reverse=True))


class FakeClock:
    """Real time at first; then only what the code under test sleeps moves it on."""

    def __init__(self) -> None:
        self.now = time.time()
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def serve_events(server: FaultServer, count: int) -> list[str]:
    """Serve the `count` newest usable events and their pages; their ids, newest first."""
    events = [{**e, "url": f"/feed/page-{e['id']}"} for e in _usable()[:count]]
    assert len(events) == count, f"only {len(events)} events with pages in tests/data"
    for event in events:
        page = (PAGES / f"{event['id']}.html").read_bytes()
        server.add(f"page-{event['id']}", page, "text/html; charset=utf-8")
    server.add("events", json.dumps(events).encode(), "application/json; charset=utf-8")
    return [str(e["id"]) for e in events]


def page_hits(server: FaultServer, ids: list[str]) -> list[int]:
    return [server.hits(f"/feed/page-{key}") for key in ids]


def page_text(key: str) -> str:
    return parse_page((PAGES / f"{key}.html").read_bytes()).text


def keep_pages(store_file: Path, ids: list[str]) -> None:
    """The pages of `ids` as if an earlier run had read them."""
    with Store(store_file) as store:
        for key in ids:
            store.save_page(cache_key(key), page_text(key), datetime.now(UTC))


def write_config(folder: Path, server: FaultServer, *, extra: str = "") -> Path:
    """A config with the police source on `server` (event pages on), and its store."""
    path = folder / "sources.toml"
    path.write_text(
        f"""[briefing]
municipality = "Järfälla"

[store]
path = "{folder / "briefing.sqlite3"}"

[sources.polisen]
kind = "polisen"
origin = "police"
label = "Polisen"
url = "{server.url(EVENTS_PATH)}"
details = true
timeout = 20
{extra}""",
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path
