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

from briefing.errors import UsageError
from briefing.evaluate import split as splits
from briefing.evaluate.labels import LABEL_KINDS, Label, load_labels
from briefing.evaluate.report import (
    TARGETS_API,
    TARGETS_DETAILS,
    EvalReport,
    Outcome,
    SplitReport,
)
from briefing.judge import places
from briefing.judge.classify import Rules, classify
from briefing.judge.places import Area, Gazetteer, resolve
from briefing.models import Incident, Item, Origin, Status, clean_text
from briefing.sources import municipalities

if TYPE_CHECKING:
    from briefing.config import Config

__all__ = [
    "TARGETS_API",
    "TARGETS_DETAILS",
    "EvalReport",
    "Label",
    "Outcome",
    "SplitReport",
    "evaluate",
    "evaluate_split",
    "load_labels",
]

TZ = ZoneInfo("Europe/Stockholm")
Suggester = Callable[[Item], frozenset[str]]  # an item -> the kinds of stakeholders suggested


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
    outcomes, unmatched, home = _outcomes(labels_path, events_path, details_path, config,
                                          municipality, rules)  # fmt: skip
    return _score(outcomes, unmatched, with_details=details_path is not None, home=home)


def evaluate_split(
    labels_path: Path,
    events_path: Path,
    details_path: Path | None = None,
    *,
    split: splits.Split | None = None,
    config: Config | None = None,
    municipality: str = "Järfälla",
    rules: Rules | None = None,
) -> SplitReport:
    """As `evaluate`, scored on the tune part and the held-out part of a fixed split
    (briefing.evaluate.split; None: chosen from the events)."""
    outcomes, unmatched, home = _outcomes(labels_path, events_path, details_path, config,
                                          municipality, rules)  # fmt: skip
    split = split or splits.choose(o.incident for o in outcomes)
    with_details = details_path is not None

    def part(keep: Callable[[Incident], bool]) -> EvalReport:
        chosen = [o for o in outcomes if keep(o.incident)]
        return _score(chosen, unmatched, with_details=with_details, home=home)

    whole = _score(outcomes, unmatched, with_details=with_details, home=home)
    return SplitReport(split, part(split.tuned), part(split.held_out), whole)


def _outcomes(
    labels_path: Path,
    events_path: Path,
    details_path: Path | None,
    config: Config | None,
    municipality: str,
    rules: Rules | None,
) -> tuple[list[Outcome], tuple[str, ...], str | None]:
    """Every labelled event judged, the labels without an event, and the municipality
    whose stakeholder registry suggested (None: no registry)."""
    labels = load_labels(labels_path)
    judge = _judge_for(config, municipality, rules)
    incidents = {i.key: i for i in _incidents(events_path, details_path)}
    outcomes = [
        _outcome(label, incidents[label.id], judge) for label in labels if label.id in incidents
    ]
    unmatched = tuple(label.id for label in labels if label.id not in incidents)
    home = judge.area.municipality if judge.suggest is not None else None
    return outcomes, unmatched, home


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
    # Only here: importing the evaluation needs no HTTP stack.
    import httpx

    from briefing.sources.base import FetchContext
    from briefing.sources.http import HttpClient
    from briefing.sources.polisen import PolisenSettings, PolisenSource

    folder = details_path if details_path is not None and details_path.is_dir() else None
    settings = PolisenSettings(
        kind="polisen", origin=Origin.POLICE, path=events_path, details_path=folder
    )

    def no_network(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"evaluation is offline: {request.url}")

    with HttpClient(transport=httpx.MockTransport(no_network)) as http:
        context = FetchContext(http=http, now=datetime.now(TZ), tz=TZ, municipality="")
        incidents = PolisenSource("polisen", settings).fetch(context).incidents
    if details_path is not None and folder is None:
        return _with_page_text(incidents, details_path)
    return incidents


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
    home: str | None = None,
) -> EvalReport:
    """The figures of `outcomes`; stakeholder kinds only for the events of `home`, the
    municipality of the registry (None: no registry, no figure)."""
    placed = [o for o in outcomes if o.label.has_district]
    labelled = [o for o in placed if o.label.district is not None]
    unlabelled = [o for o in placed if o.label.district is None]
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
        district_accuracy=_share_or_none(
            (o.place.district == o.label.district for o in labelled), placed
        ),
        district_labelled=len(labelled),
        wrong_district_share=_share_or_none(
            (o.place.district is not None for o in unlabelled), placed
        ),
        misplaced_share=_share_or_none(
            (o.place.district not in (None, o.label.district) for o in labelled), placed
        ),
        district_unlabelled=len(unlabelled),
        unmatched_labels=unmatched,
        outcomes=tuple(outcomes),
        **_stakeholder_recall(outcomes, home),
        with_page_text=sum(bool(o.incident.text) for o in outcomes),
        serious_labelled=len(serious_labels),
        check_count=sum(o.judgement.check is not None for o in outcomes),
        serious_recall_with_check=_share(
            o.judgement.serious or o.judgement.check is not None for o in serious_labels
        ),
    )


def _stakeholder_recall(outcomes: list[Outcome], home: str | None) -> dict[str, Any]:
    """Of the stakeholder kinds the labels name for the events in the registry's
    municipality, the share a suggestion answered."""
    local = [o for o in outcomes if home is not None and home in _municipalities(o)]
    wanted = [(o, kind) for o in local for kind in sorted(o.label.notify)]
    hits = [bool(LABEL_KINDS[kind] & o.suggested) for o, kind in wanted]
    recall = _share(hits) if home is not None and wanted else None
    return {"stakeholder_recall": recall, "stakeholder_labelled": len(wanted)}


def _municipalities(outcome: Outcome) -> tuple[str | None, ...]:
    return outcome.place.municipality, outcome.incident.municipality


def _share_or_none(hits: Iterable[bool], measured: list[Outcome]) -> float | None:
    return _share(hits) if measured else None


def _share(hits: Iterable[bool]) -> float:
    values = list(hits)
    return sum(values) / len(values) if values else 0.0
