"""Place names a municipality's police history uses: the start of its gazetteer.

`suggest` reads the texts of a municipality's police events (title, summary,
page) and lists the place names they use, with how many events name each, the
area each most likely lies in, and what makes a name unsafe to match alone. It
keeps to a few rules that say how the police write a place:

- after a preposition, a capitalised name: "i Rotebro", "vid Häggviks station",
  "i området kring Edsberg", "utanför Sollentuna centrum";
- a capitalised word ending like a street: "på Turebergsvägen", "Norrviksleden";
- a road number: "E4", "länsväg 503";
- a name that opens a line, then a comma: "Fridhem, resultat efter trafikkontroll";
- the last segment of a title, when it is not the municipality itself.

Once a rule has found a name, every event that writes it anywhere counts (as
the gazetteer would match it: case and diacritics folded, Swedish endings, a
capital letter unless the name is written in lower case), so "Rotebro" counts
the events that only say "Rotebro station" too. A word found only opening a
line and also written lower-case ("Bilen, som …") is left out.

A name is an **ambiguous** place when it is a *homonym* (found in events of
another municipality of the county that do not name this one) or a *common
noun*: on a short list of ordinary words that are place names too ("Torget",
"Centrum", "Bron", "Stäket"), or written lower-case at least
`LOWER_CASE_MIN` times in the texts (and in at least a quarter as many places
as it is named): "skogen", "backen". The area is the one the caller's area
names say: the name itself, or the area named with it often enough (see
`_area`; never for a road, which crosses areas). `suggest_toml.render_toml`
writes the suggestions as a gazetteer file, every entry to be confirmed.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

from briefing.judge.gazetteer import fold
from briefing.judge.suggest_rules import (
    COMMON_NOUNS,
    DIRECTIONS,
    ENDINGS,
    LOWER_WORD,
    NOT_PLACES,
    NOT_STREETS,
    WORD,
    fold_text,
    kind_of,
    mentions,
    without_generic,
)
from briefing.models import Incident
from briefing.sources.municipalities import county, lookup

LOWER_CASE_MIN = 3
AREA_VOTES_MIN = 2
AREAS_IN_A_LIST = 2


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A place name the texts use, and what is known about it."""

    name: str  # the spelling written most often
    kind: str  # a gazetteer kind, guessed from the name's ending
    count: int  # events that name it
    aliases: tuple[str, ...] = ()  # "Umeås centrum" for "Umeå centrum"
    area: str | None = None
    area_votes: int = 0  # events naming it that also name `area` (0: it is an area name)
    area_events: int = 0  # events naming it that name any area
    homonym_in: tuple[str, ...] = ()  # other municipalities of the county using the name
    lower_case: int = 0  # times written as an ordinary lower-case word
    common_noun: bool = False
    rules: tuple[str, ...] = ()  # which rules found it, most used first

    @property
    def homonym(self) -> bool:
        return bool(self.homonym_in)

    @property
    def ambiguous(self) -> bool:
        return self.homonym or self.common_noun


@dataclass(slots=True)
class _Tally:
    events: set[int] = field(default_factory=set)  # filled by the second pass
    written: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    aliases: set[str] = field(default_factory=set)


def names_in(texts: Iterable[str]) -> set[str]:
    """The folded place names these texts write (for homonyms seen elsewhere)."""
    return {fold(written) for text in texts for written, _ in mentions(text)}


def elsewhere(county_texts: Mapping[str, Iterable[str]], municipality: str) -> dict[str, set[str]]:
    """Folded name -> the other municipalities whose events write it.

    `county_texts` holds, per other municipality of the county, one text per
    event. An event that names `municipality` is left out: it may be about
    this municipality's place ("fled towards Rotebro in Sollentuna").
    """
    own = re.compile(rf"(?<![\w-]){re.escape(fold(municipality))}s?(?![\w-])")
    seen: dict[str, set[str]] = defaultdict(set)
    for other, texts in county_texts.items():
        if fold(other) == fold(municipality):
            continue
        for text in texts:
            if not own.search(fold_text(text)):
                for name in names_in([text]):
                    seen[name].add(other)
    return dict(seen)


def suggest(
    events: Iterable[Sequence[str]],
    municipality: str,
    *,
    areas: Mapping[str, str] | None = None,
    homonyms: Mapping[str, Collection[str]] | None = None,
    known: Collection[str] = (),
    min_count: int = 1,
) -> list[Suggestion]:
    """The place names of a municipality's police events, most named first.

    `events` gives each event's texts, title first (title, summary, page text).
    `areas` maps a place name (an area's name or a name it is made of) to its
    area; `homonyms` maps a folded name to the other municipalities of the
    county that use it (see `elsewhere`). Names in `known` (an existing
    gazetteer's) and names of municipalities and counties are left out.
    """
    area_of = {fold(name): area for name, area in (areas or {}).items()}
    skip = {fold(name) for name in known}
    # Every text once in NFC and once folded (one character for one: positions match).
    every = [
        [(t, fold_text(t)) for t in (unicodedata.normalize("NFC", text) for text in texts)]
        for texts in events
    ]
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    words: Counter[str] = Counter()  # folded lower-case words, for the common-noun rule
    for texts in every:  # the rules find the names ...
        for position, (text, _) in enumerate(texts):
            words.update(fold_text(" ".join(LOWER_WORD.findall(text))).split())
            for written, rule in mentions(text, title=position == 0):
                key = fold(written)
                if _wanted(key, municipality):
                    tallies[key].written[written] += 1
                    tallies[key].rules[rule] += 1
    merged = _merge_endings(tallies)
    wanted = {key: t for key, t in tallies.items() if key not in merged and key not in skip}
    # ... and every event that names them anywhere counts, as a gazetteer would match.
    spellings = {key: key for key in [*wanted, *area_of]}
    spellings |= {form: base for form, base in merged.items() if tallies[base].aliases}
    spotter = _Spotter(spellings, {k for k, t in wanted.items() if _lower(t)})
    named = [spotter.names(texts) for texts in every]
    for index, keys in enumerate(named):
        for key in keys & wanted.keys():
            wanted[key].events.add(index)
    found = []
    for key, tally in wanted.items():
        if len(tally.events) < max(min_count, 1):
            continue
        lower = sum(words[key + ending] for ending in ENDINGS)
        if lower and set(tally.rules) == {"line start"} and key not in COMMON_NOUNS:
            continue  # "Cyklisten, 45 år, …": a word that opens a line, not a name
        name = tally.written.most_common(1)[0][0]
        kind = kind_of(name)
        area, votes, voting = _area(key, tally.events, named, area_of, road=kind == "road")
        found.append(
            Suggestion(
                name=name,
                kind=kind,
                count=len(tally.events),
                aliases=tuple(sorted(tally.aliases)),
                area=area,
                area_votes=votes,
                area_events=voting,
                homonym_in=tuple(sorted(_homonym(key, homonyms or {}))),
                lower_case=lower,
                common_noun=key in COMMON_NOUNS
                or (lower >= LOWER_CASE_MIN and 4 * lower >= len(tally.events)),
                rules=tuple(rule for rule, _ in tally.rules.most_common()),
            )
        )
    return sorted(found, key=lambda s: (-s.count, fold(s.name)))


def suggest_from_incidents(
    incidents: Iterable[Incident],
    pages: Mapping[str, str],
    municipality: str,
    county_texts: Mapping[str, Iterable[str]] | None = None,
    *,
    areas: Mapping[str, str] | None = None,
    known: Collection[str] = (),
    min_count: int = 1,
) -> list[Suggestion]:
    """`suggest` over stored incidents: the municipality's events, one per key.

    `pages` gives the page text by incident key for incidents without
    `Incident.text`; `county_texts` the other municipalities' event texts
    (`county_texts_of` makes them from stored incidents; see `elsewhere`).
    """
    latest: dict[str, Incident] = {}  # the last version given of each event
    for incident in incidents:
        if incident.municipality == municipality:
            latest[incident.key] = incident
    events = [
        (i.title, i.summary, i.text or pages.get(i.key, ""))
        for i in sorted(latest.values(), key=lambda i: (i.published_at, i.key))
    ]
    homonyms = elsewhere(county_texts, municipality) if county_texts else None
    return suggest(
        events, municipality, areas=areas, homonyms=homonyms, known=known, min_count=min_count
    )


def county_texts_of(
    incidents: Iterable[Incident], pages: Mapping[str, str], municipality: str
) -> dict[str, list[str]]:
    """The other municipalities of `municipality`'s county: one text per event each."""
    home = lookup(municipality)
    latest: dict[str, Incident] = {}
    for incident in incidents:
        other = lookup(incident.municipality or "")
        if home and other and other.county == home.county and other.name != home.name:
            latest[incident.key] = incident
    found: dict[str, list[str]] = defaultdict(list)
    for i in latest.values():
        found[str(i.municipality)].append(
            "\n".join((i.title, i.summary, i.text or pages.get(i.key, "")))
        )
    return dict(found)


def _lower(tally: _Tally) -> bool:
    """Written in lower case most often: "länsväg 503" is found whatever its case."""
    return tally.written.most_common(1)[0][0][:1].islower()


class _Spotter:
    """Finds which of some folded names an event's texts write, with Swedish endings.

    Like the gazetteer: whole words, case and diacritics folded, and a capital
    first letter, except for names usually written in lower case.
    """

    def __init__(self, spellings: Mapping[str, str], any_case: Collection[str]):
        self.spelled = {
            spelling + ending: key
            for spelling, key in spellings.items()
            for ending in reversed(ENDINGS)
        }
        self.starts = {  # the first words of names of several words: "umea", "umea centrum"
            " ".join(words[:n])
            for words in (key.split(" ") for key in self.spelled)
            for n in range(1, len(words))
        }
        self.any_case = any_case

    def names(self, texts: Iterable[tuple[str, str]]) -> set[str]:
        """The names in these texts, each given as (text, the text folded)."""
        found: set[str] = set()
        for text, folded in texts:
            words = list(WORD.finditer(folded))
            for i, first in enumerate(words):
                capital = not text[first.start()].islower()
                phrase = first.group()
                for following in range(i + 1, len(words) + 1):
                    key = self.spelled.get(phrase)
                    if key and (capital or key in self.any_case):
                        found.add(key)
                    if following == len(words) or phrase not in self.starts:
                        break
                    phrase = f"{phrase} {words[following].group()}"
        return found


@cache
def _wanted(key: str, municipality: str) -> bool:
    """Not a word that is never a place here, nor a municipality or a county."""
    if len(key) < 2 or any(
        key.endswith(ending) and key[: len(key) - len(ending)] in words
        for ending in ENDINGS
        for words in (NOT_PLACES, DIRECTIONS, NOT_STREETS)
    ):
        return False
    for name in (key, key[:-1] if key.endswith("s") else key):
        if lookup(name) is not None or county(name) is not None or name == fold(municipality):
            return False
    return True


def _merge_endings(tallies: dict[str, _Tally]) -> dict[str, str]:
    """Genitive and definite forms ("Rotebros") into the base name, when it is found too.

    The gazetteer matches a name's endings by itself; a genitive inside a name
    ("Umeås centrum" for "Umeå centrum") becomes an alias. Returns form -> base.
    """
    merged: dict[str, str] = {}
    for key in sorted(tallies, key=len):
        head, space, rest = key.partition(" ")
        inside = f"{head[:-1]} {rest}" if space and head.endswith("s") else None
        bases = [key[: -len(ending)] for ending in ENDINGS[1:] if key.endswith(ending)]
        for base in [*bases, inside]:
            if base in tallies and base not in merged:
                merged[key] = base
                tallies[base].rules.update(tallies[key].rules)
                if base == inside:
                    tallies[base].aliases.add(tallies[key].written.most_common(1)[0][0])
                break
    return merged


def _area(
    key: str,
    events: set[int],
    named: list[set[str]],
    area_of: Mapping[str, str],
    *,
    road: bool = False,
) -> tuple[str | None, int, int]:
    """The area, the events that vote for it, and the events that name any area.

    The name itself when it is an area's name (votes 0); else the area named in
    more than half, and in at least `AREA_VOTES_MIN`, of the events that name it
    and any area. An event naming more than `AREAS_IN_A_LIST` areas is a list
    ("trafikkontroller på Ersboda, Teg, Röbäck …") and votes for none. A road
    crosses areas: it gets one only by its name.
    """
    for name in (key, without_generic(key)):
        if name in area_of:
            return area_of[name], 0, 0
    votes: Counter[str] = Counter()
    voting = 0
    for index in events:
        here = {area_of[other] for other in named[index] if other != key and other in area_of}
        if len(here) <= AREAS_IN_A_LIST:
            votes.update(here)
            voting += bool(here)
    if not votes or road:
        return None, 0, voting
    (area, top), *others = votes.most_common(2)
    if top < AREA_VOTES_MIN or 2 * top <= voting or (others and others[0][1] == top):
        return None, 0, voting
    return area, top, voting


def _homonym(key: str, homonyms: Mapping[str, Collection[str]]) -> set[str]:
    return {m for ending in ENDINGS for m in homonyms.get(key + ending, ())}
