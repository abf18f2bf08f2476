"""The typer app itself and its root options; the commands are in the modules beside it."""

from __future__ import annotations

from typing import Annotated

import typer

from briefing import __version__

HELP = (
    "The morning security briefing: what the police, the rescue service and the guards "
    "reported during the evening and night, what is serious, and whom to inform."
)


def make_app() -> typer.Typer:
    """The root app with its --version option; the commands are registered by briefing.cli."""
    made = typer.Typer(
        name="briefing",
        help=HELP,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        pretty_exceptions_show_locals=False,
        rich_markup_mode=None,
    )
    made.callback()(_root)
    return made


def _version(value: bool) -> None:
    if value:
        typer.echo(f"briefing {__version__}")
        raise typer.Exit()


def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Run `briefing today --demo` to see a briefing made from recorded real data."""


app = make_app()
