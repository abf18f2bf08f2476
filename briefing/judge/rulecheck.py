"""The schema of a severity rules file, read through pydantic: every problem at once.

`check` reads the parsed TOML of a rules file into a `RulesFile`, or raises
ConfigError listing each problem as "file:line: key: what is wrong", the key
a dotted path naming the rule: `rules[3] ('armed_robbery').raise_to`
(briefing.config.tomllines finds the line, since tomllib keeps none).
briefing.judge.rulebook turns a `RulesFile` into the `Rules` the judge runs;
this module knows nothing of those classes. The value types here (a pattern,
a severity, a list of known names) serve the `[[notify]]` tables too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from datetime import time
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationInfo, model_validator

from briefing.config import tomllines
from briefing.config.tomllines import Flag
from briefing.judge.gazetteer import KINDS as PLACE_KINDS
from briefing.judge.matchers import closed
from briefing.models import Severity

UNKNOWN_CATEGORY = "other"
UNTOUCHED = "info"  # summaries and notices: no keyword rule applies
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
EFFECTS = ("raise_to", "lower_to", "raise", "lower", "category", "check")
CONDITIONS = ("pattern", "setting", "time")


def words_pattern(value: Any) -> re.Pattern[str]:
    """Alternatives matched as whole words, case-insensitively; a bad one is named."""
    alternatives = [value] if isinstance(value, str) else value
    if not (isinstance(alternatives, list) and alternatives) or not all(
        isinstance(alternative, str) for alternative in alternatives
    ):
        raise ValueError("must be a regular expression or a list of them")
    joined = "|".join(f"(?:{alternative})" for alternative in alternatives)
    # Compiling each alternative alone costs more than the rest of loading the rules.
    # When each is closed (briefing.judge.matchers), the joined pattern reads each as
    # it would be read alone, so if the joined one compiles, so does each; otherwise
    # each is tried, to name the bad one.
    if all(map(closed, alternatives)):
        try:
            return re.compile(rf"\b(?:{joined})\b", re.IGNORECASE)
        except re.error:
            pass
    for alternative in alternatives:
        try:
            re.compile(alternative)
        except re.error as exc:
            raise ValueError(f"bad regular expression {alternative!r}: {exc}") from exc
    try:
        return re.compile(rf"\b(?:{joined})\b", re.IGNORECASE)
    except re.error as exc:  # each compiles alone, not together: "a)|(b"
        raise ValueError(f"bad regular expression: {exc}") from exc


def severity(value: Any) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        names = ", ".join(s.value for s in Severity)
        raise ValueError(f"{value!r} is not a severity ({names})") from None


def names_of(what: str, known: Callable[[ValidationInfo], Collection[str]]) -> PlainValidator:
    """A name or a list of names, each a known `what`."""

    def check(value: Any, info: ValidationInfo) -> frozenset[str]:
        names = [value] if isinstance(value, str) else value
        if not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
            raise ValueError("must be a name or a list of names")
        allowed = known(info)
        listed = ", ".join(allowed if isinstance(allowed, tuple) else sorted(allowed))
        if not names:
            raise ValueError(f"name at least one {what} (known: {listed})")
        unknown = [n for n in names if n not in allowed]
        if unknown:
            raise ValueError(f"unknown {what} {', '.join(map(repr, unknown))} (known: {listed})")
        return frozenset(names)

    return PlainValidator(check)


def _known(key: str) -> Callable[[ValidationInfo], Collection[str]]:
    return lambda info: (info.context or {}).get(key, ())


def _category(value: Any, info: ValidationInfo) -> str:
    if value not in _known("categories")(info):
        raise ValueError(f"unknown category {value!r} (see `categories`)")
    return str(value)


def _clock(value: Any) -> time:
    match = _CLOCK.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f'must be a time of day "HH:MM", not {value!r}')
    return time(int(match.group(1)), int(match.group(2)))


def _steps(value: Any) -> int:
    if type(value) is not int or not 0 <= value <= 4:
        raise ValueError("must be a whole number of levels from 0 to 4")
    return value


def _categories(value: Any) -> tuple[str, ...]:
    if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
        raise ValueError("must be a list of category names")
    missing = [c for c in (UNKNOWN_CATEGORY, UNTOUCHED) if c not in value]
    if missing:
        raise ValueError(f"must include {' and '.join(map(repr, missing))}")
    return tuple(value)


Pattern = Annotated[re.Pattern[str], PlainValidator(words_pattern)]
SeverityName = Annotated[Severity, PlainValidator(severity)]
Category = Annotated[str, PlainValidator(_category)]
Categories = Annotated[frozenset[str], names_of("category", _known("categories"))]
Clock = Annotated[time, PlainValidator(_clock)]
Steps = Annotated[int, PlainValidator(_steps)]
PlaceKinds = Annotated[frozenset[str], names_of("gazetteer kind", lambda _: tuple(PLACE_KINDS))]


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class TypeEntry(_Table):
    category: Category
    severity: SeverityName


class SettingTable(_Table):
    pattern: Pattern | None = None
    unless: Pattern | None = None
    place_kinds: PlaceKinds = frozenset()

    @model_validator(mode="after")
    def _says_where(self) -> SettingTable:
        if self.pattern is None and not self.place_kinds:
            raise ValueError("needs a pattern or place_kinds")
        return self


class TimeTable(_Table):
    start: Clock = Field(alias="from")
    end: Clock = Field(alias="to")
    weekdays: Flag = False

    @model_validator(mode="after")
    def _a_span(self) -> TimeTable:
        if self.start == self.end:
            raise ValueError("`from` and `to` must differ")
        return self


class RuleTable(_Table):
    name: str
    pattern: Pattern | None = None
    unless: Pattern | None = None
    categories: Categories | None = None
    raise_to: SeverityName | None = None
    lower_to: SeverityName | None = None
    raise_: Steps = Field(default=0, alias="raise")
    lower: Steps = 0
    category: Category | None = None
    check: Flag = False  # "to check" when the incident ends up not serious
    setting: Annotated[frozenset[str], names_of("setting", _known("settings"))] | None = None
    time: Annotated[frozenset[str], names_of("time", _known("times"))] | None = None

    @model_validator(mode="after")
    def _does_something(self) -> RuleTable:
        fields = type(self).model_fields
        given = {fields[f].alias or f for f in self.model_fields_set}
        if not given & set(EFFECTS):
            raise ValueError(f"needs an effect: one of {', '.join(EFFECTS)}")
        if not given & set(CONDITIONS):
            raise ValueError(f"needs a condition: one of {', '.join(CONDITIONS)}")
        return self


class RulesFile(_Table):
    categories: Annotated[tuple[str, ...], PlainValidator(_categories)]
    types: dict[str, TypeEntry] = {}
    settings: dict[str, SettingTable] = {}
    times: dict[str, TimeTable] = {}
    rules: list[RuleTable] = []
    notify: Any = None  # briefing.judge.notify_rules reads the [[notify]] tables


def check(data: dict[str, Any], text: str, source: str) -> RulesFile:
    """The rules file, validated; ConfigError with every problem found."""
    problems = tomllines.Problems(source, text, data)
    found = tomllines.validate(RulesFile, data, problems, context=_context(data))
    problems.check(f"fix the rules file {source}")
    assert found is not None
    return found


def _context(data: dict[str, Any]) -> dict[str, Collection[str]]:
    """The names the rules may refer to, as the file declares them."""
    categories = data.get("categories")
    if not (isinstance(categories, list) and all(isinstance(c, str) for c in categories)):
        categories = [UNKNOWN_CATEGORY, UNTOUCHED]
    tables = {key: data.get(key) for key in ("settings", "times")}
    return {
        "categories": tuple(categories),
        **{key: set(value) if isinstance(value, dict) else set() for key, value in tables.items()},
    }
