"""The sources: `briefing fetch`, `briefing sources` and `briefing sources check`."""

from __future__ import annotations

from contextlib import ExitStack

import typer

from briefing.cli import common
from briefing.cli.common import ConfigOpt, DebugOpt, QuietOpt
from briefing.errors import ExitStatus

sources_app = typer.Typer(
    help="Each configured source: kind, origin, last success, last error. "
    "`briefing sources check` tests every source now.",
    rich_markup_mode=None,
)


def fetch(config: ConfigOpt = None, quiet: QuietOpt = False, debug: DebugOpt = False) -> None:
    """Fetch and store every source; show nothing but how each source fared.

    Run from cron in the evening and night (README: E-mail and cron): nobody waits
    for it, so it reads more event pages a run (`details_per_fetch`).
    """
    with common.errors(debug), ExitStack() as stack:
        from briefing import pipeline
        from briefing.cli.progress import shown
        from briefing.judge import health
        from briefing.render.terminal import print_sources

        cfg = common.load(config)
        store = common.open_store(cfg, stack)
        now = common.now(cfg.tz)
        http = common.http(store, stack)
        with shown(quiet, cfg.briefing.language) as progress:
            reports = pipeline.fetch_all(cfg, store, http, now, progress=progress, unattended=True)
        reports = health.assess(cfg, store, reports, now)
        if quiet:
            common.warn_failed(reports)
        else:
            print_sources(reports, cfg.briefing.language, common.console())
        healthy = all(report.ok for report in reports)
    raise typer.Exit(ExitStatus.OK if healthy else ExitStatus.SOURCE_FAILED)


@sources_app.callback(invoke_without_command=True)
def list_sources(ctx: typer.Context, config: ConfigOpt = None, debug: DebugOpt = False) -> None:
    """Each configured source: kind, origin, last success, last error, counts."""
    if ctx.invoked_subcommand is not None:
        return
    with common.errors(debug), ExitStack() as stack:
        from briefing import pipeline
        from briefing.render.health import health_table

        cfg = common.load(config)
        store = common.open_store(cfg, stack, lock=False)  # only reads: never blocked by cron
        sources = [(adapter, store.health(adapter.name)) for adapter in pipeline.build_sources(cfg)]
        common.console().print(health_table(sources, cfg.tz))


@sources_app.command("check")
def check_sources(config: ConfigOpt = None, debug: DebugOpt = False) -> None:
    """Test every source now (a URL that answered 404 too) and show a table; 3 if any failed."""
    with common.errors(debug), ExitStack() as stack:
        from briefing import pipeline
        from briefing.judge import health
        from briefing.render.health import check_table

        cfg = common.load(config)
        store = common.open_store(cfg, stack)
        now = common.now(cfg.tz)
        reports = pipeline.fetch_all(cfg, store, common.http(store, stack), now, recheck=True)
        reports = health.assess(cfg, store, reports, now)
        common.console().print(check_table(reports, cfg.tz, now))
        healthy = all(report.ok for report in reports)
    raise typer.Exit(ExitStatus.OK if healthy else ExitStatus.SOURCE_FAILED)
