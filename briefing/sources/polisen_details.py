"""The text of polisen events' pages, added to the incidents as `Incident.text`.

The API's summary names a place for about 60 % of events, the page's text for
about 78 % (DOMAIN.md §2). Pages are read either from a folder of saved pages
(`details_path`, for tests and offline replays: no HTTP at all) or from
polisen.se (`details = true`), and then only:

- for events in the briefing's own municipality;
- once per event, ever: the extracted text is kept in the store for good, and a
  page that is gone (404, 410) is remembered as gone;
- within the site's limits, on the same budget as the events API (one call per
  10 s, 60 an hour), leaving `HOUR_RESERVE` calls of the hour to the API;
- at most `details_per_run` pages a run, newest events first, because every
  page costs a 10 s wait: the rest are read in later runs. A run nobody waits
  for (`briefing fetch` from cron, `FetchContext.unattended`) reads up to
  `details_per_fetch` instead, so the morning finds the night's pages kept.

Pages are read from the site of the configured `url` (polisen.se in every real
configuration), at the event's path: the address the API gives is untrusted
and only its path is used, and only when it names polisen.se.

A page problem is never a source failure: the events are reported anyway, with
the problem as a warning.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from briefing.errors import FetchError, RateLimited
from briefing.models import Incident
from briefing.sources.base import FetchContext, PageCache
from briefing.sources.http import RateLimit
from briefing.sources.polisen_page import PageError, parse_page

PAGE_HOST = "polisen.se"
PAGE_SITE = f"https://{PAGE_HOST}"
HOUR_RESERVE = 10  # calls of the hourly budget that pages never take: the events list needs them
MAX_FILE_BYTES = 2 * 1024 * 1024  # a page is ~45 KB; anything far larger is not one
_GONE = frozenset({404, 410})
# polisen.se's terms for its API; pages get the same budget (the adapter passes its own).
SITE_RATE = RateLimit(PAGE_HOST, min_interval=10.0, per_hour=60)


@dataclass(frozen=True, slots=True)
class PageOptions:
    """How a polisen source reads pages (its `details*` settings)."""

    folder: Path | None = None
    fetch: bool = False
    per_run: int = 5
    per_fetch: int = 10  # in a run nobody waits for
    site: str = PAGE_SITE  # scheme and host the pages are read from
    rate: RateLimit = SITE_RATE
    timeout: float = 30.0
    user_agent: str | None = None


@dataclass
class MemoryPageCache:
    """A PageCache for one process, when no store is given (tests, evaluation)."""

    texts: dict[str, str] = field(default_factory=dict)

    def page(self, key: str) -> str | None:
        return self.texts.get(key)

    def save_page(self, key: str, text: str, at: datetime, *, gone: bool = False) -> None:
        self.texts[key] = "" if gone else text


@dataclass
class PageTexts:
    """What reading the pages gave: text per event id, and what went wrong."""

    texts: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def add_page_text(
    incidents: list[Incident], options: PageOptions, ctx: FetchContext
) -> tuple[list[Incident], list[str]]:
    """The incidents with their page's text, and the problems met on the way."""
    if options.folder is not None:
        found = saved_pages(options.folder, incidents)
    elif options.fetch:
        found = fetched_pages(incidents, options, ctx)
    else:
        return incidents, []
    with_text = [
        dataclasses.replace(incident, text=found.texts[incident.key])
        if found.texts.get(incident.key)
        else incident
        for incident in incidents
    ]
    return with_text, found.problems


def saved_pages(folder: Path, incidents: Iterable[Incident]) -> PageTexts:
    """The pages saved as `<id>.html` in `folder`; an event without a file has no text."""
    found = PageTexts()
    if not folder.is_dir():
        found.problems.append(f"details_path {folder}: no such folder; no page text read")
        return found
    for key in dict.fromkeys(incident.key for incident in incidents):
        file = folder / f"{key}.html"
        if file.exists():
            try:
                found.texts[key] = _page_file_text(file)
            except (OSError, PageError) as exc:
                found.problems.append(f"event {key}: page {file}: {_reason(exc)}")
    return found


def _page_file_text(file: Path) -> str:
    if file.stat().st_size > MAX_FILE_BYTES:
        raise PageError(f"larger than {MAX_FILE_BYTES // 1024} KiB, not an event page")
    content = file.read_bytes()
    page = parse_page(content)
    if not page.found and content.strip():
        raise PageError("no event content (div.event-page) in it")
    return page.text


def _reason(exc: Exception) -> str:
    return exc.strerror or str(exc) if isinstance(exc, OSError) else str(exc)


def fetched_pages(incidents: list[Incident], options: PageOptions, ctx: FetchContext) -> PageTexts:
    """Pages of the own municipality's events: kept ones from the cache, new ones
    from polisen.se (at most `options.per_run`, newest events first)."""
    cache: PageCache = ctx.pages if ctx.pages is not None else MemoryPageCache()
    found = PageTexts()
    unread: list[tuple[Incident, str]] = []
    for incident in _own_newest_first(incidents, ctx.municipality):
        kept = cache.page(cache_key(incident.key))
        url = page_url(incident.url, options.site)
        if kept:
            found.texts[incident.key] = kept
        elif kept is None and url is None:
            found.problems.append(f"event {incident.key}: no polisen.se page address")
        elif kept is None and url is not None:
            unread.append((incident, url))
    cap = options.per_fetch if ctx.unattended else options.per_run
    asked = _fetch_some(unread[:cap], options, ctx, cache, found)
    if len(unread) > cap and asked == cap > 0:  # (a stop before the cap says why itself)
        left = len(unread) - cap
        found.problems.append(f"{left} event page(s) left for a later run (at most {cap} a run)")
    return found


def cache_key(event_id: str) -> str:
    """Polisen's event ids are unique across the site, whatever the source is called."""
    return f"polisen:{event_id}"


def _own_newest_first(incidents: Iterable[Incident], municipality: str) -> list[Incident]:
    """One incident per event of `municipality` (its latest version), newest first."""
    latest = {i.key: i for i in incidents if municipality and i.municipality == municipality}
    return sorted(latest.values(), key=lambda i: (i.published_at, i.key), reverse=True)


def _fetch_some(
    unread: list[tuple[Incident, str]],
    options: PageOptions,
    ctx: FetchContext,
    cache: PageCache,
    found: PageTexts,
) -> int:
    """Fetch these pages in turn; stop at the first sign the site wants a rest. How many
    were asked for."""
    for number, (incident, url) in enumerate(unread, start=1):
        if ctx.http.calls_left(options.rate) <= HOUR_RESERVE:
            found.problems.append("event pages: the hour's remaining calls are kept for the API")
            return number - 1
        ctx.progress.pages(number, len(unread))
        if not _fetch_one(incident.key, url, options, ctx, cache, found):
            return number
    return len(unread)


def _fetch_one(
    key: str, url: str, options: PageOptions, ctx: FetchContext, cache: PageCache, found: PageTexts
) -> bool:
    """Read one page into the cache; False when no more pages should be asked for now."""
    try:
        response = ctx.http.get(
            url,
            timeout=options.timeout,
            rate=options.rate,
            user_agent=options.user_agent,
            progress=ctx.progress,
        )
    except RateLimited as exc:
        found.problems.append(f"event pages: {exc.message}")
        return False
    except FetchError as exc:
        if exc.status in _GONE:
            cache.save_page(cache_key(key), "", ctx.now, gone=True)
            return True
        found.problems.append(f"event {key}: page not read: {exc.message}")
        return False
    try:
        page = parse_page(_decoded(response.content, response.charset))
    except PageError as exc:
        found.problems.append(f"event {key}: {url}: {exc}")
        return True
    if not page.found:  # a new layout, or an error page: not kept, so read again later
        found.problems.append(f"event {key}: {url} has no event content (div.event-page)")
        return True
    cache.save_page(cache_key(key), page.text, ctx.now)
    found.texts[key] = page.text
    return True


def page_url(event_url: str | None, site: str = PAGE_SITE) -> str | None:
    """The event's page on `site` (polisen.se over https); None for an address that
    does not name polisen.se.

    The API's `url` is untrusted: only its path is used, on the configured site.
    """
    if not event_url:
        return None
    parts = urlsplit(event_url)
    if parts.hostname not in (PAGE_HOST, f"www.{PAGE_HOST}") or not parts.path.startswith("/"):
        return None
    return f"{site}{parts.path}"


def site_of(api_url: str | None) -> str:
    """Scheme and host of the configured events URL: where its pages are read."""
    if api_url is None:
        return PAGE_SITE
    parts = urlsplit(api_url)
    return f"{parts.scheme}://{parts.netloc}"


def _decoded(content: bytes, charset: str | None) -> str:
    try:
        return content.decode(charset or "utf-8", errors="replace")
    except LookupError:  # an unknown charset name in the header
        return content.decode("utf-8", errors="replace")
