"""`briefing eval`: the judgement scored against hand labels."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from briefing.cli import common
from briefing.cli.common import ConfigOpt, DebugOpt


def eval_labels(
    labels: Annotated[
        Path, typer.Argument(help="Hand labels, one JSON object a line.", dir_okay=False)
    ],
    events: Annotated[
        Path, typer.Option("--events", help="Recorded polisen events: a JSON file or folder.")
    ],
    details: Annotated[
        Path | None,
        typer.Option("--details", help="The events' pages: a folder of <id>.html or parsed JSON."),
    ] = None,
    disagreements: Annotated[
        bool,
        typer.Option("--disagreements", help="List the held-out events the labels disagree with."),
    ] = False,
    tune_disagreements: Annotated[
        bool,
        typer.Option("--tune-disagreements", help="List the tune part's disagreements."),
    ] = False,
    split: Annotated[
        str,
        typer.Option("--split", help="auto, time, time:YYYY-MM-DD, municipality or none (README)."),
    ] = "auto",
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Score the judgement against hand labels, on a tune part and a held-out part side by side."""
    with common.errors(debug):
        from briefing.evaluate import split as splits
        from briefing.evaluate.measure import evaluate_split

        chosen = splits.parse(split)
        report = evaluate_split(
            labels, events, details, split=chosen, config=common.load_if_any(config)
        )
        typer.echo(str(report))
        for part, wanted in ((report.tune, tune_disagreements), (report.held_out, disagreements)):
            for line in part.disagreements() if wanted else ():
                typer.echo(line)
