"""The SQLite store: every version of every incident, each source's state and
health, the ledger of briefings (what each showed), and the HTTP call log.

Facts are stored; judgements are not, so a change of rules applies to old
nights too. Times are kept as UTC ISO-8601 text in one fixed format, so text
order is time order and indexes on them work; they come back as aware UTC.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from briefing.models import Incident, Origin
from briefing.store.followups import FollowUps
from briefing.store.schema import FILENAME, MIGRATIONS, default_path
from briefing.store.schema import connect as _connect
from briefing.store.schema import translated as _translated

# The schema lives in briefing.store.schema; these names are part of the store's interface.
__all__ = ["FILENAME", "MIGRATIONS", "Store", "Stored", "default_path"]

CALL_LOG_SECONDS = 24 * 3600.0
_CHUNK = 500  # ids per `IN (...)`: well below SQLite's variable limit on old builds
KEEP_SENT = 30  # delivered messages kept per channel, newest first, for resending
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


@dataclass(frozen=True, slots=True)
class Health:
    source: str
    last_attempt: datetime | None
    last_success: datetime | None
    consecutive_failures: int
    last_error: str | None
    last_count: int
    last_problems: int = 0  # records the last successful fetch could not read
    gone: str | None = None  # the URL that answered 404/410: not asked again


@dataclass(frozen=True, slots=True)
class BriefingRecord:
    id: int
    generated_at: datetime
    start: datetime
    end: datetime
    live: bool


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message in the outbox: undelivered while `sent_at` is None."""

    id: int
    day: date  # the morning it is the briefing of (the sent ledger's key)
    channel: str
    made_at: datetime
    payload: bytes
    attempts: int
    last_error: str | None
    sent_at: datetime | None


class Store(FollowUps):
    """One SQLite file. Safe to share between threads: adapters fetch in a
    pool and the HTTP client logs its calls here from those threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._conn = _connect(path)

    @classmethod
    def memory(cls) -> Store:
        return cls(Path(":memory:"))

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
        seen = _utc_text(seen_at)
        with self._transaction() as conn:
            latest = _latest_versions(conn, [incident.id for incident in incidents])
            rows, result = _plan(incidents, latest, seen)
            conn.executemany(_UPSERT_INCIDENT, rows)
            conn.executemany(_INSERT_VERSION, rows)
            conn.execute("DELETE FROM source_state WHERE source = ?", (source,))
            conn.executemany(
                "INSERT INTO source_state (source, key, value) VALUES (?, ?, ?)",
                [(source, key, value) for key, value in state.items()],
            )
        return result

    def source_state(self, source: str) -> dict[str, str]:
        with self._guard() as conn:
            sql = "SELECT key, value FROM source_state WHERE source = ?"
            return dict(conn.execute(sql, (source,)).fetchall())

    def window(self, start: datetime, end: datetime, *, with_raw: bool = False) -> list[Stored]:
        """The latest version of every incident published in [start, end), and of
        every incident edited (version > 1) in it. Sorted by (published_at, id).

        `raw` is "" unless `with_raw`: nothing past the border reads it."""
        bounds = (_utc_text(start), _utc_text(end))
        with self._guard() as conn:
            rows = conn.execute(_WINDOW.format(raw=_RAW[with_raw]), bounds * 2).fetchall()
        return _stored_rows(rows)

    def arrivals(self, start: datetime, end: datetime, *, with_raw: bool = False) -> list[Stored]:
        """The latest version of every incident first stored in [start, end) but
        published before `start`: a late report, or an event that re-entered a
        feed after a correction. Sorted by (published_at, id). `raw` as in `window`."""
        bounds = (_utc_text(start), _utc_text(end), _utc_text(start))
        with self._guard() as conn:
            rows = conn.execute(_ARRIVALS.format(raw=_RAW[with_raw]), bounds).fetchall()
        return _stored_rows(rows)

    def ahead(self, start: datetime, end: datetime, *, with_raw: bool = False) -> list[Stored]:
        """The latest version of every incident first stored in [start, end) but
        dated at or after `end`: a source with a wrong clock. Shown when it comes,
        not when its date says. Sorted by (published_at, id). `raw` as in `window`."""
        bounds = (_utc_text(start), _utc_text(end), _utc_text(end))
        with self._guard() as conn:
            rows = conn.execute(_AHEAD.format(raw=_RAW[with_raw]), bounds).fetchall()
        return _stored_rows(rows)

    def last_report(self, source: str, until: datetime) -> datetime | None:
        """When `source` last reported anything, as of `until`: the newest of its
        incidents, each counted at the earlier of its date and when it was first
        stored (so a future-dated report cannot make a dead source look alive)."""
        with self._guard() as conn:
            row = conn.execute(_LAST_REPORT, (source, _utc_text(until))).fetchone()
        return _maybe_utc(row[0] if row else None)

    def history(self, incident_id: str) -> list[Stored]:
        """Every version of one incident, oldest first, with its raw payload."""
        with self._guard() as conn:
            rows = conn.execute(_HISTORY, (incident_id,)).fetchall()
        return _stored_rows(rows)

    def record_health(
        self,
        source: str,
        *,
        at: datetime,
        ok: bool,
        error: str | None = None,
        count: int = 0,
        problems: int = 0,
        gone: str | None = None,
    ) -> None:
        """One fetch attempt. A success clears the error, the failure count and
        `gone`; a failure keeps the last success and its counts."""
        when = _utc_text(at)
        with self._transaction() as conn:
            if ok:
                conn.execute(_HEALTH_OK, (source, when, count, problems))
            else:
                conn.execute(_HEALTH_FAILED, (source, when, error, gone))

    def health(self, source: str) -> Health:
        with self._guard() as conn:
            row = conn.execute(_HEALTH, (source,)).fetchone()
        if row is None:
            return Health(source, None, None, 0, None, 0)
        attempt, success, failures, error, count, problems, gone = row
        return Health(
            source, _maybe_utc(attempt), _maybe_utc(success), failures, error, count, problems, gone
        )

    def last_live_briefing(self, before: datetime) -> BriefingRecord | None:
        """The latest live (not replayed) briefing generated before `before`."""
        with self._guard() as conn:
            row = conn.execute(_LAST_LIVE, (_utc_text(before),)).fetchone()
        if row is None:
            return None
        briefing_id, generated_at, start, end, live = row
        return BriefingRecord(briefing_id, _utc(generated_at), _utc(start), _utc(end), bool(live))

    def shown_versions(self, incident_ids: Iterable[str]) -> dict[str, int]:
        """For each id, the highest version any briefing showed; ids never shown are absent."""
        ids = list(dict.fromkeys(incident_ids))
        shown: dict[str, int] = {}
        with self._guard() as conn:
            for chunk in _chunks(ids):
                sql = _SHOWN.format(marks=",".join("?" * len(chunk)))
                shown.update(conn.execute(sql, chunk).fetchall())
        return shown

    def record_briefing(
        self,
        *,
        generated_at: datetime,
        start: datetime,
        end: datetime,
        live: bool,
        shown: Sequence[tuple[str, int]],
    ) -> int:
        """Remember what a briefing showed; returns its id. Every (id, version) must be stored."""
        times = (_utc_text(generated_at), _utc_text(start), _utc_text(end))
        with self._transaction() as conn:
            cursor = conn.execute(_INSERT_BRIEFING, (*times, int(live)))
            briefing_id = int(cursor.lastrowid or 0)
            items = [(briefing_id, incident_id, version) for incident_id, version in shown]
            conn.executemany(_INSERT_ITEM, items)
        return briefing_id

    def recent_calls(self, key: str, since: float) -> list[float]:
        """When calls to `key` were made at or after `since` (epoch seconds), oldest first."""
        with self._guard() as conn:
            sql = "SELECT at FROM calls WHERE key = ? AND at >= ? ORDER BY at"
            return [at for (at,) in conn.execute(sql, (key, since))]

    def record_call(self, key: str, at: float) -> None:
        """Log a call; forget calls a day older than it (no rate limit looks further back)."""
        with self._transaction() as conn:
            conn.execute("INSERT INTO calls (key, at) VALUES (?, ?)", (key, at))
            conn.execute("DELETE FROM calls WHERE at < ?", (at - CALL_LOG_SECONDS,))

    def enqueue(self, channel: str, day: date, payload: bytes, made_at: datetime) -> int:
        """Keep a message until it is delivered; returns its id. It replaces an
        undelivered message of the same day and channel: the newer one says more."""
        with self._transaction() as conn:
            conn.execute(_DROP_UNSENT, (channel, day.isoformat()))
            values = (day.isoformat(), channel, _utc_text(made_at), payload)
            cursor = conn.execute(_ENQUEUE, values)
        return int(cursor.lastrowid or 0)

    def undelivered(self, channel: str) -> list[Outgoing]:
        """Messages of `channel` no server has accepted yet, oldest first."""
        with self._guard() as conn:
            rows = conn.execute(_UNDELIVERED, (channel,)).fetchall()
        return [_outgoing(*row) for row in rows]

    def latest_outgoing(self, channel: str) -> Outgoing | None:
        """The message made last for `channel`, delivered or not."""
        with self._guard() as conn:
            row = conn.execute(_LATEST_OUTGOING, (channel,)).fetchone()
        return None if row is None else _outgoing(*row)

    def delivery_failed(self, outgoing_id: int, error: str) -> None:
        with self._transaction() as conn:
            conn.execute(_DELIVERY_FAILED, (error, outgoing_id))

    def delivered(self, outgoing_id: int, at: datetime) -> None:
        """A server accepted the message: mark it and write the sent ledger, together.
        Only the newest KEEP_SENT delivered messages of the channel are kept."""
        when = _utc_text(at)
        with self._transaction() as conn:
            sql = "SELECT day, channel FROM outbox WHERE id = ?"
            row = conn.execute(sql, (outgoing_id,)).fetchone()
            if row is None:
                raise KeyError(f"no outbox message {outgoing_id}")
            day, channel = row
            conn.execute(_MARK_SENT, (when, outgoing_id))
            conn.execute(_RECORD_SENT, (day, channel, when))
            conn.execute(_PRUNE_SENT, (channel, channel, KEEP_SENT))

    def sent_at(self, channel: str, day: date) -> datetime | None:
        """When the briefing of `day` was last delivered on `channel`; None if never."""
        with self._guard() as conn:
            sql = "SELECT sent_at FROM sent WHERE channel = ? AND day = ?"
            row = conn.execute(sql, (channel, day.isoformat())).fetchone()
        return None if row is None else _utc(row[0])

    def page(self, key: str) -> str | None:
        """The text kept for a page ("" for one that is gone), None if never read."""
        with self._guard() as conn:
            row = conn.execute("SELECT text FROM pages WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def save_page(self, key: str, text: str, at: datetime, *, gone: bool = False) -> None:
        """Keep what a page said (or that it is gone) for good."""
        with self._transaction() as conn:
            conn.execute(_SAVE_PAGE, (key, text, _utc_text(at), int(gone)))

    def check(self) -> list[str]:
        """Problems SQLite finds in the file and in its references; [] when all is well."""
        with self._lock:
            try:
                found = [row[0] for row in self._conn.execute("PRAGMA integrity_check")]
                dangling = self._conn.execute("PRAGMA foreign_key_check").fetchall()
            except sqlite3.DatabaseError as exc:
                return [str(exc)]
        problems = [message for message in found if message != "ok"]
        problems += [
            f"{table} row {rowid}: refers to a missing row of {parent}"
            for table, rowid, parent, _ in dangling
        ]
        return problems

    @contextmanager
    def _guard(self) -> Iterator[sqlite3.Connection]:
        """One thread at a time; trouble with the file becomes a StoreError with a hint."""
        with self._lock, _translated(self.path):
            yield self._conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._guard() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:  # SQLite may have rolled back already (disk full)
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")


def _utc_text(moment: datetime) -> str:
    if moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: the store keeps aware times only")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _maybe_utc(text: str | None) -> datetime | None:
    return None if text is None else _utc(text)


def _outgoing(
    outgoing_id: int,
    day: str,
    channel: str,
    made_at: str,
    payload: bytes,
    attempts: int,
    last_error: str | None,
    sent_at: str | None,
) -> Outgoing:
    return Outgoing(
        outgoing_id,
        date.fromisoformat(day),
        channel,
        _utc(made_at),
        bytes(payload),
        attempts,
        last_error,
        _maybe_utc(sent_at),
    )


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


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
            first = times[first_seen] = _utc(first_seen)
        if (changed := times.get(changed_at)) is None:
            changed = times[changed_at] = _utc(changed_at)
        stored.append(Stored(_decode(document, raw), version, first, changed))
    return stored


def _latest_versions(conn: sqlite3.Connection, ids: list[str]) -> dict[str, tuple[int, str]]:
    latest: dict[str, tuple[int, str]] = {}
    for chunk in _chunks(list(dict.fromkeys(ids))):
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
        "published_at": _utc_text(incident.published_at),
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
_HEALTH = """
    SELECT last_attempt, last_success, consecutive_failures, last_error, last_count,
        last_problems, gone
    FROM source_health WHERE source = ?
"""
_HEALTH_OK = """
    INSERT INTO source_health (source, last_attempt, last_success, consecutive_failures,
        last_error, last_count, last_problems, gone)
    VALUES (?1, ?2, ?2, 0, NULL, ?3, ?4, NULL)
    ON CONFLICT (source) DO UPDATE SET
        last_attempt = ?2, last_success = ?2, consecutive_failures = 0,
        last_error = NULL, last_count = ?3, last_problems = ?4, gone = NULL
"""
_HEALTH_FAILED = """
    INSERT INTO source_health (source, last_attempt, last_success, consecutive_failures,
        last_error, last_count, last_problems, gone)
    VALUES (?1, ?2, NULL, 1, ?3, 0, 0, ?4)
    ON CONFLICT (source) DO UPDATE SET
        last_attempt = ?2, consecutive_failures = consecutive_failures + 1, last_error = ?3,
        gone = ?4
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
_LAST_LIVE = """
    SELECT id, generated_at, window_start, window_end, live FROM briefings
    WHERE live = 1 AND generated_at < ? ORDER BY generated_at DESC, id DESC LIMIT 1
"""
_SHOWN = """
    SELECT incident_id, MAX(version) FROM briefing_items
    WHERE incident_id IN ({marks}) GROUP BY incident_id
"""
_SAVE_PAGE = """
    INSERT INTO pages (key, text, fetched_at, gone) VALUES (?, ?, ?, ?)
    ON CONFLICT (key) DO UPDATE SET
        text = excluded.text, fetched_at = excluded.fetched_at, gone = excluded.gone
"""
_INSERT_BRIEFING = """
    INSERT INTO briefings (generated_at, window_start, window_end, live) VALUES (?, ?, ?, ?)
"""
_INSERT_ITEM = """
    INSERT INTO briefing_items (briefing_id, incident_id, version) VALUES (?, ?, ?)
    ON CONFLICT (briefing_id, incident_id) DO UPDATE SET version = MAX(version, excluded.version)
"""
_DROP_UNSENT = "DELETE FROM outbox WHERE channel = ? AND day = ? AND sent_at IS NULL"
_ENQUEUE = "INSERT INTO outbox (day, channel, made_at, payload) VALUES (?, ?, ?, ?)"
_UNDELIVERED = """
    SELECT id, day, channel, made_at, payload, attempts, last_error, sent_at FROM outbox
    WHERE channel = ? AND sent_at IS NULL ORDER BY id
"""
_LATEST_OUTGOING = """
    SELECT id, day, channel, made_at, payload, attempts, last_error, sent_at FROM outbox
    WHERE channel = ? ORDER BY id DESC LIMIT 1
"""
_DELIVERY_FAILED = "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?"
_MARK_SENT = """
    UPDATE outbox SET attempts = attempts + 1, last_error = NULL, sent_at = ? WHERE id = ?
"""
_RECORD_SENT = """
    INSERT INTO sent (day, channel, sent_at) VALUES (?, ?, ?)
    ON CONFLICT (day, channel) DO UPDATE SET sent_at = excluded.sent_at
"""
_PRUNE_SENT = """
    DELETE FROM outbox WHERE channel = ? AND sent_at IS NOT NULL AND id NOT IN (
        SELECT id FROM outbox WHERE channel = ? AND sent_at IS NOT NULL ORDER BY id DESC LIMIT ?
    )
"""
