"""classify and rules.toml: the type table, keyword rules, reasons, broken files."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from briefing import config, pipeline
from briefing.errors import ConfigError
from briefing.judge.classify import Rules, classify, situation
from briefing.models import Incident, Judgement, Origin, Place, Severity
from briefing.sources.http import HttpClient
from briefing.sources.polisen import parse_event
from briefing.store import Store

TZ = ZoneInfo("Europe/Stockholm")
DATA = Path(__file__).parent / "data"
NOWHERE = Place("Järfälla")


@pytest.fixture(scope="module")
def rules() -> Rules:
    return Rules.load()


@pytest.fixture(scope="module")
def events() -> dict[int, Incident]:
    records = json.loads((DATA / "polisen" / "polisen-events-jarfalla-extract.json").read_text())
    return {r["id"]: parse_event(r, source="polisen", origin=Origin.POLICE, tz=TZ) for r in records}


@pytest.fixture(scope="module")
def pages() -> dict[int, str]:
    parsed = json.loads((DATA / "eval" / "polisen-details-jarfalla-parsed.json").read_text())
    return {p["id"]: "\n".join([p["preamble"], *p["body_paragraphs"]]) for p in parsed}


def police_types() -> list[str]:
    listed = json.loads((DATA / "polisen" / "polisen-event-types.json").read_text())
    return [entry["type"] for entry in listed["types"]]


def report(kind: str, summary: str, origin: Origin = Origin.POLICE, text: str = "") -> Incident:
    return Incident(
        source="test",
        key="1",
        origin=origin,
        type=kind,
        title=f"1 maj 08.00, {kind}, Järfälla",
        summary=summary,
        published_at=datetime(2024, 5, 1, 8, 0, tzinfo=TZ),
        municipality="Järfälla",
        location="Järfälla",
        text=text,
    )


def judge(rules: Rules, kind: str, summary: str, origin: Origin = Origin.POLICE) -> Judgement:
    return classify(report(kind, summary, origin), NOWHERE, rules)


def test_all_97_police_types_are_in_the_table(rules: Rules) -> None:
    types = police_types()
    assert len(types) == 97
    missing = [kind for kind in types if kind.strip() not in rules.types]
    assert missing == []
    assert {entry.category for entry in rules.types.values()} <= set(rules.categories)


def test_the_type_with_a_trailing_space_is_found(rules: Rules) -> None:
    judgement = judge(rules, "Lagen om hundar och katter ", "En lös hund på en skolgård.")
    assert judgement.category == "animal"
    assert judgement.reasons[0] == "type 'Lagen om hundar och katter': animal, base low"


def test_an_unknown_type_is_shown_not_hidden(rules: Rules) -> None:
    judgement = judge(rules, "Drönare över fängelse", "En drönare har setts över anstalten.")
    assert (judgement.category, judgement.severity) == ("other", Severity.MEDIUM)
    assert judgement.reasons == ("unknown type 'Drönare över fängelse': other, base medium",)


@pytest.mark.parametrize(
    ("kind", "summary", "category", "severity"),
    [
        ("Övrigt", "Skottlossningen i natt utreds som försök till mord.", "shooting", "critical"),
        ("Misshandel", "En man sköts i benet utanför en port.", "shooting", "critical"),
        ("Övrigt", "En man hittades knivhuggen i ett trapphus.", "violence", "high"),
        ("Räddningsinsats", "Det brinner i ett flerbostadshus.", "rescue", "medium"),
        ("Övrigt", "Det brinner i ett flerbostadshus.", "fire", "high"),
        (
            "Farligt föremål, misstänkt",
            "En sprängladdning hittades vid en port.",
            "explosion",
            "critical",
        ),
        (
            "Kontroll person/fordon",
            "Uppgifter om att någon har skjutit mot ett fönster.",
            "shooting",
            "critical",
        ),
        ("Stöld/inbrott", "Inbrott i en förskola under natten.", "burglary", "high"),
        ("Brand", "Butiken utrymdes när det började brinna i ett lager.", "fire", "critical"),
    ],
)
def test_keywords_match_inflected_forms(
    rules: Rules, kind: str, summary: str, category: str, severity: str
) -> None:
    judgement = judge(rules, kind, summary)
    assert (judgement.category, judgement.severity) == (category, Severity(severity))


def test_reasons_name_the_rule_and_the_words(rules: Rules) -> None:
    judgement = judge(rules, "Brand", "Lägenhetsbrand i natt, två boende fick rökskador.")
    assert judgement.reasons == (
        "type 'Brand': fire, base medium",
        "rule 'building_fire' ('Lägenhetsbrand'): → high",
        "rule 'people_hurt_in_fire' ('rökskador'): → critical",
    )
    evacuated = judge(rules, "Bråk", "Bråk på en restaurang, lokalen utrymdes.")
    assert evacuated.reasons[-1] == "rule 'evacuation' ('utrymdes'): → critical"


@pytest.mark.parametrize(
    ("kind", "summary", "severity"),
    [
        ("Trafikolycka, personskada", "Två bilar krockade, ingen person skadades.", "low"),
        ("Trafikolycka", "Singelolycka utan personskador på E18.", "low"),
        ("Trafikolycka", "Inga uppgifter om personskador efter krocken.", "low"),
        ("Skottlossning, misstänkt", "Polisen hittade inga tecken på skottlossning.", "medium"),
        ("Brand", "Larm om brand i en skola, men det var falsklarm.", "low"),
        ("Brand", "Rök i ett trapphus, ingen brand.", "low"),
        ("Vapenlagen", "Ungdomar med vapenliknande föremål, det var attrapper.", "medium"),
    ],
)
def test_negative_cues_lower(rules: Rules, kind: str, summary: str, severity: str) -> None:
    assert judge(rules, kind, summary).severity is Severity(severity)


def test_serious_injuries_in_a_crash_are_not_no_injuries(rules: Rules) -> None:
    kept = judge(rules, "Trafikolycka, personskada", "Inga allvarliga personskador uppstod.")
    assert kept.severity is Severity.MEDIUM


def test_the_type_in_the_title_is_not_read_as_text(rules: Rules) -> None:
    # the title "…, Skottlossning, misstänkt, Järfälla" must not count as shots fired
    judgement = judge(rules, "Skottlossning, misstänkt", "Samtal om smällar i Kallhäll.")
    assert judgement.severity is Severity.HIGH
    knivsta = report("Kontroll", "Utryckning till skola.")
    knivsta = dataclasses.replace(
        knivsta, title="1 maj 08.00, Kontroll, Knivsta", location="Knivsta"
    )
    assert classify(knivsta, NOWHERE, rules).severity is Severity.LOW


def test_summaries_are_information_whatever_they_mention(rules: Rules) -> None:
    judgement = judge(rules, "Sammanfattning natt", "Skottlossning i Gävle, brand i en villa.")
    assert (judgement.category, judgement.severity) == ("info", Severity.INFO)


@pytest.mark.parametrize(
    ("kind", "category", "severity"),
    [
        ("Brand i soptunna", "fire", "low"),
        ("Lägenhetsbrand", "fire", "high"),
        ("Automatlarm", "fire", "low"),
        ("Ungdomar samlas", "public_order", "medium"),
        ("Klotter", "vandalism", "medium"),
        ("Rån mot butik", "robbery", "high"),
    ],
)
def test_free_form_types_from_other_origins_land_sensibly(
    rules: Rules, kind: str, category: str, severity: str
) -> None:
    judgement = judge(rules, kind, "", origin=Origin.GUARDS)
    assert (judgement.category, judgement.severity) == (category, Severity(severity))


def test_a_place_name_carries_its_kind(rules: Rules) -> None:
    # a guard report whose only text is the place: the canonical name says "centrum"
    incident = report("Misshandel", "En man slogs ned.")
    place = Place("Järfälla", "Jakobsberg", "Jakobsbergs centrum")
    assert classify(incident, place, rules).severity is Severity.HIGH
    assert classify(incident, NOWHERE, rules).severity is Severity.MEDIUM


def at(incident: Incident, moment: datetime) -> Incident:
    return dataclasses.replace(incident, occurred_at=moment)


WEDNESDAY_10 = datetime(2024, 5, 8, 10, 15, tzinfo=TZ)


@pytest.mark.parametrize(
    ("moment", "severity", "last_reason"),
    [
        (WEDNESDAY_10, "critical", "rule 'school_hours' ('skolgården, 10:15'): → critical"),
        (WEDNESDAY_10.replace(hour=21), "high", "rule 'school' ('skolgården'): → high"),
        (datetime(2024, 5, 11, 10, 15, tzinfo=TZ), "high", "rule 'school' ('skolgården'): → high"),
    ],
)
def test_violence_at_a_school_in_school_hours_is_raised_a_level(
    rules: Rules, moment: datetime, severity: str, last_reason: str
) -> None:
    fight = at(report("Misshandel", "En man misshandlades på skolgården."), moment)
    judgement = classify(fight, NOWHERE, rules)
    assert judgement.severity is Severity(severity)
    assert judgement.reasons[-1] == last_reason


def test_the_time_is_when_it_happened_else_when_reported_on_the_briefings_clock(
    rules: Rules,
) -> None:
    knife = report("Knivlagen", "En elev hade med sig en kniv till skolan.")
    published_in_school_hours = dataclasses.replace(knife, published_at=WEDNESDAY_10)
    assert classify(published_in_school_hours, NOWHERE, rules).severity is Severity.CRITICAL
    happened_at_night = at(published_in_school_hours, WEDNESDAY_10.replace(hour=1))
    assert classify(happened_at_night, NOWHERE, rules).severity is Severity.HIGH
    # 06:00 UTC is 08:00 in Stockholm (summer time): school hours there, not in UTC
    early = at(knife, datetime(2024, 5, 8, 6, 0, tzinfo=UTC))
    assert "school_hours" in situation(early, NOWHERE, rules).times
    assert "school_hours" not in situation(early, NOWHERE, rules.in_zone(UTC)).times
    assert situation(early, NOWHERE, rules).times == {"school_hours": "08:00"}


def test_night_runs_past_midnight(rules: Rules) -> None:
    quiet = report("Stöld", "En cykel stals.")
    for hour, night in ((21, False), (22, True), (0, True), (5, True), (6, False)):
        found = situation(at(quiet, WEDNESDAY_10.replace(hour=hour, minute=0)), NOWHERE, rules)
        assert ("night" in found.times) is night, hour


def test_the_setting_comes_from_the_words_or_the_kind_of_the_place(rules: Rules) -> None:
    fight = at(report("Misshandel", "En man slogs ned."), WEDNESDAY_10)
    school = Place("Järfälla", "Jakobsberg", "Tallbohovskolan", kind="school")
    judgement = classify(fight, school, rules)
    assert judgement.severity is Severity.CRITICAL
    assert "rule 'school' ('Tallbohovskolan'): → high" in judgement.reasons
    trouble = report("Bråk", "Bråk mellan flera personer.")
    centre = Place("Järfälla", "Barkarby-Skälby", "Barkarby station", kind="station")
    assert classify(trouble, centre, rules).severity is Severity.HIGH
    assert classify(trouble, NOWHERE, rules).severity is Severity.MEDIUM


@pytest.mark.parametrize(
    ("summary", "settings"),
    [
        ("Brand i ett flerfamiljshus i Kallhäll.", {"residential"}),
        ("Rån mot en livsmedelsbutik i Barkarby.", {"commercial"}),
        ("Bråk på torget vid pendeltågsstationen.", {"centre"}),
        ("Inbrott i en förskola.", {"school"}),
        ("Polisen stoppade en bil på E18.", set()),
        ("Rån vid bensinstationen.", {"commercial"}),  # not a station of the centre
    ],
)
def test_settings_from_words(rules: Rules, summary: str, settings: set[str]) -> None:
    assert set(situation(report("Övrigt", summary), NOWHERE, rules).settings) == settings


@pytest.mark.parametrize(
    ("event_id", "with_page", "category", "severity"),
    [
        (540162, False, "shooting", "critical"),  # Kontroll: "skjutit in genom ett fönster"
        (552279, False, "traffic_accident", "high"),  # a woman died after a bus hit her
        (552332, False, "violence", "medium"),  # grov misshandel of his girlfriend
        (429710, False, "violence", "high"),  # "Flicka misshandlad på fest."
        (543045, False, "weapons", "medium"),  # knives found in a car at a check
        (420202, True, "shooting", "medium"),  # bangs: "inga tecken på … skottlossning"
        (442114, True, "weapons", "high"),  # soft air gun, but in a schoolyard
        (480672, True, "fire", "critical"),  # flat fire, two people with smoke injuries
        (414100, True, "fire", "medium"),  # flower box on a balcony, smoke alarm
    ],
)
def test_real_events(
    rules: Rules,
    events: dict[int, Incident],
    pages: dict[int, str],
    event_id: int,
    with_page: bool,
    category: str,
    severity: str,
) -> None:
    incident = events[event_id]
    if with_page:
        incident = dataclasses.replace(incident, text=pages[event_id])
    judgement = classify(incident, NOWHERE, rules)
    assert (judgement.category, judgement.severity) == (category, Severity(severity))


BROKEN = """
categories = ["fire", "other", "info"]
[types]
"Brand" = { category = "fire", severity = "hihg" }
"Okänt" = { category = "weather", severity = "low" }

[[rules]]
name = "bad_regex"
pattern = 'brand(\\w*'
raise_to = "high"

[[rules]]
name = "bad_severity"
pattern = 'villa'
raise_to = "severe"

[[rules]]
name = "typo"
pattern = 'villa'
rasie_to = "high"
"""


def test_a_broken_rules_file_names_file_line_rule_and_problem(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        Rules.load(path)
    problems = caught.value.problems
    expected = [
        ":4: types.Brand.severity: 'hihg' is not a severity",
        ":5: types.\"Okänt\".category: unknown category 'weather' (see `categories`)",
        ":9: rules[0] ('bad_regex').pattern: bad regular expression 'brand(\\\\w*': missing ),",
        ":15: rules[1] ('bad_severity').raise_to: 'severe' is not a severity",
        ":20: rules[2] ('typo').rasie_to: unknown key",
    ]
    assert len(problems) == len(expected)
    for problem, text in zip(problems, expected, strict=True):
        assert problem.startswith(f"{path}:")
        assert problem.startswith(f"{path}{text}"), problem


def test_a_broken_setting_time_or_condition_is_named(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        "colour = 'red'\n"
        'categories = ["fire", "other", "info"]\n'
        "[settings.school]\nplace_kinds = ['classroom']\n"
        '[times.night]\nfrom = "22:00"\nto = "06:00"\n'
        '[times.dawn]\nfrom = "5"\nto = "06:00"\nweekdays = "yes"\n'
        "[[rules]]\nname = 'odd'\nsetting = 'moon'\ntime = ['night', 'noon']\nraise = 1\n"
        "[[rules]]\nname = 'bare'\nraise = 1\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        Rules.load(path)
    found = [problem.removeprefix(str(path)) for problem in caught.value.problems]
    assert found == [
        ":1: colour: unknown key",
        ":4: settings.school.place_kinds: unknown gazetteer kind 'classroom' "
        "(known: district, area, industrial, nature, centre, station, school, commercial, "
        "landmark, street, road)",
        ":9: times.dawn.from: must be a time of day \"HH:MM\", not '5'",
        ":11: times.dawn.weekdays: must be true or false",
        ":14: rules[0] ('odd').setting: unknown setting 'moon' (known: school)",
        ":15: rules[0] ('odd').time: unknown time 'noon' (known: dawn, night)",
        ":17: rules[1] ('bare'): needs a condition: one of pattern, setting, time",
    ]


def test_a_rules_file_with_a_toml_error_gives_the_line(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text('categories = ["other", "info"]\n[types\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"rules\.toml:2:7: TOML syntax"):
        Rules.load(path)


def test_a_minimal_rules_file_works(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        'categories = ["fire", "other", "info"]\n'
        '[types]\n"Brand" = { category = "fire", severity = "low" }\n'
        "[[rules]]\nname = \"villa\"\npattern = 'villa\\w*'\nraise = 2\n",
        encoding="utf-8",
    )
    custom = Rules.load(path)
    assert judge(custom, "Brand", "Brand i en villa.").severity is Severity.HIGH
    assert judge(custom, "Brand", "Brand i en bil.").severity is Severity.LOW


def test_the_notify_tables_of_the_rules_file_are_left_to_their_reader(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        'categories = ["fire", "other", "info"]\n'
        '[types]\n"Brand" = { category = "fire", severity = "low" }\n'
        '[[notify]]\nname = "fire_nearby"\nkinds = ["housing"]\nwithin_m = 500\n',
        encoding="utf-8",
    )
    assert Rules.load(path).types["Brand"].severity is Severity.LOW


def test_the_configured_rules_file_judges_the_briefing(tmp_path: Path) -> None:
    (tmp_path / "inkorg").mkdir()
    (tmp_path / "inkorg" / "natt.csv").write_text(
        "Datum;Händelse;Plats\n2026-11-26 23:10;Bråk;Jakobsbergs centrum\n", encoding="utf-8"
    )
    config_path = tmp_path / "sources.toml"
    config_path.write_text(
        '[briefing]\nmunicipality = "Järfälla"\n[rules]\nfile = "strict.toml"\n'
        '[sources.vakter]\nkind = "csv"\norigin = "guards"\npath = "inkorg"\n'
        'columns = { time = "Datum", category = "Händelse", place = "Plats" }\n',
        encoding="utf-8",
    )
    strict = tmp_path / "strict.toml"
    strict.write_text(
        'categories = ["public_order", "other", "info"]\n'
        '[types]\n"Bråk" = { category = "public_order", severity = "critical" }\n',
        encoding="utf-8",
    )
    now = datetime(2026, 11, 27, 8, 30, tzinfo=TZ)
    with HttpClient() as http:
        (item,) = pipeline.today(config.load(config_path), Store.memory(), http, now=now).items
    assert item.judgement.severity is Severity.CRITICAL
    strict.write_text(strict.read_text().replace('"critical"', '"hihg"'), encoding="utf-8")
    wrong = r'strict\.toml:3: types."Bråk".severity'
    with HttpClient() as http, pytest.raises(ConfigError, match=wrong):
        pipeline.today(config.load(config_path), Store.memory(), http, now=now)
