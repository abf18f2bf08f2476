"""What keeps coming back: districts above their own baseline, places named again and again.

Facts are stored, judgements recomputed: the last nine weeks of stored
incidents are placed and classified by the briefing's own `Judge` (what the
window judged already is not judged again), reports of one event are fused,
and then counted.

* **Trends.** Per kommundel and category, the last 7 days against the same
  kommundel's own baseline, the 8 weeks before. A count is *clearly above*
  when it is at least 3 and a Poisson count with the baseline's weekly rate
  would reach it less than 5 % of the time (p < 0.05). The rate is never
  taken below half an incident in the baseline period, so a single event after
  a quiet spell is not "infinitely" above. Until the store holds at least four
  weeks of baseline (a new installation), nothing is flagged: an empty
  baseline would make every busy week look exceptional.
* **Repeat places.** A named place or street (not a whole kommundel) with at
  least 3 incidents of at least medium severity in the last 14 days, one of
  them reported in this briefing ("3:e händelsen vid Jakobsbergs station på
  14 dagar").
* **Daily counts.** Incidents per local day and kommundel over 28 days, oldest
  first, for the sparklines.

Only the home municipality is judged (a store of the whole country's 500
latest events per run holds thousands of others), and summaries and notices
(category info) are not incidents, so they are not counted.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta, tzinfo

from briefing.i18n import label, t
from briefing.judge import summaries
from briefing.judge.fuse import fuse
from briefing.judge.judge import Judge
from briefing.models import Incident, Item, Precision, Repeat, Severity, Status, Trend
from briefing.store import Store

RECENT_DAYS = 7
BASELINE_WEEKS = 8
HISTORY_DAYS = RECENT_DAYS + 7 * BASELINE_WEEKS
MIN_BASELINE_WEEKS = 4
FLAG_MIN_COUNT = 3
FLAG_P_VALUE = 0.05
REPEAT_DAYS = 14
REPEAT_MIN = 3
# Routine police work (a traffic control, a dog left in a car) does not make a place a problem.
REPEAT_MIN_SEVERITY = Severity.MEDIUM
DAILY_DAYS = 28
_NOT_INCIDENTS = "info"

Daily = tuple[tuple[str | None, tuple[int, ...]], ...]


def compute(
    store: Store, judge: Judge, *, end: datetime, tz: tzinfo, since: datetime | None = None
) -> tuple[tuple[Trend, ...], tuple[Repeat, ...], Daily]:
    """Trends, repeat places and daily counts for the period that ends at `end`.

    `judge` is the briefing's own, so what its window judged is not judged
    again. `since` is the start of this briefing: a repeat place is listed
    only when one of its incidents was reported since then.
    """
    area, lang = judge.area, judge.lang
    stored = store.window(end - timedelta(days=HISTORY_DAYS), end)
    earliest = min((s.incident.published_at for s in stored), default=end)
    # cheap: most of a national store is elsewhere; night summaries count by their parts
    home = [s for s in stored if s.incident.municipality in (None, area.municipality)]
    items = history((s.incident for s in summaries.expand(home, tz)), judge)
    covered = (end - earliest) / timedelta(weeks=1) - RECENT_DAYS / 7
    districts = judge.gazetteer.districts if judge.gazetteer is not None else ()
    return (
        district_trends(items, end, lang, baseline_weeks=min(BASELINE_WEEKS, covered)),
        repeat_places(items, end, lang, since),
        daily_counts(items, end, tz, districts),
    )


def history(incidents: Iterable[Incident], judge: Judge) -> list[Item]:
    """The home municipality's stored incidents judged and fused; notices left out."""
    items = []
    for incident in incidents:
        place = judge.place(incident)
        if place.municipality != judge.area.municipality:
            continue
        judgement = judge.judgement(incident)
        if judgement.category != _NOT_INCIDENTS:
            items.append(Item(incident, Status.UNCHANGED, place, judgement, local=True))
    return fuse(items, lang=judge.lang)


def district_trends(
    items: list[Item], end: datetime, lang: str, *, baseline_weeks: float = BASELINE_WEEKS
) -> tuple[Trend, ...]:
    """Every kommundel and category seen in the last 7 days, flagged when clearly above."""
    recent_start = end - timedelta(days=RECENT_DAYS)
    baseline_start = recent_start - timedelta(weeks=BASELINE_WEEKS)
    recent: Counter[tuple[str | None, str]] = Counter()
    baseline: Counter[tuple[str | None, str]] = Counter()
    for item in items:
        key = (item.place.district, item.judgement.category)
        when = item.incident.when
        if recent_start < when <= end:
            recent[key] += 1
        elif baseline_start < when <= recent_start:
            baseline[key] += 1
    trends = [
        _trend(district, category, count, baseline[district, category], baseline_weeks, lang)
        for (district, category), count in recent.items()
    ]
    return tuple(
        sorted(trends, key=lambda tr: (not tr.flagged, -tr.last_7_days, tr.district or ""))
    )


def _trend(
    district: str | None, category: str, count: int, before: int, weeks: float, lang: str
) -> Trend:
    """One kommundel and category; without four weeks of history there is no baseline to beat."""
    enough = weeks >= MIN_BASELINE_WEEKS
    per_week = before / weeks if weeks >= 1 else 0.0
    rate = max(before, 0.5) / weeks if enough else 0.0
    flagged = enough and count >= FLAG_MIN_COUNT and poisson_tail(count, rate) < FLAG_P_VALUE
    words = {
        "district": district or t(lang, "district.unknown"),
        "category": label(lang, "category", category),
        "count": count,
        "baseline": _decimal(lang, per_week),
    }
    text = t(lang, "trend.text" if enough else "trend.text.short_history", **words)
    return Trend(district, category, count, round(per_week, 2), flagged, text)


def poisson_tail(count: int, rate: float) -> float:
    """P(X >= count) for X ~ Poisson(rate)."""
    if count <= 0:
        return 1.0
    term = math.exp(-rate)
    below = term
    for k in range(1, count):
        term *= rate / k
        below += term
    return max(0.0, 1.0 - below)


def _decimal(lang: str, value: float) -> str:
    text = f"{value:.1f}"
    return text.replace(".", ",") if lang == "sv" else text


def repeat_places(
    items: list[Item], end: datetime, lang: str, since: datetime | None = None
) -> tuple[Repeat, ...]:
    """Named places with at least REPEAT_MIN incidents in 14 days, one of them new."""
    start = end - timedelta(days=REPEAT_DAYS)
    at: defaultdict[tuple[str, str | None], list[Item]] = defaultdict(list)
    for item in items:
        named = item.place.precision in (Precision.STREET, Precision.PLACE) and item.place.place
        worth = item.judgement.severity.rank >= REPEAT_MIN_SEVERITY.rank
        if named and worth and start < item.incident.when <= end:
            at[str(item.place.place), item.place.district].append(item)
    repeats = []
    for (place, district), found in at.items():
        reports = [report for item in found for report in item.reports]
        if len(found) < REPEAT_MIN:
            continue
        if since is not None and all(report.published_at < since for report in reports):
            continue
        found.sort(key=lambda item: item.incident.when)
        text = t(lang, "repeat.text", nth=ordinal(lang, len(found)), place=place, days=REPEAT_DAYS)
        ids = tuple(item.incident.id for item in found)
        repeats.append(Repeat(place, district, len(found), REPEAT_DAYS, ids, text))
    return tuple(sorted(repeats, key=lambda r: (-r.count, r.place)))


def ordinal(lang: str, number: int) -> str:
    """'3:e', '21:a' in Swedish; '3rd', '11th' in English."""
    if lang == "sv":
        return f"{number}:{'a' if number % 10 in (1, 2) and number % 100 not in (11, 12) else 'e'}"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{'th' if number % 100 in (11, 12, 13) else suffix}"


def daily_counts(items: list[Item], end: datetime, tz: tzinfo, districts: tuple[str, ...]) -> Daily:
    """Incidents per local day over the last 28 days, per kommundel, then district unknown."""
    last = end.astimezone(tz).date()
    days = [last - timedelta(days=n) for n in range(DAILY_DAYS - 1, -1, -1)]
    counts: Counter[tuple[str | None, date]] = Counter(
        (item.place.district, item.incident.when.astimezone(tz).date()) for item in items
    )
    others = sorted({d for d, _ in counts if d is not None and d not in districts})
    rows: list[str | None] = [*districts, *others, None]
    return tuple((district, tuple(counts[district, day] for day in days)) for district in rows)
