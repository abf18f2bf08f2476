"""The checks of a severity rules file: every problem at once, with file, line and name.

`read` turns the parsed TOML of a rules file into `Rules` (briefing.judge.rulebook),
or raises ConfigError listing each problem as "file:line: rules[3] ('name'):
what is wrong". Lines come from the text (briefing.config.tomllines), since tomllib
keeps none.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from briefing.config import tomllines
from briefing.errors import ConfigError
from briefing.judge.gazetteer import KINDS as PLACE_KINDS
from briefing.judge.rulebook import (
    UNKNOWN_CATEGORY,
    UNTOUCHED,
    Rule,
    Rules,
    Setting,
    TimeSpan,
    TypeRule,
)
from briefing.models import Severity

_EFFECTS = ("raise_to", "lower_to", "raise", "lower", "category", "check")
_CONDITIONS = ("pattern", "setting", "time")
_RULE_KEYS = {"name", "unless", "categories", *_CONDITIONS, *_EFFECTS}
_SETTING_KEYS = {"pattern", "unless", "place_kinds"}
_TIME_KEYS = {"from", "to", "weekdays"}
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_NEVER = re.compile(r"(?!)")
_TOP_KEYS = {"categories", "types", "settings", "times", "rules", "notify"}


def read(data: dict[str, Any], text: str, source: str) -> Rules:
    """The rules of a parsed file; ConfigError with every problem found."""
    return _Reader(text, source).read(data)


class _Reader:
    """Checks every part of a parsed rules file; problems carry file, line and name."""

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.problems: list[str] = []

    def read(self, data: dict[str, Any]) -> Rules:
        for key in sorted(data.keys() - _TOP_KEYS):
            self.add(tomllines.key_line(self.text, "", key), f"unknown key '{key}'")
        categories = self._categories(data.get("categories"))
        types = self._types(data.get("types", {}), categories)
        settings = self._settings(data.get("settings", {}))
        times = self._times(data.get("times", {}))
        known = ({s.name for s in settings}, {t.name for t in times})
        rules = self._rules(data.get("rules", []), categories, known)
        if self.problems:
            raise ConfigError(self.problems, f"fix the rules file {self.source}")
        return Rules(categories, types, rules, settings, times)

    def add(self, line: int | None, problem: str) -> None:
        self.problems.append(f"{self.source}{f':{line}' if line else ''}: {problem}")

    def _categories(self, value: Any) -> tuple[str, ...]:
        line = tomllines.key_line(self.text, "", "categories")
        if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
            self.add(line, "categories: must be a list of category names")
            return (UNKNOWN_CATEGORY, UNTOUCHED)
        for missing in (c for c in (UNKNOWN_CATEGORY, UNTOUCHED) if c not in value):
            self.add(line, f"categories: must include '{missing}'")
        return tuple(value)

    def _types(self, value: Any, categories: tuple[str, ...]) -> dict[str, TypeRule]:
        if not isinstance(value, dict):
            self.add(None, "types: must be a table of type = {category, severity}")
            return {}
        types: dict[str, TypeRule] = {}
        for kind, entry in value.items():
            check = _Check(self, tomllines.key_line(self.text, "types", kind), f"types.'{kind}'")
            if not isinstance(entry, dict) or entry.keys() != {"category", "severity"}:
                check.fail("needs exactly `category` and `severity`")
                continue
            category = check.category(entry["category"], categories)
            severity = check.severity(entry["severity"], "severity")
            if category is not None and severity is not None:
                types[kind.strip()] = TypeRule(category, severity)
        return types

    def _settings(self, value: Any) -> tuple[Setting, ...]:
        found = []
        for name, table in self._named_tables("settings", value, _SETTING_KEYS):
            line = tomllines.table_line(self.text, f"settings.{name}")
            check = _Check(self, line, f"settings.{name}")
            kinds = table.get("place_kinds", [])
            if not (isinstance(kinds, list) and all(k in PLACE_KINDS for k in kinds)):
                check.fail(
                    f"place_kinds: must be a list of gazetteer kinds ({', '.join(PLACE_KINDS)})"
                )
                kinds = []
            pattern = check.pattern(table.get("pattern"), "pattern", optional=True)
            unless = check.pattern(table.get("unless"), "unless", optional=True)
            if pattern is None and not kinds:
                check.fail("needs a pattern or place_kinds")
            found.append(Setting(name, pattern, unless, frozenset(kinds)))
        return tuple(found)

    def _times(self, value: Any) -> tuple[TimeSpan, ...]:
        found = []
        for name, table in self._named_tables("times", value, _TIME_KEYS):
            check = _Check(self, tomllines.table_line(self.text, f"times.{name}"), f"times.{name}")
            start, end = check.clock(table.get("from"), "from"), check.clock(table.get("to"), "to")
            weekdays = table.get("weekdays", False)
            if type(weekdays) is not bool:
                check.fail("weekdays must be true or false")
            if start is not None and end is not None and start != end:
                found.append(TimeSpan(name, start, end, weekdays is True))
            elif start is not None and start == end:
                check.fail("`from` and `to` must differ")
        return tuple(found)

    def _named_tables(
        self, key: str, value: Any, allowed: set[str]
    ) -> list[tuple[str, dict[str, Any]]]:
        if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
            self.add(tomllines.table_line(self.text, key), f"{key}: must be [{key}.NAME] tables")
            return []
        for name, table in value.items():
            line = tomllines.table_line(self.text, f"{key}.{name}")
            for unknown in sorted(table.keys() - allowed):
                self.add(line, f"{key}.{name}: unknown key '{unknown}'")
        return list(value.items())

    def _rules(
        self, value: Any, categories: tuple[str, ...], known: tuple[set[str], set[str]]
    ) -> tuple[Rule, ...]:
        if not isinstance(value, list):
            self.add(None, "rules: must be a list of [[rules]] tables")
            return ()
        lines = tomllines.array_table_lines(self.text, "rules")
        rules = []
        for index, table in enumerate(value):
            name = table.get("name") if isinstance(table, dict) else None
            label = f"rules[{index}]" + (f" ('{name}')" if isinstance(name, str) else "")
            check = _Check(self, lines[index] if index < len(lines) else None, label)
            rule = check.rule(table, categories, known)
            if rule is not None and not check.failed:
                rules.append(rule)
        return tuple(rules)


class _Check:
    """The checks of one part of the file, each problem prefixed with its line and label."""

    def __init__(self, reader: _Reader, line: int | None, label: str) -> None:
        self.reader = reader
        self.line = line
        self.label = label
        self.failed = False

    def fail(self, problem: str) -> None:
        self.failed = True
        self.reader.add(self.line, f"{self.label}: {problem}")

    def rule(
        self, table: Any, categories: tuple[str, ...], known: tuple[set[str], set[str]]
    ) -> Rule | None:
        if not isinstance(table, dict) or not isinstance(table.get("name"), str):
            self.fail("needs a `name`")
            return None
        for key in sorted(table.keys() - _RULE_KEYS):
            self.fail(f"unknown key '{key}'")
        if not any(effect in table for effect in _EFFECTS):
            self.fail(f"needs an effect: one of {', '.join(_EFFECTS)}")
        if not any(condition in table for condition in _CONDITIONS):
            self.fail(f"needs a condition: one of {', '.join(_CONDITIONS)}")
        scope = self.names(table.get("categories"), "categories", "category", set(categories))
        return Rule(
            name=table["name"],
            pattern=self.pattern(table.get("pattern"), "pattern", optional=True),
            unless=self.pattern(table.get("unless"), "unless", optional=True),
            categories=scope,
            raise_to=self.severity(table.get("raise_to"), "raise_to", optional=True),
            lower_to=self.severity(table.get("lower_to"), "lower_to", optional=True),
            steps=self.steps(table),
            category=self.category(table.get("category"), categories, optional=True),
            settings=self.names(table.get("setting"), "setting", "setting", known[0]),
            times=self.names(table.get("time"), "time", "time", known[1]),
            check=self.flag(table.get("check", False), "check"),
        )

    def flag(self, value: Any, key: str) -> bool:
        if type(value) is not bool:
            self.fail(f"{key} must be true or false")
            return False
        return value

    def names(self, value: Any, key: str, what: str, allowed: set[str]) -> frozenset[str] | None:
        """A name or a list of names, each one of `allowed`; None when not given."""
        if value is None:
            return None
        names = [value] if isinstance(value, str) else value
        if not (isinstance(names, list) and names and all(isinstance(n, str) for n in names)):
            self.fail(f"{key}: must be a name or a list of names")
            return frozenset()
        for unknown in (n for n in names if n not in allowed):
            self.fail(f"{key}: unknown {what} {unknown!r} (known: {', '.join(sorted(allowed))})")
        return frozenset(n for n in names if n in allowed)

    def pattern(self, value: Any, key: str, optional: bool = False) -> re.Pattern[str] | None:
        """Alternatives matched as whole words, case-insensitively."""
        if value is None and optional:
            return None
        alternatives = [value] if isinstance(value, str) else value
        if not (isinstance(alternatives, list) and alternatives):
            self.fail(f"{key}: must be a regular expression or a list of them")
            return _NEVER
        joined = "|".join(f"(?:{alternative})" for alternative in alternatives)
        try:
            return re.compile(rf"\b(?:{joined})\b", re.IGNORECASE)
        except (re.error, TypeError) as exc:
            self.fail(f"{key}: bad regular expression: {exc}")
            return _NEVER

    def severity(self, value: Any, key: str, optional: bool = False) -> Severity | None:
        if value is None and optional:
            return None
        try:
            return Severity(value)
        except ValueError:
            names = ", ".join(s.value for s in Severity)
            self.fail(f"{key}: {value!r} is not a severity ({names})")
            return None

    def category(
        self, value: Any, categories: tuple[str, ...], optional: bool = False
    ) -> str | None:
        if value is None and optional:
            return None
        if value not in categories:
            self.fail(f"unknown category {value!r} (see `categories`)")
            return None
        return str(value)

    def steps(self, table: dict[str, Any]) -> int:
        steps = 0
        for key, sign in (("raise", 1), ("lower", -1)):
            value = table.get(key, 0)
            if type(value) is not int or not 0 <= value <= 4:
                self.fail(f"{key} must be a whole number of levels from 0 to 4")
                continue
            steps += sign * value
        return steps

    def clock(self, value: Any, key: str) -> time | None:
        match = _CLOCK.match(value) if isinstance(value, str) else None
        if match is None:
            self.fail(f'{key}: must be a time of day "HH:MM", not {value!r}')
            return None
        return time(int(match.group(1)), int(match.group(2)))
