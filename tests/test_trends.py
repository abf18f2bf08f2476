"""What keeps coming back: districts against their own baseline, repeat places, daily counts."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import datetime, timedelta
from itertools import count
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.judge import trends
from briefing.judge.classify import classify
from briefing.judge.fuse import fuse
from briefing.judge.judge import Judge
from briefing.judge.places import Area, Gazetteer
from briefing.judge.rulebook import Rules
from briefing.judge.trends import (
    daily_counts,
    district_trends,
    ordinal,
    poisson_tail,
    repeat_places,
)
from briefing.models import (
    Briefing,
    Incident,
    Item,
    Judgement,
    Origin,
    Place,
    Precision,
    Repeat,
    Severity,
    Status,
    Trend,
)
from briefing.render import render
from briefing.sources.base import FetchContext
from briefing.sources.http import HttpClient
from briefing.sources.polisen import PolisenSettings, PolisenSource
from briefing.store import Store

TZ = ZoneInfo("Europe/Stockholm")
END = datetime(2023, 6, 8, 8, 30, tzinfo=TZ)
POLISEN = Path(__file__).parent / "data" / "polisen"
AREA = Area("Järfälla", "Stockholms län", ("Sollentuna",))
GAZETTEER = Gazetteer.bundled("Järfälla")
runner = CliRunner()
_keys = count()


def item(
    days_ago: float,
    category: str = "fire",
    *,
    district: str | None = "Jakobsberg",
    place: str | None = None,
    severity: Severity = Severity.MEDIUM,
    source: str = "polisen",
) -> Item:
    when = END - timedelta(days=days_ago)
    precision = Precision.PLACE if place else Precision.DISTRICT
    incident = Incident(
        source=source,
        key=str(next(_keys)),
        origin=Origin.POLICE,
        type=category,
        title="",
        summary="",
        published_at=when + timedelta(hours=1),
        occurred_at=when,
        municipality="Järfälla",
    )
    where = Place("Järfälla", district, place or district, precision)
    return Item(incident, Status.NEW, where, Judgement(category, severity), local=True)


def baseline(per_week: int, category: str = "fire") -> list[Item]:
    """`per_week` incidents in each of the 8 weeks before the last 7 days."""
    return [item(8 + week * 7 + n * 0.5, category) for week in range(8) for n in range(per_week)]


# --- "clearly above" ---------------------------------------------------------------------


def test_poisson_tail() -> None:
    assert poisson_tail(0, 2.0) == 1.0
    assert poisson_tail(1, 2.0) == pytest.approx(1 - 2.718281828**-2)
    assert poisson_tail(3, 1.0) == pytest.approx(0.0803, abs=1e-4)
    assert poisson_tail(4, 1.0) == pytest.approx(0.0190, abs=1e-4)


@pytest.mark.parametrize(
    ("per_week", "recent", "flagged"),
    [
        (1, 3, False),  # p = 0.080 at one a week: not clearly above
        (1, 4, True),  # p = 0.019
        (0, 2, False),  # below the minimum count of 3
        (0, 3, True),  # three after eight quiet weeks
        (2, 5, False),  # p = 0.053
        (2, 6, True),  # p = 0.017
    ],
)
def test_flagged_when_at_least_3_and_p_below_5_percent(
    per_week: int, recent: int, flagged: bool
) -> None:
    items = baseline(per_week) + [item(n * 0.5) for n in range(recent)]
    [trend] = district_trends(items, END, "sv")
    assert (trend.last_7_days, trend.baseline_per_week, trend.flagged) == (
        recent,
        per_week,
        flagged,
    )


def test_each_district_and_category_has_its_own_baseline() -> None:
    items = [*baseline(2), item(1), item(2), item(3)]  # Jakobsberg: 3 fires, usually 2
    items += [item(1, district="Viksjö"), item(2, district="Viksjö"), item(3, district="Viksjö")]
    items += [item(1, "robbery"), item(2, "robbery"), item(3, "robbery")]
    found = {(t.district, t.category): t for t in district_trends(items, END, "sv")}
    assert not found["Jakobsberg", "fire"].flagged
    assert found["Viksjö", "fire"].flagged
    assert found["Jakobsberg", "robbery"].flagged
    assert found["Viksjö", "fire"].text == (
        "Viksjö, brand: 3 de senaste 7 dagarna, normalt 0,0 per vecka"
    )
    assert [t.flagged for t in found.values()] == [True, True, False]  # flagged first


def test_without_four_weeks_of_history_nothing_is_flagged() -> None:
    items = [item(n * 0.5) for n in range(6)]
    [trend] = district_trends(items, END, "en", baseline_weeks=0.5)
    assert not trend.flagged
    assert (
        trend.text == "Jakobsberg, fire: 6 in the last 7 days (too little history to compare with)"
    )


# --- repeat places ------------------------------------------------------------------------


def test_third_incident_at_a_place_in_14_days() -> None:
    station = "Jakobsbergs station"
    items = [item(13, "violence", place=station), item(6, place=station), item(0.2, place=station)]
    [repeat] = repeat_places(items, END, "sv")
    assert repeat.text == "3:e händelsen vid Jakobsbergs station på 14 dagar"
    assert (repeat.place, repeat.district, repeat.count, repeat.days) == (
        station,
        "Jakobsberg",
        3,
        14,
    )
    assert repeat.incident_ids == tuple(i.incident.id for i in items)
    [english] = repeat_places(items, END, "en")
    assert english.text == "3rd incident at Jakobsbergs station in 14 days"


def test_what_does_not_make_a_repeat_place() -> None:
    station = "Jakobsbergs station"
    two = [item(2, place=station), item(1, place=station)]
    assert repeat_places(two, END, "sv") == ()
    old = [item(15, place=station), *two]
    assert repeat_places(old, END, "sv") == ()
    routine = [item(3, place=station, severity=Severity.LOW), *two]
    assert repeat_places(routine, END, "sv") == ()
    district = [item(n) for n in range(4)]  # "i Jakobsberg" is no place
    assert repeat_places(district, END, "sv") == ()


def test_a_repeat_place_is_listed_only_when_this_briefing_brings_one_of_them() -> None:
    station = "Jakobsbergs station"
    items = [item(10, place=station), item(8, place=station), item(5, place=station)]
    assert repeat_places(items, END, "sv", since=END - timedelta(days=1)) == ()
    assert len(repeat_places(items, END, "sv", since=END - timedelta(days=6))) == 1


@pytest.mark.parametrize(
    ("number", "sv", "en"),
    [(1, "1:a", "1st"), (2, "2:a", "2nd"), (3, "3:e", "3rd"), (4, "4:e", "4th"),
     (11, "11:e", "11th"), (12, "12:e", "12th"), (13, "13:e", "13th"), (21, "21:a", "21st"),
     (22, "22:a", "22nd"), (101, "101:a", "101st"), (111, "111:e", "111th")],
)  # fmt: skip
def test_ordinals(number: int, sv: str, en: str) -> None:
    assert (ordinal("sv", number), ordinal("en", number)) == (sv, en)


# --- daily counts -------------------------------------------------------------------------


def test_daily_counts_per_district_oldest_first_by_local_day() -> None:
    late = replace(item(0), place=Place("Järfälla", "Viksjö", "Viksjö", Precision.DISTRICT))
    late = replace(
        late,
        incident=replace(late.incident, occurred_at=datetime(2023, 6, 7, 23, 30, tzinfo=TZ)),
    )
    items = [item(0), item(1), item(1), item(27), item(28), item(0, district=None), late]
    districts = ("Jakobsberg", "Viksjö", "Barkarby-Skälby", "Kallhäll-Stäket")
    daily = dict(daily_counts(items, END, TZ, districts))
    assert list(daily) == [*districts, None]
    assert all(len(counts) == 28 for counts in daily.values())
    assert daily["Jakobsberg"][-1] == 1 and daily["Jakobsberg"][-2] == 2
    assert daily["Jakobsberg"][0] == 1  # 27 days ago; 28 days ago is outside
    assert sum(daily["Jakobsberg"]) == 4
    assert daily["Viksjö"][-2] == 1  # 23:30 local is the 7th, whatever the offset
    assert daily[None][-1] == 1


# --- from the store ------------------------------------------------------------------------


def stored(*files: Path, shift: timedelta = timedelta(0), copies: int = 1) -> Store:
    store = Store.memory()
    with HttpClient() as http:
        for name in files:
            settings = PolisenSettings(kind="polisen", origin=Origin.POLICE, path=name)
            batch = PolisenSource("polisen", settings).fetch(
                FetchContext(http=http, now=END, tz=TZ, municipality="Järfälla")
            )
            for n in range(copies):
                moved = [
                    replace(
                        i,
                        key=f"{i.key}-{n}",
                        published_at=i.published_at + shift * n,
                        occurred_at=i.occurred_at and i.occurred_at + shift * n,
                    )
                    for i in batch.incidents
                ]
                store.save_batch("polisen", moved, {}, END)
    return store


def test_only_the_home_municipality_is_judged(monkeypatch: pytest.MonkeyPatch) -> None:
    store = stored(POLISEN / "polisen-events-2023-06-08-morning.json")
    judged: list[str] = []
    real = classify

    def counting(incident: Incident, *args: object, **kwargs: object) -> Judgement:
        judged.append(incident.municipality or "")
        return real(incident, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("briefing.judge.judge.classify", counting)
    trends.compute(store, Judge(AREA, GAZETTEER, Rules.load()), end=END, tz=TZ)
    assert judged and set(judged) == {"Järfälla"}
    assert len(judged) < 20  # of the 500 events of the whole country


def test_nine_weeks_of_the_whole_country_take_a_fraction_of_a_second() -> None:
    """The 500 newest events of the country span about 7 days: nine weeks of daily runs
    store about 4,500 events, here nine copies of a real snapshot a week apart."""
    snapshot = POLISEN / "polisen-events-2026-07-29-county-era.json"
    store = stored(snapshot, shift=timedelta(days=-7), copies=9)
    end = datetime(2026, 7, 30, 8, 30, tzinfo=TZ)
    started = time.perf_counter()
    found = trends.compute(store, Judge(AREA, GAZETTEER, Rules.load()), end=end, tz=TZ)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"{elapsed:.2f} s"  # about 0.25 s here, mostly reading the store
    assert len(found[2]) == 5  # four kommundelar and "unknown"


def test_reports_of_one_event_count_once() -> None:
    police = item(1, place="Viksjö centrum", district="Viksjö")
    guards = replace(police, incident=replace(police.incident, source="vakter", key="g"))
    items = fuse([police, guards])
    assert len(items) == 1


def test_the_demo_shows_a_place_that_keeps_coming_back() -> None:
    result = runner.invoke(app, ["today", "--demo", "-f", "json"], catch_exceptions=False)
    document = json.loads(result.stdout)
    [repeat] = document["repeats"]
    assert repeat["text"] == "4:e händelsen vid Jakobsbergs centrum på 14 dagar"
    assert len(repeat["incidents"]) == 4
    assert any(t["district"] == "Jakobsberg" for t in document["trends"])


# --- shown in every format ----------------------------------------------------------------


def shown(lang: str = "sv") -> Briefing:
    serious = item(0.1, "shooting", place="Jakobsbergs station", severity=Severity.CRITICAL)
    other = item(0.2, "theft", place="Jakobsbergs station")
    return Briefing(
        municipality="Järfälla",
        generated_at=END,
        window_start=END - timedelta(hours=16),
        window_end=END,
        language=lang,
        sources=(),
        items=(serious, other),
        trends=(
            Trend("Viksjö", "fire", 3, 0.0, True, "Viksjö, brand: 3 <b>de senaste</b> 7 dagarna"),
            Trend("Jakobsberg", "fire", 1, 0.5, False, "ONLY IN JSON"),
        ),
        repeats=(
            Repeat("Jakobsbergs station", "Jakobsberg", 3, 14, ("a", "b", "c"), "3:e gången"),
        ),
    )


@pytest.mark.parametrize("fmt", ["terminal", "text", "markdown", "html"])
def test_every_format_shows_the_section_after_the_serious_incidents(fmt: str) -> None:
    output = render(shown(), fmt)
    heading = "ÅTERKOMMER" if fmt == "text" else "Återkommer"
    serious = "ALLVARLIGA" if fmt == "text" else "Allvarliga händelser"
    other = "ÖVRIGA" if fmt == "text" else "Övriga händelser"
    assert output.index(serious) < output.index(heading) < output.index(other)
    section = output[output.index(heading) : output.index(other)]
    assert "Viksjö, brand: 3" in section and "3:e gången" in section
    assert "ONLY IN JSON" not in output
    if fmt == "html":
        assert "&lt;b&gt;de senaste&lt;/b&gt;" in section


def test_json_carries_every_trend_and_repeat() -> None:
    document = json.loads(render(shown(), "json"))
    assert [t["flagged"] for t in document["trends"]] == [True, False]
    assert document["repeats"] == [
        {
            "place": "Jakobsbergs station",
            "district": "Jakobsberg",
            "count": 3,
            "days": 14,
            "incidents": ["a", "b", "c"],
            "text": "3:e gången",
        }
    ]


def test_a_quiet_briefing_has_no_such_section() -> None:
    output = render(replace(shown(), trends=(), repeats=()), "text")
    assert "ÅTERKOMMER" not in output
