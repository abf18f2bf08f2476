"""What was shown and what was sent: the ledger of briefings (which version of which
incident each showed, so the next one can say new or updated), and the outbox of
messages kept until a server accepts them, with the sent ledger written then."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from briefing.store.base import Base, chunks, maybe_utc, utc, utc_text

KEEP_SENT = 30  # delivered messages kept per channel, newest first, for resending


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


class Ledger(Base):
    """The briefings made and what each showed."""

    def last_live_briefing(self, before: datetime) -> BriefingRecord | None:
        """The latest live (not replayed) briefing generated before `before`."""
        with self._guard() as conn:
            row = conn.execute(_LAST_LIVE, (utc_text(before),)).fetchone()
        if row is None:
            return None
        briefing_id, generated_at, start, end, live = row
        return BriefingRecord(briefing_id, utc(generated_at), utc(start), utc(end), bool(live))

    def shown_versions(self, incident_ids: Iterable[str]) -> dict[str, int]:
        """For each id, the highest version any briefing showed; ids never shown are absent."""
        ids = list(dict.fromkeys(incident_ids))
        shown: dict[str, int] = {}
        with self._guard() as conn:
            for chunk in chunks(ids):
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
        times = (utc_text(generated_at), utc_text(start), utc_text(end))
        with self._transaction() as conn:
            cursor = conn.execute(_INSERT_BRIEFING, (*times, int(live)))
            briefing_id = int(cursor.lastrowid or 0)
            items = [(briefing_id, incident_id, version) for incident_id, version in shown]
            conn.executemany(_INSERT_ITEM, items)
        return briefing_id


class Outbox(Base):
    """Messages kept until delivered, and the sent ledger of (day, channel)."""

    def enqueue(self, channel: str, day: date, payload: bytes, made_at: datetime) -> int:
        """Keep a message until it is delivered; returns its id. It replaces an
        undelivered message of the same day and channel: the newer one says more."""
        with self._transaction() as conn:
            conn.execute(_DROP_UNSENT, (channel, day.isoformat()))
            values = (day.isoformat(), channel, utc_text(made_at), payload)
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
        when = utc_text(at)
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
        return None if row is None else utc(row[0])


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
        utc(made_at),
        bytes(payload),
        attempts,
        last_error,
        maybe_utc(sent_at),
    )


_LAST_LIVE = """
    SELECT id, generated_at, window_start, window_end, live FROM briefings
    WHERE live = 1 AND generated_at < ? ORDER BY generated_at DESC, id DESC LIMIT 1
"""
_SHOWN = """
    SELECT incident_id, MAX(version) FROM briefing_items
    WHERE incident_id IN ({marks}) GROUP BY incident_id
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
