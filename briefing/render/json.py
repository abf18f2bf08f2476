"""The briefing as JSON, schema 1 (ARCHITECTURE.md; JSON Schema in briefing/data/schema-1.json).

The schema is a contract with whoever reads the file: field names and value
sets are exactly the documented ones, and a value outside a documented set is
mapped onto it (an unknown stakeholder kind becomes "other") rather than
breaking a consumer that validates. Text is cleaned once more and a URL that
could not be a safe link is null, as in every other format.

`chunks` gives the document incident by incident, so a national backlog is
never held whole in memory (briefing.deliver.files.write_atomic takes the
pieces); `dumps` joins the same chunks. The layout is the
one of `json.dumps(to_json(b), ensure_ascii=False, indent=2)`, byte for byte,
written here because the standard library indents with its pure-Python encoder
(four times slower; bench/RESULTS.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, tzinfo
from functools import cache
from json.encoder import encode_basestring
from typing import Any

from briefing.models import (
    Briefing,
    FollowUp,
    Item,
    Repeat,
    SourceReport,
    Trend,
    clean_text,
)
from briefing.render.followup import of
from briefing.render.json_incident import STAKEHOLDER_KINDS
from briefing.render.json_incident import VALUES as _VALUES
from briefing.render.json_incident import texts as _texts
from briefing.render.json_memo import Memo as _Memo
from briefing.render.opening import opening
from briefing.render.view import safe_url

SCHEMA = 1
SOURCE_STATUSES = ("ok", "error", "stale")
INDENT = "  "


def to_json(briefing: Briefing) -> dict[str, Any]:
    """The schema-1 document for `briefing`; times in the window's time zone."""
    zone = briefing.window_end.tzinfo
    document = _head(briefing)
    document["incidents"] = [_incident(item, zone, briefing) for item in briefing.items]
    document |= _tail(briefing)
    return document


def dumps(briefing: Briefing) -> str:
    """The document as indented text, ending with a newline."""
    return "".join(chunks(briefing))


def chunks(briefing: Briefing) -> Iterator[str]:
    """`dumps(briefing)` in pieces: the head, then one piece per incident, then the rest."""
    zone = briefing.window_end.tzinfo
    head = _pretty(_head(briefing), 0)
    yield head[:-2] + f',\n{INDENT}"incidents": '  # the head without its closing "\n}"
    if not briefing.items:
        yield "[]"
    else:
        memo = _Memo(briefing, zone)
        yield from _texts(
            briefing.items,
            memo,
            lambda noted: _pretty(_followup(noted, zone), 3),
            separator=f"[\n{INDENT * 2}",
        )
        yield f"\n{INDENT}]"
    tail = _pretty(_tail(briefing), 0)
    yield "," + tail[1:] + "\n"  # the rest without its opening "{"


def _head(briefing: Briefing) -> dict[str, Any]:
    zone = briefing.window_end.tzinfo
    head = {
        "schema": SCHEMA,
        "municipality": briefing.municipality,
        "generated_at": _time(briefing.generated_at, zone),
        "window": {
            "start": _time(briefing.window_start, zone),
            "end": _time(briefing.window_end, zone),
        },
        "sources": [_source(source) for source in briefing.sources],
        "opening": opening(briefing),
    }
    cleaned: dict[str, Any] = _cleaned(head)
    return cleaned


def _tail(briefing: Briefing) -> dict[str, Any]:
    zone = briefing.window_end.tzinfo
    # earlier_open gathers the id of every incident: only worth it when there are follow-ups
    earlier = briefing.earlier_open if briefing.followups else ()
    tail = {
        "trends": [_trend(trend) for trend in briefing.trends],
        "repeats": [_repeat(repeat) for repeat in briefing.repeats],
        "followups": [_followup(f, zone) for f in earlier],
    }
    cleaned: dict[str, Any] = _cleaned(tail)
    return cleaned


def _cleaned(value: Any) -> Any:
    """Every string in the document without control characters, as in every other format."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {key: _cleaned(element) for key, element in value.items()}
    if isinstance(value, list):
        return [_cleaned(element) for element in value]
    return value


def _pretty(value: Any, level: int) -> str:
    """`value` as json.dumps(indent=2, ensure_ascii=False) writes it at nesting `level`."""
    if isinstance(value, str):
        return str(encode_basestring(value))
    if isinstance(value, dict):
        if not value:
            return "{}"
        prefixes = _prefixes(level + 1)
        parts = []
        for key, element in value.items():
            if (prefix := prefixes.get(key)) is None:
                # a TypeError for a key that is not text, as json.dumps gives for most
                prefix = prefixes[key] = f"\n{INDENT * (level + 1)}{encode_basestring(key)}: "
            if type(element) is str:
                parts.append(prefix + encode_basestring(element))
            elif element is None:
                parts.append(prefix + "null")
            else:
                parts.append(prefix + _pretty(element, level + 1))
        return "{" + ",".join(parts) + "\n" + INDENT * level + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = "\n" + INDENT * (level + 1)
        parts = [
            inner
            + (encode_basestring(element) if type(element) is str else _pretty(element, level + 1))
            for element in value
        ]
        return "[" + ",".join(parts) + "\n" + INDENT * level + "]"
    return _scalar(value)


@cache
def _prefixes(level: int) -> dict[str, str]:
    """Each key at `level` as it starts its line ('\n    "key": '), made once."""
    return {}


def _scalar(value: object) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _time(moment: datetime | None, zone: tzinfo | None) -> str | None:
    if moment is None:
        return None
    local = moment.astimezone(zone) if zone else moment
    return local.isoformat(timespec="seconds")


def _source(source: SourceReport) -> dict[str, Any]:
    return {
        "name": source.name,
        "kind": source.kind,
        "status": source.status if source.status in SOURCE_STATUSES else "error",
        "fetched": source.fetched,
        "new": source.new,
        "updated": source.updated,
        "error": source.error,
    }


def _incident(item: Item, zone: tzinfo | None, briefing: Briefing) -> dict[str, Any]:
    """One incident, every text cleaned where it is read (the fields that are not text,
    times and the values of fixed sets, need no cleaning)."""
    incident, place, judgement = item.incident, item.place, item.judgement
    if item.also:
        reports = item.reports
        sources = [clean_text(name) for name in dict.fromkeys(r.source for r in reports)]
        origins = list(dict.fromkeys(_VALUES[report.origin] for report in reports))
    else:
        sources, origins = [clean_text(incident.source)], [_VALUES[incident.origin]]
    return {
        "id": clean_text(incident.id),
        "sources": sources,
        "origins": origins,
        "type": clean_text(incident.type),
        "category": clean_text(judgement.category),
        "title": clean_text(incident.title),
        "summary": clean_text(incident.summary),
        "url": _clean_or_none(safe_url(incident.url)),
        "occurred_at": _time(incident.occurred_at, zone),
        "published_at": _time(incident.published_at, zone),
        "municipality": _clean_or_none(place.municipality or incident.municipality),
        "district": _clean_or_none(place.district),
        "place": _clean_or_none(place.place),
        "precision": _VALUES[place.precision],
        "severity": _VALUES[judgement.severity],
        "serious": judgement.serious,
        "reasons": [clean_text(reason) for reason in judgement.reasons],
        "status": _VALUES[item.status],
        "stakeholders": [
            {
                "name": clean_text(s.name),
                "kind": s.kind if s.kind in STAKEHOLDER_KINDS else "other",
                "reason": clean_text(s.reason),
            }
            for s in item.stakeholders
        ],
        **({"fused_because": clean_text(item.fused_because)} if item.also else {}),
        **({"check": clean_text(judgement.check)} if judgement.check else {}),
        "followup": _followup(noted, zone) if (noted := of(briefing, incident.id)) else None,
    }


def _followup(followup: FollowUp, zone: tzinfo | None) -> dict[str, Any]:
    """An incident's follow-up: "handled" once closed with `briefing ack --done`, else "open"."""
    return {
        "incident": clean_text(followup.incident_id),
        "state": "handled" if followup.done else "open",
        "informed": [clean_text(name) for name in followup.informed],
        "entries": [
            {
                "at": _time(entry.at, zone),
                "by": clean_text(entry.by),
                "note": clean_text(entry.note),
                "informed": [clean_text(name) for name in entry.informed],
                "done": entry.done,
                "sent_to": _clean_or_none(entry.sent_to),
            }
            for entry in followup.entries
        ],
        **({"title": clean_text(followup.title)} if followup.title else {}),
        **({"when": _time(followup.when, zone)} if followup.when else {}),
    }


def _incident_text(
    item: Item, zone: tzinfo | None, briefing: Briefing, memo: _Memo | None = None
) -> str:
    """The incident as `_pretty(_incident(item, zone, briefing), 2)` writes it, byte for byte."""
    memo = memo or _Memo(briefing, zone)
    return next(_texts((item,), memo, lambda noted: _pretty(_followup(noted, zone), 3)))


def _clean_or_none(text: str | None) -> str | None:
    return None if text is None else clean_text(text)


def _trend(trend: Trend) -> dict[str, Any]:
    return {
        "district": trend.district,
        "category": trend.category,
        "last_7_days": trend.last_7_days,
        "baseline_per_week": trend.baseline_per_week,
        "flagged": trend.flagged,
        "text": trend.text,
    }


def _repeat(repeat: Repeat) -> dict[str, Any]:
    return {
        "place": repeat.place,
        "district": repeat.district,
        "count": repeat.count,
        "days": repeat.days,
        "incidents": list(repeat.incident_ids),
        "text": repeat.text,
    }
