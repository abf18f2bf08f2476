"""How well briefing's judgement agrees with hand labels on real police events.

`evaluate` replays a recorded polisen payload through the polisen adapter, places
and judges every labelled event exactly as a briefing would (the same gazetteer,
rules and stakeholder registry), and compares with the labels
(tests/data/eval/LABELING.md describes them). The event pages' text can be added,
as the details fetcher would: from a folder of saved pages `<id>.html` (read by
the adapter's own page reader) or from a parsed details file (JSON).
`briefing eval` prints the report.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import httpx

from briefing.errors import UsageError
from briefing.evaluate.labels import LABEL_KINDS, Label, load_labels
from briefing.judge import places
from briefing.judge.classify import Rules, classify
from briefing.judge.places import Area, Gazetteer, resolve
from briefing.models import Incident, Item, Judgement, Origin, Place, Status, clean_text
from briefing.sources import municipalities
from briefing.sources.base import FetchContext
from briefing.sources.http import HttpClient
from briefing.sources.polisen import PolisenSettings, PolisenSource

if TYPE_CHECKING:
    from briefing.config import Config

__all__ = ["EvalReport", "Label", "Outcome", "evaluate", "load_labels"]

TZ = ZoneInfo("Europe/Stockholm")
Suggester = Callable[[Item], frozenset[str]]  # an item -> the kinds of stakeholders suggested
# What the judgement should reach on the API fields alone, and with page text.
TARGETS_API = {
    "serious_recall": 0.95,
    "serious_precision": 0.85,
    "district_accuracy": 0.75,
    "wrong_district_share": 0.05,  # at most: a district where the label has none
    "misplaced_share": 0.05,  # at most: another kommundel than the label's
}
TARGETS_DETAILS = {**TARGETS_API, "district_accuracy": 0.93}
_AT_MOST = {"wrong_district_share", "misplaced_share"}


@dataclass(frozen=True, slots=True)
class Outcome:
    """One labelled event: what the label says and what briefing made of it."""

    label: Label
    incident: Incident
    place: Place
    judgement: Judgement
    suggested: frozenset[str] = frozenset()  # the kinds of the stakeholders suggested

    def describe(self) -> str:
        return (
            f"{self.label.id} {self.incident.type!r}: severity {self.judgement.severity} "
            f"(label {self.label.severity}), district {self.place.district} "
            f"(label {self.label.district}) | {'; '.join(self.judgement.reasons)}"
        )


@dataclass(frozen=True, slots=True)
class EvalReport:
    events: int
    with_details: bool
    serious_recall: float
    serious_precision: float
    severity_exact: float
    severity_within_one: float
    district_accuracy: float
    district_labelled: int
    wrong_district_share: float
    district_unlabelled: int
    misplaced_share: float  # labelled events given another kommundel than the label's
    unmatched_labels: tuple[str, ...]
    outcomes: tuple[Outcome, ...]
    # None when no stakeholder registry is there to suggest from
    stakeholder_recall: float | None = None
    stakeholder_labelled: int = 0
    with_page_text: int = 0  # events whose page text was found

    @property
    def targets(self) -> dict[str, float]:
        return TARGETS_DETAILS if self.with_details else TARGETS_API

    @property
    def passed(self) -> bool:
        return all(self.meets(measure) for measure in self.targets)

    def meets(self, measure: str) -> bool:
        value: float = getattr(self, measure)
        target = self.targets[measure]
        return value <= target if measure in _AT_MOST else value >= target

    def disagreements(self) -> list[str]:
        """Events where severity or district differ from the label, for reading."""
        return [
            outcome.describe()
            for outcome in self.outcomes
            if outcome.judgement.severity != outcome.label.severity
            or outcome.place.district != outcome.label.district
        ]

    def __str__(self) -> str:
        text = "page text included" if self.with_details else "API fields only"
        if self.with_details:
            text += f" ({self.with_page_text} of {self.events} events have it)"
        lines = [f"{self.events} labelled events, {text}", f"{'measure':<36}{'value':>7}  target"]
        lines += [self._row(title, measure, value) for title, measure, value in self._rows()]
        if self.unmatched_labels:
            lines.append(f"labels without an event: {', '.join(self.unmatched_labels)}")
        return "\n".join(lines)

    def _rows(self) -> list[tuple[str, str | None, float | None]]:
        return [
            ("serious recall", "serious_recall", self.serious_recall),
            ("serious precision", "serious_precision", self.serious_precision),
            ("severity exact", None, self.severity_exact),
            ("severity within one level", None, self.severity_within_one),
            (f"district accuracy ({self.district_labelled})", "district_accuracy",
             self.district_accuracy),
            (f"district given, label none ({self.district_unlabelled})", "wrong_district_share",
             self.wrong_district_share),
            (f"district given, another ({self.district_labelled})", "misplaced_share",
             self.misplaced_share),
            (f"stakeholder kind recall ({self.stakeholder_labelled})", None,
             self.stakeholder_recall),
        ]  # fmt: skip

    def _row(self, title: str, measure: str | None, value: float | None) -> str:
        if value is None:
            return f"{title:<36}{'n/a':>7}  no stakeholder registry"
        target = ""
        if measure is not None:
            sign = "≤" if measure in _AT_MOST else "≥"
            mark = "ok" if self.meets(measure) else "MISSED"
            target = f"{sign} {self.targets[measure]:.2f}  {mark}"
        return f"{title:<36}{value:>7.3f}  {target}".rstrip()


@dataclass(frozen=True, slots=True)
class _Judge:
    """What a briefing of the municipality judges with."""

    area: Area
    gazetteer: Gazetteer | None
    rules: Rules
    suggest: Suggester | None  # None: no stakeholder registry to suggest from


def evaluate(
    labels_path: Path,
    events_path: Path,
    details_path: Path | None = None,
    *,
    config: Config | None = None,
    municipality: str = "Järfälla",
    rules: Rules | None = None,
) -> EvalReport:
    """Replay the events, judge every labelled one, and score against the labels.

    With `config`, its municipality, rules, gazetteer, polygons and stakeholder
    registry are used; without, the bundled ones of `municipality`.
    """
    labels = load_labels(labels_path)
    judge = _judge_for(config, municipality, rules)
    incidents = {i.key: i for i in _incidents(events_path, details_path)}
    outcomes = [
        _outcome(label, incidents[label.id], judge) for label in labels if label.id in incidents
    ]
    unmatched = tuple(label.id for label in labels if label.id not in incidents)
    suggesting = judge.suggest is not None
    return _score(outcomes, unmatched, with_details=details_path is not None, suggesting=suggesting)


def _judge_for(config: Config | None, municipality: str, rules: Rules | None) -> _Judge:
    if config is not None:
        home = config.municipality
        gazetteer = places.configured(config)
        rules = rules or Rules.load(config.rules.file, tz=config.tz)
    else:
        found = municipalities.lookup(municipality)
        if found is None:
            raise UsageError(f"unknown municipality {municipality!r}")
        home, gazetteer, rules = found, Gazetteer.bundled(found.name), rules or Rules.load()
    area = Area(home.name, home.county, ())
    return _Judge(area, gazetteer, rules, _suggester(config, home.name, gazetteer))


def _suggester(config: Config | None, home: str, gazetteer: Gazetteer | None) -> Suggester | None:
    """Suggestions from the registry and the [[notify]] rules, as a briefing makes them."""
    from briefing.judge import stakeholders

    if config is not None:
        registry, notify = stakeholders.for_config(config, gazetteer)
    else:
        registry = stakeholders.Registry.bundled(home, gazetteer)
        notify = stakeholders.load_rules(None)
    if registry is None:
        return None

    def kinds(item: Item) -> frozenset[str]:
        return frozenset(s.kind for s in stakeholders.suggest(item, registry, notify, "en"))

    return kinds


def _outcome(label: Label, incident: Incident, judge: _Judge) -> Outcome:
    place = resolve(incident, judge.area, judge.gazetteer)
    judgement = classify(incident, place, judge.rules)
    suggested: frozenset[str] = frozenset()
    if judge.suggest is not None:
        local = place.municipality == judge.area.municipality
        item = Item(incident, Status.NEW, place, judgement, local=local)
        suggested = judge.suggest(item)
    return Outcome(label, incident, place, judgement, suggested)


def _incidents(events_path: Path, details_path: Path | None) -> list[Incident]:
    """The recorded events through the real adapter; the last version of an id wins.

    A folder of details is read by the adapter itself, as `details_path` would be.
    """
    if not events_path.exists():
        raise UsageError(f"{events_path}: no such file or folder", "give --events")
    if details_path is not None and not details_path.exists():
        raise UsageError(f"{details_path}: no such file or folder", "give --details")
    folder = details_path if details_path is not None and details_path.is_dir() else None
    settings = PolisenSettings(
        kind="polisen", origin=Origin.POLICE, path=events_path, details_path=folder
    )
    offline = httpx.MockTransport(_no_network)
    with HttpClient(transport=offline) as http:
        context = FetchContext(http=http, now=datetime.now(TZ), tz=TZ, municipality="")
        incidents = PolisenSource("polisen", settings).fetch(context).incidents
    if details_path is not None and folder is None:
        return _with_page_text(incidents, details_path)
    return incidents


def _no_network(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError(f"evaluation is offline: {request.url}")


def _with_page_text(incidents: list[Incident], details_path: Path) -> list[Incident]:
    """The text of a parsed details file (a JSON list of pages: id, preamble, body_paragraphs)."""
    try:
        pages: list[dict[str, Any]] = json.loads(details_path.read_text(encoding="utf-8"))
        text = {str(page["id"]): _page_text(page) for page in pages if "id" in page}
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise UsageError(f"{details_path}: cannot read the details: {exc}") from exc
    return [
        dataclasses.replace(incident, text=text[incident.key])
        if text.get(incident.key)
        else incident
        for incident in incidents
    ]


def _page_text(page: dict[str, Any]) -> str:
    paragraphs = [page.get("preamble") or "", *(page.get("body_paragraphs") or [])]
    return "\n".join(clean_text(p) for p in paragraphs if isinstance(p, str) and p.strip())


def _score(
    outcomes: list[Outcome],
    unmatched: tuple[str, ...],
    *,
    with_details: bool,
    suggesting: bool = True,
) -> EvalReport:
    labelled = [o for o in outcomes if o.label.district is not None]
    unlabelled = [o for o in outcomes if o.label.district is None]
    serious_labels = [o for o in outcomes if o.label.severity.serious]
    serious_given = [o for o in outcomes if o.judgement.serious]
    return EvalReport(
        events=len(outcomes),
        with_details=with_details,
        serious_recall=_share(o.judgement.serious for o in serious_labels),
        serious_precision=_share(o.label.severity.serious for o in serious_given),
        severity_exact=_share(o.judgement.severity == o.label.severity for o in outcomes),
        severity_within_one=_share(
            abs(o.judgement.severity.rank - o.label.severity.rank) <= 1 for o in outcomes
        ),
        district_accuracy=_share(o.place.district == o.label.district for o in labelled),
        district_labelled=len(labelled),
        wrong_district_share=_share(o.place.district is not None for o in unlabelled),
        misplaced_share=_share(o.place.district not in (None, o.label.district) for o in labelled),
        district_unlabelled=len(unlabelled),
        unmatched_labels=unmatched,
        outcomes=tuple(outcomes),
        **_stakeholder_recall(outcomes, suggesting),
        with_page_text=sum(bool(o.incident.text) for o in outcomes),
    )


def _stakeholder_recall(outcomes: list[Outcome], suggesting: bool) -> dict[str, Any]:
    """Of the stakeholder kinds the labels name, the share a suggestion answered."""
    wanted = [(o, kind) for o in outcomes for kind in sorted(o.label.notify)]
    hits = [bool(LABEL_KINDS[kind] & o.suggested) for o, kind in wanted]
    recall = _share(hits) if suggesting else None
    return {"stakeholder_recall": recall, "stakeholder_labelled": len(wanted)}


def _share(hits: Iterable[bool]) -> float:
    values = list(hits)
    return sum(values) / len(values) if values else 0.0
