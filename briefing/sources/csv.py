"""CSV drops: the guard company's export, the rescue service's daily export.

The files are dropped in a folder (`path`; one file or a URL also works) by
agreement, in whatever shape the supplier's portal exports (DOMAIN.md §3, §7),
so columns are mapped in the settings. Swedish Excel writes `;` and
Windows-1252; other tools write `,` and UTF-8, with or without a BOM.

Each file is read once: its name and content hash go into the source state,
and a file seen unchanged is skipped. A re-exported file (new hash) is read
again; its rows keep their keys, so they update rather than duplicate.

A bad row is reported as "<file>:<line>: <what>" (physical line, the header
is line 1) and skipped; the rest is kept. Personal identity numbers are masked
in every cell before anything else sees it.

Reports have no publication time of their own: `published_at` is the time in
the row, so a drop is shown in the briefing whose window holds its events.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from briefing.errors import SourceError
from briefing.pnr import mask_personnummer
from briefing.sources import municipalities
from briefing.sources._csvrows import RowError, RowReader, fold
from briefing.sources.base import (
    Batch,
    FetchContext,
    Source,
    SourceSettings,
    fetch_if_changed,
    payload_files,
)
from briefing.sources.http import MAX_BYTES
from briefing.sources.polisen import in_order

DROP_SUFFIXES = (".csv",)


class CsvColumns(BaseModel):
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


class CsvSettings(SourceSettings):
    """`[sources.NAME]` keys for kind "csv"."""

    columns: CsvColumns
    delimiter: Literal[";", ",", "auto"] = "auto"
    encoding: Literal["auto", "utf-8", "cp1252"] = "auto"
    date_format: str | None = Field(default=None, description="strptime format of the time column")
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
    name: str
    content: bytes


class CsvSource(Source):
    """Reports from CSV drops, each file read once."""

    kind: ClassVar[str] = "csv"
    Settings: ClassVar[type[SourceSettings]] = CsvSettings
    settings: CsvSettings

    def fetch(self, ctx: FetchContext) -> Batch:
        batch = Batch()
        errors: list[SourceError] = []
        for drop in list(self._drops(ctx, batch, errors)):
            state_key = f"read:{drop.name}"
            digest = hashlib.sha256(drop.content).hexdigest()
            if ctx.state.get(state_key) == digest:
                batch.state[state_key] = digest
                continue
            try:
                if self._read(drop, ctx, batch):
                    batch.state[state_key] = digest
            except SourceError as exc:
                errors.append(exc)
        if errors and not batch.state and not batch.incidents:
            hint = errors[0].hint or f"check `columns` and `path` in [sources.{self.name}]"
            raise SourceError(errors[0].message, hint)
        batch.problems[:0] = [error.message for error in errors]
        batch.incidents = in_order(batch.incidents)
        return batch

    def _drops(self, ctx: FetchContext, batch: Batch, errors: list[SourceError]) -> Iterator[Drop]:
        if self.settings.url is not None:
            url = self.settings.url
            response = fetch_if_changed(ctx, batch, url, timeout=self.settings.timeout)
            if response is not None:  # None: not modified since what was stored last time
                yield Drop(url, response.content)
            return
        assert self.settings.path is not None  # the settings require url or path
        for file in payload_files(self.settings.path, DROP_SUFFIXES, batch.problems):
            try:
                if file.stat().st_size > MAX_BYTES:
                    limit = MAX_BYTES // 1024
                    errors.append(SourceError(f"{file.name}: larger than {limit} KiB; not read"))
                    continue
                yield Drop(file.name, file.read_bytes())
            except OSError as exc:
                errors.append(SourceError(f"{file.name}: cannot read: {exc.strerror or exc}"))

    def _read(self, drop: Drop, ctx: FetchContext, batch: Batch) -> bool:
        """Add the drop's rows to `batch`; False if the file could not be read to its end."""
        text = decode(drop, self.settings.encoding)
        delimiter = self._delimiter(text.split("\n", 1)[0])
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        reader = RowReader(
            drop.name,
            next(rows, []),
            self.settings.columns.mapped(),
            source=self.name,
            origin=self.origin,
            tz=ctx.tz,
            municipality=self.settings.municipality or ctx.municipality,
            date_format=self.settings.date_format,
            problems=batch.problems,
        )
        line = rows.line_num + 1
        times = reader.time_columns
        try:
            for row in rows:
                masked = [c if i in times else mask_personnummer(c) for i, c in enumerate(row)]
                try:
                    incident = reader.incident(masked, line)
                except RowError as exc:
                    batch.problems.append(f"{drop.name}:{line}: {exc}")
                else:
                    batch.incidents.extend([incident] if incident else [])
                line = rows.line_num + 1
        except csv.Error as exc:  # e.g. a field over csv's size limit
            batch.problems.append(f"{drop.name}:{line}: unreadable CSV ({exc}); rest skipped")
            return False
        return True

    def _delimiter(self, header_line: str) -> str:
        """The configured delimiter, or the one that splits the header into our columns."""
        if self.settings.delimiter != "auto":
            return self.settings.delimiter
        wanted = {fold(name) for name in self.settings.columns.mapped()["time"]}
        fitting = [
            candidate
            for candidate in (";", ",")
            if wanted
            <= {fold(cell) for cell in next(csv.reader([header_line], delimiter=candidate))}
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
