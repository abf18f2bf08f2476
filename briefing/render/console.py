"""The rich console for terminal output, configured for cron as well as for people."""

from __future__ import annotations

import os
import sys

from rich.console import Console


def make_console(*, stderr: bool = False) -> Console:
    """A console that is colourful on a terminal and plain (no escape codes) elsewhere.

    Off a terminal rich would assume 80 columns; 100 keeps the briefing's lines whole
    in cron mail. COLUMNS still wins when set.
    """
    stream = sys.stderr if stderr else sys.stdout
    on_terminal = stream.isatty()
    width = None if on_terminal or os.environ.get("COLUMNS") else 100
    return Console(
        file=stream,
        width=width,
        highlight=False,
        emoji=False,
        markup=False,
        force_terminal=on_terminal,
        no_color=not on_terminal or None,
    )
