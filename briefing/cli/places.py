"""`briefing places suggest`: a gazetteer to start from, printed as TOML to paste."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from briefing.cli import common
from briefing.cli.common import ConfigOpt, DebugOpt
from briefing.errors import UsageError

places_app = typer.Typer(
    help="The gazetteer: `briefing places suggest` lists the place names of the "
    "municipality's police history, ready to paste.",
    rich_markup_mode=None,
)


@places_app.command("suggest")
def suggest(
    from_store: Annotated[
        bool, typer.Option("--from-store", help="Read the police events kept in the store.")
    ] = False,
    events: Annotated[
        Path | None,
        typer.Option("--events", help="Recorded police events instead: a JSON file or folder."),
    ] = None,
    pages: Annotated[
        Path | None,
        typer.Option("--pages", help="Their pages: a folder of <id>.html or parsed JSON."),
    ] = None,
    min_count: Annotated[
        int, typer.Option("--min-count", min=1, help="Leave out names fewer events use.")
    ] = 2,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Print a gazetteer for the municipality: its districts, the place names of its RegSO
    areas, and every place name its police texts use, with counts, the likely district
    and what makes a name ambiguous. Every entry is marked to be confirmed."""
    with common.errors(debug), ExitStack() as stack:
        from briefing.judge import districts, suggest_start

        if pages is not None and events is None:
            raise UsageError("--pages goes with --events", "give --events FILE too")
        if from_store == (events is not None):
            raise UsageError(
                "give either --from-store or --events FILE (with --pages)",
                "e.g. `briefing places suggest --from-store > gazetteer.toml`",
            )
        cfg = common.load(config)
        if events is not None:
            from briefing.evaluate.measure import recorded

            incidents = recorded(events, pages)
        else:
            store = common.open_store(cfg, stack, lock=False)
            start = datetime(2000, 1, 1, tzinfo=UTC)
            stored = store.window(start, datetime.now(UTC))
            incidents = [s.incident for s in stored if s.incident.origin == "police"]
        home = cfg.municipality.name
        grouped = districts.groups(home, cfg.districts)
        typer.echo(suggest_start.render(home, incidents, grouped, min_count=min_count), nl=False)
