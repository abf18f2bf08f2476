"""The polisen adapter on recorded real API responses (tests/data/polisen/).

Where a quirk is documented (DOMAIN.md §1) but absent from the recordings, a
real record is copied and only the field under test is changed.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from briefing import sources
from briefing.errors import RateLimited, SourceError
from briefing.models import Incident, Origin
from briefing.sources.base import Batch, FetchContext, Source
from briefing.sources.http import DEFAULT_USER_AGENT, HttpClient, ascii_header
from briefing.sources.polisen import PolisenSettings, PolisenSource
from tests.builders import DATA, build, fetch_context

POLISEN = DATA / "polisen"
MORNING_2023 = POLISEN / "polisen-events-2023-06-08-morning.json"
SWITCH_2026 = POLISEN / "polisen-events-2026-01-20-location-switch.json"
COUNTY_ERA = POLISEN / "polisen-events-2026-07-29-county-era.json"
EXTRACT = POLISEN / "polisen-events-jarfalla-extract.json"
SNAPSHOTS = [MORNING_2023, SWITCH_2026, COUNTY_ERA]
ALL_FILES = [*SNAPSHOTS, EXTRACT]
UA = "briefing/0.1 (Järfälla kommun, säkerhetsenheten; sakerhet@example.se)"

STOCKHOLM = ZoneInfo("Europe/Stockholm")


# --- helpers ---------------------------------------------------------------


def context(http: HttpClient | None = None) -> FetchContext:
    return fetch_context(http, datetime(2026, 7, 30, 8, 30, tzinfo=STOCKHOLM))


def adapter(**where: Any) -> Source:
    return build("polisen", **where)


def fetch(path: Path) -> Batch:
    return adapter(path=path).fetch(context())


@cache
def recorded(path: Path) -> Batch:
    """The batch of a file under tests/data, read once (tests only read it)."""
    return fetch(path)


@cache
def _events(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def events(path: Path) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(_events(path))
    return copy.deepcopy(records)


def record(path: Path, event_id: int) -> dict[str, Any]:
    return next(e for e in events(path) if e["id"] == event_id)


def by_key(batch: Batch) -> dict[str, Incident]:
    return {incident.key: incident for incident in batch.incidents}


def write(folder: Path, records: Any, name: str = "events.json", bom: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    data = json.dumps(records, ensure_ascii=False).encode("utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + data if bom else data)
    return path


def one(records: list[dict[str, Any]], tmp_path: Path) -> Incident:
    batch = fetch(write(tmp_path, records))
    assert batch.problems == []
    (incident,) = batch.incidents
    return incident


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=STOCKHOLM)


# --- every recording -------------------------------------------------------


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_every_recorded_event_is_read(path: Path) -> None:
    batch = recorded(path)
    assert batch.problems == []
    assert len(batch.incidents) == len(events(path))
    for incident in batch.incidents:
        assert incident.published_at.tzinfo is STOCKHOLM
        assert incident.url and incident.url.startswith("https://polisen.se/aktuellt/handelser/")
        assert incident.lat is None and incident.lon is None  # gps is only a centroid
        assert json.loads(incident.raw)["id"] == int(incident.key)


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_publication_times_match_the_text_including_unpadded_hours(path: Path) -> None:
    # An independent reading of "YYYY-MM-DD H:MM:SS +HH:MM" with a regex.
    pattern = re.compile(r"(\d{4})-(\d\d)-(\d\d) (\d{1,2}):(\d\d):(\d\d) ([+-])(\d\d):(\d\d)$")
    published = by_key(recorded(path))
    unpadded = 0
    for event in events(path):
        match = pattern.match(event["datetime"])
        assert match, event["datetime"]
        y, mo, d, h, mi, s, sign, oh, om = match.groups()
        offset = timedelta(hours=int(oh), minutes=int(om)) * (1 if sign == "+" else -1)
        expected = datetime(
            int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=timezone(offset)
        )
        got = published[str(event["id"])].published_at
        assert got == expected
        assert got.utcoffset() == offset  # the wall clock in Stockholm is the one written
        unpadded += len(h) == 1
    assert unpadded > 50  # the night and morning events fromisoformat would drop


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_incident_times_lie_shortly_before_publication(path: Path) -> None:
    # A wrong year would put an incident about 365 days off.
    for incident in recorded(path).incidents:
        assert incident.occurred_at is not None, incident.title
        lag = incident.published_at - incident.occurred_at
        assert timedelta(hours=-1) < lag < timedelta(days=20), (incident.title, lag)
        assert incident.occurred_at.tzinfo is STOCKHOLM


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_batch_is_sorted_by_publication_though_the_array_is_not(path: Path) -> None:
    def instant(e: dict[str, Any]) -> datetime:
        return datetime.strptime(e["datetime"], "%Y-%m-%d %H:%M:%S %z")

    as_written = [instant(e) for e in events(path)]
    assert as_written != sorted(as_written)
    got = [(i.published_at.timestamp(), i.key) for i in recorded(path).incidents]
    assert got == sorted(got)


# --- incident time from the title --------------------------------------------


def test_colon_time_of_the_2023_format() -> None:
    incident = by_key(recorded(MORNING_2023))["429710"]
    assert incident.title == "06 juni 23:24, Misshandel, Järfälla"
    assert incident.occurred_at == at(2023, 6, 6, 23, 24)
    assert incident.published_at == at(2023, 6, 7, 8, 8, 42)


def test_dot_time_of_the_county_era() -> None:
    incident = by_key(recorded(COUNTY_ERA))["647759"]
    assert incident.title == "24 juli 03.37, Våldtäkt, Järfälla"
    assert incident.occurred_at == at(2026, 7, 24, 3, 37)


def test_unpadded_day(tmp_path: Path) -> None:
    event = record(COUNTY_ERA, 647718)  # "23 juli 15.10, Misshandel, Järfälla"
    event["name"] = "9 juli 15.53, Misshandel, Järfälla"
    assert one([event], tmp_path).occurred_at == at(2026, 7, 9, 15, 53)


def test_incident_dated_seconds_after_publication_keeps_the_year() -> None:
    incident = by_key(recorded(COUNTY_ERA))["647544"]  # "21 juli 22.00" published 21:59:23
    assert incident.occurred_at == at(2026, 7, 21, 22, 0)


def test_new_year_rollover(tmp_path: Path) -> None:
    late = record(EXTRACT, 472285)
    late.update(name="31 december 23.50, Brand, Järfälla", datetime="2024-01-01 0:40:00 +01:00")
    early = record(EXTRACT, 472224)
    early.update(name="1 januari 00.10, Brand, Järfälla", datetime="2024-01-01 0:40:00 +01:00")
    found = by_key(fetch(write(tmp_path, [late, early])))
    assert found["472285"].occurred_at == at(2023, 12, 31, 23, 50)
    assert found["472285"].published_at == at(2024, 1, 1, 0, 40)
    assert found["472224"].occurred_at == at(2024, 1, 1, 0, 10)


def test_spring_forward_gap_gives_a_real_instant(tmp_path: Path) -> None:
    # 02:30 did not exist on 2023-03-26 in Stockholm.
    event = record(EXTRACT, 472224)
    event.update(name="26 mars 02.30, Brand, Järfälla", datetime="2023-03-26 8:00:00 +02:00")
    occurred = one([event], tmp_path).occurred_at
    assert occurred is not None
    round_trip = occurred.astimezone(UTC).astimezone(STOCKHOLM)
    assert (round_trip.hour, round_trip.minute) == (occurred.hour, occurred.minute)
    assert occurred.astimezone(UTC) in (
        datetime(2023, 3, 26, 0, 30, tzinfo=UTC),
        datetime(2023, 3, 26, 1, 30, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("published", "expected_utc_hour"),
    [("2023-10-29 9:00:00 +01:00", 1), ("2023-10-29 2:45:00 +02:00", 0)],
)
def test_autumn_repeated_hour_takes_the_reading_nearest_before_publication(
    tmp_path: Path, published: str, expected_utc_hour: int
) -> None:
    # 02:30 happened twice on 2023-10-29 (00:30 and 01:30 UTC).
    event = record(EXTRACT, 472224)
    event.update(name="29 oktober 02.30, Brand, Järfälla", datetime=published)
    occurred = one([event], tmp_path).occurred_at
    assert occurred is not None
    assert occurred.astimezone(UTC) == datetime(2023, 10, 29, expected_utc_hour, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "name",
    ["Sammanfattning natt, Järfälla", "31 februari 10.00, Brand, Järfälla", "06 jun 17.40, x"],
)
def test_title_without_a_readable_time_is_not_an_error(tmp_path: Path, name: str) -> None:
    event = record(EXTRACT, 472224)
    event["name"] = name
    incident = one([event], tmp_path)
    assert incident.occurred_at is None
    assert incident.when == incident.published_at


# --- place -----------------------------------------------------------------


def test_county_era_events_are_placed_by_the_title() -> None:
    placed = by_key(recorded(COUNTY_ERA))
    jarfalla = [i for i in placed.values() if i.municipality == "Järfälla"]
    assert len(jarfalla) == 5
    for incident in jarfalla:
        assert json.loads(incident.raw)["location"]["name"] == "Stockholms län"
        assert incident.county == "Stockholms län"
        assert incident.location == "Järfälla"
    county_only = placed["647532"]  # "21 juli 07.12, Misshandel, Stockholms län"
    assert (county_only.municipality, county_only.county) == (None, "Stockholms län")
    assert county_only.location == "Stockholms län"


def test_switch_snapshot_mixes_municipality_and_county_locations() -> None:
    placed = by_key(recorded(SWITCH_2026))
    # New on 2026-01-20: location is the county, the title still names the municipality.
    leksand = placed["622114"]
    assert json.loads(leksand.raw)["location"]["name"] == "Dalarnas län"
    assert (leksand.municipality, leksand.county) == ("Leksand", "Dalarnas län")
    # Edited that morning ("Uppdatering 260120"), so it took the county too.
    assert (placed["620462"].municipality, placed["620462"].county) == (
        "Uddevalla",
        "Västra Götalands län",
    )
    # The one Järfälla event is from before the switch.
    assert [i.key for i in placed.values() if i.municipality == "Järfälla"] == ["621781"]
    # Where location.name is still a municipality, it agrees with the title.
    for event in events(SWITCH_2026):
        location = event["location"]["name"]
        if not location.endswith("län"):
            municipality = placed[str(event["id"])].municipality
            assert municipality is not None
            assert municipality.casefold() == location.casefold()


@pytest.mark.parametrize(
    ("path", "event_id", "written", "canonical"),
    [
        (MORNING_2023, 429807, "Upplands väsby", "Upplands Väsby"),
        (MORNING_2023, 429648, "Upplands-bro", "Upplands-Bro"),
        (SWITCH_2026, 621962, "Upplands väsby", "Upplands Väsby"),
    ],
)
def test_spelling_variants(path: Path, event_id: int, written: str, canonical: str) -> None:
    incident = by_key(recorded(path))[str(event_id)]
    assert incident.municipality == canonical
    assert incident.county == "Stockholms län"
    assert incident.location == written


def test_multi_comma_type_and_place() -> None:
    incident = by_key(recorded(SWITCH_2026))["621962"]
    assert incident.title == "19 januari 00.48, Mord/dråp, försök, Upplands väsby"
    assert incident.type == "Mord/dråp, försök"
    assert incident.occurred_at == at(2026, 1, 19, 0, 48)


def test_title_wins_over_an_inconsistent_location() -> None:
    incident = by_key(recorded(EXTRACT))["472285"]
    assert json.loads(incident.raw)["location"]["name"] == "Järfälla"
    assert incident.municipality == "Upplands-Bro"
    assert incident.location == "Upplands-Bro"


def test_location_name_is_the_fallback_for_an_unknown_title_place(tmp_path: Path) -> None:
    event = record(MORNING_2023, 429710)  # location "Järfälla"
    event["name"] = "06 juni 23:24, Misshandel, Jakobsberg"
    incident = one([event], tmp_path)
    assert (incident.municipality, incident.county) == ("Järfälla", "Stockholms län")
    assert incident.location == "Jakobsberg"


def test_gps_is_never_a_position(tmp_path: Path) -> None:
    event = record(COUNTY_ERA, 647759)
    event["location"]["gps"] = "59.4301,17.8312"  # even a plausible street-level point
    incident = one([event], tmp_path)
    assert (incident.lat, incident.lon) == (None, None)


def test_extract_is_all_jarfalla_except_where_the_title_says_otherwise() -> None:
    batch = recorded(EXTRACT)
    assert len(batch.incidents) == 164
    elsewhere = {i.key for i in batch.incidents if i.municipality != "Järfälla"}
    names = re.findall(r'"id": (\d+),\s*"datetime": "[^"]*",\s*"name": "([^"]*)"', _events(EXTRACT))
    assert len(names) == 164
    assert elsewhere == {i for i, name in names if not name.endswith(", Järfälla")} == {"472285"}


@pytest.mark.parametrize(("path", "count"), [(MORNING_2023, 7), (SWITCH_2026, 1), (COUNTY_ERA, 5)])
def test_snapshots_yield_exactly_their_jarfalla_events(path: Path, count: int) -> None:
    # Counted on the text: title lines that end in ", Järfälla".
    lines = [line.strip() for line in _events(path).splitlines()]
    in_text = [
        line for line in lines if line.startswith('"name": "') and line.endswith(', Järfälla",')
    ]
    found = [i for i in recorded(path).incidents if i.municipality == "Järfälla"]
    assert len(in_text) == len(found) == count


# --- text fields ---------------------------------------------------------------


def test_type_is_stripped(tmp_path: Path) -> None:
    event = record(EXTRACT, 472224)
    event["type"] = "Lagen om hundar och katter "
    assert one([event], tmp_path).type == "Lagen om hundar och katter"


def test_empty_type_falls_back_to_the_title(tmp_path: Path) -> None:
    event = record(EXTRACT, 472285)  # "25 november 13.10, Farligt föremål, misstänkt, Upplands-Bro"
    event["type"] = " "
    assert one([event], tmp_path).type == "Farligt föremål, misstänkt"


def test_untrusted_text_is_cleaned(tmp_path: Path) -> None:
    event = record(EXTRACT, 472224)
    event["name"] = "24 november 16.43,\x1b[31m Trafikolycka, Järfälla\n"
    event["summary"] = "Två bilar\r\ni Jakobsberg.\x07"
    incident = one([event], tmp_path)
    assert incident.title == "24 november 16.43,[31m Trafikolycka, Järfälla"
    assert incident.summary == "Två bilar i Jakobsberg."
    assert incident.municipality == "Järfälla"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/aktuellt/handelser/2024/x/", "https://polisen.se/aktuellt/handelser/2024/x/"),
        ("https://polisen.se/aktuellt/y/", "https://polisen.se/aktuellt/y/"),
        ("javascript:alert(1)", None),
        ("data:text/html,hej", None),
        ("", None),
    ],
)
def test_event_url(tmp_path: Path, url: str, expected: str | None) -> None:
    event = record(EXTRACT, 472224)
    event["url"] = url
    assert one([event], tmp_path).url == expected


# --- files -------------------------------------------------------------------


def test_byte_order_mark(tmp_path: Path) -> None:
    path = write(tmp_path, events(COUNTY_ERA), bom=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    batch = fetch(path)
    assert batch.problems == []
    assert len(batch.incidents) == 500


def test_bad_records_are_reported_by_index_and_id_and_the_rest_kept(tmp_path: Path) -> None:
    good = events(COUNTY_ERA)[:5]
    no_time = record(COUNTY_ERA, 647759)
    del no_time["datetime"]
    iso_time = record(COUNTY_ERA, 647758)
    iso_time["datetime"] = "2026-07-24T10:33:49+02:00"
    no_id = record(COUNTY_ERA, 647752)
    no_id["id"] = "abc"
    records = [*good[:2], no_time, "not an event", *good[2:], iso_time, no_id]
    batch = fetch(write(tmp_path, records))
    assert [i.key for i in batch.incidents] == sorted(
        (str(e["id"]) for e in good), key=lambda k: by_key(batch)[k].published_at
    )
    assert batch.problems == [
        "polisen: record 2 (id 647759) in events.json: missing datetime",
        "polisen: record 3 in events.json: not an object but str",
        "polisen: record 7 (id 647758) in events.json: "
        "unreadable datetime '2026-07-24T10:33:49+02:00'",
        "polisen: record 8 (id abc) in events.json: id is not a number: 'abc'",
    ]


_GOOD = events(COUNTY_ERA)[0]
MALFORMED = [
    pytest.param({"id": 9001, "name": _GOOD["name"]}, "missing datetime", id="missing-datetime"),
    pytest.param(
        {"id": 9001, "datetime": _GOOD["datetime"]}, "missing or empty name", id="no-name"
    ),
    pytest.param({**_GOOD, "id": None}, "missing or non-numeric id", id="missing-id"),
    pytest.param({**_GOOD, "id": {"nr": 1}}, "missing or non-numeric id", id="id-wrong-type"),
    pytest.param({**_GOOD, "id": 9001, "datetime": 20260729}, "missing datetime", id="date-number"),
    pytest.param({**_GOOD, "id": 9001, "name": ["x"]}, "missing or empty name", id="name-list"),
    pytest.param("en sträng", "not an object but str", id="not-an-object"),
    pytest.param(
        {**_GOOD, "id": 9001, "datetime": "igår kl 12"},
        "unreadable datetime 'igår kl 12'",
        id="unparseable-date",
    ),
]


@pytest.mark.parametrize(("bad", "message"), MALFORMED)
def test_each_kind_of_malformed_record_is_named(tmp_path: Path, bad: object, message: str) -> None:
    good = events(COUNTY_ERA)[:2]
    batch = fetch(write(tmp_path, [good[0], bad, good[1]]))
    (problem,) = batch.problems
    assert re.fullmatch(
        rf"polisen: record 1( \(id [^)]*\))? in events\.json: {re.escape(message)}", problem
    )
    assert set(by_key(batch)) == {str(e["id"]) for e in good}


@pytest.mark.parametrize(
    "content", ['{"error": "Too many requests"}', "<html>login</html>", "", "\xff"]
)
def test_payload_that_is_not_an_array_is_a_source_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "events.json"
    path.write_bytes(content.encode("latin-1"))
    with pytest.raises(SourceError) as caught:
        fetch(path)
    assert str(path) in caught.value.message


def test_folder_of_snapshots_keeps_every_version_in_file_order(tmp_path: Path) -> None:
    first = events(MORNING_2023)
    edited = copy.deepcopy(first)
    target = next(e for e in edited if e["id"] == 429710)
    target["type"] = "Misshandel, grov"
    write(tmp_path, first, "2023-06-08T0644.json")
    write(tmp_path, edited, "2023-06-08T0714.json")
    write(tmp_path, first[:3], "notes.txt")  # not a .json file: ignored
    batch = fetch(tmp_path)
    assert batch.problems == []
    # Unchanged repeats are kept once; the edit is a second version, after the first.
    assert len(batch.incidents) == 501
    versions = [i.type for i in batch.incidents if i.key == "429710"]
    assert versions == ["Misshandel", "Misshandel, grov"]


def test_folder_with_a_broken_file_reports_it_and_reads_the_others(tmp_path: Path) -> None:
    write(tmp_path, events(COUNTY_ERA), "a.json")
    (tmp_path / "b.json").write_text("[{", encoding="utf-8")
    batch = fetch(tmp_path)
    assert len(batch.incidents) == 500
    (problem,) = batch.problems
    assert problem.startswith(f"polisen: {tmp_path / 'b.json'}: not valid JSON")


def test_empty_folder_is_reported(tmp_path: Path) -> None:
    batch = fetch(tmp_path)
    assert batch.incidents == []
    assert batch.problems == [f"polisen: no .json files in {tmp_path}"]


# --- settings and registry ---------------------------------------------------


def test_registered_and_settings_accepted() -> None:
    assert sources.adapter("polisen") is PolisenSource
    settings = PolisenSettings.model_validate(
        {
            "kind": "polisen",
            "origin": "police",
            "url": "https://polisen.se/api/events",
            "user_agent": f"  {UA} ",
            "details": True,
            "details_path": "sidor",
        }
    )
    assert settings.user_agent == UA
    assert settings.details is True
    assert settings.details_path == Path("sidor")


@pytest.mark.parametrize("bad", ["", "   ", "briefing\r\nX-Evil: 1"])
def test_unusable_user_agent_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="user_agent"):
        PolisenSettings(kind="polisen", origin=Origin.POLICE, url="https://x.se/", user_agent=bad)


# --- live API ------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_785_000_000.0
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class FakeApi:
    """polisen.se/api/events answering with a slice of a real snapshot."""

    def __init__(self, body: bytes | None = None, status: int = 200) -> None:
        self.requests: list[httpx.Request] = []
        self.body = body if body is not None else json.dumps(events(COUNTY_ERA)[:3]).encode()
        self.status = status

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status, content=self.body)


def live(api: FakeApi, clock: FakeClock, **extra: Any) -> tuple[Source, FetchContext]:
    http = HttpClient(transport=httpx.MockTransport(api), sleep=clock.sleep, wall_clock=clock.time)
    return adapter(url="https://polisen.se/api/events", **extra), context(http)


def test_live_fetch_sends_the_configured_user_agent_and_waits_10_s() -> None:
    api, clock = FakeApi(), FakeClock()
    source, ctx = live(api, clock, user_agent=UA)
    first = source.fetch(ctx)
    assert [i.key for i in first.incidents] == sorted(
        (str(e["id"]) for e in events(COUNTY_ERA)[:3]),
        key=lambda k: by_key(first)[k].published_at,
    )
    assert clock.slept == []
    clock.now += 3
    source.fetch(ctx)
    assert clock.slept == [pytest.approx(7.0)]
    assert len(api.requests) == 2
    for request in api.requests:
        # HTTP headers carry ASCII: the HTTP layer drops the diacritics.
        assert request.headers["User-Agent"] == ascii_header(UA)
        assert "Jarfalla kommun, sakerhetsenheten" in request.headers["User-Agent"]
        assert str(request.url) == "https://polisen.se/api/events"  # no filters added


def test_live_fetch_without_user_agent_sends_the_default() -> None:
    api = FakeApi()
    source, ctx = live(api, FakeClock())
    source.fetch(ctx)
    assert api.requests[0].headers["User-Agent"] == DEFAULT_USER_AGENT
    assert DEFAULT_USER_AGENT.startswith("briefing/")


def test_61st_call_within_an_hour_is_refused_without_sending() -> None:
    api, clock = FakeApi(), FakeClock()
    source, ctx = live(api, clock, user_agent=UA)
    for _ in range(60):
        source.fetch(ctx)
    assert clock.now - 1_785_000_000.0 < 3600
    with pytest.raises(RateLimited):
        source.fetch(ctx)
    assert len(api.requests) == 60


def test_live_payload_that_is_not_an_array_names_the_url() -> None:
    source, ctx = live(FakeApi(b'{"message": "blocked"}'), FakeClock())
    with pytest.raises(SourceError, match=r"https://polisen\.se/api/events: expected a JSON array"):
        source.fetch(ctx)
