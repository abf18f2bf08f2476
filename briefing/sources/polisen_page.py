"""An event's page on polisen.se, read with the standard library's HTML parser.

The page (DOMAIN.md §2, "Details page") holds the full text the API only
summarises. Everything we want sits in `div.event-page.editorial-content`:
`<h1>` (the event name), `p.preamble` (the whole summary), the narrative `<p>`s
of `div.text-body`, then "Text av" and "Publicerad". The metadata comes in two
layouts: `div.published-container` with `<span>`s (2023–2025, no year), and a
`<dl>` with `<time datetime>` (2026, local time without an offset). Nothing
outside that `div` is read: the footer has `span.text-body` elements too.

Some pages end with generic advice to the reader ("Blir du slagen eller hotad
av någon som står dig nära?"), sometimes under a bold sub-heading. It names no
place and says nothing about the event, so `narrative` leaves it out; the
paragraphs are kept as written in `paragraphs`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from briefing.models import clean_text

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Elements that never have content, so never an end tag to wait for.
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr"}
)
_SILENT = frozenset({"script", "style", "template", "noscript"})
_BOLD = frozenset({"strong", "b"})
# Second person singular: the police write about people, advice speaks to "du".
_ADDRESSES_READER = re.compile(r"\b(?:du|dig|din|ditt|dina)\b", re.IGNORECASE)
_QUOTES = re.compile(r"[\"“”«»]")
_BLANK_LINES = re.compile(r"\n{3,}")
_CHUNK = 4096


class PageError(ValueError):
    """The page cannot be read as HTML at all."""


@dataclass(frozen=True, slots=True)
class EventPage:
    """What an event page says. Every field is cleaned text; missing parts are ""."""

    h1: str = ""
    preamble: str = ""
    paragraphs: tuple[str, ...] = ()  # every non-empty body paragraph, as written
    narrative: tuple[str, ...] = ()  # the paragraphs without the trailing advice
    text_by: str = ""
    published: str = ""  # as shown: "20 mars 17:37", "29 juli 2026 08.12"
    published_at: datetime | None = None  # only the 2026 layout carries a full time
    found: bool = False  # the page has the event's content element at all

    @property
    def text(self) -> str:
        """The preamble and the narrative, one paragraph a line: what `Incident.text` gets."""
        return "\n".join(part for part in (self.preamble, *self.narrative) if part)


def parse_page(html: str | bytes, tz: ZoneInfo = STOCKHOLM) -> EventPage:
    """The event page's content; an empty or foreign page gives an empty `EventPage`.

    Bytes are read as UTF-8 (what polisen.se serves); an undecodable byte
    becomes U+FFFD rather than an error. PageError only if the HTML parser gives up.
    """
    if isinstance(html, bytes):
        html = html.decode("utf-8-sig", errors="replace")
    reader = _PageReader()
    try:
        for start in range(0, len(html), _CHUNK):  # in chunks, to stop once the content ends
            reader.feed(html[start : start + _CHUNK])
            if reader.done:
                break
        reader.close()
    except (AssertionError, ValueError) as exc:  # html.parser's complaints on broken markup
        raise PageError(f"not readable as HTML ({exc})") from exc
    return reader.result(tz)


def _without_advice(paragraphs: list[_Paragraph]) -> list[_Paragraph]:
    """The paragraphs up to the advice that closes some pages.

    Only a trailing run is cut: paragraphs that speak to the reader, and a bold
    sub-heading over them. A narrative paragraph stops the cut, so a "du" in the
    middle of a report (or in a quotation) never costs text.
    """
    end = len(paragraphs)
    while end > 0:
        last = paragraphs[end - 1]
        speaks_to_reader = _ADDRESSES_READER.search(last.text) and not _QUOTES.search(last.text)
        heads_advice = last.heading and end < len(paragraphs)
        if not (speaks_to_reader or heads_advice):
            break
        end -= 1
    return paragraphs[:end]


@dataclass(slots=True)
class _Paragraph:
    text: str
    heading: bool  # all of its text is bold: a sub-heading


@dataclass(slots=True)
class _Collected:
    """Raw text gathered while parsing, cleaned in `_PageReader.result`."""

    h1: list[str] = field(default_factory=list)
    preamble: list[str] = field(default_factory=list)
    paragraphs: list[_Paragraph] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)  # "Text av", "Publicerad"
    values: list[str] = field(default_factory=list)  # what follows each label
    datetime_attr: str | None = None


class _PageReader(HTMLParser):
    """Walks the page keeping a stack of open elements, and reads only inside the content."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []  # (tag, role) of each open element
        self.page_depth: int | None = None  # stack depth of div.event-page, while inside it
        self.done = False
        self.got = _Collected()
        self.paragraph: list[str] | None = None
        self.loose: list[str] = []
        self.bold_chars = 0
        self.plain_chars = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = set((dict(attrs).get("class") or "").split())
        if tag == "p" and self._inside("p"):
            self._close_to("p")  # an unclosed <p> ends where the next one starts
        if tag == "br":
            self._text("\n", count=False)
        if tag == "time" and self._inside("meta"):
            self.got.datetime_attr = dict(attrs).get("datetime")
        if tag in _VOID:
            return
        role = self._role(tag, classes)
        if role == "paragraph":
            self._flush_loose()
        self.stack.append((tag, role))
        if role == "page":
            self.page_depth = len(self.stack)
        elif role == "paragraph":
            self.paragraph, self.bold_chars, self.plain_chars = [], 0, 0
        elif role in ("label", "value"):
            (self.got.labels if role == "label" else self.got.values).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID and any(open_tag == tag for open_tag, _ in self.stack):
            self._close_to(tag)

    def handle_data(self, data: str) -> None:
        if self.page_depth is None or self._inside_silent():
            return
        # Line breaks in the source are layout; only <br> breaks a line.
        self._text(re.sub(r"[\r\n\t]+", " ", data))

    def _role(self, tag: str, classes: set[str]) -> str:
        """What an element is for us: where its text goes, if anywhere."""
        if self.page_depth is None:
            wanted = tag == "div" and "event-page" in classes and not self.done
            return "page" if wanted else ""
        if self._inside_silent() or tag in _SILENT:
            return "silent"
        return _role_in_page(tag, classes, self._roles())

    def _roles(self) -> set[str]:
        return {role for _, role in self.stack}

    def _inside(self, role_or_tag: str) -> bool:
        return any(role_or_tag in (tag, role) for tag, role in self.stack)

    def _inside_silent(self) -> bool:
        return any(role == "silent" or tag in _SILENT for tag, role in self.stack)

    def _text(self, text: str, *, count: bool = True) -> None:
        roles = self._roles()
        if "paragraph" in roles and self.paragraph is not None:
            self.paragraph.append(text)
            if count and text.strip():
                bold = any(tag in _BOLD for tag, _ in self.stack)
                self.bold_chars += len(text.strip()) if bold else 0
                self.plain_chars += 0 if bold else len(text.strip())
        elif "body" in roles:
            self.loose.append(text)  # text outside any <p>: a paragraph of its own
        elif "h1" in roles:
            self.got.h1.append(text)
        elif "preamble" in roles:
            self.got.preamble.append(text)
        elif "value" in roles and self.got.values:
            self.got.values[-1] += text
        elif "label" in roles and self.got.labels:
            self.got.labels[-1] += text

    def _close_to(self, tag: str) -> None:
        while self.stack:
            open_tag, role = self.stack.pop()
            self._closed(role)
            if open_tag == tag:
                return

    def _closed(self, role: str) -> None:
        if role == "paragraph" and self.paragraph is not None:
            heading = self.bold_chars > 0 and self.plain_chars == 0
            self.got.paragraphs.append(_Paragraph("".join(self.paragraph), heading))
            self.paragraph = None
        elif role == "body":
            self._flush_loose()
        elif role == "page":
            self.page_depth, self.done = None, True

    def _flush_loose(self) -> None:
        if "".join(self.loose).strip():
            self.got.paragraphs.append(_Paragraph("".join(self.loose), heading=False))
        self.loose = []

    def result(self, tz: ZoneInfo) -> EventPage:
        """The page as read; a page cut off mid-way keeps what it had."""
        while self.stack:
            self._closed(self.stack.pop()[1])
        if not self.done:
            return EventPage()
        got = self.got
        meta = _metadata(got.labels, got.values)
        paragraphs = [
            _Paragraph(_paragraph_text(p.text), p.heading)
            for p in got.paragraphs
            if _paragraph_text(p.text)
        ]
        return EventPage(
            h1=clean_text("".join(got.h1), single_line=True),
            preamble=clean_text("".join(got.preamble), single_line=True),
            paragraphs=tuple(p.text for p in paragraphs),
            narrative=tuple(p.text for p in _without_advice(paragraphs)),
            text_by=meta.get("text av", ""),
            published=meta.get("publicerad", ""),
            published_at=_local_time(got.datetime_attr, tz),
            found=True,
        )


def _role_in_page(tag: str, classes: set[str], roles: set[str]) -> str:
    """The role of an element inside div.event-page, given the roles it is nested in."""
    if tag == "h1" and not roles & {"body", "meta"}:
        return "h1"
    if tag == "p" and "preamble" in classes:
        return "preamble"
    if tag == "div" and "text-body" in classes:
        return "body"
    if tag == "p" and "body" in roles:
        return "paragraph"
    if tag == "div" and classes & {"meta-data-container", "page-meta-data"}:
        return "meta"
    if "meta" not in roles:
        return ""
    if tag == "div" and "published-container" in classes:
        return "label"  # its own text is the label; the <span> inside is the value
    if tag == "dt":
        return "label"
    if tag in ("dd", "span"):
        return "value"
    return ""


def _paragraph_text(raw: str) -> str:
    lines = [clean_text(line, single_line=True) for line in raw.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _metadata(labels: list[str], values: list[str]) -> dict[str, str]:
    """ "Text av" and "Publicerad" paired with their values, in the order they came."""
    names = [clean_text(label, single_line=True).casefold() for label in labels]
    texts = [clean_text(value, single_line=True) for value in values]
    return dict(zip(names, texts, strict=False))


def _local_time(value: str | None, tz: ZoneInfo) -> datetime | None:
    """The `<time datetime>` attribute: local time without an offset, made aware."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)
