"""Getting a finished briefing somewhere: files (atomically), later the site and SMTP."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from itertools import islice
from pathlib import Path

from briefing.errors import DeliveryError

_BLOCK = 256  # pieces joined into one write


def write_atomic(path: Path, text: str | Iterable[str], *, mode: int | None = None) -> None:
    """Write `text` (a string, or its pieces) to `path` so that readers see the old file
    or the new one, never half.

    The data goes to a temporary file in the same folder, is flushed to disk,
    and then replaces the target in one rename. The file is private (0600)
    unless `mode` says otherwise (the intranet site's pages must be readable
    by the web server).
    """
    pieces = [text] if isinstance(text, str) else text
    _replace(path, mode, lambda fd: _write_text(fd, pieces))


def write_atomic_bytes(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """`write_atomic` for binary data (an XLSX workbook)."""
    _replace(path, mode, lambda fd: _write_bytes(fd, data))


def _write_text(fd: int, pieces: Iterable[str]) -> None:
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        # Many small pieces (a JSON incident is ~1 kB) joined into blocks: a write per
        # piece costs more than the join (bench/volume.py, stage json).
        remaining = iter(pieces)
        while block := list(islice(remaining, _BLOCK)):
            handle.write("".join(block))
        handle.flush()
        os.fsync(handle.fileno())


def _write_bytes(fd: int, data: bytes) -> None:
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _replace(path: Path, mode: int | None, write: Callable[[int], None]) -> None:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            if mode is not None:
                os.fchmod(fd, mode)
            write(fd)
            Path(tmp).replace(path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise DeliveryError(f"{path}: cannot write: {exc.strerror or exc}") from exc
