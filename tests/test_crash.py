"""Nothing lost: a run killed at any point is made good by the next one.

A real `python -m briefing today --email` process is killed with SIGKILL (no
cleanup, no `finally`: what a power cut or the OOM killer does) at a chosen
point by the test hook in tests/crashhook/sitecustomize.py, which Python loads
at start-up from PYTHONPATH; `briefing` itself has no hook. The sources are a
feed on the fault server (with an ETag, to see which validator the next run
sends) and a guard company's CSV drop; the e-mail goes to a real SMTP server.

The next run, without the hook, must show every incident, send the briefing
exactly once, and must not have skipped anything because a validator ran ahead
of what was stored.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from briefing.sources.faultserver import FaultServer
from briefing.store import Store
from tests.smtp_server import smtp_server

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

ROOT = Path(__file__).resolve().parent.parent
HOOK = Path(__file__).resolve().parent / "crashhook"
TZ = ZoneInfo("Europe/Stockholm")
FEED_TITLES = ("Brand i förråd, Järfälla", "Skadegörelse på skola, Järfälla")
GUARD_TEXTS = ("Ungdomar samlade vid torget.", "Man avvisad från centrumet.")


def feed(now: datetime) -> bytes:
    items = "".join(
        f"<item><title>{title}</title><guid>krasch-{n}</guid>"
        f"<description>{title}.</description>"
        f"<pubDate>{format_datetime(now - timedelta(hours=n + 1))}</pubDate></item>"
        for n, title in enumerate(FEED_TITLES)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Länsstyrelsen</title>{items}</channel></rss>"
    ).encode()


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Path, FaultServer, object]]:
    now = datetime.now(TZ)
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    rows = [
        f"{now - timedelta(hours=3 + n):%Y-%m-%d %H:%M};Jakobsbergs centrum;Ordning;{text}"
        for n, text in enumerate(GUARD_TEXTS)
    ]
    header = "Datum;Plats;Händelse;Beskrivning\n"
    (inbox / "vakter.csv").write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    with FaultServer() as server, smtp_server() as (recorder, port):
        url = server.add("lan", feed(now), "application/rss+xml", etag='"v1"')
        cfg = tmp_path / "sources.toml"
        cfg.write_text(
            f"""[briefing]
municipality = "Järfälla"

[store]
path = "{tmp_path / "store.sqlite3"}"

[sources.lan]
kind = "rss"
origin = "authority"
url = "{url}"
municipality = "Järfälla"
timeout = 5

[sources.vakter]
kind = "csv"
origin = "guards"
path = "inkorg"
columns = {{ time = "Datum", place = "Plats", category = "Händelse", text = "Beskrivning" }}

[email]
host = "127.0.0.1"
port = {port}
security = "none"
from = "sakerhet@jarfalla.se"
to = ["chef@jarfalla.se"]
timeout = 10
""",
            encoding="utf-8",
        )
        cfg.chmod(0o600)
        yield cfg, server, recorder


def briefing(cfg: Path, kill_at: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HOOK), str(ROOT)])}
    env.pop("BRIEFING_TEST_KILL_AT", None)
    if kill_at:
        env["BRIEFING_TEST_KILL_AT"] = kill_at
    return subprocess.run(
        [sys.executable, "-m", "briefing", "today", "-c", str(cfg), "-f", "text", "--email"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=ROOT,
        check=False,
    )


def feed_requests(server: FaultServer) -> list[dict[str, str]]:
    return [seen.headers for seen in server.requests if seen.path == "/feed/lan"]


@pytest.mark.parametrize(
    ("point", "stored_before_the_kill"),
    [
        ("store", False),  # fetched, nothing stored
        ("mid-store", False),  # killed inside the store's transaction
        ("render", True),  # stored and judged, nothing shown
        ("email", True),  # stored and shown, the e-mail not made
        ("transmit", True),  # the e-mail in the outbox, not sent
    ],
)
def test_the_next_run_recovers_every_incident_and_sends_once(
    setup: tuple[Path, FaultServer, object], point: str, stored_before_the_kill: bool
) -> None:
    cfg, server, recorder = setup
    killed = briefing(cfg, kill_at=point)
    assert killed.returncode == -9, killed.stderr  # SIGKILL: no clean-up ran
    assert recorder.received == []  # type: ignore[attr-defined]

    again = briefing(cfg)
    assert again.returncode == 0, again.stderr
    shown = " ".join(again.stdout.split())
    for text in (*FEED_TITLES, *GUARD_TEXTS):
        assert text in shown, (point, text)
    assert shown.count(" NY ") == 4, shown  # nobody saw them before: still news

    # The feed's validator moved only with what was stored.
    second = feed_requests(server)[1]
    assert ("If-None-Match" in second) == stored_before_the_kill

    [message] = recorder.received  # type: ignore[attr-defined]
    body = " ".join(message.message.get_body(("plain",)).get_content().split())
    for text in (*FEED_TITLES, *GUARD_TEXTS):
        assert text in body
    with Store(cfg.parent / "store.sqlite3") as store:
        assert store.check() == []

    third = briefing(cfg)  # the same morning again: nothing new, nothing sent twice
    assert third.returncode == 0, third.stderr
    assert len(recorder.received) == 1  # type: ignore[attr-defined]
