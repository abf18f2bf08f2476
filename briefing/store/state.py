"""What the store keeps about each source, and about the calls made to them: the
source's state (e.g. an ETag, written with the incidents it describes), its health
(the last attempt, success and error), and the HTTP call log the rate limits read."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from briefing.store.base import Base, maybe_utc, utc_text

CALL_LOG_SECONDS = 24 * 3600.0


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


class Sources(Base):
    """Each source's state and health, and the HTTP call log."""

    def source_state(self, source: str) -> dict[str, str]:
        with self._guard() as conn:
            sql = "SELECT key, value FROM source_state WHERE source = ?"
            return dict(conn.execute(sql, (source,)).fetchall())

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
        when = utc_text(at)
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
            source, maybe_utc(attempt), maybe_utc(success), failures, error, count, problems, gone
        )

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


def replace_state(conn: sqlite3.Connection, source: str, state: Mapping[str, str]) -> None:
    """The source's whole state becomes `state`, inside the caller's transaction."""
    conn.execute("DELETE FROM source_state WHERE source = ?", (source,))
    conn.executemany(
        "INSERT INTO source_state (source, key, value) VALUES (?, ?, ?)",
        [(source, key, value) for key, value in state.items()],
    )


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
