"""The intranet site: a folder of static pages the municipality's web server can serve as is.

`write_site` adds one briefing to the folder and rebuilds what depends on it:

- `YYYY-MM-DD.html` and `YYYY-MM-DD.json`: the briefing of that (local) morning;
- `index.html`: the newest dated page, with the archive by month instead of its back link;
- `briefing.json`: the newest dated JSON (schema 1);
- `feed.xml`: an Atom feed with one entry per dated page;
- `YYYY-Www.html`, `.csv`, `.xlsx`: the week's picture (`write_week`, `briefing week`),
  listed on the index.

The archive is rebuilt from the dated files present in the folder, so it
survives a lost index, a replayed older morning and a deleted day alike. Every
file is written atomically; any failure is a `DeliveryError` (exit 4), raised
after the briefing itself was shown. No page needs JavaScript, and none loads
anything from outside (the page's Content-Security-Policy says so).
"""

from __future__ import annotations

import html
import json
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefing import __version__
from briefing.config import Config
from briefing.deliver.files import write_atomic, write_atomic_bytes
from briefing.errors import DeliveryError
from briefing.i18n import language, long_date, month_year, t, t_count
from briefing.models import Briefing
from briefing.render.html import html_environment, render_html
from briefing.render.json import dumps as render_json

if TYPE_CHECKING:
    from briefing.judge.week import Week

NAV_TEMPLATE = "site-index.html.j2"
NAV_REGION = re.compile(r"<!--site-nav-->.*?<!--/site-nav-->\n?", re.S)
DATED = re.compile(r"^(\d{4}-\d{2}-\d{2})\.html$")
WEEKLY = re.compile(r"^(\d{4})-W(\d{2})\.html$")
ATOM = "http://www.w3.org/2005/Atom"
XML = "http://www.w3.org/XML/1998/namespace"
PUBLIC = 0o644  # served by the intranet's web server, which runs as another user
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)


@dataclass(frozen=True, slots=True)
class ArchiveEntry:
    href: str
    text: str
    summary: str


@dataclass(frozen=True, slots=True)
class Month:
    name: str
    entries: tuple[ArchiveEntry, ...]


@dataclass(frozen=True, slots=True)
class Nav:
    """What site-index.html.j2 shows: a back link on a dated page, the archive on the index."""

    heading: str
    feed: str
    back: str | None = None
    months: tuple[Month, ...] = ()
    weeks: tuple[ArchiveEntry, ...] = ()
    weeks_heading: str = ""


@dataclass(frozen=True, slots=True)
class DatedPage:
    """One morning found in the folder, described from its JSON (or its HTML when that is gone)."""

    day: date
    path: Path
    title: str
    summary: str
    updated: datetime


@dataclass(frozen=True, slots=True)
class Written:
    page: Path
    index: Path
    feed: Path
    latest: Path
    pages: int


def publish(briefing: Briefing, config: Config, folder: Path) -> Written:
    """`write_site` with the configuration's templates."""
    return write_site(briefing, folder, template_dir=config.briefing.templates)


def write_site(briefing: Briefing, folder: Path, *, template_dir: Path | None = None) -> Written:
    """Add `briefing` to the site in `folder` and rebuild the index, briefing.json and the feed."""
    lang = language(briefing.language)
    day = briefing.generated_at.date()
    nav = Nav(t(lang, "site.nav"), t(lang, "site.feed"), back=t(lang, "site.to_archive"))
    page = render_html(briefing, template_dir, site=nav)
    _write(folder / f"{day.isoformat()}.html", page)
    _write(folder / f"{day.isoformat()}.json", render_json(briefing))
    pages = archive(folder, lang, briefing.municipality)
    newest = pages[0]
    _write(folder / "index.html", _index(newest, pages, lang, template_dir))
    latest_json = newest.path.with_suffix(".json")
    if latest_json.is_file():
        _write(folder / "briefing.json", _read(latest_json))
    _write(folder / "feed.xml", atom_feed(pages, lang, briefing.municipality))
    return Written(
        page=folder / f"{day.isoformat()}.html",
        index=folder / "index.html",
        feed=folder / "feed.xml",
        latest=folder / "briefing.json",
        pages=len(pages),
    )


def archive(folder: Path, lang: str, municipality: str) -> list[DatedPage]:
    """Every dated page in `folder`, newest first."""
    names = _listed(folder)
    found = []
    for name in names:
        match = DATED.match(name)
        if match:
            try:
                day = date.fromisoformat(match.group(1))
            except ValueError:
                continue  # "2023-13-45.html" is not ours
            found.append(_describe(folder / name, day, lang, municipality))
    return found


def _listed(folder: Path) -> list[str]:
    """The names in the site folder, newest (highest) first."""
    try:
        return sorted((p.name for p in folder.iterdir()), reverse=True)
    except OSError as exc:
        raise DeliveryError(
            f"{folder}: cannot list the site folder: {exc.strerror or exc}"
        ) from exc


def _describe(path: Path, day: date, lang: str, municipality: str) -> DatedPage:
    """Title, summary and time of a dated page, from its JSON; its HTML if the JSON is unusable."""
    try:
        document = json.loads(_read(path.with_suffix(".json")))
        return _from_json(path, day, lang, document)
    except (DeliveryError, ValueError, TypeError, KeyError, AttributeError):
        pass
    match = _TITLE.search(_read(path))
    title = html.unescape(match.group(1)).strip() if match else ""
    try:
        when = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError as exc:
        raise DeliveryError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    return DatedPage(day, path, title or _title(lang, municipality, day), "", when)


def _from_json(path: Path, day: date, lang: str, document: dict[str, Any]) -> DatedPage:
    name = str(document["municipality"])
    generated = datetime.fromisoformat(document["generated_at"])
    if generated.tzinfo is None:
        raise ValueError("generated_at without an offset")
    local = [i for i in document["incidents"] if i.get("municipality") == name]
    serious = [i for i in local if i.get("serious") is True]
    summary = ", ".join(
        [
            t_count(lang, "summary.serious", len(serious)),
            t_count(lang, "summary.local", len(local), municipality=name),
        ]
    )
    return DatedPage(day, path, _title(lang, name, day), summary, generated)


def _title(lang: str, municipality: str, day: date) -> str:
    moment = datetime.combine(day, datetime.min.time())
    return t(lang, "title", municipality=municipality, date=long_date(lang, moment))


def _write(path: Path, text: str) -> None:
    write_atomic(path, text, mode=PUBLIC)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DeliveryError(f"{path}: cannot read: {exc}") from exc


def _index(newest: DatedPage, pages: list[DatedPage], lang: str, template_dir: Path | None) -> str:
    """The newest dated page with the archive in place of its back link."""
    nav = Nav(
        t(lang, "site.archive"),
        t(lang, "site.feed"),
        months=months(pages, lang),
        weeks=weeks(newest.path.parent, lang),
        weeks_heading=t(lang, "site.weeks"),
    )
    template = html_environment(template_dir).get_template(NAV_TEMPLATE)
    block = template.render(site=nav)
    page = _read(newest.path)
    if NAV_REGION.search(page):
        return NAV_REGION.sub(lambda _: block, page, count=1)
    # An installation's own page template without the site block: add it at the end.
    if "</body>" not in page:
        return page + block
    head, tail = page.rsplit("</body>", 1)
    return f"{head}{block}</body>{tail}"


def weeks(folder: Path, lang: str) -> tuple[ArchiveEntry, ...]:
    """The weekly pages in `folder`, newest first ("Vecka 23, 2023")."""
    names = _listed(folder)
    found = [(name, m) for name in names if (m := WEEKLY.match(name))]
    return tuple(
        ArchiveEntry(name, t(lang, "site.week", number=int(m.group(2)), year=m.group(1)), "")
        for name, m in found
    )


def write_week(week: Week, folder: Path, *, template_dir: Path | None = None) -> list[Path]:
    """The week's page, CSV and XLSX into the site, and the index relinked to list it."""
    from briefing.render import week as weekly

    base = folder / week.label
    files = {"CSV": f"{week.label}.csv", "XLSX": f"{week.label}.xlsx"}
    _write(base.with_suffix(".csv"), weekly.render_csv(week))
    write_atomic_bytes(base.with_suffix(".xlsx"), weekly.xlsx(week), mode=PUBLIC)
    _write(base.with_suffix(".html"), weekly.render_html(week, template_dir, files=files))
    lang = language(week.language)
    pages = archive(folder, lang, week.municipality)
    if pages:  # the index is the newest morning's page: list the week there
        _write(folder / "index.html", _index(pages[0], pages, lang, template_dir))
    return [base.with_suffix(suffix) for suffix in (".html", ".csv", ".xlsx")]


def months(pages: Sequence[DatedPage], lang: str) -> tuple[Month, ...]:
    """The archive grouped by month, newest first; links are the dated files' own names."""
    grouped: dict[tuple[int, int], list[ArchiveEntry]] = {}
    for page in pages:
        text = long_date(lang, datetime.combine(page.day, datetime.min.time()))  # weekday, date
        entry = ArchiveEntry(page.path.name, text, page.summary)
        grouped.setdefault((page.day.year, page.day.month), []).append(entry)
    return tuple(
        Month(_capitalised(month_year(lang, datetime(year, month, 1))), tuple(entries))
        for (year, month), entries in grouped.items()
    )


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def atom_feed(pages: Sequence[DatedPage], lang: str, municipality: str) -> str:
    """An Atom 1.0 feed (RFC 4287): one entry per dated page, ids stable across rebuilds."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {f"{{{XML}}}lang": lang})
    _add(feed, "id", _urn(municipality, "feed"))
    _add(feed, "title", t(lang, "site.feed_title", municipality=municipality))
    _add(feed, "updated", _stamp(max((p.updated for p in pages), default=_epoch())))
    _link(feed, "self", "feed.xml", "application/atom+xml")
    _link(feed, "alternate", "index.html", "text/html")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _add(author, "name", t(lang, "site.feed_title", municipality=municipality))
    ET.SubElement(feed, f"{{{ATOM}}}generator", {"version": __version__}).text = "briefing"
    for page in pages:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _add(entry, "id", _urn(municipality, page.day.isoformat()))
        _add(entry, "title", page.title)
        _add(entry, "updated", _stamp(page.updated))
        _link(entry, "alternate", page.path.name, "text/html")
        if page.summary:
            _add(entry, "summary", page.summary)
    ET.indent(feed)
    body = ET.tostring(feed, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'


def _add(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}{tag}").text = text


def _link(parent: ET.Element, rel: str, href: str, kind: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}link", {"rel": rel, "href": href, "type": kind})


def _urn(municipality: str, name: str) -> str:
    # The same municipality and day give the same id on every rebuild, on every machine.
    return uuid.uuid5(uuid.NAMESPACE_URL, f"briefing:{municipality}:{name}").urn


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _epoch() -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC)
