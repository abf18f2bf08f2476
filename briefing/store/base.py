"""What every part of the store shares: the one connection, its lock, transactions,
and how times are written.

Each concern of the store (incidents, source state and health, the ledger, the page
cache) is a class in a module of its own that derives from `Base`; `Store` in
briefing/store/__init__.py combines them over one connection. Times are kept as UTC
ISO-8601 text in one fixed format, so text order is time order and indexes on them
work; they come back as aware UTC.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from briefing.store.schema import translated

CHUNK = 500  # ids per `IN (...)`: well below SQLite's variable limit on old builds


class Base:
    """The connection every part of the store works through. Safe to share between
    threads: one thread at a time holds the lock."""

    path: Path
    _lock: threading.RLock
    _conn: sqlite3.Connection

    @contextmanager
    def _guard(self) -> Iterator[sqlite3.Connection]:
        """One thread at a time; trouble with the file becomes a StoreError with a hint."""
        with self._lock, translated(self.path):
            yield self._conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """An explicit write transaction: everything inside is stored, or nothing."""
        with self._guard() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:  # SQLite may have rolled back already (disk full)
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")


def utc_text(moment: datetime) -> str:
    if moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: the store keeps aware times only")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def maybe_utc(text: str | None) -> datetime | None:
    return None if text is None else utc(text)


def chunks(items: list[str]) -> Iterator[list[str]]:
    """`items` in slices small enough for one `IN (...)`."""
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
