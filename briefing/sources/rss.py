"""Any RSS or Atom feed, live or replayed from files; the police's RSS titles understood.

feedparser is given bytes wrapped in a stream, never a str and never bare
bytes: given a str it fetches URLs and opens paths itself, and given bytes
that spell a path (`b"/etc/passwd"`) it opens that file too. Its `bozo` flag
is a warning: the loose parser still returns what it could read. A payload
with neither a feed version nor entries (an HTML login page) is not a feed.

The police RSS (DOMAIN.md §2) titles items like the API names events,
"09 februari 23:47, Trafikolycka, Karlshamn", with colon times and, on edited
items, a prefix "Uppdaterad 2022-02-09 08:20:44 ". The prefix is dropped, the
type is the middle segments and the municipality the last one. Other feeds
have no type and no municipality unless the settings declare one.

An entry without a readable date is kept, dated when it was first seen (kept
in the source state), and reported, so it neither vanishes nor turns into a
new version on every fetch.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import io
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any, ClassVar
from urllib.parse import urlsplit

import feedparser  # type: ignore[import-untyped]  # no stubs
from pydantic import Field, field_validator

from briefing.errors import SourceError
from briefing.models import Incident, clean_text
from briefing.pnr import mask_personnummer
from briefing.sources import municipalities
from briefing.sources._incidents import in_order, incident_time, place_of
from briefing.sources.base import (
    Batch,
    FetchContext,
    Source,
    SourceSettings,
    fetch_if_changed,
    payload_files,
)
from briefing.sources.polisen import MAX_YEAR, MIN_YEAR

FEED_SUFFIXES = (".xml", ".rss", ".atom")
_UPDATED_PREFIX = re.compile(r"Uppdaterad \d{4}-\d{2}-\d{2} \d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s+")
_POLICE_TITLE = re.compile(r"\d{1,2} [^\W\d_]+ \d{1,2}[:.]\d{2}, .+, .+")
_SKIPPED_TAGS = frozenset({"script", "style"})
_BLOCK_TAGS = frozenset({"p", "br", "div", "li", "tr", "td", "h1", "h2", "h3", "h4", "blockquote"})
NO_TITLE = "(utan rubrik)"


class RssSettings(SourceSettings):
    """`[sources.NAME]` keys for kind "rss"."""

    municipality: str | None = Field(
        default=None,
        description="the municipality every item belongs to, unless its title names another",
    )

    @field_validator("municipality")
    @classmethod
    def _known_municipality(cls, value: str | None) -> str | None:
        return None if value is None else municipalities.canonical(value)


def parse_feed(content: bytes, headers: Mapping[str, str] | None = None) -> Any:
    """feedparser's result for `content`; refuses anything but bytes."""
    if not isinstance(content, bytes):
        raise TypeError(f"feeds are parsed from bytes only, not {type(content).__name__}")
    wanted = {"content-type", "content-location"}
    response_headers = {k.lower(): v for k, v in (headers or {}).items() if k.lower() in wanted}
    # A stream, so feedparser never treats the payload as a path to open.
    return feedparser.parse(io.BytesIO(content), response_headers=response_headers)


@dataclass(frozen=True, slots=True)
class _Feed:
    where: str
    parsed: Any


class RssSource(Source):
    """Items of one RSS/Atom feed, or of every feed file in a folder (name order)."""

    kind: ClassVar[str] = "rss"
    Settings: ClassVar[type[SourceSettings]] = RssSettings
    settings: RssSettings

    def fetch(self, ctx: FetchContext) -> Batch:
        batch = Batch()
        for feed in self._feeds(ctx, batch):
            if feed.parsed.get("bozo"):
                reason = clean_text(feed.parsed.get("bozo_exception"), single_line=True)
                batch.problems.append(f"{self.name}: {feed.where}: not well-formed ({reason})")
            for index, entry in enumerate(feed.parsed.get("entries", [])):
                batch.incidents.append(self._incident(entry, index, feed.where, ctx, batch))
        batch.incidents = in_order(batch.incidents)
        return batch

    def _feeds(self, ctx: FetchContext, batch: Batch) -> list[_Feed]:
        if self.settings.url is not None:
            url = self.settings.url
            response = fetch_if_changed(ctx, batch, url, timeout=self.settings.timeout)
            if response is None:  # not modified since what was stored last time
                return []
            headers = {**response.headers, "content-location": response.url}
            return [_check_feed(_Feed(url, parse_feed(response.content, headers)))]
        assert self.settings.path is not None  # the settings require url or path
        feeds: list[_Feed] = []
        errors: list[str] = []
        for file in payload_files(self.settings.path, FEED_SUFFIXES, batch.problems):
            try:
                feeds.append(_check_feed(_Feed(file.name, parse_feed(file.read_bytes()))))
            except OSError as exc:
                errors.append(f"{file}: cannot read: {exc.strerror or exc}")
            except SourceError as exc:
                errors.append(exc.message)
        if errors and not feeds:
            raise SourceError(errors[0], f"check `path` in [sources.{self.name}]")
        batch.problems.extend(f"{self.name}: {error}" for error in errors)
        return feeds

    def _incident(
        self, entry: Any, index: int, where: str, ctx: FetchContext, batch: Batch
    ) -> Incident:
        title = _title(entry)
        key = entry_key(entry, title)
        published = _published(entry)
        if published is None:
            state_key = f"first_seen:{key}"
            published = _first_seen(ctx.state.get(state_key), ctx.now)
            batch.state[state_key] = published.isoformat()
            batch.problems.append(
                f"{self.name}: {where}: entry {index} ({title[:60]!r}) has no readable date; "
                f"dated when first seen ({published.astimezone(ctx.tz):%Y-%m-%d %H:%M})"
            )
        published = published.astimezone(ctx.tz)
        police = _POLICE_TITLE.fullmatch(title) is not None
        place = place_of(title, "") if police else None
        municipality = place.municipality if place else None
        county = place.county if place else None
        if municipality is None and self.settings.municipality is not None:
            municipality = self.settings.municipality
            county = _county_of(municipality)
        return Incident(
            source=self.name,
            key=key,
            origin=self.origin,
            type=_police_type(title) if police else "",
            title=title,
            summary=html_to_text(entry.get("summary", "")),
            published_at=published,
            occurred_at=incident_time(title, published, ctx.tz) if police else None,
            url=_http_link(entry.get("link")),
            municipality=municipality,
            county=county,
            location=place.location if place else "",
            text=_content_text(entry),
            raw=_raw(entry),
        )


def _check_feed(feed: _Feed) -> _Feed:
    if not feed.parsed.get("version") and not feed.parsed.get("entries"):
        exception = feed.parsed.get("bozo_exception") or "no feed elements"
        reason = clean_text(exception, single_line=True)
        raise SourceError(
            f"{feed.where}: not an RSS or Atom feed ({reason})",
            "is the address a feed, or a page (a login page, an error page)?",
        )
    return feed


def _title(entry: Any) -> str:
    raw = str(entry.get("title") or "")
    detail = entry.get("title_detail") or {}
    is_html = "html" in str(detail.get("type", ""))
    text = html_to_text(raw) if is_html else clean_text(raw, single_line=True)
    prefix = _UPDATED_PREFIX.match(text)
    text = text[prefix.end() :] if prefix else text
    return text or html_to_text(entry.get("summary", ""))[:80] or NO_TITLE


def entry_key(entry: Any, title: str) -> str:
    """guid, else link, else a hash of title and date: stable across fetches.

    Masked here, not only at intake: the key also names the source state
    ("first_seen:<key>"), which must neither hold an identity number nor miss
    its own entry on the next fetch.
    """
    for field in ("id", "link"):
        value = mask_personnummer(clean_text(entry.get(field), single_line=True))
        if value:
            return value
    basis = f"{title}\n{entry.get('published') or entry.get('updated') or ''}"
    return hashlib.sha256(basis.encode()).hexdigest()[:32]


def _published(entry: Any) -> datetime | None:
    for field in ("published_parsed", "updated_parsed"):
        parsed = entry.get(field)
        if isinstance(parsed, time.struct_time) and MIN_YEAR <= parsed.tm_year <= MAX_YEAR:
            # feedparser gives UTC struct_time and drops the offset.
            return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    return None


def _first_seen(saved: str | None, now: datetime) -> datetime:
    try:
        return datetime.fromisoformat(saved) if saved else now
    except ValueError:
        return now


def _police_type(title: str) -> str:
    middle = [part.strip() for part in title.split(",")[1:-1]]
    return ", ".join(part for part in middle if part)


def _county_of(municipality: str) -> str | None:
    found = municipalities.lookup(municipality)
    return found.county if found else None


def _http_link(value: object) -> str | None:
    # feedparser keeps `javascript:` and `file:` links in entry.link.
    if not isinstance(value, str) or re.search(r"\s", value.strip()):
        return None
    parts = urlsplit(value.strip())
    return parts.geturl() if parts.scheme in ("http", "https") and parts.netloc else None


def _content_text(entry: Any) -> str:
    """The full content (Atom content, content:encoded) when it says more than the summary."""
    contents = entry.get("content") or []
    text = " ".join(html_to_text(part.get("value", "")) for part in contents).strip()
    return "" if text == html_to_text(entry.get("summary", "")) else text


def _raw(entry: Any) -> str:
    kept = {key: value for key, value in entry.items() if isinstance(value, str)}
    return json.dumps(kept, ensure_ascii=True, sort_keys=True)


class _TextOnly(HTMLParser):
    """Collects text, dropping tags, and script and style content entirely."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(markup: object) -> str:
    """Feed HTML as one line of plain text (entities decoded, even when escaped twice)."""
    parser = _TextOnly()
    parser.feed(str(markup or ""))
    parser.close()
    return clean_text(html.unescape("".join(parser.parts)), single_line=True)
