"""The CLI on a config of two sources: one under test, one a recorded file that must survive.

Every fault, malformed record and hostile string is run through `briefing today`
like this, so each test sees the briefing, the source statuses and the exit
code the security chief (or cron) would see. The configs come from tests/builders.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from briefing.cli import app

# The recorded events are from 2023 to 2026: a window that holds them all.
WINDOW = ("--since", "2023-01-01", "--until", "2026-12-31")

runner = CliRunner()


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def doc(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(self.stdout)
        return document

    def source(self, name: str) -> dict[str, Any]:
        found: dict[str, Any] = next(s for s in self.doc["sources"] if s["name"] == name)
        return found

    def ids(self, source: str) -> set[str]:
        prefix = f"{source}:"
        return {i["id"] for i in self.doc["incidents"] if i["id"].startswith(prefix)}


def run(cfg: Path, *args: str, fmt: str = "json", window: bool = True) -> Run:
    argv = ["today", "--config", str(cfg), "--format", fmt, *(WINDOW if window else ()), *args]
    result = runner.invoke(app, argv)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result.exit_code, result.stdout, result.stderr)
