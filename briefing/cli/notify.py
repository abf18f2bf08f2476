"""`briefing notify`: the messages to an incident's stakeholders, drafted, written or sent."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer

from briefing.cli import common
from briefing.cli.common import ConfigOpt, DebugOpt
from briefing.cli.followup import ByOpt, who


def notify(
    incident_id: Annotated[str, typer.Argument(metavar="ID", help="The incident's id.")],
    to: Annotated[
        list[str] | None,
        typer.Option("--to", help="Only this stakeholder (repeat for several)."),
    ] = None,
    send: Annotated[
        bool, typer.Option("--send", help="Send through the [email] SMTP settings.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Send even to whom it was sent already.")
    ] = False,
    eml: Annotated[
        Path | None,
        typer.Option(
            "--eml", help="Write the drafts as .eml files into this folder.", file_okay=False
        ),
    ] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="sv (default) or en.")] = None,
    by: ByOpt = None,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Draft the message to each suggested stakeholder with an e-mail address; --send sends."""
    with common.errors(debug), ExitStack() as stack:
        from briefing.deliver import notify as messages
        from briefing.i18n import LANGUAGES, t
        from briefing.models import clean_text

        if lang is not None:
            common.check_choice("--lang", lang, LANGUAGES)
        cfg = common.load(config)
        language = lang or cfg.briefing.language
        store = common.open_store(cfg, stack, lock=False)
        target = clean_text(incident_id, single_line=True)
        found = messages.item(cfg, store, target, language)
        notes = messages.drafts(cfg, found, language, to or ())
        now = common.now(cfg.tz)
        if send:
            settings = common.email_settings(cfg)
            outcomes = messages.send(
                notes, target, settings, store, now=now, by=who(by), lang=language, force=force
            )
            typer.echo("\n".join(outcome.note for outcome in outcomes))
        elif eml is not None:
            sender = cfg.email.sender if cfg.email else None
            paths = messages.write_eml(notes, eml, target, now=now, lang=language, sender=sender)
            typer.echo("\n".join(t(language, "notify.written", path=path) for path in paths))
        else:
            typer.echo("\n\n".join(messages.shown(note, language) for note in notes), nl=False)
