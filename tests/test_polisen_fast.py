"""The police adapter's short cuts give what strptime and urljoin give, value for value."""

from __future__ import annotations

import json
import random
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from briefing.sources import polisen
from briefing.sources.polisen import RecordError

DATA = Path(__file__).parent / "data" / "polisen"


def recorded(key: str) -> list[str]:
    values = []
    for path in sorted(DATA.glob("*.json")):
        payload = json.loads(path.read_text("utf-8-sig"))
        if isinstance(payload, list):
            values += [
                r[key] for r in payload if isinstance(r, dict) and isinstance(r.get(key), str)
            ]
    return values


def by_strptime(value: str) -> datetime | None:
    try:
        return datetime.strptime(value.strip(), polisen.DATETIME_FORMAT)
    except ValueError:
        return None


def by_urljoin(value: str) -> str | None:
    url = urljoin(polisen.BASE_URL, value.strip())
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def datetimes() -> list[str]:
    chosen = random.Random(8)
    made = recorded("datetime")
    for _ in range(3000):
        month = chosen.choice(["01", "12", "13", "00", "1"])
        day = chosen.choice(["01", "29", "31", "32", "00", "5"])
        clock = ":".join(
            chosen.choice(choices)
            for choices in (
                ["0", "7", "07", "23", "24"],
                ["00", "59", "60"],
                ["00", "59", "60", "61"],
            )
        )
        offset = chosen.choice(["+02:00", "-02:30", "-00:00", "+24:00", "+02:60", "+0200", "Z"])
        made.append(f"{chosen.choice(['2023', '2024', '0000'])}-{month}-{day} {clock} {offset}")
    return made


def test_the_api_datetime_is_read_as_strptime_reads_it() -> None:
    values = datetimes()
    assert len(values) > 4000 and sum(by_strptime(v) is None for v in values) > 500
    for value in values:
        expected = by_strptime(value)
        if expected is None:
            with pytest.raises(RecordError):
                polisen._published(value)
        else:
            got = polisen._published(value)
            assert (got, got.tzinfo, repr(got)) == (expected, expected.tzinfo, repr(expected))


def test_an_event_path_is_joined_as_urljoin_joins_it() -> None:
    chosen = random.Random(9)
    paths = [*recorded("url"), "/", "/.", "/..", "/a/./b", "/a/../b", "/a/.b/", "//evil", "/a//b"]
    alphabet = "/a-_.~%?#:Z9å\\...///"
    paths += [
        "/" + "".join(chosen.choice(alphabet) for _ in range(chosen.randint(0, 10)))
        for _ in range(5000)
    ]
    assert len(paths) > 5000
    for path in paths:
        assert polisen.event_url(path) == by_urljoin(path), path
