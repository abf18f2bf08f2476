"""What an incident is and how serious it is, with the rules that said so.

`classify` is pure. A type table gives each police type a category and a base
severity; keyword rules then read the text and raise, lower or re-categorise,
one after another in file order. A rule may also ask where (a setting: school,
residential building, district centre, commercial premises) and when (a time:
night, school hours) it happened. Every step that changed something is named
in the reasons, with the words that fired, so the chief can see why.
A rule with `check = true` says the text cannot settle the question (a fire
in a building with no word of its extent): unless the incident ends up
serious, it is marked "to check" (att kontrollera) with that rule and words.

The rules live in TOML (briefing/data/rules.toml by default; see
briefing.judge.rulebook), so a municipality can tune them without touching code.
"""

from __future__ import annotations

from bisect import bisect_right

from briefing.i18n import label, t
from briefing.judge.rulebook import UNKNOWN_CATEGORY, Rule, Rules, Situation, TypeRule
from briefing.judge.wordmatch import Text
from briefing.models import Incident, Judgement, Origin, Place, Severity

__all__ = [
    "UNKNOWN_CATEGORY",
    "UNKNOWN_SEVERITY",
    "Rule",
    "Rules",
    "Situation",
    "TypeRule",
    "classify",
    "situation",
]

UNKNOWN_SEVERITY = Severity.MEDIUM  # shown, never hidden


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
    text = Text(_text(incident, place, read_type=known is None))
    # The setting and time are read only once a rule asks for them: few rules do,
    # and reading them is a third of the work (bench/RESULTS.md).
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
        reasons.append(_reason(lang, rule, words, (category, severity), new_category, new_severity))
        if new_category != category:  # the later rules are those for the new category
            order = rules.applicable(new_category)
            position = bisect_right(order, index, key=_index)
        category, severity = new_category, new_severity
    # Once serious, it is flagged: there is nothing left to check.
    return Judgement(category, severity, tuple(reasons), None if severity.serious else check)


def _index(entry: tuple[int, Rule]) -> int:
    return entry[0]


def _reason(
    lang: str,
    rule: Rule,
    words: str,
    before: tuple[str, Severity],
    category: str,
    severity: Severity,
) -> str:
    """What a rule changed, and the words that made it fire."""
    change = [label(lang, "severity", severity)] if severity != before[1] else []
    change += [label(lang, "category", category)] if category != before[0] else []
    return t(lang, "reason.rule", rule=rule.name, words=words, change=", ".join(change))


def situation(
    incident: Incident, place: Place, rules: Rules, text: Text | str | None = None
) -> Situation:
    """The settings the report places the incident in and the times it happened in.

    The time is when it happened, else when it was reported, on the clock of
    the briefing's time zone (`rules.tz`).
    """
    if text is None:
        text = _text(incident, place, read_type=incident.type.strip() not in rules.types)
    if isinstance(text, str):
        text = Text(text)
    settings = {
        setting.name: evidence
        for setting in rules.settings
        if (evidence := setting.evidence(text, place.place, place.kind)) is not None
    }
    local = incident.when.astimezone(rules.tz)
    times = {span.name: f"{local:%H:%M}" for span in rules.times if span.holds(local)}
    return Situation(settings, times)


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
