"""Progress where a person waits: a line per source on a terminal while `briefing today`
and `briefing fetch` fetch (fetching, the police's 10-second rule counted down, event
page n of m), and nothing of it off a terminal, with --quiet or on TERM=dumb.

The whole runs are real processes on a real pseudo-terminal (os.openpty) against a
police site on 127.0.0.1 (tests/polisen_site.py); the wait is the real rate limit,
made short by a call the store's log says was made a few seconds before.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from briefing import config, pipeline
from briefing.cli.progress import Board, wanted
from briefing.errors import FetchError
from briefing.sources.base import Source
from briefing.sources.faultserver import FaultServer
from briefing.sources.http import HttpClient
from briefing.sources.progress import Progress
from briefing.store import Store
from tests import polisen_site as site
from tests.builders import TZ, build
from tests.polisen_site import FakeClock
from tests.test_cron import run as as_cron

ROOT = Path(__file__).resolve().parent.parent
COUNTDOWN = re.compile(r"Polisen: väntar (\d+) s \(högst ett anrop per 10 s\)")
PROGRESS_WORDS = ("väntar", "hämtar …", "händelsesida", "klar", "\x1b[2K")


# --- what the library reports -----------------------------------------------------------


@dataclass
class Recorder(Progress):
    """Every event a source reports, in order."""

    events: list[tuple[object, ...]]

    def fetching(self) -> None:
        self.events.append(("fetching",))

    def waiting(self, seconds: float, *, interval: float | None = None) -> None:
        self.events.append(("waiting", round(seconds), interval))

    def pages(self, current: int, total: int) -> None:
        self.events.append(("pages", current, total))

    def done(self, *, ok: bool) -> None:
        self.events.append(("done", ok))


def test_a_source_reports_its_fetch_its_waits_and_its_pages(tmp_path: Path) -> None:
    with FaultServer() as server:
        ids = site.serve_events(server, 3)
        cfg = config.load(site.write_config(tmp_path, server, extra="details_per_run = 2\n"))
        events: list[tuple[object, ...]] = []
        told: list[str] = []

        def progress(adapter: Source) -> Progress:
            told.append(adapter.label)
            return Recorder(events)

        clock = FakeClock()
        with Store(tmp_path / "briefing.sqlite3") as store:
            store.record_call("polisen.se", clock.now - 7)  # a call 7 s ago: 3 s to wait
            http = HttpClient(call_log=store, sleep=clock.sleep, wall_clock=clock.time)
            with http:
                (report,) = pipeline.fetch_all(
                    cfg, store, http, datetime.now(TZ), progress=progress
                )
    assert report.status == "ok"
    assert told == ["Polisen"]
    assert events == [
        ("fetching",),
        ("waiting", 3, 10.0),  # the events list, 10 s after the call before
        ("pages", 1, 2),
        ("waiting", 10, 10.0),
        ("pages", 2, 2),  # details_per_run = 2: the third page is left for a later run
        ("waiting", 10, 10.0),
        ("done", True),
    ]
    assert site.page_hits(server, ids) == [1, 1, 0]


def test_a_failing_source_reports_its_retry_and_its_end() -> None:
    events: list[tuple[object, ...]] = []
    clock = FakeClock()
    with (
        FaultServer() as server,
        HttpClient(sleep=clock.sleep, wall_clock=clock.time) as http,
        pytest.raises(FetchError, match="HTTP 503"),
    ):
        http.get(server.url("/status/503?retry_after=2"), progress=Recorder(events))
    assert events == [("waiting", 2, None), ("waiting", 2, None)]  # three attempts


def test_the_line_counts_down_and_says_which_page() -> None:
    clock = FakeClock()
    board = Board("sv", clock=clock.time)
    police = board(_labelled("Polisen"))
    guards = board(_labelled("Ordningsvakter"))
    police.fetching()
    guards.fetching()
    assert board.text() == "Polisen: hämtar …\nOrdningsvakter: hämtar …"
    police.waiting(2.2, interval=10.0)
    guards.done(ok=True)
    assert board.text().splitlines() == [
        "Polisen: väntar 3 s (högst ett anrop per 10 s)",
        "Ordningsvakter: klar",
    ]
    clock.now += 1.5
    assert board.text().splitlines()[0] == "Polisen: väntar 1 s (högst ett anrop per 10 s)"
    clock.now += 1
    assert board.text().splitlines()[0] == "Polisen: hämtar …"  # the wait is over
    police.pages(2, 5)
    police.waiting(9.5, interval=10.0)
    assert board.text().splitlines()[0] == (
        "Polisen: händelsesida 2 av 5, väntar 10 s (högst ett anrop per 10 s)"
    )
    police.waiting(4)  # a retry, not the rate limit
    assert board.text().splitlines()[0] == "Polisen: händelsesida 2 av 5, försöker igen om 4 s"
    police.done(ok=False)
    assert board.text().splitlines()[0] == "Polisen: misslyckades"
    english = Board("en", clock=clock.time)
    english(_labelled("Police\x1b[31m")).waiting(3, interval=10)
    assert english.text() == "Police[31m: waiting 3 s (one call per 10 s at most)"


def _labelled(label: str) -> Source:
    return build("csv", origin="guards", label=label, path="drops", columns={"time": "Datum"})


def test_progress_is_wanted_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not wanted(quiet=False)  # pytest's stderr is not a terminal
    master, slave = os.openpty()
    try:
        with open(slave, "w", closefd=False) as terminal:
            monkeypatch.setattr(sys, "stderr", terminal)
            monkeypatch.setenv("TERM", "xterm-256color")
            assert wanted(quiet=False)
            assert not wanted(quiet=True)
            monkeypatch.setenv("TERM", "dumb")
            assert not wanted(quiet=False)
    finally:
        os.close(master)
        os.close(slave)


# --- whole runs, on a terminal and off it -------------------------------------------------


def prepared(tmp_path: Path, server: FaultServer, *, kept: int = 2) -> tuple[Path, list[str]]:
    """A config on `server` with two events (ids newest first), the pages of the oldest
    `kept` in the store, and in its log a call to the police 7 s ago: the events list
    waits 3 s for the 10-second rule, a page read after it 10 s."""
    ids = site.serve_events(server, 2)
    path = site.write_config(tmp_path, server)
    site.keep_pages(tmp_path / "briefing.sqlite3", ids[2 - kept :])
    with Store(tmp_path / "briefing.sqlite3") as store:
        store.record_call("polisen.se", time.time() - 7)
    return path, ids


def environment(**extra: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name != "NO_COLOR"}
    return {**env, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color", **extra}


def in_terminal(*args: str, env: dict[str, str]) -> tuple[int, str]:
    """`briefing` with stdin, stdout and stderr on a pseudo-terminal of 120 × 40; what the
    terminal received."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefing", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=ROOT,
        env=env,
    )
    os.close(slave)
    received: list[bytes] = []
    deadline = time.monotonic() + 60
    try:
        while (left := deadline - time.monotonic()) > 0:
            if not select.select([master], [], [], left)[0]:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the process closed the terminal
                break
            if not chunk:
                break
            received.append(chunk)
        code = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        proc.kill()
        proc.wait()
        os.close(master)
    return code, b"".join(received).decode("utf-8", "replace")


@pytest.mark.timeout(90)
def test_on_a_terminal_briefing_today_counts_the_wait_down(tmp_path: Path) -> None:
    with FaultServer() as server:
        cfg, _ = prepared(tmp_path, server)
        code, screen = in_terminal("today", "-c", str(cfg), env=environment())
        assert server.hits(site.EVENTS_PATH) == 1
    assert code == 0, screen
    counted = [int(n) for n in COUNTDOWN.findall(screen)]
    assert counted, screen[:2000]
    assert counted == sorted(counted, reverse=True) and set(counted) <= {1, 2, 3}
    assert "Säkerhetsbriefing Järfälla" in screen  # and then the briefing, as always
    last = screen.rindex("Polisen: väntar")
    assert screen.index("Säkerhetsbriefing Järfälla") > last  # the line was gone before it


@pytest.mark.timeout(90)
def test_off_a_terminal_nothing_of_it(tmp_path: Path) -> None:
    with FaultServer() as server:
        cfg, _ = prepared(tmp_path, server)
        started = time.monotonic()
        run = as_cron("today", "-c", str(cfg), env={"FORCE_COLOR": "1", "TERM": "xterm"})
        waited = time.monotonic() - started
        assert server.hits(site.EVENTS_PATH) == 1
    assert run.returncode == 0, run.stderr
    assert waited >= 2  # it did wait for the rule, silently
    assert run.stderr == ""
    assert not [word for word in PROGRESS_WORDS if word in run.stdout], run.stdout[:2000]
    assert run.stdout.startswith("Säkerhetsbriefing Järfälla")
    assert "\x1b" not in run.stdout


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_on_a_terminal_briefing_fetch_says_which_page_it_reads(tmp_path: Path) -> None:
    with FaultServer() as server:
        cfg, ids = prepared(tmp_path, server, kept=1)
        code, screen = in_terminal("fetch", "-c", str(cfg), env=environment(NO_COLOR="1"))
        assert site.page_hits(server, ids) == [1, 0]
    assert code == 0, screen
    paging = re.findall(r"Polisen: händelsesida 1 av 1, väntar (\d+) s", screen)
    assert paging and int(paging[0]) >= 9 and int(paging[-1]) <= 2  # the whole 10 s counted
    assert "\x1b[3" not in screen  # NO_COLOR: no colours, only cursor movements
    assert "Polisen" in screen.rsplit("\x1b[2K", 1)[1]  # then the sources table


@pytest.mark.slow
@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    ("args", "extra"), [(("--quiet",), {}), ((), {"TERM": "dumb"})], ids=["quiet", "dumb"]
)
def test_on_a_terminal_with_quiet_or_term_dumb_nothing_of_it(
    tmp_path: Path, args: tuple[str, ...], extra: dict[str, str]
) -> None:
    with FaultServer() as server:
        cfg, _ = prepared(tmp_path, server)
        code, screen = in_terminal("today", "-c", str(cfg), *args, env=environment(**extra))
        assert server.hits(site.EVENTS_PATH) == 1
    assert code == 0, screen
    assert "väntar" not in screen and "hämtar" not in screen
    assert ("Säkerhetsbriefing" in screen) == (not args)
