"""What every benchmark shares: a result row, timing, the machine, the table."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
SNAPSHOTS = tuple(
    DATA / "polisen" / f"polisen-events-{name}.json"
    for name in ("2023-06-08-morning", "2026-01-20-location-switch", "2026-07-29-county-era")
)


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the table. `ok` is None when there is no target (or nothing to run yet)."""

    name: str
    figure: float | None
    unit: str
    floor: float | None = None
    target: str = ""
    ok: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.figure is None or not self.floor:
            return None
        return self.figure / self.floor

    @property
    def verdict(self) -> str:
        if self.figure is None:
            return "not yet"
        return {True: "pass", False: "FAIL", None: "info"}[self.ok]


def median_time(action: Callable[[], object], runs: int) -> float:
    """The median wall time of `action` in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def child_env() -> dict[str, str]:
    """The environment for child processes: this checkout importable, no stray state."""
    env = dict(os.environ)
    path = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + path if path else "")
    env.pop("BRIEFING_CONFIG", None)
    return env


def run_python(
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    timeout: float = 120,
    env_extra: Mapping[str, str] | None = None,
) -> str:
    """Run `python ARGS` in a child with `child_env()`; its stdout, or CalledProcessError."""
    done = subprocess.run(
        [sys.executable, *args],
        cwd=cwd or REPO,
        env={**child_env(), **(env_extra or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return done.stdout


def machine() -> str:
    """nproc, the CPU model, Python and the date: what a figure depends on."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    system = f"{platform.system()} {platform.machine()}"
    today = f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"
    return f"{cores} cores, {_cpu_model()}, Python {platform.python_version()} ({system}), {today}"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s" and value < 1:
        return f"{value * 1000:.1f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "/s":
        return f"{value:,.0f}/s"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:g} {unit}".strip()


def table(rows: Sequence[Row]) -> list[list[str]]:
    """Header and cells: benchmark, figure, floor, ratio, target, result."""
    cells = [["benchmark", "figure", "floor", "ratio", "target", "result"]]
    for row in rows:
        ratio = f"{row.ratio:.2f}×" if row.ratio is not None else "—"
        floor = fmt(row.floor, row.unit) if row.floor is not None else "—"
        figure = fmt(row.figure, row.unit)
        cells.append([row.name, figure, floor, ratio, row.target or "—", row.verdict])
    return cells


def plain_table(rows: Sequence[Row]) -> str:
    cells = table(rows)
    widths = [max(len(line[i]) for line in cells) for i in range(len(cells[0]))]

    def joined(line: list[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))

    rule = "  ".join("-" * width for width in widths)
    return "\n".join(
        [joined(cells[0]).rstrip(), rule, *(joined(line).rstrip() for line in cells[1:])]
    )


def markdown_table(rows: Sequence[Row]) -> str:
    cells = table(rows)
    lines = ["| " + " | ".join(cells[0]) + " |", "|" + "---|" * len(cells[0])]
    lines += ["| " + " | ".join(line) + " |" for line in cells[1:]]
    return "\n".join(lines)
