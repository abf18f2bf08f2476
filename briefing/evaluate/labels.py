"""Hand labels of real events: one JSON object a line (tests/data/eval/LABELING.md).

    {"id": 410909, "severity": "critical", "district": "Viksjö",
     "notify": ["housing", "schools"], ...}

A file without `district` keys (labels-national.jsonl) is scored without district figures.

Other keys (place, setting, note …) are for the reader and ignored here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from briefing.errors import UsageError
from briefing.models import Severity

# The labels' stakeholder words (LABELING.md) and the registry kinds that answer them.
LABEL_KINDS = {
    "schools": frozenset({"school", "preschool"}),
    "housing": frozenset({"housing"}),
    "businesses": frozenset({"business"}),
    "district_centre": frozenset({"district_centre"}),
}


@dataclass(frozen=True, slots=True)
class Label:
    id: str
    severity: Severity
    district: str | None
    notify: frozenset[str] = frozenset()
    has_district: bool = True  # False: the labels leave the kommundel out (the national set)


def load_labels(path: Path) -> list[Label]:
    """One JSON object per line: id, severity, district, notify (LABELING.md)."""
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
        notify = frozenset(str(kind) for kind in data.get("notify") or ())
        unknown = notify - LABEL_KINDS.keys()
        if unknown:
            raise ValueError(f"unknown notify {', '.join(sorted(unknown))}")
        severity, district = Severity(data["severity"]), data.get("district")
        return Label(str(data["id"]), severity, district, notify, "district" in data)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UsageError(f"{where}: not a label ({exc})", "see LABELING.md") from exc
