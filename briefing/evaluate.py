"""How well `resolve` and `classify` agree with hand labels on real police events.

`evaluate` replays a recorded polisen payload through the polisen adapter, places
and judges every labelled event exactly as a briefing would, and compares with
the labels (tests/data/eval/LABELING.md describes them). Optionally the event
pages' text (a parsed details file) is added to each incident, as the details
fetcher would, to measure what the page text is worth.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from briefing import municipalities
from briefing.classify import Rules, classify
from briefing.errors import UsageError
from briefing.http import HttpClient
from briefing.models import Incident, Judgement, Origin, Place, Severity, clean_text
from briefing.places import Area, Gazetteer, resolve
from briefing.sources.base import FetchContext
from briefing.sources.polisen import PolisenSettings, PolisenSource

TZ = ZoneInfo("Europe/Stockholm")
# What the judgement should reach on the API fields alone, and with page text.
TARGETS_API = {
    "serious_recall": 0.95,
    "serious_precision": 0.85,
    "district_accuracy": 0.75,
    "wrong_district_share": 0.05,  # at most
}
TARGETS_DETAILS = {**TARGETS_API, "district_accuracy": 0.93}
_AT_MOST = {"wrong_district_share"}


@dataclass(frozen=True, slots=True)
class Label:
    id: str
    severity: Severity
    district: str | None


@dataclass(frozen=True, slots=True)
class Outcome:
    """One labelled event: what the label says and what briefing made of it."""

    label: Label
    incident: Incident
    place: Place
    judgement: Judgement

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
    unmatched_labels: tuple[str, ...]
    outcomes: tuple[Outcome, ...]

    @property
    def targets(self) -> dict[str, float]:
        return TARGETS_DETAILS if self.with_details else TARGETS_API

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
        rows = [
            ("serious recall", "serious_recall", self.serious_recall),
            ("serious precision", "serious_precision", self.serious_precision),
            ("severity exact", None, self.severity_exact),
            ("severity within one level", None, self.severity_within_one),
            (
                f"district accuracy ({self.district_labelled})",
                "district_accuracy",
                self.district_accuracy,
            ),
            (
                f"district given, label none ({self.district_unlabelled})",
                "wrong_district_share",
                self.wrong_district_share,
            ),
        ]
        lines = [f"{self.events} labelled events, {text}", f"{'measure':<34}{'value':>7}  target"]
        for title, measure, value in rows:
            target = ""
            if measure is not None:
                sign = "≤" if measure in _AT_MOST else "≥"
                mark = "ok" if self.meets(measure) else "MISSED"
                target = f"{sign} {self.targets[measure]:.2f}  {mark}"
            lines.append(f"{title:<34}{value:>7.3f}  {target}")
        if self.unmatched_labels:
            lines.append(f"labels without an event: {', '.join(self.unmatched_labels)}")
        return "\n".join(lines)


def evaluate(
    labels_path: Path,
    events_path: Path,
    details_path: Path | None = None,
    *,
    municipality: str = "Järfälla",
    rules: Rules | None = None,
) -> EvalReport:
    """Replay the events, judge every labelled one, and score against the labels."""
    labels = load_labels(labels_path)
    incidents = {i.key: i for i in _incidents(events_path)}
    if details_path is not None:
        incidents = _with_page_text(incidents, details_path)
    home = municipalities.lookup(municipality)
    if home is None:
        raise UsageError(f"unknown municipality {municipality!r}")
    area = Area(home.name, home.county, ())
    gazetteer = Gazetteer.bundled(home.name)
    rules = rules or Rules.load()
    outcomes = []
    for label in labels:
        incident = incidents.get(label.id)
        if incident is not None:
            place = resolve(incident, area, gazetteer)
            outcomes.append(Outcome(label, incident, place, classify(incident, place, rules)))
    unmatched = tuple(label.id for label in labels if label.id not in incidents)
    return _score(outcomes, unmatched, with_details=details_path is not None)


def load_labels(path: Path) -> list[Label]:
    """One JSON object per line: id, severity, district (LABELING.md)."""
    labels = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    for number, line in enumerate(lines, start=1):
        if line.strip():
            labels.append(_label(line, f"{path}:{number}"))
    return labels


def _label(line: str, where: str) -> Label:
    try:
        data = json.loads(line)
        return Label(str(data["id"]), Severity(data["severity"]), data.get("district"))
    except (ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"{where}: not a label ({exc})", "see LABELING.md") from exc


def _incidents(events_path: Path) -> list[Incident]:
    """The recorded events through the real adapter; the last version of an id wins."""
    settings = PolisenSettings(kind="polisen", origin=Origin.POLICE, path=events_path)
    offline = httpx.MockTransport(_no_network)
    with HttpClient(transport=offline) as http:
        context = FetchContext(http=http, now=datetime.now(TZ), tz=TZ, municipality="")
        return PolisenSource("polisen", settings).fetch(context).incidents


def _no_network(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError(f"evaluation is offline: {request.url}")


def _with_page_text(incidents: dict[str, Incident], details_path: Path) -> dict[str, Incident]:
    try:
        pages: list[dict[str, Any]] = json.loads(details_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{details_path}: cannot read the details: {exc}") from exc
    text = {str(page["id"]): _page_text(page) for page in pages if "id" in page}
    return {
        key: dataclasses.replace(incident, text=text[key]) if key in text else incident
        for key, incident in incidents.items()
    }


def _page_text(page: dict[str, Any]) -> str:
    paragraphs = [page.get("preamble") or "", *(page.get("body_paragraphs") or [])]
    return "\n".join(clean_text(p) for p in paragraphs if isinstance(p, str) and p.strip())


def _score(
    outcomes: list[Outcome], unmatched: tuple[str, ...], *, with_details: bool
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
        district_unlabelled=len(unlabelled),
        unmatched_labels=unmatched,
        outcomes=tuple(outcomes),
    )


def _share(hits: Iterable[bool]) -> float:
    values = list(hits)
    return sum(values) / len(values) if values else 0.0
