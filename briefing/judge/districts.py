"""A municipality's districts, made of Statistics Sweden's RegSO areas ("Källa: SCB").

By default every RegSO area is a district. `[districts]` in sources.toml groups them
into kommundelar (`Jakobsberg = ["Centrala Jakobsberg", "Nibble", …]`), every area in
exactly one group; without it, a grouping bundled in briefing/data/areas/kommundelar.toml
(Järfälla's four kommundelar) is used. The districts' polygons place every point (a
CSV row's coordinates, an event's own point); and when no gazetteer is bundled or
given, `starting_gazetteer` makes one from the area names and their parts
("Barkarby östra-Veddesta" → Barkarby, Veddesta), so that texts naming them are
placed from the first morning.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from functools import cache

from briefing.geo import areas
from briefing.geo.areanames import place_names
from briefing.geo.geometry import Box, District, Point, Polygon, Polygons, Ring
from briefing.judge.gazetteer import Entry, Gazetteer, fold
from briefing.models import DistrictShape
from briefing.sources import municipalities

Groups = Mapping[str, Sequence[str]]  # district -> RegSO area names (or codes)


def groups(municipality: str, configured: Groups | None = None) -> dict[str, tuple[str, ...]]:
    """The districts as groups of area names: the configured ones, else the bundled
    kommundelar, else the RegSO areas (`by_shared_names`)."""
    if configured:
        return {name: tuple(members) for name, members in configured.items()}
    code = areas.atlas().code_of(municipality)
    bundled = areas.atlas().groupings.get(code)
    if bundled is not None:
        return {name: tuple(members) for name, members in bundled["districts"].items()}
    return by_shared_names(code)


@cache
def by_shared_names(municipality: str) -> dict[str, tuple[str, ...]]:
    """One district per RegSO area, except that areas whose names share a place name are
    one district, named by it: "Ersboda nordöstra", "Ersboda västra" and "Ersboda
    centrala-Ersboda sydöstra" are Ersboda, because texts name Ersboda, not its parts.
    """
    known = areas.load(municipality)
    parent = {area.name: area.name for area in known.areas}

    def root(name: str) -> str:
        while parent[name] != name:
            name = parent[name]
        return name

    holders: dict[str, list[str]] = {}
    spelled: dict[str, str] = {}
    for area in known.areas:
        for name in place_names(area.name):
            if municipalities.lookup(name) is None:
                holders.setdefault(_key(name), []).append(area.name)
                spelled.setdefault(_key(name), name)
    for members in holders.values():
        for other in members[1:]:
            parent[root(other)] = root(members[0])
    joined: dict[str, list[str]] = {}
    for area in known.areas:
        joined.setdefault(root(area.name), []).append(area.name)
    found: dict[str, tuple[str, ...]] = {}
    for members in joined.values():
        shared = [spelled[k] for k, held in holders.items() if len(held) > 1 and held[0] in members]
        name = "-".join(shared) if len(members) > 1 and shared else members[0]
        found[name if name not in found else members[0]] = tuple(members)
    return found


def polygons(municipality: str, grouped: Groups) -> Polygons:
    """The districts' polygons: an area's own, or the union of a group's (when the areas
    do not dissolve cleanly, as where a hole touches its outer ring, the areas themselves)."""
    known = areas.load(municipality)
    found = []
    for name, members in grouped.items():
        parts = tuple(known.area(member).polygon for member in members)
        if len(parts) > 1:
            # when they do not dissolve, the members side by side: the same ground
            with contextlib.suppress(ValueError):
                parts = areas.dissolve(parts)
        box = Box.around(point for part in parts for point in part.outer)
        found.append(District(name, parts, box))
    return Polygons(found)


def shapes(gazetteer: Gazetteer | None) -> tuple[DistrictShape, ...]:
    """The gazetteer's districts for the map: outer rings and a centre, when it has polygons.

    The centre is the label point (a point well inside) of the district's RegSO area, or
    for a group, of its member area nearest the group's middle.
    """
    if gazetteer is None:
        return ()
    rings: dict[str, list[Ring]] = {}
    for district in gazetteer.polygons.districts if gazetteer.polygons else ():
        rings.setdefault(district.name, []).extend(part.outer for part in district.parts)
    labels = _labels(gazetteer.municipality)
    names = dict.fromkeys((*gazetteer.districts, *rings))
    return tuple(
        DistrictShape(name, tuple(rings.get(name, ())), _centre(rings.get(name, []), labels))
        for name in names
    )


def boundary(municipality: str) -> tuple[Ring, ...]:
    """The outer rings of the municipality's own outline."""
    return tuple(part.outer for part in areas.load(municipality).boundary)


def surroundings(municipality: str) -> tuple[DistrictShape, ...]:
    """The bordering municipalities' outlines (their outer rings), by SCB's adjacency."""
    found = []
    for code in areas.neighbours(municipality):
        other = areas.load(code)
        found.append(DistrictShape(other.name, boundary(code), other.areas[0].label))
    return tuple(found)


def _labels(municipality: str) -> tuple[Point, ...]:
    try:
        return tuple(area.label for area in areas.load(municipality).areas)
    except ValueError:
        return ()


def _centre(rings: Sequence[Ring], labels: Sequence[Point]) -> Point | None:
    """The label point inside the district nearest the middle of its largest ring."""
    if not rings:
        return None
    ring = max(rings, key=lambda r: abs(areas.signed_area(r)))
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    middle = ((min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2)
    inside = [p for p in labels if any(Polygon(r).contains(*p) for r in rings)]
    if not inside:
        return middle
    return min(inside, key=lambda p: (p[0] - middle[0]) ** 2 + (p[1] - middle[1]) ** 2)


def area_district(municipality: str, grouped: Groups) -> dict[str, str]:
    """RegSO code -> the district it is in."""
    known = areas.load(municipality)
    return {known.area(name).code: d for d, members in grouped.items() for name in members}


def starting_gazetteer(municipality: str, grouped: Groups) -> Gazetteer:
    """The districts, and every place name their RegSO names are made of, as a gazetteer.

    A name in areas of two districts gives no district (it is shown, not used to place);
    a name that an area of another municipality of the county has too is a homonym
    (never used alone to place an event the police gave only the county); a name that
    is an ordinary word ("Torget", "Bron") only matches when written as a name; the
    municipality's own name and every other municipality's are left out ("Sollentuna"
    in "Sollentuna centrum" would place every event of the municipality).
    """
    known = areas.load(municipality)
    owner = area_district(municipality, grouped)
    names: dict[str, Entry] = {}
    for district in grouped:
        names[_key(district)] = Entry(district, "district", district)
    found: dict[str, list[areas.Area]] = {}
    spelled: dict[str, str] = {}
    for area in known.areas:
        for name in place_names(area.name):
            key = _key(name)
            if key in names or municipalities.lookup(name) is not None:
                continue
            found.setdefault(key, []).append(area)
            spelled.setdefault(key, name)
    elsewhere = county_names(known.code)
    for key, where in found.items():
        districts = {owner[a.code] for a in where}
        single = where[0] if len(where) == 1 else None
        names[key] = Entry(
            spelled[key],
            "area",
            districts.pop() if len(districts) == 1 else None,
            common_noun=key in common_nouns(),
            homonym=key in elsewhere,
            lat=single.label[1] if single else None,
            lon=single.label[0] if single else None,
        )
    return Gazetteer(known.name, tuple(grouped), names)


def county_names(code: str) -> frozenset[str]:
    """The folded place names of the other municipalities' areas in the county of `code`."""
    return frozenset(key for key, codes in _county_index(code[:2]).items() if codes - {code})


def county_homonyms(code: str) -> dict[str, set[str]]:
    """Folded area names (and parts) -> the other municipalities of the county that have them."""
    return {
        key: {areas.load(other).name for other in codes - {code}}
        for key, codes in _county_index(code[:2]).items()
        if codes - {code}
    }


@cache
def _county_index(county: str) -> dict[str, set[str]]:
    """Folded area names and their parts -> the kommunkoder of the county that have them."""
    found: dict[str, set[str]] = {}
    for other in areas.atlas().codes:
        if other[:2] == county:
            for area in areas.load(other).areas:
                for name in (area.name, *place_names(area.name)):
                    found.setdefault(_key(name), set()).add(other)
    return found


@cache
def common_nouns() -> frozenset[str]:
    """Folded ordinary words that are place names too: only as names do they place."""
    return frozenset(_key(word) for word in _COMMON_NOUNS.split(","))


_COMMON_NOUNS = (
    "Torget, Torg, Centrum, Bron, Bro, Stäket, Staket, Skogen, Parken, Park, Stationen, Stan, "
    "Staden, Hamnen, Hamn, Kyrkan, Sjön, Ängen, Backen, Gården, Stranden, Strand, Berg, "
    "Berget, Dalen, Ön, Näset, Viken, Udden, Heden, Hagen, Kullen, Åsen, Egna hem, Fältet"
)


def _key(name: str) -> str:
    return fold(" ".join(name.split()))
