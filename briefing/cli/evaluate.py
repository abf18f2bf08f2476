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
        bool, typer.Option("--disagreements", help="List the events the labels disagree with.")
    ] = False,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Score the judgement against hand labels: serious flag, severity, district, stakeholders."""
    with common.errors(debug):
        from briefing.evaluate.measure import evaluate

        report = evaluate(labels, events, details, config=common.load_if_any(config))
        typer.echo(str(report))
        for line in report.disagreements() if disagreements else ():
            typer.echo(line)
