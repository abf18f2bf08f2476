"""`briefing week`: the week's picture for the EST meeting, as text or markdown, a page in
the site, CSV and XLSX."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer

from briefing.cli import common
from briefing.cli.common import ConfigOpt, DebugOpt

FORMATS = ("text", "markdown", "html")


def week(
    which: Annotated[
        str | None,
        typer.Option("--week", help="The ISO week, e.g. 2026-W49 (default: this week so far)."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, markdown or html.")] = "text",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
    csv_path: Annotated[
        Path | None, typer.Option("--csv", help="Also write the rows as CSV.")
    ] = None,
    xlsx_path: Annotated[
        Path | None, typer.Option("--xlsx", help="Also write the rows as an XLSX workbook.")
    ] = None,
    site: Annotated[
        Path | None,
        typer.Option("--site", help="Also write it into this intranet site folder ([site] dir)."),
    ] = None,
    now: Annotated[
        str | None, typer.Option(help="Pretend it is this time now (a past week's replay).")
    ] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="sv (default) or en.")] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Over the bundled recorded data, with a fixed clock.")
    ] = False,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """The week's picture: per category and district against the last 8 weeks, repeat
    places, serious incidents with their follow-up, a map; CSV and XLSX rows."""
    with common.errors(debug), ExitStack() as stack:
        from briefing.cli.today import parse_when
        from briefing.deliver.files import write_atomic, write_atomic_bytes
        from briefing.i18n import LANGUAGES
        from briefing.judge.week import compute, parse_week
        from briefing.render import week as weekly

        common.check_choice("--format", fmt, FORMATS)
        if lang is not None:
            common.check_choice("--lang", lang, LANGUAGES)
        chosen = parse_week(which) if which else None
        if demo:
            from briefing import demo as demo_data
            from briefing.pipeline import fetch_all

            cfg, store, clock, _ = demo_data.setup(stack)
            moment = parse_when(now or clock, cfg.tz)
            fetch_all(cfg, store, common.http(store, stack), moment)
        else:
            cfg = common.load(config)
            store = common.open_store(cfg, stack, lock=False)
            moment = parse_when(now, cfg.tz) if now else common.now(cfg.tz)
        picture = compute(cfg, store, now=moment, week=chosen, language=lang)
        templates = cfg.briefing.templates
        if fmt == "html":
            text = weekly.render_html(picture, templates)
        else:
            text = weekly.render_text(picture, markdown=fmt == "markdown")
        if output is not None:
            write_atomic(output, text)
        else:
            typer.echo(text, nl=False)
        if csv_path is not None:
            write_atomic(csv_path, weekly.render_csv(picture))
        if xlsx_path is not None:
            write_atomic_bytes(xlsx_path, weekly.xlsx(picture))
        folder = site or (None if demo else cfg.site.dir)
        if folder is not None:
            from briefing.deliver.site import write_week

            written = write_week(picture, folder, template_dir=templates)
            typer.echo(f"{written[0]}", err=True)
