"""The follow-up log as the briefing and `briefing log` show it, worded once for every format.

The log itself is in the store (briefing.store.followups, which also gathers what a
briefing shows of it); this words an incident's follow-up in one line.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo

from briefing.i18n import short_datetime, t
from briefing.models import Briefing, FollowUp, LogEntry, clean_text


def state(followup: FollowUp | None) -> str | None:
    """ "handled" (closed with --done), "open" (followed up, not closed), or None."""
    if followup is None:
        return None
    return "handled" if followup.done else "open"


def worded(lang: str, followup: FollowUp, zone: tzinfo | None) -> str:
    """'Uppföljd: informerat X, Y; ”ringde rektorn” (anna, tors 8 juni 09:10)'."""
    parts = []
    if followup.informed:
        parts.append(t(lang, "followup.informed", names=", ".join(_clean(followup.informed))))
    parts += [f"”{clean_text(e.note, single_line=True)}”" for e in followup.entries if e.note]
    last = followup.entries[-1]
    stamp = f"({clean_text(last.by, single_line=True)}, {when(lang, last.at, zone)})"
    key = "followup.handled" if followup.done else "followup.open"
    body = "; ".join(parts)
    return f"{t(lang, key)}: {body} {stamp}" if body else f"{t(lang, key)} {stamp}"


def entry_line(lang: str, entry: LogEntry, zone: tzinfo | None) -> str:
    """One entry of the log: 'tors 8 juni 09:10 anna: informerat X; ”…”; klar'."""
    parts = []
    if entry.sent_to:
        parts.append(t(lang, "followup.sent", name=clean_text(entry.sent_to, single_line=True)))
    if entry.informed:
        parts.append(t(lang, "followup.informed", names=", ".join(_clean(entry.informed))))
    if entry.note:
        parts.append(f"”{clean_text(entry.note, single_line=True)}”")
    if entry.done:
        parts.append(t(lang, "followup.closed"))
    what = "; ".join(parts) or t(lang, "followup.seen")
    return f"{when(lang, entry.at, zone)} {clean_text(entry.by, single_line=True)}: {what}"


def when(lang: str, moment: datetime, zone: tzinfo | None) -> str:
    return short_datetime(lang, moment.astimezone(zone) if zone else moment)


def _clean(names: Iterable[str]) -> list[str]:
    return [clean_text(name, single_line=True) for name in names]


def of(briefing: Briefing, incident_id: str) -> FollowUp | None:
    """The follow-up of one incident of `briefing`, if any."""
    return next((f for f in briefing.followups if f.incident_id == incident_id), None)
