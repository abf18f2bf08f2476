"""One e-mailed report → incidents: what the guard company and the rescue service send.

A message carries its report in one of three ways (DOMAIN.md §3, §7):

- an attached export (CSV or XLSX): its rows, through the same column mapping
  as the `csv` kind (`columns`, date formats, encodings);
- the text of the message (or its HTML turned to text), either in a simple
  "Key: value" layout ("Tid: 2026-11-26 23.40", "Plats: …", "Händelse: …") or
  as free text: one report, timed by the text or else by the message's Date;
- anything else (a PDF, a photo): one report that says a report arrived and
  names the attachment, so nothing is silently lost.

Forwarded messages are read for what they forward; in replies the quoted
earlier messages are cut off. Everything in a message is untrusted: text is
cleaned of control characters and masked for personal identity numbers here,
before the border does it again.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage, Message
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import PurePosixPath, PureWindowsPath
from zoneinfo import ZoneInfo

from briefing.errors import SourceError
from briefing.models import Incident, Origin, clean_text, mask_personnummer
from briefing.sources import municipalities
from briefing.sources._csvrows import fold
from briefing.sources._timeparse import _PATTERNS, parse_datetime
from briefing.sources.base import Batch, FetchContext
from briefing.sources.tables import Drop, TableColumns, TableSettings, is_table, read_drop

TITLE_LENGTH = 80
_SUBJECT_PREFIX = re.compile(r"^\s*(?:(?:re|sv|vs|vb|fw|fwd|vl|aw|wg)\s*:\s*)+", re.IGNORECASE)
# Where a reply's quoted history starts (Outlook, Gmail, Apple Mail; Swedish and English).
_QUOTE_START = re.compile(
    r"^\s*(?:-{2,}\s*(?:original message|ursprungligt meddelande|originalmeddelande)\s*-{2,}"
    r"|(?:on|den)\s.{4,120}\s(?:wrote|skrev)\s*:"
    r"|från:\s.+\n\s*(?:skickat|sent|datum|date):)",
    re.IGNORECASE | re.MULTILINE,
)
_FORWARD_MARK = re.compile(
    r"^\s*-{2,}\s*(?:forwarded message|vidarebefordrat meddelande|begin forwarded message)"
    r"\s*-{2,}\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_FORWARD_HEADER = re.compile(
    r"^\s*(?:från|from|datum|date|skickat|sent|ämne|subject|till|to|kopia|cc)\s*:.*$",
    re.IGNORECASE,
)
# Where the sender's signature starts: a sign-off on a line of its own, or "-- ".
_SIGNATURE = re.compile(
    r"^\s*(?:--\s*|(?:med\s+)?vänlig(?:a)?\s+hälsning(?:ar)?\b.*|mvh\b.*|hälsningar\b.*"
    r"|(?:best|kind)\s+regards\b.*|regards\b.*)$",
    re.IGNORECASE | re.MULTILINE,
)
_KEY_VALUE = re.compile(r"^\s*([^\W\d_][^:\n]{0,30}?)\s*:\s*(.*?)\s*$")
# The keys a "Key: value" report uses, by the field they fill (compared folded).
KEYS: dict[str, tuple[str, ...]] = {
    "time": ("tid", "tidpunkt", "datum och tid", "larmtid", "händelsetid", "när", "time"),
    "place": ("plats", "adress", "var", "objekt", "place", "location"),
    "category": ("händelse", "typ", "händelsetyp", "kategori", "ärende", "category", "type"),
    "text": ("beskrivning", "text", "åtgärd", "åtgärder", "description", "notes"),
    "title": ("rubrik", "title"),
    "municipality": ("kommun", "municipality"),
}


@dataclass(slots=True)
class Reading:
    """What reading one message gave: its incidents and the problems met."""

    incidents: list[Incident] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class MailContext:
    """Who reads the message, and how."""

    source: str
    origin: Origin
    fetch: FetchContext
    tables: TableSettings
    columns: TableColumns | None
    max_attachment: int


def message_id(message: Message, raw: bytes) -> str:
    """The message's Message-ID, or (none given) a hash of the whole message."""
    value = clean_text(message.get("Message-ID", ""), single_line=True).strip("<> ")
    return value or "sha256:" + hashlib.sha256(raw).hexdigest()[:32]


def sender(message: Message) -> str:
    """The From address, lower case ("" when there is none or it cannot be read)."""
    from email.utils import getaddresses

    try:
        found = getaddresses([str(message.get("From", ""))])
    except (TypeError, ValueError, IndexError):
        return ""
    address = found[0][1] if len(found) == 1 else ""
    return clean_text(address, single_line=True).lower() if "@" in address else ""


def sent_at(message: Message, fallback: datetime) -> datetime:
    try:
        when = parsedate_to_datetime(str(message.get("Date", "")))
    except (TypeError, ValueError, IndexError):
        return fallback
    return when if when.tzinfo is not None else fallback


def read_message(
    message: EmailMessage, raw: bytes, mail: MailContext, *, note: str | None = None
) -> Reading:
    """The reports one message carries (at least one, so an arrival is never lost).

    `note` says why only part of the message could be read (shown with its text).
    """
    reading = Reading()
    ident = message_id(message, raw)
    content = _forwarded(message) or message
    when = sent_at(content, sent_at(message, mail.fetch.now))
    subject = _subject(content) or _subject(message)
    body = _body_text(content)
    notices: list[str] = []
    for part in content.iter_attachments():
        name = _attachment_name(part)
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if len(data) > mail.max_attachment:
            size = f"{len(data) / 1_048_576:.1f} MB"
            reading.problems.append(
                f"{ident}: attachment {name!r} ({size}) is over the cap of "
                f"{mail.max_attachment // 1_048_576} MB; not read"
            )
            notices.append(f"{name} ({size}, för stor för att läsas)")
        elif is_table(name) and mail.columns is not None:
            if not _read_table(Drop(f"{ident}/{name}", data), mail, reading):
                notices.append(name)
        elif part.get_content_type() != "message/rfc822":
            notices.append(name)
    if reading.incidents and not notices and not note:  # an export's rows are the report
        return reading
    if note:
        body = (body + "\n\n" if body else "") + f"Obs: {note}; läs det i brevlådan."
    reading.incidents.append(_text_report(ident, subject, body, notices, when, mail))
    return reading


def refused(message: Message, raw: bytes) -> str:
    """How a refused message is reported: its id and the sender's domain, nothing more."""
    domain = sender(message).rpartition("@")[2] or "unknown"
    return f"{message_id(message, raw)}: from a sender not in `senders` (@{domain}); not read"


def _read_table(drop: Drop, mail: MailContext, reading: Reading) -> bool:
    assert mail.columns is not None
    batch = Batch()
    try:
        read_drop(
            drop,
            mail.columns,
            mail.tables,
            source=mail.source,
            origin=mail.origin,
            ctx=mail.fetch,
            batch=batch,
        )
    except SourceError as exc:
        reading.problems.append(exc.message)
        return False
    reading.incidents += batch.incidents
    reading.problems += batch.problems
    return bool(batch.incidents)


def _text_report(
    ident: str,
    subject: str,
    body: str,
    notices: list[str],
    when: datetime,
    mail: MailContext,
) -> Incident:
    fields = _key_values(body, mail.columns)
    tz = mail.fetch.tz
    time_text = fields.pop("time", "")
    if time_text:
        try:
            when = parse_datetime(time_text, tz, mail.tables.date_format)
        except ValueError:
            fields["text"] = f"Tid: {time_text}. " + fields.get("text", "")
    elif not fields:
        when = _time_in(body, tz) or when
    text = fields.get("text", "") if fields else body
    if notices:
        attached = "; ".join(notices)
        text = (text + "\n\n" if text else "") + f"Bilaga: {attached}. Läs den i brevlådan."
    category = fields.get("category", "")
    place = fields.get("place", "")
    like_police = ", ".join(part for part in (category, place) if part)
    title = fields.get("title") or like_police or subject or _first_line(text)
    if notices and not (fields or body or subject):
        title = f"Rapport med bilaga: {notices[0]}"
    municipality = _municipality(fields.get("municipality", ""), mail)
    found = municipalities.lookup(municipality)
    facts = {"message_id": ident, "subject": subject, "fields": fields, "attachments": notices}
    return Incident(
        source=mail.source,
        key=ident,
        origin=mail.origin,
        type=_clean(category),
        title=_clean(title)[:200] or "(utan rubrik)",
        summary=mask_personnummer(clean_text(text)),
        published_at=when.astimezone(tz),
        occurred_at=when.astimezone(tz),
        municipality=municipality,
        county=found.county if found else None,
        location=_clean(place),
        raw=mask_personnummer(json.dumps(facts, ensure_ascii=False)),
    )


def _municipality(named: str, mail: MailContext) -> str:
    found = municipalities.lookup(named) if named else None
    return found.name if found else (mail.tables.municipality or mail.fetch.municipality)


def _key_values(body: str, columns: TableColumns | None) -> dict[str, str]:
    """The "Key: value" lines of a report, by field; {} for free text.

    It is a layout only when at least two lines name known keys (one "Obs: …"
    line in a free text is not a form). Lines that name no key go to the text.
    """
    names = {fold(name): field for field, names in KEYS.items() for name in names}
    if columns is not None:
        names |= {fold(n): f for f, headers in columns.mapped().items() for n in headers}
    found: dict[str, str] = {}
    rest: list[str] = []
    for line in body.splitlines():
        match = _KEY_VALUE.match(line)
        target = names.get(fold(match.group(1))) if match else None
        if match and target and target not in found:
            found[target] = match.group(2)
        elif line.strip():
            rest.append(line.strip())
    if len(found) < 2:
        return {}
    if rest:
        found["text"] = " ".join([found.get("text", ""), *rest]).strip()
    return {key: value for key, value in found.items() if value}


def _time_in(text: str, tz: ZoneInfo) -> datetime | None:
    """The first date and time written in a free text."""
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            try:
                return parse_datetime(match.group(0), tz)
            except ValueError:
                continue
    return None


def _forwarded(message: EmailMessage) -> EmailMessage | None:
    """The message forwarded as an attachment (message/rfc822), if that is what this is."""
    for part in message.walk():
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], EmailMessage):
                return inner[0]
    return None


def _subject(message: Message) -> str:
    return _SUBJECT_PREFIX.sub("", _clean(message.get("Subject", "")))


def _body_text(message: EmailMessage) -> str:
    """The message's own words: plain text preferred, HTML turned to text; quotes cut off."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, AssertionError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    text = str(content)
    if part.get_content_subtype() == "html":
        text = html_to_text(text)
    return mask_personnummer(clean_text(_own_words(text)))


def _own_words(text: str) -> str:
    text = text.replace("\r\n", "\n")
    forward = _FORWARD_MARK.search(text)
    if forward is not None:  # an inline forward: the report is what is forwarded
        lines = text[forward.end() :].lstrip("\n").split("\n")
        while lines and (_FORWARD_HEADER.match(lines[0]) or not lines[0].strip()):
            lines.pop(0)
        text = "\n".join(lines)
    for cut in (_QUOTE_START, _SIGNATURE):
        found = cut.search(text)
        if found is not None:
            text = text[: found.start()]
    kept = [line for line in text.split("\n") if not line.lstrip().startswith(">")]
    return "\n".join(kept).strip()


def _attachment_name(part: Message) -> str:
    raw = part.get_filename() or f"bilaga.{part.get_content_subtype() or 'bin'}"
    name = PureWindowsPath(PurePosixPath(clean_text(raw, single_line=True)).name).name
    return mask_personnummer(name)[:120] or "bilaga"


def _first_line(text: str) -> str:
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= TITLE_LENGTH else line[:TITLE_LENGTH].rsplit(" ", 1)[0] + "…"


def _clean(value: object) -> str:
    return mask_personnummer(clean_text(value, single_line=True))


class _TextOfHtml(HTMLParser):
    _SKIP = frozenset({"script", "style", "head", "title"})
    _BREAK = frozenset({"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "table"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BREAK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BREAK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The words of an HTML body: no markup, scripts or styles; blocks on lines of their own."""
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)
