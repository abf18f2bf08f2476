"""`briefing store check`: SQLite's integrity check of the store."""

from __future__ import annotations

import typer

from briefing.cli import common
from briefing.cli.common import ConfigOpt, DebugOpt
from briefing.errors import ExitStatus

store_app = typer.Typer(help="The SQLite store.", no_args_is_help=True, rich_markup_mode=None)


@store_app.command("check")
def check_store(config: ConfigOpt = None, debug: DebugOpt = False) -> None:
    """SQLite's integrity check of the store: 0 when it is sound, 6 when it is damaged."""
    with common.errors(debug):
        from briefing.judge.health import store_problems
        from briefing.store import default_path

        path = common.load(config).store.path or default_path()
        problems = store_problems(path)
        for problem in problems:
            typer.echo(f"briefing: store {path}: {problem}", err=True)
        if not problems:
            typer.echo(f"store {path}: ok" if path.exists() else f"store {path}: not made yet")
    raise typer.Exit(ExitStatus.DAMAGED if problems else ExitStatus.OK)
