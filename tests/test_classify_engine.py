"""The fast judgement engine judges exactly as reading every rule in turn does.

`classify` scans the words once (briefing.judge.wordscan) and reads only the
rules whose patterns can match. `reference` below is the engine it replaced,
kept here as the specification: every rule that applies to the category, in
file order, asked through `Rule.fires` with the whole `situation`. Both judge
every recorded event under tests/data (API text and page text, two languages,
two clocks, upper case, letters that take the engine off its fast path), and
the whole `Judgement` must be the same: category, severity, each reason in
order, and "to check".
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
import tomllib
from bisect import bisect_right
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.i18n import label, t
from briefing.judge import rulecheck, wordscan
from briefing.judge.classify import (  # _text: what both engines read
    UNKNOWN_CATEGORY,
    UNKNOWN_SEVERITY,
    Rule,
    Rules,
    Situation,
    _text,
    classify,
    situation,
)
from briefing.judge.matchers import Matcher, literal, split, word_runs
from briefing.judge.places import Area, Gazetteer, resolve
from briefing.judge.rulebook import Setting, TimeSpan, TypeRule
from briefing.judge.wordmatch import Text
from briefing.judge.wordscan import WordScan
from briefing.models import Incident, Judgement, Origin, Place, Severity
from briefing.sources.polisen import parse_event
from tests import corpus
from tests.conftest import DATA

STOCKHOLM = ZoneInfo("Europe/Stockholm")
SLUGS = ("danderyd", "nordmaling", "robertsfors", "sollentuna", "taby", "umea", "vannas")


def reference(incident: Incident, place: Place, rules: Rules, lang: str = "en") -> Judgement:
    """The engine before the word scan: every applicable rule read, one after another."""
    kind = incident.type.strip()
    known = rules.types.get(kind)
    if known is None:
        category, severity = UNKNOWN_CATEGORY, UNKNOWN_SEVERITY
        key = "reason.unknown_type" if incident.origin is Origin.POLICE else "reason.free_type"
    else:
        category, severity = known.category, known.severity
        key = "reason.type"
    words_of = {"category": label(lang, "category", category)}
    words_of["severity"] = label(lang, "severity", severity)
    reasons = [t(lang, key, type=kind, **words_of)]
    text = Text(_text(incident, place, read_type=known is None))
    found: Situation | None = None
    check: str | None = None
    order, position = rules.applicable(category), 0
    while position < len(order):
        (index, rule), position = order[position], position + 1
        if found is None and rule.asks_where_or_when:
            found = situation(incident, place, rules, text)
        if (words := rule.fires(text, found)) is None:
            continue
        if rule.check and check is None:
            check = t(lang, "reason.check", rule=rule.name, words=words)
        new_category, new_severity = rule.category or category, rule.apply(severity)
        if (new_category, new_severity) == (category, severity):
            continue
        change = [label(lang, "severity", new_severity)] if new_severity != severity else []
        change += [label(lang, "category", new_category)] if new_category != category else []
        reasons.append(
            t(lang, "reason.rule", rule=rule.name, words=words, change=", ".join(change))
        )
        if new_category != category:
            order = rules.applicable(new_category)
            position = bisect_right(order, index, key=lambda entry: entry[0])
        category, severity = new_category, new_severity
    return Judgement(category, severity, tuple(reasons), None if severity.serious else check)


def recorded_incidents() -> list[Incident]:
    """Every recorded police event under tests/data, with its page's text when there is one."""
    records: list[tuple[dict[str, Any], str]] = []
    for slug in SLUGS:
        pages = corpus.pages(slug)
        for record in corpus.events(slug):
            page = pages.get(str(record.get("id"))) or {}
            parts = (page.get("preamble"), *(page.get("body_paragraphs") or ()))
            records.append((record, "\n".join(part for part in parts if part)))
    files = sorted((DATA / "polisen").glob("polisen-events-*.json"))
    files.append(DATA / "eval" / "polisen-events-national-labelled.json")
    for path in files:
        records += [(record, "") for record in json.loads(path.read_text("utf-8-sig"))]
    incidents = []
    for record, text in records:
        incident = parse_event(record, source="polisen", origin=Origin.POLICE, tz=STOCKHOLM)
        incidents.append(dataclasses.replace(incident, text=text) if text else incident)
    return incidents


def variants(incidents: list[Incident]) -> list[Incident]:
    """Each incident; every third also in upper case, and with a letter the twins cannot read."""
    chosen = random.Random(13)
    out = []
    for number, incident in enumerate(incidents):
        out.append(incident)
        if number % 3:
            continue
        out.append(dataclasses.replace(incident, summary=incident.summary.upper()))
        summary = list(incident.summary or " ")
        summary[chosen.randrange(len(summary))] = chosen.choice("ıſİK\u212a\u2028")
        out.append(dataclasses.replace(incident, summary="".join(summary)))
    return out


@pytest.fixture(scope="module")
def judged() -> list[tuple[Incident, Place]]:
    area = Area("Järfälla", "Stockholms län", ("Sollentuna", "Upplands-Bro", "Sundbyberg"))
    gazetteer = Gazetteer.bundled("Järfälla")
    incidents = variants(recorded_incidents())
    return [(incident, resolve(incident, area, gazetteer)) for incident in incidents]


def test_every_recorded_event_is_judged_as_reading_every_rule_judges_it(
    judged: list[tuple[Incident, Place]],
) -> None:
    rules = Rules.load()
    in_utc = rules.in_zone(UTC)
    assert len(judged) > 4_000
    fired = 0
    for number, (incident, place) in enumerate(judged):
        for chosen, lang in ((rules, "sv"), (in_utc, "en"))[: 1 + number % 2]:
            expected = reference(incident, place, chosen, lang)
            assert classify(incident, place, chosen, lang) == expected, incident.title
            fired += len(expected.reasons) > 1
    assert fired > 1_000  # the rules were really exercised, not only the types


def test_the_places_settings_and_times_are_read_as_before(
    judged: list[tuple[Incident, Place]],
) -> None:
    """Places of every gazetteer kind, and the small hours: the settings' and times' paths."""
    rules = Rules.load()
    gazetteer = Gazetteer.bundled("Järfälla")
    assert gazetteer is not None
    kinds = {entry.kind: entry.name for entry in gazetteer._names.values()}
    assert {"school", "centre", "station", "commercial", "industrial"} <= set(kinds)
    for number, (incident, _) in enumerate(judged[::7]):
        kind = sorted(kinds)[number % len(kinds)]
        place = Place("Järfälla", place=kinds[kind], kind=kind)
        hour = datetime(2024, 3, 4 + number % 7, number % 24, 30, tzinfo=STOCKHOLM)
        moved = dataclasses.replace(incident, occurred_at=hour)
        assert classify(moved, place, rules, "sv") == reference(moved, place, rules, "sv")


def test_rules_made_in_code_with_the_odd_cases_are_read_as_before() -> None:
    """Two settings of one name, a rule asking only for a time, a setting no one declares,
    a pattern without a lower-case twin, a pattern with no needles, a category change."""
    ci = re.IGNORECASE

    def words(*alternatives: str) -> re.Pattern[str]:
        return rulecheck.words_pattern(list(alternatives))

    settings = (
        Setting("yard", words("gård\\w*")),
        Setting("yard", None, place_kinds=frozenset({"school"})),
        Setting("shop", words("butik\\w*"), unless=words("stängd")),
    )
    times = (TimeSpan("night", time(22), time(6)), TimeSpan("day", time(8), time(17), True))
    made = (
        Rule("night_only", times=frozenset({"night"}), steps=1),
        Rule("named", pattern=re.compile(r"(?P<n>kniv)\w*", ci), category="weapons"),
        Rule("loose", pattern=re.compile(r"\w+ med \w+", ci), steps=1, check=True),
        Rule("yard", settings=frozenset({"yard", "nowhere"}), raise_to=Severity.HIGH),
        Rule("shop", pattern=words("rån\\w*"), settings=frozenset({"shop"}), steps=1),
        Rule("weapons_only", pattern=words("yxa"), categories=frozenset({"weapons"}), steps=2),
        Rule("day", settings=frozenset({"shop"}), times=frozenset({"day"}), lower_to=Severity.LOW),
    )
    rules = Rules(
        ("other", "info", "weapons", "robbery"),
        {"Rån": TypeRule("robbery", Severity.HIGH), "Info": TypeRule("info", Severity.INFO)},
        made,
        settings,
        times,
    )
    texts = [
        "Kniven och en yxa på gården",
        "Rån i butiken",
        "Rån i butiken, som var stängd",
        "Bil med släp",
        "KNIV och YXA",
        "ſkol med ıdrott",
        "",
    ]
    places = [
        Place("X"),
        Place("X", place="Skolan", kind="school"),
        Place("X", place="", kind="school"),
    ]
    kinds = ["Rån", "Info", "Okänd typ"]
    for text in texts:
        for place in places:
            for kind in kinds:
                for hour in (3, 10, 23):
                    incident = Incident(
                        source="t",
                        key="1",
                        origin=Origin.GUARDS if hour == 3 else Origin.POLICE,
                        type=kind,
                        title=f"{kind}, Järfälla",
                        summary=text,
                        published_at=datetime(2024, 3, 5, hour, tzinfo=STOCKHOLM),
                        location="Järfälla",
                    )
                    expected = reference(incident, place, rules, "sv")
                    assert classify(incident, place, rules, "sv") == expected, (text, place, kind)


# --- The word scan ------------------------------------------------------------


def test_a_pattern_of_alternatives_is_read_one_alternative_at_a_time() -> None:
    ci = re.IGNORECASE
    matcher = Matcher(rulecheck.words_pattern(["skott\\w*", "\\w*spräng\\w*", "a|b", "(?:x)y"]))
    assert matcher.pieces == ("skott\\w*", "\\w*spräng\\w*", "a|b", "(?:x)y")
    assert matcher.needs == (("skott",), ("spräng",), ("a", "b"), ("x",))
    assert split(r"\b(?:(?:a)|(?:(b)))\b") == ["a", "(b)"]
    for shape in (r"\b(?:a|b)\b", r"\b(?:(?:a))|(?:(b))\b", r"\b(?:(?:a\1))\b", r"(?:(?:a))"):
        assert split(shape) is None, shape
    assert Matcher(re.compile(r"(?P<x>kniv)\w*", ci)).pieces == ()  # read whole
    assert Matcher(re.compile(r"\b(?:(?:kniv))\b")).needs == (None,)  # no twin: always


def test_a_needles_word_run_is_what_the_scan_looks_for() -> None:
    assert word_runs(("skott", "misstänkt ", "-årsåldern")) == ("skott", "misstänkt", "årsåldern")
    assert word_runs((" - ",)) is None  # a needle with no word character
    assert word_runs(None) is None and word_runs(()) is None


def test_no_word_character_is_white_space() -> None:
    """The scan splits at white space; a needle's word run must never straddle a split."""
    word = re.compile(r"\w")
    assert not [c for c in map(chr, range(0x110000)) if c.isspace() and word.match(c)]
    assert not [c for c in wordscan._EDGES if word.match(c)]  # stripped off a token's ends


def test_a_pattern_without_runs_is_always_read_and_one_with_none_never() -> None:
    scan = WordScan([(), (None,), (("kniv",),), (("kniv",), None)])
    assert scan.bits(Text("inget här")) == 0b1010
    assert scan.bits(Text("en KNIV")) == 0b1110
    assert scan.bits(Text("ſ kniv")) == 0b1111  # the twins cannot read it: everything is read


ALTERNATIVE = st.sampled_from(
    [r"kniv\w*", r"\w*spräng\w*", "hot(?:ar|ade)?", "rån", "å", "ab", "b", "a b", "ä-b",
     r"(?<!inga )skott", "x|ab", r"[ab]+", r"\w+", "(a)b", "a(?!b)", "ö[^a]", ".", r"\d",
     r"\w*ab", r"a b\w*", r"\w*b\w*", r"b\w*", " a", "a ", r"\w*1_"]
)  # fmt: skip
SHAPE = st.sampled_from(["{}", "{}\\w*", "\\w*{}\\w*", "\\w*{}"])
WORD = st.text(alphabet="ab _1å", min_size=1, max_size=4)
PLAIN_TEXT = st.text(alphabet="abå _1-.\n", max_size=25)


@settings(max_examples=800, deadline=None)
@given(SHAPE, WORD, PLAIN_TEXT)
def test_a_plain_alternative_is_found_where_its_pattern_is(
    shape: str, word: str, text: str
) -> None:
    piece = shape.format(word)
    finder = literal(piece)
    if finder is None:  # only a word with a space after \w* is left to the engine
        assert " " in word and shape.startswith("\\w*")
        return
    hit = re.compile(rf"\b(?:{piece})\b").search(text)
    assert finder(text) == (hit.span() if hit else None), (piece, text)


TEXT = st.text(alphabet="abåäöÅBKNIVSPRÄNGhotrnskä x-.,\n\t1ſ", max_size=30)


@settings(max_examples=500, deadline=None)
@given(st.lists(ALTERNATIVE, min_size=1, max_size=5), st.lists(TEXT, min_size=1, max_size=4))
def test_a_matcher_finds_what_its_pattern_finds(alternatives: list[str], texts: list[str]) -> None:
    pattern = rulecheck.words_pattern(alternatives)
    matcher = Matcher(pattern)
    scan = WordScan([[need] for need in matcher.needs])
    for text in texts * 2:  # the second time from the remembered tokens and twins
        prepared = Text(text)
        hit = pattern.search(text)
        expected = hit.group(0) if hit else None
        assert matcher.search(prepared, scan.bits(prepared)) == expected, (alternatives, text)
        assert matcher.search(prepared) == expected
        assert matcher.found_in(prepared, scan.bits(prepared)) == (hit is not None)


# --- Loading: one compile for a list of alternatives that are each closed -----


def old_words_pattern(value: Any) -> re.Pattern[str]:
    """briefing.judge.rulecheck.words_pattern before the fast path: each alternative alone."""
    alternatives = [value] if isinstance(value, str) else value
    if not (isinstance(alternatives, list) and alternatives) or not all(
        isinstance(alternative, str) for alternative in alternatives
    ):
        raise ValueError("must be a regular expression or a list of them")
    for alternative in alternatives:
        try:
            re.compile(alternative)
        except re.error as exc:
            raise ValueError(f"bad regular expression {alternative!r}: {exc}") from exc
    joined = "|".join(f"(?:{alternative})" for alternative in alternatives)
    try:
        return re.compile(rf"\b(?:{joined})\b", re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"bad regular expression: {exc}") from exc


def outcome(check: Any, value: Any) -> tuple[str, Any]:
    try:
        found = check(value)
    except ValueError as exc:
        return "error", str(exc)
    return "pattern", (found.pattern, found.flags)


@pytest.mark.parametrize(
    "value",
    [
        ["a)", "(b"],
        ["(x)", r"\1y"],
        ["(?P<n>a)", "(?P=n)"],
        ["(?P<n>a)", "(?P<n>b)"],
        ["[a", "b]"],
        ["[]a]", "[^]b]", r"[\]]"],
        ["a\\", "b"],
        ["a", "(?i)b"],
        ["(?i)a", "b"],
        ["*a"],
        ["(?#(x)", "y"],
        ["(?x: a # )", "b"],
        ["(a|b)c", "(?:d)", "(?<=e)f", "(?<!g)h", "i(?=j)", "k(?!l)"],
        ["(?(1)a|b)"],
        ["a{2,1}"],
        [r"\q"],
        ["(?<=a+)b"],
        ["", "x"],
        "skott\\w*",
        [],
        [1],
    ],
)
def test_loading_a_pattern_gives_what_compiling_each_alternative_gave(value: Any) -> None:
    assert outcome(rulecheck.words_pattern, value) == outcome(old_words_pattern, value)


@pytest.mark.filterwarnings("ignore:Possible nested set:FutureWarning")
@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(alphabet="ab()[]^\\|?*+{}1:=!<P#x-", max_size=7), min_size=1, max_size=3))
def test_any_list_of_alternatives_loads_as_before(value: list[str]) -> None:
    assert outcome(rulecheck.words_pattern, value) == outcome(old_words_pattern, value)


def test_the_bundled_rules_load_the_patterns_each_alternative_gave() -> None:
    path = Path(rulecheck.__file__).parent.parent / "data" / "rules.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    tables = [*data["rules"], *data["settings"].values()]
    values = [table[key] for table in tables for key in ("pattern", "unless") if key in table]
    assert len(values) > 100
    for value in values:
        assert outcome(rulecheck.words_pattern, value) == outcome(old_words_pattern, value)
