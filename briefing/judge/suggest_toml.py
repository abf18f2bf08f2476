"""`places suggest`'s findings as a gazetteer file, to paste and then confirm.

The output is the format `briefing.judge.gazetteer` reads (documented in
briefing/data/gazetteer/jarfalla.toml): the areas as `[[districts]]`, every
suggested name as a `[[places]]` entry with `confirm = true`, `homonym` and
`common_noun` set where the texts say so, and a comment above each entry with
its count and why it got its district.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from briefing.judge.gazetteer import fold
from briefing.judge.suggest import Suggestion


def render_toml(
    suggestions: Sequence[Suggestion],
    municipality: str,
    *,
    districts: Iterable[str] = (),
    events: int | None = None,
) -> str:
    """A gazetteer file of the suggestions; `districts` are the area names to list.

    A suggestion named like a district becomes a comment on that district, not
    a place: one spelling may stand for one entry only.
    """
    names = list(dict.fromkeys([*districts, *(s.area for s in suggestions if s.area)]))
    as_district = {fold(name): name for name in names}
    counted = {fold(s.name): s for s in suggestions if fold(s.name) in as_district}
    read = f" in {events} police events" if events is not None else ""
    lines = [
        f"# Place names of {_comment(municipality)} found by `briefing places suggest`{read}.",
        "# Every entry is a suggestion (confirm = true): check its kind and district, delete",
        "# what is no place of the municipality, then drop `confirm` where you are sure.",
        "# Above each entry: how many events name it, why it has its district, and what",
        "# makes it ambiguous (HOMONYM: used in other municipalities' events of the county;",
        "# COMMON NOUN: an ordinary word too, so it matches only when written as a name).",
        "",
        f"municipality = {_string(municipality)}",
    ]
    for name in names:
        lines.append("")
        found = counted.get(fold(name))
        if found is not None:
            lines += _comments(found)
        lines += ["[[districts]]", f"name = {_string(name)}", *_flags(found), "confirm = true"]
    for suggestion in suggestions:
        if fold(suggestion.name) in as_district:
            continue
        lines += ["", *_comments(suggestion), "[[places]]"]
        lines += [f"name = {_string(suggestion.name)}", f"kind = {_string(suggestion.kind)}"]
        if suggestion.aliases:
            lines.append(f"aliases = [{', '.join(map(_string, suggestion.aliases))}]")
        if suggestion.area:
            lines.append(f"district = {_string(suggestion.area)}")
        lines += [*_flags(suggestion), "confirm = true"]
    return "\n".join(lines) + "\n"


def _comments(suggestion: Suggestion) -> list[str]:
    said = [f"{suggestion.count} event{'s' if suggestion.count != 1 else ''}"]
    if suggestion.area and not suggestion.area_votes:
        if fold(suggestion.area) != fold(suggestion.name):
            said.append(f"in {suggestion.area} by its name")
    elif suggestion.area:
        said.append(
            f"district: {suggestion.area} is named in {suggestion.area_votes} of the "
            f"{suggestion.area_events} events that also name an area"
        )
    elif suggestion.area_events:
        said.append(f"no district: the {suggestion.area_events} events that name an area disagree")
    if suggestion.homonym:
        said.append(f"HOMONYM: also in {', '.join(suggestion.homonym_in)}")
    if suggestion.common_noun:
        lower = (
            f", written lower-case {suggestion.lower_case} times" if suggestion.lower_case else ""
        )
        said.append(f"COMMON NOUN{lower}")
    return [f"# {_comment(part)}" for part in ("; ".join(said),)]


def _flags(suggestion: Suggestion | None) -> list[str]:
    if suggestion is None:
        return []
    return [
        *(["homonym = true"] if suggestion.homonym else []),
        *(["common_noun = true"] if suggestion.common_noun else []),
    ]


def _string(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's; DEL is escaped too)."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _comment(text: str) -> str:
    return " ".join(text.split())
