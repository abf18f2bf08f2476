"""One event seen by several sources becomes one item that lists every source.

`fuse` is pure. The police, the rescue service and the guards often report the
same fire or the same fight; the chief should read it once, with every
source's words at hand and a sentence saying why the reports were joined
("samma plats Snapphanevägen, 12 minuter isär, båda brand").

Reports are joined only when everything agrees:

* different sources (two reports from one source are two events, or an edit);
* the same municipality, at most `window_minutes` apart (when it happened);
* the same category, or two that describe one event from different angles
  (a police "Brand" and a rescue operation, a fight and an assault);
* the same place: the same named place or street; or points at most 500 m
  apart when both have one; or the same kommundel when at most one of them
  names a place within it (two different streets without points could be a
  kilometre apart, so they are not joined).

An item with only "Järfälla" as its place never joins: "somewhere in the
municipality" agrees with everything and so proves nothing.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from briefing.geo.geometry import haversine_m, in_sweden
from briefing.i18n import label, t, t_count
from briefing.models import Item, Judgement, Origin, Place, Precision, Status

DEFAULT_WINDOW_MINUTES = 90
NEAR_METRES = 500.0

# Categories that one event can be given by different sources: the police call
# it "Brand", the rescue service a rescue operation; a guard's "fight" is the
# police's assault. Anything else must be the same category; "other" (a
# heading nobody recognised) never agrees with anything.
COMPATIBLE: frozenset[frozenset[str]] = frozenset(
    frozenset(pair)
    for pair in (
        ("fire", "rescue"),
        ("fire", "explosion"),
        ("shooting", "explosion"),
        ("shooting", "weapons"),
        ("shooting", "homicide"),
        ("homicide", "violence"),
        ("violence", "robbery"),
        ("violence", "threat"),
        ("violence", "public_order"),
        ("threat", "weapons"),
        ("threat", "robbery"),
        ("robbery", "theft"),
        ("burglary", "theft"),
        ("burglary", "vandalism"),
        ("traffic_accident", "rescue"),
        ("traffic_accident", "traffic"),
        ("accident", "rescue"),
    )
)
_UNKNOWN = "other"
# The primary report is the police one when there is one: it has a public link.
_ORIGIN_ORDER = (Origin.POLICE, Origin.RESCUE, Origin.GUARDS, Origin.AUTHORITY)
_SPECIFIC = (Precision.STREET, Precision.PLACE)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class _PlaceMatch:
    """How two places agree: the same named place, nearby points, or one kommundel."""

    key: str  # "same_place" | "near" | "same_district"
    value: str


def point(item: Item) -> tuple[float, float] | None:
    """Where the item happened as a point, when it is placed that exactly.

    The point of a kommundel is its middle, kilometres from most of what
    happens in it: only a street's, a named place's or the source's own point
    is used to measure distances.
    """
    place = item.place
    if place.precision in _SPECIFIC and place.lat is not None and place.lon is not None:
        return place.lat, place.lon
    incident = item.incident
    if (
        incident.lat is not None
        and incident.lon is not None
        and in_sweden(incident.lat, incident.lon)
    ):
        return incident.lat, incident.lon
    return None


def fuse(
    items: Sequence[Item], *, window_minutes: int = DEFAULT_WINDOW_MINUTES, lang: str = "sv"
) -> list[Item]:
    """The items with reports of one event joined; order kept (by each event's first report)."""
    window = timedelta(minutes=window_minutes)
    incidents = [item.incident for item in items]
    when = _instants([i.occurred_at or i.published_at for i in incidents])  # Incident.when
    sources = [incident.source for incident in incidents]
    # A cluster is named by the report that opened it; most stay alone, and only those
    # that grow get a list (a national store holds tens of thousands of reports).
    joined: dict[int, list[int]] = {}  # cluster -> its reports, in the order they joined
    cluster_of: dict[int, int] = {}  # report -> its cluster, for the reports that joined one
    # Only reports of one municipality can join, and only recent ones: a national
    # store of thousands of events compares each report with a handful.
    recent: dict[str, deque[int]] = {}  # municipality -> its open clusters, oldest first
    for n in sorted(range(len(items)), key=when.__getitem__):
        item = items[n]
        town = item.place.municipality
        if town is None or item.judgement.category == _UNKNOWN:
            continue  # agrees with nothing
        open_here = recent.get(town)
        if open_here is None:
            open_here = recent[town] = deque()
        while open_here and when[n] - when[open_here[0]] > window:
            open_here.popleft()  # its first report is too far back for this one and every later
        # A report never joins a cluster holding a report of its own source (_agree).
        source = sources[n]
        openers, candidates = [], []
        for opener in open_here:
            grown = joined.get(opener)
            if grown is None:  # a report alone, as most stay
                if sources[opener] != source:
                    openers.append(opener)
                    candidates.append([items[opener]])
            elif all(sources[m] != source for m in grown):
                openers.append(opener)
                candidates.append([items[m] for m in grown])
        chosen = _best_cluster(candidates, item, window) if candidates else None
        if chosen is None:
            open_here.append(n)
            continue
        joined.setdefault(openers[chosen], [openers[chosen]]).append(n)
        cluster_of[n] = openers[chosen]
    if not joined:
        return list(items)  # nothing joined: every report is its own item, in order
    fused = []
    for n, item in enumerate(items):  # each cluster where its first report (in order) is
        cluster = joined.get(cluster_of.get(n, n))
        if cluster is None:
            fused.append(item)
        elif n == min(cluster):
            fused.append(_merged([items[m] for m in cluster], lang))
    return fused


def _instants(whens: list[datetime]) -> list[timedelta]:
    """Each time as its distance from 1970 (UTC for aware times): ordered and subtracted
    as the times are, without looking up a time zone at each comparison."""
    try:
        return [moment - _EPOCH for moment in whens]
    except TypeError:  # naive times (or a mix, which fails here as comparing them would)
        return [moment - _EPOCH.replace(tzinfo=None) for moment in whens]


def _best_cluster(clusters: list[list[Item]], item: Item, window: timedelta) -> int | None:
    """The cluster this report joins (every member agrees with it), the closest in time."""
    best: int | None = None
    best_gap = window
    for index, cluster in enumerate(clusters):
        if not all(_agree(member, item, window) for member in cluster):
            continue
        closest = min(abs(item.incident.when - m.incident.when) for m in cluster)
        if best is None or closest < best_gap:
            best, best_gap = index, closest
    return best


def _agree(a: Item, b: Item, window: timedelta) -> bool:
    if a.incident.source == b.incident.source or a.local != b.local:
        return False
    if a.place.municipality is None or a.place.municipality != b.place.municipality:
        return False
    if abs(a.incident.when - b.incident.when) > window:
        return False
    return _categories_agree(a, b) and _place_match(a, b) is not None


def _categories_agree(a: Item, b: Item) -> bool:
    first, second = a.judgement.category, b.judgement.category
    if _UNKNOWN in (first, second):
        return False
    return first == second or frozenset((first, second)) in COMPATIBLE


def _specific(place: Place) -> str | None:
    """The named place or street, if the item is placed that exactly."""
    return place.place if place.precision in _SPECIFIC and place.place else None


def _place_match(a: Item, b: Item) -> _PlaceMatch | None:
    """Points decide when both have one (a street can be long); else names, then kommundel."""
    named_a, named_b = _specific(a.place), _specific(b.place)
    same_name = named_a is not None and named_a == named_b
    points = point(a), point(b)
    if points[0] is not None and points[1] is not None:
        metres = haversine_m(*points[0], *points[1])
        if metres > NEAR_METRES:
            return None
        if same_name:
            return _PlaceMatch("same_place", str(named_a))
        return _PlaceMatch("near", f"{round(metres, -1):.0f}")
    if same_name:
        return _PlaceMatch("same_place", str(named_a))
    district = a.place.district
    if district and district == b.place.district and not (named_a and named_b):
        return _PlaceMatch("same_district", district)
    return None


def _merged(cluster: list[Item], lang: str) -> Item:
    if len(cluster) == 1:
        return cluster[0]
    primary = min(cluster, key=lambda i: (_ORIGIN_ORDER.index(i.incident.origin), i.incident.when))
    others = [item for item in cluster if item is not primary]
    return replace(
        primary,
        status=_status(cluster),
        place=_most_precise(primary, cluster),
        judgement=_judgement(primary, cluster),
        also=tuple(item.incident for item in others),
        fused_because="; ".join(_reason(primary, other, lang) for other in others),
    )


def _status(cluster: list[Item]) -> Status:
    """New when every report is new, unchanged when none changed, else updated."""
    statuses = {item.status for item in cluster}
    if statuses == {Status.NEW}:
        return Status.NEW
    if statuses == {Status.UNCHANGED}:
        return Status.UNCHANGED
    return Status.UPDATED


def _most_precise(primary: Item, cluster: list[Item]) -> Place:
    ranked = sorted(cluster, key=lambda i: (list(Precision).index(i.place.precision), i != primary))
    place = ranked[0].place
    if place.district is None:
        district = next((i.place.district for i in ranked if i.place.district), None)
        place = replace(place, district=district)
    return place


def _judgement(primary: Item, cluster: list[Item]) -> Judgement:
    """The highest severity (and its category) and every report's reasons, once each."""
    worst = max(cluster, key=lambda i: (i.judgement.severity.rank, i is primary))
    ordered = [primary, *(item for item in cluster if item is not primary)]
    reasons = dict.fromkeys(reason for item in ordered for reason in item.judgement.reasons)
    checks = (item.judgement.check for item in ordered if item.judgement.check)
    check = None if worst.judgement.serious else next(checks, None)
    return Judgement(worst.judgement.category, worst.judgement.severity, tuple(reasons), check)


def _reason(primary: Item, other: Item, lang: str) -> str:
    """'samma plats Snapphanevägen, 12 minuter isär, båda brand'."""
    match = _place_match(primary, other)
    assert match is not None  # every member of a cluster agrees with every other
    where = t(lang, f"fuse.{match.key}", value=match.value)
    gap = abs(primary.incident.when - other.incident.when)
    minutes = round(gap.total_seconds() / 60)
    when = t_count(lang, "fuse.minutes", minutes) if minutes else t(lang, "fuse.same_time")
    first, second = primary.judgement.category, other.judgement.category
    if first == second:
        what = t(lang, "fuse.both", category=label(lang, "category", first))
    else:
        what = t(
            lang,
            "fuse.compatible",
            first=label(lang, "category", first),
            second=label(lang, "category", second),
        )
    return f"{where}, {when}, {what}"
