"""The JSON writer's short cuts give what the plain way gives (briefing.render.json_incident,
briefing.render.json_memo): texts that skip cleaning, links checked a block at a time,
local times from a table of days, including the days the clocks change."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from json.encoder import encode_basestring
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from briefing.models import Briefing, clean_text
from briefing.render import json as render_json
from briefing.render import json_incident
from briefing.render.json_memo import Clock
from briefing.render.view import safe_url
from tests.test_render import briefing

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Characters that make clean_text or encode_basestring do something, and plain ones.
AWKWARD = ' \t\n\r\x00\x07\x1b\x7f\x85\xa0\xad\u200b\u200e\u2028\u202e\u2060\ufeff"\\|–åÖ'
TEXTS = st.text(alphabet=st.sampled_from(AWKWARD + "ab1:-"), max_size=12) | st.text(max_size=12)
PERSONNUMMER = ("850101-1234", "19850101-1234", "850101 1234", "850101\u200b1234", "850101–1234")


def plain(text: str) -> str:
    """What the dict path writes for a text."""
    return encode_basestring(clean_text(text))


@settings(max_examples=400, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=6))
@example(["a ", "b"])
@example(["a", " b"])
@example(["", "x"])
@example(["a  b"])
@example(["å\u200bä", 'citat "x"', "back\\slash"])
@example(list(PERSONNUMMER))
def test_texts_checked_together_are_written_as_one_by_one(texts: list[str]) -> None:
    (inner,) = json_incident._inner(texts)
    assert [f'"{text}"' for text in inner] == [plain(text) for text in texts]
    assert [json_incident.quoted_text(text) for text in texts] == [plain(text) for text in texts]


def test_columns_checked_together_are_each_written_as_one_by_one() -> None:
    columns = (["polisen:1", "polisen:2"], ["Brand i Järfälla", "skott\x07 i  natt "], ["a–b", ""])
    for column, written in zip(columns, json_incident._inner(*columns), strict=True):
        assert [f'"{text}"' for text in written] == [plain(text) for text in column]


URLS = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from("htps:/.a-9?#:<\"'` \\^{|}~%å\x1bHT"), max_size=24),
    st.builds(
        "".join,
        st.tuples(
            st.sampled_from(("https://", "http://", "HTTPS://", "ftp://", "javascript:")),
            st.text(alphabet=st.sampled_from("polisen.se-_9:"), max_size=12),
            st.text(alphabet=st.sampled_from("/?#abc%&=;<>\"' \\^`{|}~å"), max_size=12),
        ),
    ),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(URLS, min_size=1, max_size=5))
@example(["https://a.se/x y", "https://b.se/"])
@example(["https://a.se/x https://b.se/"])
@example(["", "https://b.se/"])
def test_links_checked_together_are_links_one_by_one(urls: list[str | None]) -> None:
    one_by_one = [json_incident._PLAIN_LINK.fullmatch(url) is not None for url in urls if url]
    if json_incident._plain_links(urls):
        assert len(one_by_one) == len(urls) and all(one_by_one)
    elif all(isinstance(url, str) and url for url in urls):
        assert not all(one_by_one)
    for url in urls:  # and each, the short way or not, is what the dict path writes
        kept = safe_url(url)
        expected = "null" if kept is None else encode_basestring(clean_text(kept))
        assert json_incident._link(url) == expected


def plain_time(moment: datetime | None, zone: tzinfo | None) -> str:
    """What the dict path writes for a time."""
    text = render_json._time(moment, zone)
    return "null" if text is None else f'"{text}"'


def written_in(zones: tuple[tzinfo, ...], start: datetime, hours: int, step: int) -> list[datetime]:
    """Every `step` minutes from `start` for `hours`, written in each of `zones`."""
    moments = [start + timedelta(minutes=m, seconds=m % 61) for m in range(0, hours * 60, step)]
    return [moment.astimezone(zone) for moment in moments for zone in zones]


OFFSETS = (
    UTC,
    timezone(timedelta(hours=1)),
    timezone(timedelta(hours=2)),
    timezone(timedelta(hours=-5)),
    timezone(timedelta(hours=5, minutes=30)),
    timezone(timedelta(hours=1), "CET"),
    STOCKHOLM,
)


@pytest.mark.parametrize(
    "start",
    [
        datetime(2024, 3, 30, 12, tzinfo=UTC),  # the last Sunday of March: 02:00 → 03:00
        datetime(2024, 10, 26, 12, tzinfo=UTC),  # the last Sunday of October: 03:00 → 02:00
        datetime(2023, 3, 25, 12, tzinfo=UTC),
        datetime(2023, 10, 28, 12, tzinfo=UTC),
        datetime(2024, 12, 31, 12, tzinfo=UTC),  # the new year, in one offset and another
    ],
)
@pytest.mark.parametrize(
    "zone",
    [STOCKHOLM, ZoneInfo("America/New_York"), ZoneInfo("Australia/Lord_Howe"), UTC, None],
)
def test_local_times_are_the_plain_ones_across_a_change_of_clocks(
    start: datetime, zone: tzinfo | None
) -> None:
    clock = Clock(zone)
    moments = written_in(OFFSETS, start, hours=36, step=7)
    for _ in range(2):  # the days made, then the days known
        assert [clock(moment) for moment in moments] == [plain_time(m, zone) for m in moments]


def test_the_hour_that_is_twice_and_the_hour_that_is_not() -> None:
    clock = Clock(STOCKHOLM)
    twice = [datetime(2024, 10, 27, 0, 30, tzinfo=UTC), datetime(2024, 10, 27, 1, 30, tzinfo=UTC)]
    assert [clock(m) for m in twice] == [
        '"2024-10-27T02:30:00+02:00"',
        '"2024-10-27T02:30:00+01:00"',
    ]
    skipped = datetime(2024, 3, 31, 1, 0, 1, tzinfo=UTC)
    assert clock(skipped) == '"2024-03-31T03:00:01+02:00"'
    written = datetime(2024, 3, 31, 3, 0, 1, tzinfo=timezone(timedelta(hours=2)))
    assert clock(written) == clock(skipped)


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(1900, 1, 2),
        max_value=datetime(2100, 1, 1),
        timezones=st.sampled_from([*OFFSETS, None]),
    ),
    st.sampled_from([STOCKHOLM, UTC, ZoneInfo("Asia/Kathmandu"), None]),
)
def test_any_time_is_the_plain_one(moment: datetime, zone: tzinfo | None) -> None:
    clock = Clock(zone)
    assert clock(moment) == plain_time(moment, zone)
    assert clock(moment) == plain_time(moment, zone)  # known the second time


def test_a_naive_time_and_the_ends_of_the_calendar() -> None:
    for zone in (STOCKHOLM, None):
        clock = Clock(zone)
        for moment in (
            datetime(2024, 5, 1, 12, 0),
            datetime(1, 1, 1, 12, tzinfo=UTC),
            datetime(9999, 12, 31, 12, tzinfo=UTC),
            datetime(2024, 5, 1, 12, 0, 59, 999999, tzinfo=UTC),
        ):
            assert clock(moment) == plain_time(moment, zone)


def many(base: Briefing, count: int) -> Briefing:
    """`count` incidents made from the builder's, so that blocks fill, with hostile ones
    and times across the change of clocks among them."""
    items = []
    hostile = ("skott\x07 i  natt ", 'om "banken" ', "a\\b", "850101\u200b1234", "x\u202ey")
    for number in range(count):
        item = base.items[number % len(base.items)]
        moment = datetime(2024, 10, 26, 23, tzinfo=UTC) + timedelta(minutes=7 * number)
        incident = replace(
            item.incident,
            key=f"{number}",
            title=hostile[number % 5] if number % 97 == 3 else f"{number} Brand, Järfälla",
            summary=f"Ett – {number}" if number % 11 else item.incident.summary,
            url=None if number % 89 == 5 else f"https://polisen.se/h/{number}/",
            published_at=moment.astimezone(timezone(timedelta(hours=number % 3))),
            occurred_at=None if number % 13 == 0 else moment - timedelta(hours=1),
        )
        items.append(replace(item, incident=incident))
    return replace(base, items=tuple(items))


@pytest.mark.parametrize("count", [1, 127, 128, 129, 700])
def test_blocks_of_incidents_are_the_dict_path_byte_for_byte(count: int) -> None:
    subject = many(briefing(demo=True), count)
    expected = json.dumps(render_json.to_json(subject), ensure_ascii=False, indent=2) + "\n"
    assert render_json.dumps(subject) == expected
    assert "850101\u200b1234" not in expected and "\x07" not in expected
