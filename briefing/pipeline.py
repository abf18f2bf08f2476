"""fetch → store → window → resolve → classify → Briefing.

The library behind `briefing today`: the CLI parses options, renders and
delivers the Briefing this returns, and then records it with `record_shown`.
Every source is fetched concurrently and fails on its own; the store keeps
facts, and judgements are recomputed here.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from briefing import sources
from briefing.config import Config
from briefing.errors import BriefingError, Gone
from briefing.judge import collector, districts, health, nearby, stakeholders, summaries
from briefing.judge.classify import Rules
from briefing.judge.fuse import fuse
from briefing.judge.judge import Judge
from briefing.judge.places import Area, Gazetteer, configured
from briefing.judge.trends import compute as compute_trends
from briefing.models import Briefing, DistrictShape, Incident, Item, SourceReport, Status
from briefing.sources import border as intake
from briefing.sources.base import Batch, FetchContext, ProgressFor, Source, source_password
from briefing.sources.http import HttpClient
from briefing.sources.progress import SILENT
from briefing.store import Store, Stored
from briefing.store.followups import gather

MORNING = time(8, 30)
_INSTANT = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Window:
    start: datetime
    end: datetime
    live: bool


def build_sources(config: Config) -> list[Source]:
    """One adapter per enabled `[sources.NAME]` table, in file order."""
    return [
        sources.adapter(settings.kind)(name, settings)
        for name, settings in config.sources.items()
        if settings.enabled
    ]


def fetch_all(
    config: Config,
    store: Store,
    http: HttpClient,
    now: datetime,
    since: datetime | None = None,
    *,
    recheck: bool = False,
    progress: ProgressFor | None = None,
    unattended: bool = False,
) -> list[SourceReport]:
    """Fetch every source concurrently, store each batch, and report how each fared.

    A source that raises never stops the others: it is reported as failed. A
    URL that answered 404/410 is not asked again unless `recheck` is set.
    """
    adapters = build_sources(config)
    if not adapters:
        return []
    gone = {
        a.name: health.not_asked(a.settings, h)
        for a in adapters
        if not recheck and not health.should_ask(a.settings, h := store.health(a.name))
    }
    no_login = {
        a.name: failure
        for a in adapters
        if a.name not in gone and (failure := _log_in(http, a)) is not None
    }
    asked = [a for a in adapters if a.name not in gone and a.name not in no_login]
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(asked)))) as pool:
        futures = {
            adapter.name: pool.submit(
                adapter.fetch_reported,
                _context(config, store, http, adapter, now, since, unattended, progress),
            )
            for adapter in asked
        }
        return [
            _failed(store, adapter, now, gone[adapter.name], adapter.settings.url)
            if adapter.name in gone
            else _failed(store, adapter, now, no_login[adapter.name])
            if adapter.name in no_login
            else _settle(store, adapter, futures[adapter.name], now, config.tz)
            for adapter in adapters
        ]


def _log_in(http: HttpClient, adapter: Source) -> str | None:
    """Give the HTTP layer the source's login, if it has one; the failure, if it cannot."""
    settings = adapter.settings
    if settings.username is None or settings.url is None or adapter.kind == "imap":
        return None
    try:
        password = source_password(adapter.name, settings, os.environ)
        http.add_login(settings.url, settings.username, password)
    except BriefingError as exc:
        return intake.failure(exc)
    return None


def _context(
    config: Config,
    store: Store,
    http: HttpClient,
    adapter: Source,
    now: datetime,
    since: datetime | None,
    unattended: bool = False,
    progress: ProgressFor | None = None,
) -> FetchContext:
    return FetchContext(
        http=http,
        now=now,
        tz=config.tz,
        municipality=config.municipality.name,
        since=since,
        state=store.source_state(adapter.name),
        pages=intake.MaskedPages(store),  # kept for good: masked first
        progress=progress(adapter) if progress else SILENT,
        unattended=unattended,
    )


def _settle(
    store: Store, adapter: Source, future: Future[Batch], now: datetime, tz: ZoneInfo
) -> SourceReport:
    try:
        batch = intake.admit(adapter.name, future.result(), now, tz)
        saved = store.save_batch(adapter.name, batch.incidents, batch.state, now)
    except Gone as exc:
        return _failed(store, adapter, now, intake.failure(exc), exc.url)
    except Exception as exc:  # an adapter bug must not cost the other sources either
        return _failed(store, adapter, now, intake.failure(exc))
    count, problems = len(batch.incidents), len(batch.problems)
    store.record_health(adapter.name, at=now, ok=True, count=count, problems=problems)
    return SourceReport(
        name=adapter.name,
        kind=adapter.kind,
        origin=adapter.origin,
        status="ok",
        fetched=len(batch.incidents),
        new=saved.new,
        updated=saved.updated,
        warnings=tuple(batch.problems),
        last_success=now,
        label=adapter.label,
    )


def _failed(
    store: Store, adapter: Source, now: datetime, message: str, gone: str | None = None
) -> SourceReport:
    store.record_health(adapter.name, at=now, ok=False, error=message, gone=gone)
    health = store.health(adapter.name)
    return SourceReport(
        name=adapter.name,
        kind=adapter.kind,
        origin=adapter.origin,
        status="error",
        error=message,
        last_success=health.last_success,
        label=adapter.label,
    )


def window(
    config: Config,
    store: Store,
    now: datetime,
    since: datetime | None = None,
    until: datetime | None = None,
    replay: bool = False,
) -> Window:
    """The period this briefing covers.

    Without `since`: from the end of the last live briefing made on an earlier
    day (so a re-run the same morning covers the same period again), or, on
    the first run, from `night_starts` yesterday.
    """
    tz = config.tz
    # A live window includes `now` itself: what this run stores is stamped `now`.
    end = until or now + _INSTANT
    live = not replay and since is None and until is None
    if since is not None:
        return Window(since, end, live)
    today = datetime.combine(now.astimezone(tz).date(), time(0), tzinfo=tz)
    last = store.last_live_briefing(before=today)
    if last is not None:
        return Window(last.end.astimezone(tz), end, live)
    start = datetime.combine(today.date() - timedelta(days=1), config.briefing.night_starts, tz)
    return Window(start, end, live)


def assemble(
    config: Config,
    store: Store,
    span: Window,
    reports: Sequence[SourceReport],
    *,
    now: datetime,
    language: str | None = None,
    demo: bool = False,
    followed: frozenset[str] = frozenset(),
    fuse_reports: bool = True,
) -> Briefing:
    """Judge the stored incidents of `span` into the briefing; nothing is recorded here.

    The caller shows, writes or sends it, and only then calls `record_shown`:
    a run killed while rendering or before sending leaves its incidents new
    for the next run, instead of marked as seen by nobody.

    `followed` names the sources that were fetched successfully before this
    run: what they deliver now that was published earlier (a late CSV drop, a
    police event corrected into this municipality) is news and is shown. A
    source's very first fetch brings its whole backlog, which is not.
    """
    home = config.municipality
    area = Area(home.name, home.county, config.briefing.neighbours)
    gazetteer = configured(config)
    with collector.held_off():  # nothing judged here is in a cycle (judge/collector.py)
        rules = Rules.load(config.rules.file, tz=config.tz)
        stored = store.window(span.start, span.end)
        if span.live and followed:
            late = store.arrivals(span.start, span.end)
            stored += [s for s in late if s.incident.source in followed]
        if span.live:  # dated in the future (flagged at intake): shown when it arrives
            stored += store.ahead(span.start, span.end)
        # A late arrival or a future-dated report edited again in this window is in two lists.
        unique: dict[str, Stored] = {}
        for s in stored:
            unique.setdefault(s.incident.id, s)
        stored = list(unique.values())
        shown = store.shown_versions(s.incident.id for s in stored)
        stored = summaries.expand(stored, config.tz)  # night summaries, one part per happening
        lang = language or config.briefing.language
        judge = Judge(area, gazetteer, rules, lang)  # shared with the trends: one judgement each
        near = nearby.Rule(
            home.code, config.briefing.neighbour_min_severity, config.briefing.neighbour_radius_km
        )
        far: list[Incident] = []  # neighbours' incidents neither serious nor near the border
        items = [item for s in stored if (item := _judge(s, judge, shown, near, far)) is not None]
        items = _fuse_and_suggest(config, items, gazetteer, lang, fuse_reports)
        trends, repeats, daily = compute_trends(
            store, judge, end=span.end, tz=config.tz, since=span.start
        )
    versions = {s.incident.id: s.version for s in stored}
    shown_now = summaries.as_stored(
        (r, versions.get(r.parent or r.id, item.version)) for item in items for r in item.reports
    )
    tz = config.tz
    return Briefing(
        municipality=home.name,
        generated_at=now.astimezone(tz),
        window_start=span.start.astimezone(tz),
        window_end=span.end.astimezone(tz),
        language=lang,
        sources=tuple(reports),
        items=tuple(items),
        demo=demo,
        trends=trends,
        repeats=repeats,
        daily=daily,
        districts=district_shapes(gazetteer),
        boundary=districts.boundary(home.code),
        surroundings=districts.surroundings(home.code),
        neighbours_left_out=len(far),
        live=span.live,
        shown=tuple(shown_now),
        followups=gather(store, (item.incident.id for item in items)),
    )


def district_shapes(gazetteer: Gazetteer | None) -> tuple[DistrictShape, ...]:
    """The gazetteer's kommundelar, each with the outer rings of its polygons and a centre
    when configured (holes are left out of a schematic map)."""
    return districts.shapes(gazetteer)


def record_shown(store: Store, briefing: Briefing) -> int:
    """Write in the ledger that `briefing` was shown; its id there.

    Call it once the briefing was delivered, or saved to the outbox (a failed
    send: it counts as shown). The next live morning starts where this one
    ended, and shows what this one showed as unchanged.
    """
    return store.record_briefing(
        generated_at=briefing.generated_at,
        start=briefing.window_start,
        end=briefing.window_end,
        live=briefing.live,
        shown=briefing.shown,
    )


def _fuse_and_suggest(
    config: Config, items: list[Item], gazetteer: Gazetteer | None, lang: str, fuse_reports: bool
) -> list[Item]:
    """One item per event (unless `--no-fuse`), each with the stakeholders to inform."""
    if fuse_reports:
        items = fuse(items, lang=lang)
    registry, notify = stakeholders.for_config(config, gazetteer)
    return [
        replace(item, stakeholders=stakeholders.suggest(item, registry, notify, lang))
        for item in items
    ]


def _judge(
    stored: Stored, judge: Judge, shown: dict[str, int], near: nearby.Rule, far: list[Incident]
) -> Item | None:
    incident = stored.incident
    place = judge.place(incident)
    if place.municipality == judge.area.municipality:
        local = True
    elif place.municipality in judge.area.neighbours:
        local = False
        if not near.matters(incident, place, judge.judgement(incident)):
            far.append(incident)  # a neighbour's minor incident far from the border
            return None
    else:
        return None
    before = shown.get(incident.parent or incident.id)  # a summary's part: as its summary
    if before is None:
        status = Status.NEW
    elif before < stored.version:
        status = Status.UPDATED
    else:
        status = Status.UNCHANGED
    return Item(
        incident=incident,
        status=status,
        place=place,
        judgement=judge.judgement(incident),
        local=local,
        version=stored.version,
    )


def today(
    config: Config,
    store: Store,
    http: HttpClient,
    *,
    now: datetime,
    since: datetime | None = None,
    until: datetime | None = None,
    fetch: bool = True,
    replay: bool = False,
    language: str | None = None,
    demo: bool = False,
    wall: datetime | None = None,
    fuse_reports: bool = True,
    progress: ProgressFor | None = None,
) -> Briefing:
    """Everything `briefing today` does before the briefing is shown (see `assemble`).

    `now` is the briefing's clock (a past moment in a replay); `wall` is the
    real time, which stamps what is fetched and stored (default: `now`).
    """
    followed = frozenset(name for name in config.sources if store.health(name).last_success)
    reports = (
        fetch_all(config, store, http, wall or now, progress=progress)
        if fetch
        else health.stored_reports(build_sources(config), store)
    )
    reports = health.assess(config, store, reports, now)
    span = window(config, store, now, since, until, replay=replay)
    return assemble(
        config,
        store,
        span,
        reports,
        now=now,
        language=language,
        demo=demo,
        followed=followed,
        fuse_reports=fuse_reports,
    )
