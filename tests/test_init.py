"""`briefing init KOMMUN`: a working sources.toml for every one of the 290 municipalities."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import typer.main
import typer.testing
from typer.testing import CliRunner

from briefing import config
from briefing.cli import app, template
from briefing.errors import ExitStatus
from briefing.geo import areas
from briefing.judge.places import configured
from briefing.sources import municipalities

runner = CliRunner()


def test_every_municipality_gets_a_config_that_briefing_sources_accepts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path / "home"))
    command = typer.main.get_command(app)  # built once, not per run: the loop stays fast
    monkeypatch.setattr(typer.testing, "_get_command", lambda _app: command)
    started = time.monotonic()
    codes = areas.atlas().codes
    assert len(codes) == 290
    for code in codes:
        folder = tmp_path / code
        folder.mkdir()
        monkeypatch.chdir(folder)
        made = runner.invoke(app, ["init", code])
        assert made.exit_code == 0, made.output
        listed = runner.invoke(app, ["sources"])
        assert listed.exit_code == 0, f"{code}: {listed.output}"
        cfg = config.load(folder / "sources.toml")
        assert cfg.municipality.code == code
        assert cfg.sources["polisen"].details is True  # type: ignore[attr-defined]
        neighbours = {municipalities.lookup(n).code for n in cfg.briefing.neighbours}  # type: ignore[union-attr]
        assert neighbours == set(areas.neighbours(code))
    assert time.monotonic() - started < 20  # about 5 s on an idle machine


def test_every_municipality_gets_districts_and_a_gazetteer(tmp_path: Path) -> None:
    """What `briefing today` builds from such a config: district polygons tiling the
    municipality, and the gazetteer made of the area names, for all 290."""
    for code in areas.atlas().codes:
        path = tmp_path / f"{code}.toml"
        path.write_text(template.render(code), encoding="utf-8")
        gazetteer = configured(config.load(path))
        assert gazetteer is not None and gazetteer.polygons is not None
        assert gazetteer.polygons.names == gazetteer.districts
        label = areas.load(code).areas[0].label
        assert gazetteer.polygons.district_of(label[1], label[0]) is not None


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        # not Sundbyberg, which the hand-written sources.toml adds: Stockholm lies between
        ("Järfälla", {"Sollentuna", "Upplands-Bro", "Upplands Väsby", "Stockholm", "Ekerö"}),
        ("sollentuna", {"Upplands Väsby", "Järfälla", "Täby", "Danderyd", "Stockholm",
                        "Sundbyberg", "Solna"}),
        ("0980", set()),  # Gotland: no municipality's areas touch it
        ("Kiruna kommun", {"Gällivare", "Pajala"}),
    ],
)  # fmt: skip
def test_the_neighbours_are_the_municipalities_that_share_a_border(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str, expected: set[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["init", spelling]).exit_code == 0
    cfg = config.load(tmp_path / "sources.toml")
    assert set(cfg.briefing.neighbours) == expected
    # ... as the polygons say: every neighbour's boundary comes within metres of this one
    home = areas.load(cfg.municipality.code)
    for name in expected:
        other = areas.load(name)
        assert (
            min(
                abs(x - u) + abs(y - v)
                for part in home.boundary
                for x, y in part.outer[::5]
                for other_part in other.boundary
                for u, v in other_part.outer[::5]
            )
            < 0.05
        )  # degrees: a few km at most, on rings thinned to every fifth point


def test_jarfalla_gets_its_kommundelar_and_others_their_areas(tmp_path: Path) -> None:
    text = template.render("jarfalla")
    assert "[districts]\n# the bundled kommundelar of Järfälla" in text
    assert '"Kallhäll-Stäket" = [' in text
    umea = template.render("Umeå")
    assert "\n[districts]" not in umea and "# [districts]" in umea
    assert f"Umeå's {len(areas.load('Umeå').areas)} areas:" in umea


def test_init_refuses_to_overwrite_and_names_unknown_municipalities(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sources.toml").write_text("# mine\n", encoding="utf-8")
    again = runner.invoke(app, ["init", "Sollentuna"])
    assert again.exit_code == ExitStatus.USAGE
    assert "already exists; not overwritten" in again.output
    assert (tmp_path / "sources.toml").read_text(encoding="utf-8") == "# mine\n"
    unknown = runner.invoke(app, ["init", "Narnia"])
    assert unknown.exit_code == ExitStatus.USAGE
    assert "'Narnia' is not a Swedish municipality" in unknown.output


def test_briefing_today_works_right_after_init(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path / "home"))
    assert runner.invoke(app, ["init", "Umeå"]).exit_code == 0
    result = runner.invoke(app, ["today", "--no-fetch", "--now", "2026-11-27T08:30"])
    # made, but the drop folders have had no report yet: exit 3 and the page says so
    assert result.exit_code == ExitStatus.SOURCE_FAILED, result.output
    assert "Säkerhetsbriefing Umeå" in result.stdout
    assert os.path.isdir(tmp_path / "inkorg" / "ordningsvakter")
