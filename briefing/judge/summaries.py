"""Night summaries split into one incident per reported happening.

The police's "Sammanfattning natt", "Sammanfattning kväll och natt" (and the
other "Sammanfattning …" types) bundle a night's events in one notice. The
API's summary is only the first 110 characters ("Ett urval av nattens
polisverksamhet"), so the split needs the page text. Real pages write each
happening under a heading, in one of these forms (tests/data/polisen-summaries):

    03:19 Skadegörelse, Örnsköldsvik         time, type, place
    03:52, brand – Göteborg                  time, type – place
    Trafikbrott, Hedemora kl. 01.02          type, place, time
    Lob/Ringa Misshandel, Vaggeryd: Vid …    type, place: and the text on the same line

followed by a paragraph or two of text. Paragraphs that only introduce or sum
up the night ("Nedan följer ett urval …", "Utöver detta har vi bland annat …")
are not happenings and stay in the summary. Any other paragraph outside a
heading's section (a summary without headings, a note before the first
heading) is a part of its own.

Each part is an `Incident` of its own: key "<summary key>#<n>", `parent` the
summary's id, a type guessed from its words, the heading's place as its
location (and municipality, when the place is one), the time of day it names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta, tzinfo
from typing import Any, ClassVar, Protocol, TypeVar
from zoneinfo import ZoneInfo

from briefing.models import Incident
from briefing.sources import municipalities

STOCKHOLM = ZoneInfo("Europe/Stockholm")
_CLOCK = r"(?:[01]?\d|2[0-3])[:.][0-5]\d"
_NAME = r"[A-ZÅÄÖ][\w'’. -]{1,40}?"
_HEADINGS = (
    # "03:19 Skadegörelse, Örnsköldsvik", "03:52, brand – Göteborg"
    re.compile(
        rf"^(?P<clock>{_CLOCK}),?\s+(?P<type>.{{2,60}})\s*(?:,|\s[–—-])\s*(?P<place>{_NAME})$"
    ),
    # "Trafikbrott, Hedemora kl. 01.02"
    re.compile(
        rf"^(?P<type>[^,.]{{2,60}}),\s*(?P<place>{_NAME})\s+(?:kl\.?|klockan)\s*(?P<clock>{_CLOCK})$"
    ),
    # "Lob/Ringa Misshandel, Vaggeryd: Vid 23.30-tiden larmas polisen …"
    re.compile(rf"^(?P<type>[^,.:]{{2,60}}),\s*(?P<place>{_NAME}):\s*(?P<rest>.*)$"),
)
# Introductions and round-ups: the night as a whole, not one happening.
_ROUND_UP = re.compile(
    r"\burval\b|\bsammanfattning|presstalesperson|god morgon|\b(?:lugn|normal|stillsam) natt"
    r"|\bbland annat\b|\butöver detta\b|\bi övrigt\b|\bsticker ut\b|\bärenden\b"
    r"|\b\d+-tal\b|\bnedan följer\b|\bhär följer\b|\bingen händelse|\bstörre karaktär",
    re.IGNORECASE,
)
_TIME_IN_TEXT = re.compile(
    rf"\b(?:vid|kl\.?|klockan|strax (?:före|efter))\s+(?P<clock>{_CLOCK})", re.IGNORECASE
)
# Most serious first: a heading "misshandel/olaga hot" is a Misshandel.
_TYPES = (
    (r"skottlossning|skjut\w*|sköt\w*|skott(?:en|et)?", "Skottlossning"),
    (r"explosion\w*|detonation\w*|spräng\w*", "Explosion"),
    (r"mord\w*|dråp\w*", "Mord/dråp"),
    (r"\w*rån(?:et|försök\w*)?|rånad\w*", "Rån"),
    (r"våldtäkt\w*", "Våldtäkt"),
    (r"\w*misshand\w*|knivhugg\w*|slagsmål\w*", "Misshandel"),
    (r"\w*brand|\w*bränder|brinn\w*|brann", "Brand"),
    (r"\w*inbrott\w*", "Inbrott"),
    (r"olaga hot|\bhot(?:ad|ade|at)\b", "Olaga hot"),
    (r"kniv\w*", "Knivlagen"),
    (r"\w*vapen\w*", "Vapenlagen"),
    (r"sexuell\w* ofredande|sexualbrott\w*", "Sexualbrott"),
    (r"\w*rattfyll\w*|rattonykter\w*", "Rattfylleri"),
    (r"trafikolycka\w*|krock\w*|kollision\w*|påkörd\w*|singelolycka\w*", "Trafikolycka"),
    (r"skadegörelse\w*|klotter\w*", "Skadegörelse"),
    (r"stöld\w*|stulen|stulna|snatteri\w*", "Stöld"),
    (r"narkotika\w*", "Narkotikabrott"),
    (r"bråk\w*|tumult\w*", "Bråk"),
    (r"olovlig körning|trafikbrott\w*|hastighet\w*", "Trafikbrott"),
    (r"fylleri\w*|\blob\b|berusad\w*", "Fylleri/LOB"),
    (r"försvunnen|saknad", "Försvunnen person"),
    (r"bedrägeri\w*", "Bedrägeri"),
)
_TYPE_PATTERNS = tuple((re.compile(rf"\b(?:{p})\b", re.IGNORECASE), t) for p, t in _TYPES)
UNKNOWN_TYPE = "Övrigt"
_TITLE_LENGTH = 100


@dataclass(slots=True)
class _Section:
    heading: str = ""
    kind: str = ""  # the heading's type words
    place: str = ""
    clock: str = ""
    lines: list[str] = field(default_factory=list)


def is_summary(incident: Incident) -> bool:
    return incident.type.strip().casefold().startswith("sammanfattning")


def split(incident: Incident, tz: tzinfo = STOCKHOLM) -> list[Incident]:
    """The happenings a summary reports, one incident each; [] for anything else."""
    if not is_summary(incident) or incident.parent is not None:
        return []
    text = incident.text or incident.summary
    return [
        _part(incident, number, section, tz)
        for number, section in enumerate(_sections(text), start=1)
    ]


def _sections(text: str) -> list[_Section]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    sections: list[_Section] = []
    current: _Section | None = None
    for line in lines:
        if (found := _heading(line)) is not None:
            current = found
            sections.append(current)
        elif _ROUND_UP.search(line):
            current = None  # a round-up ends the happening before it
        elif current is not None:
            current.lines.append(line)
        else:
            sections.append(_Section(lines=[line]))
    # an unheaded paragraph is a happening only if it names one ("brann", "inbrott")
    return [s for s in sections if s.heading or _guess_type("", "\n".join(s.lines)) != UNKNOWN_TYPE]


def _heading(line: str) -> _Section | None:
    for pattern in _HEADINGS:
        match = pattern.match(line)
        if match is None or (line.endswith(".") and "rest" not in pattern.groupindex):
            continue
        found = match.groupdict()
        rest = (found.get("rest") or "").strip()
        heading = line[: match.start("rest")].strip() if rest else line
        return _Section(
            heading=heading.rstrip(":").strip(),
            kind=found["type"].strip(),
            place=found["place"].strip(),
            clock=found.get("clock") or "",
            lines=[rest] if rest else [],
        )
    return None


def _part(summary: Incident, number: int, section: _Section, tz: tzinfo) -> Incident:
    body = "\n".join(section.lines)
    kind = _guess_type(section.kind, body)
    home = municipalities.lookup(section.place) if section.place else None
    clock = section.clock or _clock_in(body)
    first = _first_sentence(body)
    return replace(
        summary,
        key=f"{summary.key}#{number}",
        type=kind,
        title=section.heading or _shorten(first) or kind,
        summary=first if section.heading else "",
        text=body,
        occurred_at=_occurred(clock, summary.published_at, tz) if clock else None,
        municipality=home.name if home else (None if section.place else summary.municipality),
        county=home.county if home else summary.county,
        location=section.place,
        lat=None,
        lon=None,
        parent=summary.id,
        raw="",
    )


def _guess_type(heading: str, body: str) -> str:
    """The police type a happening reads as: the heading's most serious word, else the
    body's first."""
    for pattern, kind in _TYPE_PATTERNS:
        if heading and pattern.search(heading):
            return kind
    hits = [
        (hit.start(), kind) for pattern, kind in _TYPE_PATTERNS if (hit := pattern.search(body))
    ]
    return min(hits)[1] if hits else UNKNOWN_TYPE


def _clock_in(text: str) -> str:
    found = _TIME_IN_TEXT.search(text)
    return found.group("clock") if found else ""


def _occurred(clock: str, published: datetime, tz: tzinfo) -> datetime:
    """The clock time on the night before publication: the latest such moment not after it."""
    hours, minutes = (int(part) for part in re.split(r"[:.]", clock))
    local = published.astimezone(tz)
    moment = datetime.combine(local.date(), time(hours, minutes), tzinfo=tz)
    return moment - timedelta(days=1) if moment > local else moment


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(?:\s|$)", text.replace("\n", " "))
    return (match.group(1) if match else text.split("\n", 1)[0]).strip()


def _shorten(text: str) -> str:
    if len(text) <= _TITLE_LENGTH:
        return text
    return text[: _TITLE_LENGTH - 1].rsplit(" ", 1)[0] + "…"


class Holding(Protocol):
    """A record (the store's `Stored`) that holds an incident: a dataclass with `incident`."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def incident(self) -> Incident: ...


H = TypeVar("H", bound=Holding)


def expand(stored: Sequence[H], tz: tzinfo = STOCKHOLM) -> list[H]:
    """The records (the store's `Stored`) with each summary followed by its parts.

    A part carries its summary's record, version and times: it is as new as the summary.
    """
    expanded: list[H] = []
    for item in stored:
        expanded.append(item)
        expanded += [replace(item, incident=part) for part in split(item.incident, tz)]
    return expanded


def as_stored(shown: Iterable[tuple[Incident, int]]) -> list[tuple[str, int]]:
    """(id, version) pairs to record, a part's as its summary's, each once.

    Parts are not stored; what a briefing showed of them is their summary.
    """
    return list(
        dict.fromkeys((incident.parent or incident.id, version) for incident, version in shown)
    )
