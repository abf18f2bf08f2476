"""Running from cron or a systemd timer: quiet, plain, one run at a time, atomic files,
and the README's crontab and systemd units checked as text."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from briefing.cli import app
from briefing.deliver import lock
from briefing.errors import ExitStatus, StoreError
from tests.smtp_server import free_port

ROOT = Path(__file__).resolve().parent.parent
COLOUR_ENV = {"FORCE_COLOR": "1", "PY_COLORS": "1", "CLICOLOR_FORCE": "1", "TERM": "xterm-256color"}
runner = CliRunner()


def write_config(tmp_path: Path, *, failing_source: bool = False) -> Path:
    """A config with one CSV source on an empty folder (healthy, fetches nothing), and
    optionally a police source on a closed port (fails at once: connection refused)."""
    (tmp_path / "drops").mkdir(exist_ok=True)
    failing = (
        f'[sources.polisen]\nkind = "polisen"\norigin = "police"\nlabel = "Polisen"\n'
        f'url = "http://127.0.0.1:{free_port()}/api/events"\ntimeout = 5\n'
        if failing_source
        else ""
    )
    path = tmp_path / "sources.toml"
    path.write_text(
        f"""[briefing]
municipality = "Järfälla"

[store]
path = "{tmp_path / "store" / "briefing.sqlite3"}"

[sources.vakter]
kind = "csv"
origin = "guards"
path = "drops"
columns = {{ time = "Datum", text = "Text" }}

{failing}""",
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path


def store_path(config: Path) -> Path:
    return config.parent / "store" / "briefing.sqlite3"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`briefing` as cron runs it: its own process, stdout and stderr pipes, no terminal."""
    return subprocess.run(
        [sys.executable, "-m", "briefing", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


# --- quiet and plain --------------------------------------------------------------------


def test_quiet_prints_nothing_on_success_even_with_colours_forced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in COLOUR_ENV.items():
        monkeypatch.setenv(name, value)
    result = runner.invoke(app, ["today", "--demo", "--quiet"], catch_exceptions=False)
    assert result.exit_code == 0
    assert (result.stdout, result.stderr) == ("", "")


def test_no_escape_codes_off_a_terminal_even_with_colours_forced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in COLOUR_ENV.items():
        monkeypatch.setenv(name, value)
    result = runner.invoke(app, ["today", "--demo"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "Säkerhetsbriefing Järfälla" in result.stdout
    assert "\x1b" not in result.stdout + result.stderr


def test_quiet_says_which_source_failed_and_nothing_else(tmp_path: Path) -> None:
    for command in ("today", "fetch"):  # one store each: the police source's rate limit
        (tmp_path / command).mkdir()
        config = write_config(tmp_path / command, failing_source=True)
        result = runner.invoke(app, [command, "--quiet", "-c", str(config)])
        assert result.exit_code == ExitStatus.SOURCE_FAILED, result.stderr
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1, lines
        assert lines[0].startswith("briefing: source Polisen: error: http://127.0.0.1:")


def test_quiet_with_an_output_file_writes_it_atomically(tmp_path: Path) -> None:
    out = tmp_path / "out" / "briefing.txt"
    out.parent.mkdir()
    out.write_text("yesterday's briefing\n", "utf-8")
    before = out.stat().st_ino
    args = ["today", "--demo", "--quiet", "-f", "text", "-o", str(out)]
    result = runner.invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0
    assert (result.stdout, result.stderr) == ("", "")
    assert out.read_text("utf-8").startswith("Säkerhetsbriefing Järfälla — torsdag 8 juni 2023\n")
    assert out.stat().st_ino != before  # a new file renamed over the old, not rewritten in place
    assert [p.name for p in out.parent.iterdir()] == ["briefing.txt"]  # no temporary left


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_a_real_process_on_pipes_is_quiet_and_plain() -> None:
    quiet = run("today", "--demo", "--quiet", env=COLOUR_ENV)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    loud = run("today", "--demo", env=COLOUR_ENV)
    assert loud.returncode == 0 and "Säkerhetsbriefing Järfälla" in loud.stdout
    assert "\x1b" not in loud.stdout + loud.stderr
    usage = run("today", "--no-such-option", env=COLOUR_ENV)
    assert usage.returncode == 2 and "No such option" in usage.stderr
    assert "\x1b" not in usage.stdout + usage.stderr


# --- one run at a time ------------------------------------------------------------------


@pytest.fixture
def held(tmp_path: Path) -> Iterator[Path]:
    """A config whose store's lock this test holds, as a running briefing would."""
    config = write_config(tmp_path)
    with lock.exclusive(store_path(config)):
        yield config


@pytest.mark.parametrize("command", [["today", "--no-fetch"], ["fetch"], ["send"]])
def test_a_second_run_says_so_and_exits_5(held: Path, command: list[str]) -> None:
    if command == ["send"]:
        held.write_text(
            held.read_text("utf-8")
            + '\n[email]\nhost = "127.0.0.1"\nfrom = "a@jarfalla.se"\nto = ["b@jarfalla.se"]\n',
            "utf-8",
        )
    result = runner.invoke(app, [*command, "-c", str(held)])
    assert result.exit_code == ExitStatus.BUSY
    assert ExitStatus.BUSY.value == 5
    assert result.stdout == ""
    assert f"another briefing run is in progress (process {os.getpid()})" in result.stderr
    assert str(lock.lock_path(store_path(held))) in result.stderr


def test_reading_commands_and_the_demo_are_not_blocked(held: Path) -> None:
    assert runner.invoke(app, ["sources", "-c", str(held)]).exit_code == 0
    demo = runner.invoke(app, ["today", "--demo", "--quiet"])  # its own temporary store
    assert demo.exit_code == 0, demo.stderr


def test_the_lock_is_free_again_after_a_run(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    for _ in range(2):
        result = runner.invoke(app, ["today", "--no-fetch", "--quiet", "-c", str(config)])
        assert result.exit_code == 0, result.stderr
    path = lock.lock_path(store_path(config))
    assert path.name == "briefing.sqlite3.lock" and path.parent == store_path(config).parent


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_a_run_in_another_process_blocks_until_that_process_ends(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    holder = subprocess.Popen(  # another briefing run, stuck: it holds the lock until killed
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path\n"
            "from briefing.deliver.lock import exclusive\n"
            "with exclusive(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)",
            str(store_path(config)),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        blocked = run("today", "--no-fetch", "--quiet", "-c", str(config))
        assert blocked.returncode == 5 and blocked.stdout == ""
        assert f"(process {holder.pid})" in blocked.stderr
    finally:
        holder.kill()  # however a run ends, the kernel releases its lock
        holder.wait(timeout=30)
    after = run("today", "--no-fetch", "--quiet", "-c", str(config))
    assert (after.returncode, after.stdout, after.stderr) == (0, "", "")


def test_a_lock_in_an_unwritable_place_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", "utf-8")
    with pytest.raises(StoreError, match=r"lock file .* cannot be opened"):
        lock.exclusive(blocker / "briefing.sqlite3").__enter__()


# --- the README's crontab and systemd units --------------------------------------------

CRON_FIELD = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*$")
CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))


def readme_section(title: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def code_blocks(section: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section, flags=re.S)


def crontab_lines() -> list[str]:
    (block,) = code_blocks(readme_section("E-mail and cron"), "crontab")
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def command_options(*path: str) -> set[str]:
    command: Any = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]
    return {opt for param in command.params for opt in param.opts}


def check_cron_time(fields: list[str]) -> None:
    for field, (low, high) in zip(fields, CRON_RANGES, strict=True):
        assert CRON_FIELD.match(field), field
        for number in re.findall(r"\d+", field.split("/")[0]):
            assert low <= int(number) <= high, field


def test_readme_crontab_runs_the_briefing_by_email_quietly_with_a_config() -> None:
    lines = crontab_lines()
    first = lines[0].split()
    check_cron_time(first[:5])
    command = " ".join(first[5:])
    assert re.search(r"/briefing today --email --quiet --config \S+sources\.toml$", command)
    for line in lines:
        check_cron_time(line.split()[:5])
        words = line.split()[5:]
        program = next(i for i, word in enumerate(words) if word.endswith("/briefing"))
        name, *args = words[program + 1 :]
        options = {arg for arg in args if arg.startswith("-")}
        assert options <= command_options(name), options
        assert "BRIEFING_SMTP_PASSWORD=" not in line  # a file, never the password itself
    assert "%" not in "".join(lines)  # cron would cut the line at a bare %


def cron_values(field: str, low: int, high: int) -> set[int]:
    """The numbers a crontab time field stands for (`*`, `a-b`, `/step`, lists)."""
    values: set[int] = set()
    for part in field.split(","):
        span, _, step = part.partition("/")
        first, _, last = (f"{low}-{high}" if span == "*" else span).partition("-")
        values |= set(range(int(first), int(last or first) + 1, int(step or 1)))
    return values


def test_readme_crontab_fetches_the_pages_in_the_evening_and_night() -> None:
    """`briefing fetch` every 20–30 minutes from 16:00, the last run well before the morning
    briefing (whose lock it would otherwise hold), and never during the day."""
    lines = crontab_lines()
    (fetch,) = [line for line in lines if "/briefing fetch " in line]
    fields, words = fetch.split()[:5], fetch.split()[5:]
    assert fields[2:] == ["*", "*", "*"]
    minutes, hours = cron_values(fields[0], 0, 59), cron_values(fields[1], 0, 23)
    assert 20 <= 60 // len(minutes) <= 30, minutes
    runs = sorted((h - 16) % 24 * 60 + m for h in hours for m in minutes)  # minutes from 16:00
    assert runs[0] == 0  # the first at 16:00
    gaps = {later - earlier for earlier, later in itertools.pairwise(runs)}
    assert gaps <= set(range(20, 31)), gaps  # every 20–30 minutes, without a break
    today = lines[0].split()
    morning = (int(today[1]) - 16) % 24 * 60 + int(today[0])
    assert morning - runs[-1] >= 30  # done before the briefing starts
    assert words[words.index("fetch") + 1 : words.index("fetch") + 4] == [
        "--quiet",
        "--config",
        words[-2],
    ]
    assert words[-2].endswith("sources.toml") and words[-1].startswith("2>>")


def parse_unit(text: str) -> dict[str, list[tuple[str, str]]]:
    """A systemd unit file: section → (key, value) in order (keys may repeat)."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in text.splitlines():
        if not line.strip() or line.startswith(("#", ";")):
            continue
        if match := re.fullmatch(r"\[(\w+)\]", line):
            current = sections.setdefault(match.group(1), [])
        else:
            assert current is not None, line
            key, value = line.split("=", 1)
            current.append((key, value))
    return sections


def readme_units() -> tuple[dict[str, list[tuple[str, str]]], dict[str, list[tuple[str, str]]]]:
    blocks = code_blocks(readme_section("E-mail and cron"), "ini")
    units = {block.splitlines()[0].rsplit("/", 1)[1]: parse_unit(block) for block in blocks}
    return units["briefing.service"], units["briefing.timer"]


def test_readme_systemd_service_runs_the_briefing_with_a_credential_not_a_password() -> None:
    service, _ = readme_units()
    assert {"Unit", "Service"} <= service.keys()
    settings = dict(service["Service"])
    assert settings["Type"] == "oneshot"
    words = settings["ExecStart"].split()
    assert words[0].startswith("/") and words[0].endswith("/briefing")
    assert words[1:5] == ["today", "--email", "--quiet", "--config"]
    assert set(words[2:]) - {words[-1]} <= command_options("today")
    credential = settings.get("LoadCredential") or settings.get("EnvironmentFile")
    assert credential, "the password must come from LoadCredential or an EnvironmentFile"
    environment = [value for key, value in service["Service"] if key == "Environment"]
    assert "BRIEFING_SMTP_PASSWORD_FILE=%d/smtp-password" in environment
    assert credential.startswith("smtp-password:/")
    every_value = " ".join(value for pairs in service.values() for _, value in pairs)
    assert "BRIEFING_SMTP_PASSWORD=" not in every_value and "Password" not in every_value


def test_readme_systemd_timer_runs_every_morning_and_catches_up() -> None:
    _, timer = readme_units()
    assert {"Unit", "Timer", "Install"} <= timer.keys()
    settings = dict(timer["Timer"])
    assert settings["Persistent"] == "true"
    assert re.fullmatch(r"\*-\*-\* 0[5-8]:\d\d:00 Europe/Stockholm", settings["OnCalendar"])
    assert dict(timer["Install"])["WantedBy"] == "timers.target"
    analyze = shutil.which("systemd-analyze")
    if analyze:  # where systemd is at hand, it must accept the expression too
        checked = subprocess.run(
            [analyze, "calendar", settings["OnCalendar"]], capture_output=True, text=True
        )
        assert checked.returncode == 0, checked.stderr


def test_readme_exit_codes_list_the_lock() -> None:
    table = readme_section("Exit codes")
    for status in ExitStatus:
        if status <= ExitStatus.BUSY:
            assert f"| {int(status)} |" in table
    assert "lock" in table.split("| 5 |", 1)[1].splitlines()[0]
