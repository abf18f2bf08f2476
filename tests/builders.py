"""What tests build again and again, built one way: configs, fetch contexts, adapters
on the recorded data in tests/data.

    batch = read("polisen", path=POLISEN_EXTRACT)            # an adapter on a recording
    batch = read("rss", http, url=url, origin="authority")  # ... or on a server
    cfg = make_config(tmp, table("lan", "rss", "police", url=url), recorded_table(tmp))
"""

from __future__ import annotations

import json
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from briefing import sources
from briefing.sources.base import Batch, FetchContext, Source
from briefing.sources.contract import Recorded, context
from briefing.sources.contract import offline as offline  # for tests: a client that sends nothing
from briefing.sources.http import HttpClient

DATA = Path(__file__).parent / "data"
TZ = ZoneInfo("Europe/Stockholm")
MUNICIPALITY = "Järfälla"

POLISEN_EXTRACT = DATA / "polisen" / "polisen-events-jarfalla-extract.json"
BLEKINGE_RSS = DATA / "polisen-rss-blekinge-2022.xml"
GUARDS_CSV = DATA / "csv" / "ordningsvakter-cp1252.csv"
GUARD_COLUMNS = {"time": "Datum", "place": "Plats", "category": "Händelse", "text": "Beskrivning"}
GUARD_MAIL = DATA / "imap" / "vaktrapport-csv.eml"  # guard_mail(GUARDS_CSV), saved
GUARD_SENDER = "rapport@vaktbolaget.example.se"
VMA_SAMPLE = DATA / "vma" / "sr-vma-api-v2-alerts-example.json"  # real alerts and a Cancel
KRIS_NEWS = DATA / "krisinformation" / "krisinformation-v3-news-2023-03.json"  # real items
SMHI_ACTIVE = DATA / "smhi" / "warning-1-active.json"  # built after DOMAIN.md §4c: no recording

# Each built-in adapter on a real recording: the adapter contract's data.
RECORDED = {
    "polisen": Recorded(
        table={"kind": "polisen", "origin": "police"},
        path=POLISEN_EXTRACT,
        content_type="application/json; charset=utf-8",
        refuses=r"not valid JSON",
    ),
    "rss": Recorded(
        table={"kind": "rss", "origin": "police"},
        path=BLEKINGE_RSS,
        content_type="application/rss+xml; charset=utf-8",
        refuses=r"not an RSS or Atom feed",
        now=datetime(2022, 2, 10, 8, 0, tzinfo=TZ),
    ),
    "csv": Recorded(
        table={"kind": "csv", "origin": "guards", "columns": GUARD_COLUMNS},
        path=GUARDS_CSV,
        content_type="text/csv; charset=windows-1252",
        refuses=r"no column 'Datum'",
        now=datetime(2023, 6, 8, 8, 44, tzinfo=TZ),
    ),
    "imap": Recorded(
        table={
            "kind": "imap",
            "origin": "guards",
            "senders": [GUARD_SENDER],
            "columns": GUARD_COLUMNS,
        },
        path=GUARD_MAIL,
        now=datetime(2023, 6, 8, 8, 44, tzinfo=TZ),
    ),
    "vma": Recorded(
        table={"kind": "vma", "origin": "authority"},
        path=VMA_SAMPLE,
        content_type="application/json; charset=utf-8",
        refuses=r"not valid JSON",
        now=datetime(2022, 5, 25, 7, 0, tzinfo=TZ),
    ),
    "krisinformation": Recorded(
        table={"kind": "krisinformation", "origin": "authority"},
        path=KRIS_NEWS,
        content_type="application/json; charset=utf-8",
        refuses=r"not valid JSON",
        now=datetime(2023, 3, 9, 7, 0, tzinfo=TZ),
    ),
    "smhi": Recorded(
        table={"kind": "smhi", "origin": "authority"},
        path=SMHI_ACTIVE,
        content_type="application/json",
        refuses=r"not valid JSON",
        now=datetime(2026, 11, 27, 7, 0, tzinfo=TZ),
    ),
}


# --- adapters -------------------------------------------------------------------------------


def fetch_context(
    http: HttpClient | None = None,
    now: datetime = datetime(2026, 7, 30, 8, 30, tzinfo=TZ),
    state: dict[str, str] | None = None,
    municipality: str = MUNICIPALITY,
) -> FetchContext:
    """What the pipeline hands an adapter; offline (any request fails) unless given `http`."""
    return context(http or offline(), now, state=state, municipality=municipality)


def build(kind: str, name: str | None = None, origin: str = "police", **keys: Any) -> Source:
    """The adapter of `kind`, from the registry, on its validated `[sources.NAME]` keys."""
    cls = sources.adapter(kind)
    settings = cls.Settings.model_validate({"kind": kind, "origin": origin, **keys})
    return cls(name or kind, settings)


# --- configs --------------------------------------------------------------------------------


def recorded_events(count: int = 12) -> list[dict[str, Any]]:
    """The first `count` real events of the Järfälla extract."""
    events: list[dict[str, Any]] = json.loads(POLISEN_EXTRACT.read_text(encoding="utf-8"))
    return events[:count]


def table(name: str, kind: str, origin: str, **keys: object) -> str:
    """A `[sources.NAME]` table; strings are written as TOML basic strings."""
    lines = [f"[sources.{name}]", f"kind = {json.dumps(kind)}", f"origin = {json.dumps(origin)}"]
    for key, value in keys.items():
        if isinstance(value, bool):
            lines.append(f"{key} = {str(value).lower()}")
        elif isinstance(value, int | float):
            lines.append(f"{key} = {value}")
        elif isinstance(value, dict):
            inner = ", ".join(
                f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in value.items()
            )
            lines.append(f"{key} = {{ {inner} }}")
        else:
            lines.append(f"{key} = {json.dumps(str(value), ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def recorded_table(tmp: Path, name: str = "inspelad") -> str:
    """The source that must stay intact: real police events, read from a file."""
    path = tmp / "recorded.json"
    path.write_text(json.dumps(recorded_events(), ensure_ascii=False), encoding="utf-8")
    return table(name, "polisen", "police", path=path, label="Inspelad polis")


def recorded_ids(name: str = "inspelad") -> set[str]:
    """The ids the recorded source must show, whatever happened to the other one."""
    return {f"{name}:{event['id']}" for event in recorded_events()}


def make_config(tmp: Path, *tables: str, extra: str = "") -> Path:
    path = tmp / "sources.toml"
    path.write_text(
        '[briefing]\nmunicipality = "Järfälla"\n'
        'neighbours = ["Sollentuna", "Upplands-Bro", "Stockholm"]\n\n'
        f"[store]\npath = {json.dumps(str(tmp / 'store.sqlite3'))}\n\n" + extra + "\n".join(tables),
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path


# --- payloads -------------------------------------------------------------------------------


def first_items(feed: bytes, count: int) -> bytes:
    """A real RSS feed cut after its `count`th item: enough to read, quick to store."""
    end = 0
    for _ in range(count):
        end = feed.index(b"</item>", end) + len(b"</item>")
    return feed[:end] + b"\n  </channel>\n</rss>\n"


def guard_mail(export: bytes) -> bytes:
    """The guard company's morning mail with `export` (its CSV) attached, as an .eml file."""
    mail = EmailMessage()
    mail["From"] = f"Vaktbolaget rapporter <{GUARD_SENDER}>"
    mail["To"] = "sakerhet-rapporter@example.se"
    mail["Subject"] = "Vaktrapport natt 7-8 juni"
    mail["Date"] = format_datetime(datetime(2023, 6, 8, 6, 5, tzinfo=TZ))
    mail["Message-ID"] = "<vaktrapport-2023-06-08@vaktbolaget.example.se>"
    mail.set_content("Hej,\n\nBifogat nattens rapporter.\n\nVaktbolaget\n")
    mail.add_attachment(
        export, maintype="text", subtype="csv", filename="ordningsvakter-2023-06-07.csv"
    )
    mail.set_boundary("===============vaktrapport-2023-06-08==")  # the same bytes every time
    return mail.as_bytes()


def keys(batch: Batch) -> frozenset[str]:
    return frozenset(incident.key for incident in batch.incidents)
