"""Whom the chief may want to inform about an incident, and why. It suggests; it never sends.

The registry is a CSV file of schools, preschools, housing areas, businesses and
district centres (`[stakeholders] file`, else the one bundled for the
municipality). The notification rules are the `[[notify]]` tables of the rules
file (`[rules] file`, else briefing/data/rules.toml): which categories and
severities concern which kinds of stakeholder, within how many metres of the
incident or anywhere in its kommundel. `suggest` is pure.

Registry columns (a header row; lines starting with "#" are comments):

    name      required
    kind      school | preschool | housing | business | district_centre | other
    district  the kommundel (taken from `place` when left empty)
    place     a place of the gazetteer, instead of or as well as lat/lon
    lat, lon  WGS84 degrees, inside Sweden
    contact   whom to call or write (shown to the chief only)
    tags      words separated by ";", e.g. "trygghetsforum"
    note      free text
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.errors import ConfigError
from briefing.geo.geometry import haversine_m, in_sweden
from briefing.i18n import t
from briefing.judge.fuse import point
from briefing.judge.notify_rules import KINDS, NotifyRule, load_rules, parse_rules
from briefing.judge.places import Gazetteer, fold
from briefing.models import Item, Precision, Suggestion

if TYPE_CHECKING:
    from briefing.config import Config

__all__ = ["KINDS", "NotifyRule", "Registry", "Stakeholder", "for_config", "load_rules"]
__all__ += ["parse_rules", "suggest"]

COLUMNS = ("name", "kind", "district", "place", "lat", "lon", "contact", "tags", "note")
# Closer than this, a stakeholder is at the place rather than some metres from it.
AT_PLACE_METRES = 25
_NAMED = (Precision.STREET, Precision.PLACE)
# Places whose point is the middle of a neighbourhood ("Kallhäll", "Barkarby"): an incident
# placed no closer than that is, for `district_if_unplaced`, placed only in its kommundel.
COARSE_KINDS = frozenset({"district", "area"})


@dataclass(frozen=True, slots=True)
class Stakeholder:
    name: str
    kind: str
    district: str | None = None
    place: str | None = None
    lat: float | None = None
    lon: float | None = None
    contact: str = ""
    tags: frozenset[str] = frozenset()
    note: str = ""


class Registry:
    """The stakeholders of one municipality, validated."""

    def __init__(self, entries: tuple[Stakeholder, ...], source: str = "") -> None:
        self.entries = entries
        self.source = source

    def __iter__(self) -> Iterator[Stakeholder]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @classmethod
    def load(cls, path: Path, gazetteer: Gazetteer | None = None) -> Registry:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError([f"{path}: cannot read the stakeholder registry: {exc}"]) from exc
        return cls.parse(text, str(path), gazetteer)

    @classmethod
    def bundled(cls, municipality: str, gazetteer: Gazetteer | None = None) -> Registry | None:
        """The example registry shipped in briefing/data/stakeholders/, if there is one."""
        slug = re.sub(r"[^a-z0-9]+", "-", fold(municipality)).strip("-")
        resource = files("briefing.data").joinpath("stakeholders", f"{slug}.csv")
        if not resource.is_file():
            return None
        text = resource.read_text(encoding="utf-8-sig")
        return cls.parse(text, f"stakeholders/{slug}.csv", gazetteer)

    @classmethod
    def parse(cls, text: str, source: str, gazetteer: Gazetteer | None = None) -> Registry:
        """Every row checked; ConfigError lists each problem as file:line:column."""
        # Comment lines are blanked, not dropped, so csv's line numbers stay the file's.
        lines = ["" if line.lstrip().startswith("#") else line for line in text.splitlines()]
        reader = csv.reader(lines)
        problems: list[str] = []
        header = next((row for row in reader if row), None)
        if header is None:
            raise ConfigError([f"{source}: no header row"], "the first row names the columns")
        columns = _header(header, source, reader.line_num, problems)
        entries = []
        for row in reader:
            if not row or not any(cell.strip() for cell in row):
                continue
            where = _Where(source, reader.line_num, columns, problems)
            entry = _entry(dict(zip(header, row, strict=False)), where, gazetteer)
            if entry is not None:
                entries.append(entry)
        if problems:
            raise ConfigError(problems, f"fix the stakeholder registry {source}")
        return cls(tuple(entries), source)


@dataclass(frozen=True, slots=True)
class _Where:
    source: str
    line: int
    columns: dict[str, int]
    problems: list[str]

    def add(self, column: str, message: str) -> None:
        number = self.columns.get(column, 0) + 1
        self.problems.append(f"{self.source}:{self.line}:{number}: {column}: {message}")


def _header(header: list[str], source: str, line: int, problems: list[str]) -> dict[str, int]:
    columns = {name.strip(): n for n, name in enumerate(header)}
    for name, n in columns.items():
        if name not in COLUMNS:
            problems.append(f"{source}:{line}:{n + 1}: unknown column {name!r}")
    for name in ("name", "kind"):
        if name not in columns:
            problems.append(f"{source}:{line}: the column {name!r} is required")
    return columns


def _entry(row: dict[str, str], where: _Where, gazetteer: Gazetteer | None) -> Stakeholder | None:
    cell = {key.strip(): (value or "").strip() for key, value in row.items()}
    before = len(where.problems)
    if not cell.get("name"):
        where.add("name", "a name is required")
    kind = cell.get("kind", "")
    if kind not in KINDS:
        where.add("kind", f"unknown kind {kind!r} (one of: {', '.join(KINDS)})")
    lat, lon = _coordinates(cell, where)
    place, district, lat, lon = _located(cell, where, gazetteer, lat, lon)
    if lat is None and not cell.get("place") and district is None:
        where.add("lat", "needs lat and lon, a place or a district")
    if len(where.problems) > before:
        return None
    tags = frozenset(tag.casefold() for tag in re.split(r"[;\s]+", cell.get("tags", "")) if tag)
    return Stakeholder(
        cell["name"], kind, district, place, lat, lon, cell.get("contact", ""), tags,
        cell.get("note", ""),
    )  # fmt: skip


def _coordinates(cell: dict[str, str], where: _Where) -> tuple[float | None, float | None]:
    raw = {axis: cell.get(axis, "") for axis in ("lat", "lon")}
    if not raw["lat"] and not raw["lon"]:
        return None, None
    values: dict[str, float] = {}
    for axis in ("lat", "lon"):
        try:
            values[axis] = float(raw[axis].replace(",", "."))
        except ValueError:
            where.add(axis, f"{raw[axis]!r} is not a number (give both lat and lon)")
    if len(values) < 2:
        return None, None
    lat, lon = values["lat"], values["lon"]
    if not (math.isfinite(lat) and math.isfinite(lon) and in_sweden(lat, lon)):
        where.add("lat", f"{lat}, {lon} is not in Sweden (WGS84 decimal degrees)")
        return None, None
    return lat, lon


def _located(
    cell: dict[str, str],
    where: _Where,
    gazetteer: Gazetteer | None,
    lat: float | None,
    lon: float | None,
) -> tuple[str | None, str | None, float | None, float | None]:
    """The place's canonical name, the kommundel and a point, checked against the gazetteer."""
    place, district = cell.get("place") or None, cell.get("district") or None
    if gazetteer is None:
        return place, district, lat, lon
    if district is not None and district not in gazetteer.districts:
        known = ", ".join(gazetteer.districts)
        where.add("district", f"unknown kommundel {district!r} (one of: {known})")
    if place is None:
        return None, district, lat, lon
    entry = gazetteer.entry(place)
    if entry is None:
        where.add("place", f"{place!r} is not a name in the gazetteer")
        return None, district, lat, lon
    if district and entry.district and district != entry.district:
        where.add("district", f"{district!r}, but {entry.name} lies in {entry.district}")
    if lat is None and entry.point is not None:
        lat, lon = entry.point
    return entry.name, district or entry.district, lat, lon


def suggest(
    item: Item, registry: Registry | None, rules: tuple[NotifyRule, ...], lang: str = "sv"
) -> tuple[Suggestion, ...]:
    """The stakeholders the rules point to for a local item, nearest first, each once."""
    if registry is None or not item.local:
        return ()
    found: dict[tuple[str, str], tuple[float, Suggestion]] = {}
    for rule in rules:
        if not rule.concerns(item):
            continue
        for stakeholder in registry:
            if stakeholder.kind not in rule.kinds or not rule.tags <= stakeholder.tags:
                continue
            reach = _reach(item, stakeholder, rule, lang)
            key = (stakeholder.name, stakeholder.kind)
            if reach is None or (key in found and found[key][0] <= reach[0]):
                continue
            found[key] = (reach[0], _suggestion(stakeholder, rule, reach[1], lang))
    ranked = sorted(found.values(), key=lambda pair: (pair[0], KINDS.index(pair[1].kind)))
    return tuple(suggestion for _, suggestion in ranked)


_DISTRICT_WIDE = 1e9  # sorts a kommundel-wide suggestion after every measured one
_MUNICIPALITY_WIDE = 2e9  # and a municipality-wide one after those
# Placed in the municipality at most ("i Järfälla"): no kommundel, street or named place.
_COARSE = frozenset({Precision.MUNICIPALITY, Precision.COUNTY})


def _reach(item: Item, who: Stakeholder, rule: NotifyRule, lang: str) -> tuple[float, str] | None:
    """How far the stakeholder is from the incident, worded; None when out of the rule's reach.

    Measured when both have a point; else a stakeholder at the very place the
    incident names is at the place; else the rule may reach the whole kommundel.
    """
    named = item.place.place if item.place.precision in _NAMED else None
    spot = point(item)
    metres = None
    if spot is not None and who.lat is not None and who.lon is not None:
        metres = haversine_m(*spot, who.lat, who.lon)
    if (metres is not None and metres < AT_PLACE_METRES) or (
        metres is None and named and who.place and fold(named) == fold(who.place)
    ):
        return metres or 0.0, t(lang, "notify.at_place", place=named or who.name)
    distance = (
        None if metres is None else t(lang, "notify.distance", metres=f"{round(metres, -1):.0f}")
    )
    if metres is not None and rule.within_m is not None and metres <= rule.within_m:
        return metres, str(distance)
    district = item.place.district
    if not district and rule.municipality_if_unplaced and item.place.precision in _COARSE:
        return _MUNICIPALITY_WIDE, t(
            lang, "notify.municipality_unplaced", municipality=item.place.municipality or ""
        )
    if not district or who.district != district:
        return None
    if rule.in_district:
        where = t(lang, "notify.district", district=district)
        return metres or _DISTRICT_WIDE, f"{distance}, {where}" if distance else where
    if rule.district_if_unplaced and (spot is None or item.place.kind in COARSE_KINDS):
        return _DISTRICT_WIDE, t(lang, "notify.district_unplaced", district=district)
    return None


def _suggestion(who: Stakeholder, rule: NotifyRule, where: str, lang: str) -> Suggestion:
    tags = f", {', '.join(sorted(rule.tags))}" if rule.tags else ""
    return Suggestion(
        who.name,
        who.kind,
        f"{where}{tags}; {t(lang, 'notify.rule', rule=rule.name)}",
        contact=who.contact,
    )


def for_config(
    config: Config, gazetteer: Gazetteer | None
) -> tuple[Registry | None, tuple[NotifyRule, ...]]:
    """The registry (`[stakeholders] file`, else the bundled one, else none) and the rules."""
    path = config.stakeholders.file
    home = config.municipality.name
    registry = Registry.load(path, gazetteer) if path else Registry.bundled(home, gazetteer)
    return registry, load_rules(config.rules.file)
