"""The typer app itself and its root options; the commands are in the modules beside it."""

from __future__ import annotations

from typing import Annotated

import typer

from briefing import __version__

app = typer.Typer(
    name="briefing",
    help="The morning security briefing: what the police, the rescue service and the guards "
    "reported during the evening and night, what is serious, and whom to inform.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"briefing {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Run `briefing today --demo` to see a briefing made from recorded real data."""
