"""The personnummer mask and the secret redaction, as functions and in the store's migration.

Outputs (every format, the site, e-mail) are in tests/test_privacy_outputs.py.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import sys
import unicodedata
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.errors import ConfigError, FetchError, Gone
from briefing.models import Incident, Origin
from briefing.pnr import DASHES, MASK, luhn, mask_json, mask_personnummer
from briefing.pnr import mask_personnummer as masked_key
from briefing.redact import redact
from briefing.sources.border import masked
from briefing.store import MIGRATIONS, Store
from briefing.store.scrub import scrub_mail
from tests.everywhere import store_text
from tests.privacy_forms import Written, personnummer, survivors

PROPERTY = settings(max_examples=300, derandomize=True, deadline=None)


# --- the mask: every written form -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "19850101-1234",
        "850101-1234",
        "850101+1234",  # over 100
        "850161-1234",  # samordningsnummer
        "850191-1234",
        "850101 1234",
        "850101 - 1234",
        "850101\u20131234",  # en dash
        "850101\u20141234",  # em dash
        "850101\u22121234",  # minus sign
        "850101\u00ad1234",  # soft hyphen
        "8501\u200b01-1234",  # zero-width space inside
        "850101\u200e-1234",  # a direction mark
        "850101\x001234",  # NUL
        "8\u200b5\u200b0\u200b1\u200b0\u200b1\u200b1\u200b2\u200b3\u200b6",  # bare, Luhn right
        "8501011236",
        "198501011236",
        "\uff18\uff15\uff10\uff11\uff10\uff11\uff0d\uff11\uff12\uff13\uff14",  # full-width
        "18850101-1234",
    ],
)
def test_every_written_form_is_masked(text: str) -> None:
    assert mask_personnummer(f"Man, {text}, avvisad") == f"Man, {MASK}, avvisad"


@pytest.mark.parametrize(
    "text",
    [
        "2023-06-07 23:40",
        "2023-06-07T23:40:00+02:00",
        "070-123 45 67",
        "08-580 285 00",
        "0701234567",  # bare, the check digit wrong: a phone number
        "+46701234567",
        "K123456-24",
        "5000-K123456-24",
        "K 123456-24",
        "20230607-12345",  # SOS Alarm: date and five digits
        "202306072340",  # a compact time stamp
        "8501011234",  # bare, the check digit wrong
        "851301-1234",  # month 13
        "850100-1234",  # day 0
        "850132-1234",  # day 32
        "850192-1234",  # day 92
        "12850101-1234",  # century 12
        "59.4301011234",  # a coordinate
        "17,8501011236",
        "Ordernr 123456789012345",
        "1850101-12345",
    ],
)
def test_dates_phones_case_numbers_and_coordinates_are_left_alone(text: str) -> None:
    assert mask_personnummer(f"Se {text}.") == f"Se {text}."


def test_the_mask_knows_every_dash_unicode_has() -> None:
    dashes = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Pd"]
    for dash in dashes:
        assert mask_personnummer(f"850101{dash}1234") == MASK, hex(ord(dash))
    assert "\u2212" in DASHES


def test_luhn() -> None:
    assert luhn("8112189876") and not luhn("8112189875")


@PROPERTY
@given(number=personnummer(), before=st.text(max_size=20), after=st.text(max_size=20))
def test_no_written_form_survives_the_mask(number: Written, before: str, after: str) -> None:
    text = f"{before} {number.text} {after}"
    assert survivors(mask_personnummer(text), [number]) == []


@PROPERTY
@given(number=personnummer())
def test_a_raw_payload_is_masked_as_the_text_it_decodes_to(number: Written) -> None:
    raw = json.dumps({"summary": f"Man {number.text} greps", number.text: [1, number.text]})
    masked = mask_json(raw)
    assert survivors(json.dumps(json.loads(masked), ensure_ascii=False), [number]) == []
    assert json.loads(masked)["summary"] == f"Man {MASK} greps"


def test_a_raw_payload_without_numbers_keeps_its_bytes() -> None:
    raw = '{"b": 1,  "a": "2023-06-07 23:40"}'
    assert mask_json(raw) == raw
    assert mask_json("not json 850101-1234") == f"not json {MASK}"


# --- secrets --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("https://user:pw@host/feed", "https://***@host/feed"),
        ("http://user:p@ss:w0rd@127.0.0.1:8080/x", "http://***@127.0.0.1:8080/x"),
        ("GET HTTPS://token@host/x failed", "GET HTTPS://***@host/x failed"),
        ("https://h/f?key=abc&x=1", "https://h/f?key=***&x=1"),
        ("https://h/f?x=1&api_key=abc#top", "https://h/f?x=1&api_key=***#top"),
        ("https://h/f?ApiKey=abc", "https://h/f?ApiKey=***"),
        ("https://h/f?access_token=abc;token=d", "https://h/f?access_token=***;token=***"),
        ("https://h/f?password=abc", "https://h/f?password=***"),
        ("https://h/f?monkey=banana", "https://h/f?monkey=banana"),
        ("mail to a@b.se", "mail to a@b.se"),
    ],
)
def test_logins_and_tokens_are_redacted(text: str, shown: str) -> None:
    assert redact(text) == shown


def test_every_error_is_redacted_when_made() -> None:
    url = "https://u:Hemligt@h/f?token=T0K3N"
    for error in (
        FetchError(f"{url}: cannot connect", f"check {url}"),
        Gone(f"{url}: HTTP 404", url=url, status=404),
        ConfigError([f"sources.toml:3: sources.x.url: {url}"]),
    ):
        text = f"{error} {error.message} {error.hint} {getattr(error, 'url', '')}"
        text += " ".join(getattr(error, "problems", []))
        assert "Hemligt" not in text and "T0K3N" not in text


# --- the migration cleans what older versions kept --------------------------------------------

LEAKS = ["850101\u20131234", "8501\u200b01-1234", "850101 1234"]
PASSWORD = "Hemligt-pw"
OLD_INCIDENT = Incident(
    source="lan",
    key=f"guid-{LEAKS[0]}",
    origin=Origin.AUTHORITY,
    type="Brand",
    title=f"Brand {LEAKS[1]}",
    summary=f"Man {' '.join(LEAKS)}",
    published_at=datetime(2026, 12, 3, 8, tzinfo=UTC),
    raw=json.dumps({"title": f"Man {' '.join(LEAKS)}"}, ensure_ascii=True),
)


def _old_store(path: Path) -> None:
    """A store at the version before the cleaning, holding what older masks let through."""
    conn = sqlite3.connect(path)
    before = next(n for n, script in enumerate(MIGRATIONS) if "briefing_scrub_json" in script)
    for script in MIGRATIONS[:before]:
        conn.executescript(script)
    conn.execute(f"PRAGMA user_version = {before}")
    leak = " ".join(LEAKS)
    old = OLD_INCIDENT
    document = {f.name: getattr(old, f.name) for f in dataclasses.fields(old) if f.name != "raw"}
    document.update(origin=old.origin.value, published_at=old.published_at.isoformat())
    now = "2026-12-03T08:00:00+00:00"
    conn.execute(
        "INSERT INTO incidents VALUES (?, 'lan', ?, ?, 1, ?, ?, ?)",
        (old.id, old.key, now, old.fingerprint(), now, now),
    )
    conn.execute(
        "INSERT INTO incident_versions VALUES (?, 1, ?, ?, ?, ?, ?)",
        (old.id, old.fingerprint(), now, now, json.dumps(document, ensure_ascii=False), old.raw),
    )
    incident_id = old.id
    conn.execute("INSERT INTO briefings VALUES (1, ?, ?, ?, 1)", (now, now, now))
    conn.execute("INSERT INTO briefing_items VALUES (1, ?, 1)", (incident_id,))
    conn.execute("INSERT INTO source_state VALUES ('lan', ?, ?)", (f"seen:{LEAKS[1]}", leak))
    error = f"http://u:{PASSWORD}@h/f?token={PASSWORD}: cannot connect"
    conn.execute(
        "INSERT INTO source_health VALUES ('lan', ?, NULL, 1, ?, 0, 0, ?)",
        (now, error, f"http://u:{PASSWORD}@h/f"),
    )
    conn.execute("INSERT INTO pages VALUES (?, ?, ?, 0)", (f"p-{LEAKS[2]}", f"Text {leak}", now))
    mail = EmailMessage()
    mail["Subject"] = f"Läget {LEAKS[0]}"
    mail.set_content(f"Man {leak} greps\n" * 20)  # long enough for quoted-printable
    mail.add_alternative(f"<p>Man {leak}</p>", subtype="html")
    conn.execute(
        "INSERT INTO outbox VALUES (1, '2026-12-03', 'email', ?, ?, 1, ?, NULL)",
        (now, mail.as_bytes(), error),
    )
    conn.commit()
    conn.close()


def test_the_migration_cleans_every_table_of_an_old_store(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    _old_store(path)
    numbers = [Written(text, "8501011234") for text in LEAKS]
    assert survivors(" ".join(t for _, t in store_text(path)), numbers)  # the premise
    with Store(path) as store:
        assert store.check() == []
        [kept] = store.undelivered("email")
        # The same report fetched again, masked at the border, is not a new version.
        again = masked(dataclasses.replace(OLD_INCIDENT, key=masked_key(OLD_INCIDENT.key)))
        assert store.save_batch("lan", [again], {}, OLD_INCIDENT.published_at).unchanged == 1
    for table, text in store_text(path):
        assert survivors(text, numbers) == [], table
        assert PASSWORD not in text, table
    with sqlite3.connect(path) as conn:
        ids = {row[0] for row in conn.execute("SELECT incident_id FROM briefing_items")}
        assert ids == {f"lan:guid-{MASK}"}
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    message = scrub_mail(kept.payload)
    assert message == kept.payload  # already clean: kept as it is
    assert b"Subject:" in kept.payload


@settings(max_examples=40, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(number=personnummer())
def test_a_kept_email_is_masked_in_what_a_client_shows(number: Written) -> None:
    mail = EmailMessage()
    mail["Subject"] = "Läget"
    mail.set_content(f"Man {number.text} greps, å ä ö\n" * 5)
    cleaned = scrub_mail(mail.as_bytes())
    assert isinstance(cleaned, bytes)
    from email import message_from_bytes, policy

    shown = message_from_bytes(cleaned, _class=EmailMessage, policy=policy.default)
    body = shown.get_body(("plain",))
    assert body is not None
    assert survivors(body.get_content(), [number]) == []


@PROPERTY
@given(number=personnummer(), ascii_only=st.booleans())
def test_the_escaped_screen_never_hides_a_number(number: Written, ascii_only: bool) -> None:
    """A raw payload passed undecoded (the screen found nothing) holds no number."""
    raw = json.dumps({"ä": f"ä{number.text}", "id": 1}, ensure_ascii=ascii_only)
    assert survivors(json.dumps(json.loads(mask_json(raw)), ensure_ascii=False), [number]) == []
    escaped = '{"t": "' + "".join(f"\\u{ord(c):04x}" for c in number.text) + '"}'
    assert survivors(json.loads(mask_json(escaped))["t"], [number]) == []


@pytest.mark.parametrize(
    "url",
    [
        f"ftp://u:{PASSWORD}@host/feed",  # refused: not http(s)
        f"file://u:{PASSWORD}@host/feed",
        f"https://u:{PASSWORD}@host/feed?token={PASSWORD}",  # accepted, with a warning
    ],
)
def test_a_config_error_or_warning_never_shows_the_password(tmp_path: Path, url: str) -> None:
    from typer.testing import CliRunner

    from briefing.cli import app
    from tests.builders import make_config, table

    cfg = make_config(tmp_path, table("lan", "rss", "authority", url=url, timeout=1))
    result = CliRunner().invoke(app, ["sources", "--config", str(cfg)])
    assert PASSWORD not in result.stdout + result.stderr
    assert "sources.lan.url" in result.stderr  # an error or the warning names the key


def test_the_border_masks_state_pages_and_problems_and_redacts_problems() -> None:
    from briefing.sources.base import Batch
    from briefing.sources.border import MaskedPages, admit
    from briefing.sources.polisen_details import MemoryPageCache

    batch = Batch(
        incidents=[OLD_INCIDENT],
        problems=[f"https://u:{PASSWORD}@h/f: row 3 names {LEAKS[0]}"],
        state={f"first_seen:{LEAKS[1]}": LEAKS[2]},
    )
    admitted = admit("lan", batch, OLD_INCIDENT.published_at, ZoneInfo("UTC"))
    incident = admitted.incidents[0]
    shown = [*admitted.problems, *admitted.state, *admitted.state.values()]
    shown += [json.dumps(json.loads(incident.raw), ensure_ascii=False)]
    shown += [str(getattr(incident, f.name)) for f in dataclasses.fields(Incident)]
    numbers = [Written(text, "8501011234") for text in LEAKS]
    assert survivors(" | ".join(shown), numbers) == []
    assert PASSWORD not in " ".join(shown)
    assert admitted.problems == [f"lan: https://***@h/f: row 3 names {MASK}"]
    pages = MemoryPageCache()
    MaskedPages(pages).save_page(f"p-{LEAKS[0]}", f"Text {LEAKS[1]}", OLD_INCIDENT.published_at)
    assert pages.texts == {f"p-{MASK}": f"Text {MASK}"}


def test_the_migration_leaves_no_trace_in_the_file(tmp_path: Path) -> None:
    """What the cleaning replaced is not left behind in the file's free space or its WAL."""
    path = tmp_path / "old.sqlite3"
    _old_store(path)
    numbers = [Written(text, "8501011234") for text in LEAKS]
    with sqlite3.connect(path) as conn:  # a store of some size: pages freed, not rewritten
        conn.execute(
            "INSERT INTO pages SELECT p.key || '-' || n.value, p.text || printf('%3000s', ''), "
            "p.fetched_at, p.gone FROM pages AS p, json_each('[1,2,3,4,5,6,7,8,9,10,11,12]') AS n"
        )
    before = path.read_bytes().decode("utf-8", errors="replace")
    assert survivors(before, numbers)  # the premise
    with Store(path) as store:
        assert store.check() == []
    kept = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith(path.name))
    assert PASSWORD.encode() not in kept
    assert survivors(kept.decode("utf-8", errors="replace"), numbers) == []


def test_every_store_connection_overwrites_what_it_deletes(tmp_path: Path) -> None:
    from briefing.store import schema

    conn = schema.connect(tmp_path / "store.sqlite3")
    try:
        assert conn.execute("PRAGMA secure_delete").fetchone() == (1,)
    finally:
        conn.close()
