"""The page's real map: SCB's outlines, districts, neighbours, incidents at their points."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.geo import areas
from briefing.render.svgmap import EDGE, PAPER, WIDTH

runner = CliRunner()


def guard_reports() -> str:
    """Three reports: two at points inside two RegSO areas (their label points), one without."""
    centre = areas.load("Sollentuna").area("Sollentuna centrum").label
    rotebro = areas.load("Sollentuna").area("Rotebro centrum").label
    return (
        "Datum;Plats;Händelse;Beskrivning;Lat;Lon\n"
        f"2026-11-26 22:10;vid torget;Skadegörelse;EXEMPEL: krossad ruta;{centre[1]};{centre[0]}\n"
        f"2026-11-26 23:40;vid stationen;Ordningsstörning;EXEMPEL: bråk;{rotebro[1]};{rotebro[0]}\n"
        "2026-11-27 01:15;okänt;Klotter;EXEMPEL: klotter på en vägg;;\n"
    )


def the_map(page: str) -> str:
    return page.split('class="district-map"')[1].split("</svg>")[0]


@pytest.fixture
def sollentuna(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The page `briefing init Sollentuna` makes, with three guard reports, two with points."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path / "home"))
    assert runner.invoke(app, ["init", "Sollentuna"]).exit_code == 0
    config = tmp_path / "sources.toml"
    text = config.read_text(encoding="utf-8").replace(
        'place = "Plats", category = "Händelse", text = "Beskrivning" }',
        'place = "Plats", category = "Händelse", text = "Beskrivning", lat = "Lat", lon = "Lon" }',
        1,
    )
    # no network in tests: only the drop folders are read
    text = text.replace('url = "https://', 'enabled = false\nurl = "https://')
    config.write_text(text, encoding="utf-8")
    (tmp_path / "inkorg" / "ordningsvakter" / "natt.csv").write_text(guard_reports(), "utf-8")
    made = runner.invoke(app, ["today", "-f", "html", "--now", "2026-11-27T08:30"])
    assert made.exit_code in (0, 3), made.output
    return made.stdout


def test_the_map_draws_the_areas_the_outline_and_the_neighbours(sollentuna: str) -> None:
    drawn = the_map(sollentuna)
    home = areas.load("Sollentuna")
    # one district per RegSO area, the outline, and the seven bordering municipalities
    assert drawn.count(f'fill="{PAPER}" stroke="{EDGE}" stroke-width="1"/>') == len(home.areas)
    assert drawn.count('stroke-width="2.2"') == 1
    assert drawn.count('fill="#fbfbfb"') == len(areas.neighbours("Sollentuna")) == 7
    assert ">Täby</text>" in drawn and ">Järfälla</text>" in drawn
    assert "Källa: SCB" in drawn and "Källa: SCB" in sollentuna.split("<figcaption>")[1]
    # small enough to inline (the grid of boxes was about 6 KB, this stays under 40 KB)
    assert len(drawn) < 40_000
    # nothing from outside: no href, no url(), no image
    assert not re.search(r"href|url\(|<image", drawn)


def test_the_reports_points_are_placed_by_the_polygons_and_drawn_there(sollentuna: str) -> None:
    drawn = the_map(sollentuna)
    # Tureberg's point lies in RegSO Sollentuna centrum, Rotebro's in Rotebro centrum
    alt = re.search(r'aria-label="([^"]+)"', drawn)
    assert alt is not None
    assert "i Sollentuna centrum" in alt.group(1) and "i Rotebro centrum" in alt.group(1)
    assert "1 utan känd kommundel" in alt.group(1)
    assert ">Sollentuna centrum</text>" in drawn and ">Rotebro centrum</text>" in drawn


def test_the_projection_keeps_the_shape_at_swedens_latitude(tmp_path: Path) -> None:
    """Järfälla is about 10 km wide and 14 km tall: so is its drawing, not 5 by 14."""
    page = runner.invoke(app, ["today", "--demo", "-f", "html"]).stdout
    drawn = the_map(page)
    outline = re.search(r'<path d="([^"]+)" fill="none" stroke="#1a1a1a" stroke-width="2.2"', drawn)
    assert outline is not None
    xs = [float(x) for x in re.findall(r"(-?[\d.]+),", outline.group(1))]
    ys = [float(y) for y in re.findall(r",(-?[\d.]+)", outline.group(1))]
    home = areas.load("Järfälla").box
    lat = math.radians((home.south + home.north) / 2)
    ground = (home.east - home.west) * math.cos(lat) / (home.north - home.south)
    assert (max(xs) - min(xs)) / (max(ys) - min(ys)) == pytest.approx(ground, rel=0.02)
    assert min(xs) >= 0 and max(xs) <= WIDTH


def test_of_many_districts_only_those_with_incidents_get_a_sparkline(sollentuna: str) -> None:
    table = sollentuna.split('<table class="sparks">')[1].split("</table>")[0]
    rows = re.findall(r'<th scope="row">([^<]+)</th>', table)
    # 20 areas, two with a guard report, and the report without a district
    assert sorted(rows) == ["Okänd kommundel", "Rotebro centrum", "Sollentuna centrum"]
