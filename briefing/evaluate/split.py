"""A fixed split of labelled events into a part to tune the rules on and a part only measured.

Figures on the events the rules were written against say how well the rules fit
them, not how well they hold on the next year's. So `briefing eval` scores two
parts side by side, and a rule is written against the tune part (and the unlabelled
corpus) only. The split is fixed, so the held-out figures stay comparable between
commits:

- `time` (the default for the events of one municipality, as the Järfälla dev set):
  an event published before the cut-off date (2024-01-01) is in the tune part, one
  published on that day or later is held out.
- `municipality` (the default for events of many municipalities, as the national
  set): a municipality's events are all in one part, by the CRC-32 of its folded
  name (the municipality the event's title names, else the API's location): odd
  is held out. A municipality the rules were tuned on never leaks into the measure.
- `none`: every event in both parts (the figures of the whole set).
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from briefing.errors import UsageError
from briefing.models import Incident
from briefing.sources.municipalities import fold

__all__ = ["CUTOFF", "Split", "choose", "parse"]

CUTOFF = date(2024, 1, 1)
Kind = Literal["time", "municipality", "none"]
KINDS: tuple[Kind, ...] = ("time", "municipality", "none")


@dataclass(frozen=True, slots=True)
class Split:
    kind: Kind
    cutoff: date = CUTOFF

    def held_out(self, incident: Incident) -> bool:
        if self.kind == "time":
            return incident.published_at.date() >= self.cutoff
        if self.kind == "municipality":
            return zlib.crc32(fold(municipality_of(incident)).encode("utf-8")) % 2 == 1
        return True

    def tuned(self, incident: Incident) -> bool:
        return self.kind == "none" or not self.held_out(incident)

    def describe(self) -> str:
        if self.kind == "time":
            return (
                f"split by time: tune = published before {self.cutoff:%Y-%m-%d}, "
                f"held out = published from {self.cutoff:%Y-%m-%d}"
            )
        if self.kind == "municipality":
            return "split by municipality: held out = CRC-32 of the folded name is odd"
        return "no split: both parts are every event"


def municipality_of(incident: Incident) -> str:
    return incident.municipality or incident.location


def parse(value: str) -> Split | None:
    """`time`, `time:YYYY-MM-DD`, `municipality`, `none`; `auto` (None) chooses from the events."""
    kind, _, cutoff = value.partition(":")
    if kind == "auto" and not cutoff:
        return None
    if kind not in KINDS or (cutoff and kind != "time"):
        raise UsageError(
            f"--split {value!r}: not a split",
            "give auto, time, time:YYYY-MM-DD, municipality or none",
        )
    if not cutoff:
        return Split(kind)
    try:
        return Split("time", datetime.strptime(cutoff, "%Y-%m-%d").date())
    except ValueError as exc:
        raise UsageError(f"--split {value!r}: {exc}", "give time:YYYY-MM-DD") from exc


def choose(incidents: Iterable[Incident]) -> Split:
    """By time when nine in ten events are of one municipality, else by municipality."""
    places = Counter(fold(municipality_of(incident)) for incident in incidents)
    most = places.most_common(1)[0][1] if places else 0
    return Split("time" if most >= 0.9 * places.total() else "municipality")
