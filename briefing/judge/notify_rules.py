"""The notification rules: the `[[notify]]` tables of the rules file.

Each table says which incidents concern which kinds of stakeholder, and how
near they must be. They live in the same file as the severity rules
(`[rules] file`, else briefing/data/rules.toml), so a municipality tunes both
in one place; the severity rules' parser ignores them and this module reads
them. A table with a mistake is rejected with the file, the line and the
rule's name, and every problem is listed at once.

    [[notify]]
    name = "lethal_violence_nearby"     # shown in every suggestion's reason
    kinds = ["school", "preschool", "housing"]
    categories = ["shooting", "explosion"] # default: every category but info
    min_severity = "high"                  # default: any severity
    within_m = 1000                        # metres from the incident's point, and/or
    in_district = true                     # anywhere in the incident's kommundel
    district_if_unplaced = true            # within_m, but the whole kommundel when the
                                           # incident is placed no closer than that
    tags = ["trygghetsforum"]              # the stakeholder must carry every tag
    pattern = ["butik\\w*", "kiosk\\w*"]   # the reports' words must match (as in [[rules]])
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
from briefing.models import Item, Severity

# The kinds of stakeholder a registry row and a rule may name, in the order suggestions list them.
KINDS = ("school", "preschool", "housing", "business", "district_centre", "other")
_RULE_KEYS = {"name", "kinds", "categories", "min_severity", "within_m", "in_district", "tags"}
_RULE_KEYS |= {"pattern", "district_if_unplaced"}


@dataclass(frozen=True, slots=True)
class NotifyRule:
    """A `[[notify]]` table: which incidents concern which stakeholders, and how near."""

    name: str
    kinds: frozenset[str]
    categories: frozenset[str] | None = None  # None: every category but info
    min_severity: Severity = Severity.INFO
    within_m: float | None = None
    in_district: bool = False
    district_if_unplaced: bool = False  # no point to measure from: the incident's kommundel
    tags: frozenset[str] = frozenset()
    pattern: re.Pattern[str] | None = None

    def concerns(self, item: Item) -> bool:
        judgement = item.judgement
        if self.categories is None and judgement.category == "info":
            return False
        if self.categories is not None and judgement.category not in self.categories:
            return False
        if judgement.severity.rank < self.min_severity.rank:
            return False
        return self.pattern is None or self.pattern.search(_text(item)) is not None


def _text(item: Item) -> str:
    parts = [item.place.place or ""]
    for report in item.reports:
        parts += [report.type, report.title, report.summary, report.text, report.location]
    return "\n".join(part for part in parts if part)


def load_rules(path: Path | None = None) -> tuple[NotifyRule, ...]:
    """The `[[notify]]` tables of the rules file (default: the bundled rules.toml)."""
    if path is None:
        return _bundled_rules()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read the rules: {exc}"]) from exc
    return parse_rules(text, str(path))


@cache
def _bundled_rules() -> tuple[NotifyRule, ...]:
    text = files("briefing.data").joinpath("rules.toml").read_text(encoding="utf-8")
    return parse_rules(text, "briefing/data/rules.toml")


def parse_rules(text: str, source: str) -> tuple[NotifyRule, ...]:
    """Every `[[notify]]` table checked; problems name the file, the line and the rule."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{source}: {exc}"], "fix the TOML syntax") from exc
    tables = data.get("notify", [])
    if not isinstance(tables, list):
        raise ConfigError([f"{source}: notify: must be a list of [[notify]] tables"])
    lines = [text.count("\n", 0, m.start()) + 1 for m in _NOTIFY.finditer(text)]
    categories = data.get("categories")
    known = frozenset(categories) if isinstance(categories, list) else None
    problems: list[str] = []
    rules = []
    for index, table in enumerate(tables):
        line = f":{lines[index]}" if index < len(lines) else ""
        name = table.get("name") if isinstance(table, dict) else None
        where = f"{source}{line}: notify[{index}]" + (f" ('{name}')" if name else "")
        before = len(problems)
        rule = _rule(table, known, where, problems)
        if rule is not None and len(problems) == before:
            rules.append(rule)
    if problems:
        raise ConfigError(problems, f"fix the [[notify]] rules in {source}")
    return tuple(rules)


_NOTIFY = re.compile(r"^[ \t]*\[\[[ \t]*notify[ \t]*\]\]", re.MULTILINE)


def _rule(
    table: Any, known: frozenset[str] | None, where: str, problems: list[str]
) -> NotifyRule | None:
    if not isinstance(table, dict) or not isinstance(table.get("name"), str):
        problems.append(f"{where}: needs a `name`")
        return None
    problems += [f"{where}: unknown key '{key}'" for key in sorted(table.keys() - _RULE_KEYS)]
    kinds = _words(table.get("kinds"), where, "kinds", problems, allowed=frozenset(KINDS))
    if not kinds:
        problems.append(f"{where}: kinds: name at least one kind ({', '.join(KINDS)})")
    categories = None
    if "categories" in table:
        categories = _words(table["categories"], where, "categories", problems, allowed=known)
    within = table.get("within_m")
    if within is not None and (type(within) not in (int, float) or not 0 < within <= 50_000):
        problems.append(f"{where}: within_m: metres, a number from 1 to 50000")
        within = None
    in_district, unplaced = (
        table.get(key, False) for key in ("in_district", "district_if_unplaced")
    )
    for key, flag in (("in_district", in_district), ("district_if_unplaced", unplaced)):
        if type(flag) is not bool:
            problems.append(f"{where}: {key}: true or false")
    if within is None and in_district is not True:
        problems.append(f"{where}: needs `within_m` (metres) or `in_district = true`")
    return NotifyRule(
        name=table["name"],
        kinds=kinds,
        categories=categories,
        min_severity=_severity(table.get("min_severity", "info"), where, problems),
        within_m=float(within) if within is not None else None,
        in_district=in_district is True,
        district_if_unplaced=unplaced is True,
        tags=frozenset(
            t.casefold() for t in _words(table.get("tags", []), where, "tags", problems)
        ),
        pattern=_pattern(table.get("pattern"), where, problems),
    )


def _words(
    value: Any, where: str, key: str, problems: list[str], allowed: frozenset[str] | None = None
) -> frozenset[str]:
    if not (isinstance(value, list) and all(isinstance(word, str) for word in value)):
        problems.append(f"{where}: {key}: must be a list of names")
        return frozenset()
    unknown = [word for word in value if allowed is not None and word not in allowed]
    problems += [f"{where}: {key}: unknown value {word!r}" for word in unknown]
    return frozenset(value)


def _severity(value: Any, where: str, problems: list[str]) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        names = ", ".join(s.value for s in Severity)
        problems.append(f"{where}: min_severity: {value!r} is not a severity ({names})")
        return Severity.INFO


def _pattern(value: Any, where: str, problems: list[str]) -> re.Pattern[str] | None:
    """Like the keyword rules: alternatives matched as whole words, case-insensitively."""
    if value is None:
        return None
    alternatives = [value] if isinstance(value, str) else value
    if not (isinstance(alternatives, list) and alternatives):
        problems.append(f"{where}: pattern: a regular expression or a list of them")
        return None
    for alternative in alternatives:
        try:
            re.compile(alternative)
        except (re.error, TypeError) as exc:
            problems.append(f"{where}: pattern: bad regular expression {alternative!r}: {exc}")
            return None
    joined = "|".join(f"(?:{alternative})" for alternative in alternatives)
    return re.compile(rf"\b(?:{joined})\b", re.IGNORECASE)
