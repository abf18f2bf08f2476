"""No personnummer and no secret in any output or in the store, end to end.

Personnummer: Hypothesis writes them in every form (tests/privacy_forms.py) into
police titles and summaries, RSS titles, descriptions, bodies and guids, and CSV
cells; the briefing is made once and shown everywhere (tests/everywhere.py).

Secrets: sources behind a login and a token that fail (a closed port, a 404, a
503) are reported everywhere; neither the password nor the token appears.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.pnr import MASK
from briefing.sources.faultserver import FaultServer
from tests.builders import make_config, recorded_table, table
from tests.clirun import run
from tests.everywhere import Outputs, every_output, three_sources
from tests.privacy_forms import Written, personnummer, survivors
from tests.smtp_server import free_port

TZ = ZoneInfo("Europe/Stockholm")
MONTHS = "januari februari mars april maj juni juli augusti september oktober november december"
SLOTS = (
    "police title",
    "police summary",
    "rss title",
    "rss description",
    "rss body",
    "rss guid",
    "csv place",
    "csv category",
    "csv text",
)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def stamp(moment: datetime) -> str:
    offset = moment.strftime("%z")
    return f"{moment:%Y-%m-%d} {moment.hour}:{moment:%M:%S} {offset[:3]}:{offset[3:]}"


def sources_with(folder: Path, forms: dict[str, str]) -> Path:
    """A police file, an RSS file and a guards' CSV drop, each holding the forms at its slots."""
    now = datetime.now(TZ)
    when = f"{now:%d} {MONTHS.split()[now.month - 1]} {now:%H.%M}"
    event = {
        "id": 990001,
        "datetime": stamp(now - timedelta(minutes=30)),
        "name": f"{when}, Misshandel, Järfälla {forms['police title']}",
        "summary": f"En man, {forms['police summary']}, greps.",
        "url": "/aktuellt/handelser/2026/misshandel-jarfalla/",
        "type": "Misshandel",
        "location": {"name": "Järfälla", "gps": "59.4,17.8"},
    }
    published = format_datetime(now - timedelta(hours=1))

    def xml(text: str) -> str:
        return escape(_NOT_XML.sub("", text))

    item = (
        f"<item><title>Brand i Järfälla {xml(forms['rss title'])}</title>"
        f"<guid>g-{xml(forms['rss guid'])}</guid>"
        f"<description>Anmälan av {xml(forms['rss description'])}.</description>"
        f"<content:encoded>{xml('<p>Mer: ' + forms['rss body'] + '</p>')}</content:encoded>"
        f"<pubDate>{published}</pubDate></item>"
    )
    cells = [forms["csv place"], forms["csv category"], forms["csv text"]]
    when = f"{now - timedelta(hours=2):%Y-%m-%d %H:%M}"
    row = ";".join([when, *(cell.replace(";", ",") for cell in cells)])
    return three_sources(folder, [event], item, row + "\n")


def leaks(outputs: Outputs, numbers: list[Written]) -> list[tuple[str, list[str]]]:
    return [(name, found) for name, text in outputs.items() if (found := survivors(text, numbers))]


@settings(max_examples=4, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(numbers=st.lists(personnummer(), min_size=len(SLOTS), max_size=len(SLOTS)))
@pytest.mark.timeout(300)
def test_no_personnummer_in_any_output_or_table(numbers: list[Written]) -> None:
    forms = dict(zip(SLOTS, (n.text for n in numbers), strict=True))
    with tempfile.TemporaryDirectory() as tmp:
        outputs = every_output(sources_with(Path(tmp), forms))
    assert leaks(outputs, numbers) == []
    document = json.loads(outputs.texts["json"])
    sources = {i["id"].split(":")[0] for i in document["incidents"]}
    assert sources == {"polis", "lan", "vakter"}, document["sources"]  # every slot was shown
    assert MASK in outputs.texts["text"] and MASK in outputs.texts["email/plain"]


def test_the_matcher_finds_what_the_mask_missed() -> None:
    """The premise of the test above: an unmasked number is found, in any form."""
    number = Written("85\u200b0101\u2013 1234", "8501011234")
    outputs = Outputs(texts={"html": "<p>85&#8203;0101&ndash; 1234</p>", "ok": f"x {MASK}"})
    assert leaks(outputs, [number]) == [("html (unescaped)", [number.text])]


# --- secrets ----------------------------------------------------------------------------------

PASSWORD = "Hemligt-L0senord-7q"
TOKEN = "T0ken-abc123XYZ"


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    with FaultServer(lifetime=180) as fault_server:
        yield fault_server


def credentialled(url: str) -> str:
    """`url` with a login in its authority and a token in its query."""
    scheme, rest = url.split("://", 1)
    joiner = "&" if "?" in rest else "?"
    return f"{scheme}://briefing:{PASSWORD}@{rest}{joiner}apikey={TOKEN}"


def secret_sources(folder: Path, server: FaultServer) -> Path:
    closed = f"http://127.0.0.1:{free_port()}/feed.xml"
    return make_config(
        folder,
        recorded_table(folder),
        table("stangd", "rss", "authority", url=credentialled(closed), timeout=2),
        table("borta", "rss", "authority", url=credentialled(server.url("/status/404")),
              timeout=2),
        table("trasig", "rss", "authority", url=credentialled(server.url("/status/503")),
              timeout=2),
        table("inloggning", "rss", "authority", url=credentialled(server.url("/login")),
              timeout=2),
    )  # fmt: skip


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_no_password_or_token_in_any_output_or_table(tmp_path: Path, server: FaultServer) -> None:
    cfg = secret_sources(tmp_path, server)
    outputs = every_output(cfg)
    again = run(cfg, "--debug", window=False)  # the 404 is not asked again: another message
    outputs.texts["json (again)"] = again.stdout + again.stderr
    checked_sources = every_output(cfg, email=False)  # the store after the second fetch
    outputs.texts.update({f"{k} (2)": v for k, v in checked_sources.texts.items()})
    from typer.testing import CliRunner

    from briefing.cli import app

    check = CliRunner().invoke(app, ["sources", "check", "--config", str(cfg), "--debug"])
    outputs.texts["sources check"] = check.stdout + check.stderr
    found = [name for name, text in outputs.items() if PASSWORD in text or TOKEN in text]
    assert found == []
    assert PASSWORD.encode() not in outputs.raw_mail
    document = json.loads(outputs.texts["json"])
    errors = {s["name"]: s["error"] for s in document["sources"] if s["name"] != "inspelad"}
    assert all(errors.values()), errors  # each failed, and says why
    assert all("***@127.0.0.1" in error for error in errors.values() if "http" in error), errors
    assert "holds a user name and password" in outputs.texts["stderr (fetch)"]
