"""What the public-warning adapters (vma, krisinformation, smhi) share.

- JSON payloads read from `url` or from recorded files under `path`, with a
  clear error naming the file;
- ISO 8601 times that must carry an offset (a naive time is refused, never guessed);
- incidents remembered in the source state between runs: a VMA cancellation
  carries no text of its own and an SMHI warning that has ended is simply
  missing from the feed, so the version that closes them is built from what
  was seen before.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from briefing.models import Incident, Origin, clean_text, mask_personnummer
from briefing.sources._incidents import recorded_payloads
from briefing.sources.base import (
    Batch,
    FetchContext,
    SourceSettings,
    fetch_if_changed,
)
from briefing.sources.http import RateLimit, Response

CALLS_PER_HOUR = 30
# The fields an incident is remembered by (raw, source and origin are the source's own).
_REMEMBERED = (
    "key",
    "type",
    "title",
    "summary",
    "url",
    "municipality",
    "county",
    "location",
    "text",
    "lat",
    "lon",
)


class RecordError(ValueError):
    """One record cannot be read; the rest of the payload is kept."""


class AuthoritySettings(SourceSettings):
    """Keys the public-warning kinds share."""

    user_agent: str | None = Field(
        default=None,
        description="User-Agent naming the application and a contact (default: briefing's own)",
    )

    @field_validator("user_agent")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        if value is not None and (not value.strip() or not value.isprintable()):
            raise ValueError("must be non-empty text on one line")
        return value.strip() if value else value


def rate(url: str) -> RateLimit:
    """At most CALLS_PER_HOUR calls an hour to the host, across runs: these services state
    no limit, and a briefing run in a loop must not hammer them."""
    return RateLimit(urlsplit(url).netloc.lower(), min_interval=0.0, per_hour=CALLS_PER_HOUR)


def get_json(ctx: FetchContext, url: str, settings: AuthoritySettings) -> Any:
    """GET `url` (no validators: the caller asks several URLs per run) and decode it."""
    response: Response = ctx.http.get(
        url,
        timeout=settings.timeout,
        rate=rate(url),
        user_agent=settings.user_agent,
        progress=ctx.progress,
    )
    return response.json()


def snapshots(
    name: str, settings: AuthoritySettings, ctx: FetchContext, batch: Batch
) -> list[tuple[str, Any]] | None:
    """(where, JSON) of the recorded files, or of one conditional GET of `url`; None when
    the server says "not modified" (the saved state is then kept as it was)."""
    if settings.path is not None:
        return recorded_payloads(name, settings.path, batch)
    url = str(settings.url)
    response = fetch_if_changed(
        ctx, batch, url, timeout=settings.timeout, rate=rate(url), user_agent=settings.user_agent
    )
    return None if response is None else [(url, response.json())]


def aware_time(value: object, what: str) -> datetime:
    """An ISO 8601 date-time with an offset ("Z" allowed); RecordError otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise RecordError(f"missing {what}")
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise RecordError(f"unreadable {what} {clean_text(text)[:40]!r}") from None
    if moment.tzinfo is None:
        raise RecordError(f"{what} {clean_text(text)[:40]!r} has no UTC offset")
    return moment


def text_of(value: object) -> str:
    """A string field as one clean line; anything else is ""."""
    return clean_text(value, single_line=True) if isinstance(value, str) else ""


def remember(incident: Incident) -> str:
    """The incident as text for the source state, personnummer masked as at the border."""
    facts: dict[str, Any] = {
        name: mask_personnummer(value)
        if isinstance(value := getattr(incident, name), str)
        else value
        for name in _REMEMBERED
    }
    facts["published_at"] = incident.published_at.isoformat()
    facts["occurred_at"] = incident.occurred_at.isoformat() if incident.occurred_at else None
    return json.dumps(facts, ensure_ascii=False, sort_keys=True)


def recall(text: str | None, source: str, origin: Origin) -> Incident | None:
    """The incident `remember` wrote; None for missing or unreadable text."""
    if not text:
        return None
    try:
        facts = json.loads(text)
        occurred = facts.get("occurred_at")
        return Incident(
            source=source,
            origin=origin,
            published_at=datetime.fromisoformat(facts["published_at"]),
            occurred_at=datetime.fromisoformat(occurred) if occurred else None,
            **{name: facts[name] for name in _REMEMBERED},
        )
    except (ValueError, KeyError, TypeError):
        return None


def remembered(state: Mapping[str, str], prefix: str) -> dict[str, str]:
    """The state entries under `prefix`, keyed by what follows it."""
    return {key[len(prefix) :]: value for key, value in state.items() if key.startswith(prefix)}


def remembered_times(state: Mapping[str, str], prefix: str) -> dict[str, datetime]:
    """The times saved under `prefix` (by `times_to_remember`); unreadable ones are dropped."""
    found = {}
    for key, text in remembered(state, prefix).items():
        try:
            found[key] = datetime.fromisoformat(text)
        except ValueError:
            continue
    return found


def times_to_remember(times: Mapping[str, datetime], prefix: str, keep: int) -> dict[str, str]:
    """The `keep` latest of `times` as state entries under `prefix`."""
    latest = sorted(times.items(), key=lambda item: item[1])[-keep:]
    return {prefix + key: moment.isoformat() for key, moment in latest}


def http_link(value: object) -> str | None:
    """An http(s) URL from a feed field (entities such as "&amp;" decoded), or None."""
    if not isinstance(value, str):
        return None
    text = html.unescape(value.strip())
    if not text or re.search(r"\s", text):
        return None
    parts = urlsplit(text)
    return text if parts.scheme in ("http", "https") and parts.netloc else None
