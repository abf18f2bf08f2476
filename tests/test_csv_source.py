"""The csv adapter on the example drops: encodings, delimiters, bad rows, read-once state."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from briefing import sources
from briefing.errors import SourceError
from briefing.models import Incident, Origin, mask_personnummer
from briefing.sources._timeparse import parse_datetime
from briefing.sources.base import Batch
from briefing.sources.csv import CsvSettings, CsvSource
from briefing.sources.http import HttpClient
from tests.builders import DATA, GUARD_COLUMNS, TZ, fetch_context, offline
from tests.builders import GUARDS_CSV as GUARDS

NOW = datetime(2023, 6, 8, 8, 44, tzinfo=TZ)
CSV = DATA / "csv"
DEMO = Path(__file__).parents[1] / "briefing" / "data" / "demo"
RESCUE = CSV / "raddningstjanst-utf8-bom.csv"
BROKEN = CSV / "ordningsvakter-broken-rows.csv"
ALL_COLUMNS = CSV / "raddningstjanst-all-columns.csv"
RESCUE_COLUMNS = {
    "time": "Larmtid",
    "category": "Händelsetyp",
    "place": "Adress",
    "text": "Beskrivning",
}
FULL_COLUMNS = {
    "id": "Ärende",
    "title": "Rubrik",
    "time": "Larmtid",
    "end_time": "Klart",
    "category": "Händelsetyp",
    "place": "Adress",
    "municipality": "Kommun",
    "lat": "Lat",
    "lon": "Lon",
    "text": "Beskrivning",
}


@pytest.fixture
def http() -> Iterator[HttpClient]:
    with offline() as client:
        yield client


def source(
    columns: dict[str, Any] = GUARD_COLUMNS, origin: str = "guards", **settings: Any
) -> CsvSource:
    table = {"kind": "csv", "origin": origin, "columns": columns, **settings}
    valid = CsvSettings.model_validate(table)
    return CsvSource("vakter", valid)


def fetch(http: HttpClient, state: dict[str, str] | None = None, **settings: Any) -> Batch:
    return source(**settings).fetch(fetch_context(http, NOW, state))


def by_place(batch: Batch) -> dict[str, Incident]:
    return {incident.location: incident for incident in batch.incidents}


# --- the two example formats --------------------------------------------------------------


def test_fixtures_are_the_demo_files() -> None:
    demo = DEMO / "ordningsvakter" / "EXEMPEL-ordningsvakter-2023-06-07.csv"
    assert GUARDS.read_bytes() == demo.read_bytes()
    demo = DEMO / "raddningstjanst" / "EXEMPEL-raddningstjanst-2023-06-08.csv"
    assert RESCUE.read_bytes() == demo.read_bytes()


def test_guards_windows_1252_semicolon(http: HttpClient) -> None:
    batch = fetch(http, path=GUARDS)  # delimiter and encoding sniffed
    assert batch.problems == []
    assert len(batch.incidents) == 6
    youths = batch.incidents[0]
    assert youths.title == "Ungdomar samlas, Jakobsbergs centrum"
    assert youths.type == "Ungdomar samlas"
    assert youths.occurred_at == youths.published_at == datetime(2023, 6, 7, 18, 40, tzinfo=TZ)
    assert "13 § polislagen" in youths.summary  # "§" is 0xA7 in Windows-1252
    assert (youths.municipality, youths.county) == ("Järfälla", "Stockholms län")
    assert youths.origin is Origin.GUARDS and youths.url is None
    assert [i.when.hour for i in batch.incidents] == [18, 21, 22, 0, 1, 5]


def test_personnummer_masked_in_summary_and_raw(http: HttpClient) -> None:
    threat = by_place(fetch(http, path=GUARDS))["Söderhöjden"]
    assert "uppgav personnummer [personnummer]." in threat.summary
    assert "19900101" not in threat.raw and "[personnummer]" in threat.raw


def test_rescue_utf8_bom_comma(http: HttpClient) -> None:
    batch = fetch(http, path=RESCUE, columns=RESCUE_COLUMNS, origin="rescue")
    assert batch.problems == []
    places = by_place(batch)
    assert list(places) == [
        "Viksjö centrum",
        "Söderhöjden",
        "Exempelskolan i Jakobsberg",
        "Kallhäll",
    ]
    bin_fire = places["Viksjö centrum"]
    assert bin_fire.occurred_at == datetime(2023, 6, 7, 22, 34, 5, tzinfo=TZ)
    assert bin_fire.title == "Brand i avfallskärl, Viksjö centrum"
    # the ";" inside quoted descriptions did not fool the sniffing
    assert bin_fire.summary.endswith("efterkontroll med värmekamera. Ingen spridning.")
    assert places["Kallhäll"].type == "Lägenhetsbrand"


def test_explicit_encoding(http: HttpClient) -> None:
    assert len(fetch(http, path=GUARDS, encoding="cp1252").incidents) == 6
    with pytest.raises(SourceError, match=r"cp1252\.csv:1: not UTF-8 \(byte 0xe4\)") as caught:
        fetch(http, path=GUARDS, encoding="utf-8")
    assert caught.value.hint is not None and "cp1252" in caught.value.hint


def test_wrong_delimiter_setting_is_a_clear_failure(http: HttpClient) -> None:
    with pytest.raises(SourceError, match=r"ordningsvakter-cp1252\.csv:1: no column 'Datum'"):
        fetch(http, path=GUARDS, delimiter=",")


# --- bad rows -------------------------------------------------------------------------------


def test_bad_rows_reported_with_file_and_line(http: HttpClient) -> None:
    batch = fetch(http, path=BROKEN)
    name = BROKEN.name
    assert batch.problems == [
        f"{name}:3: too few columns (3, the header has 4)",
        f"{name}:4: unreadable time 'igår 20:00'",
        f"{name}:5: empty time",
        f"{name}:9: too many columns (5, the header has 4): "
        "a delimiter inside a field without quotes?",
        f"{name}:10: impossible time '31.02.2023 23:00' (day is out of range for month)",
    ]
    assert [i.location for i in batch.incidents] == [
        "Jakobsbergs centrum",
        "Barkarby handelsplats",
        "Jakobsbergs centrum",
    ]
    quarrel = batch.incidents[1]
    assert quarrel.summary == "Två män grälade, den ene avvisades."  # quoted newline, lines 7-8
    drugs = batch.incidents[2]
    assert drugs.summary == "Misstänkt langning, [personnummer] och [personnummer] kontrollerades."


def test_all_optional_columns(http: HttpClient) -> None:
    batch = fetch(http, path=ALL_COLUMNS, columns=FULL_COLUMNS, origin="rescue")
    house, crash, smell, alarm = batch.incidents
    assert house.key == "20261126-00123"  # an SOS case number is not a personnummer
    assert house.title == "Brand i radhus"
    assert house.occurred_at == datetime(2026, 11, 26, 23, 40, tzinfo=TZ)
    assert (house.lat, house.lon) == (59.4235, 17.8354)  # decimal commas
    assert house.summary == (
        "Rökutveckling från vinden. Boende [personnummer] informerad. (avslutad 2026-11-27 01:15)"
    )
    assert (crash.municipality, crash.county) == ("Sollentuna", "Stockholms län")
    assert crash.title == "Trafikolycka, Norrviken"
    assert (crash.lat, crash.lon) == (None, None)  # swapped pair refused
    assert smell.municipality == "Järfälla"  # "Jakobsberg" is a district, not a municipality
    assert smell.title.endswith("…") and len(smell.title) <= 81
    assert smell.title.startswith("Larm från boende om stark brandröklukt")
    assert len(smell.key) == 24  # no id: a hash of the content
    assert alarm.summary == "Falsklarm."
    name = ALL_COLUMNS.name
    assert batch.problems == [
        f"{name}:3: position '17.91', '59.44' is not in Sweden (WGS84 lat, lon expected); ignored",
        f"{name}:4: 'Jakobsberg' is not a municipality; taken as Järfälla",
        f"{name}:5: end time ignored: unreadable time 'snart'",
    ]


def test_missing_optional_column_is_a_warning(http: HttpClient) -> None:
    columns = {**GUARD_COLUMNS, "title": "Rubrik"}
    batch = fetch(http, path=GUARDS, columns=columns)
    assert len(batch.incidents) == 6
    assert batch.problems == [f"{GUARDS.name}:1: no column 'Rubrik'; title left empty"]


def test_date_and_time_in_two_columns(tmp_path: Path, http: HttpClient) -> None:
    drop = tmp_path / "vakter.csv"
    drop.write_text("Datum;Tid;Plats\n2023-06-07;23.05;Viksjö centrum\n", encoding="utf-8")
    batch = fetch(http, path=drop, columns={"time": ["Datum", "Tid"], "place": "Plats"})
    assert batch.incidents[0].occurred_at == datetime(2023, 6, 7, 23, 5, tzinfo=TZ)
    assert batch.incidents[0].title == "Viksjö centrum"


def test_custom_date_format(tmp_path: Path, http: HttpClient) -> None:
    drop = tmp_path / "vakter.csv"
    drop.write_text("Datum,Plats\n07062023 2305,Viksjö\n", encoding="utf-8")
    batch = fetch(http, path=drop, columns={"time": "Datum"}, date_format="%d%m%Y %H%M")
    assert batch.incidents[0].occurred_at == datetime(2023, 6, 7, 23, 5, tzinfo=TZ)


def test_compact_time_is_not_mistaken_for_a_personnummer(tmp_path: Path, http: HttpClient) -> None:
    drop = tmp_path / "vakter.csv"
    drop.write_text("Tid,Text\n202306072340,Kund 198501011236 nekad\n", encoding="utf-8")
    columns = {"time": "Tid", "text": "Text"}
    batch = fetch(http, path=drop, columns=columns, date_format="%Y%m%d%H%M")
    assert batch.incidents[0].occurred_at == datetime(2023, 6, 7, 23, 40, tzinfo=TZ)
    assert batch.incidents[0].summary == "Kund [personnummer] nekad"


def test_header_only_and_blank_lines_give_nothing(tmp_path: Path, http: HttpClient) -> None:
    drop = tmp_path / "vakter.csv"
    drop.write_text("Datum;Plats;Händelse;Beskrivning\r\n\r\n;;;\r\n", encoding="utf-8")
    batch = fetch(http, path=drop)
    assert (batch.incidents, batch.problems) == ([], [])


def test_declared_municipality(http: HttpClient) -> None:
    batch = fetch(http, path=GUARDS, municipality="upplands-bro")
    assert {i.municipality for i in batch.incidents} == {"Upplands-Bro"}


# --- read once ------------------------------------------------------------------------------


def test_each_file_read_once(tmp_path: Path, http: HttpClient) -> None:
    shutil.copy(GUARDS, tmp_path / "a.csv")
    first = fetch(http, path=tmp_path)
    assert len(first.incidents) == 6
    assert list(first.state) == ["read:a.csv"]
    second = fetch(http, state=first.state, path=tmp_path)
    assert (second.incidents, second.problems) == ([], [])
    assert second.state == first.state  # still there, still remembered


def test_changed_file_is_read_again_with_the_same_keys(tmp_path: Path, http: HttpClient) -> None:
    drop = tmp_path / "a.csv"
    shutil.copy(GUARDS, drop)
    first = fetch(http, path=tmp_path)
    with drop.open("ab") as out:
        out.write("2023-06-08 06.30;Viksjö centrum;Klotter;Nytt klotter.\r\n".encode("cp1252"))
    second = fetch(http, state=first.state, path=tmp_path)
    assert len(second.incidents) == 7
    assert {i.key for i in first.incidents} < {i.key for i in second.incidents}
    assert second.state["read:a.csv"] != first.state["read:a.csv"]


def test_renamed_file_gives_the_same_incidents(tmp_path: Path, http: HttpClient) -> None:
    shutil.copy(GUARDS, tmp_path / "a.csv")
    first = fetch(http, path=tmp_path)
    (tmp_path / "a.csv").rename(tmp_path / "export-igen.csv")
    second = fetch(http, state=first.state, path=tmp_path)
    assert [i.key for i in second.incidents] == [i.key for i in first.incidents]
    assert list(second.state) == ["read:export-igen.csv"]  # the vanished file is forgotten


def test_bad_file_among_good_ones_is_a_problem_and_read_again(
    tmp_path: Path, http: HttpClient
) -> None:
    shutil.copy(GUARDS, tmp_path / "a.csv")
    (tmp_path / "b.csv").write_text("Tidpunkt;Plats\n2023-06-07 20:00;Viksjö\n", encoding="utf-8")
    first = fetch(http, path=tmp_path)
    assert len(first.incidents) == 6
    assert first.problems == [
        "b.csv:1: no column 'Datum' for the time (the header has: Tidpunkt, Plats)"
    ]
    assert list(first.state) == ["read:a.csv"]  # b.csv will be tried again
    second = fetch(http, state=first.state, path=tmp_path)
    assert second.problems == first.problems and second.incidents == []


def test_empty_folder_is_not_an_error(tmp_path: Path, http: HttpClient) -> None:
    batch = fetch(http, path=tmp_path)
    assert (batch.incidents, batch.problems, batch.state) == ([], [], {})


def test_over_http() -> None:
    url = "https://export.example.se/raddningstjanst.csv"

    def handler(request: httpx.Request) -> httpx.Response:
        assert str(request.url) == url
        return httpx.Response(
            200, content=RESCUE.read_bytes(), headers={"content-type": "text/csv"}
        )

    with HttpClient(transport=httpx.MockTransport(handler)) as client:
        first = fetch(client, url=url, columns=RESCUE_COLUMNS, origin="rescue")
        second = fetch(client, state=first.state, url=url, columns=RESCUE_COLUMNS, origin="rescue")
    assert len(first.incidents) == 4 and second.incidents == []


# --- settings -----------------------------------------------------------------------------


def test_registered_as_csv() -> None:
    assert sources.adapter("csv") is CsvSource


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"columns": {"time": "Datum", "plats": "Plats"}}, "Extra inputs"),
        ({"columns": {"place": "Plats"}}, "Field required"),
        ({"columns": {"time": []}}, "name the column"),
        ({"columns": GUARD_COLUMNS, "delimiter": "|"}, "delimiter"),
        ({"columns": GUARD_COLUMNS, "encoding": "latin-1"}, "encoding"),
        ({"columns": GUARD_COLUMNS, "date_format": "%Y-%m-%d"}, "must include the hour"),
        ({"columns": GUARD_COLUMNS, "municipality": "Atlantis"}, "not a Swedish municipality"),
    ],
)
def test_settings_refuse(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        CsvSettings.model_validate({"kind": "csv", "origin": "guards", "path": CSV, **settings})


# --- personnummer and Swedish times -----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "19850101-1234",
        "850101-1234",
        "8501011236",  # bare digits: masked when the check digit is right
        "198501011236",
        "20050101+1234",
        "850161-1234",  # samordningsnummer: day + 60
    ],
)
def test_personnummer_forms_masked(text: str) -> None:
    assert mask_personnummer(f"Man, {text}, avvisad") == "Man, [personnummer], avvisad"


@pytest.mark.parametrize(
    "text",
    [
        "2023-06-07 23:40",
        "20230607-12345",  # SOS Alarm case number: date and five digits
        "851301-1234",  # month 13
        "8501011234",  # bare digits with a wrong check digit: a phone or order number
        "0701234567",  # a mobile number shaped like a date
        "08-123 456 78",
        "K123456-23",
        "Linje 559",
    ],
)
def test_not_personnummer_left_alone(text: str) -> None:
    assert mask_personnummer(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-26 23:40",
        "2026-11-26 23.40",
        "2026-11-26T23:40",
        "2026-11-26 23:40:00",
        "26/11/2026 23:40",
        "26.11.2026 23.40",
        "26 nov 2026 23:40",
        "26 nov. 2026 kl 23.40",
        "26 november 2026 kl. 23.40",
        "26 November 2026, 23:40",
        "2026-11-26T23:40:00+01:00",
    ],
)
def test_swedish_time_formats(text: str) -> None:
    assert parse_datetime(text, TZ) == datetime(2026, 11, 26, 23, 40, tzinfo=TZ)


def test_unpadded_hour_and_summer_time() -> None:
    assert parse_datetime("2023-06-07 9.05", TZ).isoformat() == "2023-06-07T09:05:00+02:00"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty time"),
        ("2026-11-26", "no time of day"),
        ("igår 23:40", "unreadable time"),
        ("26 brumaire 2026 23:40", "unknown month"),
        ("2026-11-26 24:00", "impossible time"),
    ],
)
def test_unreadable_times(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_datetime(text, TZ)
