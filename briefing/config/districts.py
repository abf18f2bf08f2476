"""`[districts]` in sources.toml: kommundelar as groups of SCB's RegSO areas, checked.

Every problem is reported with the file and line: a value that is not a list of names,
an area the municipality does not have (the message lists those it has), an area in two
groups, and areas left out of every group. briefing.judge.districts makes the polygons.
"""

from __future__ import annotations

from collections.abc import Mapping

from briefing.config import tomllines
from briefing.geo import areas


def check(table: object, municipality: str, problems: tomllines.Problems) -> None:
    """File `[districts]`'s problems: not a table of lists, an unknown area, an area twice."""
    if not isinstance(table, Mapping) or not table:
        problems.add(("districts",), 'must be a table of lists of RegSO names: X = ["A", "B"]')
        return
    try:
        known = areas.load(municipality)
    except ValueError:
        return  # [briefing] municipality reports it
    owner: dict[str, str] = {}
    for district, names in table.items():
        if not (isinstance(names, list) and names and all(isinstance(n, str) for n in names)):
            problems.add(("districts", district), "must be a non-empty list of RegSO area names")
            continue
        for index, name in enumerate(names):
            try:
                area = known.area(name)
            except KeyError:
                choices = ", ".join(a.name for a in known.areas)
                message = f"{name!r} is not a RegSO area of {known.name} (they are: {choices})"
                problems.add(("districts", district, index), message)
                continue
            if area.code in owner:
                message = f"{area.name!r} is already in district {owner[area.code]!r}"
                problems.add(("districts", district, index), message)
            owner.setdefault(area.code, district)
    left_out = [a.name for a in known.areas if a.code not in owner]
    if left_out and owner:
        problems.add(("districts",), f"areas of {known.name} in no district: {', '.join(left_out)}")
