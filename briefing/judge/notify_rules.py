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
    municipality_if_unplaced = true        # the whole municipality when the incident is
                                           # placed in no kommundel ("i Järfälla")
    tags = ["trygghetsforum"]              # the stakeholder must carry every tag
    setting = ["commercial"]               # the incident is in one of these [settings]
    pattern = ["butik\\w*", "kiosk\\w*"]   # the reports' words must match (as in [[rules]])
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, PlainValidator, ValidationInfo, model_validator

from briefing.config import tomllines
from briefing.config.tomllines import Flag
from briefing.errors import ConfigError
from briefing.judge.rulebook import Setting
from briefing.judge.rulecheck import Categories, Pattern, SettingTable, SeverityName, names_of
from briefing.models import Item, Severity

# The kinds of stakeholder a registry row and a rule may name, in the order suggestions list them.
KINDS = ("school", "preschool", "housing", "business", "district_centre", "other")


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
    municipality_if_unplaced: bool = False  # in no kommundel: the whole municipality
    tags: frozenset[str] = frozenset()
    pattern: re.Pattern[str] | None = None
    # the incident must be in one of these settings ([settings.NAME] of the rules file:
    # its words, or the gazetteer kind of the place it names), as a severity rule's
    settings: tuple[Setting, ...] = ()

    def concerns(self, item: Item) -> bool:
        judgement = item.judgement
        if self.categories is None and judgement.category == "info":
            return False
        if self.categories is not None and judgement.category not in self.categories:
            return False
        if judgement.severity.rank < self.min_severity.rank:
            return False
        text = _text(item)
        if self.settings and not any(
            s.evidence(text, item.place.place, item.place.kind) is not None for s in self.settings
        ):
            return False
        return self.pattern is None or self.pattern.search(text) is not None


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


def _metres(value: Any) -> float:
    if type(value) not in (int, float) or not 0 < value <= 50_000:
        raise ValueError("metres, a number from 1 to 50000")
    return float(value)


def _settings(info: ValidationInfo) -> Collection[str]:
    return (info.context or {}).get("settings", ())  # type: ignore[no-any-return]


def _tags(value: Any) -> frozenset[str]:
    if not (isinstance(value, list) and all(isinstance(tag, str) for tag in value)):
        raise ValueError("must be a list of names")
    return frozenset(tag.casefold() for tag in value)


class NotifyTable(BaseModel):
    """The schema of one `[[notify]]` table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kinds: Annotated[frozenset[str], names_of("kind", lambda _: KINDS)]
    categories: Categories | None = None
    min_severity: SeverityName = Severity.INFO
    within_m: Annotated[float, PlainValidator(_metres)] | None = None
    in_district: Flag = False
    district_if_unplaced: Flag = False
    municipality_if_unplaced: Flag = False
    tags: Annotated[frozenset[str], PlainValidator(_tags)] = frozenset()
    pattern: Pattern | None = None
    setting: Annotated[frozenset[str], names_of("setting", _settings)] | None = None

    @model_validator(mode="after")
    def _says_how_near(self) -> Self:
        if self.within_m is None and not self.in_district:
            raise ValueError("needs `within_m` (metres) or `in_district = true`")
        return self

    def rule(self, settings: dict[str, Setting]) -> NotifyRule:
        given = {name: getattr(self, name) for name in type(self).model_fields if name != "setting"}
        chosen = tuple(settings[name] for name in sorted(self.setting or ()))
        return NotifyRule(**given, settings=chosen)


class NotifyFile(BaseModel):
    """The `[[notify]]` tables; the rest of the rules file is briefing.judge.rulecheck's."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    notify: list[NotifyTable] = []
    settings: dict[str, SettingTable] = {}  # what a table's `setting` names


def parse_rules(text: str, source: str) -> tuple[NotifyRule, ...]:
    """Every `[[notify]]` table checked; problems name the file, the line and the rule."""
    data = tomllines.read(text, source)
    categories = data.get("categories")
    known = tuple(categories) if isinstance(categories, list) else ()
    named = data.get("settings")
    context = {"categories": known, "settings": set(named) if isinstance(named, dict) else set()}
    problems = tomllines.Problems(source, text, data)
    found = tomllines.validate(NotifyFile, data, problems, context=context)
    problems.check(f"fix the [[notify]] rules in {source}")
    assert found is not None
    settings = {
        name: Setting(name, table.pattern, table.unless, table.place_kinds)
        for name, table in found.settings.items()
    }
    return tuple(table.rule(settings) for table in found.notify)
