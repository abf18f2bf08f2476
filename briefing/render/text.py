"""Plain text (e-mail body, cron output) and markdown, from the same view.

Plain text wraps at 78 columns with hanging indents, so it survives mail
clients and `less`; URLs are never broken. Markdown escapes every feed string,
so a title like "*[klicka här](javascript:…)*" stays literal text.
"""

from __future__ import annotations

import re
import textwrap

from briefing.models import Briefing
from briefing.render.health import SourceLine
from briefing.render.view import Entry, View, build

WIDTH = 78
INDENT = "     "


def render_text(briefing: Briefing) -> str:
    view = build(briefing)
    lines = [*_text_head(view), *_text_sources(view), "", _fill(view.summary), ""]
    lines += _text_incidents(view)
    return "\n".join(lines).rstrip() + "\n"


def _fill(text: str, first: str = "", rest: str = "") -> str:
    return textwrap.fill(
        text,
        width=WIDTH,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _heading(title: str, underline: str = "-") -> list[str]:
    return [title, underline * min(len(title), WIDTH)]


def _text_head(view: View) -> list[str]:
    lines = [*_heading(view.title, "="), _fill(view.window), view.generated, ""]
    if view.opening:
        lines += [_fill(view.opening), ""]
    if view.demo:
        lines += [f"*** {view.demo} ***", ""]
    if view.alert:
        lines += [_fill(f"!!! {view.alert}", rest="    "), ""]
    return lines


def _text_sources(view: View) -> list[str]:
    lines = _heading(view.t("heading.sources"))
    for source in view.sources:
        lines += _text_source(view, source)
    return lines


def _text_source(view: View, source: SourceLine) -> list[str]:
    flag = "!!" if source.failed else "  "
    counts = f": {source.counts}" if source.counts else ""
    head = f"{flag} {source.status_label:<9} {source.label} ({source.origin}){counts}"
    lines = [_fill(head, rest=" " * 13)]
    details = []
    if source.error:
        details.append(f"{view.t('label.error')}: {source.error}")
    if source.failed:
        details.append(source.last_success)
    details += source.warnings
    lines += [_fill(detail, " " * 13, " " * 15) for detail in details]
    return lines


def _text_incidents(view: View) -> list[str]:
    lines: list[str] = []
    for message in view.empty:
        lines += [_fill(message), ""]
    if view.serious or view.no_serious:
        lines += [*_heading(view.t("heading.serious").upper()), ""]
        lines += [view.no_serious, ""] if view.no_serious else []
        for group in view.serious:
            lines.append(group.name)
            for entry in group.entries:
                lines += _text_serious_entry(view, entry)
    if view.to_check:
        lines += _heading(view.t("heading.to_check").upper())
        lines += [_text_compact(view, e, where=e.place) for e in view.to_check] + [""]
    if view.followups:
        lines += [*_heading(view.t("heading.followups").upper()), ""]
        lines += [_fill(line, "  ", "    ") for line in view.followups] + [""]
    if view.trends:
        lines += [*_heading(view.t("heading.trends").upper()), ""]
        lines += [_fill(line, "  ", "    ") for line in view.trends] + [""]
    if view.other_local:
        lines += _heading(view.t("heading.other_local", municipality=view.municipality).upper())
        lines += [_text_compact(view, e, where=e.place) for e in view.other_local] + [""]
    lines += _heading(view.t("heading.neighbours").upper())
    lines += [view.no_neighbours] if view.no_neighbours else []
    lines += [_text_compact(view, e, where=e.municipality) for e in view.neighbours]
    return lines


def _badges(entry: Entry) -> str:
    status = entry.status_label if entry.loud_status else f"({entry.status_label})"
    return f"{entry.marker} {entry.severity_label}  {status}  {entry.time}"


def _text_serious_entry(view: View, entry: Entry) -> list[str]:
    note = f" ({entry.time_note})" if entry.time_note else ""
    lines = [_fill(f"{_badges(entry)}{note}  {entry.kind}", "  ", INDENT)]
    details = _serious_details(view, entry)
    lines += [_fill(detail, INDENT, INDENT + "  ") for detail in details]
    if entry.url:
        lines.append(INDENT + entry.url)
    return [*lines, ""]


def _serious_details(view: View, entry: Entry) -> list[str]:
    """The lines under a serious incident's heading, shared by text and markdown."""
    details = [entry.title, entry.summary] if entry.summary != entry.title else [entry.title]
    details = [d for d in details if d]
    details.append(f"{view.t('label.place')}: {entry.place} ({entry.precision})")
    via = "; ".join(entry.sources) or view.t("label.via", origin=entry.origin, source=entry.source)
    details.append(f"{view.t('label.source')}: {via}")
    if entry.fused:
        details.append(f"{view.t('label.fused')}: {entry.fused}")
    if entry.reasons:
        details.append(f"{view.t('label.reasons')}: {'; '.join(entry.reasons)}")
    details += [
        f"{view.t('label.inform')}: {s.name} ({s.kind}) — {s.reason}" for s in entry.stakeholders
    ]
    details += [entry.followup] if entry.followup else []
    details.append(f"{view.t('label.id')}: {entry.id}")
    return details


def _compact_words(entry: Entry, where: str) -> str:
    what = entry.summary or entry.title
    return f"{entry.kind} — {what} ({where}; {entry.origin})"


def _compact_details(view: View, entry: Entry) -> list[str]:
    """Why reports were joined and whom to inform, under a one-line incident."""
    details = [entry.check] if entry.check else []
    details += [f"{view.t('label.fused')}: {entry.fused}"] if entry.fused else []
    details += [
        f"{view.t('label.inform')}: {s.name} ({s.kind}) — {s.reason}" for s in entry.stakeholders
    ]
    details += [entry.followup] if entry.followup else []
    return details


def _text_compact(view: View, entry: Entry, where: str) -> str:
    status = "" if not entry.loud_status else f"{entry.status_label}  "
    head = f"{entry.marker} {entry.severity_label}  {status}{entry.time}  "
    lines = [_fill(head + _compact_words(entry, where), "  ", INDENT)]
    lines += [_fill(detail, INDENT, INDENT + "  ") for detail in _compact_details(view, entry)]
    return "\n".join(lines)


# --- markdown -------------------------------------------------------------

# Characters that can start inline markup anywhere in a line; the rest of
# markdown's specials only matter at the start of a line (see _md_escape).
_MD_INLINE = re.compile(r"([\\`*_\[\]<>&|~!])")
_MD_LINE_START = re.compile(r"^(\s*)(?:([#+\-=>])|(\d+)([.)]))")


def _escape_line_start(match: re.Match[str]) -> str:
    indent, symbol, number, delimiter = match.groups()
    return f"{indent}\\{symbol}" if symbol else f"{indent}{number}\\{delimiter}"


def md_escape(text: str) -> str:
    escaped = _MD_INLINE.sub(r"\\\1", text)
    return _MD_LINE_START.sub(_escape_line_start, escaped)


def md_url(url: str) -> str:
    """A safe URL made unable to close a markdown link early."""
    for char, code in (("(", "%28"), (")", "%29"), ("[", "%5B"), ("]", "%5D")):
        url = url.replace(char, code)
    return url


def render_markdown(briefing: Briefing) -> str:
    view = build(briefing)
    lines = [f"# {md_escape(view.title)}", "", md_escape(view.window)]
    lines += ["", md_escape(view.opening)] if view.opening else []
    lines += ["", md_escape(view.generated)]
    if view.demo:
        lines += ["", f"> **{md_escape(view.demo)}**"]
    if view.alert:
        lines += ["", f"> **{md_escape(view.alert)}**"]
    lines += ["", f"## {md_escape(view.t('heading.sources'))}", ""]
    lines += [_md_source(view, source) for source in view.sources]
    lines += ["", f"**{md_escape(view.summary)}**", ""]
    lines += _md_incidents(view)
    return "\n".join(lines).rstrip() + "\n"


def _md_source(view: View, source: SourceLine) -> str:
    status = f"**{source.status_label}**" if source.failed else source.status_label
    counts = f": {source.counts}" if source.counts else ""
    line = f"- {status} — {md_escape(source.label)} ({md_escape(source.origin)}){counts}"
    extra = [f"{view.t('label.error')}: {source.error}"] if source.error else []
    extra += [source.last_success] if source.failed else []
    extra += list(source.warnings)
    return "".join([line, *(f"  \n  {md_escape(e)}" for e in extra)])


def _md_incidents(view: View) -> list[str]:
    lines = [md_escape(message) for message in view.empty]
    lines += [""] if view.empty else []
    if view.serious or view.no_serious:
        lines += [f"## {md_escape(view.t('heading.serious'))}", ""]
        lines += [md_escape(view.no_serious), ""] if view.no_serious else []
        for group in view.serious:
            lines += [f"### {md_escape(group.name)}", ""]
            lines += [_md_serious_entry(view, entry) for entry in group.entries] + [""]
    if view.to_check:
        lines += [f"## {md_escape(view.t('heading.to_check'))}", ""]
        lines += [_md_compact(view, entry, entry.place) for entry in view.to_check] + [""]
    if view.followups:
        lines += [f"## {md_escape(view.t('heading.followups'))}", ""]
        lines += [f"- {md_escape(line)}" for line in view.followups] + [""]
    if view.trends:
        lines += [f"## {md_escape(view.t('heading.trends'))}", ""]
        lines += [f"- {md_escape(line)}" for line in view.trends] + [""]
    if view.other_local:
        heading = view.t("heading.other_local", municipality=view.municipality)
        lines += [f"## {md_escape(heading)}", ""]
        lines += [_md_compact(view, entry, entry.place) for entry in view.other_local] + [""]
    lines += [f"## {md_escape(view.t('heading.neighbours'))}", ""]
    lines += [md_escape(view.no_neighbours)] if view.no_neighbours else []
    lines += [_md_compact(view, entry, entry.municipality) for entry in view.neighbours]
    return lines


def _md_link(view: View, url: str | None) -> list[str]:
    return [f"[{md_escape(view.t('label.link'))}]({md_url(url)})"] if url else []


def _md_serious_entry(view: View, entry: Entry) -> str:
    status = f"**{entry.status_label}**" if entry.loud_status else f"({entry.status_label})"
    note = f" ({md_escape(entry.time_note)})" if entry.time_note else ""
    head = f"- **{entry.marker} {entry.severity_label}** · {status} · {entry.time}{note} — "
    head += f"**{md_escape(entry.kind)}**"
    details = [md_escape(d) for d in _serious_details(view, entry)]
    details += _md_link(view, entry.url)
    return "".join([head, *(f"  \n  {d}" for d in details)])


def _md_compact(view: View, entry: Entry, where: str) -> str:
    status = f" · **{entry.status_label}**" if entry.loud_status else ""
    head = f"- {entry.marker} {entry.severity_label}{status} · {entry.time} — "
    words = md_escape(_compact_words(entry, where))
    link = "".join(f" ({link})" for link in _md_link(view, entry.url))
    details = "".join(f"  \n  {md_escape(d)}" for d in _compact_details(view, entry))
    return head + words + link + details
