"""Volume: the police's real year of Sweden through store → window → place → classify →
fuse → stakeholders → JSON.

The backlog is the corpus replayed as the API's 500-event responses, edits included
(bench.corpus): the 2024 year, and for scale the whole 2023–2024 corpus ×2. Each is run
by `run()` in two child processes, so each has its own peak memory: the floor (json.load
of the responses file and one precompiled regular expression over every summary) and the
pipeline, which starts from the same file:

    load → parse (the police adapter) → store (one save per response, as fetches
    store them) → window (read back) → place → classify → fuse → stakeholders
    → trends → JSON

Stages whose module is not there yet (another issue is building it) are
reported as "not yet". The children are held to two cores when the machine
has more, since the target is "on two cores".

    python -m bench.volume floor RESPONSES.json
    python -m bench.volume pipeline RESPONSES.json
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench import corpus
from bench.common import REPO, Row, child_env

TARGET_RATE = 20_000.0  # events per second through place + classify
TARGET_RATIO = 10.0  # store → JSON, to the floor (issue 13)
TARGET_STORE = 100_000.0  # events per second into the store (issue 13)
TARGET_JSON = 100_000.0  # incidents per second written as JSON (issue 13)
TARGET_MB = 400.0
TZ = ZoneInfo("Europe/Stockholm")
HOME = "Järfälla"
NEIGHBOURS = ("Sollentuna", "Upplands-Bro", "Upplands Väsby", "Sundbyberg", "Stockholm", "Ekerö")
KEYWORDS = re.compile(r"skott|kniv|explosion|brand|rån", re.IGNORECASE)

Timings = dict[str, float | int | str]


@contextmanager
def _timed(timings: Timings, stage: str) -> Iterator[None]:
    """Time a stage, and note the peak memory so far (MB) to see which stage raised it."""
    start = time.perf_counter()
    yield
    timings[stage] = time.perf_counter() - start
    timings[f"{stage}_peak_mb"] = _peak_mb()


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def floor(path: Path) -> Timings:
    """json.load of the responses plus one precompiled regular expression over every summary."""
    timings: Timings = {}
    with _timed(timings, "floor"):
        with path.open(encoding="utf-8") as file:
            responses = json.load(file)
        search = KEYWORDS.search
        hits = sum(1 for r in responses for record in r if search(record.get("summary") or ""))
    timings["events"] = sum(map(len, responses))
    timings["hits"] = hits
    return timings


def pipeline(path: Path, store_folder: Path) -> Timings:
    """Every stage of a replay over the backlog, timed one by one."""
    from briefing.judge import collector
    from briefing.judge.classify import Rules, classify
    from briefing.judge.places import Area, Gazetteer, resolve
    from briefing.models import Item, Origin, Status
    from briefing.sources.polisen import parse_event
    from briefing.store import Store

    timings: Timings = {}
    with _timed(timings, "load"), path.open(encoding="utf-8") as file:
        responses = json.load(file)
    with _timed(timings, "parse"):
        batches = [
            [parse_event(r, source="polisen", origin=Origin.POLICE, tz=TZ) for r in response]
            for response in responses
        ]
    timings["events"] = sum(map(len, batches))
    del responses
    with Store(store_folder / "briefing.sqlite3") as store:
        results = []
        with _timed(timings, "store"):
            for batch in batches:  # seen when its newest event was published
                seen = max(incident.published_at for incident in batch)
                results.append(store.save_batch("polisen", batch, {}, seen))
        for kind in ("new", "updated", "unchanged"):
            timings[kind] = sum(getattr(result, kind) for result in results)
        first = min(incident.published_at for batch in batches for incident in batch)
        last = max(incident.published_at for batch in batches for incident in batch)
        del batches
        # as pipeline.assemble judges a window: the collector held off meanwhile
        with collector.held_off():
            with _timed(timings, "window"):
                stored = store.window(first, last + timedelta(seconds=1))
            timings["stored"] = len(stored)
            area = Area(HOME, "Stockholms län", NEIGHBOURS)
            with _timed(timings, "place"):
                gazetteer = Gazetteer.bundled(HOME)
                places = [resolve(s.incident, area, gazetteer) for s in stored]
            with _timed(timings, "classify"):
                rules = Rules.load()
                judgements = [
                    classify(s.incident, p, rules, "sv")
                    for s, p in zip(stored, places, strict=True)
                ]
            items = [
                Item(s.incident, Status.NEW, p, j, local=p.municipality == HOME, version=s.version)
                for s, p, j in zip(stored, places, judgements, strict=True)
            ]
            del places, judgements
            items = _fuse(items, timings)
            items = _stakeholders(items, gazetteer, timings)
            _trends(store, area, gazetteer, rules, last, timings)
    import briefing.deliver.files
    import briefing.render.json  # noqa: F401 (imported before the stage: a one-time cost)

    with _timed(timings, "json"):
        timings["json_bytes"] = _write_json(items, first, last, store_folder / "briefing.json")
    timings["items"] = len(items)
    timings["local"] = sum(1 for item in items if item.local)
    timings["neighbours"] = sum(1 for item in items if item.place.municipality in NEIGHBOURS)
    return timings


def _fuse(items: list[Any], timings: Timings) -> list[Any]:
    try:
        from briefing.judge.fuse import fuse
    except ImportError as exc:
        timings["fuse"] = f"not yet ({exc})"
        return items
    with _timed(timings, "fuse"):
        fused: list[Any] = fuse(items, lang="sv")
    return fused


def _stakeholders(items: list[Any], gazetteer: Any, timings: Timings) -> list[Any]:
    try:
        from briefing.judge.notify_rules import load_rules
        from briefing.judge.stakeholders import Registry, suggest
    except ImportError as exc:
        timings["stakeholders"] = f"not yet ({exc})"
        return items
    registry = Registry.bundled(HOME, gazetteer)
    if registry is None:
        timings["stakeholders"] = f"not yet (no bundled registry for {HOME})"
        return items
    with _timed(timings, "stakeholders"):
        rules = load_rules(None)
        suggested = [
            dataclasses.replace(item, stakeholders=suggest(item, registry, rules, "sv"))
            if item.local
            else item
            for item in items
        ]
    return suggested


def _trends(
    store: Any, area: Any, gazetteer: Any, rules: Any, end: datetime, timings: Timings
) -> None:
    """What every briefing computes besides its window: nine weeks of history."""
    try:
        from briefing.judge import trends
        from briefing.judge.judge import Judge
    except ImportError as exc:
        timings["trends"] = f"not yet ({exc})"
        return
    with _timed(timings, "trends"):
        judge = Judge(area, gazetteer, rules)  # a fresh one: the history judged from scratch
        trends.compute(store, judge, end=end, tz=TZ)


def _write_json(items: list[Any], first: datetime, last: datetime, path: Path) -> int:
    """The briefing written to a file as `briefing today -f json -o FILE` writes it; its size."""
    from briefing.deliver.files import write_atomic
    from briefing.models import Briefing
    from briefing.render.json import chunks

    briefing = Briefing(
        municipality=HOME,
        generated_at=last.astimezone(TZ),
        window_start=first.astimezone(TZ),
        window_end=last.astimezone(TZ),
        language="sv",
        sources=(),
        items=tuple(items),
    )
    write_atomic(path, chunks(briefing))
    return path.stat().st_size


def _two_cores() -> None:
    if hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) > 2:
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:2])


def main(argv: list[str]) -> None:
    _two_cores()
    mode, path = argv[0], Path(argv[1])
    if mode == "floor":
        timings = floor(path)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-volume-") as tmp:
            timings = pipeline(path, Path(tmp))
    json.dump(timings, sys.stdout)


# The parent side ------------------------------------------------------------


def measure(mode: str, path: Path) -> tuple[Timings, float]:
    """Run one child; its timings and its own peak RSS in MB (from wait4)."""
    import subprocess

    child = subprocess.Popen(
        [sys.executable, "-m", "bench.volume", mode, str(path)],
        cwd=REPO,
        env=child_env(),
        stdout=subprocess.PIPE,
    )
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"bench.volume {mode} failed with exit code {child.returncode}")
    return json.loads(output), usage.ru_maxrss / 1024  # KiB on Linux


INGEST = ("load", "parse")  # building the backlog: reading the replayed API payloads
STAGES = ("store", "window", "place", "classify", "fuse", "stakeholders", "trends", "json")
# (label, years of the corpus, copies): the real year, and the whole corpus twice over.
BACKLOGS = (("2024", ("2024",), 1), ("2023–2024 ×2", None, 2))


# Each backlog is measured this many times, floor and pipeline interleaved, and every
# figure is the median of its runs: on a shared machine one run's disk writes (the WAL,
# the JSON file's fsync) can swing a stage by half.
REPEATS = 3


def run(path: Path | None = None, repeats: int = REPEATS) -> list[Row]:
    result = []
    for label, years, copies in BACKLOGS:
        with tempfile.TemporaryDirectory(prefix="bench-backlog-") as tmp:
            responses = Path(tmp) / "responses.json"
            corpus.write(responses, corpus.scaled(path or corpus.DEFAULT, copies, years))
            floors, pipelines = [], []
            for _ in range(repeats):
                floors.append(measure("floor", responses))
                pipelines.append(measure("pipeline", responses))
        floor_timings, timings = median_timings(floors), median_timings(pipelines)
        floor_mb = max(mb for _, mb in floors)
        peak_mb = max(mb for _, mb in pipelines)
        timings["repeats"] = repeats
        result += rows(timings, floor_timings, peak_mb, floor_mb, label)
    return result


def median_timings(runs: list[tuple[Timings, float]]) -> Timings:
    """Every timing (a float) as the median of the runs; counts and notes from the first."""
    first = dict(runs[0][0])
    for key, value in first.items():
        if isinstance(value, float):
            values = [float(timings[key]) for timings, _ in runs if key in timings]
            first[key] = statistics.median(values)
    return first


def _medians(timings: Timings) -> str:
    repeats = timings.get("repeats", 1)
    if not isinstance(repeats, int) or repeats < 2:
        return ""
    return f"each figure the median of {repeats} runs, floor and pipeline interleaved; "


def _share(timings: Timings) -> str:
    local, neighbours = timings.get("local"), timings.get("neighbours")
    if not isinstance(local, int) or not isinstance(neighbours, int):
        return "how many are Järfälla's is unknown"
    return f"Järfälla's own briefing would show {local:,} local and {neighbours:,} neighbouring"


def _seconds(timings: Timings, stages: tuple[str, ...]) -> float:
    return sum(value for stage in stages if isinstance(value := timings.get(stage), float))


def _margin(figure: float, target: float, *, most: bool) -> str:
    """How far inside (or outside) its target a figure is, in per cent of the target."""
    margin = (target - figure) / target if most else (figure - target) / target
    return f"margin {margin:+.0%}"


def rows(
    timings: Timings, floor_timings: Timings, peak_mb: float, floor_mb: float, label: str = ""
) -> list[Row]:
    events = int(timings["events"])
    name = f"volume {label}".strip()
    total = _seconds(timings, STAGES)
    floor = float(floor_timings["floor"])
    rate = events / _seconds(timings, ("place", "classify"))
    store_rate = events / float(timings["store"])
    items = int(timings.get("items", events))
    json_rate = items / json_seconds if (json_seconds := _seconds(timings, ("json",))) else 0.0
    saved = ", ".join(f"{timings.get(k, 0):,} {k}" for k in ("new", "updated", "unchanged"))
    result = [
        Row(
            f"{name}: store → JSON, {events:,} events",
            total,
            "s",
            floor,
            f"≤ {TARGET_RATIO:g}× floor",
            total <= TARGET_RATIO * floor,
            "floor: json.load of the responses + one regex over every summary; "
            f"stages: {', '.join(STAGES)}; {_medians(timings)}"
            f"{_margin(total / floor, TARGET_RATIO, most=True)}; "
            f"the JSON holds every event ({_share(timings)})",
        ),
        Row(
            f"{name}: store, save_batch per response",
            store_rate,
            "/s",
            target=f"≥ {TARGET_STORE:,.0f}/s",
            ok=store_rate >= TARGET_STORE,
            note=f"{_margin(store_rate, TARGET_STORE, most=False)}; {saved}",
        ),
        Row(
            f"{name}: JSON, {items:,} incidents",
            json_rate,
            "/s",
            target=f"≥ {TARGET_JSON:,.0f}/s",
            ok=json_rate >= TARGET_JSON,
            note=f"{_margin(json_rate, TARGET_JSON, most=False)}; "
            f"{int(timings.get('json_bytes', 0)) / 1e6:.0f} MB written and fsynced "
            "(the renderer imported before the stage)",
        ),
        Row(
            f"{name}: place + classify",
            rate,
            "/s",
            target=f"≥ {TARGET_RATE:,.0f}/s",
            ok=rate >= TARGET_RATE,
            note=_margin(rate, TARGET_RATE, most=False),
        ),
        Row(
            f"{name}: peak memory (RSS)",
            peak_mb,
            "MB",
            floor_mb,
            f"< {TARGET_MB:g} MB",
            peak_mb < TARGET_MB,
            "the pipeline's child, backlog in included; floor: the floor's child",
        ),
        Row(
            f"{name}: backlog in (load + adapter parse)",
            _seconds(timings, INGEST),
            "s",
            note="reading the replayed API payloads; not in the target",
        ),
    ]
    suffix = f" ({label})" if label else ""
    for stage in INGEST + STAGES:
        value = timings.get(stage)
        if isinstance(value, float):
            note = f"{events / value:,.0f}/s"
            if isinstance(peak := timings.get(f"{stage}_peak_mb"), float):
                note += f"; peak memory so far {peak:.0f} MB"
            result.append(Row(f"  stage: {stage}{suffix}", value, "s", note=note))
        else:
            result.append(Row(f"  stage: {stage}{suffix}", None, "s", note=str(value)))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
