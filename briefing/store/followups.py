"""The follow-up log: what the chief (or whoever `--by` names) did about an incident.

Every `briefing ack` is one row, written in one transaction, so a run killed during
it leaves either the whole entry or none (tests/test_followups.py kills one). A
message sent by `briefing notify --send` is a row too, naming the stakeholder
(`sent_to`), written only once the SMTP server accepted it. Rows are never changed:
the log is a history, and "done" is the entry that closed an incident.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from briefing.models import FollowUp, LogEntry, clean_text
from briefing.store.base import Base, chunks, utc, utc_text

if TYPE_CHECKING:
    from briefing.store import Store

_COLUMNS = "incident_id, at, by, note, informed, done, sent_to"
_Row = tuple[str, str, str, str, str, int, str | None]


class FollowUps(Base):
    """The log's part of the store."""

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
        row = (incident_id, utc_text(at), by, note, json.dumps(list(informed), ensure_ascii=False))
        with self._transaction() as conn:
            cursor = conn.execute(
                f"INSERT INTO followups ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
                (*row, int(done), sent_to),
            )
        return int(cursor.lastrowid or 0)

    def followups(self, incident_ids: Iterable[str]) -> dict[str, FollowUp]:
        """The follow-up of each of `incident_ids` that has one."""
        ids = list(dict.fromkeys(incident_ids))
        rows: list[_Row] = []
        with self._guard() as conn:
            for part in chunks(ids):
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
        with self._guard() as conn:
            ids = [
                row[0]
                for row in conn.execute(
                    "SELECT incident_id FROM followups WHERE at >= ? GROUP BY incident_id"
                    " HAVING NOT (? AND MAX(done)) ORDER BY MIN(at), incident_id",
                    (utc_text(since) if since else "", int(open_only)),
                )
            ]
        found = self.followups(ids)
        return [found[i] for i in ids]

    def sent_before(self, incident_id: str, stakeholder: str) -> datetime | None:
        """When `notify --send` last sent `stakeholder` a message about the incident."""
        with self._guard() as conn:
            row = conn.execute(
                "SELECT MAX(at) FROM followups WHERE incident_id = ? AND sent_to = ?",
                (incident_id, stakeholder),
            ).fetchone()
        return None if row is None or row[0] is None else utc(row[0])

    def _gathered(self, rows: list[_Row]) -> dict[str, FollowUp]:
        entries: dict[str, list[LogEntry]] = {}
        for incident_id, at, by, note, informed, done, sent_to in rows:
            names = tuple(str(n) for n in json.loads(informed))
            entry = LogEntry(utc(at), by, note, names, bool(done), sent_to)
            entries.setdefault(incident_id, []).append(entry)
        return {i: FollowUp(i, tuple(e)) for i, e in entries.items()}


def gather(store: Store, shown_ids: Iterable[str]) -> tuple[FollowUp, ...]:
    """The follow-ups of the incidents shown, then the open ones of earlier mornings."""
    shown = store.followups(shown_ids)
    earlier = [f for f in store.followup_log(open_only=True) if f.incident_id not in shown]
    return (*shown.values(), *(described(store, f) for f in earlier))


def described(store: Store, followup: FollowUp) -> FollowUp:
    """`followup` with the incident's title and time as last stored."""
    versions = store.history(stored_id(followup.incident_id))
    if not versions:
        return followup
    incident = versions[-1].incident
    title = clean_text(incident.title, single_line=True) or clean_text(incident.type)
    return replace(followup, title=title, when=incident.when)


def stored_id(incident_id: str) -> str:
    """The id the store keeps: a night summary's part ("polisen:1#2") is kept as its summary."""
    return incident_id.split("#", 1)[0]
