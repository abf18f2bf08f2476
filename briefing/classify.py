"""What an incident is and how serious it is, with the rules that said so.

`classify` is pure. A type table gives each police type a category and a base
severity; keyword rules then read the text and raise, lower or re-categorise,
one after another in file order. Every step that changed something is named
in the reasons, with the words that fired, so the chief can see why.

The rules live in TOML (briefing/data/rules.toml by default), so a
municipality can tune them without touching code; the file documents itself.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from briefing.errors import ConfigError
from briefing.i18n import label, t
from briefing.models import Incident, Judgement, Origin, Place, Severity

UNKNOWN_CATEGORY = "other"
UNKNOWN_SEVERITY = Severity.MEDIUM  # shown, never hidden
_UNTOUCHED = "info"  # summaries and notices: no keyword rule applies
_TOP_KEYS = {"categories", "types", "rules"}
_EFFECTS = ("raise_to", "lower_to", "raise", "lower", "category")
_RULE_KEYS = {"name", "pattern", "unless", "categories", *_EFFECTS}


@dataclass(frozen=True, slots=True)
class TypeRule:
    category: str
    severity: Severity


@dataclass(frozen=True, slots=True)
class Rule:
    """A keyword rule: when `pattern` matches (and `unless` does not), apply the effects."""

    name: str
    pattern: re.Pattern[str]
    unless: re.Pattern[str] | None = None
    categories: frozenset[str] | None = None  # None: every category but info
    raise_to: Severity | None = None
    lower_to: Severity | None = None
    steps: int = 0
    category: str | None = None

    def applies_to(self, category: str) -> bool:
        if self.categories is None:
            return category != _UNTOUCHED
        return category in self.categories

    def fires(self, text: str) -> str | None:
        """The words that fired, or None."""
        hit = self.pattern.search(text)
        if hit is None or (self.unless is not None and self.unless.search(text)):
            return None
        return hit.group(0)

    def apply(self, severity: Severity) -> Severity:
        if self.raise_to is not None and severity.rank < self.raise_to.rank:
            severity = self.raise_to
        if self.lower_to is not None and severity.rank > self.lower_to.rank:
            severity = self.lower_to
        return severity.raised(self.steps)


class Rules:
    """The type table and keyword rules, validated."""

    def __init__(
        self, categories: tuple[str, ...], types: dict[str, TypeRule], rules: tuple[Rule, ...]
    ) -> None:
        self.categories = categories
        self.types = types
        self.rules = rules

    @classmethod
    def load(cls, path: Path | None = None) -> Rules:
        """Rules from `path`, or the bundled briefing/data/rules.toml."""
        if path is None:
            return _bundled()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError([f"{path}: cannot read the rules: {exc}"]) from exc
        return cls.parse(text, str(path))

    @classmethod
    def parse(cls, text: str, source: str) -> Rules:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError([f"{source}: {exc}"], "fix the TOML syntax") from exc
        problems: list[str] = [f"{source}: unknown key '{k}'" for k in data.keys() - _TOP_KEYS]
        categories = _categories(data.get("categories"), source, problems)
        types = _types(data.get("types", {}), categories, source, problems)
        rules = _rules(data.get("rules", []), categories, source, problems)
        if problems:
            raise ConfigError(problems, f"fix the rules file {source}")
        return cls(categories, types, rules)


@cache
def _bundled() -> Rules:
    text = files("briefing.data").joinpath("rules.toml").read_text(encoding="utf-8")
    return Rules.parse(text, "briefing/data/rules.toml")


def classify(incident: Incident, place: Place, rules: Rules, lang: str = "en") -> Judgement:
    """Category, severity and the reasons, from the type and the words of the report.

    The reasons are written in `lang`, since the chief reads them.
    """
    kind = incident.type.strip()
    known = rules.types.get(kind)
    if known is None:
        category, severity = UNKNOWN_CATEGORY, UNKNOWN_SEVERITY
        # Guards and the rescue service write free headings; only a police type is "unknown".
        key = "reason.unknown_type" if incident.origin is Origin.POLICE else "reason.free_type"
    else:
        category, severity = known.category, known.severity
        key = "reason.type"
    reasons = [t(lang, key, type=kind, **_words(lang, category, severity))]
    text = _text(incident, place, read_type=known is None)
    for rule in rules.rules:
        if not rule.applies_to(category) or (words := rule.fires(text)) is None:
            continue
        new_category, new_severity = rule.category or category, rule.apply(severity)
        if (new_category, new_severity) == (category, severity):
            continue
        change = [label(lang, "severity", new_severity)] if new_severity != severity else []
        change += [label(lang, "category", new_category)] if new_category != category else []
        reasons.append(
            t(lang, "reason.rule", rule=rule.name, words=words, change=", ".join(change))
        )
        category, severity = new_category, new_severity
    return Judgement(category, severity, tuple(reasons))


def _words(lang: str, category: str, severity: Severity) -> dict[str, str]:
    return {
        "category": label(lang, "category", category),
        "severity": label(lang, "severity", severity),
    }


def _text(incident: Incident, place: Place, *, read_type: bool) -> str:
    """What the rules read. The title leaves out the type and the place segment: the
    type "Skottlossning, misstänkt" is no shot fired, and "Knivsta" no knife."""
    title = incident.title
    for known in (incident.type.strip(), incident.location.strip()):
        title = title.replace(known, " ") if known else title
    parts = (
        incident.type if read_type else "",
        title,
        incident.summary,
        incident.text,
        incident.location,
        place.place or "",  # a canonical name carries its kind: "Jakobsbergs centrum"
    )
    return "\n".join(part for part in parts if part)


def _categories(value: Any, source: str, problems: list[str]) -> tuple[str, ...]:
    if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
        problems.append(f"{source}: categories: must be a list of category names")
        return (UNKNOWN_CATEGORY, _UNTOUCHED)
    missing = [c for c in (UNKNOWN_CATEGORY, _UNTOUCHED) if c not in value]
    problems += [f"{source}: categories: must include '{c}'" for c in missing]
    return tuple(value)


def _types(
    value: Any, categories: tuple[str, ...], source: str, problems: list[str]
) -> dict[str, TypeRule]:
    if not isinstance(value, dict):
        problems.append(f"{source}: types: must be a table of type = {{category, severity}}")
        return {}
    types: dict[str, TypeRule] = {}
    for kind, entry in value.items():
        where = f"{source}: types.'{kind}'"
        if not isinstance(entry, dict) or entry.keys() != {"category", "severity"}:
            problems.append(f"{where}: needs exactly `category` and `severity`")
            continue
        category = _category(entry["category"], categories, where, problems)
        severity = _severity(entry["severity"], f"{where}: severity", problems)
        if category is not None and severity is not None:
            types[kind.strip()] = TypeRule(category, severity)
    return types


def _rules(
    value: Any, categories: tuple[str, ...], source: str, problems: list[str]
) -> tuple[Rule, ...]:
    if not isinstance(value, list):
        problems.append(f"{source}: rules: must be a list of [[rules]] tables")
        return ()
    rules = []
    for index, table in enumerate(value):
        name = table.get("name") if isinstance(table, dict) else None
        where = f"{source}: rules[{index}]" + (f" ('{name}')" if isinstance(name, str) else "")
        before = len(problems)
        rule = _rule(table, categories, where, problems)
        if rule is not None and len(problems) == before:
            rules.append(rule)
    return tuple(rules)


def _rule(table: Any, categories: tuple[str, ...], where: str, problems: list[str]) -> Rule | None:
    if not isinstance(table, dict) or not isinstance(table.get("name"), str):
        problems.append(f"{where}: needs a `name`")
        return None
    problems += [f"{where}: unknown key '{k}'" for k in sorted(table.keys() - _RULE_KEYS)]
    if not any(effect in table for effect in _EFFECTS):
        problems.append(f"{where}: needs an effect: one of {', '.join(_EFFECTS)}")
    scope = table.get("categories")
    if scope is not None and not isinstance(scope, list):
        problems.append(f"{where}: categories: must be a list")
        scope = []
    return Rule(
        name=table["name"],
        pattern=_pattern(table.get("pattern"), f"{where}: pattern", problems),
        unless=None
        if table.get("unless") is None
        else _pattern(table["unless"], f"{where}: unless", problems),
        categories=None
        if scope is None
        else frozenset(c for c in scope if _category(c, categories, where, problems)),
        raise_to=_severity(table.get("raise_to"), f"{where}: raise_to", problems, optional=True),
        lower_to=_severity(table.get("lower_to"), f"{where}: lower_to", problems, optional=True),
        steps=_steps(table, where, problems),
        category=_category(table.get("category"), categories, where, problems, optional=True),
    )


def _pattern(value: Any, where: str, problems: list[str]) -> re.Pattern[str]:
    """Alternatives matched as whole words, case-insensitively."""
    alternatives = [value] if isinstance(value, str) else value
    if not (isinstance(alternatives, list) and alternatives):
        problems.append(f"{where}: must be a regular expression or a list of them")
        return _NEVER
    joined = "|".join(f"(?:{alternative})" for alternative in alternatives)
    try:
        return re.compile(rf"\b(?:{joined})\b", re.IGNORECASE)
    except (re.error, TypeError) as exc:
        problems.append(f"{where}: bad regular expression: {exc}")
        return _NEVER


_NEVER = re.compile(r"(?!)")


def _severity(
    value: Any, where: str, problems: list[str], *, optional: bool = False
) -> Severity | None:
    if value is None and optional:
        return None
    try:
        return Severity(value)
    except ValueError:
        names = ", ".join(s.value for s in Severity)
        problems.append(f"{where}: {value!r} is not a severity ({names})")
        return None


def _category(
    value: Any,
    categories: tuple[str, ...],
    where: str,
    problems: list[str],
    *,
    optional: bool = False,
) -> str | None:
    if value is None and optional:
        return None
    if value not in categories:
        problems.append(f"{where}: unknown category {value!r} (see `categories`)")
        return None
    return str(value)


def _steps(table: dict[str, Any], where: str, problems: list[str]) -> int:
    steps = 0
    for key, sign in (("raise", 1), ("lower", -1)):
        value = table.get(key, 0)
        if type(value) is not int or not 0 <= value <= 4:
            problems.append(f"{where}: {key} must be a whole number of levels from 0 to 4")
            continue
        steps += sign * value
    return steps
