"""Sweden's 290 municipalities and 21 counties (SCB's code list), and name matching.

Sources spell names loosely ("Upplands väsby", "Upplands-bro", "Dals-ed"), so
names are compared folded: case, hyphens and spaces do not count.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files


@dataclass(frozen=True, slots=True)
class Municipality:
    code: str
    name: str
    county_code: str
    county: str


def fold(name: str) -> str:
    """A name reduced for comparison: casefolded, hyphens and runs of space as one space."""
    return re.sub(r"[\s\-\u2010-\u2015]+", " ", name).strip().casefold()


@cache
def _table() -> tuple[dict[str, Municipality], dict[str, Municipality], dict[str, str]]:
    by_name: dict[str, Municipality] = {}
    by_code: dict[str, Municipality] = {}
    counties: dict[str, str] = {}
    text = files("briefing.data").joinpath("scb-kommuner.csv").read_text(encoding="utf-8")
    for row in csv.DictReader(text.splitlines()):
        m = Municipality(
            row["municipality_code"],
            row["municipality_name"],
            row["county_code"],
            row["county_name"],
        )
        by_name[fold(m.name)] = m
        by_code[m.code] = m
        counties[fold(m.county)] = m.county
    return by_name, by_code, counties


def lookup(name_or_code: str) -> Municipality | None:
    """The municipality for a name in any common spelling, or a four-digit code."""
    by_name, by_code, _ = _table()
    key = name_or_code.strip()
    if key.isdigit():
        return by_code.get(key.zfill(4))
    found = by_name.get(fold(key))
    if found is None and fold(key).endswith(" kommun"):
        found = by_name.get(fold(key)[: -len(" kommun")])
    return found


def canonical(name_or_code: str) -> str:
    """The SCB name for a loosely spelled name or a code; ValueError naming the value if none.

    For validators: pydantic reports the message under the key that held the value.
    """
    found = lookup(name_or_code)
    if found is None:
        raise ValueError(f"{name_or_code!r} is not a Swedish municipality name or kommunkod")
    return found.name


def county(name: str) -> str | None:
    """The canonical county name ("Stockholms län") for a loosely spelled one."""
    return _table()[2].get(fold(name))


def county_by_code(code: str) -> str | None:
    """The county name ("Stockholms län") for an SCB county code ("01", or "1")."""
    wanted = code.strip().zfill(2)
    return next((m.county for m in _table()[1].values() if m.county_code == wanted), None)
