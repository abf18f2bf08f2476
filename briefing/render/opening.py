"""The opening paragraph: two or three plain sentences before everything else.

Made by rules from the Briefing alone (no language model, no network): how the
night was against the normal (the days before, from `Briefing.daily`, and the
kommundelar flagged above their baseline), the most serious incidents with place
and time, and what awaits action (stakeholders to inform, open follow-ups, failed
sources, police pages not read).

    Natten till torsdag: två allvarliga händelser — lägenhetsbrand i Kallhäll 04.41
    och knivlagen i Jakobsbergs centrum 00.09. Fler händelser än vanligt (11 mot i
    snitt 2 mot normalt …). Fem att informera.
"""

from __future__ import annotations

from datetime import timedelta, tzinfo

from briefing.i18n import label, language, t, t_count
from briefing.models import Briefing, Item, Origin, clean_text
from briefing.render import followup
from briefing.render.health import local_time

MAX_NAMED = 3  # serious incidents named in the first sentence


def opening(briefing: Briefing) -> str:
    """The paragraph in the briefing's language; one line of text."""
    lang = language(briefing.language)
    zone = briefing.window_end.tzinfo
    sentences = [_serious(lang, briefing, zone), _normal(lang, briefing)]
    sentences.append(_action(lang, briefing))
    text = " ".join(s for s in sentences if s)
    return clean_text(text, single_line=True)


def number(lang: str, count: int) -> str:
    """'två' for 2, '13' for 13: small numbers in words."""
    words = t(lang, "opening.numbers").split(",")
    return words[count] if 0 <= count < len(words) else str(count)


def _period(lang: str, briefing: Briefing, zone: tzinfo | None) -> str:
    start = local_time(briefing.window_start, zone)
    end = local_time(briefing.window_end, zone)
    weekday = t(lang, "opening.weekdays").split(",")[end.weekday()]
    if start.date() != end.date() and end - start <= timedelta(hours=36):
        return t(lang, "opening.night", weekday=weekday)
    return t(lang, "opening.period")


def _serious(lang: str, briefing: Briefing, zone: tzinfo | None) -> str:
    period = _period(lang, briefing, zone)
    name = clean_text(briefing.municipality, single_line=True)
    serious = sorted(briefing.serious, key=lambda i: (-i.judgement.severity.rank, i.incident.when))
    if not serious:
        count = len(briefing.local)
        if not count:
            return t(lang, "opening.quiet", period=period, municipality=name)
        words = t_count(lang, "opening.incidents", count, number=number(lang, count))
        return t(lang, "opening.none_serious", period=period, municipality=name, incidents=words)
    named = [_named(lang, item, zone) for item in serious[:MAX_NAMED]]
    if len(serious) > MAX_NAMED:
        listed = ", ".join(named) + t(lang, "opening.and_more", count=len(serious) - MAX_NAMED)
    else:
        listed = t(lang, "opening.and").join(
            [", ".join(named[:-1]), named[-1]] if named[:-1] else named
        )
    count = len(serious)
    words = t_count(lang, "opening.serious", count, number=number(lang, count))
    return f"{period}: {words} — {listed}."


def _named(lang: str, item: Item, zone: tzinfo | None) -> str:
    """'lägenhetsbrand i Kallhäll 04.41'."""
    category = label(lang, "category", item.judgement.category)
    kind = (_kind(item.incident.type) if lang == "sv" else "") or category.lower()
    where = item.place.place or item.place.district or item.place.municipality
    clock = local_time(item.incident.when, zone).strftime(t(lang, "opening.clock"))
    place = t(lang, "opening.in", place=clean_text(where, single_line=True)) if where else ""
    return f"{kind}{place} {clock}"


def _kind(text: str) -> str:
    """A police type as words in a sentence: 'Skottlossning, misstänkt' → 'misstänkt
    skottlossning', 'Brand, automatlarm' → 'brand'."""
    parts = [p.strip() for p in clean_text(text, single_line=True).split(",") if p.strip()]
    if not parts:
        return ""
    head = _lower(parts[0])
    if len(parts) > 1 and parts[1].casefold() in {"misstänkt", "suspected"}:
        head = f"{_lower(parts[1])} {head}"
    return head


def _lower(word: str) -> str:
    """'Skottlossning' → 'skottlossning'; an acronym ('RAKEL') stays."""
    return word[:1].lower() + word[1:] if not word[1:2].isupper() else word


def _normal(lang: str, briefing: Briefing) -> str:
    """Against the days before: 'Fler händelser än vanligt (11 mot i snitt 2 mot normalt …).'"""
    days = [sum(day) for day in zip(*(counts for _, counts in briefing.daily), strict=False)]
    flagged = [trend for trend in briefing.trends if trend.flagged and trend.district]
    above = ""
    if flagged:
        names = dict.fromkeys(clean_text(trend.district, single_line=True) for trend in flagged)
        above = " " + t(lang, "opening.above", districts=", ".join(n for n in names if n))
    start, end = briefing.window_start, briefing.window_end
    before = days[: len(days) - ((end.date() - start.date()).days + 1)]
    if len(before) < 7:
        return above.strip()
    last = len(briefing.local)
    mean = sum(before) / len(before) * max(1.0, (end - start).total_seconds() / 86400)
    shown = f"{mean:.1f}".rstrip("0").rstrip(".") if mean < 10 else f"{mean:.0f}"
    shown = shown.replace(".", ",") if lang == "sv" else shown
    if last > 2 * mean + 1:
        key = "opening.more"
    elif last < mean / 2 and mean >= 2:
        key = "opening.fewer"
    else:
        key = "opening.usual"
    return t(lang, key, count=last, mean=shown) + above


def _action(lang: str, briefing: Briefing) -> str:
    parts = []
    informed = {
        s.name for item in briefing.local for s in item.stakeholders if not _handled(briefing, item)
    }
    if informed:
        parts.append(t(lang, "opening.to_inform", number=_capital(number(lang, len(informed)))))
    if open_items := [f for f in briefing.followups if not f.done]:
        count = len(open_items)
        parts.append(t_count(lang, "opening.open", count, number=_capital(number(lang, count))))
    if failed := [s for s in briefing.sources if not s.ok]:
        labels = ", ".join(clean_text(s.label or s.name, single_line=True) for s in failed)
        parts.append(t_count(lang, "opening.failed", len(failed), sources=labels))
    police = [i for i in briefing.local if i.incident.origin is Origin.POLICE and i.incident.url]
    missing = len([i for i in police if not i.incident.text])
    if missing and any(i.incident.text for i in police):  # pages are read: say which are missing
        parts.append(t_count(lang, "opening.pages", missing, number=number(lang, missing)))
    return " ".join(parts)


def _handled(briefing: Briefing, item: Item) -> bool:
    followed = followup.of(briefing, item.incident.id)
    return followed is not None and followed.done


def _capital(word: str) -> str:
    return word[:1].upper() + word[1:]
