"""Pages by default, without a slow morning: `briefing fetch` from cron reads the police's
list and the new events' pages during the night, within the police's terms, so the
morning's `briefing today` finds them kept and waits for nothing.

Whole commands against a police site on 127.0.0.1 that counts every request
(tests/polisen_site.py), through the real HTTP client, rate limits and SQLite store;
only the clock is a test's, so a night of runs 20 minutes apart takes a second.
"""

from __future__ import annotations

import itertools
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing import config
from briefing.cli import app, common
from briefing.errors import ExitStatus
from briefing.sources.faultserver import FaultServer
from briefing.sources.http import HttpClient
from briefing.sources.polisen import PolisenSettings
from briefing.sources.polisen_details import HOUR_RESERVE, cache_key
from briefing.store import Store
from tests import polisen_site as site
from tests.builders import TZ
from tests.clirun import WINDOW
from tests.polisen_site import FakeClock

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


class Night:
    """Runs of `briefing` on one store, on a clock the test moves on between runs."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, cfg: Path) -> None:
        self.cfg = cfg
        self.clock = FakeClock()
        monkeypatch.setattr(common, "http", self._http)

    def _http(self, store: Store, stack: ExitStack) -> HttpClient:
        clock = self.clock
        return stack.enter_context(
            HttpClient(call_log=store, sleep=clock.sleep, wall_clock=clock.time)
        )

    def run(self, *args: str) -> tuple[int, str, list[float]]:
        """One command; its exit code, output and the waits it made; then 20 minutes pass."""
        before = len(self.clock.slept)
        result = runner.invoke(app, [*args, "-c", str(self.cfg)])
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        self.clock.now += 20 * 60
        return result.exit_code, result.stdout + result.stderr, self.clock.slept[before:]

    def calls(self) -> list[float]:
        with Store(self.cfg.parent / "briefing.sqlite3") as store:
            return sorted(store.recent_calls("polisen.se", 0))


def test_the_shipped_config_reads_the_pages() -> None:
    polisen = config.load(ROOT / "sources.toml").sources["polisen"]
    assert isinstance(polisen, PolisenSettings)
    assert polisen.details is True
    assert polisen.details_per_fetch > polisen.details_per_run  # the night reads more


def test_the_night_reads_the_pages_and_the_morning_waits_for_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FaultServer() as server:
        ids = site.serve_events(server, 12)
        night = Night(monkeypatch, site.write_config(tmp_path, server))

        code, said, waits = night.run("fetch", "--quiet")
        assert (code, said) == (ExitStatus.OK, "")
        assert site.page_hits(server, ids) == [1] * 10 + [0, 0]  # details_per_fetch, newest first
        assert waits == [pytest.approx(10.0)] * 10  # 10 s before each page, after the list

        code, said, waits = night.run("fetch")  # 20 minutes later: the two left
        assert code == ExitStatus.OK and "Polisen" in said
        assert site.page_hits(server, ids) == [1] * 12
        assert len(waits) == 2

        code, said, waits = night.run("today", "--format", "json", *WINDOW)  # the morning
        assert code == ExitStatus.OK, said
        assert waits == []  # no 10-second rule: the last call was 20 minutes ago
        assert server.hits(site.EVENTS_PATH) == 3
        assert site.page_hits(server, ids) == [1] * 12  # every page from the store
    with Store(tmp_path / "briefing.sqlite3") as store:
        assert all(store.page(cache_key(key)) == site.page_text(key) for key in ids)
        stored = store.window(datetime(2020, 1, 1, tzinfo=TZ), datetime(2030, 1, 1, tzinfo=TZ))
        texts = {s.incident.key: s.incident.text for s in stored}
    assert texts.keys() == set(ids) and all(texts.values())


def test_the_morning_reads_only_the_pages_since_the_last_fetch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FaultServer() as server:
        ids = site.serve_events(server, 8)
        night = Night(monkeypatch, site.write_config(tmp_path, server))
        site.keep_pages(tmp_path / "briefing.sqlite3", ids[2:])  # read during the night
        code, said, waits = night.run("today", "--format", "json", *WINDOW)
        assert code == ExitStatus.OK, said
        assert site.page_hits(server, ids) == [1, 1] + [0] * 6
        assert waits == [pytest.approx(10.0)] * 2


def test_fetches_every_20_minutes_keep_the_police_terms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even asked for 50 pages a run, runs three times an hour never make more than 60
    calls in any hour, never two within 10 s, and leave the list its last calls."""
    with FaultServer(lifetime=120) as server:
        ids = site.serve_events(server, 120)
        cfg = site.write_config(tmp_path, server, extra="details_per_fetch = 50\n")
        night = Night(monkeypatch, cfg)
        first = night.run("fetch")
        first_read = sum(site.page_hits(server, ids))
        later = [night.run("fetch") for _ in range(5)]  # two hours in all
        assert server.hits(site.EVENTS_PATH) == 6  # the list in every run
        read = sum(site.page_hits(server, ids))
    assert all(code == ExitStatus.OK for code, _, _ in [first, *later])
    assert first_read == 60 - HOUR_RESERVE - 1  # the list, then pages until 10 calls are left
    assert "the hour's remaining calls are kept for the API" in first[1]
    assert "left for a later run" not in first[1]  # the budget stopped it, not the cap
    assert "the hour's remaining calls are kept for the API" in later[0][1]  # 20 minutes on
    assert first_read < read < 2 * first_read  # the second hour reads pages again
    calls = night.calls()
    assert len(calls) == 6 + read
    assert min(b - a for a, b in itertools.pairwise(calls)) >= 10.0
    in_an_hour = max(sum(1 for c in calls if start <= c < start + 3600) for start in calls)
    assert 60 - HOUR_RESERVE <= in_an_hour <= 60
