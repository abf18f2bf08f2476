"""Fast case-insensitive matching: the same answers as re.IGNORECASE, always."""

from __future__ import annotations

import json
import random
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from briefing.judge import wordmatch
from briefing.judge.classify import Rules
from briefing.judge.needles import needles
from briefing.judge.places import Area, Gazetteer, resolve
from briefing.judge.rulebook import Rule, Setting
from briefing.judge.wordmatch import Text, Words, lower_case_twin
from briefing.models import Incident, Origin

DATA = Path(__file__).parent / "data" / "polisen"
SAFE = [chr(code) for code in range(0x2200) if not wordmatch._UNSAFE.match(chr(code))]


def test_lowering_a_safe_character_changes_nothing_a_pattern_can_see() -> None:
    assert {"å", "Ä", "é", "–", "€", "\n", "\t"} <= set(SAFE)
    assert not {"ſ", "ı", "İ", "\r", "\x1b", "\u2028", "\u212a"} & set(SAFE)
    for char in SAFE:
        lowered = char.lower()
        assert len(lowered) == 1 and lowered in SAFE, repr(char)
        for shorthand in (r"\w", r"\s", r"\d"):
            assert bool(re.match(shorthand, char)) == bool(re.match(shorthand, lowered))


def test_for_safe_characters_ignorecase_means_the_same_lower_case() -> None:
    every = "".join(SAFE)
    for pattern_char in SAFE:
        matched = re.findall(re.escape(pattern_char), every, re.IGNORECASE)
        assert matched == [c for c in SAFE if c.lower() == pattern_char.lower()], pattern_char


@pytest.mark.parametrize(
    ("source", "twin"),
    [
        (r"\bSkott\w*\b", r"\bskott\w*\b"),
        (r"kniv(?!sta)\w*", r"kniv(?!sta)\w*"),
        (r"\W+Å[ÅÄÖa-f]", r"\W+å[åäöa-f]"),
        (r"[A-Z]x[^\WA]", r"[a-z]x[^\Wa]"),
        (r"[\]a-]", r"[\]a-]"),
        (r"[A-z]", None),  # also [ \ ] ^ _ `, which lowering would lose
        (r"[--/]", None),
        (r"(?P<x>a)", None),
        (r"(?i)a", None),
        (r"(?-i:A)b", None),
        (r"\x41", None),
        (r"(a)\1", None),
        (r"\N{LATIN SMALL LETTER A}", None),
        ("ı", None),
        ("[ſ]", None),
    ],
)
def test_the_twin_of_a_pattern_or_none(source: str, twin: str | None) -> None:
    made = lower_case_twin(re.compile(source, re.IGNORECASE))
    assert (made.pattern if made else None) == twin


def test_a_pattern_that_is_not_case_insensitive_has_no_twin() -> None:
    assert lower_case_twin(re.compile("abc")) is None
    assert lower_case_twin(re.compile("abc", re.IGNORECASE | re.VERBOSE)) is None


def recorded_texts() -> list[str]:
    texts = []
    for path in sorted(DATA.glob("polisen-events-*.json")):
        for event in json.loads(path.read_text("utf-8-sig")):
            texts.append(f"{event.get('name', '')}\n{event.get('summary', '')}")
    return texts


def variants(texts: list[str]) -> list[str]:
    """Each text, in upper, title and swapped case, and with exotic characters thrown in."""
    chosen = random.Random(6)
    out = []
    for text in texts:
        out += [text, text.upper(), text.title(), text.swapcase()]
        chars = list(text)
        for _ in range(3):
            chars[chosen.randrange(len(chars))] = chosen.choice("ſıİKßẞµΜ\u2028\xa0\t-_[]ÅSKI")
        out.append("".join(chars))
    return out


def test_every_rule_matches_what_ignorecase_matches_and_reports_the_texts_words() -> None:
    rules = Rules.load()
    parts: list[Rule | Setting] = [*rules.rules, *rules.settings]
    patterns = [
        pattern for part in parts for pattern in (part.pattern, part.unless) if pattern is not None
    ]
    words = [Words.of(pattern) for pattern in patterns]
    assert all(w.twin is not None and w.needles for w in words)  # the bundled rules are fast
    texts = variants(recorded_texts()[::10])  # every tenth: the full set is slow to check
    assert len(texts) > 500 and any(Text(text).lowered is None for text in texts)
    for text in texts:
        prepared = Text(text)
        for pattern, word in zip(patterns, words, strict=True):
            hit = pattern.search(text)
            assert word.search(prepared) == (hit.group(0) if hit else None), (pattern, text)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (r"\b(?:(?:skott\w*)|(?:\w*spräng\w*))\b", ("skott", "spräng")),
        ("abc?d", ("ab",)),
        ("ab*c", ("a",)),  # "a" and "c" are as long: the first wins
        ("ab{0,2}cde", ("cde",)),
        ("x(?:yz)?w", ("x",)),
        ("(?:ab|cd)+e", ("ab", "cd")),
        ("(?:ab|)c", ("c",)),
        ("(?:ab|)", None),
        ("a|b*", None),
        (r"kniv(?!sta)\w*", ("kniv",)),
        (r"(?<=x)abc", ("abc",)),
        (r"\x41bc", None),
        (r"(a)\1", None),
        ("(?i)abc", None),
        ("[abc]+", None),
        ("a.b", ("a",)),
        (r"a\.bc", ("bc",)),
        ("a{}b", ("b",)),
    ],
)
def test_needles(source: str, expected: tuple[str, ...] | None) -> None:
    assert needles(source) == expected


def random_pattern(chosen: random.Random, depth: int = 0) -> str:
    parts = []
    for _ in range(chosen.randint(1, 4)):
        kind = chosen.random()
        if kind < 0.45:
            atom = chosen.choice("abc ")
        elif kind < 0.6:
            atom = chosen.choice([".", r"\w", r"\b", "[ab]", "[^a]", r"\s", "(?!a)", "(?<=b)"])
        elif depth < 2:
            branches = [random_pattern(chosen, depth + 1) for _ in range(chosen.randint(1, 3))]
            atom = chosen.choice(["(?:", "("]) + "|".join(branches) + ")"
        else:
            atom = "ab"
        if chosen.random() < 0.3 and not atom.startswith(("(?!", "(?<", "\\b")):
            atom += chosen.choice(["?", "*", "+", "{0,2}", "{1,2}", "*?", "+?", "{2}"])
        parts.append(atom)
    return "".join(parts)


def test_every_match_holds_a_needle() -> None:
    chosen = random.Random(7)
    strings = [
        "".join(chosen.choice("abc ") for _ in range(chosen.randint(0, 12))) for _ in range(300)
    ]
    checked = 0
    for _ in range(1000):
        source = random_pattern(chosen)
        found = needles(source)
        if found is None:
            continue
        compiled = re.compile(source)
        for string in strings:
            if compiled.search(string):
                assert any(needle in string for needle in found), (source, string, found)
                checked += 1
    assert checked > 3_000


def test_places_name_a_municipality_whatever_the_case_or_letters() -> None:
    area = Area("Järfälla", "Stockholms län", ("Sollentuna", "Upplands Väsby"))
    gazetteer = Gazetteer.bundled("Järfälla")
    for text, expected in [
        ("Stöld i JÄRFÄLLA", "Järfälla"),
        ("Stöld i upplands väsby", "Upplands Väsby"),
        ("Stöld i Sollentuna, ſ", "Sollentuna"),  # a letter lowering could misread: no short cut
        ("Stöld i Knivsta", None),
    ]:
        incident = Incident(
            source="t",
            key="1",
            origin=Origin.POLICE,
            type="Stöld",
            title=text,
            summary="",
            published_at=datetime(2026, 1, 1, tzinfo=UTC),
            county="Stockholms län",
        )
        assert resolve(incident, area, gazetteer).municipality == expected, text
