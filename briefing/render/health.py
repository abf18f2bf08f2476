"""How each source fared, worded for the top of every briefing: failures first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo

from briefing.i18n import label, short_datetime, t, t_count
from briefing.judge.health import banner, when
from briefing.models import SourceReport, clean_text

MAX_WARNINGS = 3
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
    lines = [_source_line(lang, zone, source, now) for source in sources]
    return tuple(sorted(lines, key=lambda line: _SOURCE_ORDER.get(line.status, 2)))


def _source_line(
    lang: str, zone: tzinfo | None, source: SourceReport, now: datetime | None
) -> SourceLine:
    status = source.status if source.status in ("ok", "error", "stale") else "error"
    name = clean_text(source.label or source.name, single_line=True)
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


def local_time(moment: datetime, zone: tzinfo | None) -> datetime:
    return moment.astimezone(zone) if zone else moment
