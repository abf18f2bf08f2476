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

from datetime import datetime

from briefing.i18n import label, t
from briefing.judge.rulebook import UNKNOWN_CATEGORY, Compiled, Rule, Rules, Situation, TypeRule
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
    typed = _typed(lang, key, kind, category, severity)
    compiled = rules.compiled
    if not (applicable := compiled.applicable(category)):
        return typed  # no rule reads it (summaries): the type says it all
    # One scan of the words says which rules can fire (briefing.judge.wordscan); only
    # those are read, in file order, as if every rule were.
    text = Text(_text(incident, place, read_type=known is None))
    bits = compiled.scan.bits(text)
    candidates = bits | compiled.unconditional
    if place.place and place.kind in compiled.by_kind:
        candidates |= compiled.by_kind[place.kind]
    if not (order := candidates & applicable):
        return typed
    reasons = list(typed.reasons)
    reading = _Reading(text, bits, compiled)
    check: str | None = None
    while order:
        lowest = order & -order
        index = lowest.bit_length() - 1
        rule = compiled.rules[index]
        if (words := reading.fires(rule, index, incident, place, rules)) is None:
            order ^= lowest
            continue
        if rule.check and check is None:
            check = t(lang, "reason.check", rule=rule.name, words=words)
        new_category, new_severity = rule.category or category, rule.applied[severity]
        if new_category == category:
            order ^= lowest
            if new_severity == severity:
                continue
        else:  # the later rules are those for the new category
            order = candidates & compiled.applicable(new_category) & ~((lowest << 1) - 1)
        reasons.append(_reason(lang, rule, words, (category, severity), new_category, new_severity))
        category, severity = new_category, new_severity
    if check is None and len(reasons) == 1:
        return typed  # rules fired, and changed nothing
    # Once serious, it is flagged: there is nothing left to check.
    return Judgement(category, severity, tuple(reasons), None if severity.serious else check)


_TYPED: dict[tuple[str, str, str, str, Severity], Judgement] = {}


def _typed(lang: str, key: str, kind: str, category: str, severity: Severity) -> Judgement:
    """The judgement of the type alone, made once per type, category and language (it is
    frozen, so every incident the rules leave alone can share it)."""
    found = _TYPED.get((lang, key, kind, category, severity))
    if found is None:
        if len(_TYPED) > 10_000:  # free headings are many: forget, start afresh
            _TYPED.clear()
        reason = t(lang, key, type=kind, **_words(lang, category, severity))
        found = _TYPED[lang, key, kind, category, severity] = Judgement(
            category, severity, (reason,)
        )
    return found


class _Reading:
    """One incident's text as the rules read it: which patterns can match (`bits`),
    and the settings and times, each found once when a rule first asks for it."""

    __slots__ = ("bits", "compiled", "local", "settings", "text")

    def __init__(self, text: Text, bits: int, compiled: Compiled) -> None:
        self.text, self.compiled, self.bits = text, compiled, bits
        self.settings: dict[str, str | None] = {}
        self.local: datetime | None = None

    def fires(
        self, rule: Rule, index: int, incident: Incident, place: Place, rules: Rules
    ) -> str | None:
        """The words (and setting, time) that fired `rule`, or None: as `Rule.fires`."""
        words = []
        pattern_at, unless_at = self.compiled.patterns[index]
        if rule._pattern is not None:
            if (hit := rule._pattern.search(self.text, self.bits >> pattern_at)) is None:
                return None
            if rule._unless is None and not rule.asks_where_or_when:
                return hit
            words.append(hit)
        unless = rule._unless
        if unless is not None and unless.found_in(self.text, self.bits >> unless_at):
            return None
        settings, times = rule.wanted
        if rule.settings is not None:
            for name in settings:
                if (evidence := self.setting(name, place)) is not None:
                    words.append(evidence)
                    break
            else:
                return None
        if rule.times is not None:
            for name in times:
                if (evidence := self.time(name, incident, rules)) is not None:
                    words.append(evidence)
                    break
            else:
                return None
        return ", ".join(dict.fromkeys(words))

    def setting(self, name: str, place: Place) -> str | None:
        """What places the incident in the setting `name` (Setting.evidence), or None."""
        if name in self.settings:
            return self.settings[name]
        found = None
        for setting, pattern_at, unless_at in self.compiled.settings.get(name, ()):
            first = (pattern_at, unless_at)
            evidence = setting.evidence(self.text, place.place, place.kind, self.bits, first)
            found = found if evidence is None else evidence  # the last one found, as a dict
        self.settings[name] = found
        return found

    def time(self, name: str, incident: Incident, rules: Rules) -> str | None:
        """The local time, when the incident happened in the time `name`; else None."""
        if self.local is None:
            self.local = incident.when.astimezone(rules.tz)
        local = self.local
        if any(span.name == name and span.holds(local) for span in rules.times):
            return f"{local:%H:%M}"
        return None


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
    return "\n".join(filter(None, parts))
