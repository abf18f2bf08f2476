"""Security: what a feed, a config or a drop folder must never make briefing do.

- no file:// URL or local path reaches feedparser or httpx;
- a relative path in the config stays inside the config file's folder, and a
  link in a drop folder cannot make briefing read a file outside it;
- the SMTP password never appears in output, errors or tracebacks;
- a config file every user may read gives a warning;
- personal identity numbers are masked in every output, whatever the source;
- hostile text is shown as text: no escape sequences, no rich markup, no HTML,
  no header injection, no control characters in the store.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import feedparser  # type: ignore[import-untyped]
import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.sources.faultserver import FaultServer
from briefing.sources.rss import parse_feed
from tests.builders import make_config, recorded_table, table
from tests.clirun import run
from tests.everywhere import store_text
from tests.smtp_server import smtp_server

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Europe/Stockholm")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
GUARD_COLUMNS = {"time": "Datum", "place": "Plats", "category": "Händelse", "text": "Beskrivning"}


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    with FaultServer(lifetime=120) as fault_server:
        yield fault_server


# --- no file:// and no local path from a URL ------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "file:// URLs are refused"),
        ("FILE:///etc/passwd", "file:// URLs are refused"),
        ("/etc/passwd", "not an http(s) URL"),
        ("feed://polisen.se/rss", "not an http(s) URL"),
        ("ftp://polisen.se/x", "not an http(s) URL"),
    ],
)
def test_a_url_that_is_not_http_is_a_config_error(tmp_path: Path, url: str, message: str) -> None:
    cfg = make_config(tmp_path, table("lan", "rss", "police", url=url))
    result = runner.invoke(app, ["today", "-c", str(cfg)])
    assert result.exit_code == 2
    assert re.search(rf"sources\.toml:\d+: sources\.lan\.url: {re.escape(message)}", result.stderr)


def test_feedparser_is_given_a_stream_never_a_path(tmp_path: Path) -> None:
    secret = tmp_path / "hemlig.xml"
    secret.write_text(
        '<rss version="2.0"><channel><item><title>HEMLIG</title></item></channel></rss>',
        encoding="utf-8",
    )
    # The premise: bare bytes that spell a path make feedparser open the file.
    assert feedparser.parse(str(secret).encode()).entries[0].title == "HEMLIG"
    assert parse_feed(str(secret).encode()).entries == []  # briefing wraps them in a stream
    with pytest.raises(TypeError, match="bytes only"):
        parse_feed(str(secret))  # type: ignore[arg-type]


_AUDIT: list[tuple[str, str]] = []
_LISTENING: list[bool] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _LISTENING and event in ("open", "socket.connect", "urllib.Request"):
        _AUDIT.append((event, repr(args)[:120]))


sys.addaudithook(_audit)  # stays for the process: it records only while _LISTENING


def test_external_entities_and_dtds_open_no_file_and_no_socket(server: FaultServer) -> None:
    hostile = f"""<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "{server.url("/evil.dtd")}" [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
  <!ENTITY % remote SYSTEM "{server.url("/param.dtd")}">
  %remote;
]>
<rss version="2.0"><channel><title>&xxe;</title>
<item><title>Brand &xxe;</title><guid>x</guid></item></channel></rss>
""".encode()
    _LISTENING.append(True)
    try:
        parsed = parse_feed(hostile)
    finally:
        _LISTENING.clear()
    assert _AUDIT == []
    assert "root:" not in json.dumps(parsed.entries, default=str)
    assert server.hits("/evil.dtd") == 0 and server.hits("/param.dtd") == 0


# --- paths stay inside the configured folders ------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [("path", "../../etc"), ("path", "inkorg/../../etc"), ("path", "utlank")],
)
def test_a_relative_path_may_not_leave_the_config_folder(
    tmp_path: Path, key: str, value: str
) -> None:
    (tmp_path / "inkorg").mkdir()
    (tmp_path / "utlank").symlink_to("/etc")  # a link out of the folder: followed, then refused
    cfg = make_config(
        tmp_path, table("vakter", "csv", "guards", columns=GUARD_COLUMNS, **{key: value})
    )
    result = runner.invoke(app, ["today", "-c", str(cfg)])
    assert result.exit_code == 2
    assert (
        f"sources.vakter.{key}: '{value}' leads outside the config file's folder" in result.stderr
    )


def test_the_store_and_templates_paths_obey_the_same_rule(tmp_path: Path) -> None:
    cfg = make_config(tmp_path, recorded_table(tmp_path))
    text = cfg.read_text(encoding="utf-8").replace(
        'municipality = "Järfälla"\n', 'municipality = "Järfälla"\ntemplates = "../mallar"\n', 1
    )
    cfg.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["today", "-c", str(cfg)])
    assert result.exit_code == 2
    assert "briefing.templates: '../mallar' leads outside" in result.stderr


def test_an_absolute_path_is_the_administrators_choice(tmp_path: Path) -> None:
    elsewhere = tmp_path / "annan" / "inkorg"
    elsewhere.mkdir(parents=True)
    config_folder = tmp_path / "conf"
    config_folder.mkdir()
    cfg = make_config(
        config_folder, table("vakter", "csv", "guards", path=elsewhere, columns=GUARD_COLUMNS)
    )
    assert runner.invoke(app, ["today", "-c", str(cfg)]).exit_code == 0


def test_a_link_in_a_drop_folder_to_a_file_outside_is_not_read(tmp_path: Path) -> None:
    inbox = tmp_path / "inkorg"
    inbox.mkdir()
    outside = tmp_path / "privat.csv"
    outside.write_text("Datum;Plats;Händelse;Beskrivning\n2023-06-07 22:00;X;Y;HEMLIGT\n", "utf-8")
    (inbox / "smuggel.csv").symlink_to(outside)
    (inbox / "vakter.csv").write_text(
        "Datum;Plats;Händelse;Beskrivning\n2023-06-07 21:00;Viksjö;Bråk;Vanlig rapport.\n", "utf-8"
    )
    cfg = make_config(
        tmp_path, table("vakter", "csv", "guards", path="inkorg", columns=GUARD_COLUMNS)
    )
    result = run(cfg, fmt="text")
    assert result.code == 0
    assert "Vanlig rapport." in result.stdout and "HEMLIGT" not in result.stdout
    assert "smuggel.csv: a link to outside" in " ".join(result.stdout.split())


# --- the config file and the SMTP password ---------------------------------------------------


def test_a_config_file_others_may_change_or_read_gives_a_warning(tmp_path: Path) -> None:
    cfg = make_config(tmp_path, recorded_table(tmp_path))
    cfg.chmod(0o644)  # no [email]: nothing personal in it, no noise every morning
    assert "warning" not in runner.invoke(app, ["sources", "-c", str(cfg)]).stderr
    cfg.chmod(0o666)
    result = runner.invoke(app, ["sources", "-c", str(cfg)])
    assert f"warning: {cfg} may be changed by other users" in result.stderr
    with cfg.open("a", encoding="utf-8") as file:
        file.write(
            '\n[email]\nhost = "smtp.example.se"\nfrom = "b@example.se"\nto = ["c@example.se"]\n'
        )
    cfg.chmod(0o644)
    result = runner.invoke(app, ["sources", "-c", str(cfg)])
    assert f"warning: {cfg} is readable by every user on this machine" in result.stderr
    cfg.chmod(0o640)
    assert "warning" not in runner.invoke(app, ["sources", "-c", str(cfg)]).stderr


def test_tracebacks_never_show_local_variables() -> None:
    assert app.pretty_exceptions_show_locals is False


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_the_smtp_password_is_never_printed_not_even_with_debug(tmp_path: Path) -> None:
    password = "Hemligt-L0senord-9x"
    with smtp_server(login=("briefing", "ett-annat"), echo_login=True) as (recorder, port):
        cfg = make_config(
            tmp_path,
            recorded_table(tmp_path),
            extra=f"""[email]
host = "127.0.0.1"
port = {port}
security = "none"
username = "briefing"
from = "sakerhet@jarfalla.se"
to = ["chef@jarfalla.se"]
timeout = 10

""",
        )
        env = {**os.environ, "BRIEFING_SMTP_PASSWORD": password, "PYTHONPATH": str(ROOT)}
        for extra in ([], ["--debug"]):
            proc = subprocess.run(
                [sys.executable, "-m", "briefing", "today", "-c", str(cfg), "--email", *extra],
                capture_output=True, text=True, timeout=60, env=env, cwd=ROOT, check=False,
            )  # fmt: skip
            assert proc.returncode in (1, 4), proc.stderr
            assert password not in proc.stdout + proc.stderr
        assert recorder.logins and recorder.logins[0][1] == password  # it was really sent


# --- personnummer, masked in every output, whatever the source -------------------------------

PNR_POLICE = "19850101-1234"
PNR_FEED = "850101+1234"
PNR_GUARD = "850101-1234"


MONTHS = "januari februari mars april maj juni juli augusti september oktober november december"
MONTHS_LIST = MONTHS.split()


def stamp(moment: datetime) -> str:
    """Polisen's format: "2026-11-27 7:19:49 +01:00"."""
    offset = moment.strftime("%z")
    return f"{moment:%Y-%m-%d} {moment.hour}:{moment:%M:%S} {offset[:3]}:{offset[3:]}"


def hostile_sources(tmp: Path, server: FaultServer) -> Path:
    now = datetime.now(TZ)
    events = [
        {
            "id": 880001,
            "datetime": stamp(now),
            "name": f"{now:%d} {MONTHS_LIST[now.month - 1]} {now:%H.%M}, Misshandel, Järfälla",
            "summary": f"Man, {PNR_POLICE}, greps. \x1b[31mRÖD\x1b[0m \x1b]52;c;ZXZpbA==\x07 "
            "\u202eberättelse baklänges\u202c \u200bosynlig "
            "[/] [link=https://evil.example]klicka[/link] [bold red]RÖD[/] "
            "Brand\r\nBcc: evil@example.com\x00",
            "url": "javascript:alert(1)",
            "type": "Misshandel",
            "location": {"name": "Järfälla", "gps": "59.4,17.8"},
        }
    ]
    server.add("hostile.json", json.dumps(events).encode(), "application/json")
    item = (
        f"<item><title>Brand [bold red]RÖD[/] {PNR_FEED}, Järfälla</title><guid>h-1</guid>"
        "<link>javascript:alert(1)</link>"
        "<description>&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
        f" Inget datum här.</description><pubDate>{format_datetime(now - timedelta(hours=1))}"
        "</pubDate></item>"
        f"<item><title>Utan datum {PNR_FEED}</title><guid>h-2-{PNR_FEED}</guid></item>"
    )
    feed = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{item}</channel></rss>'
    )
    server.add("hostile.xml", feed.encode(), "application/rss+xml")
    inbox = tmp / "inkorg"
    inbox.mkdir()
    when = now - timedelta(hours=2)
    row = f"{when:%Y-%m-%d %H:%M};Jakobsbergs centrum;Bråk;Vakten tog {PNR_GUARD}."
    (inbox / "vakter.csv").write_text(f"Datum;Plats;Händelse;Beskrivning\n{row}\n", "utf-8")
    return make_config(
        tmp,
        table("polis", "polisen", "police", url=server.url("/feed/hostile.json"), timeout=2),
        table("lan", "rss", "authority", url=server.url("/feed/hostile.xml"), timeout=2,
              municipality="Järfälla"),
        table("vakter", "csv", "guards", path="inkorg", columns=GUARD_COLUMNS),
    )  # fmt: skip


@pytest.fixture
def hostile(tmp_path: Path, server: FaultServer) -> tuple[Path, dict[str, str]]:
    """The config, and the briefing in every format (fetched once; the others from the store)."""
    cfg = hostile_sources(tmp_path, server)
    outputs = {"json": run(cfg, window=False).stdout}
    for fmt in ("terminal", "text", "markdown", "html"):
        outputs[fmt] = run(cfg, "--no-fetch", fmt=fmt, window=False).stdout
    return cfg, outputs


def test_personnummer_are_masked_in_every_output_and_the_store(
    hostile: tuple[Path, dict[str, str]],
) -> None:
    cfg, outputs = hostile
    for fmt, output in outputs.items():
        for number in (PNR_POLICE, PNR_FEED, PNR_GUARD, "8501011234"):
            assert number not in output, fmt
    assert "[personnummer]" in outputs["text"]
    assert "Utan datum [personnummer]" in " ".join(outputs["text"].split())  # a warning too
    for table_name, text in store_text(cfg.parent / "store.sqlite3"):
        assert "850101" not in text, table_name


def test_hostile_text_is_shown_as_text_everywhere(hostile: tuple[Path, dict[str, str]]) -> None:
    cfg, outputs = hostile
    for fmt, output in outputs.items():
        assert not CONTROL.search(output.replace("\n", "").replace("\t", "")), fmt
    terminal = outputs["terminal"]
    assert "[/]" in terminal and "[link=https://evil.example]klicka[/link]" in terminal
    assert "[bold red]RÖD[/]" in terminal, terminal
    page = outputs["html"]
    assert "<script" not in page.lower() and "onerror=" not in page.lower()
    assert "javascript:" not in re.sub(r">[^<]*<", "><", page)  # never in a tag or attribute
    document = json.loads(outputs["json"])
    assert all(i["url"] is None for i in document["incidents"] if i["id"].startswith("polis:"))
    assert "Bcc: evil@example.com" in " ".join(outputs["text"].split())  # one line of text
    for table_name, text in store_text(cfg.parent / "store.sqlite3"):
        assert not CONTROL.search(text.replace("\n", "").replace("\t", "")), table_name


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_hostile_text_adds_no_recipient_and_no_header_to_the_email(
    tmp_path: Path, server: FaultServer
) -> None:
    cfg = hostile_sources(tmp_path, server)
    with smtp_server() as (recorder, port):
        with cfg.open("a", encoding="utf-8") as file:
            file.write(
                f'\n[email]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
                'from = "sakerhet@jarfalla.se"\nto = ["chef@jarfalla.se"]\n'
            )
        result = runner.invoke(app, ["today", "-c", str(cfg), "--email", "-q"])
        assert result.exit_code == 0, result.stderr
    [received] = recorder.received
    assert received.rcpt_tos == ["chef@jarfalla.se"]
    message = received.message
    assert "evil" not in str(message["Subject"]) and message["Bcc"] is None
    raw = received.raw.decode("utf-8", "replace")
    for number in (PNR_POLICE, PNR_FEED, PNR_GUARD):
        assert number not in raw
    body = message.get_body(("plain",))
    assert body is not None, "no text/plain part"
    text = body.get_content()
    assert not CONTROL.search(text.replace("\n", "").replace("\t", "").replace("\r", ""))


def test_store_text_sees_every_table(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (a TEXT)")
        conn.execute("INSERT INTO t VALUES ('850101-1234')")
    assert list(store_text(path)) == [("t", "850101-1234")]


def test_a_personnummer_in_a_guid_stays_out_of_the_store_and_keeps_the_entry_stable(
    hostile: tuple[Path, dict[str, str]],
) -> None:
    cfg, _ = hostile
    # The feed again (not the police API: its terms want 10 s between calls).
    text = cfg.read_text(encoding="utf-8")
    start = text.index("[sources.polis]")
    cfg.write_text(text[:start] + text[text.index("[sources.lan]") :], encoding="utf-8")
    run(cfg, window=False)  # the undated entry again: still the same incident, one version
    with sqlite3.connect(cfg.parent / "store.sqlite3") as conn:
        versions = conn.execute(
            "SELECT COUNT(*) FROM incident_versions WHERE incident_id LIKE 'lan:%h-2-%'"
        ).fetchone()[0]
    assert versions == 1
    for table_name, text in store_text(cfg.parent / "store.sqlite3"):
        assert "850101" not in text, table_name
