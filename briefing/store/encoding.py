"""An incident's facts as the store keeps them: one text per version (`pack`), read back
with one split (`unpack`), and the UTC text of its publication time (`published_utc`).

The facts are every field of Incident but `source`, `key` (the head row has them) and
`raw` (a column of its own), in FIELDS order, joined by US (¦); a field that is None is
RS (¤) alone. Times keep their own offset (`isoformat()`), so an incident comes back with
the offset it came with; coordinates are `repr` of the float ("nan" and "inf" too). A
version whose facts such a text could not say unambiguously (a separator inside a text,
a coordinate that is not a float) is a JSON list of the same values instead, which
starts with "[" (the packed text starts with the origin, a word).

Equal facts are equal texts, and equal texts are equal facts: the store compares texts to
see an unchanged report, and falls back to the fingerprint when they differ (the same
instant written with another offset is no edit). Nothing is hashed or JSON-encoded on the
way in: the old store wrote a JSON document and a sha256 per version (migration 10 turns
them into these texts).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from briefing.models import Incident, Origin, compact_json

# Printable (the store keeps no control character: tests/test_security.py), one byte in a
# Latin-1 text, and in none of the 2023-2024 police corpus's 46 000 events; a feed text
# that has one is stored as JSON.
US = "\xa6"  # between fields: ¦
RS = "\xa4"  # a field that is None: ¤
FIELDS = (
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
_SEPARATORS = len(FIELDS) - 1
_ORIGINS = {origin.value: origin for origin in Origin}
_json: Callable[[object], str] = compact_json()
_load = json.JSONDecoder().decode


def pack(incident: Incident) -> tuple[str, str, str]:
    """The facts of `incident` as one text (see the module's doc), its publication time
    as that text writes it (`published_at.isoformat()`), and in UTC (`utc_text`)."""
    local, utc = published_texts(incident.published_at)
    occurred = incident.occurred_at
    url = incident.url
    municipality = incident.municipality
    county = incident.county
    lat = incident.lat
    lon = incident.lon
    parent = incident.parent
    parts = (
        incident.origin,  # a StrEnum: the text of its value
        incident.type,
        incident.title,
        incident.summary,
        local,
        RS if occurred is None else local_text(occurred),
        RS if url is None else url,
        RS if municipality is None else municipality,
        RS if county is None else county,
        incident.location,
        incident.text,
        RS if lat is None else float.__repr__(lat) if type(lat) is float else lat,
        RS if lon is None else float.__repr__(lon) if type(lon) is float else lon,
        RS if parent is None else parent,
    )
    try:
        text = US.join(parts)  # type: ignore[arg-type]  # a non-str part: JSON below
    except TypeError:
        return _as_json(incident), local, utc
    # A US inside a text would split it; a text that is RS alone would read as None (RS
    # inside a longer text is no trouble: only a whole field is compared with RS).
    if text.count(US) != _SEPARATORS or RS in (url, municipality, county, parent):
        return _as_json(incident), local, utc
    return text, local, utc


def _as_json(incident: Incident) -> str:
    occurred = incident.occurred_at
    values = [getattr(incident, name) for name in FIELDS]
    values[0] = incident.origin.value
    values[4] = incident.published_at.isoformat()
    values[5] = None if occurred is None else occurred.isoformat()
    return _json(values)


def unpack(source: str, key: str, facts: str, raw: str) -> Incident:
    """The incident `pack` wrote, with its source, key and raw payload."""
    if facts.startswith("["):  # JSON: its texts may hold separators
        return _from_json(source, key, facts, raw)
    (
        origin,
        kind,
        title,
        summary,
        published,
        occurred,
        url,
        municipality,
        county,
        location,
        text,
        lat,
        lon,
        parent,
    ) = facts.split(US)
    return Incident(
        source,
        key,
        _ORIGINS.get(origin) or Origin(origin),
        kind,
        title,
        summary,
        datetime.fromisoformat(published),
        None if occurred == RS else datetime.fromisoformat(occurred),
        None if url == RS else url,
        None if municipality == RS else municipality,
        None if county == RS else county,
        location,
        text,
        None if lat == RS else float(lat),
        None if lon == RS else float(lon),
        None if parent == RS else parent,
        raw,
    )


def same_facts(one: str, other: str) -> bool:
    """Whether two facts texts say the same facts: equal texts, or the same instants written
    with other offsets (what the fingerprint, which writes times in UTC, says too)."""
    if one == other:
        return True
    if one.startswith("[") or other.startswith("["):
        return unpack("", "", one, "").fingerprint() == unpack("", "", other, "").fingerprint()
    a = one.split(US)
    b = other.split(US)
    if a[:4] != b[:4] or a[6:] != b[6:]:  # a fact other than a time differs
        return False
    for x, y in ((a[4], b[4]), (a[5], b[5])):  # published_at, occurred_at
        if x != y and (RS in (x, y) or datetime.fromisoformat(x) != datetime.fromisoformat(y)):
            return False
    return True


def _from_json(source: str, key: str, facts: str, raw: str) -> Incident:
    values = dict(zip(FIELDS, _load(facts), strict=True))
    values["origin"] = Origin(values["origin"])
    for name in ("published_at", "occurred_at"):
        if values[name] is not None:
            values[name] = datetime.fromisoformat(values[name])
    return Incident(source=source, key=key, raw=raw, **values)


# "HH±hh:00" of a local time → the UTC hour, when the shift stays within the day.
_UTC_HOURS = {
    f"{hour:02d}{sign}{offset:02d}:00": f"{hour - int(sign + '1') * offset:02d}"
    for hour in range(24)
    for offset in range(24)
    for sign in "+-"
    if 0 <= hour - int(sign + "1") * offset < 24
}


# (offset, year, month, day) of a local time → the day's text ("2024-06-01T"), the days
# before and after it, its offset ("+02:00") and the offset in hours; None when the
# offset is not whole hours (the UTC minutes differ from the local ones) or a day is out
# of range. Checked against the plain code when made.
_Day = tuple[str, str, str, str, int]
_DAYS: dict[tuple[timedelta, int, int, int], _Day | None] = {}
_DAYS_KEPT = 20_000  # then the cache starts again
_TWO = [f"{number:02d}" for number in range(60)]
_HOUR = timedelta(hours=1)
_ONE_DAY = timedelta(days=1)
_UNKNOWN: _Day = ("", "", "", "", 0)


def published_texts(published: datetime) -> tuple[str, str]:
    """`published.isoformat()` and `utc_text(published)`, most times without either (two
    isoformat calls were a third of packing a report): from a cache of their day."""
    offset = published.utcoffset()
    if offset is None:
        raise ValueError(f"naive datetime {published!r}: the store keeps aware times only")
    if not published.microsecond:
        key = (offset, published.year, published.month, published.day)
        day = _DAYS.get(key, _UNKNOWN)
        if day is _UNKNOWN:
            day = _day(published, offset, key)
        if day is not None:
            hour = published.hour
            rest = f"{_TWO[published.minute]}:{_TWO[published.second]}"
            utc_hour = hour - day[4]
            if utc_hour < 0:
                utc = f"{day[1]}{_TWO[utc_hour + 24]}:{rest}.000000+00:00"
            elif utc_hour < 24:
                utc = f"{day[0]}{_TWO[utc_hour]}:{rest}.000000+00:00"
            else:
                utc = f"{day[2]}{_TWO[utc_hour - 24]}:{rest}.000000+00:00"
            return f"{day[0]}{_TWO[hour]}:{rest}{day[3]}", utc
    local = published.isoformat()
    return local, published_utc(published, local)


def local_text(moment: datetime) -> str:
    """`moment.isoformat()`, from the cache of `published_texts` when it can."""
    if moment.microsecond or (offset := moment.utcoffset()) is None:
        return moment.isoformat()
    day = _DAYS.get((offset, moment.year, moment.month, moment.day))
    if day is None:
        return moment.isoformat()
    return f"{day[0]}{_TWO[moment.hour]}:{_TWO[moment.minute]}:{_TWO[moment.second]}{day[3]}"


def _day(
    published: datetime, offset: timedelta, key: tuple[timedelta, int, int, int]
) -> _Day | None:
    """The cache entry of `published`'s day (see _DAYS), checked against the plain code."""
    if len(_DAYS) >= _DAYS_KEPT:
        _DAYS.clear()
    day: _Day | None = None
    local = published.isoformat()
    date = published.date()
    if not offset % _HOUR and len(local) == 25 and date.min < date < date.max:
        hours = offset // _HOUR
        texts = (date - _ONE_DAY, date + _ONE_DAY)
        day = (
            local[:11],
            f"{texts[0].isoformat()}T",
            f"{texts[1].isoformat()}T",
            local[19:],
            hours,
        )
        _DAYS[key] = day
        if published_texts(published) != (local, published_utc(published, local)):
            day = None
    _DAYS[key] = day
    return day


def published_utc(published: datetime, local: str) -> str:
    """`utc_text(published)` (UTC, always with microseconds), given `local`, its
    `isoformat()`: most times only need their hour shifted, not a new datetime."""
    size = len(local)
    if size == 25 or size == 32:  # no microseconds, or microseconds; an offset of ±hh:mm
        hour = _UTC_HOURS.get(local[11:13] + local[-6:])
        if hour is not None:
            fraction = ".000000" if size == 25 else local[19:26]
            return f"{local[:11]}{hour}{local[13:19]}{fraction}+00:00"
    return published.astimezone(UTC).isoformat(timespec="microseconds")


def document_facts(document: str | None) -> str | None:
    """The packed facts of a JSON document as stores before schema 10 kept it (migration
    10 calls it as briefing_document_facts); a value that is not a document is given
    back as it is."""
    if not isinstance(document, str):
        return document
    return pack(document_incident(document))[0]


def document_incident(document: str) -> Incident:
    """The incident of a JSON document as stores before schema 10 kept it (every field
    but `raw`). Fields added to Incident later take their defaults."""
    values = json.loads(document)
    values = {name: values[name] for name in _DOCUMENT_FIELDS if name in values}
    values["origin"] = Origin(values["origin"])
    for name in ("published_at", "occurred_at"):
        if values.get(name) is not None:
            values[name] = datetime.fromisoformat(values[name])
    return Incident(**values)


_DOCUMENT_FIELDS = ("source", "key", *FIELDS)
