"""Excel exports in a drop folder: the same incidents as the same rows in CSV.

The workbooks are written here with openpyxl from the recorded example CSV
drops (tests/data/csv), the way the guard company's and the rescue service's
portals export them: a title row merged across the columns above the header, a
second sheet, and dates as Excel's date cells, as bare serial numbers, or as
text.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from briefing.errors import SourceError
from briefing.models import Incident
from briefing.sources.base import Batch
from briefing.sources.csv import CsvSettings, CsvSource
from briefing.sources.http import HttpClient
from briefing.sources.tables import _EXCEL_EPOCH
from tests.builders import DATA, GUARD_COLUMNS, TZ, fetch_context, offline
from tests.builders import GUARDS_CSV as GUARDS

NOW = datetime(2023, 6, 8, 8, 44, tzinfo=TZ)
CSV = DATA / "csv"
RESCUE = CSV / "raddningstjanst-utf8-bom.csv"
RESCUE_COLUMNS = {
    "time": "Larmtid",
    "category": "Händelsetyp",
    "place": "Adress",
    "text": "Beskrivning",
}


@pytest.fixture
def http() -> Iterator[HttpClient]:
    with offline() as client:
        yield client


def fetch(http: HttpClient, path: Path, columns: dict[str, Any], **settings: Any) -> Batch:
    table = {"kind": "csv", "origin": "rescue", "columns": columns, "path": path, **settings}
    source = CsvSource("rtj", CsvSettings.model_validate(table))
    return source.fetch(fetch_context(http, NOW))


def csv_rows(path: Path, encoding: str = "utf-8-sig") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.reader(handle, delimiter=";" if path.name.startswith("ord") else ","))


def serial(text: str) -> float:
    """The Excel serial of a "2023-06-07 22:34:05" time."""
    moment = datetime.strptime(text.replace(".", ":"), "%Y-%m-%d %H:%M:%S")
    return (moment - _EXCEL_EPOCH).total_seconds() / 86400


def write_book(
    path: Path, rows: list[list[str]], time_cell: Callable[[str], object], *, title: bool = True
) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Info"
    sheet.append(["Exporterad från portalen"])
    reports = book.create_sheet("Rapporter")
    header, body = rows[0], rows[1:]
    if title:
        reports.append(["Händelserapport, Brandkåren Attunda"])
        reports.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    reports.append(header)
    for row in body:
        reports.append([time_cell(row[0]), *row[1:]])
    book.save(path)
    return path


def facts(incidents: list[Incident]) -> list[tuple[object, ...]]:
    return sorted(
        (i.key, i.published_at, i.title, i.summary, i.location, i.type, i.municipality)
        for i in incidents
    )


def seconds(text: str) -> str:
    return text if text.count(":") == 2 else text + ":00"


@pytest.mark.parametrize(
    "time_cell",
    [
        pytest.param(lambda text: serial(seconds(text)), id="excel-serial"),
        pytest.param(
            lambda text: datetime.strptime(seconds(text), "%Y-%m-%d %H:%M:%S"), id="date-cell"
        ),
        pytest.param(lambda text: text, id="text"),
    ],
)
def test_an_xlsx_drop_gives_the_same_incidents_as_the_same_rows_as_csv(
    http: HttpClient, tmp_path: Path, time_cell: Callable[[str], object]
) -> None:
    from_csv = fetch(http, RESCUE, RESCUE_COLUMNS)
    book = write_book(tmp_path / "export.xlsx", csv_rows(RESCUE), time_cell)
    from_xlsx = fetch(http, book, RESCUE_COLUMNS, sheet="Rapporter")
    assert from_xlsx.problems == from_csv.problems == []
    assert len(from_csv.incidents) == 4
    assert facts(from_xlsx.incidents) == facts(from_csv.incidents)


def test_a_workbook_and_a_csv_in_one_folder_are_both_read(http: HttpClient, tmp_path: Path) -> None:
    rows = csv_rows(GUARDS, encoding="cp1252")
    rows = [rows[0], *[[r[0].replace(".", ":"), *r[1:]] for r in rows[1:]]]
    write_book(tmp_path / "b-vakter.xlsx", rows, lambda text: serial(seconds(text)), title=False)
    (tmp_path / "a-vakter.csv").write_bytes(GUARDS.read_bytes())
    batch = fetch(http, tmp_path, GUARD_COLUMNS, sheet="Rapporter")
    assert batch.problems == []
    assert {"read:a-vakter.csv", "read:b-vakter.xlsx"} <= set(batch.state)
    keys = [incident.key for incident in batch.incidents]
    assert len(keys) == len(set(keys)) == len(rows) - 1  # the same rows: the same incidents


def test_a_date_column_and_a_clock_column_read_as_one_time(
    http: HttpClient, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Datum", "Tid", "Plats", "Händelse"])
    sheet.append([datetime(2023, 6, 7), 23 / 24 + 40 / 1440, "Kallhälls station", "Klotter"])
    sheet.append([45084.0, "22:05", "Viksjö centrum", "Bråk"])
    book.save(tmp_path / "vakter.xlsx")
    columns = {"time": ["Datum", "Tid"], "place": "Plats", "category": "Händelse"}
    batch = fetch(http, tmp_path / "vakter.xlsx", columns)
    assert batch.problems == []
    assert [i.published_at for i in batch.incidents] == [
        datetime(2023, 6, 7, 22, 5, tzinfo=TZ),
        datetime(2023, 6, 7, 23, 40, tzinfo=TZ),
    ]


def test_a_personnummer_in_a_cell_is_masked(http: HttpClient, tmp_path: Path) -> None:
    rows = [["Larmtid", "Beskrivning"], ["2023-06-07 22:34:05", "Boende 19850101-1234 larmade."]]
    book = write_book(tmp_path / "x.xlsx", rows, lambda text: text)
    batch = fetch(http, book, {"time": "Larmtid", "text": "Beskrivning"}, sheet="Rapporter")
    (incident,) = batch.incidents
    assert "1234" not in incident.summary and "1234" not in (incident.raw or "")
    assert "[personnummer]" in incident.summary


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b"PK\x03\x04 not really a zip"), "not a readable Excel workbook"),
        (lambda p: write_book(p, [["Något", "Annat"], ["a", "b"]], str), "no header row naming"),
    ],
    ids=["not-a-workbook", "no-header"],
)
def test_an_unreadable_workbook_fails_with_its_name(
    http: HttpClient, tmp_path: Path, make: Callable[[Path], object], message: str
) -> None:
    make(tmp_path / "trasig.xlsx")
    with pytest.raises(SourceError) as caught:
        fetch(http, tmp_path / "trasig.xlsx", RESCUE_COLUMNS)
    assert "trasig.xlsx" in caught.value.message and message in caught.value.message


def test_a_sheet_that_is_not_there_is_named_with_the_ones_that_are(
    http: HttpClient, tmp_path: Path
) -> None:
    book = write_book(tmp_path / "x.xlsx", csv_rows(RESCUE), lambda text: text)
    with pytest.raises(SourceError) as caught:
        fetch(http, book, RESCUE_COLUMNS, sheet="Blad1")
    assert "'Blad1'" in caught.value.message and "Rapporter" in caught.value.message
