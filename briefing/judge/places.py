"""Where an incident happened: municipality, kommundel, place, point, and how precisely.

`resolve` is pure. The kommundel comes only from the gazetteer of the
briefing's own municipality and only for incidents in that municipality:
"Viksjö" is also a place in Härnösand, "Skälby" in Västerås, "Jakobsberg" in
Uddevalla. When the text names no place that lies in one kommundel, `district`
stays None: a road through several kommundelar, or only "Järfälla", is never
turned into a guess. An incident that carries its own coordinates is placed by
the district polygons, when they are configured, whatever its text says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

from briefing.errors import ConfigError
from briefing.geo.geometry import Polygons, in_sweden
from briefing.judge.gazetteer import KINDS, Entry, Gazetteer, Match, fold
from briefing.judge.summaries import is_summary
from briefing.judge.wordmatch import Text
from briefing.models import Incident, Place, Precision

if TYPE_CHECKING:
    from briefing.config import Config

API_SUMMARY_LENGTH = 110  # the events API cuts `summary` here (DOMAIN.md §1)
__all__ = ["KINDS", "Area", "Entry", "Gazetteer", "Match", "configured", "fold", "resolve"]


@dataclass(frozen=True, slots=True)
class Area:
    """The briefing's municipality and its neighbours, canonical SCB names."""

    municipality: str
    county: str
    neighbours: tuple[str, ...]


def configured(config: Config) -> Gazetteer | None:
    """The gazetteer of `[places]` (default: the bundled one, else one made from the RegSO
    names), with the district polygons: `[places] polygons`, else the RegSO areas grouped
    as `[districts]` says (briefing.judge.districts)."""
    from briefing.judge import districts

    home = config.municipality.name
    section = config.places
    gazetteer = Gazetteer.load(section.gazetteer) if section.gazetteer else Gazetteer.bundled(home)
    if gazetteer is not None and gazetteer.municipality != home:
        where = section.gazetteer or "the bundled gazetteer"
        raise ConfigError(
            [f"{where}: is for {gazetteer.municipality}, the briefing for {home}"],
            "give the gazetteer of the briefing's municipality in [places] gazetteer",
        )
    if section.polygons is not None:
        if gazetteer is None:
            raise ConfigError(
                [f"{section.polygons}: district polygons need a gazetteer naming the kommundelar"],
                "set [places] gazetteer",
            )
        return gazetteer.with_polygons(Polygons.load(section.polygons, gazetteer.districts))
    grouped = districts.groups(home, config.districts)
    if gazetteer is None:
        gazetteer = districts.starting_gazetteer(home, grouped)
    # A gazetteer's own kommundelar must be the areas' groups (one more, still without an
    # outline, is allowed: it is listed, not drawn); names of another scheme are an error.
    unknown = [name for name in gazetteer.districts if name not in grouped]
    if gazetteer.districts and len(unknown) == len(gazetteer.districts):
        where = section.gazetteer or "the bundled gazetteer"
        raise ConfigError(
            [
                f"{where}: districts {', '.join(unknown)} are not the districts of "
                f"{config.path} ({', '.join(grouped)})"
            ],
            "group the RegSO areas in [districts] under the gazetteer's district names",
        )
    return gazetteer.with_polygons(districts.polygons(home, grouped))


def resolve(incident: Incident, area: Area, gazetteer: Gazetteer | None) -> Place:
    """Municipality, kommundel, most specific place, its point and precision, with reasons."""
    # Most of a national store: a municipality given (not the gazetteer's) and no point.
    # What the rest would find, sooner.
    named = incident.municipality
    pointless = incident.lat is None or incident.lon is None
    if named and pointless and (gazetteer is None or named != gazetteer.municipality):
        return _municipal(named)
    point, why = _own_point(incident)
    # The text is read only when the municipality is not given or is the gazetteer's:
    # most events of a national store are neither.
    text = None if incident.municipality else _text(incident)
    municipality, reasons = _municipality(incident, area, gazetteer, text or "", point)
    reasons = (*why, *reasons)
    if municipality is None:
        return Place(None, precision=Precision.COUNTY, reasons=reasons) if reasons else _NOWHERE
    if gazetteer is None or municipality != gazetteer.municipality:
        if reasons:
            place = Place(municipality, precision=Precision.MUNICIPALITY, reasons=reasons)
        else:
            place = _municipal(municipality)
    else:
        text = _text(incident) if text is None else text
        matches = gazetteer.find(text) + _cut_off_name(incident.summary, gazetteer)
        place = _place(municipality, matches, reasons)
    if point is None:
        return place
    home = gazetteer is not None and municipality == gazetteer.municipality
    return _at_point(place, point, gazetteer.polygons if gazetteer and home else None)


_NOWHERE = Place(None, precision=Precision.COUNTY)
# A municipality and nothing more said of it: one Place each, shared (it is frozen), since
# most incidents of a national store are placed so; made anew past _MUNICIPAL_MAX names.
_MUNICIPAL: dict[str, Place] = {}
_MUNICIPAL_MAX = 2_000


def _municipal(municipality: str) -> Place:
    """`Place(municipality, precision=Precision.MUNICIPALITY)`, made once per name."""
    found = _MUNICIPAL.get(municipality)
    if found is None:
        if len(_MUNICIPAL) >= _MUNICIPAL_MAX:
            _MUNICIPAL.clear()
        found = _MUNICIPAL[municipality] = Place(municipality, precision=Precision.MUNICIPALITY)
    return found


def _text(incident: Incident) -> str:
    """What names the place: title, summary, location and the page's text, except a
    summary's page, which names the places of many happenings (placed one by one)."""
    page = "" if is_summary(incident) else incident.text
    parts = (incident.title, incident.summary, incident.location, page)
    return "\n".join(part for part in parts if part)


def _cut_off_name(summary: str, gazetteer: Gazetteer) -> list[Match]:
    """The place whose name the police API's 110-character cut left unfinished.

    "… på en parkeringsplatsa i Barkar" names Barkarby when every name that
    starts so lies in one kommundel; a short or ordinary stub names nothing.
    """
    stub = re.search(r"(?<![\w-])([A-ZÅÄÖ][\w-]{3,})$", summary)
    if len(summary) < API_SUMMARY_LENGTH or stub is None:
        return []
    entries = gazetteer.completing(stub.group(1))
    districts = {entry.district for entry in entries}
    if not entries or len(districts) != 1 or None in districts:
        return []
    if any(entry.common_noun for entry in entries):
        return []
    return [Match(entries[0], f"{stub.group(1)}…", -1, -1)]


def _own_point(incident: Incident) -> tuple[tuple[float, float] | None, tuple[str, ...]]:
    """The incident's own coordinates, when it has usable ones."""
    if incident.lat is None or incident.lon is None:
        return None, ()
    if not in_sweden(incident.lat, incident.lon):
        return None, (f"point {incident.lat:.5f}, {incident.lon:.5f} is not in Sweden: ignored",)
    return (incident.lat, incident.lon), ()


def _at_point(place: Place, point: tuple[float, float], polygons: Polygons | None) -> Place:
    """The incident's own point is the most precise place there is; polygons decide the district."""
    lat, lon = point
    place = replace(place, lat=lat, lon=lon, precision=Precision.STREET)
    if polygons is None:
        return place
    district = polygons.district_of(lat, lon)
    where = f"point {lat:.5f}, {lon:.5f}"
    if district is None:
        why = f"{where} lies in no district polygon: no district"
    else:
        why = f"{where} lies in {district} (district polygons)"
    if place.district not in (None, district):
        why += f", not {place.district} as the text says"
    return replace(place, district=district, reasons=(*place.reasons, why))


def _municipality(
    incident: Incident,
    area: Area,
    gazetteer: Gazetteer | None,
    text: str,
    point: tuple[float, float] | None,
) -> tuple[str | None, tuple[str, ...]]:
    if incident.municipality:
        return incident.municipality, ()
    named = _named_municipality(text, (area.municipality, *area.neighbours))
    if named is not None:
        return named[0], (f"'{named[1]}' → {named[0]}",)
    if gazetteer is None:
        return None, ()
    polygons = gazetteer.polygons
    if point is not None and polygons and (district := polygons.district_of(*point)):
        return gazetteer.municipality, (f"the point lies in {district}, {gazetteer.municipality}",)
    if incident.county != area.county:
        return None, ()
    for match in gazetteer.find(text):
        entry = match.entry
        if entry.district and not (entry.homonym or entry.common_noun):
            return gazetteer.municipality, (f"'{match.written}' is in {gazetteer.municipality}",)
    return None, ()


def _named_municipality(text: str, names: tuple[str, ...]) -> tuple[str, str] | None:
    """The municipality the text names first: "i Järfälla", "Järfällas", "Järfälla kommun"."""
    # A name the lowered text does not hold cannot match: most texts name none of them.
    lowered = Text(text).lowered
    hits = [
        (hit.start(), name, hit.group(0))
        for name in names
        if (lowered is None or _lowered_name(name) in lowered)
        and (hit := _mention_pattern(name).search(text))
    ]
    if not hits:
        return None
    _, name, written = min(hits)
    return name, written


@cache
def _lowered_name(name: str) -> str:
    """The name as the lowered text would hold it; "" (in every text) when lowering it
    is not safe, so that the pattern decides."""
    return Text(name).lowered or ""


@cache
def _mention_pattern(name: str) -> re.Pattern[str]:
    word = re.escape(name)
    # "Stockholms län" and "mot Stockholm" (a direction) do not place an event.
    return re.compile(
        rf"(?:\b(?:i|från|vid|utanför|centrala|norra|södra|västra|östra)\s+{word}\b"
        rf"|\b{word}s?\s+kommun\b|\b{word}s\b)(?!\s+län)",
        re.IGNORECASE,
    )


def _place(municipality: str, matches: list[Match], reasons: tuple[str, ...]) -> Place:
    if not matches:
        return Place(municipality, precision=Precision.MUNICIPALITY, reasons=reasons)
    district, why = _district(matches)
    top = max(m.entry.rank for m in matches)
    candidates = [m for m in matches if m.entry.rank == top]
    best = next((m for m in candidates if m.entry.district == district), candidates[0]).entry
    if best.confirm_point:
        why = (*why, f"the point of '{best.name}' is approximate, to be confirmed")
    return Place(
        municipality,
        district=district,
        place=best.name,
        precision=best.precision,
        reasons=(*reasons, *why),
        lat=best.lat,
        lon=best.lon,
        kind=best.kind,
    )


def _district(matches: list[Match]) -> tuple[str | None, tuple[str, ...]]:
    """The kommundel of the most specific located place; None when they disagree."""
    roads = tuple(
        dict.fromkeys(
            f"'{m.written}': not within one kommundel, no district"
            for m in matches
            if m.entry.district is None
        )
    )
    located = [m for m in matches if m.entry.district is not None]
    if not located:
        return None, roads
    # an entry still to be confirmed never overrules what the text says elsewhere
    located = [m for m in located if not m.entry.confirm] or located
    top = max(m.entry.rank for m in located)
    best = [m for m in located if m.entry.rank == top]
    districts = list(dict.fromkeys(m.entry.district for m in best))
    if len(districts) > 1:
        # a broader mention ("i Jakobsberg") may settle which street is meant
        broader = {m.entry.district for m in located if m.entry.rank < top}
        districts = [d for d in districts if d in broader] or districts
    if len(districts) > 1:
        return None, (*roads, f"names places in {' and '.join(map(str, districts))}: no district")
    chosen = next(m for m in best if m.entry.district == districts[0])
    confirm = " (gazetteer entry to be confirmed)" if chosen.entry.confirm else ""
    return districts[0], (*roads, f"'{chosen.written}' → {districts[0]}{confirm}")
