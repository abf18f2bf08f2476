"""The store's short cuts keep what the plain code kept: the fingerprint (a stored format
before schema 10, still what decides an edit when two facts texts differ), the facts text
(every incident comes back equal, with its offsets; equal texts only for equal facts), the
UTC text of a publication time, the old JSON documents read by migration 10; and the
store-rate benchmark runs."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bench import store_rate
from briefing.models import Incident, Origin, compact_json
from briefing.store import Store
from briefing.store.base import utc_text
from briefing.store.encoding import (
    FIELDS,
    RS,
    US,
    document_facts,
    local_text,
    pack,
    published_texts,
    published_utc,
    same_facts,
    unpack,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
PLAIN = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def reference_fingerprint(incident: Incident) -> str:
    """Incident.fingerprint as it was first written (json.dumps, one helper per time)."""

    def utc(moment: datetime | None) -> str | None:
        return moment.astimezone(UTC).isoformat() if moment else None

    facts = [
        incident.origin.value,
        incident.type,
        incident.title,
        incident.summary,
        incident.url,
        utc(incident.published_at),
        utc(incident.occurred_at),
        incident.municipality,
        incident.county,
        incident.location,
        incident.text,
        incident.lat,
        incident.lon,
        incident.parent,
    ]
    blob = json.dumps(facts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def reference_document(incident: Incident) -> str:
    """The JSON document stores before schema 10 wrote: every field but raw."""
    names = ("source", "key", *FIELDS)
    document: dict[str, Any] = {name: getattr(incident, name) for name in names}
    document["origin"] = incident.origin.value
    for name in ("published_at", "occurred_at"):
        if document[name] is not None:
            document[name] = document[name].isoformat()
    return PLAIN.encode(document)


def same(back: Incident, incident: Incident) -> bool:
    """Equal, with the same offsets and raw payload (NaN is unequal to itself)."""
    if back.fingerprint() != incident.fingerprint() or back.raw != incident.raw:
        return False
    if back.published_at.utcoffset() != incident.published_at.utcoffset():
        return False
    occurred = incident.occurred_at
    if occurred and back.occurred_at and back.occurred_at.utcoffset() != occurred.utcoffset():
        return False
    nan = math.isnan(incident.lat or 0.0) or math.isnan(incident.lon or 0.0)
    return nan or back == incident


def odd_incidents() -> list[Incident]:
    """Real police events, and the corners a feed can reach: every optional field set or
    not, other offsets, microseconds, escapes, non-BMP text, extreme and special floats."""
    real = store_rate.incidents(300)
    base = real[0]
    odd = [
        dataclasses.replace(
            base,
            occurred_at=datetime(2024, 3, 31, 3, 30, 15, 123456, tzinfo=STOCKHOLM),
            municipality="Järfälla",
            county="Stockholms län",
            text='Rad ett\nrad två\t"citat" \\ snedstreck \u2028 😀 \x00',
            lat=59.42310000000001,
            lon=-0.1 + 0.2,
            parent="polisen:1",
            url=None,
        ),
        dataclasses.replace(
            base,
            origin=Origin.GUARDS,
            published_at=datetime(2026, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=-3))),
            lat=1e-300,
            lon=1.7976931348623157e308,
        ),
        dataclasses.replace(base, lat=math.nan, lon=math.inf),
        dataclasses.replace(base, lat=-math.inf, lon=0.0, title=""),
        dataclasses.replace(base, title=RS, text=f"{RS}x", url=f"{RS}{RS}", parent=f"a{RS}"),
    ]
    return real + odd


def awkward_incidents() -> list[Incident]:
    """Odd incidents whose facts a packed text cannot say: stored as JSON instead."""
    base = store_rate.incidents(1)[0]
    return [
        dataclasses.replace(base, title=f"a{US}b"),
        dataclasses.replace(base, title=US * (len(FIELDS) - 1), summary=""),  # splits in 14
        dataclasses.replace(base, url=RS),
        dataclasses.replace(base, parent=RS),
        dataclasses.replace(base, county=RS, municipality=f"x{RS}"),
        dataclasses.replace(base, lat=59, lon=True),
        dataclasses.replace(base, lat=59.5, lon=17),
    ]


@pytest.mark.parametrize("incident", odd_incidents(), ids=lambda i: i.key)
def test_the_fingerprint_is_that_of_the_plain_code(incident: Incident) -> None:
    assert incident.fingerprint() == reference_fingerprint(incident)


@pytest.mark.parametrize("incident", odd_incidents() + awkward_incidents())
def test_packed_facts_come_back_as_the_same_incident(incident: Incident) -> None:
    facts, local, utc = pack(incident)
    assert local == incident.published_at.isoformat()
    assert utc == utc_text(incident.published_at)
    back = unpack(incident.source, incident.key, facts, incident.raw)
    assert same(back, incident)
    assert type(back.lat) is type(incident.lat) and type(back.lon) is type(incident.lon)


def test_facts_a_packed_text_cannot_say_are_json_and_others_are_not() -> None:
    for incident in awkward_incidents():
        facts, _, _ = pack(incident)
        assert facts.startswith("[") and json.loads(facts)[2] == incident.title
    for incident in odd_incidents():
        facts, _, _ = pack(incident)
        assert not facts.startswith("[") and facts.count(US) == len(FIELDS) - 1


def test_equal_texts_only_for_equal_facts() -> None:
    full = next(i for i in odd_incidents() if i.parent == "polisen:1")  # every field set
    base = dataclasses.replace(full, url="https://polisen.se/x")
    changes: list[dict[str, Any]] = [
        {"origin": Origin.GUARDS},
        {"type": base.type + "x"},
        {"title": ""},
        {"summary": base.summary + "."},
        {"published_at": base.published_at + timedelta(microseconds=1)},
        {"occurred_at": None},
        {"url": "https://polisen.se/"},
        {"url": None},
        {"municipality": None},
        {"county": ""},
        {"location": "x"},
        {"text": "ny"},
        {"lat": None},
        {"lat": 59.42310000000002},
        {"lon": -0.0},
        {"parent": None},
        {"parent": ""},
    ]
    assert {change_name for change in changes for change_name in change} >= set(FIELDS)
    texts = {pack(base)[0]}
    for change in changes:
        changed = dataclasses.replace(base, **change)
        assert changed.fingerprint() != base.fingerprint(), change
        texts.add(pack(changed)[0])
    assert len(texts) == len(changes) + 1
    assert pack(dataclasses.replace(base, raw="{}")) == pack(base)  # raw is no fact


def test_same_facts_is_an_equal_fingerprint() -> None:
    """Over pairs of real, odd, awkward (JSON) incidents, their edits and the same instants
    written with other offsets."""
    kathmandu = ZoneInfo("Asia/Kathmandu")
    variants = []
    for incident in [*odd_incidents()[-6:], *awkward_incidents()[:2]]:
        occurred = incident.occurred_at
        variants += [
            incident,
            dataclasses.replace(incident, published_at=incident.published_at.astimezone(UTC)),
            dataclasses.replace(incident, published_at=incident.published_at + timedelta(hours=1)),
            dataclasses.replace(incident, occurred_at=occurred and occurred.astimezone(kathmandu)),
            dataclasses.replace(incident, occurred_at=None),
            dataclasses.replace(incident, summary=incident.summary + "!"),
            dataclasses.replace(incident, lat=None if incident.lat else 1.5),
        ]
    pairs = 0
    for one in variants:
        for other in variants:
            expected = one.fingerprint() == other.fingerprint()
            assert same_facts(pack(one)[0], pack(other)[0]) == expected, (one, other)
            pairs += expected and pack(one) != pack(other)
    assert pairs > 10  # texts that differ and say the same facts were among them


def test_the_utc_text_of_a_publication_time_is_utc_text() -> None:
    zones = [STOCKHOLM, UTC, ZoneInfo("America/St_Johns"), ZoneInfo("Asia/Kathmandu")]
    zones += [timezone(timedelta(hours=h)) for h in (-12, -3, 0, 5, 14)]
    zones += [timezone(timedelta(hours=1, seconds=30))]
    start = datetime(2024, 3, 30, 20, 0, tzinfo=UTC)
    for zone in zones:
        for step in range(0, 60 * 36, 23):  # across midnights and a change to summer time
            for micro in (0, 7):
                moment = (start + timedelta(minutes=step, microseconds=micro)).astimezone(zone)
                local = moment.isoformat()
                assert published_utc(moment, local) == utc_text(moment), local
    for incident in odd_incidents():
        local = incident.published_at.isoformat()
        assert published_utc(incident.published_at, local) == utc_text(incident.published_at)


def test_the_texts_of_a_time_from_the_cache_of_its_day_are_the_plain_ones() -> None:
    """`published_texts` and `local_text` (a cache per day and offset) against isoformat and
    utc_text: across midnights, changes to and from summer time (both folds), offsets of
    whole hours, of half hours and with seconds, microseconds, and the ends of the calendar."""
    zones = [STOCKHOLM, UTC, ZoneInfo("America/St_Johns"), ZoneInfo("Asia/Kathmandu")]
    zones += [ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Australia/Lord_Howe")]
    zones += [timezone(timedelta(hours=h)) for h in (-12, -3, 0, 5, 14)]
    zones += [timezone(timedelta(hours=1, seconds=30)), timezone(timedelta(hours=-23, minutes=59))]
    starts = [datetime(2024, 3, 30, 20, tzinfo=UTC), datetime(2024, 10, 26, 20, tzinfo=UTC)]
    moments = [
        (start + timedelta(minutes=step, seconds=step % 7, microseconds=micro)).astimezone(zone)
        for zone in zones
        for start in starts
        for step in range(0, 60 * 36, 17)
        for micro in (0, 0, 7)
    ]
    moments += [moment.replace(fold=1) for moment in moments[::5]]
    moments += [
        datetime(1, 1, 1, 5, tzinfo=timezone(timedelta(hours=3))),
        datetime(1, 1, 2, 1, tzinfo=timezone(timedelta(hours=3))),
        datetime(9999, 12, 31, 20, tzinfo=timezone(timedelta(hours=-2))),
        datetime(9999, 12, 30, 23, tzinfo=timezone(timedelta(hours=-2))),
    ]
    for moment in moments * 2:  # the second time from the cache
        assert published_texts(moment) == (moment.isoformat(), utc_text(moment)), moment
        assert local_text(moment) == moment.isoformat(), moment
    assert local_text(datetime(2024, 1, 1, 8)) == "2024-01-01T08:00:00"  # naive: as it is
    with pytest.raises(ValueError, match="naive"):
        published_texts(datetime(2024, 1, 1, 8))


def test_naive_times_are_refused() -> None:
    base = store_rate.incidents(1)[0]
    with pytest.raises(ValueError, match="naive"):
        pack(dataclasses.replace(base, published_at=datetime(2024, 1, 1, 8, 0)))


@pytest.mark.parametrize("incident", odd_incidents()[-30:] + awkward_incidents())
def test_an_old_json_document_becomes_the_facts_of_the_same_incident(incident: Incident) -> None:
    facts = document_facts(reference_document(incident))
    assert isinstance(facts, str)
    assert same(unpack(incident.source, incident.key, facts, incident.raw), incident)
    assert document_facts(None) is None


def test_an_old_document_without_a_later_field_takes_its_default() -> None:
    incident = dataclasses.replace(store_rate.incidents(1)[0], parent=None, text="")
    document = json.loads(reference_document(incident))
    del document["parent"], document["text"]
    facts = document_facts(json.dumps(document))
    assert isinstance(facts, str)
    assert same(unpack(incident.source, incident.key, facts, incident.raw), incident)


def test_the_same_instant_with_another_offset_is_no_new_version(tmp_path: Path) -> None:
    base = store_rate.incidents(1)[0]
    moved = dataclasses.replace(base, published_at=base.published_at.astimezone(UTC))
    assert pack(moved) != pack(base) and moved.fingerprint() == base.fingerprint()
    with Store(tmp_path / "briefing.sqlite3") as store:
        assert store.save_batch("polisen", [base], {}, base.published_at).new == 1
        assert store.save_batch("polisen", [moved], {}, base.published_at).unchanged == 1
        edit = dataclasses.replace(moved, summary="Ny")
        assert store.save_batch("polisen", [edit], {}, base.published_at).updated == 1
        [first, second] = store.history(base.id)
    assert first.incident.published_at.utcoffset() == base.published_at.utcoffset()
    assert second.incident == edit and second.incident.published_at.utcoffset() == timedelta(0)


def test_the_compact_encoder_writes_what_json_dumps_writes() -> None:
    encode = compact_json()
    values: list[Any] = [
        ["å", None, 1, True, 2.5, math.nan, "\u2028\x7f\x1f"],
        {"b": [1, {"c": None}], "a": "ä"},
        "plain",
        [],
    ]
    for value in values:
        assert encode(value) == PLAIN.encode(value)
    with pytest.raises(TypeError):
        encode([object()])


def test_the_store_rate_benchmark_counts_every_event_in_each_pass(tmp_path: Path) -> None:
    items = store_rate.incidents(1200)
    assert len({item.id for item in items}) == 1200  # replayed with distinct ids
    rates = store_rate.measure(items, tmp_path)
    assert [(rate.name, rate.events) for rate in rates] == [
        ("new", 1200),
        ("unchanged", 1200),
        ("updated", 1200),
    ]
    assert all(rate.wall > 0 and rate.per_second > 0 for rate in rates)
    with Store(tmp_path / "briefing.sqlite3") as store:
        assert [s.version for s in store.history(items[0].id)] == [1, 2]
        assert store.source_state("polisen") == {"etag": '"2"'}  # the last of three batches


def test_last_report_from_two_index_ends_is_the_plain_maximum(tmp_path: Path) -> None:
    """MAX(MIN(published_at, first_seen)) up to a moment, as the old full scan read it, for
    reports published before they were stored and reports with a clock ahead."""
    base = store_rate.incidents(1)[0]
    start = datetime(2024, 6, 1, tzinfo=UTC)
    with Store(tmp_path / "briefing.sqlite3") as store:
        for n in range(40):
            seen = start + timedelta(hours=n)
            # every third report is dated five hours ahead of when it is stored
            ahead = timedelta(hours=5 if n % 3 == 0 else -1)
            for source in ("a", "b"):
                incident = dataclasses.replace(
                    base, source=source, key=f"{source}{n}", published_at=seen + ahead
                )
                store.save_batch(source, [incident], {}, seen)
        plain = (
            "SELECT MAX(MIN(published_at, first_seen)) FROM incidents"
            " WHERE source = ?1 AND MIN(published_at, first_seen) <= ?2"
        )
        for hours in range(-2, 48):
            until = start + timedelta(hours=hours, minutes=30)
            with store._guard() as conn:
                (expected,) = conn.execute(plain, ("a", utc_text(until))).fetchone()
            found = store.last_report("a", until)
            assert (found and utc_text(found)) == expected
