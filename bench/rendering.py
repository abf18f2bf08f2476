"""Render: the HTML page, the e-mail and the plain text of a night of 100 incidents.

The night is the 100 latest real Järfälla events of the recorded extract,
placed and classified as the pipeline does, with stakeholder suggestions when
that module is there. Each figure is the first render after start-up in a
fresh interpreter (modules imported, templates not yet compiled: what a cron run
pays), median of several interpreters; the floor is jinja2 compiling and
rendering a bare list of the same incidents in the same interpreter.
"""

from __future__ import annotations

import dataclasses
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bench.common import DATA, Row, run_python

INCIDENTS = 100
RUNS = 5
TARGET = 0.100
TZ = ZoneInfo("Europe/Stockholm")
EXTRACT = DATA / "polisen" / "polisen-events-jarfalla-extract.json"


def night(count: int = INCIDENTS) -> Any:
    """A `Briefing` of the `count` latest recorded Järfälla events, judged."""
    from briefing.judge.classify import Rules, classify
    from briefing.judge.places import Area, Gazetteer, resolve
    from briefing.models import Briefing, Item, Origin, SourceReport, Status
    from briefing.sources.polisen import parse_event

    records = json.loads(EXTRACT.read_text(encoding="utf-8"))
    incidents = [parse_event(r, source="polisen", origin=Origin.POLICE, tz=TZ) for r in records]
    incidents = sorted(incidents, key=lambda incident: incident.published_at)[-count:]
    area = Area("Järfälla", "Stockholms län", ("Sollentuna", "Upplands-Bro", "Sundbyberg"))
    gazetteer, rules = Gazetteer.bundled("Järfälla"), Rules.load()
    items = []
    for incident in incidents:
        place = resolve(incident, area, gazetteer)
        judgement = classify(incident, place, rules, "sv")
        items.append(Item(incident, Status.NEW, place, judgement, local=True))
    end = incidents[-1].published_at.astimezone(TZ)
    report = SourceReport("polisen", "polisen", Origin.POLICE, "ok", fetched=len(items))
    briefing = Briefing(
        municipality="Järfälla",
        generated_at=end,
        window_start=incidents[0].published_at.astimezone(TZ) - timedelta(minutes=1),
        window_end=end + timedelta(minutes=1),
        language="sv",
        sources=(report,),
        items=tuple(_with_stakeholders(items, gazetteer)),
    )
    return briefing


def _with_stakeholders(items: list[Any], gazetteer: Any) -> list[Any]:
    try:
        from briefing.judge.notify_rules import load_rules
        from briefing.judge.stakeholders import Registry, suggest
    except ImportError:
        return items
    registry = Registry.bundled("Järfälla", gazetteer)
    if registry is None:
        return items
    rules = load_rules(None)
    return [
        dataclasses.replace(item, stakeholders=suggest(item, registry, rules, "sv"))
        for item in items
    ]


FLOOR_TEMPLATE = """<!doctype html><html lang="sv"><body><ol>
{% for item in items %}<li><h3>{{ item.incident.title }}</h3><p>{{ item.place.district or "" }}</p>
<p>{{ item.incident.summary }}</p></li>
{% endfor %}</ol></body></html>"""


def floor_html(briefing: Any) -> str:
    """The floor: jinja2 compiling and rendering a bare list of the same incidents."""
    from jinja2 import Environment

    template = Environment(autoescape=True).from_string(FLOOR_TEMPLATE)
    return template.render(items=briefing.items)


def renderers(briefing: Any) -> dict[str, Callable[[], object] | str]:
    """What to time, by row name; a string says why a renderer is not there yet."""
    from briefing.render import render

    found: dict[str, Callable[[], object] | str] = {
        "HTML page": lambda: render(briefing, "html"),
        "e-mail text part": lambda: render(briefing, "text"),
    }
    try:
        from briefing.config import EmailSection
        from briefing.deliver.mail import build_message
    except ImportError as exc:
        found["e-mail (text + HTML parts)"] = f"not yet ({exc})"
        return found
    settings = EmailSection.model_validate(
        {"host": "127.0.0.1", "from": "briefing@example.se", "to": ["chef@example.se"]}
    )

    def email() -> bytes:
        return bytes(build_message(briefing, settings, now=briefing.generated_at).as_bytes())

    found["e-mail (text + HTML parts)"] = email
    return found


def measure(count: int = INCIDENTS, repeats: int = 5) -> dict[str, Any]:
    """In this process: each renderer's first call (cold: templates compiled for the
    first time, modules already imported) and the median of `repeats` more."""
    briefing = night(count)
    found: dict[str, Any] = {"incidents": len(briefing.items)}
    actions = {"floor": lambda: floor_html(briefing), **renderers(briefing)}
    for name, action in actions.items():
        if isinstance(action, str):
            found[name] = action
            continue
        start = time.perf_counter()
        action()
        first = time.perf_counter() - start
        again = []
        for _ in range(repeats):
            start = time.perf_counter()
            action()
            again.append(time.perf_counter() - start)
        found[name] = [first, statistics.median(again)]
    return found


def run(runs: int = RUNS, count: int = INCIDENTS) -> list[Row]:
    """Each figure is the median, over `runs` fresh interpreters, of the first render."""
    samples = [json.loads(run_python(["-m", "bench.rendering", str(count)])) for _ in range(runs)]
    floor = statistics.median(sample["floor"][0] for sample in samples)
    rows = []
    for name, value in samples[0].items():
        if name in ("incidents", "floor"):
            continue
        label = f"render: {name}, {samples[0]['incidents']} incidents"
        target = f"< {TARGET * 1000:g} ms"
        if isinstance(value, str):
            rows.append(Row(label, None, "s", floor, target, None, value))
            continue
        cold = statistics.median(sample[name][0] for sample in samples)
        warm = statistics.median(sample[name][1] for sample in samples)
        note = (
            f"first render in a fresh interpreter, median of {runs}; again in the same "
            f"process: {warm * 1000:.0f} ms; floor: jinja2 on a bare list of the same items"
        )
        rows.append(Row(label, cold, "s", floor, target, cold < TARGET, note))
    return rows


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else INCIDENTS)))
