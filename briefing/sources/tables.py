"""Exported tables — CSV text or an Excel workbook — read as rows of incidents.

The guard company's and the rescue service's exports arrive as files in a drop
folder (kind "csv") or as attachments to an e-mail (kind "imap"); either way
they go through the same column mapping (`columns`), date formats and
encodings, so a report reads the same whatever way it came.

Excel workbooks (.xlsx) are read with openpyxl in read-only mode: the sheet is
chosen by name (`sheet`, else the first one); rows above the header (a title
row, a merged heading) are skipped by looking for the row that names the time
column; dates come as Excel's own date cells, as serial numbers in a cell
without a date format, or as text, and all three read alike.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from briefing.errors import SourceError
from briefing.models import Origin, mask_personnummer
from briefing.sources import municipalities
from briefing.sources._csvrows import RowError, RowReader, fold
from briefing.sources.base import Batch, FetchContext

TABLE_SUFFIXES = (".csv", ".xlsx")
HEADER_SEARCH_ROWS = 20  # a header further down than this is not a header
_EXCEL_EPOCH = datetime(1899, 12, 30)  # serial 1.0 = 1900-01-01 (Excel's leap-year bug included)
_SERIAL_RANGE = (20000.0, 80000.0)  # 1954 … 2119: a number outside is not a date


class TableColumns(BaseModel):
    """Our fields → the file's column headers. `time` may name two columns (date, time)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    time: str | tuple[str, ...]
    text: str | None = None
    place: str | None = None
    category: str | None = Field(default=None, description="becomes the incident's type")
    title: str | None = None
    id: str | None = Field(default=None, description="a natural key, if the export has one")
    end_time: str | None = None
    municipality: str | None = None
    lat: str | None = None
    lon: str | None = None

    @field_validator("time")
    @classmethod
    def _some_time_column(cls, value: str | tuple[str, ...]) -> str | tuple[str, ...]:
        names = (value,) if isinstance(value, str) else value
        if not names or not all(name.strip() for name in names):
            raise ValueError("name the column (or date and time columns) holding the time")
        return value

    def mapped(self) -> dict[str, tuple[str, ...]]:
        """Each mapped field and the header(s) it reads."""
        found: dict[str, tuple[str, ...]] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if value is not None:
                found[name] = (value,) if isinstance(value, str) else tuple(value)
        return found


class TableSettings(BaseModel):
    """How exported tables are read: shared by the `csv` and `imap` kinds."""

    delimiter: Literal[";", ",", "auto"] = "auto"
    encoding: Literal["auto", "utf-8", "cp1252"] = "auto"
    date_format: str | None = Field(default=None, description="strptime format of the time column")
    sheet: str | None = Field(default=None, description="the workbook's sheet; default: the first")
    municipality: str | None = Field(
        default=None, description="where the reports are from; default: the briefing's"
    )

    @field_validator("date_format")
    @classmethod
    def _has_time_of_day(cls, value: str | None) -> str | None:
        if value is not None and not ({"%H", "%I"} & set(re.findall(r"%.", value))):
            raise ValueError("must include the hour (%H), or the reports land at midnight")
        return value

    @field_validator("municipality")
    @classmethod
    def _known_municipality(cls, value: str | None) -> str | None:
        return None if value is None else municipalities.canonical(value)


@dataclass(frozen=True, slots=True)
class Drop:
    """One exported file, by name, as bytes."""

    name: str
    content: bytes


@dataclass(frozen=True, slots=True)
class Table:
    """A file's header and its rows, each with the line (CSV) or row number (sheet) it is on."""

    header: list[str]
    rows: Iterable[tuple[int, list[str]]]


def is_table(name: str) -> bool:
    return name.lower().endswith(TABLE_SUFFIXES)


def read_drop(
    drop: Drop,
    columns: TableColumns,
    settings: TableSettings,
    *,
    source: str,
    origin: Origin,
    ctx: FetchContext,
    batch: Batch,
) -> bool:
    """Add the drop's rows to `batch`; False if the file could not be read to its end.

    A bad row is reported as "<file>:<line>: <what>" and skipped; every cell
    but the times is masked for personal identity numbers before it is read.
    """
    mapped = columns.mapped()
    if drop.name.lower().endswith(".xlsx"):
        table = workbook_table(drop, mapped["time"], settings.sheet)
    else:
        table = csv_table(drop, mapped["time"], settings)
    reader = RowReader(
        drop.name,
        table.header,
        mapped,
        source=source,
        origin=origin,
        tz=ctx.tz,
        municipality=settings.municipality or ctx.municipality,
        date_format=settings.date_format,
        problems=batch.problems,
    )
    times = reader.time_columns
    line = 1
    try:
        for line, row in table.rows:
            masked = [c if i in times else mask_personnummer(c) for i, c in enumerate(row)]
            try:
                incident = reader.incident(masked, line)
            except RowError as exc:
                batch.problems.append(f"{drop.name}:{line}: {exc}")
            else:
                batch.incidents.extend([incident] if incident else [])
    except csv.Error as exc:  # e.g. a field over csv's size limit
        batch.problems.append(f"{drop.name}:{line + 1}: unreadable CSV ({exc}); rest skipped")
        return False
    return True


# --- CSV ---------------------------------------------------------------------


def csv_table(drop: Drop, time_headers: tuple[str, ...], settings: TableSettings) -> Table:
    text = decode(drop, settings.encoding)
    delimiter = _delimiter(text.split("\n", 1)[0], time_headers, settings.delimiter)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(rows, [])

    def numbered() -> Iterator[tuple[int, list[str]]]:
        line = rows.line_num + 1
        for row in rows:
            yield line, row
            line = rows.line_num + 1

    return Table(header, numbered())


def _delimiter(header_line: str, time_headers: tuple[str, ...], configured: str) -> str:
    """The configured delimiter, or the one that splits the header into our columns."""
    if configured != "auto":
        return configured
    wanted = {fold(name) for name in time_headers}
    fitting = [
        candidate
        for candidate in (";", ",")
        if wanted <= {fold(cell) for cell in next(csv.reader([header_line], delimiter=candidate))}
    ]
    if len(fitting) == 1:
        return fitting[0]
    return ";" if header_line.count(";") >= header_line.count(",") else ","


def decode(drop: Drop, encoding: str) -> str:
    """The file as text. "auto": UTF-8 (BOM or not), else Windows-1252, which Excel writes."""
    if encoding == "cp1252":
        return drop.content.decode("cp1252", errors="replace")
    try:
        return drop.content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if encoding == "auto":
            return drop.content.decode("cp1252", errors="replace")
        line = drop.content.count(b"\n", 0, exc.start) + 1
        raise SourceError(
            f"{drop.name}:{line}: not UTF-8 (byte {drop.content[exc.start]:#04x})",
            'set encoding = "cp1252" (or "auto") if the supplier exports from Excel',
        ) from None


# --- Excel -------------------------------------------------------------------


def workbook_table(drop: Drop, time_headers: tuple[str, ...], sheet: str | None) -> Table:
    """The sheet's header row (found by the time column's name) and the rows under it."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook  # only a run that reads a workbook pays for it

    try:
        book = load_workbook(io.BytesIO(drop.content), read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SourceError(
            f"{drop.name}: not a readable Excel workbook ({type(exc).__name__})",
            "export the report as .xlsx (Excel 2007 or later) or as CSV",
        ) from None
    if sheet is not None and sheet not in book.sheetnames:
        raise SourceError(
            f"{drop.name}: no sheet {sheet!r} (the workbook has: {', '.join(book.sheetnames)})",
            "set `sheet` to one of the workbook's sheets",
        )
    worksheet = book[sheet] if sheet is not None else book.worksheets[0]
    rows = worksheet.iter_rows(values_only=True)
    wanted = {fold(name) for name in time_headers}
    for number, values in enumerate(rows, start=1):
        if number > HEADER_SEARCH_ROWS:
            break
        header = [_text(value) for value in values]
        folded = {fold(cell) for cell in header}
        if wanted <= folded:
            return Table(header, _sheet_rows(rows, number, _time_roles(header, time_headers)))
    book.close()
    raise SourceError(
        f"{drop.name}: no header row naming {', '.join(map(repr, time_headers))} "
        f"in the first {HEADER_SEARCH_ROWS} rows of sheet {worksheet.title!r}",
        "check `columns.time` against the export's header",
    )


def _time_roles(header: list[str], time_headers: tuple[str, ...]) -> dict[int, str]:
    """Where the time is: one column with date and time, or a date column and a clock column."""
    index = {fold(cell): i for i, cell in enumerate(header)}
    columns = [index[fold(name)] for name in time_headers]
    if len(columns) == 1:
        return {columns[0]: "datetime"}
    return {columns[0]: "date", columns[-1]: "clock"} | {i: "datetime" for i in columns[1:-1]}


def _sheet_rows(
    rows: Iterator[tuple[object, ...]], header_row: int, roles: dict[int, str]
) -> Iterator[tuple[int, list[str]]]:
    for number, values in enumerate(rows, start=header_row + 1):
        yield number, [_cell(value, roles.get(i)) for i, value in enumerate(values)]


def _cell(value: object, role: str | None) -> str:
    """A cell as the text a CSV export of it would hold (times as ISO date and time).

    In a time column a number is an Excel serial (days since 1899-12-30, the
    fraction the time of day), as a sheet without date formats holds it.
    """
    if role is not None and isinstance(value, int | float) and not isinstance(value, bool):
        serial = float(value)
        if role == "clock" and 0 <= serial < 1:
            value = (_EXCEL_EPOCH + timedelta(days=serial)).time()
        elif _SERIAL_RANGE[0] <= serial <= _SERIAL_RANGE[1]:
            value = _EXCEL_EPOCH + timedelta(days=serial)
    if role == "date" and isinstance(value, datetime):
        return value.date().isoformat()
    if role == "clock" and isinstance(value, datetime):
        return _text(value.time())
    return _text(value)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _whole_seconds(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        moment = _whole_seconds(datetime.combine(date(2000, 1, 1), value))
        return moment.strftime("%H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _whole_seconds(moment: datetime) -> datetime:
    """Serials are binary fractions: 23:40 comes back as 23:39:59.999996."""
    return moment.replace(microsecond=0) + timedelta(seconds=moment.microsecond >= 500_000)
