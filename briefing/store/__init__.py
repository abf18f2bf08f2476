"""The SQLite store: every version of every incident, each source's state and
health, the ledger of briefings (what each showed), the outbox, the HTTP call log
and the page cache.

One file, one connection. Each concern is a class in a module of its own, all
working through the connection and lock of `base.Base`; `Store` combines them:

    incidents.py  Incidents  save_batch, window, arrivals, ahead, last_report, history
    state.py      Sources    source_state, record_health, health, recent_calls, record_call
    ledger.py     Ledger     last_live_briefing, shown_versions, record_briefing
                  Outbox     enqueue, undelivered, latest_outgoing, delivered, sent_at, …
    pages.py      Pages      page, save_page
    followups.py  FollowUps  record_followup, followups, followup_log, sent_before
    schema.py     the schema, its numbered migrations, opening the file, StoreError hints

Facts are stored; judgements are not, so a change of rules applies to old
nights too.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from briefing.store.followups import FollowUps
from briefing.store.incidents import Incidents, SaveResult, Stored
from briefing.store.ledger import KEEP_SENT, BriefingRecord, Ledger, Outbox, Outgoing
from briefing.store.pages import Pages
from briefing.store.schema import FILENAME, MIGRATIONS, default_path
from briefing.store.schema import connect as _connect
from briefing.store.state import CALL_LOG_SECONDS, Health, Sources

# The names other modules import from briefing.store.
__all__ = [
    "CALL_LOG_SECONDS",
    "FILENAME",
    "KEEP_SENT",
    "MIGRATIONS",
    "BriefingRecord",
    "Health",
    "Outgoing",
    "SaveResult",
    "Store",
    "Stored",
    "default_path",
]


class Store(Incidents, Sources, Ledger, Outbox, Pages, FollowUps):
    """One SQLite file. Safe to share between threads: adapters fetch in a
    pool and the HTTP client logs its calls here from those threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._conn = _connect(path)  # looked up here at call time: the crash tests trace it

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

    def check(self) -> list[str]:
        """Problems SQLite finds in the file and in its references; [] when all is well."""
        with self._lock:
            try:
                found = [row[0] for row in self._conn.execute("PRAGMA integrity_check")]
                dangling = self._conn.execute("PRAGMA foreign_key_check").fetchall()
                dangling += self._conn.execute(_MISSING_VERSIONS).fetchall()
            except sqlite3.DatabaseError as exc:
                return [str(exc)]
        problems = [message for message in found if message != "ok"]
        problems += [
            f"{table} row {rowid}: refers to a missing row of {parent}"
            for table, rowid, parent, _ in dangling
        ]
        return problems


# Items that name a version their incident does not have (what the triggers of
# migration 11 refuse; a file written without them, or damaged, may hold some).
_MISSING_VERSIONS = """
    SELECT 'briefing_items', b.rowid, 'incident_versions', 0 FROM briefing_items AS b
    JOIN incidents AS i ON i.id = b.incident_id
    WHERE b.version NOT BETWEEN 1 AND i.version
"""
