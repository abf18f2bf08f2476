"""A line per source on the terminal while the sources are fetched.

`briefing today` and `briefing fetch` can wait a minute for the police's rate
limit (one call per 10 s) when event pages are read; this shows, on stderr,
what each source is doing: fetching, the event page n of m, and a countdown
while a call waits. Only on a terminal: never with --quiet, never when stderr
is a pipe or a file (cron), never on TERM=dumb; NO_COLOR is honoured by rich.
The lines are gone once the fetch is over, so the briefing reads as before.
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.text import Text

from briefing.i18n import t
from briefing.models import clean_text
from briefing.sources.progress import Progress

if TYPE_CHECKING:
    from briefing.sources.base import ProgressFor, Source

REFRESH_PER_SECOND = 4


def wanted(quiet: bool) -> bool:
    """Whether to draw progress: a person at a terminal who did not ask for quiet."""
    if quiet or os.environ.get("TERM", "") in ("dumb", "unknown"):
        return False
    return sys.stderr.isatty()


@contextmanager
def shown(quiet: bool, lang: str) -> Iterator[ProgressFor | None]:
    """The progress for each source, drawn on stderr while inside; None off a terminal."""
    if not wanted(quiet):
        yield None
        return
    from rich.live import Live

    from briefing.render.console import make_console

    board = Board(lang)
    live = Live(
        board,
        console=make_console(stderr=True),
        transient=True,  # gone at the end: the briefing follows as it always did
        refresh_per_second=REFRESH_PER_SECOND,
        redirect_stdout=False,  # stdout carries the briefing, never progress
        redirect_stderr=False,
    )
    with live:
        yield board


class Board:
    """Every source's line; called with an adapter, it gives that source's Progress."""

    def __init__(self, lang: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.lang = lang
        self.clock = clock
        self.lock = threading.Lock()
        self.lines: list[SourceLine] = []

    def __call__(self, adapter: Source) -> Progress:
        line = SourceLine(self, clean_text(adapter.label, single_line=True))
        with self.lock:
            self.lines.append(line)
        return line

    def text(self) -> str:
        """What the terminal shows now, a line per source."""
        now = self.clock()
        with self.lock:
            return "\n".join(line.text(now) for line in self.lines)

    def __rich__(self) -> Text:
        return Text(self.text(), no_wrap=True, overflow="ellipsis")


class SourceLine(Progress):
    """One source's state, as its fetch thread reports it."""

    def __init__(self, board: Board, label: str) -> None:
        self.board = board
        self.label = label
        self.state = "progress.fetching"
        self.page = (0, 0)
        self.wait_until = 0.0
        self.interval: float | None = None

    def fetching(self) -> None:
        with self.board.lock:
            self.state = "progress.fetching"

    def waiting(self, seconds: float, *, interval: float | None = None) -> None:
        with self.board.lock:
            self.wait_until = self.board.clock() + seconds
            self.interval = interval

    def pages(self, current: int, total: int) -> None:
        with self.board.lock:
            self.state, self.page = "progress.page", (current, total)

    def done(self, *, ok: bool) -> None:
        with self.board.lock:
            self.state = "progress.done" if ok else "progress.failed"
            self.wait_until = 0.0

    def text(self, now: float) -> str:
        lang = self.board.lang
        current, total = self.page
        doing = t(lang, self.state, current=current, total=total)
        left = math.ceil(self.wait_until - now)
        if left <= 0:
            return f"{self.label}: {doing}"
        if self.interval:
            wait = t(lang, "progress.wait_rate", seconds=left, interval=f"{self.interval:g}")
        else:
            wait = t(lang, "progress.wait_retry", seconds=left)
        if self.state == "progress.fetching":  # waiting to fetch says it all
            return f"{self.label}: {wait}"
        return f"{self.label}: {doing}, {wait}"
