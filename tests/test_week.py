"""`briefing week` through the command line: the week's picture over the demo history as
text, markdown, a page in the site, CSV and XLSX with the same rows; formulas from feed
text stay text."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from briefing.cli import app
from briefing.render.week import COLUMNS, neutralised
from tests.test_followups import FIRE, MORNING, cli, demo_config
from tests.test_notify import guard_source

HOSTILE = '=HYPERLINK("https://evil.example/x","klicka här")'
HOSTILE_CELLS = ("+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", " =1+1")
WEEK = ("--week", "2023-W23", "--now", "2023-06-08T08:44")

runner = CliRunner()


def hostile_drop(tmp_path: Path) -> str:
    folder = tmp_path / "vakter"
    folder.mkdir()
    rows = [
        "Datum;Plats;Händelse;Beskrivning",
        f'2023-06-06 22.10;Jakobsbergs centrum;"{HOSTILE.replace(chr(34), chr(34) * 2)}";Klotter.',
        *(
            f"2023-06-06 22.{20 + n};Jakobsbergs centrum;{cell};Klotter."
            for n, cell in enumerate(HOSTILE_CELLS)
        ),
    ]
    return guard_source(folder, rows)


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    path = demo_config(tmp_path, hostile_drop(tmp_path))
    cli(path, "today", "-f", "json", *MORNING)
    return path


def test_demo_week_text_has_every_part() -> None:
    result = runner.invoke(app, ["week", "--demo"])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith("Lägesbild vecka 23 2023, Järfälla\n")
    for heading in ("Per kategori", "Per kommundel", "Återkommande platser", "Alla händelser"):
        assert f"\n{heading}\n" in out
    assert "Allvarliga händelser och uppföljning" in out
    assert "brand: 5 händelser (normalt 0,6 per vecka) — tydligt över det normala" in out
    assert "4:e händelsen vid Jakobsbergs centrum på 14 dagar" in out
    english = runner.invoke(app, ["week", "--demo", "--lang", "en"]).stdout
    assert english.startswith("Situation report week 23 2023, Järfälla\n")


def test_csv_xlsx_and_markdown_have_the_same_rows(cfg: Path, tmp_path: Path) -> None:
    csv_path, xlsx_path = tmp_path / "w.csv", tmp_path / "w.xlsx"
    markdown = cli(
        cfg, "week", *WEEK, "-f", "markdown", "--csv", str(csv_path), "--xlsx", str(xlsx_path)
    )
    text = csv_path.read_text("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    sheet = load_workbook(xlsx_path).active
    assert sheet is not None
    cells = [[c.value or "" for c in r] for r in sheet.iter_rows()]
    assert rows == cells
    assert len(rows[0]) == len(COLUMNS) and rows[0][0] == "Tid" and rows[0][-1] == "Status"
    assert len(rows) > 10
    table = [line for line in markdown.splitlines() if line.startswith("| 2023-")]
    assert len(table) == len(rows) - 1
    for cells_of_row in sheet.iter_rows(min_row=2):
        assert all(c.data_type == "s" for c in cells_of_row)


def test_a_hostile_hyperlink_title_stays_text_in_every_sheet(cfg: Path, tmp_path: Path) -> None:
    xlsx_path, csv_path = tmp_path / "w.xlsx", tmp_path / "w.csv"
    cli(cfg, "week", *WEEK, "--xlsx", str(xlsx_path), "--csv", str(csv_path))
    book = load_workbook(xlsx_path)
    sheet = book.active
    assert sheet is not None
    values = [str(c.value) for r in sheet.iter_rows() for c in r if c.value is not None]
    hostile = [v for v in values if "HYPERLINK" in v]
    assert hostile and all(v.startswith("'=HYPERLINK(") for v in hostile)
    assert all(c.data_type != "f" for r in sheet.iter_rows() for c in r)
    for value in values:
        assert value.lstrip()[:1] not in ("=", "+", "-", "@"), value
    for cell in HOSTILE_CELLS:
        assert f"'{cell.strip()}: Klotter." in values, cell
    for line in csv_path.read_text("utf-8").removeprefix("\ufeff").splitlines()[1:]:
        for field in next(csv.reader([line], delimiter=";")):
            assert field.lstrip()[:1] not in ("=", "+", "-", "@"), field


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("  =1", "'=1"),
        ("\t=1", "'=1"),
        ("\r=1", "'=1"),
        ("\tplain", "'plain"),
        ("Brand i förråd", "Brand i förråd"),
        ("2023-06-08 04:41", "2023-06-08 04:41"),
        ("", ""),
    ],
)
def test_neutralised(value: str, expected: str) -> None:
    assert neutralised(value) == expected


def test_the_week_page_is_in_the_site_linked_from_the_index(cfg: Path, tmp_path: Path) -> None:
    site = tmp_path / "intranet"
    cli(cfg, "today", "-f", "json", *MORNING, "--site", str(site))
    cli(cfg, "ack", FIRE, "--done", "--note", "Bovärden informerad", "--by", "anna")
    cli(cfg, "week", *WEEK, "--site", str(site))
    page = (site / "2023-W23.html").read_text("utf-8")
    assert "<script" not in page and "Content-Security-Policy" in page
    assert '<svg role="img"' in page or "<svg" in page
    assert "HANTERAD" in page and "Bovärden informerad" in page
    assert 'href="2023-W23.csv"' in page and 'href="2023-W23.xlsx"' in page
    assert (site / "2023-W23.csv").is_file() and (site / "2023-W23.xlsx").is_file()
    index = (site / "index.html").read_text("utf-8")
    assert '<a href="2023-W23.html">Vecka 23, 2023</a>' in index
    assert "&lt;" not in page.split("<body>")[0]  # the head holds no feed text


def test_a_bad_week_is_a_clear_error(cfg: Path) -> None:
    result = runner.invoke(app, ["week", "--week", "2023-W60", "--config", str(cfg)])
    assert result.exit_code == 2
    assert "2023-W60" in result.stderr and "2026-W49" in result.stderr
