"""The command line: thin typer commands over `briefing.pipeline`.

This is the one place where errors become messages and exit codes (see
`briefing.errors.ExitStatus`). Heavy modules are imported inside the commands
so that `briefing --help` starts fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from briefing import __version__
from briefing.errors import BriefingError, ConfigError, ExitStatus, UsageError
from briefing.redact import credential_warnings, redact

if TYPE_CHECKING:
    from rich.console import Console

    from briefing.config import Config, EmailSection
    from briefing.models import Briefing, SourceReport
    from briefing.sources.http import HttpClient
    from briefing.store import Store

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

FORMATS = ("terminal", "text", "markdown", "html", "json")

ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Config file. Default: ./sources.toml, then $BRIEFING_CONFIG.",
        dir_okay=False,
    ),
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks.")]
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="Print nothing on success; problems go to stderr.")
]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="E-mail even if this morning's briefing was sent already.")
]


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


@app.command()
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
    with _errors(debug):
        _check_choice("--format", fmt, FORMATS)
        if lang is not None:
            from briefing.i18n import LANGUAGES

            _check_choice("--lang", lang, LANGUAGES)
        with ExitStack() as stack:
            home = _load(config) if email or not demo else None  # the user's config
            outbox = _open_store(home, stack) if home else None  # locked against other runs
            mail = _email_settings(home) if email and home else None
            if demo:
                from briefing import demo as demo_data

                cfg, store, clock, start = demo_data.setup(stack)
                since = since or start.isoformat()
            else:
                assert home is not None and outbox is not None
                cfg, store, clock = home, outbox, None

            def deliver(result: Briefing) -> None:  # before the ledger says it was shown
                _emit(result, fmt, output, quiet, cfg.briefing.templates)
                _publish_site(result, cfg, site or cfg.site.dir)
                if mail and outbox:  # last: the likeliest to fail must not stop the others
                    _email(result, mail, outbox, cfg, force=force, quiet=quiet)

            result = _run_today(
                cfg, store, stack, since, until, now or clock, no_fetch, lang, demo, not no_fuse,
                deliver,
            )  # fmt: skip
        raise typer.Exit(ExitStatus.OK if result.healthy else ExitStatus.SOURCE_FAILED)


def _run_today(
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
    deliver: Callable[[Briefing], None] | None = None,
) -> Briefing:
    from briefing import pipeline

    tz = cfg.tz
    wall = _now(tz)
    moment = pipeline.parse_when(now, tz, day_time=pipeline.MORNING) if now else wall
    return pipeline.today(
        cfg,
        store,
        _http(store, stack),
        now=moment,
        wall=wall,
        since=pipeline.parse_when(since, tz) if since else None,
        until=pipeline.parse_when(until, tz, day_end=True) if until else None,
        fetch=not no_fetch,
        replay=now is not None,
        language=lang,
        demo=demo,
        fuse_reports=fuse,
        deliver=deliver,
    )


@app.command()
def send(
    config: ConfigOpt = None,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """E-mail what waits in the outbox (a failed send); --force resends the latest briefing."""
    with _errors(debug), ExitStack() as stack:
        from briefing.deliver import mail

        cfg = _load(config)
        settings = _email_settings(cfg)
        store = _open_store(cfg, stack)
        lang = cfg.briefing.language
        notes = mail.send_outbox(settings, store, now=_now(cfg.tz), lang=lang, force=force)
        if not quiet:
            typer.echo("\n".join(notes))


@app.command()
def fetch(config: ConfigOpt = None, quiet: QuietOpt = False, debug: DebugOpt = False) -> None:
    """Fetch and store every source; show nothing but how each source fared."""
    with _errors(debug), ExitStack() as stack:
        from briefing import pipeline
        from briefing.judge import health
        from briefing.render.terminal import print_sources

        cfg = _load(config)
        store = _open_store(cfg, stack)
        now = _now(cfg.tz)
        reports = pipeline.fetch_all(cfg, store, _http(store, stack), now)
        reports = health.assess(cfg, store, reports, now)
        if quiet:
            _warn_failed(reports)
        else:
            print_sources(reports, cfg.briefing.language, _console())
        healthy = all(report.ok for report in reports)
    raise typer.Exit(ExitStatus.OK if healthy else ExitStatus.SOURCE_FAILED)


sources_app = typer.Typer(
    help="Each configured source: kind, origin, last success, last error. "
    "`briefing sources check` tests every source now.",
    rich_markup_mode=None,
)
app.add_typer(sources_app, name="sources")
store_app = typer.Typer(help="The SQLite store.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(store_app, name="store")


@sources_app.callback(invoke_without_command=True)
def list_sources(ctx: typer.Context, config: ConfigOpt = None, debug: DebugOpt = False) -> None:
    """Each configured source: kind, origin, last success, last error, counts."""
    if ctx.invoked_subcommand is not None:
        return
    with _errors(debug), ExitStack() as stack:
        from rich.table import Table
        from rich.text import Text

        from briefing import pipeline

        cfg = _load(config)
        store = _open_store(cfg, stack, lock=False)  # only reads: never blocked by a cron run
        columns = ("source", "kind", "origin", "where", "last success", "failures", "problems")
        table = Table(*columns, "last error")
        for adapter in pipeline.build_sources(cfg):
            health = store.health(adapter.name)
            settings = adapter.settings
            last = health.last_success.astimezone(cfg.tz) if health.last_success else None
            table.add_row(
                Text(adapter.label),
                adapter.kind,
                adapter.origin.value,
                Text(redact(str(settings.url or settings.path))),
                f"{last:%Y-%m-%d %H:%M}" if last else "never",
                str(health.consecutive_failures),
                str(health.last_problems),  # records the last fetch could not read
                Text(health.last_error or ""),
            )
        _console().print(table)


@sources_app.command("check")
def check_sources(config: ConfigOpt = None, debug: DebugOpt = False) -> None:
    """Test every source now (a URL that answered 404 too) and show a table; 3 if any failed."""
    with _errors(debug), ExitStack() as stack:
        from briefing import pipeline
        from briefing.judge import health

        cfg = _load(config)
        store = _open_store(cfg, stack)
        now = _now(cfg.tz)
        reports = pipeline.fetch_all(cfg, store, _http(store, stack), now, recheck=True)
        reports = health.assess(cfg, store, reports, now)
        _console().print(health.check_table(reports, cfg.tz, now))
        healthy = all(report.ok for report in reports)
    raise typer.Exit(ExitStatus.OK if healthy else ExitStatus.SOURCE_FAILED)


@store_app.command("check")
def check_store(config: ConfigOpt = None, debug: DebugOpt = False) -> None:
    """SQLite's integrity check of the store: 0 when it is sound, 6 when it is damaged."""
    with _errors(debug):
        from briefing.judge.health import store_problems
        from briefing.store import default_path

        path = _load(config).store.path or default_path()
        problems = store_problems(path)
        for problem in problems:
            typer.echo(f"briefing: store {path}: {problem}", err=True)
        if not problems:
            typer.echo(f"store {path}: ok" if path.exists() else f"store {path}: not made yet")
    raise typer.Exit(ExitStatus.DAMAGED if problems else ExitStatus.OK)


@app.command("eval")
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
    with _errors(debug):
        from briefing.evaluate.measure import evaluate

        report = evaluate(labels, events, details, config=_load_if_any(config))
        typer.echo(str(report))
        for line in report.disagreements() if disagreements else ():
            typer.echo(line)


def _load_if_any(path: Path | None) -> Config | None:
    """The config given or found (./sources.toml, $BRIEFING_CONFIG); None: the bundled defaults."""
    from briefing import config

    try:
        config.find(path)
    except ConfigError:
        return None
    return _load(path)


def _check_choice(option: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise UsageError(f"{option} {value!r}: choose one of {', '.join(choices)}")


def _load(path: Path | None) -> Config:
    from briefing import config

    loaded = config.load(config.find(path))
    if (risk := config.exposure(loaded)) is not None:
        typer.echo(f"briefing: warning: {risk}", err=True)
    for warning in credential_warnings(loaded.path, loaded.sources):
        typer.echo(f"briefing: warning: {warning}", err=True)
    return loaded


def _open_store(cfg: Config, stack: ExitStack, *, lock: bool = True) -> Store:
    """The store; with `lock`, held for this run alone (another run → exit 5, see lock.py)."""
    from briefing.deliver.lock import exclusive
    from briefing.store import Store, default_path

    path = cfg.store.path or default_path()
    if lock:
        stack.enter_context(exclusive(path))
    return stack.enter_context(Store(path))


def _email_settings(cfg: Config) -> EmailSection:
    if cfg.email is None:
        raise ConfigError(
            [f"{cfg.path}: no [email] section"],
            "add [email] with host, from and to (README: E-mail and cron)",
        )
    return cfg.email


def _email(
    result: Briefing, settings: EmailSection, store: Store, cfg: Config, *, force: bool, quiet: bool
) -> None:
    from briefing.deliver import mail

    note = mail.email_briefing(
        result, settings, store, now=_now(cfg.tz), force=force, template_dir=cfg.briefing.templates
    )
    if not quiet:
        typer.echo(note, err=True)  # stdout carries the briefing itself


def _warn_failed(reports: Iterable[SourceReport]) -> None:
    """With --quiet, the one thing still said: which sources failed (cron mails it)."""
    from briefing.models import clean_text

    for report in reports:
        if not report.ok:
            name = clean_text(report.label or report.name, single_line=True)
            error = clean_text(report.error or "", single_line=True)
            typer.echo(f"briefing: source {name}: {report.status}: {error}".rstrip(": "), err=True)


def _http(store: Store, stack: ExitStack) -> HttpClient:
    from briefing.sources.http import HttpClient

    return stack.enter_context(HttpClient(call_log=store))


def _now(tz: tzinfo) -> datetime:
    return datetime.now(tz)


def _console() -> Console:
    from briefing.render.console import make_console

    return make_console()


def _emit(
    result: Briefing, fmt: str, output: Path | None, quiet: bool, templates: Path | None
) -> None:
    from briefing import render

    if output is not None:
        from briefing.deliver.files import write_atomic

        if fmt == "json":  # written incident by incident: a long replay is never held whole
            render.write_json(result, output)
        else:
            write_atomic(output, render.render(result, fmt, template_dir=templates))
        if quiet:
            _warn_failed(result.sources)
    elif quiet:
        _warn_failed(result.sources)
        return
    elif fmt == "terminal" and sys.stdout.isatty():
        render.print_terminal(result, _console())
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


@contextmanager
def _errors(debug: bool) -> Iterator[None]:
    """Turns every error into a message on stderr and a documented exit code."""
    try:
        yield
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except BriefingError as exc:
        if debug:
            raise
        _fail(exc)
    except Exception as exc:
        if debug:
            raise
        text = redact(str(exc))
        typer.echo(f"briefing: unexpected error: {type(exc).__name__}: {text}", err=True)
        typer.echo("Run again with --debug to see the traceback.", err=True)
        raise typer.Exit(ExitStatus.UNEXPECTED) from None


def _fail(exc: BriefingError) -> NoReturn:
    if isinstance(exc, ConfigError):
        typer.echo("briefing: configuration error:", err=True)
        for problem in exc.problems:
            typer.echo(f"  {problem}", err=True)
    else:
        typer.echo(f"briefing: {exc.message}", err=True)
    if exc.hint:
        typer.echo(f"hint: {exc.hint}", err=True)
    raise typer.Exit(exc.exit_status)


def main() -> None:
    app()
