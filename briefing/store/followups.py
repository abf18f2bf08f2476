"""The follow-up log: what the chief (or whoever `--by` names) did about an incident.

Every `briefing ack` is one row, written in one transaction, so a run killed during
it leaves either the whole entry or none (tests/test_followups.py kills one). A
message sent by `briefing notify --send` is a row too, naming the stakeholder
(`sent_to`), written only once the SMTP server accepted it. Rows are never changed:
the log is a history, and "done" is the entry that closed an incident.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from briefing.models import FollowUp, LogEntry
from briefing.store.schema import translated

_CHUNK = 500
_COLUMNS = "incident_id, at, by, note, informed, done, sent_to"


class FollowUps:
    """The log's part of the store (mixed into `Store`, over its connection and lock)."""

    path: Path
    _lock: threading.RLock
    _conn: sqlite3.Connection

    def record_followup(
        self,
        incident_id: str,
        *,
        at: datetime,
        by: str,
        note: str = "",
        informed: Iterable[str] = (),
        done: bool = False,
        sent_to: str | None = None,
    ) -> int:
        """Add one entry to the log, atomically; its row id."""
        row = (incident_id, _text(at), by, note, json.dumps(list(informed), ensure_ascii=False))
        with self._write() as conn:
            cursor = conn.execute(
                f"INSERT INTO followups ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
                (*row, int(done), sent_to),
            )
        return int(cursor.lastrowid or 0)

    def followups(self, incident_ids: Iterable[str]) -> dict[str, FollowUp]:
        """The follow-up of each of `incident_ids` that has one."""
        ids = list(dict.fromkeys(incident_ids))
        rows: list[tuple[str, str, str, str, str, int, str | None]] = []
        with self._read() as conn:
            for start in range(0, len(ids), _CHUNK):
                part = ids[start : start + _CHUNK]
                marks = ",".join("?" * len(part))
                rows += conn.execute(
                    f"SELECT {_COLUMNS} FROM followups WHERE incident_id IN ({marks})"  # noqa: S608
                    " ORDER BY at, id",
                    part,
                ).fetchall()
        return self._gathered(rows)

    def followup_log(
        self, *, since: datetime | None = None, open_only: bool = False
    ) -> list[FollowUp]:
        """Every incident with an entry (at or after `since`), the oldest opened first."""
        with self._read() as conn:
            ids = [
                row[0]
                for row in conn.execute(
                    "SELECT incident_id FROM followups WHERE at >= ? GROUP BY incident_id"
                    " HAVING NOT (? AND MAX(done)) ORDER BY MIN(at), incident_id",
                    (_text(since) if since else "", int(open_only)),
                )
            ]
        found = self.followups(ids)
        return [found[i] for i in ids]

    def sent_before(self, incident_id: str, stakeholder: str) -> datetime | None:
        """When `notify --send` last sent `stakeholder` a message about the incident."""
        with self._read() as conn:
            row = conn.execute(
                "SELECT MAX(at) FROM followups WHERE incident_id = ? AND sent_to = ?",
                (incident_id, stakeholder),
            ).fetchone()
        return None if row is None or row[0] is None else _time(row[0])

    def _gathered(
        self, rows: list[tuple[str, str, str, str, str, int, str | None]]
    ) -> dict[str, FollowUp]:
        entries: dict[str, list[LogEntry]] = {}
        for incident_id, at, by, note, informed, done, sent_to in rows:
            names = tuple(str(n) for n in json.loads(informed))
            entry = LogEntry(_time(at), by, note, names, bool(done), sent_to)
            entries.setdefault(incident_id, []).append(entry)
        return {i: FollowUp(i, tuple(e)) for i, e in entries.items()}

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock, translated(self.path):
            yield self._conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._read() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")


def _text(moment: datetime) -> str:
    if moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: the store keeps aware times only")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)
