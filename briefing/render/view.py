"""What every format shows, in what order, already worded: the renderers only lay it out.

Keeping content and order here means "failures first" and "an empty night says
whether we heard nothing" hold for the terminal, text, markdown and HTML alike.
Feed text is cleaned again here (single line, no control characters), so a
renderer never has to trust what an adapter let through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta, tzinfo
from urllib.parse import urlsplit

from briefing.i18n import label, language, long_date, short_datetime, t, t_count
from briefing.models import Briefing, Incident, Item, Severity, Status, clean_text
from briefing.render import followup, notify
from briefing.render.health import SourceLine, alert, local_time, source_lines
from briefing.render.opening import opening

MARKERS = {
    Severity.CRITICAL: "▲▲",
    Severity.HIGH: "▲",
    Severity.MEDIUM: "●",
    Severity.LOW: "○",
    Severity.INFO: "·",
}
SAFE_SCHEMES = ("http", "https", "mailto")
MAX_REASONS = 4


def safe_url(url: object) -> str | None:
    """The URL if it may become a link (http, https, mailto), else None.

    Anything with whitespace, control characters, quotes or angle brackets is
    refused outright rather than repaired: browsers ignore tabs inside
    "java\\tscript:", and a link the chief cannot trust is worse than none.
    """
    if not isinstance(url, str) or not url or any(c in url for c in ' \t\r\n"<>\\`'):
        return None
    if clean_text(url) != url:
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in SAFE_SCHEMES:
        return None
    if parts.scheme.lower() != "mailto" and not parts.netloc:
        return None
    return url


@dataclass(frozen=True, slots=True)
class Stakeholder:
    """A suggestion worded: `kind` is the kind's label; `mailto` a drafted message, or None."""

    name: str
    kind: str
    reason: str
    mailto: str | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """One incident, worded for display."""

    id: str
    severity: str
    severity_label: str
    marker: str
    status: str
    status_label: str
    loud_status: bool
    time: str
    iso_time: str
    time_note: str
    kind: str
    title: str
    summary: str
    municipality: str
    district: str | None
    place: str
    precision: str
    origin: str
    source: str
    reasons: tuple[str, ...]
    stakeholders: tuple[Stakeholder, ...]
    url: str | None
    # Every source that reported it ("polis, Polisen"), the primary first, and
    # why several reports were taken for one event ("" when only one source).
    sources: tuple[str, ...] = ()
    fused: str = ""
    # The follow-up log's line for it ("" when nobody noted anything), and whether it was
    # closed with `briefing ack --done`.
    followup: str = ""
    handled: bool = False
    # Why the judgement could not settle it ("" when it could): shown apart, "to check".
    check: str = ""


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class View:
    lang: str
    municipality: str
    title: str
    window: str
    generated: str
    demo: str | None
    sources: tuple[SourceLine, ...]
    alert: str | None
    summary: str
    serious: tuple[Group, ...]
    other_local: tuple[Entry, ...]
    neighbours: tuple[Entry, ...]
    empty: tuple[str, ...]
    no_serious: str | None
    no_neighbours: str | None
    # "Återkommer": kommundelar clearly above their baseline, then repeat places.
    trends: tuple[str, ...] = ()
    # Open follow-ups of incidents of earlier mornings, one worded line each.
    followups: tuple[str, ...] = ()
    # The opening paragraph (briefing.render.opening).
    opening: str = ""
    # Local incidents not judged serious that the text cannot settle: shown after the
    # serious ones, apart from the rest ("att kontrollera"); not in other_local.
    to_check: tuple[Entry, ...] = ()

    def t(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)


@dataclass(frozen=True, slots=True)
class _Context:
    """What wording an entry needs besides the item itself."""

    lang: str
    zone: tzinfo | None
    source_labels: dict[str, str]
    briefing: Briefing


# The last view built, with the Briefing it was built from (held, so its id is not reused):
# an e-mail's text and HTML parts, or a page and its site files, share one view.
_last: list[tuple[Briefing, View]] = []


def build(briefing: Briefing) -> View:
    """The view of `briefing` every renderer shows (built once per Briefing object)."""
    if _last and _last[0][0] is briefing:
        return _last[0][1]
    made = _build(briefing)
    _last[:] = [(briefing, made)]
    return made


def _build(briefing: Briefing) -> View:
    lang = language(briefing.language)
    zone = briefing.window_end.tzinfo
    name = clean_text(briefing.municipality, single_line=True)
    sources = source_lines(lang, zone, briefing.sources, briefing.generated_at)
    context = _Context(lang, zone, {s.name: s.label for s in sources}, briefing)
    local = [_entry(context, item) for item in _by_severity(briefing.local)]
    serious = [entry for entry in local if Severity(entry.severity).serious]
    return View(
        lang=lang,
        municipality=name,
        title=t(
            lang,
            "title",
            municipality=name,
            date=long_date(lang, local_time(briefing.window_end, zone)),
        ),
        window=_window(lang, briefing),
        generated=t(
            lang, "generated", time=short_datetime(lang, local_time(briefing.generated_at, zone))
        ),
        demo=t(lang, "demo") if briefing.demo else None,
        sources=sources,
        alert=alert(lang, sources),
        summary=_summary(lang, briefing, name),
        serious=_groups(lang, serious),
        other_local=tuple(e for e in local if not Severity(e.severity).serious and not e.check),
        neighbours=tuple(_entry(context, item) for item in _by_place(briefing.neighbours)),
        empty=_empty(lang, briefing, name),
        no_serious=t(lang, "empty.serious") if local and not serious else None,
        no_neighbours=_no_neighbours(lang, briefing),
        trends=_trend_lines(briefing),
        followups=_earlier(lang, briefing),
        opening=opening(briefing),
        to_check=tuple(e for e in local if not Severity(e.severity).serious and e.check),
    )


def _earlier(lang: str, briefing: Briefing) -> tuple[str, ...]:
    zone = briefing.window_end.tzinfo
    lines = []
    for item in briefing.earlier_open:
        when = f"{followup.when(lang, item.when, zone)} " if item.when else ""
        title = f"{item.title} " if item.title else ""
        head = f"{item.incident_id} — {when}{title}".rstrip()
        lines.append(f"{head}: {followup.worded(lang, item, zone)}")
    return tuple(clean_text(line, single_line=True) for line in lines)


def _trend_lines(briefing: Briefing) -> tuple[str, ...]:
    flagged = [trend.text for trend in briefing.trends if trend.flagged]
    lines = [*flagged, *(repeat.text for repeat in briefing.repeats)]
    return tuple(clean_text(line, single_line=True) for line in lines if line)


def _window(lang: str, briefing: Briefing) -> str:
    zone = briefing.window_end.tzinfo
    start, end = local_time(briefing.window_start, zone), local_time(briefing.window_end, zone)
    overnight = start.date() != end.date() and end - start <= timedelta(hours=24)
    key = "window.night" if overnight and start.hour >= 12 else "window.other"
    return t(lang, key, start=short_datetime(lang, start), end=short_datetime(lang, end))


def _summary(lang: str, briefing: Briefing, name: str) -> str:
    parts = [
        t_count(lang, "summary.serious", len(briefing.serious)),
        t_count(lang, "summary.local", len(briefing.local), municipality=name),
        t(lang, "summary.neighbours", count=len(briefing.neighbours)),
    ]
    return ", ".join(parts)


def _empty(lang: str, briefing: Briefing, name: str) -> tuple[str, ...]:
    """Why the local part is empty: "nothing happened" never looks like "we heard nothing"."""
    if briefing.local:
        return ()
    lines = [t(lang, "empty.local", municipality=name)]
    if not briefing.sources:
        lines.append(t(lang, "empty.no_sources"))
    elif not briefing.healthy:
        lines.append(t(lang, "empty.caveat"))
    return tuple(lines)


def _by_severity(items: tuple[Item, ...]) -> list[Item]:
    """Most severe first; within a severity, in the order things happened."""
    return sorted(items, key=lambda item: (-item.judgement.severity.rank, item.incident.when))


def _by_place(items: tuple[Item, ...]) -> list[Item]:
    return sorted(items, key=lambda item: (_municipality(item), item.incident.when))


def _groups(lang: str, serious: list[Entry]) -> tuple[Group, ...]:
    """Serious entries by district; the district with the worst incident first, unknown last."""
    grouped: dict[str | None, list[Entry]] = {}
    for entry in serious:
        grouped.setdefault(entry.district, []).append(entry)

    def order(district: str | None) -> tuple[int, int, str]:
        worst = max(Severity(entry.severity).rank for entry in grouped[district])
        return (-worst, district is None, district or "")

    unknown = t(lang, "district.unknown")
    return tuple(Group(d or unknown, tuple(grouped[d])) for d in sorted(grouped, key=order))


def _municipality(item: Item) -> str:
    return clean_text(item.place.municipality or item.incident.municipality or "", single_line=True)


def _place_text(item: Item) -> str:
    parts = [item.place.place, item.place.district]
    words = [clean_text(p, single_line=True) for p in parts if p]
    unique = [w for i, w in enumerate(words) if w and w not in words[:i]]
    return ", ".join(unique) or _municipality(item)


def _entry(context: _Context, item: Item) -> Entry:
    lang, incident, judgement = context.lang, item.incident, item.judgement
    when = local_time(incident.when, context.zone)
    source = clean_text(incident.source, single_line=True)
    origins = dict.fromkeys(label(lang, "origin", r.origin.value) for r in item.reports)
    noted = followup.of(context.briefing, incident.id)
    return Entry(
        id=clean_text(incident.id, single_line=True),
        severity=judgement.severity.value,
        severity_label=label(lang, "severity", judgement.severity.value).upper(),
        marker=MARKERS[judgement.severity],
        status=item.status.value,
        status_label=_status_label(lang, item.status),
        loud_status=item.status is not Status.UNCHANGED,
        time=short_datetime(lang, when),
        iso_time=when.isoformat(timespec="minutes"),
        time_note="" if incident.occurred_at else t(lang, "time.reported"),
        kind=clean_text(incident.type, single_line=True)
        or label(lang, "category", judgement.category),
        title=_title(incident),
        summary=clean_text(incident.summary, single_line=True),
        municipality=_municipality(item),
        district=clean_text(item.place.district, single_line=True) or None,
        place=_place_text(item),
        precision=label(lang, "precision", item.place.precision.value),
        origin=" + ".join(origins),
        source=context.source_labels.get(incident.source) or source,
        reasons=_reasons(lang, item),
        stakeholders=_stakeholders(context, item),
        url=safe_url(incident.url),
        sources=tuple(_via(context, report) for report in item.reports),
        fused=clean_text(item.fused_because, single_line=True) if item.also else "",
        followup=followup.worded(lang, noted, context.zone) if noted else "",
        handled=noted is not None and noted.done,
        check=clean_text(judgement.check or "", single_line=True),
    )


def _via(context: _Context, report: Incident) -> str:
    """'polis, Polisen': whose report, through which configured source."""
    source = clean_text(report.source, single_line=True)
    return t(
        context.lang,
        "label.via",
        origin=label(context.lang, "origin", report.origin.value),
        source=context.source_labels.get(report.source) or source,
    )


_POLICE_TIME = re.compile(r"^\d{1,2} \w+ \d{1,2}[.:]\d{2}, ")


def _title(incident: Incident) -> str:
    """The title, or "" when it only repeats what the entry shows anyway.

    Police titles are "06 juni 23.24, Misshandel, Järfälla" and CSV titles are
    often "category, place": time, type and place stand in the entry already.
    """
    title = clean_text(incident.title, single_line=True)
    parts = {p.strip().casefold() for p in _POLICE_TIME.sub("", title).split(",")}
    known = {p.strip().casefold() for p in incident.type.split(",")}
    known |= {incident.location.casefold(), (incident.municipality or "").casefold()}
    return "" if parts <= known else title


def _reasons(lang: str, item: Item) -> tuple[str, ...]:
    """The rules that fired, the first few of them: the chief wants the gist, not the trace."""
    reasons = [clean_text(r, single_line=True) for r in item.judgement.reasons]
    if len(reasons) <= MAX_REASONS:
        return tuple(reasons)
    more = t(lang, "label.more_reasons", count=len(reasons) - MAX_REASONS)
    return (*reasons[:MAX_REASONS], more)


def _stakeholders(context: _Context, item: Item) -> tuple[Stakeholder, ...]:
    lang, home = context.lang, context.briefing.municipality
    worded = []
    for s in item.stakeholders:
        message = notify.draft(item, s, home, lang, context.zone)
        worded.append(
            Stakeholder(
                clean_text(s.name, single_line=True),
                label(lang, "stakeholder", s.kind),
                clean_text(s.reason, single_line=True),
                safe_url(notify.mailto(message)) if message else None,
            )
        )
    return tuple(worded)


def _status_label(lang: str, status: Status) -> str:
    word = label(lang, "status", status.value)
    return word if status is Status.UNCHANGED else word.upper()


def _no_neighbours(lang: str, briefing: Briefing) -> str | None:
    """What the neighbours' section says when it shows nothing (and what it left out)."""
    if briefing.neighbours:
        return None
    if briefing.neighbours_left_out:
        return t_count(lang, "empty.neighbours_left_out", briefing.neighbours_left_out)
    return t(lang, "empty.neighbours")
