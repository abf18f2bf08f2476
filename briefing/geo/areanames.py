"""Place names in SCB's RegSO area names, as police and news texts write them.

RegSO names join places with hyphens and add directions and generic words:
"Barkarby östra-Veddesta" is Barkarby and Veddesta, "Centrala Jakobsberg" is
Jakobsberg, "Olofströms omland-Vilshult" is Olofström and Vilshult. These names are a
first gazetteer for any municipality (briefing.geo.areas has the areas themselves).
"""

from __future__ import annotations

import re

from briefing.sources import municipalities

# Directions as adjectives ("Jakobsberg norra"): never a place name on their own.
_ADJECTIVES = frozenset(
    [
        "norra",
        "södra",
        "östra",
        "västra",
        "nordöstra",
        "nordvästra",
        "sydöstra",
        "sydvästra",
        "mellersta",
        "centrala",
        "inre",
        "yttre",
        "övre",
        "nedre",
    ]
)
# Compass points ("Almvik norr"): dropped after a name, kept alone when capitalised,
# as several towns call a district Norr, Söder, Öster or Väster.
_COMPASS = frozenset(
    [
        "norr",
        "söder",
        "öster",
        "väster",
        "nord",
        "syd",
        "öst",
        "väst",
        "nordost",
        "nordväst",
        "sydost",
        "sydväst",
        "nordöst",
        "sydöst",
    ]
)
# Generic words after a name; a name in -s before them is a genitive ("Olofströms omland").
_GENERIC = frozenset(
    [
        "omland",
        "omnejd",
        "tätort",
        "tätorten",
        "tätorter",
        "centrum",
        "centralort",
        "landsbygd",
        "landsbygden",
        "landsbygder",
        "landsbyggd",
        "glesbygd",
        "kommundel",
        "kommundelen",
        "kommun",
        "kommuns",
        "stad",
        "staden",
        "samhälle",
        "närområde",
        "områden",
        "området",
        "övriga",
        "ytterområden",
        "södraomland",
    ]
)
# Words that make a name with the next one ("Gamla staden", "Norra Bro").
_BOUND = frozenset(["gamla", "nya", "stora", "lilla", "norra", "södra", "östra", "västra"])
_ANY = _ADJECTIVES | _COMPASS | _GENERIC
# Dropped before a name whatever the case ("Centrala Jakobsberg"); Övre, Nedre, Inre
# and Yttre are kept there (Övre Tjärna, Yttre hamn).
_LEADING = frozenset(["centrala", "mellersta", "nordöstra", "nordvästra", "sydöstra", "sydvästra"])
# Endings of names that end in s themselves (Bjursås, Antnäs, Hörnefors, Backhus).
_OWN_S = ("ås", "näs", "fors", "hus", "ss", "x", "z")


def place_names(regso_name: str) -> tuple[str, ...]:
    """The place names a RegSO name is made of, as texts write them.

    "Barkarby östra-Veddesta" → ("Barkarby", "Veddesta"); "Centrala Jakobsberg" →
    ("Jakobsberg",); "Olofströms omland-Vilshult" → ("Olofström", "Vilshult").
    Directions and generic words (norra, omland, tätort, centrum, …) are dropped;
    "Norra", "Södra", "Östra", "Västra" before a name are kept, as they are often
    part of it (Västra Frölunda, Södra Sandby). Names in order, each once.
    """
    text = re.sub(r"^RegSO-", "", regso_name.strip())
    parts = _hyphen_parts(text)
    found: list[str] = []
    genitive_context = False
    for position in range(len(parts) - 1, -1, -1):
        name, generic = _part(parts[position].split(), genitive_context)
        if position == len(parts) - 1:
            genitive_context = generic  # "Barnarps-Tenhults landsbygder"
        if name[:1].isupper() and name not in found:  # not "övrigt", "sjukhusområdet"
            found.insert(0, name)
    return tuple(found)


def _part(words: list[str], genitive_context: bool) -> tuple[str, bool]:
    """The name in one hyphen-separated part, and whether a generic word followed it."""
    original = list(words)
    while len(words) > 1 and (
        words[0].casefold() in _LEADING or (words[0].islower() and words[0] in _ANY)
    ):
        words.pop(0)  # "Centrala Jakobsberg", "Sydöstra X", "norra-västra Mönsterås"
    generic = False
    while len(words) > 1 and words[-1].casefold() in _ANY:
        generic = generic or words[-1].casefold() in _GENERIC
        words.pop()
    if len(words) == 1 and (words[0].casefold() in _ADJECTIVES | _GENERIC or words[0] in _COMPASS):
        return "", generic  # "Övertorneå-Södra", "Mjälga-Centrum", "Tranås-väster"
    if len(words) == 1 and words[0].casefold() in _BOUND and len(original) > 1:
        while len(original) > 2 and original[-1].casefold() in _ADJECTIVES | _COMPASS:
            original.pop()
        return " ".join(original), False  # "Gamla staden", "Gamla norr"
    if words and (generic or (genitive_context and len(words) == 1)):
        words[-1] = _genitive_stem(words[-1])
    return " ".join(words), generic


def _hyphen_parts(text: str) -> list[str]:
    """Split at hyphens, keeping hyphenated municipality names whole (Upplands-Bro, Dals-Ed)."""
    parts: list[str] = []
    for piece in text.split("-"):
        before = parts[-1].split() if parts else []
        after = piece.split()
        if before and after and municipalities.lookup(f"{before[-1]}-{after[0]}"):
            parts[-1] = f"{parts[-1]}-{piece}"
        else:
            parts.append(piece)
    return [part.strip() for part in parts if part.strip()]


def _genitive_stem(word: str) -> str:
    """ "Olofströms" → "Olofström", "Salems" → "Salem"; "Hofors", "Bjursås" stay."""
    if not word.endswith("s") or municipalities.lookup(word) is not None:
        return word
    if municipalities.lookup(word[:-1]) is not None:
        return word[:-1]
    return word if word.endswith(_OWN_S) else word[:-1]
