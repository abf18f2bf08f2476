"""Test hook for tests/test_crash.py: kill this process at a chosen point.

Put this folder on PYTHONPATH and set BRIEFING_TEST_KILL_AT; Python imports
`sitecustomize` at start-up, before `python -m briefing` runs, and this module
wraps the named function so the process sends itself SIGKILL (no cleanup, no
`finally`, no atexit: what a power cut or the OOM killer does) when it is
reached. Nothing in `briefing` knows about it.

    store       after every source was fetched, before the first batch is stored
    mid-store   inside the store's transaction, as the incidents are written: not committed
    render      while rendering the briefing (after it was judged and recorded)
    email       after storing and rendering, before the e-mail is made
    transmit    the e-mail is in the outbox, the SMTP connection not yet made
    ack-commit  `briefing ack`: the entry written inside its transaction, not committed
    ack-after   `briefing ack`: right after the entry was committed
"""

from __future__ import annotations

import functools
import os
import signal
from typing import Any

POINT = os.environ.get("BRIEFING_TEST_KILL_AT", "")


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _before(owner: Any, name: str) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _die()
        return original(*args, **kwargs)

    setattr(owner, name, wrapper)


def _after(owner: Any, name: str) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        _die()
        return result

    setattr(owner, name, wrapper)


def _kill_on_sql(prefix: str) -> None:
    from briefing import store

    _trace_connections(store, prefix)


def _trace_connections(store: Any, prefix: str) -> None:
    # The store's own, private, reference to its connect function: the one it calls.
    connect = store._connect

    def traced(path: Any) -> Any:
        conn = connect(path)

        def on_statement(sql: str) -> None:
            if sql.lstrip().upper().startswith(prefix):
                _die()

        conn.set_trace_callback(on_statement)
        return conn

    store._connect = traced


if POINT == "store":
    from briefing.store import Store

    _before(Store, "save_batch")
elif POINT == "mid-store":
    _kill_on_sql("INSERT INTO INCIDENTS")
elif POINT == "render":
    from briefing import render

    _before(render, "render")
elif POINT == "email":
    from briefing.deliver import mail

    _before(mail, "email_briefing")
elif POINT == "transmit":
    from briefing.deliver import mail

    _before(mail, "transmit")
elif POINT == "ack-commit":
    _kill_on_sql("COMMIT")
elif POINT == "ack-after":
    from briefing.store import Store

    _after(Store, "record_followup")
elif POINT:
    raise SystemExit(f"sitecustomize: unknown BRIEFING_TEST_KILL_AT={POINT!r}")
