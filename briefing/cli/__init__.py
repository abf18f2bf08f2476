"""The command line: thin typer commands over `briefing.pipeline`, one module per group.

- `today`: make the briefing, show it, write the site, e-mail it (briefing.cli.today);
- `send`: e-mail what waits in the outbox (briefing.cli.send);
- `ack`, `log`: the follow-up log (briefing.cli.followup);
- `notify`: messages to an incident's stakeholders (briefing.cli.notify);
- `week`: the week's picture for the EST meeting (briefing.cli.week);
- `fetch`, `sources`, `sources check`: the sources (briefing.cli.sources);
- `store check` (briefing.cli.store); `eval` (briefing.cli.evaluate);
- `init KOMMUN`: a sources.toml for any municipality (briefing.cli.init);
- `places suggest`: a gazetteer to start from (briefing.cli.places).

Errors become messages and exit codes in briefing.cli.common only. Heavy
modules are imported inside the commands so that `briefing --help` starts fast.
"""

from __future__ import annotations

from briefing.cli import (
    evaluate,
    followup,
    init,
    notify,
    places,
    send,
    sources,
    store,
    today,
    week,
)
from briefing.cli.app import app

__all__ = ["app", "main"]

# In the order --help lists them.
app.command()(today.today)
app.command()(send.send)
app.command()(followup.ack)
app.command()(followup.log)
app.command()(notify.notify)
app.command()(week.week)
app.command()(sources.fetch)
app.add_typer(sources.sources_app, name="sources")
app.add_typer(store.store_app, name="store")
app.command("eval")(evaluate.eval_labels)
app.command()(init.init)
app.add_typer(places.places_app, name="places")


def main() -> None:
    app()
