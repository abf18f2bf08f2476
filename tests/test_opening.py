"""The opening paragraph: made by rules from the Briefing alone, in every format, and the
demo's in Swedish and English held by a golden file (tests/golden/opening-demo.txt)."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.models import FollowUp, LogEntry, Severity, Suggestion
from briefing.render import render
from briefing.render.opening import opening
from tests.test_render import at, briefing, item, police

GOLDEN = Path(__file__).parent / "golden" / "opening-demo.txt"
runner = CliRunner()


def demo_opening(lang: str) -> str:
    result = runner.invoke(app, ["today", "--demo", "-f", "json", "--lang", lang])
    assert result.exit_code == 0, result.stderr
    text: str = json.loads(result.stdout)["opening"]
    return text


def test_golden_demo_opening_in_swedish_and_english() -> None:
    output = f"sv: {demo_opening('sv')}\nen: {demo_opening('en')}\n"
    if os.environ.get("BRIEFING_REGEN_GOLDEN") == "1":
        GOLDEN.write_text(output, "utf-8")
    assert output == GOLDEN.read_text("utf-8"), "differs; BRIEFING_REGEN_GOLDEN=1 to update"
    assert output.startswith("sv: Natten till torsdag: sex allvarliga händelser — ")
    assert "\nen: The night to Thursday: six serious incidents — " in output


@pytest.mark.parametrize("fmt", ["terminal", "text", "markdown", "html", "json"])
def test_every_format_shows_it_before_the_incidents(fmt: str) -> None:
    made = briefing()
    words = opening(made)
    output = render(made, fmt).replace("\\", "")
    flat = " ".join(output.split())
    assert words[:40] in flat, fmt
    if fmt != "json":
        assert flat.index(words[:40]) < flat.index("Kallhäll") or "Kallhäll" in words


def test_the_serious_are_named_most_severe_first_with_place_and_time() -> None:
    made = briefing()
    words = opening(made)
    assert words.startswith(
        "Natten till onsdag: tre allvarliga händelser — misstänkt skottlossning i Kallhäll 23.41"
    )
    english = opening(replace(made, language="en"))
    assert english.startswith("The night to Wednesday: three serious incidents — ")
    assert "23:41" in english


def test_a_quiet_night_says_so_and_a_failed_source_is_named() -> None:
    made = briefing(items=())
    words = opening(made)
    assert words.startswith("Natten till onsdag: inga händelser rapporterade i Järfälla.")
    assert "Ordningsvakter" in words  # it failed: what awaits action


def test_what_awaits_action_counts_stakeholders_and_open_follow_ups() -> None:
    school = Suggestion("Skolan", "school", "300 m")
    one = item(police(429710, at(6, 23, 24)), Severity.HIGH, "violence", stakeholders=(school,))
    open_followup = FollowUp("polisen:1", (LogEntry(at(6, 9, 0), "anna", "ringt"),))
    made = briefing(items=(one,), followups=(open_followup,))
    words = opening(made)
    assert "En att informera." in words and "En uppföljning öppen." in words
    handled = FollowUp(one.incident.id, (LogEntry(at(7, 9, 0), "anna", done=True),))
    assert "att informera" not in opening(briefing(items=(one,), followups=(handled,)))
