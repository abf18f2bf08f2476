"""The severity rules: the parts of a rules file, and loading one.

The file (briefing/data/rules.toml by default, `[rules] file` to override)
documents itself. It holds the categories, the type table, the settings and
times the rules can ask for, and the keyword rules; its schema,
briefing.judge.rulecheck, checks it and reports every problem at once with the
file, the line and the rule's name, and this module makes the judge's `Rules`
of what it read. The `[[notify]]` tables of the same file belong to
briefing.judge.notify_rules and are not read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, tzinfo
from functools import cache
from importlib.resources import files
from pathlib import Path
from zoneinfo import ZoneInfo

from briefing.config import tomllines
from briefing.errors import ConfigError
from briefing.judge import rulecheck
from briefing.judge.matchers import Matcher
from briefing.judge.rulecheck import UNKNOWN_CATEGORY, UNTOUCHED
from briefing.judge.wordmatch import Text
from briefing.judge.wordscan import WordScan
from briefing.models import Severity

__all__ = ["UNKNOWN_CATEGORY", "UNTOUCHED", "Compiled", "Rule", "Rules", "Setting", "Situation"]
__all__ += ["TimeSpan", "TypeRule"]
STOCKHOLM = ZoneInfo("Europe/Stockholm")


@dataclass(frozen=True, slots=True)
class TypeRule:
    category: str
    severity: Severity


@dataclass(frozen=True, slots=True)
class Setting:
    """Where an incident happened (school, residential, centre, commercial): from the
    words of the report, or from the kind of the gazetteer place it names."""

    name: str
    pattern: re.Pattern[str] | None = None
    unless: re.Pattern[str] | None = None
    place_kinds: frozenset[str] = frozenset()
    _pattern: Matcher | None = field(default=None, init=False, repr=False, compare=False)
    _unless: Matcher | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_pattern", _matcher(self.pattern))
        object.__setattr__(self, "_unless", _matcher(self.unless))

    def evidence(
        self,
        text: Text | str,
        place_name: str | None,
        place_kind: str | None,
        bits: int = -1,
        first: tuple[int, int] = (0, 0),
    ) -> str | None:
        """What places the incident in this setting, or None. `bits` are the word scan's
        bits of the text, and `first` the first bits of the pattern's and the unless'
        alternatives in them (briefing.judge.rulebook.Compiled); by default all are read."""
        if place_kind in self.place_kinds and place_name:
            return place_name
        text = Text(text) if isinstance(text, str) else text
        hit = self._pattern.search(text, bits >> first[0]) if self._pattern else None
        if hit is None:
            return None
        if self._unless is not None and self._unless.found_in(text, bits >> first[1]):
            return None
        return hit


@dataclass(frozen=True, slots=True)
class TimeSpan:
    """A span of the local day; one whose end comes before its start runs past midnight."""

    name: str
    start: time
    end: time
    weekdays_only: bool = False

    def holds(self, local: datetime) -> bool:
        if self.weekdays_only and local.weekday() >= 5:
            return False
        now = local.time().replace(tzinfo=None)
        if self.start <= self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end


@dataclass(frozen=True, slots=True)
class Situation:
    """What the settings and times found for one incident: name -> the evidence."""

    settings: dict[str, str] = field(default_factory=dict)
    times: dict[str, str] = field(default_factory=dict)


_NOWHERE = Situation()  # read only: for rules that ask neither where nor when


def _matcher(pattern: re.Pattern[str] | None) -> Matcher | None:
    return None if pattern is None else Matcher(pattern)


@dataclass(frozen=True, slots=True)
class Rule:
    """A keyword rule: when its conditions hold (and `unless` does not match), apply the effects.

    Conditions, all of which must hold: `pattern` matches the text; the incident
    is in one of `settings`; it happened in one of `times`.
    """

    name: str
    pattern: re.Pattern[str] | None = None
    unless: re.Pattern[str] | None = None
    categories: frozenset[str] | None = None  # None: every category but info
    raise_to: Severity | None = None
    lower_to: Severity | None = None
    steps: int = 0
    category: str | None = None
    settings: frozenset[str] | None = None
    times: frozenset[str] | None = None
    check: bool = False  # the incident is "to check" when it ends up not serious
    _pattern: Matcher | None = field(default=None, init=False, repr=False, compare=False)
    _unless: Matcher | None = field(default=None, init=False, repr=False, compare=False)
    asks_where_or_when: bool = field(default=False, init=False, repr=False, compare=False)
    # Worked out once for the judge: `apply` of each severity, the wanted names in order.
    applied: dict[Severity, Severity] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    wanted: tuple[tuple[str, ...], tuple[str, ...]] = field(
        default=((), ()), init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_pattern", _matcher(self.pattern))
        object.__setattr__(self, "_unless", _matcher(self.unless))
        asks = self.settings is not None or self.times is not None
        object.__setattr__(self, "asks_where_or_when", asks)
        object.__setattr__(self, "applied", {s: self.apply(s) for s in Severity})
        wanted = (tuple(sorted(self.settings or ())), tuple(sorted(self.times or ())))
        object.__setattr__(self, "wanted", wanted)

    def applies_to(self, category: str) -> bool:
        if self.categories is None:
            return category != UNTOUCHED
        return category in self.categories

    def fires(self, text: Text | str, situation: Situation | None = None) -> str | None:
        """The words (and setting, time) that fired, or None."""
        situation = situation or _NOWHERE
        text = Text(text) if isinstance(text, str) else text
        words = []
        if self._pattern is not None:
            hit = self._pattern.search(text)
            if hit is None:
                return None
            words.append(hit)
        if self._unless is not None and self._unless.found_in(text):
            return None
        for wanted, found in ((self.settings, situation.settings), (self.times, situation.times)):
            if wanted is None:
                continue
            evidence = [found[name] for name in sorted(wanted) if name in found]
            if not evidence:
                return None
            words.append(evidence[0])
        return ", ".join(dict.fromkeys(words))

    def apply(self, severity: Severity) -> Severity:
        if self.raise_to is not None and severity.rank < self.raise_to.rank:
            severity = self.raise_to
        if self.lower_to is not None and severity.rank > self.lower_to.rank:
            severity = self.lower_to
        return severity.raised(self.steps)


class Rules:
    """The type table, settings, times and keyword rules, validated; `tz` is the briefing's."""

    def __init__(
        self,
        categories: tuple[str, ...],
        types: dict[str, TypeRule],
        rules: tuple[Rule, ...],
        settings: tuple[Setting, ...] = (),
        times: tuple[TimeSpan, ...] = (),
        tz: tzinfo = STOCKHOLM,
    ) -> None:
        self.categories = categories
        self.types = types
        self.rules = rules
        self.settings = settings
        self.times = times
        self.tz = tz
        self._applicable: dict[str, tuple[tuple[int, Rule], ...]] = {}
        self._compiled: Compiled | None = None

    @property
    def compiled(self) -> Compiled:
        """The rules as the judge runs them, worked out on first use."""
        if self._compiled is None:
            self._compiled = Compiled(self.rules, self.settings)
        return self._compiled

    def applicable(self, category: str) -> tuple[tuple[int, Rule], ...]:
        """The rules that apply to `category` with their indices, in file order."""
        found = self._applicable.get(category)
        if found is None:
            found = tuple((n, r) for n, r in enumerate(self.rules) if r.applies_to(category))
            self._applicable[category] = found
        return found

    @classmethod
    def load(cls, path: Path | None = None, tz: tzinfo | None = None) -> Rules:
        """Rules from `path`, or the bundled briefing/data/rules.toml, for local times in `tz`."""
        if path is None:
            rules = _bundled()
        else:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError([f"{path}: cannot read the rules: {exc}"]) from exc
            rules = cls.parse(text, str(path))
        return rules if tz is None else rules.in_zone(tz)

    @classmethod
    def parse(cls, text: str, source: str) -> Rules:
        data = tomllines.read(text, source)
        return cls.of(rulecheck.check(data, text, source))

    @classmethod
    def of(cls, file: rulecheck.RulesFile) -> Rules:
        """The judge's rules of a validated rules file."""
        types = {kind.strip(): TypeRule(t.category, t.severity) for kind, t in file.types.items()}
        settings = tuple(
            Setting(name, s.pattern, s.unless, s.place_kinds) for name, s in file.settings.items()
        )
        times = tuple(TimeSpan(name, t.start, t.end, t.weekdays) for name, t in file.times.items())
        rules = tuple(
            Rule(
                name=r.name,
                pattern=r.pattern,
                unless=r.unless,
                categories=r.categories,
                raise_to=r.raise_to,
                lower_to=r.lower_to,
                steps=r.raise_ - r.lower,
                category=r.category,
                settings=r.setting,
                times=r.time,
                check=r.check,
            )
            for r in file.rules
        )
        return cls(file.categories, types, rules, settings, times)

    def in_zone(self, tz: tzinfo) -> Rules:
        rules = Rules(self.categories, self.types, self.rules, self.settings, self.times, tz)
        rules._compiled = self._compiled
        return rules


class Compiled:
    """What the judge needs of the rules, worked out once: one `WordScan` of every
    pattern, and for each category the rules that apply to it, as bits.

    Bit i stands for rule i: its pattern, or for a rule without one the patterns of
    the settings it asks for (their place kinds are in `by_kind`; a rule asking only
    for a time is in `unconditional`). A rule whose bit is not set cannot fire. Then
    each pattern (each rule's, each rule's `unless`, each setting's and its `unless`)
    has a bit for each of its alternatives (briefing.judge.matchers), from the first
    bits in `patterns` (each rule's pattern and unless) and `settings`."""

    def __init__(self, rules: tuple[Rule, ...], settings: tuple[Setting, ...]) -> None:
        self.rules = rules
        needs: list[list[tuple[str, ...] | None]] = [[] for _ in rules]

        def place(matcher: Matcher | None) -> int:
            """The first bit of `matcher`'s alternatives (-1 for no pattern)."""
            if matcher is None:
                return -1
            needs.extend([need] for need in matcher.needs)
            return len(needs) - len(matcher.needs)

        self.patterns = tuple((place(r._pattern), place(r._unless)) for r in rules)
        # name -> (setting, its pattern's first bit, its unless' first bit), each of the name
        self.settings: dict[str, tuple[tuple[Setting, int, int], ...]] = {}
        for setting in settings:
            entry = (setting, place(setting._pattern), place(setting._unless))
            self.settings[setting.name] = (*self.settings.get(setting.name, ()), entry)
        self.unconditional = 0
        self.by_kind: dict[str, int] = {}
        for n, rule in enumerate(rules):
            if rule._pattern is not None:
                needs[n] += rule._pattern.needs
                continue
            if rule.settings is None:
                self.unconditional |= 1 << n
            names = sorted(rule.settings or ())
            wanted = [s for name in names for s, _, _ in self.settings.get(name, ())]
            for s in wanted:
                needs[n] += s._pattern.needs if s._pattern is not None else ()
                for kind in s.place_kinds:
                    self.by_kind[kind] = self.by_kind.get(kind, 0) | 1 << n
        self.scan = WordScan(needs)
        self._applicable: dict[str, int] = {}

    def applicable(self, category: str) -> int:
        """The bits of the rules that apply to `category`."""
        found = self._applicable.get(category)
        if found is None:
            found = sum(1 << n for n, rule in enumerate(self.rules) if rule.applies_to(category))
            self._applicable[category] = found
        return found


@cache
def _bundled() -> Rules:
    text = files("briefing.data").joinpath("rules.toml").read_text(encoding="utf-8")
    return Rules.parse(text, "briefing/data/rules.toml")
