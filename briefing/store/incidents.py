"""Incidents and their versions: every version of every incident is kept. The latest of
each is its head row in `incidents`, one text of its facts (briefing.store.encoding) with
its raw payload beside it; older versions are moved to `incident_history` when an edit
comes. Facts are stored; judgements are not, so a change of rules applies to old nights
too.

Head rows are numbered (`n`) in the order they were first stored, and `incident_batches`
says which numbers each save stored first, and when (one row per save and source instead
of an index entry per incident). Every head row's `first_seen` is its batch's time, so
the rows first stored in a span of time are a span of numbers; a report is stored after it
is published, so the rows published since a moment were stored since then, but for the
few dated ahead of when they were stored (the partial index `incidents_ahead`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from briefing.models import Incident
from briefing.store.base import Base, chunks, maybe_utc, utc, utc_text
from briefing.store.encoding import pack, same_facts, unpack
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
            if plan.heads:  # numbered on from the last number, one by one
                first = _last_number(conn) + 1
                conn.executemany(_INSERT_HEAD, plan.heads)
                last = _last_number(conn)
                if last - first + 1 != len(plan.heads):  # SQLite ran out of numbers: 2**63
                    raise sqlite3.DatabaseError(f"incidents numbered {first}..{last}")
                sources = dict.fromkeys(row[1] for row in plan.heads)
                conn.executemany(_INSERT_BATCH, [(name, seen, first, last) for name in sources])
            if plan.updates:
                conn.executemany(_MOVE_TO_HISTORY, [(row[-1],) for row in plan.updates])
                conn.executemany(_UPDATE_HEAD, plan.updates)
            if plan.history:
                conn.executemany(_INSERT_HISTORY, plan.history)
            replace_state(conn, source, state)
        return plan.result

    def window(self, start: datetime, end: datetime, *, with_raw: bool = False) -> list[Stored]:
        """The latest version of every incident published in [start, end), and of
        every incident edited (version > 1) in it. Sorted by (published_at, id).

        `raw` is "" unless `with_raw`: nothing past the border reads it."""
        bounds = (utc_text(start), utc_text(end))
        raw = _RAW[with_raw]
        with self._guard() as conn:
            rows = _stored_in(conn, _WINDOW.format(raw=raw), _SINCE, bounds)
            rows += conn.execute(_WINDOW_AHEAD.format(raw=raw), bounds).fetchall()
            rows += conn.execute(_EDITED.format(raw=raw), bounds).fetchall()
        return _stored_rows(rows)

    def arrivals(self, start: datetime, end: datetime, *, with_raw: bool = False) -> list[Stored]:
        """The latest version of every incident first stored in [start, end) but
        published before `start`: a late report, or an event that re-entered a
        feed after a correction. Sorted by (published_at, id). `raw` as in `window`."""
        bounds = (utc_text(start), utc_text(end))
        with self._guard() as conn:
            rows = _stored_in(conn, _ARRIVALS.format(raw=_RAW[with_raw]), _BETWEEN, bounds)
        return _stored_rows(rows)

    def ahead(self, start: datetime, end: datetime, *, with_raw: bool = False) -> list[Stored]:
        """The latest version of every incident first stored in [start, end) but
        dated at or after `end`: a source with a wrong clock. Shown when it comes,
        not when its date says. Sorted by (published_at, id). `raw` as in `window`."""
        bounds = (utc_text(start), utc_text(end))
        with self._guard() as conn:
            rows = _stored_in(conn, _AHEAD.format(raw=_RAW[with_raw]), _BETWEEN, bounds)
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
        return _stored_rows(rows, ordered=True)


_Row = tuple[str, str, int, str, str, str, str, str, str]


def _stored_rows(rows: list[_Row], *, ordered: bool = False) -> list[Stored]:
    """Stored incidents from (published_at, id, version, first_seen, changed_at, source,
    key, facts, raw) rows, sorted by (published_at, id) unless `ordered` (as tuples: no id
    is there twice; UTC texts sort as their instants). A fetch stores its incidents with
    one time, so each time text is read once."""
    if not ordered:
        rows.sort()
    times: dict[str, datetime] = {}
    stored: list[Stored] = []
    append = stored.append
    for _, _, version, first_seen, changed_at, source, key, facts, raw in rows:
        if (first := times.get(first_seen)) is None:
            first = times[first_seen] = utc(first_seen)
        if (changed := times.get(changed_at)) is None:
            changed = times[changed_at] = utc(changed_at)
        append(Stored(unpack(source, key, facts, raw), version, first, changed))
    return stored


def _stored_in(
    conn: sqlite3.Connection, sql: str, batches: str, bounds: tuple[str, str]
) -> list[_Row]:  # `batches` reads ?1 and ?2 (`_SINCE`: ?2 only to be bound)
    """The rows `sql` selects among those the `batches` stored first: one query per run of
    consecutive numbers (one run while the clock only went forward)."""
    rows: list[_Row] = []
    low = high = 0
    for first, last in conn.execute(batches, bounds):
        if first == high + 1:
            high = last
            continue
        if high:
            rows += conn.execute(sql, (*bounds, low, high)).fetchall()
        low, high = first, last
    if high:
        rows += conn.execute(sql, (*bounds, low, high)).fetchall()
    return rows


def _latest_versions(conn: sqlite3.Connection, ids: list[str]) -> dict[str, tuple[int, str]]:
    """The latest version and its facts of each of `ids` the store has."""
    latest: dict[str, tuple[int, str]] = {}
    for chunk in chunks(list(dict.fromkeys(ids))):
        sql = _LATEST.format(marks=",".join("?" * len(chunk)))
        latest.update((row[0], (row[1], row[2])) for row in conn.execute(sql, chunk))
    return latest


def _last_number(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT IFNULL(MAX(n), 0) FROM incidents").fetchone()[0])


_Head = tuple[str, str, str, str, str, str, str]  # id, source, key, seen, published, facts, raw
_Update = tuple[int, str, str, str, str, str]  # version, published, seen, facts, raw, id
_Version = tuple[str, int, str, str, str]  # id, version, stored_at, facts, raw


@dataclass(frozen=True, slots=True)
class _Plan:
    """The rows one batch writes: `heads` new in `incidents` (version 1), `updates` of
    heads (whose stored version moves to `incident_history` first), and `history`: the
    versions an edit of the same batch superseded (an id seen three times or more)."""

    heads: list[_Head]
    updates: list[_Update]
    history: list[_Version]
    result: SaveResult


def _plan(
    incidents: Sequence[Incident], ids: list[str], latest: dict[str, tuple[int, str]], seen: str
) -> _Plan:
    """The versions to write, in batch order, so an id seen twice can change in between.
    A report is unchanged when its facts text is the stored one, or says the same facts
    (the same instant written with another offset is no edit: `same_facts`)."""
    heads: list[_Head] = []
    append = heads.append
    edits: dict[str, list[tuple[str, str, str, int]]] = {}  # id → (published, facts, raw, v)
    versions = 0
    unseen = _UNSEEN
    for incident, incident_id in zip(incidents, ids, strict=True):
        facts, _, published = pack(incident)
        version, previous = latest.get(incident_id, unseen)
        if facts == previous or (version and same_facts(facts, previous)):
            continue
        versions += 1
        latest[incident_id] = (version + 1, facts)
        if version:
            edits.setdefault(incident_id, []).append((published, facts, incident.raw, version + 1))
        else:
            append(
                (incident_id, incident.source, incident.key, seen, published, facts, incident.raw)
            )
    updates: list[_Update] = []
    history: list[_Version] = []
    for incident_id, written in edits.items():  # the newest into the head, the others kept
        published, facts, raw, version = written[-1]
        updates.append((version, published, seen, facts, raw, incident_id))
        history += [(incident_id, v, seen, f, r) for _, f, r, v in written[:-1]]
    result = SaveResult(len(heads), versions - len(heads), len(incidents) - versions)
    return _Plan(heads, updates, history, result)


_UNSEEN = (0, "")  # the version and facts of an incident never stored


# Parameters by position (a tuple binds faster than a dict); ?4 is the time of the fetch.
# A new row's number (n) is the last one's plus one: SQLite's choice when it is not given.
_INSERT_HEAD = """
    INSERT INTO incidents
        (id, source, key, first_seen, version, published_at, changed_at, facts, raw)
    VALUES (?1, ?2, ?3, ?4, 1, ?5, ?4, ?6, ?7)
"""
_INSERT_BATCH = "INSERT INTO incident_batches (source, seen, first, last) VALUES (?, ?, ?, ?)"
# An edit: the stored version moves to the history before its head row takes the new one.
_MOVE_TO_HISTORY = """
    INSERT INTO incident_history (incident_id, version, stored_at, facts, raw)
    SELECT id, version, changed_at, facts, raw FROM incidents WHERE id = ?
"""
_UPDATE_HEAD = """
    UPDATE incidents SET version = ?, published_at = ?, changed_at = ?, facts = ?, raw = ?
    WHERE id = ?
"""
_INSERT_HISTORY = """
    INSERT INTO incident_history (incident_id, version, stored_at, facts, raw)
    VALUES (?, ?, ?, ?, ?)
"""
_SELECT = """
    SELECT published_at, id, version, first_seen, changed_at, source, key, facts, {raw}
    FROM incidents"""
_RAW = {True: "raw", False: "''"}  # the payload column, or an empty text in its place
# The numbers of the batches first stored since ?1, or in [?1, ?2), in order (a batch of
# two sources is there twice); `_stored_in` reads the rows of each run of them (?3..?4).
_SINCE = """
    SELECT DISTINCT first, last FROM incident_batches WHERE seen >= ?1 AND ?2 = ?2
    ORDER BY first
"""
_BETWEEN = """
    SELECT DISTINCT first, last FROM incident_batches WHERE seen >= ?1 AND seen < ?2
    ORDER BY first
"""
# Published in [?1, ?2) among rows first stored since ?1: as a report is stored after it is
# published, every row published in the window but those stored before their date (below).
_WINDOW = f"""{_SELECT}
    WHERE n BETWEEN ?3 AND ?4 AND published_at >= ?1 AND published_at < ?2
"""
# Published in the window and first stored before it: dated ahead of when it was stored.
_WINDOW_AHEAD = f"""{_SELECT}
    WHERE first_seen < published_at AND published_at >= ?1 AND published_at < ?2
        AND first_seen < ?1
"""
# Edited in the window and published outside it: few.
_EDITED = f"""{_SELECT}
    WHERE version > 1 AND changed_at >= ?1 AND changed_at < ?2
        AND NOT (published_at >= ?1 AND published_at < ?2)
"""
# First stored in [?1, ?2) (rows ?3..?4 of the batches stored then).
_ARRIVALS = f"""{_SELECT}
    WHERE n BETWEEN ?3 AND ?4 AND published_at < ?1
"""
_AHEAD = f"""{_SELECT}
    WHERE n BETWEEN ?3 AND ?4 AND published_at >= ?2
"""
_LATEST = "SELECT id, version, facts FROM incidents WHERE id IN ({marks})"
_HISTORY = """
    SELECT i.published_at, i.id, h.version, i.first_seen, h.stored_at, i.source, i.key,
        h.facts, h.raw
    FROM incident_history AS h JOIN incidents AS i ON i.id = h.incident_id
    WHERE h.incident_id = ?1
    UNION ALL
    SELECT published_at, id, version, first_seen, changed_at, source, key, facts, raw
    FROM incidents WHERE id = ?1
    ORDER BY 3
"""
# MAX(MIN(published_at, first_seen)) of the source's rows with that MIN <= ?2. `floor` is
# that MIN's maximum over the rows of the source's last batch stored by ?2 (all count);
# a row above it was first stored after it, so only the batches stored since are read.
_LAST_REPORT = """
    WITH last AS (
        SELECT first, last FROM incident_batches WHERE source = ?1 AND seen <= ?2
        ORDER BY seen DESC LIMIT 1
    ), floor AS (
        SELECT MAX(MIN(published_at, first_seen)) AS moment FROM incidents, last
        WHERE n BETWEEN last.first AND last.last AND source = ?1
    )
    SELECT MAX(moment) FROM (
        SELECT moment FROM floor
        UNION ALL
        SELECT MAX(MIN(published_at, first_seen)) FROM incidents
        WHERE source = ?1 AND MIN(published_at, first_seen) <= ?2 AND n >= (
            SELECT MIN(first) FROM incident_batches
            WHERE source = ?1 AND seen > IFNULL((SELECT moment FROM floor), '')
        )
    )
"""
