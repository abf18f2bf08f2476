"""How each source fared, worded: the one place source status is rendered.

- `source_lines`: the top of every briefing (and `briefing fetch`), failures first;
- `check_table`: `briefing sources check`, failures first;
- `health_table`: `briefing sources`, what the store remembers of each source;
- `failure_lines`: with `--quiet`, the one thing still said (cron mails it).

Every name and message from a source or a feed is cleaned to one line here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from briefing.i18n import label, short_datetime, short_weekday_time, t, t_count
from briefing.models import SourceReport, clean_text
from briefing.redact import redact

if TYPE_CHECKING:
    from rich.table import Table

    from briefing.sources.base import Source
    from briefing.store import Health

MAX_WARNINGS = 3
STATUSES = ("ok", "error", "stale")
RECENT = timedelta(days=6)  # within this, a weekday and a time say when unambiguously
_SOURCE_ORDER = {"error": 0, "stale": 1}


@dataclass(frozen=True, slots=True)
class SourceLine:
    name: str
    label: str
    origin: str
    status: str  # ok | error | stale
    status_label: str
    failed: bool
    new: int
    updated: int
    counts: str
    error: str
    last_success: str
    warnings: tuple[str, ...]
    banner: str = ""  # "Ordningsvakter: ingen rapport sedan tis 18:02 — kontrollera"


def source_lines(
    lang: str, zone: tzinfo | None, sources: Iterable[SourceReport], now: datetime | None = None
) -> tuple[SourceLine, ...]:
    """One line per source, failures first (errors, then stale, then the healthy ones).

    `now` (the briefing's time) lets recent moments read "tis 18:02".
    """
    return tuple(_source_line(lang, zone, source, now) for source in failures_first(sources))


def failures_first(reports: Iterable[SourceReport]) -> list[SourceReport]:
    """Errors, then stale sources, then the healthy ones, each group in config order."""
    return sorted(reports, key=lambda report: _SOURCE_ORDER.get(_status(report), 2))


def _status(report: SourceReport) -> str:
    """The report's status, an unknown one counted as an error."""
    return report.status if report.status in STATUSES else "error"


def _name(report: SourceReport) -> str:
    return clean_text(report.label or report.name, single_line=True)


def _source_line(
    lang: str, zone: tzinfo | None, source: SourceReport, now: datetime | None
) -> SourceLine:
    status = _status(source)
    name = _name(source)
    if status == "stale":
        last = (
            t(lang, "source.last_report", time=when(lang, source.last_report, now, zone))
            if source.last_report
            else t(lang, "source.never_reported")
        )
    elif source.last_success:
        last = t(
            lang,
            "source.last_success",
            time=short_datetime(lang, local_time(source.last_success, zone)),
        )
    else:
        last = t(lang, "source.never_succeeded")
    warnings = tuple(clean_text(w, single_line=True) for w in source.warnings[:MAX_WARNINGS])
    if len(source.warnings) > MAX_WARNINGS:
        warnings += (t(lang, "source.more_warnings", count=len(source.warnings) - MAX_WARNINGS),)
    return SourceLine(
        name=source.name,
        label=name,
        origin=label(lang, "origin", source.origin.value),
        status=status,
        status_label=label(lang, "status_source", status),
        failed=status != "ok",
        new=source.new,
        updated=source.updated,
        counts=_counts(lang, source),
        error=clean_text(source.error or "", single_line=True),
        last_success=last,
        warnings=warnings,
        banner=banner(lang, replace(source, status=status), name, now, zone),
    )


def _counts(lang: str, source: SourceReport) -> str:
    """'6 nya, 1 uppdaterad av 500 hämtade'; nothing for a failed source that fetched nothing."""
    if not source.ok and not source.fetched:
        return ""
    new = t_count(lang, "source.new", source.new)
    updated = t_count(lang, "source.updated", source.updated)
    return f"{new}, {updated} {t(lang, 'source.fetched', count=source.fetched)}"


def alert(lang: str, sources: tuple[SourceLine, ...]) -> str | None:
    """One banner per failed or stale source, at the top of every briefing."""
    failed = [s.banner or f"{s.label} ({s.status_label})" for s in sources if s.failed]
    return t(lang, "alert.sources", sources=". ".join(failed)) if failed else None


def banner(
    lang: str, report: SourceReport, label: str, now: datetime | None, zone: tzinfo | None
) -> str:
    """The line at the top of the briefing for a failed or stale source ("" for a healthy one).

    "Ordningsvakter: ingen rapport sedan tis 18:02 — kontrollera"
    """
    if report.ok:
        return ""
    kind = "banner.stale" if report.status == "stale" else "banner.error"
    last = report.last_report or (report.last_success if report.status != "stale" else None)
    if last is None:
        return t(lang, f"{kind}_never", source=label)
    return t(lang, kind, source=label, time=when(lang, last, now, zone))


def when(lang: str, moment: datetime, now: datetime | None, zone: tzinfo | None) -> str:
    """'tis 18:02' within the last six days, else 'tis 6 juni 18:02'."""
    local = moment.astimezone(zone) if zone else moment
    if now is not None and timedelta(0) <= now - moment < RECENT:
        return short_weekday_time(lang, local)
    return short_datetime(lang, local)


def local_time(moment: datetime, zone: tzinfo | None) -> datetime:
    return moment.astimezone(zone) if zone else moment


def failure_lines(reports: Iterable[SourceReport]) -> list[str]:
    """'briefing: source NAME: error: MESSAGE' for each source that is not ok."""
    lines = []
    for report in reports:
        if not report.ok:
            error = clean_text(report.error or "", single_line=True)
            lines.append(f"briefing: source {_name(report)}: {report.status}: {error}".rstrip(": "))
    return lines


def check_table(reports: Sequence[SourceReport], zone: tzinfo, now: datetime) -> Table:
    """The table of `briefing sources check`, failures first."""
    from rich.table import Table
    from rich.text import Text

    table = Table("source", "kind", "status", "fetched", "new", "problems", "last report", "detail")
    for report in sorted(reports, key=lambda r: _SOURCE_ORDER.get(r.status, 2)):
        last = report.last_report
        detail = report.error or (report.warnings[0] if report.warnings else "")
        table.add_row(
            Text(_name(report)),
            report.kind,
            report.status,
            str(report.fetched),
            str(report.new),
            str(len(report.warnings)),
            when("en", last, now, zone) if last else "never",
            Text(clean_text(detail, single_line=True)),
        )
    return table


def health_table(sources: Iterable[tuple[Source, Health]], zone: tzinfo) -> Table:
    """The table of `briefing sources`: each configured source as the store remembers it."""
    from rich.table import Table
    from rich.text import Text

    columns = ("source", "kind", "origin", "where", "last success", "failures", "problems")
    table = Table(*columns, "last error")
    for adapter, health in sources:
        settings = adapter.settings
        last = health.last_success.astimezone(zone) if health.last_success else None
        table.add_row(
            Text(adapter.label),
            adapter.kind,
            adapter.origin.value,
            Text(redact(str(settings.url or settings.path))),  # no login, no token
            f"{last:%Y-%m-%d %H:%M}" if last else "never",
            str(health.consecutive_failures),
            str(health.last_problems),  # records the last fetch could not read
            Text(health.last_error or ""),
        )
    return table
