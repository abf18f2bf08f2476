"""`briefing send`: e-mail what waits in the outbox."""

from __future__ import annotations

from contextlib import ExitStack

import typer

from briefing.cli import common
from briefing.cli.common import ConfigOpt, DebugOpt, ForceOpt, QuietOpt


def send(
    config: ConfigOpt = None,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """E-mail what waits in the outbox (a failed send); --force resends the latest briefing."""
    with common.errors(debug), ExitStack() as stack:
        from briefing.deliver import mail

        cfg = common.load(config)
        settings = common.email_settings(cfg)
        store = common.open_store(cfg, stack)
        lang = cfg.briefing.language
        notes = mail.send_outbox(settings, store, now=common.now(cfg.tz), lang=lang, force=force)
        if not quiet:
            typer.echo("\n".join(notes))
