"""What one briefing's JSON incidents repeat, made once (briefing.render.json)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from json.encoder import encode_basestring

from briefing.models import Briefing, FollowUp, clean_text


class Memo:
    """What one briefing's incidents repeat, made once: the quoted clean text of the
    fields with few values (source, type, category, places, reasons, stakeholders), the
    quoted local times (an event's two times are often one), and the follow-ups by
    incident (`followup.of` walks them all)."""

    def __init__(self, briefing: Briefing) -> None:
        self.texts: dict[str, str] = {}
        self.times: dict[datetime, str] = {}
        self.followups: dict[str, FollowUp] = {}
        for followup in briefing.followups:
            self.followups.setdefault(followup.incident_id, followup)

    def text(self, text: str) -> str:
        """`encode_basestring(clean_text(text))`, remembered."""
        if (quoted := self.texts.get(text)) is None:
            quoted = self.texts[text] = encode_basestring(clean_text(text))
        return quoted

    def nullable(self, text: str | None) -> str:
        return "null" if text is None else self.text(text)

    def time(self, moment: datetime | None, zone: tzinfo | None) -> str:
        if moment is None:
            return "null"
        if zone is None:  # shown in its own offset: equal moments may read differently
            return _time_text(moment, zone)
        # Equal moments are one instant (or one naive time), which reads the same in `zone`.
        if (text := self.times.get(moment)) is None:
            text = self.times[moment] = _time_text(moment, zone)
        return text


def _time_text(moment: datetime | None, zone: tzinfo | None) -> str:
    if moment is None:
        return "null"
    local = moment.astimezone(zone) if zone else moment
    return f'"{local.isoformat(timespec="seconds")}"'  # digits, "-", ":", "T", "+": no escapes
