"""Run every benchmark and print the table: `python bench/run.py`.

Each figure is printed with its floor (measured in the same run), the ratio,
the target and pass/fail; the exit status is 1 when a target fails. Options:

    --only startup,fetch,volume,morning,render   run some of them
    --corpus PATH                        the police corpus (polisen-events-2023-2024.json.gz)
    --write                              also write the table into bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SUITES = ("startup", "fetch", "volume", "morning", "render")
BEGIN, END = "<!-- results: begin -->", "<!-- results: end -->"


def main(argv: list[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    # Run as a script, this folder is first on sys.path; the checkout must be instead.
    if str(REPO) not in sys.path:
        sys.path[0:1] = [str(REPO)]
    from bench import common, fetching, morning, rendering, startup, volume

    suites = {
        "startup": startup.run,
        "fetch": fetching.run,
        "volume": lambda: volume.run(options.corpus),
        "morning": lambda: morning.run(options.corpus),
        "render": rendering.run,
    }
    chosen = [name.strip() for name in options.only.split(",")] if options.only else SUITES
    print(common.machine(), flush=True)
    began = time.perf_counter()
    rows: list[common.Row] = []
    for name in chosen:
        print(f"… {name}", file=sys.stderr, flush=True)
        rows += suites[name]()
    elapsed = time.perf_counter() - began
    print(common.plain_table(rows))
    print()
    for row in rows:
        if row.note:
            print(f"{row.name.strip()}: {row.note}")
    failed = [row.name for row in rows if row.ok is False]
    print(f"\n{len(rows)} rows in {elapsed:.0f} s; {len(failed)} target(s) failed")
    if options.write:
        _write_results(REPO / "bench" / "RESULTS.md", common.machine(), rows, elapsed)
    return 1 if failed else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Benchmarks of briefing, against floors.")
    parser.add_argument("--only", help=f"comma-separated: {', '.join(SUITES)}")
    parser.add_argument("--corpus", type=Path, default=None, help="the police corpus (.json.gz)")
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    return parser


def _write_results(path: Path, machine: str, rows: list, elapsed: float) -> None:  # type: ignore[type-arg]
    from bench.common import markdown_table

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    notes = "\n".join(f"- **{row.name.strip()}**: {row.note}" for row in rows if row.note)
    block = (
        f"{BEGIN}\nMachine: {machine}; load average {load:.2f} at the end; "
        f"the whole run took {elapsed:.0f} s.\n\n{markdown_table(rows)}\n\n{notes}\n{END}"
    )
    text = (
        path.read_text(encoding="utf-8") if path.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    )
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    path.write_text(head + block + tail, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
