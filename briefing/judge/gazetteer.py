"""The gazetteer: one municipality's kommundelar, places and streets, from TOML.

The file format is documented in its bundled example,
briefing/data/gazetteer/jarfalla.toml, and in README.md. Loading validates
every entry and reports every problem at once, with file, line and entry.
`find` returns every place a text names, longest spelling first, with the
guards that keep ordinary words ("bron", "ett staket") from becoming places.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, PlainValidator, ValidationInfo, model_validator

from briefing.config import tomllines
from briefing.config.tomllines import Flag
from briefing.errors import ConfigError
from briefing.geo.geometry import Polygons, in_sweden
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
        return _read(tomllines.read(text, source, "fix the gazetteer"), text, source)

    def with_polygons(self, polygons: Polygons | None) -> Gazetteer:
        return Gazetteer(self.municipality, self.districts, self._names, polygons)

    def entry(self, name: str) -> Entry | None:
        """The entry a name (in any listed spelling) stands for."""
        return self._names.get(fold(" ".join(name.split())))

    def entries(self) -> tuple[Entry, ...]:
        """Every entry once (an entry has one key per spelling), in file order."""
        return tuple({id(entry): entry for entry in self._names.values()}.values())

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


def _degrees(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number of decimal degrees (WGS84)")
    return float(value)


def _names(value: Any) -> list[str]:
    if not (isinstance(value, list) and all(isinstance(name, str) for name in value)):
        raise ValueError("must be a list of names")
    return value


def _confirm(value: Any) -> bool | str:
    if type(value) is bool:
        return value
    if value != "point":
        raise ValueError('must be true, false or "point"')
    return "point"


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("a name is required")
    return value


def _district_kind(value: Any) -> str:
    if value != "district":
        raise ValueError(
            "a [[districts]] entry is of kind 'district'; list places under [[places]]"
        )
    return "district"


def _place_kind(value: Any) -> str:
    if value not in PLACE_KINDS:
        raise ValueError(f"{value!r} is not one of {', '.join(PLACE_KINDS)}")
    return str(value)


def _district(value: Any, info: ValidationInfo) -> str:
    if value not in (info.context or {}).get("districts", ()):
        raise ValueError(f"unknown district {value!r}")
    return str(value)


Degrees = Annotated[float, PlainValidator(_degrees)]


class _EntryTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, PlainValidator(_name)]
    aliases: Annotated[list[str], PlainValidator(_names)] = []
    common_noun: Flag = False
    homonym: Flag = False
    confirm: Annotated[bool | str, PlainValidator(_confirm)] = False  # or "point"
    note: str = ""
    lat: Degrees | None = None
    lon: Degrees | None = None

    @model_validator(mode="after")
    def _point_in_sweden(self) -> Self:
        if self.lat is None and self.lon is None:
            return self
        if self.lat is None or self.lon is None:
            raise ValueError("lat and lon must both be given, as decimal degrees (WGS84)")
        if not in_sweden(self.lat, self.lon):
            raise ValueError(
                f"lat {self.lat}, lon {self.lon} is not in Sweden "
                "(latitude 55–69.5, longitude 10.5–24.5)"
            )
        return self

    def entry(self, kind: str, district: str | None) -> Entry:
        return Entry(
            self.name,
            kind,
            district,
            common_noun=self.common_noun,
            homonym=self.homonym,
            confirm=self.confirm is True,
            lat=self.lat,
            lon=self.lon,
            confirm_point=self.confirm == "point",
        )


class DistrictTable(_EntryTable):
    kind: Annotated[str, PlainValidator(_district_kind)] = "district"


class PlaceTable(_EntryTable):
    kind: Annotated[str, PlainValidator(_place_kind)]
    district: Annotated[str, PlainValidator(_district)] | None = None


class GazetteerFile(BaseModel):
    """The schema of a gazetteer file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    municipality: Annotated[str, PlainValidator(_name)]
    districts: list[DistrictTable] = []
    places: list[PlaceTable] = []


def _read(data: dict[str, Any], text: str, source: str) -> Gazetteer:
    """The gazetteer of a parsed file; ConfigError with every problem found."""
    problems = tomllines.Problems(source, text, data)
    districts = data.get("districts")
    known = (
        [t.get("name") for t in districts if isinstance(t, dict)]
        if isinstance(districts, list)
        else []
    )
    found = tomllines.validate(GazetteerFile, data, problems, context={"districts": known})
    _spelled_twice(data, problems)
    problems.check(f"fix the gazetteer {source}")
    assert found is not None
    names: dict[str, Entry] = {}
    for table in found.districts:
        entry = table.entry("district", table.name)
        names.update(dict.fromkeys(_spellings(table.name, table.aliases), entry))
    for place in found.places:
        entry = place.entry(place.kind, place.district)
        names.update(dict.fromkeys(_spellings(place.name, place.aliases), entry))
    return Gazetteer(found.municipality, tuple(t.name for t in found.districts), names)


def _spellings(name: str, aliases: list[str]) -> list[str]:
    return [fold(" ".join(spelling.split())) for spelling in (name, *aliases)]


def _spelled_twice(data: dict[str, Any], problems: tomllines.Problems) -> None:
    """One spelling for two entries: the text could not say which is meant."""
    seen: dict[str, tuple[str, str, object]] = {}  # folded -> name, kind, which entry
    for key in ("districts", "places"):
        tables = data.get(key)
        for index, table in enumerate(tables if isinstance(tables, list) else ()):
            name, aliases = (
                (table.get(k) for k in ("name", "aliases"))
                if isinstance(table, dict)
                else (None, None)
            )
            if not isinstance(name, str):
                continue
            kind = "district" if key == "districts" else table.get("kind")
            others = aliases if isinstance(aliases, list) else []
            for spelling in [name, *(a for a in others if isinstance(a, str))]:
                folded = fold(" ".join(spelling.split()))
                first = seen.setdefault(folded, (name, str(kind), (key, index)))
                if first[2] != (key, index):
                    problems.add(
                        (key, index),
                        f"'{spelling}' is listed for both '{first[0]}' ({first[1]}) "
                        f"and '{name}' ({kind})",
                    )
