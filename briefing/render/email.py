"""The briefing's e-mail: its subject and its HTML part, from the same View as every format.

The HTML part is for mail clients, Outlook included (see templates/email.html.j2):
no scripts, no SVG, no images, nothing fetched. The pictures of the intranet page
become table bars here: incidents per severity and per district.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from briefing.i18n import label, language, short_date, t, t_count
from briefing.models import Briefing, Severity, clean_text
from briefing.render.html import html_environment
from briefing.render.view import MARKERS, Entry, View, build

TEMPLATE = "email.html.j2"
_BAR_COLOURS = {
    Severity.CRITICAL: "#8b0000",
    Severity.HIGH: "#b00020",
    Severity.MEDIUM: "#e6b800",
    Severity.LOW: "#9e9e9e",
    Severity.INFO: "#cfcfcf",
}
_DISTRICT_COLOUR = "#4a4a4a"


@dataclass(frozen=True, slots=True)
class Bar:
    """One row of a table bar chart: what, how many, and the bar's share of the widest."""

    label: str
    marker: str
    count: int
    percent: int
    colour: str


def morning(briefing: Briefing) -> date:
    """The day a briefing is the briefing of: the sent ledger's key."""
    return briefing.window_end.date()


def subject(briefing: Briefing) -> str:
    """'Säkerhetsbriefing Järfälla tors 27 nov: 2 allvarliga, 9 händelser'.

    Made from our own words and counts only, never from feed text, so nothing a
    source sends can reach a header.
    """
    lang = language(briefing.language)
    text = t(
        lang,
        "mail.subject",
        municipality=clean_text(briefing.municipality, single_line=True),
        date=short_date(lang, briefing.window_end),
        serious=t_count(lang, "summary.serious", len(briefing.serious)),
        incidents=t_count(lang, "mail.incidents", len(briefing.local)),
    )
    if not briefing.healthy:
        text = t(lang, "mail.subject.sources_failed", subject=text)
    return t(lang, "mail.subject.demo", subject=text) if briefing.demo else text


def severity_bars(view: View) -> tuple[Bar, ...]:
    """The local incidents per severity, most severe first, every severity shown."""
    counts = Counter(entry.severity for entry in _local_entries(view))
    top = max(counts.values(), default=0)
    return tuple(
        Bar(
            label(view.lang, "severity", severity.value).capitalize(),
            MARKERS[severity],
            counts[severity.value],
            _percent(counts[severity.value], top),
            _BAR_COLOURS[severity],
        )
        for severity in Severity
    )


def district_bars(view: View) -> tuple[Bar, ...]:
    """The local incidents per district, most first; the unknown district last."""
    unknown = t(view.lang, "district.unknown")
    counts = Counter(entry.district or unknown for entry in _local_entries(view))
    top = max(counts.values(), default=0)
    order = sorted(counts, key=lambda name: (name == unknown, -counts[name], name))
    return tuple(
        Bar(name, "", counts[name], _percent(counts[name], top), _DISTRICT_COLOUR) for name in order
    )


def _local_entries(view: View) -> list[Entry]:
    serious = (e for group in view.serious for e in group.entries)
    return [*serious, *view.to_check, *view.other_local]


def _percent(count: int, top: int) -> int:
    return max(1, round(100 * count / top)) if count else 0


def render_email_html(briefing: Briefing, template_dir: Path | None = None) -> str:
    """The HTML part: the same View as every other format, laid out for mail clients."""
    view = build(briefing)
    template = html_environment(template_dir).get_template(TEMPLATE)
    return template.render(view=view, bars=severity_bars(view), district_bars=district_bars(view))
