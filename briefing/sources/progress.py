"""What a source is doing while a person waits for it: the events the library reports.

The pipeline gives every adapter its own `Progress` in `FetchContext.progress`
and says when the source starts and ends; the HTTP layer says when it waits
(the police's 10 seconds between calls, a server's Retry-After); the polisen
adapter says which event page it reads. This class does nothing with them: it
is the default, so adapters and the library stay silent and testable, and the
command line passes one that draws a line per source on a terminal
(`briefing.cli.progress`).

Events come from the threads that fetch the sources, one thread per source;
an implementation that draws them must take care of that.
"""

from __future__ import annotations


class Progress:
    """Events from one source's fetch; every method here does nothing."""

    def fetching(self) -> None:
        """The source is being fetched."""

    def waiting(self, seconds: float, *, interval: float | None = None) -> None:
        """Nothing is sent for `seconds`: the site allows one call per `interval` seconds
        (its rate limit), or, with no `interval`, a failed call is tried again then."""

    def pages(self, current: int, total: int) -> None:
        """Reading page `current` (from 1) of the `total` this run reads."""

    def done(self, *, ok: bool) -> None:
        """The fetch ended, well or not."""


SILENT = Progress()
