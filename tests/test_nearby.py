"""Neighbours that matter: serious incidents, and the others near the shared border."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from briefing import config
from briefing.cli import app
from briefing.errors import ConfigError
from briefing.geo import areas
from briefing.judge.nearby import Rule, near_areas
from briefing.models import Briefing, Incident, Judgement, Origin, Place, Precision, Severity
from briefing.render.text import render_text

TZ = ZoneInfo("Europe/Stockholm")
JARFALLA = Rule("0123", Severity.HIGH, 2.0)


def stockholm(summary: str, lat: float | None = None, lon: float | None = None) -> Incident:
    return Incident(
        source="polisen",
        key=str(abs(hash(summary))),
        origin=Origin.POLICE,
        type="Stöld",
        title="Stöld, Stockholm",
        summary=summary,
        published_at=datetime(2026, 11, 27, 6, 0, tzinfo=TZ),
        municipality="Stockholm",
        lat=lat,
        lon=lon,
    )


def shown(rule: Rule, incident: Incident, severity: Severity = Severity.LOW) -> bool:
    place = Place("Stockholm", precision=Precision.MUNICIPALITY)
    return rule.matters(incident, place, Judgement("stöld", severity))


def test_a_minor_incident_far_away_is_left_out_and_one_by_the_border_kept() -> None:
    assert not shown(JARFALLA, stockholm("En cykel har hittats på Östermalmstorg."))
    assert not shown(JARFALLA, stockholm("Balkongbrand i Björkhagen."))
    # Tensta, Hässelby and Akalla are Stockholm's areas along Järfälla's border
    assert shown(JARFALLA, stockholm("En cykel stals i Tensta under natten."))
    assert shown(JARFALLA, stockholm("Inbrott i ett förråd i Hässelby strand."))
    assert shown(JARFALLA, stockholm("Skadegörelse vid Akalla centrum."))


def test_a_serious_incident_is_shown_wherever_it_is() -> None:
    far = stockholm("Skottlossning på Östermalmstorg.")
    assert shown(JARFALLA, far, Severity.HIGH) and shown(JARFALLA, far, Severity.CRITICAL)
    assert not shown(JARFALLA, far, Severity.MEDIUM)
    assert shown(Rule("0123", Severity.MEDIUM, 2.0), far, Severity.MEDIUM)


def test_a_point_counts_by_its_distance_from_the_boundary() -> None:
    # 1.2 km east of Järfälla's border in Akalla, and the city centre, 13 km away
    assert shown(JARFALLA, stockholm("Stöld.", lat=59.4155, lon=17.9330))
    assert not shown(JARFALLA, stockholm("Stöld.", lat=59.3326, lon=18.0649))
    assert not shown(Rule("0123", Severity.HIGH, 0.5), stockholm("Stöld.", 59.4155, 17.9330))


def test_the_radius_decides_which_areas_are_near() -> None:
    two = near_areas("0123", "Stockholm", 2.0)
    assert {"Akalla", "Tensta", "Hässelby Strand"} <= two
    assert "Östermalm" not in " ".join(two)
    assert near_areas("0123", "Stockholm", 0.0) < two  # touching the border only
    assert len(near_areas("0123", "Stockholm", 8.0)) > len(two)
    assert all(a.name in two for a in areas.load("Stockholm").areas if a.name == "Husby")
    assert not shown(Rule("0123", Severity.HIGH, 0.0), stockholm("En cykel stals i Tensta."))


def write(tmp_path: Path, lines: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(
        f'[briefing]\nmunicipality = "Järfälla"\n{lines}\n'
        '[sources.p]\nkind = "polisen"\npath = "events.json"\n',
        encoding="utf-8",
    )
    return path


def test_the_rule_is_in_the_config_and_checked(tmp_path: Path) -> None:
    cfg = config.load(write(tmp_path, ""))
    assert cfg.briefing.neighbour_min_severity is Severity.HIGH
    assert cfg.briefing.neighbour_radius_km == 2.0
    mine = config.load(
        write(tmp_path, 'neighbour_min_severity = "critical"\nneighbour_radius_km = 5')
    )
    assert (mine.briefing.neighbour_min_severity, mine.briefing.neighbour_radius_km) == (
        Severity.CRITICAL,
        5.0,
    )
    with pytest.raises(ConfigError, match=r"sources.toml:3: briefing.neighbour_min_severity"):
        config.load(write(tmp_path, 'neighbour_min_severity = "severe"'))
    with pytest.raises(ConfigError, match=r"briefing.neighbour_radius_km"):
        config.load(write(tmp_path, "neighbour_radius_km = -1"))


def test_the_demo_leaves_stockholms_minor_incidents_out() -> None:
    result = CliRunner().invoke(app, ["today", "--demo"])
    assert result.exit_code == 0, result.output
    neighbours = result.stdout.split("Grannkommunerna")[-1]
    assert "Östermalmstorg" in neighbours  # a fight, high: shown however far away
    assert "Björkhagen" not in neighbours and "Kungsholmen" not in neighbours


def test_the_section_says_how_many_were_left_out() -> None:
    moment = datetime(2026, 11, 27, 8, 30, tzinfo=TZ)
    quiet = Briefing("Järfälla", moment, moment, moment, "sv", (), (), neighbours_left_out=12)
    text = " ".join(render_text(quiet).split())
    assert "Inga allvarliga händelser eller händelser nära gränsen hos grannkommunerna" in text
    assert "(12 andra lämnades utanför)" in text
    none = " ".join(render_text(replace(quiet, neighbours_left_out=0)).split())
    assert "Inga händelser rapporterade hos grannkommunerna." in none
