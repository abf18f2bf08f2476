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

import hashlib
from collections.abc import Iterator
from typing import ClassVar

from briefing.errors import SourceError
from briefing.sources._incidents import in_order
from briefing.sources.base import (
    Batch,
    FetchContext,
    Source,
    SourceSettings,
    fetch_if_changed,
    payload_files,
)
from briefing.sources.http import MAX_BYTES
from briefing.sources.tables import (
    TABLE_SUFFIXES,
    Drop,
    TableColumns,
    TableSettings,
    read_drop,
)

DROP_SUFFIXES = TABLE_SUFFIXES


class CsvSettings(SourceSettings, TableSettings):
    """`[sources.NAME]` keys for kind "csv" (the table keys are shared with "imap")."""

    columns: TableColumns


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
        return read_drop(
            drop,
            self.settings.columns,
            self.settings,
            source=self.name,
            origin=self.origin,
            ctx=ctx,
            batch=batch,
        )
