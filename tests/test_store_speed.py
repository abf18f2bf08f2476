"""The store's short cuts write what the plain code wrote: the fingerprint (a stored
format: a change would make every stored incident look edited once) and the document,
byte for byte; and the store-rate benchmark runs."""

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
from briefing.store.encoding import DOCUMENT_KEYS, stored_texts
from briefing.store.incidents import _DOCUMENT_FIELDS, _decode, _encode

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
    """The document as the store wrote it before the short cuts."""
    document: dict[str, Any] = {name: getattr(incident, name) for name in _DOCUMENT_FIELDS}
    document["origin"] = incident.origin.value
    for name in ("published_at", "occurred_at"):
        if document[name] is not None:
            document[name] = document[name].isoformat()
    return PLAIN.encode(document)


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
    ]
    return real + odd


@pytest.mark.parametrize("incident", odd_incidents(), ids=lambda i: i.key)
def test_fingerprint_and_document_are_those_of_the_plain_code(incident: Incident) -> None:
    assert incident.fingerprint() == reference_fingerprint(incident)
    assert _encode(incident) == reference_document(incident)
    fingerprint, document, published = stored_texts(incident)
    assert fingerprint == reference_fingerprint(incident)
    assert document == reference_document(incident)
    assert published == utc_text(incident.published_at)


def test_the_one_pass_document_has_every_field_but_raw_in_order() -> None:
    assert DOCUMENT_KEYS == _DOCUMENT_FIELDS


def test_the_one_pass_texts_refuse_a_naive_time_and_encode_odd_types_as_json_does() -> None:
    base = store_rate.incidents(1)[0]
    with pytest.raises(ValueError, match="naive"):
        stored_texts(dataclasses.replace(base, published_at=datetime(2024, 1, 1, 8, 0)))
    odd = dataclasses.replace(base, lat=59, lon=True, parent=None)
    fingerprint, document, _ = stored_texts(odd)
    assert (fingerprint, document) == (reference_fingerprint(odd), reference_document(odd))


def test_an_encoded_document_decodes_to_the_same_incident() -> None:
    for incident in odd_incidents():
        back = _decode(_encode(incident), incident.raw)
        assert back.fingerprint() == incident.fingerprint()
        assert back.published_at.utcoffset() == incident.published_at.utcoffset()
        if not math.isnan(incident.lat or 0.0):  # NaN is unequal to itself
            assert back == incident


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
