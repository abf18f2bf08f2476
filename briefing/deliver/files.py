"""Getting a finished briefing somewhere: files (atomically), later the site and SMTP."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from briefing.errors import DeliveryError


def write_atomic(path: Path, text: str | Iterable[str], *, mode: int | None = None) -> None:
    """Write `text` (a string, or its pieces) to `path` so that readers see the old file
    or the new one, never half.

    The data goes to a temporary file in the same folder, is flushed to disk,
    and then replaces the target in one rename. The file is private (0600)
    unless `mode` says otherwise (the intranet site's pages must be readable
    by the web server).
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            if mode is not None:
                os.fchmod(fd, mode)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.writelines([text] if isinstance(text, str) else text)
                handle.flush()
                os.fsync(handle.fileno())
            Path(tmp).replace(path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise DeliveryError(f"{path}: cannot write: {exc.strerror or exc}") from exc


def write_atomic_bytes(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """`write_atomic` for binary data (an XLSX workbook)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            if mode is not None:
                os.fchmod(fd, mode)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            Path(tmp).replace(path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise DeliveryError(f"{path}: cannot write: {exc.strerror or exc}") from exc
