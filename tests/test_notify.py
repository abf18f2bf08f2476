"""`briefing notify` through the command line: drafts without personal data, .eml files,
sending to a real SMTP server on 127.0.0.1 once per stakeholder, and the mailto: links."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tests.smtp_server import smtp_server
from tests.test_followups import MORNING, cli, demo_config

KNIFE = "ordningsvakter:fc4c9820594f528d9729b853"  # Person med kniv, Barkarby handelsplats
KNIFE_STAKEHOLDERS = 4
PERSONNUMMER = "19850412-1234"
HOSTILE_TITLE = "Rån\r\nBcc: evil@example.org"


def guards_drop(tmp_path: Path) -> str:
    """A guard company's drop with a personnummer in the text and a header in the kind."""
    folder = tmp_path / "vakter"
    folder.mkdir()
    rows = [
        "Datum;Plats;Händelse;Beskrivning",
        f"2023-06-08 02.10;Jakobsbergs centrum;Rån;Man {PERSONNUMMER} rånade kiosken med kniv.",
        f'2023-06-08 02.30;Jakobsbergs centrum;"{HOSTILE_TITLE}";Hot mot personal med kniv.',
    ]
    return guard_source(folder, rows)


def guard_source(folder: Path, rows: list[str]) -> str:
    """A guard company's CSV drop of `rows` in `folder`, as a `[sources.vakter]` table."""
    (folder / "vakter.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return f"""
[sources.vakter]
kind = "csv"
origin = "guards"
label = "Vakter"
path = "{folder}"
delimiter = ";"
columns = {{ time = "Datum", place = "Plats", category = "Händelse", text = "Beskrivning" }}
"""


def email_section(port: int) -> str:
    return f"""
[email]
host = "127.0.0.1"
port = {port}
security = "none"
timeout = 10
from = "sakerhet@jarfalla.example.se"
to = ["chefen@jarfalla.example.se"]
"""


def ids_of(cfg: Path, kind: str) -> list[str]:
    import json

    doc = json.loads(cli(cfg, "today", "-f", "json", *MORNING))
    return [i["id"] for i in doc["incidents"] if i["type"].startswith(kind)]


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    path = demo_config(tmp_path, guards_drop(tmp_path))
    path.chmod(0o600)
    cli(path, "today", "-f", "json", *MORNING)
    return path


def test_a_draft_has_no_personal_data_and_one_line_headers(cfg: Path, tmp_path: Path) -> None:
    robbery = ids_of(cfg, "Rån")
    assert len(robbery) == 2
    for incident in robbery:
        draft = cli(cfg, "notify", incident)
        assert PERSONNUMMER not in draft and "850412" not in draft
        assert "Exempelkiosken Jakobsbergs centrum" in draft
        subjects = [line for line in draft.splitlines() if line.startswith("Subject: ")]
        assert subjects and all("Bcc" not in s or "\n" not in s for s in subjects)
        assert not [line for line in draft.splitlines() if line.startswith("Bcc:")]
    kiosk = ("--to", "Exempelkiosken Jakobsbergs centrum")
    out = cli(cfg, "notify", robbery[0], "--eml", str(tmp_path / "eml"), *kiosk)
    [eml] = list((tmp_path / "eml").glob("*.eml"))
    assert str(eml) in out
    message = message_from_bytes(eml.read_bytes(), _class=EmailMessage, policy=policy.default)
    assert message["X-Unsent"] == "1"
    assert message["To"].addresses[0].addr_spec == "kiosken.jakobsberg@example.se"
    body = message.get_content()
    assert PERSONNUMMER not in body and "[personnummer]" in body


def test_send_reaches_each_stakeholder_once_and_is_logged(tmp_path: Path) -> None:
    with smtp_server() as (server, port):
        cfg = demo_config(tmp_path, email_section(port))
        cfg.chmod(0o600)
        cli(cfg, "today", "-f", "json", *MORNING)
        first = cli(cfg, "notify", KNIFE, "--send", "--by", "anna")
        assert len(server.received) == KNIFE_STAKEHOLDERS, first
        recipients = sorted(r for got in server.received for r in got.rcpt_tos)
        assert len(set(recipients)) == KNIFE_STAKEHOLDERS  # each alone, none cc'd
        assert "chefen@jarfalla.example.se" not in recipients
        second = cli(cfg, "notify", KNIFE, "--send")
        assert len(server.received) == KNIFE_STAKEHOLDERS
        assert "--force" in second
        shop = ("--to", "Exempelbutiken Barkarby handelsplats")
        cli(cfg, "notify", KNIFE, "--send", "--force", *shop)
        assert len(server.received) == KNIFE_STAKEHOLDERS + 1
        cli(cfg, "today", "--email", "-f", "json", *MORNING)  # the morning's own e-mail
        briefing_mail = server.received[-1].message
        html = briefing_mail.get_body(("html",))
        assert (
            html is not None
            and 'href="mailto:restaurangen.barkarby@example.se?subject=' in html.get_content()
        )
    log = cli(cfg, "log")
    assert KNIFE in log and log.count("meddelande skickat till") == KNIFE_STAKEHOLDERS + 1
    subject = server.received[0].message["Subject"]
    assert "Person med kniv" in subject and "\n" not in subject


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [v for k, v in attrs if tag == "a" and k == "href" and v]


def test_page_and_email_carry_percent_encoded_mailto_links(cfg: Path) -> None:
    page = cli(cfg, "today", "-f", "html", *MORNING)
    links = _Links()
    links.feed(page)
    mailtos = [h for h in links.hrefs if h.startswith("mailto:")]
    assert mailtos and not [h for h in links.hrefs if h.lower().startswith("javascript:")]
    for href in mailtos:
        assert not re.search(r"[\s\"'<>]", href), href
        query = parse_qs(urlsplit(href).query)
        assert PERSONNUMMER not in unquote(href)
        assert query["subject"][0].startswith("Information från Järfälla: ")
        assert "\n" not in query["subject"][0] and "Bcc" not in query.get("bcc", [""])[0]
    # The restaurant is told of the knife (and, since the VMA in Veddesta, of that too).
    restaurant = [h for h in mailtos if "restaurangen.barkarby" in h]
    bodies = [parse_qs(urlsplit(h).query)["body"][0] for h in restaurant]
    assert any("Person med kniv" in body for body in bodies), bodies
