"""Start-up: `briefing --help` and `--version` against a typer "hello world".

Both are run the same way: a tiny script file in a fresh interpreter, median
wall time of interleaved runs (the OS file cache is warm, the interpreter is
not). The import check runs each in a child and names every heavy module that
ended up in `sys.modules` and is not loaded by the hello world too, with its
cost from `python -X importtime`. (`briefing today --help` is not checked:
typer itself imports pydantic there, to convert the `--help` flag of a
subcommand.)
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import REPO, Row, child_env

TARGET = 1.3
RUNS = 21
# Modules `--help` and `--version` must not need. Prefixes: a submodule counts too.
HEAVY = (
    "httpx",
    "httpcore",
    "feedparser",
    "jinja2",
    "sqlite3",
    "pydantic",
    "rich",
    "tomllib",
    "email",
    "ssl",
    "briefing.config",
    "briefing.pipeline",
    "briefing.store",
    "briefing.sources.http",
    "briefing.judge.classify",
    "briefing.judge.places",
    "briefing.render",
    "briefing.sources",
    "briefing.models",
)
HELLO = '''\
import typer

# The cheapest typer app: the same switches as briefing's (no rich help, no
# completion, no pretty tracebacks), else the floor would pay for rich.
app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


@app.command()
def hello(name: str = "world") -> None:
    """Say hello."""
    typer.echo(f"hello {name}")


app()
'''
ENTRY = "from briefing.cli import main\n\nmain()\n"
# Runs a script and, at exit, writes the names of every loaded module to stderr.
MODULES_PROBE = """\
import atexit, json, runpy, sys
atexit.register(lambda: sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules))))
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""
# (what briefing is run with, what the hello world is run with)
PROBED: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("--help",), ("--help",)),
    (("--version",), ("--help",)),
)


def run(runs: int = RUNS) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        hello, entry = Path(tmp) / "hello.py", Path(tmp) / "entry.py"
        hello.write_text(HELLO)
        entry.write_text(ENTRY)
        commands = {
            "floor": [str(hello), "--help"],
            "--help": [str(entry), "--help"],
            "--version": [str(entry), "--version"],
        }
        times = _interleaved(commands, runs)
        check = import_check(entry, hello)
    floor = times["floor"]
    rows = [
        Row(
            f"start-up: briefing {flag}",
            times[flag],
            "s",
            floor,
            f"≤ {TARGET}× typer hello",
            times[flag] <= TARGET * floor,
            f"median of {runs} fresh interpreters each",
        )
        for flag in ("--help", "--version")
    ]
    return [*rows, check]


def _interleaved(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    """Median wall time per command; runs alternate so drift hits all alike."""
    env = child_env()
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for attempt in range(runs + 1):
        for name, args in commands.items():
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, *args], env=env, cwd=REPO, check=True, stdout=subprocess.DEVNULL
            )
            if attempt:  # the first round only warms the caches (.pyc files, page cache)
                samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


def _probe(script: Path, args: tuple[str, ...], *, importtime: bool = False) -> str:
    flags = ["-X", "importtime"] if importtime else []
    done = subprocess.run(
        [sys.executable, *flags, "-c", MODULES_PROBE, str(script), *args],
        env=child_env(),
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,  # --help and --version exit 0, a usage error 2: the modules count either way
    )
    return done.stderr


def loaded_modules(script: Path, *args: str) -> set[str]:
    """Every module in `sys.modules` after `python SCRIPT ARGS` in a fresh interpreter."""
    stderr = _probe(script, args)
    marker = stderr.rindex("MODULES ")
    return set(json.loads(stderr[marker + len("MODULES ") :]))


def heavy_modules(modules: set[str]) -> list[str]:
    """The top-most heavy modules among `modules` (a package, not each of its parts)."""
    leaked = [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    return sorted(m for m in leaked if not any(m.startswith(other + ".") for other in leaked))


def import_costs(script: Path, *args: str) -> dict[str, float]:
    """Cumulative import time in ms of every module, from `python -X importtime`."""
    costs: dict[str, float] = {}
    for line in _probe(script, args, importtime=True).splitlines():
        if line.startswith("import time:") and "cumulative" not in line:
            _, cumulative, name = line.split("|")
            costs[name.strip()] = int(cumulative) / 1000
    return costs


def import_check(entry: Path, hello: Path) -> Row:
    leaks: dict[str, tuple[str, ...]] = {}
    for args, floor_args in PROBED:
        extra = loaded_modules(entry, *args) - loaded_modules(hello, *floor_args)
        leaks.update((module, args) for module in heavy_modules(extra))
    note = "none of: " + ", ".join(h for h in HEAVY if "." not in h)
    if leaks:
        parts = []
        for module, args in sorted(leaks.items()):
            cost = import_costs(entry, *args).get(module, 0.0)
            parts.append(f"{module} ({cost:.0f} ms, in {' '.join(args)})")
        note = "leaked: " + ", ".join(parts)
    return Row(
        "start-up: heavy imports beyond typer's own",
        len(leaks),
        "modules",
        target="0",
        ok=not leaks,
        note=note,
    )
