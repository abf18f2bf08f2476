"""What every command shares: its options, the config and the store, and errors as exit codes.

This is the one place where errors become messages and exit codes (see
`briefing.errors.ExitStatus`). Nothing heavy is imported at module level, so
that `briefing --help` starts fast (bench/startup.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from briefing.errors import BriefingError, ConfigError, ExitStatus, UsageError
from briefing.redact import credential_warnings, redact

if TYPE_CHECKING:
    from rich.console import Console

    from briefing.config import Config, EmailSection
    from briefing.models import SourceReport
    from briefing.sources.http import HttpClient
    from briefing.store import Store

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


@contextmanager
def errors(debug: bool) -> Iterator[None]:
    """Turns every error into a message on stderr and a documented exit code."""
    try:
        yield
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except BriefingError as exc:
        if debug:
            raise
        fail(exc)
    except Exception as exc:
        if debug:
            raise
        text = redact(str(exc))
        typer.echo(f"briefing: unexpected error: {type(exc).__name__}: {text}", err=True)
        typer.echo("Run again with --debug to see the traceback.", err=True)
        raise typer.Exit(ExitStatus.UNEXPECTED) from None


def fail(exc: BriefingError) -> NoReturn:
    if isinstance(exc, ConfigError):
        typer.echo("briefing: configuration error:", err=True)
        for problem in exc.problems:
            typer.echo(f"  {problem}", err=True)
    else:
        typer.echo(f"briefing: {exc.message}", err=True)
    if exc.hint:
        typer.echo(f"hint: {exc.hint}", err=True)
    raise typer.Exit(exc.exit_status)


def load_if_any(path: Path | None) -> Config | None:
    """The config given or found (./sources.toml, $BRIEFING_CONFIG); None: the bundled defaults."""
    from briefing import config

    try:
        config.find(path)
    except ConfigError:
        return None
    return load(path)


def check_choice(option: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise UsageError(f"{option} {value!r}: choose one of {', '.join(choices)}")


def load(path: Path | None) -> Config:
    from briefing import config
    from briefing.sources.base import password_variable

    loaded = config.load(config.find(path))
    if (risk := config.exposure(loaded)) is not None:
        typer.echo(f"briefing: warning: {risk}", err=True)
    for warning in credential_warnings(loaded.path, loaded.sources, password_variable):
        typer.echo(f"briefing: warning: {warning}", err=True)
    return loaded


def open_store(cfg: Config, stack: ExitStack, *, lock: bool = True) -> Store:
    """The store; with `lock`, held for this run alone (another run → exit 5, see lock.py)."""
    from briefing.deliver.lock import exclusive
    from briefing.store import Store, default_path

    path = cfg.store.path or default_path()
    if lock:
        stack.enter_context(exclusive(path))
    return stack.enter_context(Store(path))


def email_settings(cfg: Config) -> EmailSection:
    if cfg.email is None:
        raise ConfigError(
            [f"{cfg.path}: no [email] section"],
            "add [email] with host, from and to (README: E-mail and cron)",
        )
    return cfg.email


def warn_failed(reports: Iterable[SourceReport]) -> None:
    """With --quiet, the one thing still said: which sources failed (cron mails it)."""
    from briefing.render.health import failure_lines

    for line in failure_lines(reports):
        typer.echo(line, err=True)


def http(store: Store, stack: ExitStack) -> HttpClient:
    from briefing.sources.http import HttpClient

    return stack.enter_context(HttpClient(call_log=store))


def now(tz: tzinfo) -> datetime:
    return datetime.now(tz)


def console() -> Console:
    from briefing.render.console import make_console

    return make_console()
