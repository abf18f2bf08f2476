"""The garbage collector held off while a briefing is judged.

Judging a window makes a few objects per incident (places, judgements, items) that all
live until the briefing is written, and none of them in a reference cycle: they are
freed by their reference counts. The collector's passes over them find nothing, yet on
a store of a year of Sweden its full passes cost about a tenth of the judging
(bench/RESULTS.md). So it is held off while the window is judged and let run again
after; any cycle made meanwhile is collected on its next pass.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def held_off() -> Iterator[None]:
    """No collection inside; the collector as it was after (also on an error)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
