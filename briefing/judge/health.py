"""Source health: is each source ok, failed or stale.

"Nothing happened" and "we heard nothing" must never look alike. A source is
- "error" when its fetch failed (this run, or the last recorded one);
- "stale" when it answered but has reported nothing for longer than its
  `stale_after` (a guard company that stopped dropping files, a feed frozen
  on yesterday), or has never reported at all;
- "ok" otherwise.
Either of the first two puts a banner at the top of the briefing (worded by
briefing.render.health) and makes the exit code 3. "When it last reported"
counts each incident at the earlier of its own date and when it was first
stored, so neither a late drop of old reports nor an event dated in the
future makes a silent source look alive.

A URL that answered 404 or 410 is not asked again (`should_ask`) until the
configured URL changes or `briefing sources check` asks and gets an answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from briefing.config import Config
from briefing.errors import StoreError
from briefing.models import SourceReport
from briefing.redact import redact
from briefing.sources.base import SourceSettings
from briefing.store import Health, Store


def assess(
    config: Config, store: Store, reports: Iterable[SourceReport], now: datetime
) -> list[SourceReport]:
    """`reports` with each source's last report filled in, and "ok" turned "stale"
    for a source silent for longer than its `stale_after`."""
    assessed = []
    for report in reports:
        last = store.last_report(report.name, now)
        report = replace(report, last_report=last)
        settings = config.sources.get(report.name)
        if report.ok and settings is not None and is_stale(settings, last, now):
            report = replace(report, status="stale")
        assessed.append(report)
    return assessed


def is_stale(settings: SourceSettings, last_report: datetime | None, now: datetime) -> bool:
    """Silent for longer than `stale_after` (never stale when it is not set)."""
    if settings.stale_after is None:
        return False
    return last_report is None or now - last_report > settings.stale_after


def should_ask(settings: SourceSettings, health: Health) -> bool:
    """False for a URL that answered 404/410 last time: stop asking until it changes."""
    # The store keeps the URL redacted (no login, no token; see briefing.redact).
    return health.gone is None or health.gone != redact(settings.url or "")


def not_asked(settings: SourceSettings, health: Health) -> str:
    """The error reported for a source that is not asked because its URL is gone."""
    since = f" since {health.last_attempt:%Y-%m-%d %H:%M} UTC" if health.last_attempt else ""
    return (
        f"{redact(settings.url or '')} does not exist (HTTP 404/410){since}; "
        "not asked again until `url` "
        "is corrected or `briefing sources check` gets an answer"
    )


def store_problems(path: Path) -> list[str]:
    """What is wrong with the store at `path` ([] when it is sound, or not made yet)."""
    if not path.exists():
        return []
    try:
        with Store(path) as store:
            return store.check()
    except StoreError as exc:
        return [f"{exc.message} — {exc.hint}" if exc.hint else exc.message]
