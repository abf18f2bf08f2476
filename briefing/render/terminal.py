"""The briefing in a terminal, with rich.

Feed text never reaches rich's markup parser: everything is built from
`rich.text.Text` pieces, so "[/]" in a police title is shown, not parsed.
Severity is told by a shape and a word as well as by colour, so it survives
NO_COLOR, a monochrome terminal and a colour-blind reader.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from briefing.i18n import language, t
from briefing.models import Briefing, SourceReport
from briefing.render.console import make_console
from briefing.render.health import SourceLine, source_lines
from briefing.render.view import Entry, View, build

_SOURCE_STYLES = {
    "error": ("bold white on red", "✖"),
    "stale": ("bold yellow", "!"),
    "ok": ("green", "✔"),
}
__all__ = ["make_console", "print_sources", "print_terminal", "render_terminal"]

WIDTH = 100
# Every C0/C1 control character, newlines included: one Text piece is one line.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
SEVERITY_STYLES = {
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "bold yellow",
    "low": "default",
    "info": "dim",
}


class _Url(Text):
    """A line printed with soft wrap: a folded URL could not be clicked or copied."""


def print_terminal(briefing: Briefing, console: Console) -> None:
    """Print the briefing on `console` (width and colour are the console's business)."""
    for renderable in _renderables(build(briefing)):
        soft = isinstance(renderable, _Url)
        console.print(renderable, markup=False, highlight=False, emoji=False, soft_wrap=soft)


def print_sources(reports: Sequence[SourceReport], lang: str, console: Console) -> None:
    """Only how each source fared, failures first (for `briefing fetch`)."""
    lang = language(lang)
    console.print(Rule(_text(t(lang, "heading.sources")), align="left"))
    for line in source_lines(lang, None, reports):
        console.print(_source(lang, line), markup=False, highlight=False, emoji=False)


def render_terminal(briefing: Briefing, width: int = WIDTH) -> str:
    """The terminal layout as plain text, without colour or escape codes (for --output)."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=False,
        color_system=None,
        no_color=True,
        highlight=False,
        emoji=False,
        legacy_windows=False,
    )
    print_terminal(briefing, console)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def _text(*parts: str | tuple[str, str]) -> Text:
    """Text from plain strings or (string, style) pairs, each cleaned of control characters.

    The view has cleaned feed text already; cleaning again here is the last
    line of defence before a real terminal.
    """
    text = Text()
    for part in parts:
        value, style = (part, "") if isinstance(part, str) else part
        text.append(_CONTROL.sub(" ", value), style)
    return text


BLANK = Text()


def _section(items: list[RenderableType], title: str, style: str = "") -> None:
    """A rule with a title, after exactly one blank line."""
    if not items or items[-1] is not BLANK:
        items.append(BLANK)
    items.append(Rule(_text(title), align="left", style=style or "rule.line"))


def _renderables(view: View) -> list[RenderableType]:
    items: list[RenderableType] = [_text((view.title, "bold")), _text((view.window, "dim"))]
    if view.opening:
        items += [BLANK, _text(view.opening)]
    if view.demo:
        items.append(_text((f" {view.demo} ", "bold black on yellow")))
    if view.alert:
        items.append(_text((f"⚠ {view.alert}", "bold white on red")))
    _section(items, view.t("heading.sources"))
    items += [_source(view.lang, source) for source in view.sources]
    items += [BLANK, _text((view.summary, "bold"))]
    items += _incidents(view)
    items += [BLANK, _text((view.generated, "dim"))]
    return items


def _source(lang: str, source: SourceLine) -> RenderableType:
    style, flag = _SOURCE_STYLES[source.status]
    head = _text((f"{flag} {source.status_label:<9}", style), " ", (source.label, "bold"))
    counts = f": {source.counts}" if source.counts else ""
    head.append_text(_text(f" ({source.origin}){counts}"))
    details = [f"{t(lang, 'label.error')}: {source.error}"] if source.error else []
    details += [source.last_success] if source.failed else []
    details += list(source.warnings)
    if not details:
        return head
    lines = [_text((detail, "red" if source.failed else "yellow")) for detail in details]
    return Group(head, Padding(Group(*lines), (0, 0, 0, 12)))


def _incidents(view: View) -> list[RenderableType]:
    items: list[RenderableType] = [BLANK] if view.empty else []
    items += [_text((message, "bold")) for message in view.empty]
    if view.serious or view.no_serious:
        _section(items, view.t("heading.serious"), "red")
        items += [_text(view.no_serious)] if view.no_serious else []
        for group in view.serious:
            items.append(_text((group.name, "bold underline")))
            for entry in group.entries:
                items += [*_serious(view, entry), BLANK]
    if view.to_check:
        _section(items, view.t("heading.to_check"), "yellow")
        items.append(_compact(view, [(entry, entry.place) for entry in view.to_check]))
    if view.followups:
        _section(items, view.t("heading.followups"))
        items += [_text(f"  {line}") for line in view.followups]
    if view.trends:
        _section(items, view.t("heading.trends"))
        items += [_text(f"  {line}") for line in view.trends]
    if view.other_local:
        _section(items, view.t("heading.other_local", municipality=view.municipality))
        items.append(_compact(view, [(entry, entry.place) for entry in view.other_local]))
    _section(items, view.t("heading.neighbours"), "dim")
    items += [_text((view.no_neighbours, "dim"))] if view.no_neighbours else []
    if view.neighbours:
        neighbours = [(entry, entry.municipality) for entry in view.neighbours]
        items.append(_compact(view, neighbours, quiet=True))
    return items


def _badges(entry: Entry) -> Text:
    status = (entry.status_label, "bold cyan") if entry.loud_status else (entry.status_label, "dim")
    badge = (f"{entry.marker} {entry.severity_label}", SEVERITY_STYLES[entry.severity])
    return _text(badge, "  ", status, "  ", entry.time)


def _serious(view: View, entry: Entry) -> list[RenderableType]:
    head = _badges(entry)
    if entry.time_note:
        head.append_text(_text((f" ({entry.time_note})", "dim")))
    head.append_text(_text("  ", (entry.kind, "bold")))
    lines: list[RenderableType] = [_text((entry.title, "bold"))] if entry.title else []
    if entry.summary and entry.summary != entry.title:
        lines.append(_text(entry.summary))
    lines.append(_text((f"{view.t('label.place')}: ", "dim"), f"{entry.place} ({entry.precision})"))
    via = "; ".join(entry.sources) or view.t("label.via", origin=entry.origin, source=entry.source)
    lines.append(_text((f"{view.t('label.source')}: ", "dim"), via))
    if entry.fused:
        lines.append(_text((f"{view.t('label.fused')}: ", "dim"), entry.fused))
    if entry.reasons:
        lines.append(_text((f"{view.t('label.reasons')}: {'; '.join(entry.reasons)}", "dim")))
    for s in entry.stakeholders:
        who = f"{s.name} ({s.kind}) — {s.reason}"
        lines.append(_text((f"{view.t('label.inform')}: ", "bold"), who))
    if entry.followup:
        lines.append(_text((entry.followup, "bold green" if entry.handled else "green")))
    lines.append(_text((f"{view.t('label.id')}: {entry.id}", "dim")))
    block = Padding(Group(head, Padding(Group(*lines), (0, 0, 0, 3))), (0, 0, 0, 2))
    if not entry.url:
        return [block]
    return [block, _Url("     " + _CONTROL.sub("", entry.url), "blue")]


def _compact(view: View, rows: list[tuple[Entry, str]], *, quiet: bool = False) -> RenderableType:
    """One line per incident in aligned columns; long descriptions wrap inside their column."""
    grid = Table.grid(padding=(0, 2, 0, 0))
    for _ in range(3):
        grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold", ratio=1)
    for entry, where in rows:
        badge = (f"{entry.marker} {entry.severity_label}", SEVERITY_STYLES[entry.severity])
        status = (entry.status_label, "bold cyan") if entry.loud_status else ""
        what = _text(
            (entry.kind, "dim" if quiet else "bold"),
            f" — {entry.summary or entry.title} ",
            (f"({where}; {entry.origin})", "dim"),
        )
        grid.add_row(_text(badge), _text(status), _text((entry.time, "dim")), what)
        for detail in _compact_details(view, entry):
            grid.add_row(BLANK, BLANK, BLANK, detail)
    return Padding(grid, (0, 0, 0, 2))


def _compact_details(view: View, entry: Entry) -> list[Text]:
    """Why reports were joined and whom to inform, under a one-line incident."""
    details = [_text((entry.check, "yellow"))] if entry.check else []
    details += [_text((f"{view.t('label.fused')}: ", "dim"), entry.fused)] if entry.fused else []
    for s in entry.stakeholders:
        who = f"{s.name} ({s.kind}) — {s.reason}"
        details.append(_text((f"{view.t('label.inform')}: ", "bold"), who))
    if entry.followup:
        details.append(_text((entry.followup, "green")))
    return details
