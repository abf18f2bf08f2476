"""The follow-up log through the command line: `briefing ack`, `briefing log`, and what
the next morning's briefing shows of it; a SIGKILL during `ack` loses nothing."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.demo import folder
from briefing.store import Store
from tests.schema_check import validate

ROOT = Path(__file__).resolve().parent.parent
HOOK = Path(__file__).resolve().parent / "crashhook"
SCHEMA = json.loads((ROOT / "briefing" / "data" / "schema-1.json").read_text("utf-8"))
FIRE = "raddningstjanst:204e35664392993d08801f0f"  # the demo's lägenhetsbrand in Kallhäll
MORNING = ("--now", "2023-06-08T08:44", "--since", "2023-06-07T07:30")
NEXT_MORNING = ("--now", "2023-06-09T08:30", "--no-fetch")

runner = CliRunner()


def demo_config(tmp_path: Path, extra: str = "") -> Path:
    """The demo's sources and registry, with a store of the test's own."""
    text = (folder() / "sources.toml").read_text("utf-8")
    text = re.sub(r'(?m)^path = "([^"/]+)"', lambda m: f'path = "{folder() / m.group(1)}"', text)
    text += f'\n[store]\npath = "{tmp_path / "store.sqlite3"}"\n{extra}'
    path = tmp_path / "sources.toml"
    path.write_text(text, "utf-8")
    return path


def cli(cfg: Path, *args: str) -> str:
    result = runner.invoke(app, [*args, "--config", str(cfg)])
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout


def briefing_json(cfg: Path, *args: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(cli(cfg, "today", "-f", "json", *args))
    validate(doc, SCHEMA)
    return doc


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    path = demo_config(tmp_path)
    cli(path, "today", "-f", "json", *MORNING)
    return path


def test_ack_shows_on_the_next_morning_and_done_closes_it(cfg: Path) -> None:
    noted = ("--note", "Ringde bovärden", "--informed", "Exempelbostäder Kallhäll", "--by", "anna")
    out = cli(cfg, "ack", FIRE, *noted)
    assert FIRE in out and "Ringde bovärden" in out

    same = briefing_json(cfg, *MORNING)
    fire = next(i for i in same["incidents"] if i["id"] == FIRE)
    assert fire["followup"]["state"] == "open"
    assert fire["followup"]["informed"] == ["Exempelbostäder Kallhäll"]
    assert fire["followup"]["entries"][0]["by"] == "anna"

    text = cli(cfg, "today", "-f", "text", *NEXT_MORNING)
    section = text.split("UPPFÖLJNING FRÅN TIDIGARE MORGNAR", 1)[1].split("\n\n", 2)[1]
    assert (
        FIRE in section and "Ringde bovärden" in section and "Exempelbostäder Kallhäll" in section
    )
    nxt = briefing_json(cfg, *NEXT_MORNING)
    assert [f["incident"] for f in nxt["followups"]] == [FIRE]
    assert nxt["followups"][0]["title"] == "Lägenhetsbrand, Kallhäll"

    log = cli(cfg, "log")
    assert log.splitlines()[0].startswith(FIRE) and "anna" in log

    cli(cfg, "ack", FIRE, "--done", "--by", "bo")
    assert FIRE not in cli(cfg, "log")
    assert FIRE in cli(cfg, "log", "--all") and "HANTERAD" in cli(cfg, "log", "--all")
    assert (
        "followups" not in briefing_json(cfg, *NEXT_MORNING)
        or not briefing_json(cfg, *NEXT_MORNING)["followups"]
    )
    handled = briefing_json(cfg, *MORNING)
    assert (
        next(i for i in handled["incidents"] if i["id"] == FIRE)["followup"]["state"] == "handled"
    )
    page = cli(cfg, "today", "-f", "html", *MORNING)
    assert 'class="handled"' in page and "<script" not in page


def test_ack_by_defaults_to_the_os_user(cfg: Path) -> None:
    import getpass

    cli(cfg, "ack", FIRE, "--note", "sett")
    with Store(cfg.parent / "store.sqlite3") as store:
        entry = store.followups([FIRE])[FIRE].entries[0]
    assert entry.by == getpass.getuser() and entry.note == "sett"


def test_ack_of_an_unknown_id_is_a_clear_error(cfg: Path) -> None:
    result = runner.invoke(app, ["ack", "polisen:0", "--config", str(cfg)])
    assert result.exit_code != 0
    assert "polisen:0" in result.stderr and "Traceback" not in result.stderr


def test_log_week_lists_what_was_noted(cfg: Path) -> None:
    assert "Inga öppna" in cli(cfg, "log")
    cli(cfg, "ack", FIRE, "--done", "--note", "klart direkt")
    assert "klart direkt" in cli(cfg, "log", "--week")
    assert "Inga öppna" in cli(cfg, "log")


def _ack_process(cfg: Path, kill_at: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": f"{HOOK}{os.pathsep}{ROOT}",
        "BRIEFING_TEST_KILL_AT": kill_at,
    }
    argv = [sys.executable, "-m", "briefing", "ack", FIRE, "--note", "n", "--config", str(cfg)]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_sigkill_during_ack_leaves_all_or_nothing(cfg: Path) -> None:
    killed = _ack_process(cfg, "ack-commit")  # inside the transaction, before COMMIT
    assert killed.returncode == -9, killed.stderr
    with Store(cfg.parent / "store.sqlite3") as store:
        assert store.check() == []
        assert store.followups([FIRE]) == {}
    after = _ack_process(cfg, "ack-after")  # killed as soon as the entry was written
    assert after.returncode == -9, after.stderr
    with Store(cfg.parent / "store.sqlite3") as store:
        assert len(store.followups([FIRE])[FIRE].entries) == 1
    assert FIRE in cli(cfg, "log")
