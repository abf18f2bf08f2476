"""Incidents and their versions: every version of every incident is kept; `incidents`
points at the latest of each, `incident_versions` holds each as one text of its facts
(briefing.store.encoding) with its raw payload beside it. Facts are stored; judgements
are not, so a change of rules applies to old nights too."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from briefing.models import Incident
from briefing.store.base import Base, chunks, maybe_utc, utc, utc_text
from briefing.store.encoding import pack, published_utc, same_facts, unpack
from briefing.store.state import replace_state


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
        ids = [incident.id for incident in incidents]
        with self._transaction() as conn:
            plan = _plan(incidents, ids, _latest_versions(conn, ids), seen)
            conn.executemany(_UPSERT_INCIDENT, plan.heads)
            conn.executemany(_INSERT_VERSION, plan.versions)
            replace_state(conn, source, state)
        return plan.result

    def window(self, start: datetime, end: datetime, *, with_raw: bool = False) -> list[Stored]:
        """The latest version of every incident published in [start, end), and of
        every incident edited (version > 1) in it. Sorted by (published_at, id).

        `raw` is "" unless `with_raw`: nothing past the border reads it."""
        bounds = (utc_text(start), utc_text(end)) * 2
        raw = _RAW[with_raw]
        with self._guard() as conn:
            rows = conn.execute(_WINDOW.format(raw=raw), bounds[:2]).fetchall()
            edited = conn.execute(_EDITED.format(raw=raw), bounds).fetchall()
        stored = _stored_rows(rows)
        if edited:
            stored += _stored_rows(edited)
            stored.sort(key=_published_id)  # times as instants: the order of the UTC texts
        return stored

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


def _stored_rows(rows: list[tuple[int, str, str, str, str, str, str]]) -> list[Stored]:
    """Stored incidents from (version, first_seen, changed_at, source, key, facts, raw)
    rows. A fetch stores its incidents with one time, so each time text is read once."""
    times: dict[str, datetime] = {}
    stored: list[Stored] = []
    append = stored.append
    for version, first_seen, changed_at, source, key, facts, raw in rows:
        if (first := times.get(first_seen)) is None:
            first = times[first_seen] = utc(first_seen)
        if (changed := times.get(changed_at)) is None:
            changed = times[changed_at] = utc(changed_at)
        append(Stored(unpack(source, key, facts, raw), version, first, changed))
    return stored


def _published_id(stored: Stored) -> tuple[datetime, str]:
    return stored.incident.published_at, stored.incident.id


def _latest_versions(conn: sqlite3.Connection, ids: list[str]) -> dict[str, tuple[int, str]]:
    """The latest version and its facts of each of `ids` the store has."""
    latest: dict[str, tuple[int, str]] = {}
    for chunk in chunks(list(dict.fromkeys(ids))):
        sql = _LATEST.format(marks=",".join("?" * len(chunk)))
        latest.update((row[0], (row[1], row[2])) for row in conn.execute(sql, chunk))
    return latest


@dataclass(frozen=True, slots=True)
class _Plan:
    """The rows one batch writes: `heads` for `incidents`, `versions` for `incident_versions`."""

    heads: list[tuple[str, str, str, str, int, str]]
    versions: list[tuple[str, int, str, str, str]]
    result: SaveResult


def _plan(
    incidents: Sequence[Incident], ids: list[str], latest: dict[str, tuple[int, str]], seen: str
) -> _Plan:
    """The versions to write, in batch order, so an id seen twice can change in between.
    A report is unchanged when its facts text is the stored one, or says the same facts
    (the same instant written with another offset is no edit: `same_facts`)."""
    heads = []
    versions = []
    new = 0
    unseen = _UNSEEN
    for incident, incident_id in zip(incidents, ids, strict=True):
        facts, local = pack(incident)
        version, previous = latest.get(incident_id, unseen)
        if facts == previous or (version and same_facts(facts, previous)):
            continue
        version += 1
        if version == 1:
            new += 1
        latest[incident_id] = (version, facts)
        published = published_utc(incident.published_at, local)
        heads.append((incident_id, incident.source, incident.key, seen, version, published))
        versions.append((incident_id, version, seen, facts, incident.raw))
    result = SaveResult(new, len(heads) - new, len(incidents) - len(heads))
    return _Plan(heads, versions, result)


_UNSEEN = (0, "")  # the version and facts of an incident never stored


# Parameters by position (a tuple binds faster than a dict): ?4 is the time of the fetch.
# The columns of the JSON documents and their fingerprints are left empty (schema 10).
_UPSERT_INCIDENT = """
    INSERT INTO incidents
        (id, source, key, first_seen, version, published_at, changed_at, fingerprint)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?4, '')
    ON CONFLICT (id) DO UPDATE SET
        version = excluded.version, published_at = excluded.published_at,
        changed_at = excluded.changed_at
"""
_INSERT_VERSION = """
    INSERT INTO incident_versions
        (incident_id, version, stored_at, facts, raw, fingerprint, published_at, document)
    VALUES (?, ?, ?, ?, ?, '', '', '')
"""
# Each incident's latest version: the head row and its version's row.
_LATEST_ROWS = """
    SELECT i.version, i.first_seen, i.changed_at, i.source, i.key, v.facts, {raw}
    FROM incidents AS i
    JOIN incident_versions AS v ON v.incident_id = i.id AND v.version = i.version
"""
# Published in the window, in the order of the index on published_at (which ends in id).
_WINDOW = f"""
    {_LATEST_ROWS} WHERE i.published_at >= ?1 AND i.published_at < ?2
    ORDER BY i.published_at, i.id
"""
# Edited in the window and published outside it: few, sorted in with the others.
_EDITED = f"""
    {_LATEST_ROWS} WHERE i.changed_at >= ?3 AND i.changed_at < ?4 AND i.version > 1
        AND NOT (i.published_at >= ?1 AND i.published_at < ?2)
"""
_ARRIVALS = f"""
    {_LATEST_ROWS} WHERE i.first_seen >= ? AND i.first_seen < ? AND i.published_at < ?
    ORDER BY i.published_at, i.id
"""
_AHEAD = f"""
    {_LATEST_ROWS} WHERE i.first_seen >= ? AND i.first_seen < ? AND i.published_at >= ?
    ORDER BY i.published_at, i.id
"""
_RAW = {True: "v.raw", False: "''"}  # the payload column, or an empty text in its place
_LATEST = """
    SELECT i.id, i.version, v.facts FROM incidents AS i
    JOIN incident_versions AS v ON v.incident_id = i.id AND v.version = i.version
    WHERE i.id IN ({marks})
"""
_HISTORY = """
    SELECT v.version, i.first_seen, v.stored_at, i.source, i.key, v.facts, v.raw
    FROM incident_versions AS v JOIN incidents AS i ON i.id = v.incident_id
    WHERE v.incident_id = ? ORDER BY v.version
"""
# MAX(MIN(published_at, first_seen)) of the source's rows with that MIN <= ?2, as the
# newer of two index ends: rows published before they were stored (the MIN is their
# date), and rows stored before their date (the MIN is first_seen; a partial index).
_LAST_REPORT = """
    SELECT MAX(moment) FROM (
        SELECT * FROM (
            SELECT published_at AS moment FROM incidents
            WHERE source = ?1 AND published_at <= ?2 AND published_at <= first_seen
            ORDER BY published_at DESC LIMIT 1
        )
        UNION ALL
        SELECT * FROM (
            SELECT first_seen FROM incidents
            WHERE source = ?1 AND first_seen <= ?2 AND first_seen < published_at
            ORDER BY first_seen DESC LIMIT 1
        )
    )
"""
