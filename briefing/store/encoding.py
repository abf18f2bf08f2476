"""An incident's stored texts in one pass: its fingerprint, its JSON document and its UTC
publication time, the same text `Incident.fingerprint()`, `compact_json()` of the document
dict and `utc_text()` give, from one encoding of each string field.

The fingerprint and the document share nine text fields; the standard encoder would
escape each twice and build a list and a dict per incident. Here each is escaped once
(the C `encode_basestring`, what the encoder itself uses) and the two texts are joined
from the pieces. tests/test_store_encoding.py checks them against the reference code on
every recorded incident and on generated ones.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime

from briefing.models import Incident, compact_json

_quoted: Callable[[str], str] = json.encoder.encode_basestring  # the C one when built
_other = compact_json()  # anything but a str, a float or None (an int given as lat, …)
_sha256 = hashlib.sha256


def _value(value: object) -> str:
    """`value` as the compact encoder writes it."""
    if value is None:
        return "null"
    if type(value) is str:
        return _quoted(value)
    if type(value) is float and value == value and value not in (_INF, -_INF):
        return float.__repr__(value)
    return _other(value)


_INF = float("inf")


def utc_iso(moment: datetime) -> str:
    """`moment.astimezone(UTC).isoformat()`: what the fingerprint writes."""
    return moment.astimezone(UTC).isoformat()


def stored_texts(incident: Incident) -> tuple[str, str, str]:
    """(fingerprint, document, published_at as the store writes it) of `incident`."""
    quoted = _quoted
    published = incident.published_at
    if published.utcoffset() is None:
        raise ValueError(f"naive datetime {published!r}: the store keeps aware times only")
    published_utc = published.astimezone(UTC).isoformat()
    if published.microsecond == 0:  # utc_text's fixed format always has the microseconds
        stored_at = f"{published_utc[:19]}.000000{published_utc[19:]}"
    else:
        stored_at = published_utc
    occurred = incident.occurred_at
    if occurred is None:
        occurred_utc = occurred_local = "null"
    else:
        occurred_utc = quoted(occurred.astimezone(UTC).isoformat())
        occurred_local = quoted(occurred.isoformat())
    origin = quoted(incident.origin.value)
    kind = _value(incident.type)
    title = _value(incident.title)
    summary = _value(incident.summary)
    url = _value(incident.url)
    municipality = _value(incident.municipality)
    county = _value(incident.county)
    location = _value(incident.location)
    text = _value(incident.text)
    lat = _value(incident.lat)
    lon = _value(incident.lon)
    parent = _value(incident.parent)
    facts = (
        f"[{origin},{kind},{title},{summary},{url},{quoted(published_utc)},{occurred_utc},"
        f"{municipality},{county},{location},{text},{lat},{lon},{parent}]"
    )
    document = (
        f'{{"source":{quoted(incident.source)},"key":{quoted(incident.key)},'
        f'"origin":{origin},"type":{kind},"title":{title},"summary":{summary},'
        f'"published_at":{quoted(published.isoformat())},"occurred_at":{occurred_local},'
        f'"url":{url},"municipality":{municipality},"county":{county},'
        f'"location":{location},"text":{text},"lat":{lat},"lon":{lon},"parent":{parent}}}'
    )
    return _sha256(facts.encode()).hexdigest(), document, stored_at


# The document's keys, in the order written above: Incident's fields but `raw`. A field
# added to Incident must be added here too (the store's test compares the two).
DOCUMENT_KEYS = (
    "source",
    "key",
    "origin",
    "type",
    "title",
    "summary",
    "published_at",
    "occurred_at",
    "url",
    "municipality",
    "county",
    "location",
    "text",
    "lat",
    "lon",
    "parent",
)
