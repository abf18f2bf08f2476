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

A name is an **ambiguous** place when it is a *homonym* (found in events of
another municipality of the county that do not name this one) or a *common
noun*: on a short list of ordinary words that are place names too ("Torget",
"Centrum", "Bron", "Stäket"), or written lower-case at least
`LOWER_CASE_MIN` times in the texts (and in at least a quarter as many places
as it is named): "skogen", "backen". The area is the one the caller's area
names say: the name itself, or the area named most often in the events that
name it. `render_toml` writes the suggestions as a gazetteer file, every
entry to be confirmed.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

from briefing.judge.gazetteer import fold
from briefing.models import Incident
from briefing.sources.municipalities import county, lookup

LOWER_CASE_MIN = 3


def _folded(words: str) -> frozenset[str]:
    """A word list written "A, B, C" as folded words."""
    return frozenset(fold(word.strip()) for word in words.split(","))


_CAP = r"(?-i:[A-ZÅÄÖÉÜ])[\w]*(?:-[\w]+)*"
# Lower-case words that belong to a place name: "Häggviks station", "Strombergs väg".
_GENERIC = (
    r"station|pendeltågsstation|tunnelbanestation|busstation|resecentrum|centrum|"
    r"köpcentrum|torg|väg|vägen|gata|gatan|gränd|allé|strand|park|hamn|sjukhus|industriområde|"
    r"handelsområde|handelsplats|idrottsplats|sporthall|badplats|camping|kyrka|skola|gård"
)
_GENERIC_STREET = "väg|vägen|gata|gatan|gränd|allé|torg"
_NAME = rf"{_CAP}(?:\s{_CAP}){{0,2}}(?:\s(?-i:{_GENERIC})\b)?"
_PREPOSITION = (
    r"i|på|vid|kring|utanför|från|till|mot|genom|längs|nära|invid|intill|runt|"
    r"(?:norr|söder|öster|väster)\s+om"
)
_AFTER_PREPOSITION = re.compile(rf"(?<![\w-])(?i:{_PREPOSITION})\s+({_NAME})")
_STREET_ENDINGS = (
    r"vägen|gatan|gränd|gränden|backe|backen|torget|platsen|allén|leden|stigen|stråket"
)
_STREET = re.compile(rf"(?<![\w-])((?-i:[A-ZÅÄÖÉÜ])[\w-]+?(?:{_STREET_ENDINGS})s?)(?![\w-])")
_ROAD = re.compile(r"(?<![\w-])(E\s?\d{1,2}|(?i:länsväg|riksväg|väg)\s\d{2,4})(?![\w-])")
_ROAD_WORD = re.compile(r"E\d{1,2}")
_LINE_START = re.compile(rf"^\s*({_NAME}),\s", re.MULTILINE)
_WORD = re.compile(r"[\w-]+")
_ENDINGS = ("", "s", "n", "en", "et", "ns", "ens", "ets")
# Capitalised words after "i", "på" … that are not places of the municipality.
NOT_PLACES = _folded(
    "Polisen, Polis, Polismyndigheten, Sverige, Sveriges, Region, Regionen, SOS, "
    "Alarm, LOB, Räddningstjänsten, Kriminalvården, Tullverket, Kustbevakningen, "
    "Trafikverket, Socialtjänsten, Migrationsverket, Skatteverket, Försäkringskassan, "
    "Arbetsförmedlingen, Facebook, Instagram, Snapchat, Tiktok, Telegram, Whatsapp, "
    "Swish, Blocket, Google, ICA, Coop, Lidl, Willys, Hemköp, Systembolaget, Apoteket, "
    "Max, McDonalds, Burger King, Circle, Preem, OKQ8, Ingo, Clas Ohlson, Biltema, "
    "Jula, Elgiganten, Ikea, Stadium, Danmark, Norge, Finland, Tyskland, Polen, "
    "Litauen, Estland, Lettland, Spanien, Europa, Dagens, Resultat, Uppdatering, "
    "Misstänkt, Larm, Polispatrull, Ambulans, Anmälan, Han, Hon, De, Den, Det, Där, "
    "Då, En, Ett, Vi, Man, Mannen, Kvinnan, Personen, Föraren, I, På, Vid, Och, Mot, "
    "Från, Till, Efter, Under, Med, Om, Av, Vid, Samt, Men, Eller, Sedan, Länsväg, "
    "Riksväg"
)
# Words that start a name ("Västra Esplanaden") but are none alone.
_DIRECTIONS = _folded(
    "Norra, Södra, Östra, Västra, Centrala, Gamla, Nya, Stora, Lilla, Övre, Nedre"
)
# Ordinary Swedish words that are place names too: kept, but marked.
COMMON_NOUNS = _folded(
    "Torget, Torg, Centrum, Bron, Bro, Staket, Skogen, Skog, Parken, Park, Stationen, "
    "Stan, Staden, Hamnen, Hamn, Kyrkan, Skolan, Sjön, Ängen, Äng, Backen, Backe, "
    "Gården, Stranden, Strand, Berg, Berget, Dalen, Ön, Näset, Viken, Udden, Slätten, "
    "Heden, Hagen, Kullen, Åsen, Torpet, Kvarnen, Bryggan, Vägen, Gatan, Egna hem, "
    "Ladugården, Kärret, Mossen, Fältet"
)
# Lower-case words that end like a street but are not one: "parkeringsplatsen".
_NOT_STREETS = _folded(
    "Brottsplatsen, Parkeringsplatsen, Arbetsplatsen, Olycksplatsen, Motorvägen, "
    "Busstorget, Brandplatsen, Cykelvägen, Gångvägen, Landsvägen, Bilvägen, Infarten, "
    "Påfarten"
)
_KIND_BY_ENDING = (  # matched on the name in lower case, not folded: "bäcken" is no "backen"
    (re.compile(r"(?:station|resecentrum)$"), "station"),
    (re.compile(r"centrum$"), "centre"),
    (re.compile(r"skolan?$"), "school"),
    (re.compile(r"industriområde$"), "industrial"),
    (re.compile(r"(?:handelsområde|handelsplats|köpcentrum)$"), "commercial"),
    (re.compile(r"^e\s?\d+$|^(?:länsväg|riksväg|väg) \d+$|ledens?$"), "road"),
    (
        re.compile(rf"(?:{_STREET_ENDINGS})s?$|\s(?:{_GENERIC_STREET})$"),
        "street",
    ),
    (re.compile(r"(?:park|parken|badplats|strand|sjön)$"), "nature"),
)


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


def mentions(text: str, *, title: bool = False) -> list[tuple[str, str]]:
    """The place names one text writes, as (name as written, rule), in text order."""
    text = unicodedata.normalize("NFC", text)
    if title:
        last = text.rsplit(",", 1)[-1].strip()
        return [(last, "title")] if re.fullmatch(_NAME, last) else []
    found: dict[tuple[int, str], str] = {}  # (where, name) -> the first rule that found it
    for rule, pattern in (
        ("preposition", _AFTER_PREPOSITION),
        ("street", _STREET),
        ("road", _ROAD),
        ("line start", _LINE_START),
    ):
        for match in pattern.finditer(text):
            written = match.group(1)
            for part in [" ".join(written.split())] if rule == "road" else _parts(written):
                found.setdefault((match.start(1), part), rule)
    return [(name, rule) for (_, name), rule in sorted(found.items(), key=lambda kv: kv[0][0])]


def _parts(written: str) -> list[str]:
    """A run of capitalised words cut where a word cannot be part of a name.

    "Vasaplan Polis" -> Vasaplan, "E4 Sävar" -> E4, Sävar.
    """
    parts: list[list[str]] = [[]]
    for word in written.split():
        if fold(word) in NOT_PLACES:
            parts.append([])
        elif _ROAD_WORD.fullmatch(word):
            parts += [[word], []]
        else:
            parts[-1].append(word)
    return [" ".join(words) for words in parts if words]


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
            if not own.search(_fold_text(text)):
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
        [(t, _fold_text(t)) for t in (unicodedata.normalize("NFC", text) for text in texts)]
        for texts in events
    ]
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    words: Counter[str] = Counter()  # folded lower-case words, for the common-noun rule
    for texts in every:  # the rules find the names ...
        for position, (text, folded) in enumerate(texts):
            words.update(m.group() for m in _WORD.finditer(folded) if text[m.start()].islower())
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
        lower = sum(words[key + ending] for ending in _ENDINGS)
        if lower and set(tally.rules) == {"line start"} and key not in COMMON_NOUNS:
            continue  # "Cyklisten, 45 år, …": a word that opens a line, not a name
        name = tally.written.most_common(1)[0][0]
        kind = _kind(name)
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
    `Incident.text`; `county_texts` the other municipalities' event texts (see
    `elsewhere`).
    """
    latest: dict[str, Incident] = {}
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
            for ending in reversed(_ENDINGS)
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
            words = list(_WORD.finditer(folded))
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


def _fold_text(text: str) -> str:
    """`fold` of a long text, one translation table for its distinct characters."""
    return text.translate({ord(char): fold(char) for char in set(text)})


@cache
def _wanted(key: str, municipality: str) -> bool:
    """Not a word that is never a place here, nor a municipality or a county."""
    if len(key) < 2 or any(
        key.endswith(ending) and key[: len(key) - len(ending)] in words
        for ending in _ENDINGS
        for words in (NOT_PLACES, _DIRECTIONS, _NOT_STREETS)
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
        bases = [key[: -len(ending)] for ending in _ENDINGS[1:] if key.endswith(ending)]
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
    more than half of the events that name it and any area. A road crosses
    areas: it gets one only by its name.
    """
    for name in (key, _without_generic(key)):
        if name in area_of:
            return area_of[name], 0, 0
    votes: Counter[str] = Counter()
    voting = 0
    for index in events:
        here = {area_of[other] for other in named[index] if other != key and other in area_of}
        votes.update(here)
        voting += bool(here)
    if not votes or road:
        return None, 0, voting
    (area, top), *others = votes.most_common(2)
    if 2 * top <= voting or (others and others[0][1] == top):
        return None, 0, voting
    return area, top, voting


def _without_generic(key: str) -> str:
    """ "haggviks station" -> "haggvik": the area a station or centre is named after."""
    head, _, generic = key.rpartition(" ")
    if not head or not re.fullmatch(fold(_GENERIC), generic):
        return key
    return head[:-1] if head.endswith("s") else head


def _homonym(key: str, homonyms: Mapping[str, Collection[str]]) -> set[str]:
    return {m for ending in _ENDINGS for m in homonyms.get(key + ending, ())}


def _kind(name: str) -> str:
    for pattern, kind in _KIND_BY_ENDING:
        if pattern.search(name.lower()):
            return kind
    return "area"
