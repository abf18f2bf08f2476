"""The gazetteer: one municipality's kommundelar, places and streets, from TOML.

The file format is documented in its bundled example,
briefing/data/gazetteer/jarfalla.toml, and in README.md. Loading validates
every entry and reports every problem at once, with file, line and entry.
`find` returns every place a text names, longest spelling first, with the
guards that keep ordinary words ("bron", "ett staket") from becoming places.
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

from briefing.config import tomllines
from briefing.errors import ConfigError
from briefing.judge.geo import Polygons, in_sweden
from briefing.models import Precision

# kind -> (precision, specificity): the most specific place a text names wins.
KINDS: dict[str, tuple[Precision, int]] = {
    "district": (Precision.DISTRICT, 1),
    "area": (Precision.PLACE, 2),
    "industrial": (Precision.PLACE, 2),
    "nature": (Precision.PLACE, 2),
    "centre": (Precision.PLACE, 3),
    "station": (Precision.PLACE, 3),
    "school": (Precision.PLACE, 3),
    "commercial": (Precision.PLACE, 3),
    "landmark": (Precision.PLACE, 3),
    "street": (Precision.STREET, 4),
    "road": (Precision.STREET, 4),
}
PLACE_KINDS = tuple(kind for kind in KINDS if kind != "district")
# Swedish genitive and definite endings a name carries in running text.
_ENDINGS = r"(?:s|n|en|et|ns|ens|ets)?"
# "på E18 mellan Barkarby och Hjulsta", "i höjd med Barkarby och Hjulsta": the
# ends of a stretch, not the spot.
_BETWEEN = re.compile(
    r"\b(?:mellan|i höjd med)\s[^.\n]{1,60}?\boch\s+(?-i:[A-ZÅÄÖ])[\w-]*", re.IGNORECASE
)
# Where a sentence starts, a capital letter says nothing about a name.
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+|\n\s*)$")
_TOP_KEYS = {"municipality", "districts", "places"}
_ENTRY_KEYS = {"name", "aliases", "common_noun", "homonym", "confirm", "note", "lat", "lon"}
_PLACE_KEYS = _ENTRY_KEYS | {"kind", "district"}
_FLAGS = ("common_noun", "homonym")


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    kind: str
    district: str | None
    common_noun: bool = False
    homonym: bool = False
    confirm: bool = False  # the entry (its district above all) is to be confirmed
    lat: float | None = None
    lon: float | None = None
    confirm_point: bool = False  # only the point is approximate

    @property
    def precision(self) -> Precision:
        return KINDS[self.kind][0]

    @property
    def rank(self) -> int:
        return KINDS[self.kind][1]

    @property
    def point(self) -> tuple[float, float] | None:
        return None if self.lat is None or self.lon is None else (self.lat, self.lon)


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
    """Kommundelar, places and streets of one municipality, loaded from TOML.

    `polygons`, when set, are the kommundelar's boundaries: for incidents that
    carry their own coordinates they decide the district.
    """

    def __init__(
        self,
        municipality: str,
        districts: tuple[str, ...],
        names: dict[str, Entry],
        polygons: Polygons | None = None,
    ):
        self.municipality = municipality
        self.districts = districts
        self.polygons = polygons
        self._names = names  # folded spelling -> entry
        spellings = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
        spellings = spellings or "(?!)"  # an empty gazetteer matches nothing
        self._pattern = re.compile(rf"(?<![\w-])({spellings})({_ENDINGS})(?![\w-])")

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
            raise ConfigError([tomllines.syntax_problem(source, exc, text)]) from exc
        return _Builder(text, source).build(data)

    def with_polygons(self, polygons: Polygons | None) -> Gazetteer:
        return Gazetteer(self.municipality, self.districts, self._names, polygons)

    def entry(self, name: str) -> Entry | None:
        """The entry a name (in any listed spelling) stands for."""
        return self._names.get(fold(" ".join(name.split())))

    def completing(self, fragment: str) -> list[Entry]:
        """The entries a cut-off name ("Barkar") may be the start of, shortest name first."""
        key = fold(fragment)
        found = {id(e): e for name, e in self._names.items() if name.startswith(key)}
        return sorted(found.values(), key=lambda entry: len(entry.name))

    def find(self, text: str) -> list[Match]:
        """Every place of this gazetteer the text names, in text order."""
        text = unicodedata.normalize("NFC", text)
        found = []
        for hit in self._pattern.finditer(fold(text)):
            entry = self._names[hit.group(1)]
            written = text[hit.start() : hit.end()]
            if entry.common_noun and not _written_as_name(text, hit.start(), hit.group(2)):
                continue  # "ett staket" is a fence, "Stäket" the place
            found.append(Match(entry, written, hit.start(), hit.end()))
        return _without_stretch_ends(found, text)


def _written_as_name(text: str, start: int, ending: str) -> bool:
    """A capital letter, and not only because a sentence starts: "Bron var avstängd"."""
    if not text[start : start + 1].isupper():
        return False
    definite = ending in ("n", "en", "et", "ns", "ens", "ets")
    return not (definite and _SENTENCE_START.search(text[max(0, start - 3) : start]))


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


class _Builder:
    """Validates the parsed TOML; every problem names file, line and entry."""

    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.text = text
        self.problems: list[str] = []

    def build(self, data: dict[str, Any]) -> Gazetteer:
        self.problems += [f"{self.source}: unknown key '{key}'" for key in data.keys() - _TOP_KEYS]
        municipality = data.get("municipality")
        if not isinstance(municipality, str) or not municipality.strip():
            self.problems.append(f"{self.source}: municipality: a name is required")
            municipality = ""
        districts = self._entries(data, "districts", ())
        names = tuple(e.name for e, _ in districts if e is not None)
        places = self._entries(data, "places", names)
        spellings = self._spellings(districts + places)
        if self.problems:
            raise ConfigError(self.problems, f"fix the gazetteer {self.source}")
        return Gazetteer(municipality, names, spellings)

    def _entries(
        self, data: dict[str, Any], key: str, districts: tuple[str, ...]
    ) -> list[tuple[Entry | None, list[str]]]:
        tables = data.get(key, [])
        if not isinstance(tables, list):
            self.problems.append(f"{self.source}: {key}: must be a list of [[{key}]] tables")
            return []
        lines = tomllines.array_table_lines(self.text, key)
        return [
            self._entry(table, self._where(key, i, lines), key == "districts", districts)
            for i, table in enumerate(tables)
        ]

    def _where(self, key: str, index: int, lines: list[int]) -> str:
        line = f":{lines[index]}" if index < len(lines) else ""
        return f"{self.source}{line}: {key}[{index}]"

    def _entry(
        self, table: Any, where: str, is_district: bool, districts: tuple[str, ...]
    ) -> tuple[Entry | None, list[str]]:
        if not isinstance(table, dict) or not isinstance(table.get("name"), str):
            self.problems.append(f"{where}: needs a `name`")
            return None, []
        where = f"{where} ('{table['name']}')"
        kind = "district" if is_district else table.get("kind")
        district = table["name"] if is_district else table.get("district")
        found = _entry_problems(table, kind, district, districts, is_district)
        self.problems += [f"{where}: {problem}" for problem in found]
        if found:
            return None, []
        confirm = table.get("confirm", False)
        entry = Entry(
            table["name"],
            str(kind),
            district,
            **{flag: table.get(flag, False) for flag in _FLAGS},
            confirm=confirm is True,
            lat=_number(table.get("lat")),
            lon=_number(table.get("lon")),
            confirm_point=confirm == "point",
        )
        return entry, [table["name"], *table.get("aliases", [])]

    def _spellings(self, entries: list[tuple[Entry | None, list[str]]]) -> dict[str, Entry]:
        names: dict[str, Entry] = {}
        for entry, spellings in entries:
            if entry is None:
                continue
            for spelling in spellings:
                key = fold(" ".join(spelling.split()))
                if key in names and names[key] is not entry:
                    self.problems.append(
                        f"{self.source}: '{spelling}' is listed for both '{names[key].name}' "
                        f"({names[key].kind}) and '{entry.name}' ({entry.kind})"
                    )
                names[key] = entry
        return names


def _entry_problems(
    table: dict[str, Any],
    kind: Any,
    district: Any,
    districts: tuple[str, ...],
    is_district: bool,
) -> list[str]:
    allowed = _ENTRY_KEYS | {"kind"} if is_district else _PLACE_KEYS
    found = [f"unknown key '{key}'" for key in sorted(table.keys() - allowed)]
    if is_district and table.get("kind", "district") != "district":
        found.append("a [[districts]] entry is of kind 'district'; list places under [[places]]")
    if not is_district and kind not in PLACE_KINDS:
        found.append(f"kind {kind!r} is not one of {', '.join(PLACE_KINDS)}")
    if not is_district and district is not None and district not in districts:
        found.append(f"unknown district {district!r}")
    aliases = table.get("aliases", [])
    if not (isinstance(aliases, list) and all(isinstance(a, str) for a in aliases)):
        found.append("aliases must be a list of names")
    found += [f"{k} must be true or false" for k in _FLAGS if type(table.get(k, False)) is not bool]
    if table.get("confirm", False) not in (True, False, "point"):
        found.append('confirm must be true, false or "point"')
    return found + _point_problems(table)


def _point_problems(table: dict[str, Any]) -> list[str]:
    lat, lon = table.get("lat"), table.get("lon")
    if lat is None and lon is None:
        return []
    north, east = _number(lat), _number(lon)
    if north is None or east is None:
        return ["lat and lon must both be given, as decimal degrees (WGS84)"]
    if not in_sweden(north, east):
        return [f"lat {lat}, lon {lon} is not in Sweden (latitude 55–69.5, longitude 10.5–24.5)"]
    return []


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
