"""The report mailbox (kind "imap") against a real dovecot on 127.0.0.1.

The messages are real MIME messages, made the way mail clients make them (the
standard library's email package, as Outlook and the suppliers' portals send
them): an attached XLSX export, a CSV export in Windows-1252, a plain-text
report in the "Key: value" layout, a PDF, a message from an unknown sender, a
forwarded message, a reply thread and a 20 MB attachment over the cap.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from briefing.errors import SourceError
from briefing.models import Origin
from briefing.sources.base import Batch
from briefing.sources.http import HttpClient
from briefing.sources.imap import ImapSettings, ImapSource, imap_utf7
from tests.builders import (
    GUARD_COLUMNS,
    TZ,
    fetch_context,
    make_config,
    offline,
    recorded_ids,
    recorded_table,
    table,
)
from tests.clirun import run
from tests.imap_server import Dovecot, running_dovecot

NOW = datetime(2026, 11, 27, 8, 30, tzinfo=TZ)
GUARDS = "rapport@vaktbolaget.example.se"
RESCUE = "ledningscentral@brandkaren.example.se"
WINDOW = ("--since", "2026-11-26 16:00", "--until", "2026-11-27 08:30")


@pytest.fixture
def server() -> Iterator[Dovecot]:
    with running_dovecot() as dovecot:
        yield dovecot


@pytest.fixture
def http() -> Iterator[HttpClient]:
    with offline() as client:
        yield client


def message(sender: str, subject: str, text: str, sent: datetime, ident: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = f"Rapporter <{sender}>"
    mail["To"] = "sakerhet-rapporter@example.se"
    mail["Subject"] = subject
    mail["Date"] = format_datetime(sent)
    mail["Message-ID"] = f"<{ident}@example.se>"
    mail.set_content(text)
    return mail


def xlsx_export() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Rapport ordningsvakter, vecka 48"])
    sheet.append(["Datum", "Plats", "Händelse", "Beskrivning"])
    sheet.append([46352.9375, "Jakobsbergs centrum", "Ungdomar samlas", "Ett 20-tal ungdomar."])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def the_five() -> list[EmailMessage]:
    """XLSX export, CSV in cp1252, plain text, PDF, and one from an unknown sender."""
    at = datetime(2026, 11, 27, 6, 0, tzinfo=TZ)
    with_xlsx = message(GUARDS, "Vaktrapport v48", "Se bifogad export.", at, "xlsx-1")
    with_xlsx.add_attachment(
        xlsx_export(),
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename="vaktrapport.xlsx",
    )
    csv_text = "Datum;Plats;Händelse;Beskrivning\n2026-11-26 23.40;Kallhälls station;Klotter;"
    csv_text += "Klotter på perrongtaket, anmält till SL.\n"
    with_csv = message(GUARDS, "Vaktrapport natt", "Bifogat.", at, "csv-1")
    with_csv.add_attachment(
        csv_text.encode("cp1252"), maintype="text", subtype="csv", filename="natt.csv"
    )
    plain = message(
        RESCUE,
        "Insatsrapport",
        "Tid: 2026-11-27 02.15\nPlats: Viksjö centrum\nHändelse: Brand i soprum\n"
        "Beskrivning: Brand i soprum i flerbostadshus, släckt. Boende 19850101-1234 "
        "larmade.\n",
        at,
        "text-1",
    )
    pdf = message(RESCUE, "Rapport bifogad", "", at, "pdf-1")
    pdf.add_attachment(
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", maintype="application", subtype="pdf", filename="r.pdf"
    )
    stranger = message(
        "someone@elsewhere.example.com", "Hej", "Tid: 2026-11-27 01.00\nPlats: X\n", at, "x-1"
    )
    return [with_xlsx, with_csv, plain, pdf, stranger]


def settings(server: Dovecot, **keys: Any) -> ImapSettings:
    base: dict[str, Any] = {
        "kind": "imap",
        "origin": "guards",
        "host": server.host,
        "port": server.port,
        "username": server.user,
        "cafile": server.cafile,
        "senders": [GUARDS, "@brandkaren.example.se"],
        "columns": GUARD_COLUMNS,
        "timeout": 10,
    }
    return ImapSettings.model_validate(base | keys)


def fetch(
    http: HttpClient, server: Dovecot, state: dict[str, str] | None = None, **keys: Any
) -> Batch:
    source = ImapSource("brevlada", settings(server, **keys))
    return source.fetch(fetch_context(http, NOW, state))


@pytest.fixture
def password(server: Dovecot, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("BRIEFING_IMAP_PASSWORD", server.password)
    return server.password


def test_each_message_becomes_reports_by_what_it_carries(
    http: HttpClient, server: Dovecot, password: str
) -> None:
    for mail in the_five():
        server.deliver(mail.as_bytes())
    batch = fetch(http, server)
    by_title = {incident.title: incident for incident in batch.incidents}
    assert sorted(by_title) == [
        "Brand i soprum, Viksjö centrum",
        "Klotter, Kallhälls station",
        "Rapport bifogad",
        "Ungdomar samlas, Jakobsbergs centrum",
    ]
    row = by_title["Ungdomar samlas, Jakobsbergs centrum"]
    assert row.published_at == datetime(2026, 11, 26, 22, 30, tzinfo=TZ)  # the Excel serial
    assert by_title["Klotter, Kallhälls station"].summary.startswith("Klotter på perrongtaket")
    fire = by_title["Brand i soprum, Viksjö centrum"]
    assert fire.published_at == datetime(2026, 11, 27, 2, 15, tzinfo=TZ)
    assert (fire.location, fire.type) == ("Viksjö centrum", "Brand i soprum")
    assert "1234" not in fire.summary and "1234" not in fire.raw
    assert "r.pdf" in by_title["Rapport bifogad"].summary
    assert {incident.origin for incident in batch.incidents} == {Origin.GUARDS}
    (refusal,) = [p for p in batch.problems if "not in `senders`" in p]
    assert "@elsewhere.example.com" in refusal and "someone" not in refusal
    # Nothing in the mailbox changed: all five still there, none marked \Seen.
    assert len(server.messages()) == 5


def test_a_message_is_read_once_then_moved_on_the_next_fetch(
    http: HttpClient, server: Dovecot, password: str
) -> None:
    for mail in the_five()[2:4]:
        server.deliver(mail.as_bytes())
    first = fetch(http, server, processed_folder="Lästa")
    assert len(first.incidents) == 2
    assert len(server.messages()) == 2  # not moved before its incidents are stored
    second = fetch(http, server, state=first.state, processed_folder="Lästa")
    assert second.incidents == [] and second.state == first.state
    assert server.messages() == [] and len(server.messages("L&AOQ-sta")) == 2  # mUTF-7


@pytest.mark.parametrize(
    ("name", "wire"),
    [
        ("INBOX", "INBOX"),
        ("Lästa", "L&AOQ-sta"),
        ("R&D", "R&-D"),
        ("Räddningstjänst", "R&AOQ-ddningstj&AOQ-nst"),
        ("日本", "&ZeVnLA-"),
    ],
)
def test_folder_names_travel_in_modified_utf7(name: str, wire: str) -> None:
    assert imap_utf7(name) == wire


def test_forwarded_and_replied_messages_are_read_for_the_report_alone(
    http: HttpClient, server: Dovecot, password: str
) -> None:
    at = datetime(2026, 11, 27, 7, 0, tzinfo=TZ)
    inner = message(
        "vakt.andersson@vaktbolaget.example.se",
        "Stenkastning",
        "Tid: 2026-11-26 21.15\nPlats: Kallhälls station\nHändelse: Stenkastning mot buss\n",
        at,
        "inner-1",
    )
    forwarded = message(GUARDS, "VB: Stenkastning", "Vidarebefordrar.", at, "fwd-1")
    forwarded.add_attachment(inner)
    reply = message(
        GUARDS,
        "SV: Bråk vid torget",
        "Händelse: Bråk\nPlats: Jakobsbergs centrum\nTid: 2026-11-26 23.05\n\n"
        "Den 26 nov. 2026 kl. 22:10 skrev Säkerhetschefen <chef@example.se>:\n"
        "> Tid: 2026-11-20 10.00\n> Plats: Fel plats\n",
        at,
        "reply-1",
    )
    for mail in (forwarded, reply):
        server.deliver(mail.as_bytes())
    batch = fetch(http, server)
    by_place = {incident.location: incident for incident in batch.incidents}
    assert set(by_place) == {"Kallhälls station", "Jakobsbergs centrum"}
    assert by_place["Kallhälls station"].published_at == datetime(2026, 11, 26, 21, 15, tzinfo=TZ)
    assert by_place["Jakobsbergs centrum"].published_at == datetime(2026, 11, 26, 23, 5, tzinfo=TZ)
    assert "Fel plats" not in json.dumps([i.summary for i in batch.incidents])


def test_an_attachment_over_the_cap_is_reported_not_lost(
    http: HttpClient, server: Dovecot, password: str
) -> None:
    big = message(RESCUE, "Bilder från insatsen", "Se bilagan.", NOW, "big-1")
    big.add_attachment(
        b"\xff\xd8" + bytes(20 * 1_048_576), maintype="image", subtype="jpeg", filename="foto.jpg"
    )
    server.deliver(big.as_bytes())
    capped = fetch(http, server, max_message_mb=10)
    (incident,) = capped.incidents
    assert incident.title == "Bilder från insatsen" and "för stort" in incident.summary
    assert any("over the cap" in p for p in capped.problems)
    attachment_capped = fetch(http, server, max_attachment_mb=5, max_message_mb=50)
    (incident,) = attachment_capped.incidents
    assert "foto.jpg" in incident.summary and "för stor" in incident.summary


def test_a_wrong_password_or_an_untrusted_certificate_fails_the_source(
    http: HttpClient, server: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFING_IMAP_PASSWORD", "fel")
    with pytest.raises(SourceError, match="login refused") as caught:
        fetch(http, server)
    assert "fel" not in caught.value.message + (caught.value.hint or "")
    monkeypatch.setenv("BRIEFING_IMAP_PASSWORD", server.password)
    with pytest.raises(SourceError, match="not trusted"):
        fetch(http, server, cafile=None)


def test_settings_refuse_a_url_a_missing_username_and_a_bad_sender() -> None:
    base = {"kind": "imap", "origin": "guards", "senders": [GUARDS]}
    for wrong in (
        {"url": "https://example.se/"},
        {"host": "imap.example.se"},
        {"host": "imap.example.se", "username": "u", "senders": ["nobody"]},
    ):
        with pytest.raises(ValueError):
            ImapSettings.model_validate(base | wrong)


# --- through the CLI ----------------------------------------------------------------------


def mailbox_tables(server: Dovecot) -> list[str]:
    common: dict[str, object] = {
        "host": server.host,
        "port": server.port,
        "username": server.user,
        "cafile": str(server.cafile),
        "timeout": 10,
    }
    guards = table("vakter", "imap", "guards", folder="Vakter", senders=GUARDS, **common).replace(
        f'senders = "{GUARDS}"', f'senders = ["{GUARDS}"]'
    )
    guards += "columns = " + _inline(GUARD_COLUMNS) + "\n"
    rescue = table(
        "rtj",
        "imap",
        "rescue",
        folder="Raddningstjanst",
        senders="@brandkaren.example.se",
        **common,
    ).replace('senders = "@brandkaren.example.se"', 'senders = ["@brandkaren.example.se"]')
    return [guards, rescue]


def _inline(mapping: dict[str, str]) -> str:
    return "{ " + ", ".join(f'{k} = "{v}"' for k, v in mapping.items()) + " }"


@pytest.mark.slow
def test_briefing_today_shows_the_four_reports_once_then_unchanged(
    server: Dovecot, password: str, tmp_path: Path
) -> None:
    xlsx, csv_mail, plain, pdf, stranger = the_five()
    for mail in (xlsx, csv_mail, stranger):
        server.deliver(mail.as_bytes(), "Vakter")
    for mail in (plain, pdf):
        server.deliver(mail.as_bytes(), "Raddningstjanst")
    cfg = make_config(tmp_path, recorded_table(tmp_path), *mailbox_tables(server))
    first = run(cfg, *WINDOW, fmt="text", window=False)
    assert first.code == 0, first.stderr
    for shown_text in ("Ungdomar samlas", "Klotter på perrongtaket", "Brand i soprum", "r.pdf"):
        assert shown_text in first.stdout, first.stdout
    # The refused message is said once, by its sender's domain.
    assert "not in `senders`" in first.stdout and "@elsewhere.example.com" in first.stdout
    second = run(cfg, *WINDOW, window=False)
    assert second.code == 0, second.stderr
    shown = [i for i in second.doc["incidents"] if i["sources"][0] in ("vakter", "rtj")]
    assert len(shown) == 4
    assert sorted(i["origins"][0] for i in shown) == ["guards", "guards", "rescue", "rescue"]
    assert {i["status"] for i in shown} == {"unchanged"}
    assert "not in `senders`" not in run(cfg, *WINDOW, fmt="text", window=False).stdout


@pytest.mark.slow
def test_with_the_server_down_the_mailbox_fails_and_the_rest_is_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFING_IMAP_PASSWORD", "x")
    with running_dovecot() as gone:
        tables = mailbox_tables(gone)
    cfg = make_config(tmp_path, recorded_table(tmp_path), *tables)
    result = run(cfg)
    assert result.code == 3
    assert result.source("vakter")["status"] == "error"
    assert "cannot connect" in (result.source("vakter")["error"] or "")
    assert recorded_ids() <= result.ids("inspelad")


@pytest.mark.slow  # waits out the timeout
def test_a_server_that_never_answers_fails_within_the_timeout(
    http: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket
    import time

    monkeypatch.setenv("BRIEFING_IMAP_PASSWORD", "x")
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        keys = {"host": "127.0.0.1", "port": port, "username": "u", "timeout": 0.5}
        source = ImapSource("brevlada", ImapSettings.model_validate(BASE | keys))
        ctx = fetch_context(http, NOW)
        started = time.monotonic()
        with pytest.raises(SourceError, match="timed out"):
            source.fetch(ctx)
        assert time.monotonic() - started < 3


def test_saved_eml_files_are_read_like_the_mailbox(http: HttpClient, tmp_path: Path) -> None:
    for number, mail in enumerate(the_five()):
        (tmp_path / f"{number}.eml").write_bytes(mail.as_bytes())
    source = ImapSource("brevlada", ImapSettings.model_validate(BASE | {"path": tmp_path}))
    batch = source.fetch(fetch_context(http, NOW))
    assert len(batch.incidents) == 4
    assert sum("not in `senders`" in p for p in batch.problems) == 1
    again = source.fetch(fetch_context(http, NOW, batch.state))
    assert again.incidents == [] and again.problems == []


BASE: dict[str, Any] = {
    "kind": "imap",
    "origin": "guards",
    "senders": [GUARDS, "@brandkaren.example.se"],
    "columns": GUARD_COLUMNS,
}


@pytest.mark.parametrize(
    "sign_off",
    ["Med vänlig hälsning\nVaktbolaget", "Mvh Kalle", "-- \nLarmcentralen", "Best regards,\nA"],
)
def test_the_signature_is_not_part_of_the_report(
    http: HttpClient, tmp_path: Path, sign_off: str
) -> None:
    body = f"Ordningsvakterna avvisade två personer från perrongen.\n\n{sign_off}\n070-123 45 67\n"
    (tmp_path / "r.eml").write_bytes(message(GUARDS, "Rapport", body, NOW, "sig-1").as_bytes())
    source = ImapSource("brevlada", ImapSettings.model_validate(BASE | {"path": tmp_path}))
    (incident,) = source.fetch(fetch_context(now=NOW)).incidents
    assert incident.summary == "Ordningsvakterna avvisade två personer från perrongen."
