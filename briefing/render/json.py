"""The briefing as JSON, schema 1 (ARCHITECTURE.md; JSON Schema in briefing/data/schema-1.json).

The schema is a contract with whoever reads the file: field names and value
sets are exactly the documented ones, and a value outside a documented set is
mapped onto it (an unknown stakeholder kind becomes "other") rather than
breaking a consumer that validates. Text is cleaned once more and a URL that
could not be a safe link is null, as in every other format.
"""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from typing import Any

from briefing.models import Briefing, Item, Repeat, SourceReport, Trend, clean_text
from briefing.render.view import safe_url

SCHEMA = 1
SOURCE_STATUSES = ("ok", "error", "stale")
STAKEHOLDER_KINDS = ("school", "preschool", "housing", "business", "district_centre", "other")


def to_json(briefing: Briefing) -> dict[str, Any]:
    """The schema-1 document for `briefing`; times in the window's time zone."""
    zone = briefing.window_end.tzinfo
    document = {
        "schema": SCHEMA,
        "municipality": briefing.municipality,
        "generated_at": _time(briefing.generated_at, zone),
        "window": {
            "start": _time(briefing.window_start, zone),
            "end": _time(briefing.window_end, zone),
        },
        "sources": [_source(source) for source in briefing.sources],
        "incidents": [_incident(item, zone) for item in briefing.items],
        "trends": [_trend(trend) for trend in briefing.trends],
        "repeats": [_repeat(repeat) for repeat in briefing.repeats],
    }
    cleaned: dict[str, Any] = _cleaned(document)
    return cleaned


def dumps(briefing: Briefing) -> str:
    return json.dumps(to_json(briefing), ensure_ascii=False, indent=2) + "\n"


def _cleaned(value: Any) -> Any:
    """Every string in the document without control characters, as in every other format."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {key: _cleaned(element) for key, element in value.items()}
    if isinstance(value, list):
        return [_cleaned(element) for element in value]
    return value


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


def _incident(item: Item, zone: tzinfo | None) -> dict[str, Any]:
    incident, place, judgement = item.incident, item.place, item.judgement
    return {
        "id": incident.id,
        "sources": list(dict.fromkeys(report.source for report in item.reports)),
        "origins": list(dict.fromkeys(report.origin.value for report in item.reports)),
        "type": incident.type,
        "category": judgement.category,
        "title": incident.title,
        "summary": incident.summary,
        "url": safe_url(incident.url),
        "occurred_at": _time(incident.occurred_at, zone),
        "published_at": _time(incident.published_at, zone),
        "municipality": place.municipality or incident.municipality,
        "district": place.district,
        "place": place.place,
        "precision": place.precision.value,
        "severity": judgement.severity.value,
        "serious": judgement.serious,
        "reasons": list(judgement.reasons),
        "status": item.status.value,
        "stakeholders": [
            {
                "name": s.name,
                "kind": s.kind if s.kind in STAKEHOLDER_KINDS else "other",
                "reason": s.reason,
            }
            for s in item.stakeholders
        ],
        **({"fused_because": item.fused_because} if item.also else {}),
    }


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
