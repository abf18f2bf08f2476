"""How the police write a place: the rules that find place names in a text.

The rules and word lists behind `briefing.judge.suggest` (see its docstring):
a capitalised name after a preposition, a word ending like a street, a road
number, a name that opens a line before a comma, the last segment of a title;
and the words that are never places here or are ordinary words too.
"""

from __future__ import annotations

import re
import unicodedata

from briefing.judge.gazetteer import fold


def _folded(words: str) -> frozenset[str]:
    """A word list written "A, B, C" as folded words."""
    return frozenset(fold(word.strip()) for word in words.split(","))


_CAP = r"(?-i:[A-ZÅÄÖÉÜ])[\w]*(?:-[\w]+)*"
# Lower-case words that belong to a place name: "Häggviks station", "Strombergs väg".
GENERIC = (
    r"station|pendeltågsstation|tunnelbanestation|busstation|resecentrum|centrum|"
    r"köpcentrum|torg|väg|vägen|gata|gatan|gränd|allé|strand|park|hamn|sjukhus|industriområde|"
    r"handelsområde|handelsplats|idrottsplats|sporthall|badplats|camping|kyrka|skola|gård"
)
_GENERIC_STREET = "väg|vägen|gata|gatan|gränd|allé|torg"
_NAME = rf"{_CAP}(?:\s{_CAP}){{0,2}}(?:\s(?-i:{GENERIC})\b)?"
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
WORD = re.compile(r"[\w-]+")
LOWER_WORD = re.compile(r"(?<![\w-])(?-i:[a-zåäöéü])[\w-]*")
ENDINGS = ("", "s", "n", "en", "et", "ns", "ens", "ets")
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
DIRECTIONS = _folded("Norra, Södra, Östra, Västra, Centrala, Gamla, Nya, Stora, Lilla, Övre, Nedre")
# Ordinary Swedish words that are place names too: kept, but marked.
COMMON_NOUNS = _folded(
    "Torget, Torg, Centrum, Bron, Bro, Staket, Skogen, Skog, Parken, Park, Stationen, "
    "Stan, Staden, Hamnen, Hamn, Kyrkan, Skolan, Sjön, Ängen, Äng, Backen, Backe, "
    "Gården, Stranden, Strand, Berg, Berget, Dalen, Ön, Näset, Viken, Udden, Slätten, "
    "Heden, Hagen, Kullen, Åsen, Torpet, Kvarnen, Bryggan, Vägen, Gatan, Egna hem, "
    "Ladugården, Kärret, Mossen, Fältet"
)
# Lower-case words that end like a street but are not one: "parkeringsplatsen".
NOT_STREETS = _folded(
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


class _FoldTable(dict[int, str]):
    """`fold` one character at a time, as a `str.translate` table filled on demand."""

    def __missing__(self, code: int) -> str:
        self[code] = folded = fold(chr(code))
        return folded


_FOLD_TABLE = _FoldTable()


def fold_text(text: str) -> str:
    """`fold` of a long text, the same characters for the same positions, faster."""
    return text.translate(_FOLD_TABLE)


def without_generic(key: str) -> str:
    """ "haggviks station" -> "haggvik": the area a station or centre is named after."""
    head, _, generic = key.rpartition(" ")
    if not head or not re.fullmatch(fold(GENERIC), generic):
        return key
    return head[:-1] if head.endswith("s") else head


def kind_of(name: str) -> str:
    for pattern, kind in _KIND_BY_ENDING:
        if pattern.search(name.lower()):
            return kind
    return "area"
