"""`briefing places suggest`: a gazetteer to start from, for any municipality.

It joins what is known without any history (the districts, and the place names SCB's
RegSO area names are made of: briefing.judge.districts.starting_gazetteer) with what
the municipality's police history says (briefing.judge.suggest: the names the texts
use, with counts, likely area and ambiguity). Names used by areas of other
municipalities of the county are homonyms too. No data on localities (tätorter) is
bundled: the localities a gazetteer gets are those the area names and the police
texts give.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from briefing.geo import areas
from briefing.judge import districts
from briefing.judge.gazetteer import Entry, fold
from briefing.judge.suggest import Suggestion, county_texts_of, elsewhere, suggest
from briefing.judge.suggest_toml import render_toml
from briefing.models import Incident


def suggestions(
    municipality: str,
    incidents: Iterable[Incident],
    grouped: Mapping[str, Sequence[str]],
    *,
    min_count: int = 2,
) -> tuple[list[Suggestion], int]:
    """The suggested places of the municipality's events, and how many events were read.

    The area names and their parts come first with what the texts say of them (a part
    never named is still listed, with a count of 0), then every other name the texts
    use at least `min_count` times.
    """
    every = list(incidents)
    starting = districts.starting_gazetteer(municipality, grouped)
    entries = starting.entries()
    area_of = {e.name: e.district for e in entries if e.district}
    latest: dict[str, Incident] = {}
    for incident in every:
        if incident.municipality == municipality:
            latest[incident.key] = incident
    events = [
        (i.title, i.summary, i.text)
        for i in sorted(latest.values(), key=lambda i: (i.published_at, i.key))
    ]
    homonyms = elsewhere(county_texts_of(every, {}, municipality), municipality)
    for key, others in districts.county_homonyms(areas.atlas().code_of(municipality)).items():
        homonyms.setdefault(key, set()).update(others)
    found = suggest(events, municipality, areas=area_of, homonyms=homonyms, min_count=1)
    named = {fold(s.name): s for s in found}
    parts = [_part(e, named.get(fold(e.name)), homonyms) for e in entries if e.kind != "district"]
    listed = {fold(p.name) for p in parts} | {fold(d) for d in grouped}
    rest = [s for s in found if fold(s.name) not in listed and s.count >= min_count]
    return [*parts, *rest], len(events)


def render(
    municipality: str,
    incidents: Iterable[Incident],
    grouped: Mapping[str, Sequence[str]],
    *,
    min_count: int = 2,
) -> str:
    """The suggestions as a gazetteer file (TOML) to paste and confirm."""
    found, count = suggestions(municipality, incidents, grouped, min_count=min_count)
    return render_toml(found, municipality, districts=grouped, events=count)


def _part(
    entry: Entry, said: Suggestion | None, homonyms: Mapping[str, Iterable[str]]
) -> Suggestion:
    """An area name's part as a suggestion: its district from the areas, counts from the texts."""
    elsewhere_in = tuple(sorted(homonyms.get(fold(entry.name), ())))
    if said is None:
        return Suggestion(
            name=entry.name,
            kind="area",
            count=0,
            area=entry.district,
            homonym_in=elsewhere_in,
            common_noun=entry.common_noun,
            rules=("area name",),
        )
    return Suggestion(
        name=entry.name,
        kind="area",
        count=said.count,
        aliases=said.aliases,
        area=entry.district,
        homonym_in=tuple(sorted({*said.homonym_in, *elsewhere_in})),
        lower_case=said.lower_case,
        common_noun=said.common_noun or entry.common_noun,
        rules=("area name", *said.rules),
    )
