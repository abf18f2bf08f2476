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
from briefing.sources.contract import AdapterContract, Malformed, Recorded
from tests.builders import RECORDED, keys


def broken_and_good(
    recorded: Recorded, folder: Path, name: str, broken: bytes, good: bytes, names: str
) -> Malformed:
    """The broken payload, and the keys the same payload without the broken record gives."""
    (folder / "good").mkdir()
    (folder / "good" / name).write_bytes(good)
    (folder / name).write_bytes(broken)
    kept = keys(recorded.read(path=folder / "good" / name))
    return Malformed(path=folder / name, kept=kept, names=names)


class TestPolisen(AdapterContract):
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


class TestRss(AdapterContract):
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


class TestCsv(AdapterContract):
    @pytest.fixture
    def recorded(self) -> Recorded:
        return RECORDED["csv"]

    def malformed(self, recorded: Recorded, folder: Path) -> Malformed:
        header, first, middle, *rest = recorded.path.read_bytes().splitlines(keepends=True)
        undated = b"ig\xe5r 20.00;" + middle.split(b";", 1)[1]  # "igår" in Windows-1252
        names = r"vakter\.csv:3: unreadable time 'igår 20\.00'"
        broken = b"".join([header, first, undated, *rest])
        return broken_and_good(
            recorded, folder, "vakter.csv", broken, b"".join([header, first, *rest]), names
        )


def test_every_built_in_adapter_is_under_the_contract() -> None:
    tested = {cls.__name__.removeprefix("Test").lower() for cls in AdapterContract.__subclasses__()}
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
