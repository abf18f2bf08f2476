"""The week's picture (lägesbild) for the EST meeting: what happened in one ISO week,
per category and kommundel against the 8 weeks before, the repeat places, and the
serious incidents with their follow-up.

Like every briefing, it judges the stored facts again (trends.history: placed,
classified, reports of one event fused); nothing is fetched here. The baseline of
a count is the weekly mean of the weeks before (at most 8, as many as the store
holds); a count is *clearly above* by the test the morning's trends use (at least
3, Poisson p < 0.05, once 4 weeks of history exist), scaled to the part of the
week that has passed when the week is the current one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from briefing.config import Config
from briefing.errors import UsageError
from briefing.judge import summaries, trends
from briefing.judge.classify import Rules
from briefing.judge.judge import Judge
from briefing.judge.places import Area, configured
from briefing.models import DistrictShape, FollowUp, Item, Repeat
from briefing.store import Store

BASELINE_WEEKS = trends.BASELINE_WEEKS
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.I)


@dataclass(frozen=True, slots=True)
class Count:
    """One category or kommundel: this week against its weekly mean before."""

    key: str | None  # the category, or the district (None: not known)
    count: int
    baseline: float  # incidents per week in the weeks before
    flagged: bool


@dataclass(frozen=True, slots=True)
class Week:
    municipality: str
    language: str
    label: str  # "2023-W23"
    start: datetime  # Monday 00:00, local
    end: datetime  # the next Monday 00:00, or now for the current week
    items: tuple[Item, ...]  # the week's local incidents, in time order
    categories: tuple[Count, ...]
    districts: tuple[Count, ...]
    repeats: tuple[Repeat, ...]
    followups: tuple[FollowUp, ...]
    shapes: tuple[DistrictShape, ...] = ()
    weeks_before: float = 0.0  # how many weeks of history the baselines rest on

    @property
    def serious(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.judgement.serious)

    def followup(self, incident_id: str) -> FollowUp | None:
        return next((f for f in self.followups if f.incident_id == incident_id), None)


def parse_week(text: str) -> tuple[int, int]:
    """'2026-W49' → (2026, 49); a clear error otherwise."""
    match = _WEEK.match(text.strip())
    if match:
        year, number = int(match.group(1)), int(match.group(2))
        try:
            date.fromisocalendar(year, number, 1)
        except ValueError:
            pass
        else:
            return year, number
    raise UsageError(f"--week {text!r}: not an ISO week", "write e.g. 2026-W49")


def bounds(
    tz: ZoneInfo, now: datetime, week: tuple[int, int] | None
) -> tuple[datetime, datetime, str]:
    """The week's start and end (now, for the current week) and its label."""
    year, number = week or now.astimezone(tz).isocalendar()[:2]
    monday = date.fromisocalendar(year, number, 1)
    start = datetime.combine(monday, time(0), tz)
    end = datetime.combine(monday + timedelta(days=7), time(0), tz)
    return start, min(end, now.astimezone(tz)) if start <= now else end, f"{year}-W{number:02d}"


def compute(
    config: Config,
    store: Store,
    *,
    now: datetime,
    week: tuple[int, int] | None = None,
    language: str | None = None,
) -> Week:
    """The picture of `week` (default: the current one, up to `now`)."""
    from briefing.pipeline import district_shapes
    from briefing.store.followups import gather

    tz = config.tz
    start, end, name = bounds(tz, now, week)
    home = config.municipality
    lang = language or config.briefing.language
    gazetteer = configured(config)
    judge = Judge(
        Area(home.name, home.county, config.briefing.neighbours),
        gazetteer,
        Rules.load(config.rules.file, tz=tz),
        lang,
    )
    history_start = start - timedelta(weeks=BASELINE_WEEKS)
    stored = store.window(history_start, end)
    local = [s for s in stored if s.incident.municipality in (None, home.name)]
    items = trends.history((s.incident for s in summaries.expand(local, tz)), judge)
    this = sorted(
        (i for i in items if start <= i.incident.when < end), key=lambda i: i.incident.when
    )
    before = [i for i in items if history_start <= i.incident.when < start]
    earliest = min((s.incident.published_at for s in stored), default=start)
    weeks = max(0.0, min(BASELINE_WEEKS, (start - earliest) / timedelta(weeks=1)))
    share = (end - start) / timedelta(weeks=1)
    return Week(
        municipality=home.name,
        language=lang,
        label=name,
        start=start,
        end=end,
        items=tuple(this),
        categories=_counts(this, before, weeks, share, lambda i: i.judgement.category),
        districts=_counts(this, before, weeks, share, lambda i: i.place.district),
        repeats=trends.repeat_places(items, end, lang, since=start),
        followups=gather(store, (i.incident.id for i in this)),
        shapes=district_shapes(gazetteer),
        weeks_before=round(weeks, 1),
    )


def _counts(
    this: list[Item],
    before: list[Item],
    weeks: float,
    share: float,
    key: Callable[[Item], str | None],
) -> tuple[Count, ...]:
    now = Counter(key(item) for item in this)
    then = Counter(key(item) for item in before)
    enough = weeks >= trends.MIN_BASELINE_WEEKS
    counts = []
    for name in {*now, *then}:
        per_week = then[name] / weeks if weeks >= 1 else 0.0
        rate = max(then[name], 0.5) / weeks * share if enough else 0.0
        flagged = (
            enough
            and now[name] >= trends.FLAG_MIN_COUNT
            and trends.poisson_tail(now[name], rate) < trends.FLAG_P_VALUE
        )
        if now[name] or per_week >= 1:  # a usual thing that did not happen is news too
            counts.append(Count(name, now[name], round(per_week, 2), flagged))
    return tuple(sorted(counts, key=lambda c: (-c.count, -c.baseline, c.key or "\uffff")))
