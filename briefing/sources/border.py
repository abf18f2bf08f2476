"""The border every batch crosses before it is stored, whatever adapter made it.

Adapters normalise their own records; this is the second, shared line, so a
third-party adapter cannot forget it:

- personal identity numbers (personnummer) are masked in every text field of
  every incident, police and RSS text included, in the raw payload (as the
  text it decodes to, see `briefing.pnr`), in the source's state, in
  the page texts it keeps, and in every problem and error message, so none
  reaches the store, the terminal, a page or an e-mail;
- logins and tokens in URLs are removed from every problem and error
  (`briefing.redact`);
- control characters are stripped from problems and errors too;
- every problem names its source, so "record 3: missing datetime" in the
  briefing says whose record it was;
- an incident dated in the future (a source's wrong clock, a typo in a guard's
  export) is flagged in the source's report. It is stored and shown when it
  arrives (see `Store.ahead`); no date is ever used as a cursor, so it cannot
  hide later reports.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from briefing.errors import BriefingError
from briefing.models import Incident, clean_text
from briefing.pnr import mask_json, mask_personnummer
from briefing.redact import redact
from briefing.sources.base import Batch, PageCache

# A report dated this much after it was fetched is from the future, not from a
# clock a few minutes fast.
FUTURE_SLACK = timedelta(minutes=15)
_TEXT_FIELDS = tuple(
    f.name
    for f in fields(Incident)
    if f.name not in ("source", "origin", "raw") and f.type == "str"
)
_OPTIONAL_TEXT_FIELDS = tuple(
    f.name for f in fields(Incident) if f.type == "str | None" and f.name != "parent"
)


def admit(source: str, batch: Batch, fetched_at: datetime, tz: ZoneInfo) -> Batch:
    """`batch` as it may be stored: masked, named, and future dates flagged."""
    incidents = [masked(incident) for incident in batch.incidents]
    problems = [named(source, problem) for problem in batch.problems]
    problems += [
        future_problem(source, incident, tz)
        for incident in incidents
        if is_future(incident, fetched_at)
    ]
    state = {mask_personnummer(k): mask_personnummer(v) for k, v in batch.state.items()}
    return Batch(incidents=incidents, problems=problems, state=state)


def masked(incident: Incident) -> Incident:
    """The incident with every personnummer in its text replaced by "[personnummer]".

    The raw payload too, as the text it decodes to: masking its escaped form would
    miss "850101\\u200b-1234"."""
    changes: dict[str, object] = {}
    if (raw := mask_json(incident.raw)) != incident.raw:
        changes["raw"] = raw
    for name in _TEXT_FIELDS:
        value = getattr(incident, name)
        if (new := mask_personnummer(value)) != value:
            changes[name] = new
    for name in _OPTIONAL_TEXT_FIELDS:
        value = getattr(incident, name)
        if value is not None and (new := mask_personnummer(value)) != value:
            changes[name] = new
    return replace(incident, **changes) if changes else incident  # type: ignore[arg-type]


def named(source: str, message: str) -> str:
    """A problem or error as shown: one clean line, masked, starting with its source's name."""
    text = redact(mask_personnummer(clean_text(message, single_line=True)))
    return text if text.startswith(f"{source}:") else f"{source}: {text}"


def failure(exc: Exception) -> str:
    """What a failed source's error says: the message and the hint, or, for a bug in
    an adapter, the exception's type and text."""
    if isinstance(exc, BriefingError):
        text = f"{exc.message} — {exc.hint}" if exc.hint else exc.message
    else:
        text = f"{type(exc).__name__}: {exc}"
    return redact(mask_personnummer(clean_text(text, single_line=True)))


@dataclass(frozen=True, slots=True)
class MaskedPages:
    """The page cache an adapter is given: what it keeps is masked first."""

    cache: PageCache

    def page(self, key: str) -> str | None:
        return self.cache.page(key)

    def save_page(self, key: str, text: str, at: datetime, *, gone: bool = False) -> None:
        self.cache.save_page(mask_personnummer(key), mask_personnummer(text), at, gone=gone)


def is_future(incident: Incident, fetched_at: datetime) -> bool:
    limit = fetched_at + FUTURE_SLACK
    return incident.published_at > limit or (
        incident.occurred_at is not None and incident.occurred_at > limit
    )


def future_problem(source: str, incident: Incident, tz: ZoneInfo) -> str:
    moment = max(incident.published_at, incident.occurred_at or incident.published_at)
    title = clean_text(incident.title, single_line=True)[:60]
    return (
        f"{source}: {incident.key} ({title!r}) is dated {moment.astimezone(tz):%Y-%m-%d %H:%M}, "
        "in the future; shown now as it arrived — check the source's clock or data"
    )
