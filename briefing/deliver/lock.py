"""One run at a time: an advisory lock on a file next to the store.

Cron and a systemd timer (`Persistent=true` catches up after a reboot) can
start a run while another is still fetching or sending; two runs would fetch
twice and could e-mail the same morning twice. `flock` is released by the
kernel when the process ends, however it ends, so a crashed run never leaves a
stale lock behind. The lock file itself is never deleted: removing it while
another process waits on it would let a third process lock a new file.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from briefing.errors import BriefingError, ExitStatus, StoreError

SUFFIX = ".lock"


class Busy(BriefingError):
    """Another run holds the lock; this one did nothing."""

    exit_status = ExitStatus.BUSY


def lock_path(store_path: Path) -> Path:
    """The lock file for a store: `briefing.sqlite3.lock` beside `briefing.sqlite3`."""
    return store_path.with_name(store_path.name + SUFFIX)


@contextmanager
def exclusive(store_path: Path) -> Iterator[None]:
    """Hold the store's lock for the block; raise `Busy` at once if another run holds it."""
    path = lock_path(store_path)
    fd = _open(path)
    try:
        if not _try_lock(fd):
            raise Busy(
                f"another briefing run is in progress{_holder(fd)}; this run did nothing "
                f"(lock {path})",
                "wait for it to finish, or check for a hung run",
            )
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # releases the lock


def _open(path: Path) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise StoreError(
            f"lock file {path} cannot be opened ({exc.strerror or exc})",
            "check the permissions of the store's folder",
        ) from exc


def _holder(fd: int) -> str:
    """' (process 1234)' from the pid the holder wrote, when it can be read."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (process {text})" if text.isdigit() else ""


if sys.platform == "win32":  # pragma: no cover - cron and systemd are Unix; no flock here

    def _try_lock(fd: int) -> bool:
        return True

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
