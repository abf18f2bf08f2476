"""`briefing today`: make the briefing, then show it, write the site and e-mail it.

The library makes the Briefing (`pipeline.today`); this command renders and
delivers it, and only then records in the ledger that it was shown
(`pipeline.record_shown`): a run killed before that leaves its incidents new
for the next run (tests/test_crash.py).
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from briefing.cli import common
from briefing.cli.common import ConfigOpt, DebugOpt, ForceOpt, QuietOpt
from briefing.errors import DeliveryError, ExitStatus, UsageError

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from briefing.config import Config, EmailSection
    from briefing.models import Briefing
    from briefing.store import Store


def today(
    config: ConfigOpt = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="terminal, text, markdown, html or json.")
    ] = "terminal",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Start of the window (ISO 8601; local time without offset).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="End of the window (ISO 8601).")] = None,
    now: Annotated[
        str | None, typer.Option(help="Replay a past morning: pretend it is this time now.")
    ] = None,
    no_fetch: Annotated[
        bool, typer.Option("--no-fetch", help="Use stored incidents only; fetch nothing.")
    ] = False,
    lang: Annotated[str | None, typer.Option("--lang", help="sv (default) or en.")] = None,
    no_fuse: Annotated[
        bool,
        typer.Option("--no-fuse", help="Show every source's report apart, even of one event."),
    ] = False,
    quiet: QuietOpt = False,
    email: Annotated[
        bool, typer.Option("--email", help="Also e-mail it to the recipients in [email].")
    ] = False,
    force: ForceOpt = False,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Offline, on bundled recorded data, with a fixed clock. With --email, the "
            "[email] section and the outbox come from --config (or $BRIEFING_CONFIG).",
        ),
    ] = False,
    site: Annotated[
        Path | None,
        typer.Option("--site", help="Also write it into this intranet site folder ([site] dir)."),
    ] = None,
    debug: DebugOpt = False,
) -> None:
    """Fetch every source, store, and show the briefing for the night."""
    with common.errors(debug):
        from briefing.render import FORMATS

        common.check_choice("--format", fmt, FORMATS)
        if lang is not None:
            from briefing.i18n import LANGUAGES

            common.check_choice("--lang", lang, LANGUAGES)
        with ExitStack() as stack:
            home = common.load(config) if email or not demo else None  # the user's config
            outbox = common.open_store(home, stack) if home else None  # locked against others
            mail = common.email_settings(home) if email and home else None
            if demo:
                from briefing import demo as demo_data

                cfg, store, clock, start = demo_data.setup(stack)
                since = since or start.isoformat()
            else:
                assert home is not None and outbox is not None
                cfg, store, clock = home, outbox, None
            result = _make(
                cfg,
                store,
                stack,
                since,
                until,
                now or clock,
                no_fetch,
                lang,
                demo,
                not no_fuse,
                quiet=quiet,
            )
            from briefing import pipeline

            try:  # the ledger says it was shown only once it was
                _emit(result, fmt, output, quiet, cfg.briefing.templates)
                _publish_site(result, cfg, site or cfg.site.dir)
                if mail and outbox:  # last: the likeliest to fail must not stop the others
                    _email(result, mail, outbox, cfg, force=force, quiet=quiet)
            except DeliveryError:  # made, and shown or waiting in the outbox: it counts
                pipeline.record_shown(store, result)
                raise
            pipeline.record_shown(store, result)
        raise typer.Exit(ExitStatus.OK if result.healthy else ExitStatus.SOURCE_FAILED)


def _make(
    cfg: Config,
    store: Store,
    stack: ExitStack,
    since: str | None,
    until: str | None,
    now: str | None,
    no_fetch: bool,
    lang: str | None,
    demo: bool,
    fuse: bool = True,
    *,
    quiet: bool = False,
) -> Briefing:
    """The briefing from the library, the command line's times read in the config's zone;
    on a terminal, a line per source while the sources are fetched."""
    from briefing import pipeline
    from briefing.cli.progress import shown

    tz = cfg.tz
    wall = common.now(tz)
    moment = parse_when(now, tz, day_time=pipeline.MORNING) if now else wall
    with shown(quiet or no_fetch, lang or cfg.briefing.language) as progress:
        return pipeline.today(
            cfg,
            store,
            common.http(store, stack),
            now=moment,
            wall=wall,
            since=parse_when(since, tz) if since else None,
            until=parse_when(until, tz, day_end=True) if until else None,
            fetch=not no_fetch,
            replay=now is not None,
            language=lang,
            demo=demo,
            fuse_reports=fuse,
            progress=progress,
        )


def _emit(
    result: Briefing, fmt: str, output: Path | None, quiet: bool, templates: Path | None
) -> None:
    from briefing import render

    if output is not None:
        from briefing.deliver.files import write_atomic

        if fmt == "json":  # written incident by incident: a long replay is never held whole
            write_atomic(output, render.json_chunks(result))
        else:
            write_atomic(output, render.render(result, fmt, template_dir=templates))
        if quiet:
            common.warn_failed(result.sources)
    elif quiet:
        common.warn_failed(result.sources)
        return
    elif fmt == "terminal" and sys.stdout.isatty():
        render.print_terminal(result, common.console())
    elif fmt == "terminal":  # a pipe or cron: plain lines, no padding, no escape codes
        sys.stdout.write(render.terminal.render_terminal(result, _plain_width()))
    else:
        sys.stdout.write(render.render(result, fmt, template_dir=templates))


def _plain_width() -> int:
    """COLUMNS when it is set to a sensible width, else 100 (see console.make_console)."""
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and 40 <= int(columns) <= 500 else 100


def _publish_site(result: Briefing, cfg: Config, folder: Path | None) -> None:
    """Write the intranet site; a failure raises DeliveryError (exit 4) after the briefing."""
    if folder is not None:
        from briefing.deliver import site

        site.publish(result, cfg, folder)


def _email(
    result: Briefing, settings: EmailSection, store: Store, cfg: Config, *, force: bool, quiet: bool
) -> None:
    from briefing.deliver import mail

    note = mail.email_briefing(
        result,
        settings,
        store,
        now=common.now(cfg.tz),
        force=force,
        template_dir=cfg.briefing.templates,
    )
    if not quiet:
        typer.echo(note, err=True)  # stdout carries the briefing itself


def parse_when(
    value: str, tz: ZoneInfo, *, day_end: bool = False, day_time: time = time(0)
) -> datetime:
    """An ISO 8601 date or date-time from the command line; local time when no offset is given.

    A date alone means `day_time` on that day, or the end of the day (the
    next midnight) when `day_end` is set, so `--until 2024-12-31` includes
    the 31st.
    """
    text = value.strip()
    try:
        if len(text) == 10:
            day = datetime.strptime(text, "%Y-%m-%d").date()
            if day_end:
                return datetime.combine(day + timedelta(days=1), time(0), tz)
            return datetime.combine(day, day_time, tz)
        return localize(datetime.fromisoformat(text), tz)
    except ValueError as exc:
        raise UsageError(
            f"{value!r} is not an ISO 8601 date or date-time",
            "write e.g. 2026-11-27 or 2026-11-27T08:30 (local time) or 2026-11-27T07:30:00+00:00",
        ) from exc


def localize(value: datetime, tz: ZoneInfo) -> datetime:
    """A naive date-time is local time in `tz`; an aware one keeps its offset."""
    return value.replace(tzinfo=tz) if value.tzinfo is None else value
