"""Every built-in adapter against the adapter contract (briefing.sources.contract).

Each class gives the contract one thing: the adapter on a real recording, and
that recording with one record broken. A plug-in's tests do the same.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from briefing import sources
from briefing.sources.contract import AdapterContract, HttpAdapterContract, Malformed, Recorded
from tests.builders import GUARDS_CSV, RECORDED, guard_mail, keys


def broken_and_good(
    recorded: Recorded, folder: Path, name: str, broken: bytes, good: bytes, names: str
) -> Malformed:
    """The broken payload, and the keys the same payload without the broken record gives."""
    (folder / "good").mkdir()
    (folder / "good" / name).write_bytes(good)
    (folder / name).write_bytes(broken)
    kept = keys(recorded.read(path=folder / "good" / name))
    return Malformed(path=folder / name, kept=kept, names=names)


class TestPolisen(HttpAdapterContract):
    @pytest.fixture
    def recorded(self) -> Recorded:
        return RECORDED["polisen"]

    def malformed(self, recorded: Recorded, folder: Path) -> Malformed:
        first, middle, last = json.loads(recorded.path.read_text("utf-8"))[:3]
        undated = {k: v for k, v in middle.items() if k != "datetime"}

        def payload(*events: object) -> bytes:
            return json.dumps(events, ensure_ascii=False).encode()

        names = rf"record 1 \(id {middle['id']}\) in events\.json: missing datetime"
        return broken_and_good(
            recorded,
            folder,
            "events.json",
            payload(first, undated, last),
            payload(first, last),
            names,
        )


class TestRss(HttpAdapterContract):
    @pytest.fixture
    def recorded(self) -> Recorded:
        return RECORDED["rss"]

    def malformed(self, recorded: Recorded, folder: Path) -> Malformed:
        feed = recorded.path.read_bytes()
        head = feed[: feed.index(b"<item>")]
        first, middle, last = re.findall(rb"<item>.*?</item>", feed, re.DOTALL)[:3]
        undated = re.sub(rb"<pubDate>[^<]*</pubDate>", b"<pubDate>ig\xc3\xa5r</pubDate>", middle)
        tail = b"\n  </channel>\n</rss>\n"
        names = r"entry 1 \('[^']+'\) has no readable date"
        return broken_and_good(
            recorded,
            folder,
            "feed.xml",
            head + first + undated + last + tail,
            head + first + last + tail,
            names,
        )


def broken_row(csv: bytes) -> tuple[bytes, bytes]:
    """The guards' export with its second report's time unreadable, and without that report."""
    header, first, middle, *rest = csv.splitlines(keepends=True)
    undated = b"ig\xe5r 20.00;" + middle.split(b";", 1)[1]  # "igår" in Windows-1252
    return b"".join([header, first, undated, *rest]), b"".join([header, first, *rest])


class TestCsv(HttpAdapterContract):
    @pytest.fixture
    def recorded(self) -> Recorded:
        return RECORDED["csv"]

    def malformed(self, recorded: Recorded, folder: Path) -> Malformed:
        broken, good = broken_row(recorded.path.read_bytes())
        names = r"vakter\.csv:3: unreadable time 'igår 20\.00'"
        return broken_and_good(recorded, folder, "vakter.csv", broken, good, names)


class TestImap(AdapterContract):  # a mailbox, not a URL: no HTTP faults
    @pytest.fixture
    def recorded(self) -> Recorded:
        return RECORDED["imap"]

    def malformed(self, recorded: Recorded, folder: Path) -> Malformed:
        broken, good = broken_row(GUARDS_CSV.read_bytes())
        names = r"ordningsvakter-2023-06-07\.csv:3: unreadable time 'igår 20\.00'"
        return broken_and_good(
            recorded, folder, "rapport.eml", guard_mail(broken), guard_mail(good), names
        )


def json_bytes(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False, indent=1).encode()


class TestVma(HttpAdapterContract):
    """Sveriges Radio's real alerts, among them a Cancel of the Göteborg alert.

    Two adaptations, both of the kind: the Cancel is a second version of the alert's
    incident in the same payload (`versions_in_one_payload`), and over HTTP one run asks
    two URLs (the municipality's geocode and its county's), so a fault fails the first.
    """

    versions_in_one_payload = True

    @pytest.fixture
    def recorded(self) -> Recorded:
        return RECORDED["vma"]

    def malformed(self, recorded: Recorded, folder: Path) -> Malformed:
        feed = json.loads(recorded.path.read_text("utf-8"))
        [uppsala] = [a for a in feed["alerts"] if a["identifier"] == "SRCAP20220509143430I"]
        index = feed["alerts"].index(uppsala)
        broken = [{**a, "sent": "igår"} if a is uppsala else a for a in feed["alerts"]]
        good = [a for a in feed["alerts"] if a is not uppsala]
        names = rf"alerts\.json: alert {index}: unreadable SRCAP20220509143430I: sent 'igår'"
        return broken_and_good(
            recorded,
            folder,
            "alerts.json",
            json_bytes({**feed, "alerts": broken}),
            json_bytes({**feed, "alerts": good}),
            names,
        )


class TestKrisinformation(HttpAdapterContract):
    @pytest.fixture
    def recorded(self) -> Recorded:
        return RECORDED["krisinformation"]

    def malformed(self, recorded: Recorded, folder: Path) -> Malformed:
        first, middle, last = json.loads(recorded.path.read_text("utf-8"))
        undated = {**middle, "Published": "igår"}
        names = rf"news\.json: item 1 \(Identifier {middle['Identifier']}\): unreadable Published"
        return broken_and_good(
            recorded,
            folder,
            "news.json",
            json_bytes([first, undated, last]),
            json_bytes([first, last]),
            names,
        )


class TestSmhi(HttpAdapterContract):
    """A snapshot built after SMHI's documented warning.json (no real one is recorded)."""

    @pytest.fixture
    def recorded(self) -> Recorded:
        return RECORDED["smhi"]

    def malformed(self, recorded: Recorded, folder: Path) -> Malformed:
        warnings = json.loads(recorded.path.read_text("utf-8"))
        wind = warnings[0]  # 1001: its yellow area meets Järfälla
        area, *rest = wind["warningAreas"]
        undated = {**wind, "warningAreas": [{**area, "published": "igår"}, *rest]}
        names = r"warning\.json: warning 0, area 0: unreadable time 'igår'"
        return broken_and_good(
            recorded,
            folder,
            "warning.json",
            json_bytes([undated, *warnings[1:]]),
            json_bytes(warnings[1:]),
            names,
        )


def test_the_recorded_mail_is_the_guards_export_as_the_company_mails_it() -> None:
    assert guard_mail(GUARDS_CSV.read_bytes()) == RECORDED["imap"].path.read_bytes()


def test_every_built_in_adapter_is_under_the_contract() -> None:
    suites = [TestPolisen, TestRss, TestCsv, TestImap, TestVma, TestKrisinformation, TestSmhi]
    tested = {cls.__name__.removeprefix("Test").lower() for cls in suites}
    assert set(sources.BUILTIN) == tested == set(RECORDED)


def test_the_briefing_never_imports_pytest_or_the_contract() -> None:
    probe = (
        "import sys, briefing.cli, briefing.pipeline\n"
        "from briefing import sources\n"
        "[sources.adapter(kind) for kind in sources.kinds()]\n"
        "print(sorted(m for m in sys.modules if m == 'pytest' or m.endswith('.contract')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
