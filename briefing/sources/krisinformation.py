"""News from Krisinformation.se (MSB), API v3 (DOMAIN.md §4a), live or replayed from files.

`GET https://api.krisinformation.se/v3/news?days=N` is a JSON array of items,
one incident each, keyed by `Identifier`; an edited item (a VMA that is over,
a warning extended) comes back with the same identifier and is a new version.

Its quirks, handled here:

- `BodyText` and even `Preamble` are HTML (`&nbsp;`, lists): read as plain
  text, tags dropped, script and style content dropped with them; a literal
  `{0}` placeholder left by the publishing tool is removed.
- `Area` lists the places: `Country` ("Sverige", on almost every item),
  `County` ("Stockholms län"), `Municipality`, and `PoI` (a point). An item for
  the municipality's county, for the municipality, or with a point inside the
  municipality's boundary (SCB's RegSO areas) is placed in the municipality. An
  item whose only area is
  "Sverige" names no place: it is placed by its text, like a police summary,
  unless `nationwide = true` places all of them in the municipality.
- `Coordinate` is "lon,lat[ alt]": longitude first. Only a PoI's point is the
  incident's position; a county's or the country's is a centroid and unused.

An item is read again on every fetch while the feed lists it; a version
older than the newest seen (by `Updated`) is skipped, so replaying old files
changes nothing. The feed is sparse (a few items a month); Krisinformation.se
is named as the source.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, ClassVar

from pydantic import Field

from briefing.errors import SourceError
from briefing.geo import areas as scb_areas
from briefing.geo.geometry import in_sweden
from briefing.models import Incident
from briefing.sources import municipalities
from briefing.sources._authority import (
    AuthoritySettings,
    RecordError,
    aware_time,
    http_link,
    remembered_times,
    snapshots,
    text_of,
    times_to_remember,
)
from briefing.sources.base import Batch, FetchContext, Source, SourceSettings
from briefing.sources.rss import html_to_text

TYPE = "Krisinformation"
KEEP = 500  # items whose last update is remembered, so that a replay changes nothing
_NEWEST = "updated:"
_PLACEHOLDER = re.compile(r"\s*\{\d+\}\s*\.?")


class KrisinformationSettings(AuthoritySettings):
    """`[sources.NAME]` keys for kind "krisinformation"."""

    nationwide: bool = Field(
        default=False,
        description='place news whose only area is "Sverige" in the municipality (default: '
        "by the places its text names)",
    )


class KrisinformationSource(Source):
    """Krisinformation.se news items, placed by their areas."""

    kind: ClassVar[str] = "krisinformation"
    Settings: ClassVar[type[SourceSettings]] = KrisinformationSettings
    settings: KrisinformationSettings

    def fetch(self, ctx: FetchContext) -> Batch:
        batch = Batch()
        home = municipalities.lookup(ctx.municipality)
        payloads = snapshots(self.name, self.settings, ctx, batch)
        newest = remembered_times(ctx.state, _NEWEST)
        if not payloads:  # not modified, or no files: what was remembered stays
            batch.state = {**ctx.state, **batch.state}
            return batch
        for where, payload in payloads:
            if not isinstance(payload, list):
                raise SourceError(
                    f"{where}: expected a JSON array of news items, got {type(payload).__name__}",
                    "is this api.krisinformation.se/v3/news?",
                )
            for index, item in enumerate(payload):
                try:
                    incident, updated = self._incident(item, home)
                except RecordError as exc:
                    batch.problems.append(f"{self.name}: {where}: item {index}{_id(item)}: {exc}")
                    continue
                last = newest.get(incident.key)
                if last is None or updated >= last:  # else an older file's version (a replay)
                    newest[incident.key] = updated
                    batch.incidents.append(incident)
        batch.state.update(times_to_remember(newest, _NEWEST, KEEP))
        return batch

    def _incident(
        self, item: object, home: municipalities.Municipality | None
    ) -> tuple[Incident, datetime]:
        """The incident and when the item was last updated."""
        if not isinstance(item, dict):
            raise RecordError(f"not an object but {type(item).__name__}")
        key = _key(item.get("Identifier"))
        summary = html_to_text(item.get("Preamble")) or html_to_text(item.get("PushMessage"))
        title = html_to_text(item.get("Headline")) or summary[:80]
        if not title:
            raise RecordError("no Headline, Preamble or PushMessage")
        areas = [area for area in item.get("Area") or [] if isinstance(area, dict)]
        point = _point(areas)
        municipality, county = self._placement(areas, point, home)
        published = aware_time(item.get("Published"), "Published")
        updated = aware_time(item["Updated"], "Updated") if item.get("Updated") else published
        incident = Incident(
            source=self.name,
            key=key,
            origin=self.origin,
            type=TYPE,
            title=title,
            summary=summary,
            published_at=published,
            url=http_link(item.get("Web")),
            municipality=municipality,
            county=county,
            location="; ".join(_places(areas)),
            text=_PLACEHOLDER.sub(" ", html_to_text(item.get("BodyText"))).strip(),
            lat=point[1] if point else None,
            lon=point[0] if point else None,
            raw=json.dumps(item),
        )
        return incident, updated

    def _placement(
        self,
        areas: list[dict[str, Any]],
        point: tuple[float, float] | None,
        home: municipalities.Municipality | None,
    ) -> tuple[str | None, str | None]:
        """(municipality, county) from the item's areas; home when they cover it."""
        counties = [c for a in _typed(areas, "County") if (c := municipalities.county(a))]
        places = [m for a in _typed(areas, "Municipality") if (m := municipalities.lookup(a))]
        if home is not None:
            inside = point is not None and scb_areas.load(home.code).contains(*point)
            national = not counties and not places and bool(_typed(areas, "Country"))
            if (
                home.county in counties
                or home.name in {place.name for place in places}
                or inside
                or (national and self.settings.nationwide)
            ):
                return home.name, home.county
        if len(places) == 1:
            return places[0].name, places[0].county
        return None, counties[0] if counties else None


def _key(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip():
        raise RecordError("missing Identifier")
    return text_of(str(value))[:100]


def _id(item: object) -> str:
    if isinstance(item, dict) and item.get("Identifier") is not None:
        return f" (Identifier {text_of(str(item['Identifier']))[:20]})"
    return ""


def _typed(areas: list[dict[str, Any]], kind: str) -> list[str]:
    return [text_of(a.get("Description")) for a in areas if text_of(a.get("Type")) == kind]


def _places(areas: list[dict[str, Any]]) -> list[str]:
    """The area names but the country's, most specific first."""
    order = {"PoI": 0, "Municipality": 1, "County": 2}
    named = [a for a in areas if text_of(a.get("Type")) in order and text_of(a.get("Description"))]
    named.sort(key=lambda a: order[text_of(a.get("Type"))])
    return list(dict.fromkeys(text_of(a.get("Description")) for a in named))


def _point(areas: list[dict[str, Any]]) -> tuple[float, float] | None:
    """(lon, lat) of the first PoI with a usable point: "lon,lat[ alt]", longitude first."""
    for area in areas:
        if text_of(area.get("Type")) != "PoI":
            continue
        found = _coordinate(area.get("Coordinate")) or _coordinate_object(
            area.get("CoordinateObject")
        )
        if found is not None and in_sweden(found[1], found[0]):
            return found
    return None


def _coordinate(value: object) -> tuple[float, float] | None:
    if not isinstance(value, str):
        return None
    lon_text, _, rest = value.strip().partition(",")
    lat_text = rest.split()[0] if rest.split() else ""
    try:
        return float(lon_text), float(lat_text)
    except ValueError:
        return None


def _coordinate_object(value: object) -> tuple[float, float] | None:
    if not isinstance(value, dict):
        return None
    try:
        return float(value["Longitude"]), float(value["Latitude"])
    except (KeyError, TypeError, ValueError):
        return None
