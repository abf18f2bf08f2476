"""Every place a briefing's text ends up, for the tests that say "never anywhere".

`every_output(cfg)` fetches once (JSON), then renders the stored briefing in every
other format, writes the intranet site, e-mails it to a real SMTP server on
127.0.0.1, lists the sources, and reads every text cell of every table of the
store. Each text is named ("html", "site/index.html", "email/plain", "store/pages"
…), so a failure says where the text got through.
"""

from __future__ import annotations

import html
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from typer.testing import CliRunner

from briefing.cli import app
from tests.builders import make_config, table
from tests.clirun import run
from tests.smtp_server import smtp_server

FORMATS = ("terminal", "text", "markdown", "html")
runner = CliRunner()


@dataclass
class Outputs:
    texts: dict[str, str] = field(default_factory=dict)
    raw_mail: bytes = b""

    def items(self) -> Iterator[tuple[str, str]]:
        """Every text, also HTML-unescaped and JSON-decoded where that shows more."""
        for name, text in self.texts.items():
            yield name, text
            if "&" in text:
                yield f"{name} (unescaped)", html.unescape(text)
            if name.endswith(".json") or name == "json":
                try:
                    decoded = json.dumps(json.loads(text), ensure_ascii=False)
                except ValueError:
                    continue
                yield f"{name} (decoded)", decoded


GUARD_COLUMNS = {"time": "Datum", "place": "Plats", "category": "Händelse", "text": "Beskrivning"}
RSS_HEAD = (
    '<?xml version="1.0"?><rss version="2.0" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>'
)


def three_sources(folder: Path, events: list[dict[str, object]], items: str, rows: str) -> Path:
    """A config of a police file (`events`), an RSS file (`items`, RSS <item>s) and a guards'
    CSV drop (`rows` under the header Datum;Plats;Händelse;Beskrivning), all in Järfälla."""
    police = folder / "polis.json"
    police.write_text(json.dumps(events), encoding="utf-8")
    feed = folder / "lan.xml"
    feed.write_text(f"{RSS_HEAD}{items}</channel></rss>", encoding="utf-8")
    inbox = folder / "inkorg"
    inbox.mkdir()
    (inbox / "vakter.csv").write_text(f"Datum;Plats;Händelse;Beskrivning\n{rows}", "utf-8")
    return make_config(
        folder,
        table("polis", "polisen", "police", path=police),
        table("lan", "rss", "authority", path=feed, municipality="Järfälla"),
        table("vakter", "csv", "guards", path="inkorg", columns=GUARD_COLUMNS,
              municipality="Järfälla"),
    )  # fmt: skip


def every_output(cfg: Path, *, email: bool = True, args: tuple[str, ...] = ()) -> Outputs:
    """The briefing of `cfg` (its store next to it) everywhere it can be shown or kept."""
    found = Outputs()
    fetched = run(cfg, *args, window=False)
    found.texts["json"] = fetched.stdout
    found.texts["stderr (fetch)"] = fetched.stderr
    for fmt in FORMATS:
        shown = run(cfg, "--no-fetch", *args, fmt=fmt, window=False)
        found.texts[fmt] = shown.stdout
        found.texts[f"stderr ({fmt})"] = shown.stderr
    site = cfg.parent / "site"
    made = run(cfg, "--no-fetch", "--site", str(site), *args, fmt="text", window=False)
    found.texts["stderr (site)"] = made.stderr
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        found.texts[f"site/{path.relative_to(site)}"] = path.read_text("utf-8", "replace")
    listed = runner.invoke(app, ["sources", "--config", str(cfg)])
    found.texts["sources"] = listed.stdout + listed.stderr
    if email:
        _mail(cfg, found, args)
    for name, text in store_text(cfg.parent / "store.sqlite3"):
        found.texts[f"store/{name}/{len(found.texts)}"] = text
    return found


def _mail(cfg: Path, found: Outputs, args: tuple[str, ...]) -> None:
    original = cfg.read_text(encoding="utf-8")
    with smtp_server() as (recorder, port):
        cfg.write_text(
            original + f'\n[email]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
            'from = "sakerhet@jarfalla.se"\nto = ["chef@jarfalla.se"]\ntimeout = 10\n',
            encoding="utf-8",
        )
        try:
            sent = run(cfg, "--no-fetch", "--email", "--force", *args, fmt="text", window=False)
        finally:
            cfg.write_text(original, encoding="utf-8")
    found.texts["stderr (email)"] = sent.stderr
    assert recorder.received, f"no e-mail arrived: {sent.stderr}"
    received = recorder.received[-1]
    found.raw_mail = received.raw
    found.texts["email/raw"] = received.raw.decode("utf-8", "replace")
    message = received.message
    found.texts["email/subject"] = str(message["Subject"])
    for part in message.walk():
        if part.get_content_maintype() == "text" and not part.is_multipart():
            found.texts[f"email/{part.get_content_subtype()}"] = part.get_content()


def _mail_parts(payload: bytes) -> Iterator[str]:
    """The text parts of a kept e-mail as a client shows them (QP, base64 decoded)."""
    message = message_from_bytes(payload, _class=EmailMessage, policy=policy.default)
    yield str(message.get("Subject", ""))
    for part in message.walk():
        if part.get_content_maintype() == "text" and not part.is_multipart():
            yield part.get_content()


def store_text(path: Path) -> Iterator[tuple[str, str]]:
    """Every text cell of every table of the store, as (table, text)."""
    conn = sqlite3.connect(path)
    try:
        tables = [
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        for name in tables:
            for row in conn.execute(f'SELECT * FROM "{name}"'):
                for cell in row:
                    if isinstance(cell, str):
                        yield name, cell
                    elif isinstance(cell, bytes):
                        yield name, cell.decode("utf-8", "replace")
                        yield from ((name, text) for text in _mail_parts(cell))
    finally:
        conn.close()
