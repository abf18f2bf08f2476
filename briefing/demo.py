"""`briefing today --demo`: the whole pipeline, offline, on bundled recorded data.

The police data is a real response of the police events API, recorded on
8 June 2023 at 08:44 (see briefing/data/demo/README.md). The guard and rescue
reports are invented examples, marked as such. The clock is fixed at the
moment the police data was recorded, and the store is a temporary one, so the
demo never touches the user's own store.
"""

from __future__ import annotations

import tempfile
from contextlib import ExitStack
from datetime import datetime
from importlib.resources import files
from pathlib import Path
from zoneinfo import ZoneInfo

from briefing import config
from briefing.store import Store

TZ = ZoneInfo("Europe/Stockholm")
NOW = datetime(2023, 6, 8, 8, 44, tzinfo=TZ)
# The chief's last briefing was the morning before.
SINCE = datetime(2023, 6, 7, 7, 30, tzinfo=TZ)


def folder() -> Path:
    return Path(str(files("briefing.data").joinpath("demo")))


def setup(stack: ExitStack) -> tuple[config.Config, Store, str, datetime]:
    """The demo config, a temporary store (removed when `stack` closes), the clock and the start."""
    cfg = config.load(folder() / "sources.toml")
    tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="briefing-demo-")))
    store = stack.enter_context(Store(tmp / "demo.sqlite3"))
    return cfg, store, NOW.isoformat(), SINCE
