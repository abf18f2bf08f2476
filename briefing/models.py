"""The vocabulary every layer shares: incidents as sources report them, and the
judgements the pipeline adds to them.

Facts (`Incident`) are stored; judgements (`Place`, `Judgement`, `Item`) are
recomputed on every briefing, so a change of rules applies to old nights too.
"""

from __future__ import annotations

import hashlib
import json
import json.encoder
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from briefing.pnr import mask_personnummer as mask_personnummer  # re-exported: adapters use it

# C0 and C1 control characters except tab and newline: they would reach the
# terminal as escape sequences, break e-mail headers and confuse SQLite users.
# Also bidirectional overrides and invisible format characters: a feed could use
# them to make a terminal or page show text in another order than it is stored.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_SPACES = re.compile(r"[ \t\u00a0]+")


def clean_text(value: object, *, single_line: bool = False) -> str:
    """Untrusted text made safe to keep: no control characters, trimmed.

    Used by every adapter at the border, so nothing past an adapter sees them.
    """
    text = "" if value is None else str(value)
    # Fast path (most text is clean already; the JSON renderer cleans every string
    # again): printable means no control character, tab, newline or NBSP.
    if text.isprintable() and "  " not in text and text == text.strip():
        return text
    # Masked before the invisible characters go: "850101\u200b1234" would become a bare
    # run of digits, which the mask leaves alone unless its check digit is right.
    text = mask_personnummer(text)
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if single_line:
        text = text.replace("\n", " ")
    return _SPACES.sub(" ", text).strip()


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """4 for critical down to 0 for info."""
        return _RANK[self]

    @property
    def serious(self) -> bool:
        return self.rank >= _RANK[Severity.HIGH]

    def raised(self, steps: int = 1) -> Severity:
        """This severity moved up (or down, for negative steps) within the scale."""
        rank = max(0, min(4, self.rank + steps))
        return _BY_RANK[rank]


_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}
_BY_RANK = {rank: severity for severity, rank in _RANK.items()}


class Origin(StrEnum):
    """Whose reports a source carries; the briefing always says which."""

    POLICE = "police"
    RESCUE = "rescue"
    GUARDS = "guards"
    AUTHORITY = "authority"


class Precision(StrEnum):
    """How exactly an incident is placed, most exact first."""

    STREET = "street"
    PLACE = "place"
    DISTRICT = "district"
    MUNICIPALITY = "municipality"
    COUNTY = "county"


class Status(StrEnum):
    """Compared with what earlier briefings showed."""

    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class Incident:
    """One report as a source gave it, normalised at the border.

    Times are timezone-aware. Text fields are already cleaned with `clean_text`.
    `municipality` is the canonical SCB name when the source says where it
    happened (None when it only names a county, or nothing). `location` is the
    source's own place text (the last segment of a police title, a guard
    report's place column). Coordinates are only set when they mark the
    incident itself: the police API's `gps` is a municipality centroid and is
    never used.
    """

    source: str
    key: str
    origin: Origin
    type: str
    title: str
    summary: str
    published_at: datetime
    occurred_at: datetime | None = None
    url: str | None = None
    municipality: str | None = None
    county: str | None = None
    location: str = ""
    text: str = ""
    lat: float | None = None
    lon: float | None = None
    parent: str | None = None
    raw: str = field(default="", compare=False)

    @property
    def id(self) -> str:
        return f"{self.source}:{self.key}"

    @property
    def when(self) -> datetime:
        """When it happened if known, else when it was reported."""
        return self.occurred_at or self.published_at

    def fingerprint(self) -> str:
        """Hash of the reported facts: a new fingerprint is a new version.

        The raw payload is left out, so whitespace or key order changes in a
        feed never look like an edit.
        """
        occurred = self.occurred_at
        # Times in UTC: the same instant written with another offset is not an edit.
        facts = [
            self.origin.value,
            self.type,
            self.title,
            self.summary,
            self.url,
            self.published_at.astimezone(UTC).isoformat(),
            occurred.astimezone(UTC).isoformat() if occurred else None,
            self.municipality,
            self.county,
            self.location,
            self.text,
            self.lat,
            self.lon,
            self.parent,
        ]
        return hashlib.sha256(_FACTS(facts).encode()).hexdigest()


def compact_json() -> Callable[[object], str]:
    """`json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode`, the same text,
    less what `encode` sets up on every call (a new C encoder): the C encoder, made once.
    Without the C accelerator, the encoder's own `encode`. For values the caller builds:
    there is no circular check (a cycle ends in RecursionError instead of ValueError)."""
    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
    make = getattr(json.encoder, "c_make_encoder", None)  # not in the type stubs
    if make is None:  # pragma: no cover - CPython always has it
        return encoder.encode
    basestring = json.encoder.encode_basestring
    one_shot = make(None, encoder.default, basestring, None, ":", ",", False, False, True)

    def encode(value: object) -> str:
        return "".join(one_shot(value, 0))

    return encode


# One encoder for every fingerprint: json.dumps with options makes a new one per call.
_FACTS = compact_json()


@dataclass(frozen=True, slots=True)
class Place:
    """Where an incident happened, as far as the text lets us say."""

    municipality: str | None
    district: str | None = None
    place: str | None = None
    precision: Precision = Precision.COUNTY
    reasons: tuple[str, ...] = ()
    # A point for the place, when the gazetteer or the source knows one (WGS84).
    lat: float | None = None
    lon: float | None = None
    # The gazetteer kind of `place` ("school", "centre", "street" …), for the severity rules.
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class Judgement:
    """What an incident is and how serious, with the rules that fired."""

    category: str
    severity: Severity
    reasons: tuple[str, ...] = ()
    # "to check" (att kontrollera): why the text cannot settle whether it is serious;
    # None when it can. Only ever set on an incident that is not judged serious.
    check: str | None = None

    @property
    def serious(self) -> bool:
        return self.severity.serious


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A stakeholder the chief may want to inform, and why. Never sent to."""

    name: str
    kind: str
    reason: str


@dataclass(frozen=True, slots=True)
class Item:
    """One incident as the briefing shows it."""

    incident: Incident
    status: Status
    place: Place
    judgement: Judgement
    local: bool
    version: int = 1
    stakeholders: tuple[Suggestion, ...] = ()
    also: tuple[Incident, ...] = ()
    fused_because: str = ""

    @property
    def reports(self) -> tuple[Incident, ...]:
        """Every source's report of this event, the primary one first."""
        return (self.incident, *self.also)


@dataclass(frozen=True, slots=True)
class SourceReport:
    """How one source fared in this run; shown at the top of every briefing."""

    name: str
    kind: str
    origin: Origin
    status: str  # "ok" | "error" | "stale"
    fetched: int = 0
    new: int = 0
    updated: int = 0
    error: str | None = None
    warnings: tuple[str, ...] = ()
    last_success: datetime | None = None
    label: str = ""
    # When the source last reported anything (see briefing.judge.health): what "stale" is about.
    last_report: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True, slots=True)
class Trend:
    """A district's count of one category in the last 7 days against its own baseline."""

    district: str | None
    category: str
    last_7_days: int
    baseline_per_week: float
    flagged: bool
    text: str = ""


@dataclass(frozen=True, slots=True)
class Repeat:
    """A place that keeps coming back ("3rd incident at Jakobsbergs station in 14 days")."""

    place: str
    district: str | None
    count: int
    days: int
    incident_ids: tuple[str, ...] = ()
    text: str = ""


@dataclass(frozen=True, slots=True)
class DistrictShape:
    """A kommundel of the briefing's municipality as the map draws it."""

    name: str
    # Its outer rings of (longitude, latitude), as GeoJSON writes them; () when no
    # district polygons are configured (the map draws a labelled box instead).
    outline: tuple[tuple[tuple[float, float], ...], ...] = ()


@dataclass(frozen=True, slots=True)
class Briefing:
    """The one model every renderer takes."""

    municipality: str
    generated_at: datetime
    window_start: datetime
    window_end: datetime
    language: str
    sources: tuple[SourceReport, ...]
    items: tuple[Item, ...]
    demo: bool = False
    trends: tuple[Trend, ...] = ()
    repeats: tuple[Repeat, ...] = ()
    # Incidents per local day for each district (None: district unknown), oldest
    # first, the last day being the window's end: the sparklines' data.
    daily: tuple[tuple[str | None, tuple[int, ...]], ...] = ()
    # The municipality's kommundelar from the configured gazetteer, in the order to draw
    # them: the map shows them (and the sparklines count them) even on a quiet night.
    districts: tuple[DistrictShape, ...] = ()
    # For the ledger of what was shown (briefing.pipeline.record_shown), not for the reader:
    # whether this is a live morning (not a replay or a chosen window), and the (id,
    # version) of every report shown, a summary's part as its summary.
    live: bool = False
    shown: tuple[tuple[str, int], ...] = ()

    @property
    def local(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.local)

    @property
    def neighbours(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if not item.local)

    @property
    def serious(self) -> tuple[Item, ...]:
        return tuple(item for item in self.local if item.judgement.serious)

    @property
    def healthy(self) -> bool:
        return all(source.ok for source in self.sources)
