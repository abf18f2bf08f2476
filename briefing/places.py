"""Where an incident happened: municipality, kommundel, place, and how precisely.

`resolve` is pure. The kommundel comes only from the gazetteer of the
briefing's own municipality and only for incidents in that municipality:
"Viksjö" is also a place in Härnösand, "Skälby" in Västerås, "Jakobsberg" in
Uddevalla. When the text names no place that lies in one kommundel, `district`
stays None: a road through several kommundelar, or only "Järfälla", is never
turned into a guess.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from briefing.errors import ConfigError
from briefing.models import Incident, Place, Precision

# kind -> (precision, specificity): the most specific place a text names wins.
KINDS: dict[str, tuple[Precision, int]] = {
    "district": (Precision.DISTRICT, 1),
    "area": (Precision.PLACE, 2),
    "centre": (Precision.PLACE, 3),
    "station": (Precision.PLACE, 3),
    "school": (Precision.PLACE, 3),
    "landmark": (Precision.PLACE, 3),
    "street": (Precision.STREET, 4),
    "road": (Precision.STREET, 4),
}
# Swedish genitive and definite endings a name carries in running text.
_ENDINGS = r"(?:s|n|en|et|ns|ens|ets)?"
# "på E18 mellan Barkarby och Hjulsta", "i höjd med Barkarby och Hjulsta": the
# ends of a stretch, not the spot.
_BETWEEN = re.compile(
    r"\b(?:mellan|i höjd med)\s[^.\n]{1,60}?\boch\s+(?-i:[A-ZÅÄÖ])[\w-]*", re.IGNORECASE
)
_TOP_KEYS = {"municipality", "districts", "places"}
_ENTRY_KEYS = {"name", "aliases", "common_noun", "homonym", "confirm", "note"}
_PLACE_KEYS = _ENTRY_KEYS | {"kind", "district"}
_PLACE_KINDS = tuple(kind for kind in KINDS if kind != "district")


@dataclass(frozen=True, slots=True)
class Area:
    """The briefing's municipality and its neighbours, canonical SCB names."""

    municipality: str
    county: str
    neighbours: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    kind: str
    district: str | None
    common_noun: bool = False
    homonym: bool = False
    confirm: bool = False

    @property
    def precision(self) -> Precision:
        return KINDS[self.kind][0]

    @property
    def rank(self) -> int:
        return KINDS[self.kind][1]


@dataclass(frozen=True, slots=True)
class Match:
    entry: Entry
    written: str
    start: int
    end: int


def fold(text: str) -> str:
    """Case and diacritics folded, one character for one, so positions still match."""
    return "".join(_fold_char(char) for char in text)


@cache
def _fold_char(char: str) -> str:
    base = unicodedata.normalize("NFKD", char)[0].lower()
    return base if len(base) == 1 else char


class Gazetteer:
    """Kommundelar, places and streets of one municipality, loaded from TOML."""

    def __init__(self, municipality: str, districts: tuple[str, ...], names: dict[str, Entry]):
        self.municipality = municipality
        self.districts = districts
        self._names = names  # folded spelling -> entry
        spellings = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
        spellings = spellings or "(?!)"  # an empty gazetteer matches nothing
        self._pattern = re.compile(rf"(?<![\w-])({spellings}){_ENDINGS}(?![\w-])")

    @classmethod
    def load(cls, path: Path) -> Gazetteer:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError([f"{path}: cannot read the gazetteer: {exc}"]) from exc
        return cls.parse(text, str(path))

    @classmethod
    def bundled(cls, municipality: str) -> Gazetteer | None:
        """The gazetteer shipped in briefing/data/gazetteer/, if there is one."""
        return _bundled(re.sub(r"[^a-z0-9]+", "-", fold(municipality)).strip("-"))

    @classmethod
    def parse(cls, text: str, source: str) -> Gazetteer:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError([f"{source}: {exc}"]) from exc
        return _build(data, source)

    def find(self, text: str) -> list[Match]:
        """Every place of this gazetteer the text names, in text order."""
        text = unicodedata.normalize("NFC", text)
        found = []
        for hit in self._pattern.finditer(fold(text)):
            entry = self._names[hit.group(1)]
            written = text[hit.start() : hit.end()]
            if entry.common_noun and not written[:1].isupper():
                continue  # "ett staket" is a fence, "Stäket" the place
            found.append(Match(entry, written, hit.start(), hit.end()))
        return _without_stretch_ends(found, text)


@cache
def _bundled(slug: str) -> Gazetteer | None:
    resource = files("briefing.data").joinpath("gazetteer", f"{slug}.toml")
    if not resource.is_file():
        return None
    return Gazetteer.parse(resource.read_text(encoding="utf-8"), f"gazetteer/{slug}.toml")


def _without_stretch_ends(matches: list[Match], text: str) -> list[Match]:
    """Drop the ends of "mellan A och B" unless both are here and in one kommundel."""
    dropped: set[int] = set()
    for stretch in _BETWEEN.finditer(text):
        inside = [m for m in matches if stretch.start() <= m.start and m.end <= stretch.end()]
        districts = {m.entry.district for m in inside}
        if len(inside) < 2 or len(districts) != 1 or None in districts:
            dropped.update(id(m) for m in inside)
    return [m for m in matches if id(m) not in dropped]


def resolve(incident: Incident, area: Area, gazetteer: Gazetteer | None) -> Place:
    """Municipality, kommundel, most specific place and precision, with reasons."""
    text = "\n".join(
        part
        for part in (incident.title, incident.summary, incident.location, incident.text)
        if part
    )
    municipality, reasons = _municipality(incident, area, gazetteer, text)
    if municipality is None:
        return Place(None, precision=Precision.COUNTY, reasons=reasons)
    if gazetteer is None or municipality != gazetteer.municipality:
        return Place(municipality, precision=Precision.MUNICIPALITY, reasons=reasons)
    return _place(municipality, gazetteer.find(text), reasons)


def _municipality(
    incident: Incident, area: Area, gazetteer: Gazetteer | None, text: str
) -> tuple[str | None, tuple[str, ...]]:
    if incident.municipality:
        return incident.municipality, ()
    named = _named_municipality(text, (area.municipality, *area.neighbours))
    if named is not None:
        return named[0], (f"'{named[1]}' → {named[0]}",)
    if gazetteer is None or incident.county != area.county:
        return None, ()
    for match in gazetteer.find(text):
        entry = match.entry
        if entry.district and not (entry.homonym or entry.common_noun):
            return gazetteer.municipality, (f"'{match.written}' is in {gazetteer.municipality}",)
    return None, ()


def _named_municipality(text: str, names: tuple[str, ...]) -> tuple[str, str] | None:
    """The municipality the text names first: "i Järfälla", "Järfällas", "Järfälla kommun"."""
    hits = [
        (hit.start(), name, hit.group(0))
        for name in names
        if (hit := _mention_pattern(name).search(text))
    ]
    if not hits:
        return None
    _, name, written = min(hits)
    return name, written


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
    best = next((m for m in candidates if m.entry.district == district), candidates[0])
    return Place(
        municipality,
        district=district,
        place=best.entry.name,
        precision=best.entry.precision,
        reasons=(*reasons, *why),
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


def _build(data: dict[str, Any], source: str) -> Gazetteer:
    problems: list[str] = []
    problems += [f"{source}: unknown key '{key}'" for key in data.keys() - _TOP_KEYS]
    municipality = data.get("municipality")
    if not isinstance(municipality, str) or not municipality.strip():
        problems.append(f"{source}: municipality: a name is required")
        municipality = ""
    districts = [
        _entry(table, f"{source}: districts[{i}]", "district", (), problems)
        for i, table in enumerate(_tables(data, "districts", source, problems))
    ]
    district_names = tuple(e.name for e, _ in districts if e is not None)
    places = [
        _entry(table, f"{source}: places[{i}]", None, district_names, problems)
        for i, table in enumerate(_tables(data, "places", source, problems))
    ]
    names = _spellings(districts + places, source, problems)
    if problems:
        raise ConfigError(problems, f"fix the gazetteer {source}")
    return Gazetteer(municipality, district_names, names)


def _tables(data: dict[str, Any], key: str, source: str, problems: list[str]) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        problems.append(f"{source}: {key}: must be a list of [[{key}]] tables")
        return []
    return value


def _entry(
    table: Any, where: str, kind: str | None, districts: tuple[str, ...], problems: list[str]
) -> tuple[Entry | None, list[str]]:
    """One [[districts]] (kind "district") or [[places]] table, or None and its problems."""
    if not isinstance(table, dict) or not isinstance(table.get("name"), str):
        problems.append(f"{where}: needs a `name`")
        return None, []
    where = f"{where} ('{table['name']}')"
    kind = kind or table.get("kind")
    district = table["name"] if kind == "district" else table.get("district")
    found = _entry_problems(table, kind, district, districts)
    problems += [f"{where}: {problem}" for problem in found]
    if found:
        return None, []
    flags = {key: table.get(key, False) for key in ("common_noun", "homonym", "confirm")}
    return Entry(table["name"], str(kind), district, **flags), [
        table["name"],
        *table.get("aliases", []),
    ]


def _entry_problems(
    table: dict[str, Any], kind: Any, district: Any, districts: tuple[str, ...]
) -> list[str]:
    allowed = _ENTRY_KEYS if kind == "district" and "kind" not in table else _PLACE_KEYS
    found = [f"unknown key '{key}'" for key in sorted(table.keys() - allowed)]
    if kind not in _PLACE_KINDS and not (kind == "district" and "kind" not in table):
        found.append(f"kind {kind!r} is not one of {', '.join(_PLACE_KINDS)}")
    if kind != "district" and district is not None and district not in districts:
        found.append(f"unknown district {district!r}")
    aliases = table.get("aliases", [])
    if not (isinstance(aliases, list) and all(isinstance(a, str) for a in aliases)):
        found.append("aliases must be a list of names")
    flags = ("common_noun", "homonym", "confirm")
    found += [f"{k} must be true or false" for k in flags if type(table.get(k, False)) is not bool]
    return found


def _spellings(
    entries: list[tuple[Entry | None, list[str]]], source: str, problems: list[str]
) -> dict[str, Entry]:
    names: dict[str, Entry] = {}
    for entry, spellings in entries:
        if entry is None:
            continue
        for spelling in spellings:
            key = fold(" ".join(spelling.split()))
            if key in names and names[key] is not entry:
                problems.append(
                    f"{source}: '{spelling}' is listed for both '{names[key].name}' "
                    f"({names[key].kind}) and '{entry.name}' ({entry.kind})"
                )
            names[key] = entry
    return names
