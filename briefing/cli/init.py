"""`briefing init KOMMUN`: a working sources.toml in the current folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from briefing.cli import common
from briefing.cli.common import DebugOpt
from briefing.errors import ConfigError, UsageError


def init(
    municipality: Annotated[
        str, typer.Argument(help="The municipality: a name in any common spelling, or kommunkod.")
    ],
    folder: Annotated[
        Path, typer.Option("--dir", help="Write here instead of the current folder.")
    ] = Path(),
    debug: DebugOpt = False,
) -> None:
    """Write sources.toml for a municipality: neighbours, police, warnings, drop folders,
    districts and a stakeholder registry to fill in. Never overwrites."""
    with common.errors(debug):
        from briefing.cli import template

        try:
            template.render(municipality)
        except ValueError as exc:
            hint = "give a name such as Sollentuna, or a kommunkod (0163)"
            raise UsageError(str(exc), hint) from exc
        try:
            written = template.write(folder, municipality)
        except FileExistsError as exc:
            raise ConfigError(
                [f"{folder / template.CONFIG}: already exists; not overwritten"],
                "move it away first, or run `briefing init` in an empty folder",
            ) from exc
        for path in written:
            typer.echo(f"wrote {path}")
        typer.echo("next: `briefing sources`, then `briefing today`")
