"""The command line: thin typer commands over `briefing.pipeline`, one module per group.

- `today`: make the briefing, show it, write the site, e-mail it (briefing.cli.today);
- `send`: e-mail what waits in the outbox (briefing.cli.send);
- `ack`, `log`: the follow-up log (briefing.cli.followup);
- `notify`: messages to an incident's stakeholders (briefing.cli.notify);
- `week`: the week's picture for the EST meeting (briefing.cli.week);
- `fetch`, `sources`, `sources check`: the sources (briefing.cli.sources);
- `store check` (briefing.cli.store); `eval` (briefing.cli.evaluate);
- `init KOMMUN`: a sources.toml for any municipality (briefing.cli.init);
- `places suggest`: a gazetteer to start from (briefing.cli.places).

Errors become messages and exit codes in briefing.cli.common only. Heavy
modules are imported inside the commands so that `briefing --help` starts fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import typer

from briefing.cli import (
    evaluate,
    followup,
    init,
    notify,
    places,
    send,
    sources,
    store,
    today,
    week,
)
from briefing.cli.app import app, make_app

__all__ = ["app", "main"]

# In the order --help lists them: a command's function, or a group of its own.
COMMANDS: list[tuple[str, Callable[..., Any] | typer.Typer]] = [
    ("today", today.today),
    ("send", send.send),
    ("ack", followup.ack),
    ("log", followup.log),
    ("notify", notify.notify),
    ("week", week.week),
    ("fetch", sources.fetch),
    ("sources", sources.sources_app),
    ("store", store.store_app),
    ("eval", evaluate.eval_labels),
    ("init", init.init),
    ("places", places.places_app),
]


def _register(target: typer.Typer, name: str, command: Callable[..., Any] | typer.Typer) -> None:
    if isinstance(command, typer.Typer):
        target.add_typer(command, name=name)
    else:
        target.command(name)(command)


for _name, _command in COMMANDS:
    _register(app, _name, _command)


def _listing(name: str, command: Callable[..., Any] | typer.Typer) -> Callable[[], None]:
    """A stand-in that only lists `command` in --help: its name and first line of help."""
    help_text = command.info.help if isinstance(command, typer.Typer) else command.__doc__

    def listed() -> None:
        raise AssertionError(f"{name}: a --help listing, never run")  # pragma: no cover

    listed.__doc__ = help_text
    return listed


def _app_for(argv: list[str]) -> typer.Typer:
    """The app for this command line, converted by typer only as far as it needs.

    Typer turns every registered command's signature into click's objects on each
    run (15 ms for all of them); a run of one command needs only that one, and the
    root's --help or --version only the names and first lines of help.
    """
    chosen = dict(COMMANDS).get(argv[0]) if argv else None
    trimmed = make_app()
    if chosen is not None:
        _register(trimmed, argv[0], chosen)
    else:
        # As typer lists the full app: the commands, then the groups.
        for name, command in sorted(COMMANDS, key=lambda c: isinstance(c[1], typer.Typer)):
            _register(trimmed, name, _listing(name, command))
    return trimmed


def main() -> None:
    _app_for(sys.argv[1:])()
