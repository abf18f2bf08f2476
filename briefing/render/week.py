"""The week's picture as the EST meeting uses it: text or markdown for the minutes, one
self-contained page (templates/week.html.j2) with the district map, and the rows
(time, place, district, category, severity, source, description, status) as CSV and
XLSX for the municipality's EST tool.

Every format has the same rows, worded once here. A spreadsheet cell is data, never a
formula: a cell that begins with =, +, - or @ (also after leading spaces, and one that
begins with a tab or carriage return) gets a leading apostrophe, so a feed title like
'=HYPERLINK(…)' stays text in Excel and LibreOffice.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from briefing.i18n import label, language, short_datetime, t, t_count
from briefing.judge.week import Count, Week
from briefing.models import Item, Severity, clean_text
from briefing.render import followup as log
from briefing.render.health import local_time
from briefing.render.view import MARKERS

COLUMNS = ("time", "place", "district", "category", "severity", "source", "description", "status")
_FORMULA_START = ("=", "+", "-", "@")


@dataclass(frozen=True, slots=True)
class Line:
    """A count worded: 'Brand: 4 (normalt 1,2 per vecka)'."""

    name: str
    count: int
    baseline: str
    flagged: bool


@dataclass(frozen=True, slots=True)
class Serious:
    marker: str
    severity: str
    time: str
    kind: str
    place: str
    id: str
    status: str
    handled: bool


@dataclass(frozen=True, slots=True)
class WeekView:
    lang: str
    title: str
    period: str
    history: str
    categories: tuple[Line, ...]
    districts: tuple[Line, ...]
    repeats: tuple[str, ...]
    serious: tuple[Serious, ...]
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def t(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)


def neutralised(value: object) -> str:
    """`value` as a spreadsheet cell that no program evaluates."""
    text = clean_text(value, single_line=True) if value is not None else ""
    raw = "" if value is None else str(value)
    if raw[:1] in ("\t", "\r") or text.lstrip()[:1] in _FORMULA_START:
        return "'" + text
    return text


def build(week: Week) -> WeekView:
    lang = language(week.language)
    zone = week.start.tzinfo
    name = clean_text(week.municipality, single_line=True)
    number = week.label.split("W", 1)[1].lstrip("0")
    end = local_time(week.end, zone)
    return WeekView(
        lang=lang,
        title=t(lang, "week.title", number=number, year=week.label[:4], municipality=name),
        period=t(
            lang,
            "week.period",
            start=short_datetime(lang, local_time(week.start, zone)),
            end=short_datetime(lang, end),
        ),
        history=t(lang, "week.history", weeks=_decimal(lang, week.weeks_before)),
        categories=tuple(_line(lang, c, "category") for c in week.categories),
        districts=tuple(_line(lang, c, "district") for c in week.districts),
        repeats=tuple(clean_text(r.text, single_line=True) for r in week.repeats),
        serious=tuple(_serious(lang, week, item) for item in _by_severity(week.serious)),
        header=tuple(t(lang, f"week.column.{column}") for column in COLUMNS),
        rows=tuple(row(lang, week, item) for item in week.items),
    )


def row(lang: str, week: Week, item: Item) -> tuple[str, ...]:
    """One incident as the EST tool's row, in COLUMNS order (not yet neutralised)."""
    incident = item.incident
    when = local_time(incident.when, week.start.tzinfo)
    place = item.place.place or item.place.municipality or ""
    description = incident.summary or incident.title
    return tuple(
        clean_text(cell, single_line=True)
        for cell in (
            when.strftime("%Y-%m-%d %H:%M"),
            place,
            item.place.district or t(lang, "district.unknown"),
            label(lang, "category", item.judgement.category),
            label(lang, "severity", item.judgement.severity.value),
            label(lang, "origin", incident.origin.value),
            f"{incident.type}: {description}" if incident.type else description,
            _status(lang, week, item),
        )
    )


def _status(lang: str, week: Week, item: Item) -> str:
    noted = week.followup(item.incident.id)
    if noted is None:
        return t(lang, "week.status.none")
    return t(lang, "week.status.handled" if noted.done else "week.status.open")


def _serious(lang: str, week: Week, item: Item) -> Serious:
    zone = week.start.tzinfo
    noted = week.followup(item.incident.id)
    return Serious(
        marker=MARKERS[item.judgement.severity],
        severity=item.judgement.severity.value,
        time=short_datetime(lang, local_time(item.incident.when, zone)),
        kind=clean_text(item.incident.type, single_line=True)
        or label(lang, "category", item.judgement.category),
        place=clean_text(
            ", ".join(dict.fromkeys(p for p in (item.place.place, item.place.district) if p))
            or item.place.municipality
            or "",
            single_line=True,
        ),
        id=clean_text(item.incident.id, single_line=True),
        status=log.worded(lang, noted, zone) if noted else t(lang, "week.status.none"),
        handled=noted is not None and noted.done,
    )


def _by_severity(items: tuple[Item, ...]) -> list[Item]:
    return sorted(items, key=lambda i: (-i.judgement.severity.rank, i.incident.when))


def _line(lang: str, count: Count, kind: str) -> Line:
    if kind == "category":
        name = label(lang, "category", count.key or "other")
    else:
        name = clean_text(count.key, single_line=True) if count.key else t(lang, "district.unknown")
    return Line(name, count.count, _decimal(lang, count.baseline), count.flagged)


def _decimal(lang: str, value: float) -> str:
    text = f"{value:.1f}"
    return text.replace(".", ",") if lang == "sv" else text


def render_text(week: Week, *, markdown: bool = False) -> str:
    """For the meeting's minutes: plain text, or markdown with tables."""
    view = build(week)
    h1, h2 = ("# ", "## ") if markdown else ("", "")
    esc = _md if markdown else (lambda s: s)
    lines = [f"{h1}{esc(view.title)}", "", esc(view.period), esc(view.history), ""]
    for key, counts in (
        ("week.by_category", view.categories),
        ("week.by_district", view.districts),
    ):
        lines += [f"{h2}{esc(view.t(key))}", ""]
        lines += [esc(_counted(view, c)) for c in counts] or [esc(view.t("week.none"))]
        lines.append("")
    lines += [f"{h2}{esc(view.t('week.repeats'))}", ""]
    lines += [f"- {esc(r)}" for r in view.repeats] or [esc(view.t("week.no_repeats"))]
    lines += ["", f"{h2}{esc(view.t('week.serious'))}", ""]
    for s in view.serious:
        lines.append(esc(f"- {s.marker} {s.time} {s.kind} — {s.place} ({s.id}): {s.status}"))
    lines += [] if view.serious else [esc(view.t("week.no_serious"))]
    lines += ["", f"{h2}{esc(view.t('week.incidents'))}", ""]
    if markdown:
        lines += ["| " + " | ".join(view.header) + " |", "|" + " --- |" * len(view.header)]
        lines += [
            "| " + " | ".join(_md(cell).replace("|", "\\|") for cell in r) + " |" for r in view.rows
        ]
    else:
        lines += ["  ".join(r) for r in view.rows]
    return "\n".join(lines).rstrip() + "\n"


def _counted(view: WeekView, line: Line) -> str:
    flag = f" — {view.t('week.above')}" if line.flagged else ""
    words = t_count(view.lang, "week.count", line.count, baseline=line.baseline)
    return f"- {line.name}: {words}{flag}"


def _md(text: str) -> str:
    from briefing.render.text import md_escape

    return md_escape(text)


def render_csv(week: Week) -> str:
    """The rows as CSV: UTF-8 with a byte order mark and ';' between cells, as Swedish
    Excel opens it; the first row names the columns."""
    view = build(week)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralised(cell) for cell in view.header])
    writer.writerows([neutralised(cell) for cell in r] for r in view.rows)
    return "\ufeff" + out.getvalue()


def xlsx(week: Week) -> bytes:
    """The rows as an XLSX workbook, every cell a string (never a formula)."""
    from openpyxl import Workbook

    view = build(week)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = week.label
    for r in (view.header, *view.rows):
        sheet.append([neutralised(cell) for cell in r])
    for cells in sheet.iter_rows():
        for cell in cells:
            cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def render_html(
    week: Week, template_dir: Path | None = None, *, files: dict[str, str] | None = None
) -> str:
    """The week's page: no script, inline CSS, the kommundel map as SVG."""
    from briefing.render.html import CSP, html_environment
    from briefing.render.svg import district_map

    view = build(week)
    outlines = {d.name: d.outline for d in week.shapes if d.outline}
    names = [clean_text(d.name, single_line=True) for d in week.shapes]
    names += [
        clean_text(i.place.district, single_line=True) for i in week.items if i.place.district
    ]
    drawn = district_map(
        view.lang,
        clean_text(week.municipality, single_line=True),
        list(dict.fromkeys(names)),
        week.items,
        outlines or None,
    )
    template = html_environment(template_dir).get_template("week.html.j2")
    return template.render(view=view, csp=CSP, map=drawn, files=files or {}, severities=Severity)
