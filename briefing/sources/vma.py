"""VMA, "Viktigt meddelande till allmänheten", from Sveriges Radio's VMA API (DOMAIN.md §4b).

`GET https://vmaapi.sr.se/api/v3/alerts?geocode=<code>` answers with CAP-like
JSON, `{timestamp, alerts: [...]}`. Each alert is a message: an `Alert`, then
perhaps `Update`s and a `Cancel`, each with its own `identifier`, the later ones
naming the message they replace in `references` ("sender,identifier,sent",
several separated by spaces). Here they are one incident: the key is the
identifier of the first message, and every later message is a new version of
it, so the briefing shows an update or a cancellation as "updated".

- A Cancel has `info: null`: its version repeats what the alert said (kept in
  the source state between runs) under the title "Upphävt: …".
- Only real public messages are read: `status` must be "Actual" (not Test,
  Exercise, System, Draft), `scope` "Public" (when given), `msgType` Alert,
  Update or Cancel; SR's test endpoint (`/testapi/`) is refused.
- `geocode` asks for the municipality's code ("0123") and its county's ("01");
  the answers are merged. A VMA covers the municipality when one of its areas
  has the municipality's code, its county's code, or "00" (all of Sweden); it
  is then placed in the municipality (type "VMA", critical by the type table).
  A VMA for one other municipality is placed there (shown if that is a
  neighbour); one for another county only names the county and is not shown.
- `description` has "\r\n" line breaks; the text is kept as one line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, ClassVar

import httpx
from pydantic import Field, field_validator

from briefing.errors import SourceError
from briefing.models import Incident, clean_text
from briefing.sources import municipalities
from briefing.sources._authority import (
    AuthoritySettings,
    RecordError,
    aware_time,
    get_json,
    http_link,
    recall,
    remember,
    remembered,
    text_of,
)
from briefing.sources._incidents import recorded_payloads
from briefing.sources.base import Batch, FetchContext, Source, SourceSettings

TYPE = "VMA"
CANCELLED = "Upphävt: "
TEST_ENDPOINT = "/testapi/"
WHOLE_COUNTRY = "00"
KEEP = 200  # alerts remembered (the newest) for their updates and cancellation
_MESSAGE_TYPES = ("Alert", "Update", "Cancel")
_ROOT, _ALERT, _SENT = "root:", "alert:", "sent:"


class VmaSettings(AuthoritySettings):
    """`[sources.NAME]` keys for kind "vma"."""

    geocodes: tuple[str, ...] | None = Field(
        default=None,
        description="codes asked for (default: the municipality's kommunkod and its county's code)",
    )

    @field_validator("geocodes")
    @classmethod
    def _codes(cls, values: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if values is not None:
            for value in values:
                if not (value.isascii() and value.isdigit() and len(value) in (2, 4)):
                    raise ValueError(f"{value!r} is not a kommunkod (4 digits) or länskod (2)")
        return values


@dataclass(frozen=True, slots=True)
class _Message:
    identifier: str
    sent: datetime
    kind: str  # Alert | Update | Cancel
    references: tuple[str, ...]
    info: dict[str, Any] | None
    raw: str


class VmaSource(Source):
    """VMA messages, one incident per alert, its updates and cancellation as versions."""

    kind: ClassVar[str] = "vma"
    Settings: ClassVar[type[SourceSettings]] = VmaSettings
    settings: VmaSettings

    def fetch(self, ctx: FetchContext) -> Batch:
        batch = Batch()
        home = municipalities.lookup(ctx.municipality)
        messages: dict[str, _Message] = {}
        skipped: dict[str, int] = {}
        for where, payload in self._payloads(ctx, home, batch):
            for index, alert in enumerate(_alerts(payload, where)):
                try:
                    message = _message(alert)
                except RecordError as exc:
                    batch.problems.append(f"{self.name}: {where}: alert {index}: {exc}")
                    continue
                if isinstance(message, str):
                    skipped[message] = skipped.get(message, 0) + 1
                else:
                    messages.setdefault(message.identifier, message)
        if skipped:
            counts = ", ".join(f"{count} {status}" for status, count in sorted(skipped.items()))
            batch.problems.append(f"{self.name}: alerts that are not real VMA skipped ({counts})")
        ordered = sorted(messages.values(), key=lambda m: (m.sent, m.identifier))
        self._versions(ordered, home, ctx, batch)
        return batch

    def _payloads(
        self, ctx: FetchContext, home: municipalities.Municipality | None, batch: Batch
    ) -> list[tuple[str, Any]]:
        if self.settings.path is not None:
            return recorded_payloads(self.name, self.settings.path, batch)
        url = str(self.settings.url)
        if TEST_ENDPOINT in url:
            raise SourceError(
                f"{url} is Sveriges Radio's test endpoint: its test alerts are never shown",
                "use https://vmaapi.sr.se/api/v3/alerts",
            )
        return [(ask, get_json(ctx, ask, self.settings)) for ask in self._urls(url, home)]

    def _urls(self, url: str, home: municipalities.Municipality | None) -> list[str]:
        base = httpx.URL(url)
        if "geocode" in base.params:
            return [url]
        codes = self.settings.geocodes
        if codes is None:
            codes = (home.code, home.county_code) if home else ()
        if not codes:
            return [url]
        return [str(base.copy_merge_params({"geocode": code})) for code in codes]

    def _versions(
        self,
        messages: list[_Message],
        home: municipalities.Municipality | None,
        ctx: FetchContext,
        batch: Batch,
    ) -> None:
        """One version per message, oldest first; the state keeps what a later one needs."""
        roots = remembered(ctx.state, _ROOT)
        known = {
            root: found
            for root, text in remembered(ctx.state, _ALERT).items()
            if (found := recall(text, self.name, self.origin)) is not None
        }
        applied = remembered(ctx.state, _SENT)
        for message in messages:
            root = message.identifier
            if message.kind != "Alert" and message.references:
                root = roots.get(message.references[0], message.references[0])
            roots[message.identifier] = root
            if (last := applied.get(root)) and message.sent <= datetime.fromisoformat(last):
                continue  # applied by an earlier run (a feed lists each message for a while)
            incident = self._incident(message, root, known.get(root), home, ctx)
            known[root] = incident
            applied[root] = message.sent.isoformat()
            batch.incidents.append(incident)
        newest = sorted(
            (incident for root, incident in known.items() if root in applied),
            key=lambda incident: incident.published_at,
        )[-KEEP:]
        kept = {incident.key: incident for incident in newest}
        batch.state.update({_ALERT + root: remember(incident) for root, incident in kept.items()})
        batch.state.update({_SENT + root: applied[root] for root in kept})
        batch.state.update({_ROOT + ref: root for ref, root in roots.items() if root in kept})

    def _incident(
        self,
        message: _Message,
        root: str,
        before: Incident | None,
        home: municipalities.Municipality | None,
        ctx: FetchContext,
    ) -> Incident:
        if message.info is not None:
            municipality, county, location = _placement(message.info, home)
            incident = Incident(
                source=self.name,
                key=root,
                origin=self.origin,
                type=TYPE,
                title=_title(message.info, location),
                summary=text_of(message.info.get("description")),
                published_at=before.published_at if before else message.sent,
                url=http_link(message.info.get("web")),
                municipality=municipality,
                county=county,
                location=location,
                text=text_of(message.info.get("instruction")),
                raw=message.raw,
            )
        elif before is not None:
            incident = replace(before, raw=message.raw)
        else:
            incident = Incident(
                source=self.name,
                key=root,
                origin=self.origin,
                type=TYPE,
                title="VMA",
                summary="",
                published_at=message.sent,
                raw=message.raw,
            )
        if message.kind != "Cancel":
            return incident
        at = message.sent.astimezone(ctx.tz)
        return replace(
            incident,
            title=CANCELLED + incident.title.removeprefix(CANCELLED),
            summary=f"VMA upphävt {at:%Y-%m-%d %H:%M}. {_original(incident.summary)}".strip(),
        )


def _alerts(payload: Any, where: str) -> list[Any]:
    alerts = payload.get("alerts") if isinstance(payload, dict) else None
    if not isinstance(alerts, list):
        raise SourceError(
            f"{where}: expected a JSON object with an `alerts` array",
            "is this Sveriges Radio's VMA API (vmaapi.sr.se/api/v3/alerts)?",
        )
    return alerts


def _message(alert: object) -> _Message | str:
    """The message, or the status of one that is not a real VMA (to be skipped)."""
    if not isinstance(alert, dict):
        raise RecordError(f"not an object but {type(alert).__name__}")
    identifier = text_of(alert.get("identifier"))
    if not identifier:
        raise RecordError("missing identifier")
    status = text_of(alert.get("status"))
    if status != "Actual":
        return status or "without status"
    kind = text_of(alert.get("msgType"))
    if kind not in _MESSAGE_TYPES:
        return kind or "without msgType"
    scope = text_of(alert.get("scope")) or "Public"
    if scope != "Public":
        return scope
    infos = alert.get("info")
    info = _swedish(infos) if isinstance(infos, list) else None
    if info is None and kind != "Cancel":
        raise RecordError(f"{identifier}: an {kind} without `info`")
    return _Message(
        identifier=identifier,
        sent=aware_time(alert.get("sent"), f"{identifier}: sent"),
        kind=kind,
        references=_references(alert.get("references")),
        info=info,
        raw=json.dumps(alert),
    )


def _swedish(infos: list[Any]) -> dict[str, Any] | None:
    blocks = [info for info in infos if isinstance(info, dict)]
    for block in blocks:
        if text_of(block.get("language")).lower().startswith("sv"):
            return block
    return blocks[0] if blocks else None


def _references(value: object) -> tuple[str, ...]:
    """The identifiers in CAP `references`: "sender,identifier,sent" entries, space-separated."""
    if not isinstance(value, str):
        return ()
    found = []
    for entry in value.split():
        parts = entry.split(",")
        if len(parts) >= 2 and parts[1].strip():
            found.append(clean_text(parts[1], single_line=True))
    return tuple(found)


def _codes(info: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Area descriptions and geocode values of an info block."""
    descriptions, codes = [], []
    areas = info.get("area")
    for area in areas if isinstance(areas, list) else []:
        if not isinstance(area, dict):
            continue
        if description := text_of(area.get("areaDesc")):
            descriptions.append(description)
        geocodes = area.get("geocode")
        for geocode in geocodes if isinstance(geocodes, list) else []:
            value = text_of(geocode.get("value")) if isinstance(geocode, dict) else ""
            if value.isascii() and value.isdigit():
                codes.append(value)
    return descriptions, codes


def _placement(
    info: dict[str, Any], home: municipalities.Municipality | None
) -> tuple[str | None, str | None, str]:
    """(municipality, county, area text): the home municipality when the VMA covers it."""
    descriptions, codes = _codes(info)
    location = "; ".join(dict.fromkeys(descriptions))
    if home is not None and ({home.code, home.county_code, WHOLE_COUNTRY} & set(codes)):
        return home.name, home.county, location
    places = [found for code in codes if len(code) == 4 and (found := municipalities.lookup(code))]
    if len({place.name for place in places}) == 1:
        return places[0].name, places[0].county, location
    counties = [places[0].county] if places else []
    named = (municipalities.county_by_code(code) for code in codes if len(code) == 2)
    counties += [county for county in named if county]
    return None, (counties[0] if counties else None), location


def _title(info: dict[str, Any], location: str) -> str:
    headline = text_of(info.get("headline"))
    if headline:
        return headline
    event = text_of(info.get("event")) or "Viktigt meddelande till allmänheten (VMA)"
    return f"{TYPE}: {location}" if location else event


def _original(summary: str) -> str:
    """A summary without the cancellation note an earlier version put in front of it."""
    if summary.startswith("VMA upphävt "):
        _, _, rest = summary.partition(". ")
        return rest
    return summary
