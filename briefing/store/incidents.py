"""Incidents and their versions: every version of every incident is kept; `incidents`
points at the latest of each, `incident_versions` holds each as a JSON document with
its raw payload beside it. Facts are stored; judgements are not, so a change of rules
applies to old nights too."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from briefing.models import Incident, Origin
from briefing.store.base import Base, chunks, maybe_utc, utc, utc_text
from briefing.store.state import replace_state

_INCIDENT_FIELDS = tuple(f.name for f in fields(Incident))
# The document holds every field but `raw`, which has a column of its own: reading a
# window then never decodes the payloads (a third of each document).
_DOCUMENT_FIELDS = tuple(name for name in _INCIDENT_FIELDS if name != "raw")
_DOCUMENT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_DOCUMENTS = json.JSONDecoder()
_KNOWN_FIELDS = frozenset(_INCIDENT_FIELDS)
_ORIGINS = {origin.value: origin for origin in Origin}
_DATETIME_FIELDS = ("published_at", "occurred_at")


@dataclass(frozen=True, slots=True)
class Stored:
    incident: Incident
    version: int  # 1 for the first version seen
    first_seen: datetime  # aware, UTC
    changed_at: datetime  # when this version was stored, aware UTC


@dataclass(frozen=True, slots=True)
class SaveResult:
    new: int
    updated: int
    unchanged: int


class Incidents(Base):
    def save_batch(
        self,
        source: str,
        incidents: Sequence[Incident],
        state: Mapping[str, str],
        seen_at: datetime,
    ) -> SaveResult:
        """Store one fetch and the source's new state in one transaction: all or nothing.

        The state (e.g. an ETag) advances only with the incidents it describes,
        so a failed save makes the next run fetch the same data again.
        """
        seen = utc_text(seen_at)
        with self._transaction() as conn:
            latest = _latest_versions(conn, [incident.id for incident in incidents])
            rows, result = _plan(incidents, latest, seen)
            conn.executemany(_UPSERT_INCIDENT, rows)
            conn.executemany(_INSERT_VERSION, rows)
            replace_state(conn, source, state)
        return result

    def window(self, start: datetime, end: datetime, *, with_raw: bool = False) -> list[Stored]:
        """The latest version of every incident published in [start, end), and of
        every incident edited (version > 1) in it. Sorted by (published_at, id).

        `raw` is "" unless `with_raw`: nothing past the border reads it."""
        bounds = (utc_text(start), utc_text(end))
        with self._guard() as conn:
            rows = conn.execute(_WINDOW.format(raw=_RAW[with_raw]), bounds * 2).fetchall()
        return _stored_rows(rows)

    def arrivals(self, start: datetime, end: datetime, *, with_raw: bool = False) -> list[Stored]:
        """The latest version of every incident first stored in [start, end) but
        published before `start`: a late report, or an event that re-entered a
        feed after a correction. Sorted by (published_at, id). `raw` as in `window`."""
        bounds = (utc_text(start), utc_text(end), utc_text(start))
        with self._guard() as conn:
            rows = conn.execute(_ARRIVALS.format(raw=_RAW[with_raw]), bounds).fetchall()
        return _stored_rows(rows)

    def ahead(self, start: datetime, end: datetime, *, with_raw: bool = False) -> list[Stored]:
        """The latest version of every incident first stored in [start, end) but
        dated at or after `end`: a source with a wrong clock. Shown when it comes,
        not when its date says. Sorted by (published_at, id). `raw` as in `window`."""
        bounds = (utc_text(start), utc_text(end), utc_text(end))
        with self._guard() as conn:
            rows = conn.execute(_AHEAD.format(raw=_RAW[with_raw]), bounds).fetchall()
        return _stored_rows(rows)

    def last_report(self, source: str, until: datetime) -> datetime | None:
        """When `source` last reported anything, as of `until`: the newest of its
        incidents, each counted at the earlier of its date and when it was first
        stored (so a future-dated report cannot make a dead source look alive)."""
        with self._guard() as conn:
            row = conn.execute(_LAST_REPORT, (source, utc_text(until))).fetchone()
        return maybe_utc(row[0] if row else None)

    def history(self, incident_id: str) -> list[Stored]:
        """Every version of one incident, oldest first, with its raw payload."""
        with self._guard() as conn:
            rows = conn.execute(_HISTORY, (incident_id,)).fetchall()
        return _stored_rows(rows)


def _encode(incident: Incident) -> str:
    """An incident as a JSON document: every field but `raw`, times ISO-8601 with their
    own offset."""
    document: dict[str, Any] = {name: getattr(incident, name) for name in _DOCUMENT_FIELDS}
    document["origin"] = incident.origin.value
    for name in _DATETIME_FIELDS:
        if document[name] is not None:
            document[name] = document[name].isoformat()
    return _DOCUMENT.encode(document)


def _decode(document: str, raw: str) -> Incident:
    """The incident `_encode` wrote. Fields added to Incident later take their defaults."""
    values = _DOCUMENTS.raw_decode(document)[0]  # json.loads less its checks: our own text
    if not values.keys() <= _KNOWN_FIELDS:  # a field Incident no longer has
        values = {name: values[name] for name in _INCIDENT_FIELDS if name in values}
    values["origin"] = _ORIGINS.get(values["origin"]) or Origin(values["origin"])
    for name in _DATETIME_FIELDS:
        if values.get(name) is not None:
            values[name] = datetime.fromisoformat(values[name])
    values["raw"] = raw
    return Incident(**values)


def _stored_rows(rows: list[tuple[int, str, str, str, str]]) -> list[Stored]:
    """Stored incidents from (version, first_seen, changed_at, document, raw) rows.
    A fetch stores its incidents with one time, so each time text is read once."""
    times: dict[str, datetime] = {}
    stored = []
    for version, first_seen, changed_at, document, raw in rows:
        if (first := times.get(first_seen)) is None:
            first = times[first_seen] = utc(first_seen)
        if (changed := times.get(changed_at)) is None:
            changed = times[changed_at] = utc(changed_at)
        stored.append(Stored(_decode(document, raw), version, first, changed))
    return stored


def _latest_versions(conn: sqlite3.Connection, ids: list[str]) -> dict[str, tuple[int, str]]:
    latest: dict[str, tuple[int, str]] = {}
    for chunk in chunks(list(dict.fromkeys(ids))):
        sql = _LATEST.format(marks=",".join("?" * len(chunk)))
        latest.update((row[0], (row[1], row[2])) for row in conn.execute(sql, chunk))
    return latest


def _plan(
    incidents: Sequence[Incident], latest: dict[str, tuple[int, str]], seen: str
) -> tuple[list[dict[str, Any]], SaveResult]:
    """The versions to write, in batch order, so an id seen twice can change in between."""
    rows: list[dict[str, Any]] = []
    for incident in incidents:
        fingerprint = incident.fingerprint()
        version, previous = latest.get(incident.id, (0, ""))
        if fingerprint != previous:
            latest[incident.id] = (version + 1, fingerprint)
            rows.append(_version_row(incident, version + 1, fingerprint, seen))
    new = sum(row["version"] == 1 for row in rows)
    return rows, SaveResult(new, len(rows) - new, len(incidents) - len(rows))


def _version_row(incident: Incident, version: int, fingerprint: str, seen: str) -> dict[str, Any]:
    return {
        "id": incident.id,
        "source": incident.source,
        "key": incident.key,
        "version": version,
        "fingerprint": fingerprint,
        "published_at": utc_text(incident.published_at),
        "seen_at": seen,
        "document": _encode(incident),
        "raw": incident.raw,
    }


# Named parameters, so the same rows feed both statements.
_UPSERT_INCIDENT = """
    INSERT INTO incidents
        (id, source, key, first_seen, version, fingerprint, published_at, changed_at)
    VALUES (:id, :source, :key, :seen_at, :version, :fingerprint, :published_at, :seen_at)
    ON CONFLICT (id) DO UPDATE SET
        version = excluded.version, fingerprint = excluded.fingerprint,
        published_at = excluded.published_at, changed_at = excluded.changed_at
"""
_INSERT_VERSION = """
    INSERT INTO incident_versions
        (incident_id, version, fingerprint, published_at, stored_at, document, raw)
    VALUES (:id, :version, :fingerprint, :published_at, :seen_at, :document, :raw)
"""
_WINDOW = """
    SELECT i.version, i.first_seen, i.changed_at, v.document, {raw}
    FROM incidents AS i
    JOIN incident_versions AS v ON v.incident_id = i.id AND v.version = i.version
    WHERE i.id IN (
        SELECT id FROM incidents WHERE published_at >= ? AND published_at < ?
        UNION
        SELECT id FROM incidents WHERE changed_at >= ? AND changed_at < ? AND version > 1
    )
    ORDER BY i.published_at, i.id
"""
_ARRIVALS = """
    SELECT i.version, i.first_seen, i.changed_at, v.document, {raw}
    FROM incidents AS i
    JOIN incident_versions AS v ON v.incident_id = i.id AND v.version = i.version
    WHERE i.first_seen >= ? AND i.first_seen < ? AND i.published_at < ?
    ORDER BY i.published_at, i.id
"""
_RAW = {True: "v.raw", False: "''"}  # the payload column, or an empty text in its place
_LATEST = "SELECT id, version, fingerprint FROM incidents WHERE id IN ({marks})"
_HISTORY = """
    SELECT v.version, i.first_seen, v.stored_at, v.document, v.raw
    FROM incident_versions AS v JOIN incidents AS i ON i.id = v.incident_id
    WHERE v.incident_id = ? ORDER BY v.version
"""
_AHEAD = """
    SELECT i.version, i.first_seen, i.changed_at, v.document, {raw}
    FROM incidents AS i
    JOIN incident_versions AS v ON v.incident_id = i.id AND v.version = i.version
    WHERE i.first_seen >= ? AND i.first_seen < ? AND i.published_at >= ?
    ORDER BY i.published_at, i.id
"""
_LAST_REPORT = """
    SELECT MAX(MIN(published_at, first_seen)) FROM incidents
    WHERE source = ?1 AND MIN(published_at, first_seen) <= ?2
"""
