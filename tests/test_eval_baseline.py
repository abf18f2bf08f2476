"""The judgement against the hand labels of 164 real Järfälla events (LABELING.md).

The thresholds are the targets of the first version: on the API fields alone and
with the event pages' text. A rule change that costs recall or places events in
the wrong kommundel fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.errors import UsageError
from briefing.evaluate import EvalReport, evaluate

DATA = Path(__file__).parent / "data"
LABELS = DATA / "eval" / "labels-dev.jsonl"
EVENTS = DATA / "polisen" / "polisen-events-jarfalla-extract.json"
DETAILS = DATA / "eval" / "polisen-details-jarfalla-parsed.json"


@pytest.fixture(scope="module")
def api_only() -> EvalReport:
    return evaluate(LABELS, EVENTS)


@pytest.fixture(scope="module")
def with_pages() -> EvalReport:
    return evaluate(LABELS, EVENTS, DETAILS)


def test_every_label_meets_an_event(api_only: EvalReport) -> None:
    assert api_only.events == 164
    assert api_only.unmatched_labels == ()
    assert (api_only.district_labelled, api_only.district_unlabelled) == (133, 31)


def test_api_fields_only(api_only: EvalReport) -> None:
    assert api_only.serious_recall >= 0.95
    assert api_only.serious_precision >= 0.85
    assert api_only.district_accuracy >= 0.75
    assert api_only.wrong_district_share <= 0.05


def test_with_the_page_text(with_pages: EvalReport) -> None:
    assert with_pages.serious_recall >= 0.95
    assert with_pages.serious_precision >= 0.85
    assert with_pages.district_accuracy >= 0.93
    assert with_pages.wrong_district_share <= 0.05


def test_the_page_text_only_helps(api_only: EvalReport, with_pages: EvalReport) -> None:
    assert with_pages.district_accuracy > api_only.district_accuracy
    assert with_pages.severity_exact >= api_only.severity_exact


def test_the_report_prints_a_table(api_only: EvalReport) -> None:
    table = str(api_only)
    assert table.splitlines()[0] == "164 labelled events, API fields only"
    assert "serious recall" in table and "≥ 0.95  ok" in table
    assert "district given, label none (31)" in table
    assert "MISSED" not in table


def test_disagreements_say_what_differs(with_pages: EvalReport) -> None:
    lines = with_pages.disagreements()
    assert lines, "a perfect score on labels we read while writing the rules is suspicious"
    assert all("(label " in line for line in lines)


def test_a_broken_label_file_names_the_line(tmp_path: Path) -> None:
    labels = tmp_path / "labels.jsonl"
    labels.write_text('{"id": 1, "severity": "high"}\n{"id": 2, "severity": "huge"}\n')
    with pytest.raises(UsageError, match=r"labels\.jsonl:2: not a label"):
        evaluate(labels, EVENTS)
