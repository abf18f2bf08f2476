"""`briefing ack` and `briefing log`: the follow-up log, what was done after the briefing."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import timedelta
from typing import Annotated

import typer

from briefing.cli import common
from briefing.cli.common import ConfigOpt, DebugOpt

ByOpt = Annotated[
    str | None, typer.Option("--by", help="Who did it (default: the logged-in user).")
]


def who(by: str | None) -> str:
    """`--by`, else the OS user."""
    import getpass

    from briefing.models import clean_text

    name = clean_text(by, single_line=True) if by else ""
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "?"


def ack(
    incident_id: Annotated[str, typer.Argument(metavar="ID", help="The incident's id.")],
    note: Annotated[str | None, typer.Option("--note", help="What was done or found.")] = None,
    informed: Annotated[
        list[str] | None,
        typer.Option("--informed", help="Whom you informed (repeat for several)."),
    ] = None,
    done: Annotated[bool, typer.Option("--done", help="Close it: nothing more to do.")] = False,
    by: ByOpt = None,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Note what was done about an incident (one entry in the follow-up log)."""
    with common.errors(debug), ExitStack() as stack:
        from briefing.errors import UsageError
        from briefing.i18n import t
        from briefing.models import LogEntry, clean_text, mask_personnummer
        from briefing.render import followup
        from briefing.store.followups import stored_id

        cfg = common.load(config)
        lang = cfg.briefing.language
        store = common.open_store(cfg, stack, lock=False)
        target = clean_text(incident_id, single_line=True)
        if not store.history(stored_id(target)):
            raise UsageError(t(lang, "ack.unknown", id=target), t(lang, "ack.hint"))
        cleaned = (mask_personnummer(clean_text(x, single_line=True)) for x in informed or ())
        names = [name for name in cleaned if name]
        entry = LogEntry(
            at=common.now(cfg.tz),
            by=who(by),
            note=mask_personnummer(clean_text(note or "", single_line=True)),
            informed=tuple(names),
            done=done,
        )
        store.record_followup(
            target, at=entry.at, by=entry.by, note=entry.note, informed=names, done=done
        )
        line = followup.entry_line(lang, entry, cfg.tz).split(": ", 1)[1]
        typer.echo(t(lang, "ack.saved", id=target, what=line))


def log(
    week: Annotated[
        bool, typer.Option("--week", help="Everything noted in the last 7 days.")
    ] = False,
    every: Annotated[bool, typer.Option("--all", help="Every item, open or done.")] = False,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """The follow-up log: open items, oldest first (--week: the last 7 days; --all)."""
    with common.errors(debug), ExitStack() as stack:
        from briefing.i18n import t
        from briefing.render import followup
        from briefing.store.followups import described

        cfg = common.load(config)
        lang, zone = cfg.briefing.language, cfg.tz
        store = common.open_store(cfg, stack, lock=False)
        now = common.now(zone)
        since = now - timedelta(days=7) if week else None
        items = store.followup_log(since=since, open_only=not (week or every))
        if not items:
            typer.echo(t(lang, "log.none_open" if not (week or every) else "log.empty"))
            return
        for item in items:
            item = described(store, item)
            mark = (
                t(lang, "followup.handled")
                if item.done
                else t(lang, "followup.since", time=followup.when(lang, item.entries[0].at, zone))
            )
            head = f"{item.incident_id}  {mark}"
            if item.title:
                head += f"  {item.title}"
            typer.echo(head)
            for entry in item.entries:
                typer.echo(f"    {followup.entry_line(lang, entry, zone)}")
