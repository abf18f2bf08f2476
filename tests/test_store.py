"""The store: versions, windows, state, health, the briefing ledger, the call log."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from briefing import store as store_module
from briefing.errors import StoreError
from briefing.models import Incident, Origin, clean_text
from briefing.sources.http import CallLog
from briefing.store import MIGRATIONS, Store, default_path, encoding, scrub
from briefing.store import schema as schema_module

DATA = Path(__file__).parent / "data" / "polisen"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
SEEN = datetime(2026, 11, 27, 7, 30, tzinfo=UTC)


def polisen_records(name: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads((DATA / name).read_text(encoding="utf-8-sig"))
    return records


def polisen_incident(record: dict[str, Any]) -> Incident:
    """A real police record, normalised roughly as the adapter does (the store doesn't care how)."""
    published = datetime.strptime(record["datetime"], "%Y-%m-%d %H:%M:%S %z")
    return Incident(
        source="polisen",
        key=str(record["id"]),
        origin=Origin.POLICE,
        type=clean_text(record["type"]),
        title=clean_text(record["name"], single_line=True),
        summary=clean_text(record["summary"]),
        published_at=published.astimezone(STOCKHOLM),
        url="https://polisen.se" + record["url"],
        location=clean_text(record["location"]["name"]),
        raw=json.dumps(record, ensure_ascii=False),
    )


@pytest.fixture
def jarfalla() -> list[Incident]:
    return [polisen_incident(r) for r in polisen_records("polisen-events-jarfalla-extract.json")]


@pytest.fixture
def store() -> Store:
    return Store.memory()


def edited(incident: Incident, summary: str = "Uppdaterat: brandkåren är på plats.") -> Incident:
    return dataclasses.replace(incident, summary=summary)


# --- incidents and versions ---------------------------------------------------------------


def test_an_incident_comes_back_equal_with_raw_offsets_and_missing_coordinates(
    store: Store, jarfalla: list[Incident]
) -> None:
    plain = jarfalla[0]
    full = dataclasses.replace(
        jarfalla[1],
        occurred_at=datetime(2023, 3, 22, 13, 24, tzinfo=STOCKHOLM),
        municipality="Järfälla",
        county="Stockholms län",
        text="Längre text\nmed två rader",
        lat=59.4231,
        lon=17.8349,
    )
    store.save_batch("polisen", [plain, full], {}, SEEN)

    window = store.window(plain.published_at, SEEN, with_raw=True)
    back = {s.incident.id: s.incident for s in window}
    for original in (plain, full):
        copy = back[original.id]
        assert copy == original
        assert copy.raw == original.raw and json.loads(copy.raw)["id"] == int(original.key)
        assert copy.published_at.utcoffset() == original.published_at.utcoffset()
        assert copy.fingerprint() == original.fingerprint()
    assert back[plain.id].lat is None and back[plain.id].occurred_at is None
    assert back[full.id].occurred_at == full.occurred_at


def test_a_window_leaves_the_raw_payload_out_unless_asked_and_history_keeps_it(
    store: Store, jarfalla: list[Incident]
) -> None:
    store.save_batch("polisen", jarfalla[:3], {}, SEEN)
    start = min(incident.published_at for incident in jarfalla[:3])
    reads = [
        partial(store.window, start, SEEN),
        partial(store.arrivals, SEEN, SEEN + timedelta(hours=1)),  # all are late
    ]
    for read in reads:
        plain, full = read(), read(with_raw=True)
        assert len(plain) == 3 and [s.incident for s in plain] == [s.incident for s in full]
        assert {s.incident.raw for s in plain} == {""}
        assert {s.incident.raw for s in full} == {i.raw for i in jarfalla[:3]}
    assert store.history(jarfalla[0].id)[0].incident.raw == jarfalla[0].raw


def test_counts_new_then_unchanged_then_updated(store: Store, jarfalla: list[Incident]) -> None:
    assert store.save_batch("polisen", jarfalla, {}, SEEN) == store_module.SaveResult(164, 0, 0)
    later = SEEN + timedelta(hours=1)
    assert store.save_batch("polisen", jarfalla, {}, later) == store_module.SaveResult(0, 0, 164)

    changed = [edited(i) if n == 3 else i for n, i in enumerate(jarfalla)]
    assert store.save_batch("polisen", changed, {}, later) == store_module.SaveResult(0, 1, 163)
    assert [s.version for s in store.history(jarfalla[3].id)] == [1, 2]
    assert [s.version for s in store.history(jarfalla[4].id)] == [1]


def test_raw_payload_changes_alone_are_not_a_new_version(
    store: Store, jarfalla: list[Incident]
) -> None:
    store.save_batch("polisen", jarfalla[:1], {}, SEEN)
    reformatted = dataclasses.replace(jarfalla[0], raw=jarfalla[0].raw.replace(", ", ","))
    result = store.save_batch("polisen", [reformatted], {}, SEEN + timedelta(hours=1))
    assert result == store_module.SaveResult(0, 0, 1)


def test_history_keeps_every_version_oldest_first(store: Store, jarfalla: list[Incident]) -> None:
    first = jarfalla[0]
    summaries = ["Andra versionen.", "Tredje versionen."]
    store.save_batch("polisen", [first], {}, SEEN)
    for hours, summary in enumerate(summaries, start=1):
        store.save_batch("polisen", [edited(first, summary)], {}, SEEN + timedelta(hours=hours))

    history = store.history(first.id)
    assert [s.incident.summary for s in history] == [first.summary, *summaries]
    assert [s.version for s in history] == [1, 2, 3]
    assert [s.changed_at for s in history] == [SEEN + timedelta(hours=h) for h in range(3)]
    assert {s.first_seen for s in history} == {SEEN}
    assert store.history("polisen:0") == []


def test_the_same_id_twice_in_one_batch_is_processed_in_order(
    store: Store, jarfalla: list[Incident]
) -> None:
    first, second = jarfalla[:2]
    result = store.save_batch("polisen", [first, edited(first), second, second], {}, SEEN)
    assert result == store_module.SaveResult(new=2, updated=1, unchanged=1)
    assert [s.incident.summary for s in store.history(first.id)] == [
        first.summary,
        edited(first).summary,
    ]


# --- windows ------------------------------------------------------------------------------


def test_window_by_published_time_is_half_open_and_sorted(store: Store) -> None:
    records = polisen_records("polisen-events-2023-06-08-morning.json")
    incidents = [polisen_incident(r) for r in records]
    store.save_batch("polisen", incidents, {}, SEEN)
    start = datetime(2023, 6, 7, 16, 0, tzinfo=STOCKHOLM)
    end = datetime(2023, 6, 8, 8, 0, tzinfo=STOCKHOLM)

    got = store.window(start, end)
    expected = sorted(
        (i for i in incidents if start <= i.published_at < end),
        key=lambda i: (i.published_at, i.id),
    )
    assert 0 < len(got) < len(incidents)
    assert [s.incident.id for s in got] == [i.id for i in expected]
    assert all(s.version == 1 and s.first_seen == SEEN for s in got)

    edge = expected[0].published_at
    assert store.window(start, edge) == store.window(start, edge - timedelta(microseconds=1))
    assert expected[0].id in {s.incident.id for s in store.window(edge, end)}


def test_window_takes_edits_stored_in_it_but_not_late_first_sightings(
    store: Store, jarfalla: list[Incident]
) -> None:
    old, also_old, late = jarfalla[0], jarfalla[1], jarfalla[2]
    store.save_batch("polisen", [old, also_old], {}, SEEN)
    night = SEEN + timedelta(days=1)
    store.save_batch("polisen", [edited(old), also_old, late], {}, night + timedelta(hours=2))

    got = store.window(night, night + timedelta(hours=16))
    assert [(s.incident.id, s.version) for s in got] == [(old.id, 2)]
    assert got[0].incident.summary == edited(old).summary
    assert got[0].changed_at == night + timedelta(hours=2)
    assert got[0].first_seen == SEEN
    # the edit is not in a window after the one it was stored in
    assert store.window(night + timedelta(hours=16), night + timedelta(days=1)) == []


def test_edits_from_before_the_window_are_sorted_in_with_its_own_incidents(
    store: Store,
) -> None:
    records = polisen_records("polisen-events-2023-06-08-morning.json")
    incidents = [polisen_incident(r) for r in records]
    store.save_batch("polisen", incidents, {}, SEEN)
    by_time = sorted(incidents, key=lambda i: (i.published_at, i.id))
    start, end = by_time[10].published_at, by_time[20].published_at
    # Two edits of incidents published before the window and one of one in it, all stored
    # in the window's span (the window asks by publication time or by time of change).
    changes = [edited(by_time[3]), edited(by_time[0], "Ny"), edited(by_time[12], "Mer")]
    store.save_batch("polisen", changes, {}, start + timedelta(minutes=1))

    got = store.window(start, end + timedelta(days=365))
    inside = [i for i in incidents if i.published_at >= start]
    expected = sorted([*inside, by_time[3], by_time[0]], key=lambda i: (i.published_at, i.id))
    assert [s.incident.id for s in got] == [i.id for i in expected]
    versions = {s.incident.id: s.version for s in got}
    assert versions[by_time[0].id] == versions[by_time[12].id] == 2
    assert sum(1 for s in got if s.version == 2) == 3


def test_arrivals_are_late_first_sightings_only(store: Store, jarfalla: list[Incident]) -> None:
    old, late = jarfalla[0], jarfalla[2]
    store.save_batch("polisen", [old], {}, SEEN)
    night = SEEN + timedelta(days=1)
    store.save_batch("polisen", [edited(old), late], {}, night + timedelta(hours=2))

    got = store.arrivals(night, night + timedelta(hours=16))
    assert [(s.incident.id, s.version) for s in got] == [(late.id, 1)]
    assert got[0].first_seen == night + timedelta(hours=2)
    # published inside the window: that is the window's own business, not an arrival
    published = late.published_at
    wide = store.arrivals(published - timedelta(hours=1), night + timedelta(hours=16))
    assert late.id not in {s.incident.id for s in wide}
    assert store.arrivals(night + timedelta(hours=16), night + timedelta(days=2)) == []


def test_window_shows_the_latest_version_when_published_in_it(
    store: Store, jarfalla: list[Incident]
) -> None:
    incident = jarfalla[0]
    store.save_batch("polisen", [incident], {}, SEEN)
    store.save_batch("polisen", [edited(incident)], {}, SEEN + timedelta(days=30))
    hour = incident.published_at
    [got] = store.window(hour, hour + timedelta(hours=1))
    assert got.version == 2 and got.incident.summary == edited(incident).summary


# --- source state and atomicity -----------------------------------------------------------


def test_state_is_replaced_with_the_batch_per_source(
    store: Store, jarfalla: list[Incident]
) -> None:
    store.save_batch("polisen", jarfalla[:2], {"etag": '"a"', "modified": "x"}, SEEN)
    store.save_batch("rss", [], {"etag": "r"}, SEEN)
    store.save_batch("polisen", jarfalla[2:4], {"etag": '"b"'}, SEEN)
    assert store.source_state("polisen") == {"etag": '"b"'}
    assert store.source_state("rss") == {"etag": "r"}
    assert store.source_state("never") == {}


def test_a_failure_in_the_middle_of_a_batch_keeps_nothing(
    store: Store, jarfalla: list[Incident]
) -> None:
    store.save_batch("polisen", jarfalla[:1], {"etag": "old"}, SEEN)
    # A naive time cannot be stored: the error comes after three incidents were planned.
    bomb = dataclasses.replace(
        jarfalla[3], published_at=jarfalla[3].published_at.replace(tzinfo=None)
    )
    batch = [edited(jarfalla[0]), jarfalla[1], jarfalla[2], bomb]
    with pytest.raises(ValueError, match="naive"):
        store.save_batch("polisen", batch, {"etag": "new"}, SEEN + timedelta(hours=1))

    assert store.source_state("polisen") == {"etag": "old"}
    assert [s.version for s in store.history(jarfalla[0].id)] == [1]
    assert store.history(jarfalla[1].id) == []


def test_a_failing_state_write_rolls_back_incidents_already_written(
    store: Store, jarfalla: list[Incident]
) -> None:
    store.save_batch("polisen", jarfalla[:1], {"etag": "old"}, SEEN)
    bad_state: Any = {"etag": None}  # NOT NULL fails after every incident row is written
    with pytest.raises(sqlite3.IntegrityError):
        store.save_batch("polisen", jarfalla, bad_state, SEEN + timedelta(hours=1))

    assert store.source_state("polisen") == {"etag": "old"}
    assert [s.incident.id for s in store.window(SEEN - timedelta(days=9999), SEEN)] == [
        jarfalla[0].id
    ]
    # and the store is still usable
    assert store.save_batch("polisen", jarfalla, {}, SEEN).new == 163


def test_naive_times_are_refused(store: Store, jarfalla: list[Incident]) -> None:
    with pytest.raises(ValueError, match="naive"):
        store.save_batch("polisen", jarfalla, {}, datetime(2026, 11, 27, 7, 30))
    naive = dataclasses.replace(jarfalla[0], published_at=datetime(2023, 3, 20, 17, 37))
    with pytest.raises(ValueError, match="naive"):
        store.save_batch("polisen", [naive], {}, SEEN)
    assert store.history(jarfalla[0].id) == []


# --- health -------------------------------------------------------------------------------


def test_health_counts_consecutive_failures_and_resets_on_success(store: Store) -> None:
    assert store.health("polisen") == store_module.Health("polisen", None, None, 0, None, 0)
    t = [SEEN + timedelta(hours=h) for h in range(5)]
    store.record_health("polisen", at=t[0], ok=False, error="timeout")
    store.record_health("polisen", at=t[1], ok=False, error="HTTP 503")
    assert store.health("polisen") == store_module.Health("polisen", t[1], None, 2, "HTTP 503", 0)

    store.record_health("polisen", at=t[2], ok=True, count=500)
    assert store.health("polisen") == store_module.Health("polisen", t[2], t[2], 0, None, 500)

    store.record_health("polisen", at=t[3], ok=False, error="timeout")
    health = store.health("polisen")
    assert (health.last_attempt, health.last_success) == (t[3], t[2])
    assert (health.consecutive_failures, health.last_error, health.last_count) == (
        1,
        "timeout",
        500,
    )
    assert health.last_attempt is not None and health.last_attempt.tzinfo == UTC
    assert store.health("rss").last_attempt is None


# --- the briefing ledger ------------------------------------------------------------------


def test_ledger_remembers_what_was_shown_and_which_briefing_was_live(
    store: Store, jarfalla: list[Incident]
) -> None:
    a, b, c = jarfalla[:3]
    store.save_batch("polisen", [a, b, c], {}, SEEN)
    store.save_batch("polisen", [edited(a)], {}, SEEN + timedelta(hours=1))
    morning = datetime(2026, 11, 27, 8, 30, tzinfo=STOCKHOLM)
    night = (morning - timedelta(hours=16, minutes=30), morning)

    live = store.record_briefing(
        generated_at=morning, start=night[0], end=night[1], live=True, shown=[(a.id, 1), (b.id, 1)]
    )
    replay = store.record_briefing(
        generated_at=morning + timedelta(hours=2),
        start=night[0],
        end=night[1],
        live=False,
        shown=[(a.id, 2)],
    )
    assert live != replay

    record = store.last_live_briefing(before=morning + timedelta(days=1))
    assert record == store_module.BriefingRecord(live, morning, night[0], night[1], True)
    assert record.generated_at.tzinfo == UTC
    assert store.last_live_briefing(before=morning) is None  # strictly before
    assert store.shown_versions([a.id, b.id, c.id, "polisen:0"]) == {a.id: 2, b.id: 1}


def test_the_latest_of_several_live_briefings_wins(store: Store) -> None:
    day = datetime(2026, 11, 20, 8, 30, tzinfo=STOCKHOLM)
    ids = [
        store.record_briefing(
            generated_at=day + timedelta(days=n), start=day, end=day, live=True, shown=[]
        )
        for n in (2, 0, 1)
    ]
    record = store.last_live_briefing(before=day + timedelta(days=10))
    assert record is not None and record.id == ids[0]


def test_shown_versions_handles_more_ids_than_one_query_takes(
    store: Store, jarfalla: list[Incident]
) -> None:
    records = polisen_records("polisen-events-2026-07-29-county-era.json")
    incidents = [*jarfalla, *(polisen_incident(r) for r in records)]
    store.save_batch("polisen", incidents, {}, SEEN)
    store.record_briefing(
        generated_at=SEEN, start=SEEN, end=SEEN, live=True, shown=[(i.id, 1) for i in incidents]
    )
    shown = store.shown_versions(i.id for i in [*incidents, *incidents])
    assert len(incidents) > store_module.base.CHUNK and shown == {i.id: 1 for i in incidents}


def test_a_briefing_cannot_show_a_version_that_was_never_stored(
    store: Store, jarfalla: list[Incident]
) -> None:
    store.save_batch("polisen", jarfalla[:1], {}, SEEN)
    with pytest.raises(sqlite3.IntegrityError):
        store.record_briefing(
            generated_at=SEEN, start=SEEN, end=SEEN, live=True, shown=[(jarfalla[0].id, 2)]
        )
    assert store.last_live_briefing(before=SEEN + timedelta(days=1)) is None


# --- call log -----------------------------------------------------------------------------


def test_call_log_persists_across_stores_on_one_file_and_prunes(tmp_path: Path) -> None:
    path = tmp_path / "store" / "briefing.sqlite3"
    start = 1_790_000_000.0
    with Store(path) as first:
        log: CallLog = first
        for offset in (0.0, 10.0, 20.0):
            log.record_call("polisen.se", start + offset)
        log.record_call("other", start + 5.0)
    with Store(path) as second:
        assert second.recent_calls("polisen.se", start + 10.0) == [start + 10.0, start + 20.0]
        second.record_call("polisen.se", start + 86_400 + 15.0)
        assert second.recent_calls("polisen.se", 0.0) == [start + 20.0, start + 86_415.0]
        assert second.recent_calls("other", 0.0) == []


def test_calls_may_be_logged_from_several_threads(tmp_path: Path) -> None:
    with Store(tmp_path / "briefing.sqlite3") as store:

        def log_calls(worker: int) -> None:
            for n in range(25):
                store.record_call(f"host{worker}", 1_790_000_000.0 + n)

        threads = [threading.Thread(target=log_calls, args=(w,)) for w in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [len(store.recent_calls(f"host{w}", 0.0)) for w in range(4)] == [25] * 4


# --- the file: migrations, damage, checks, location ---------------------------------------


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        sql = "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
        return {row[0] for row in conn.execute(sql)}


def _user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.parametrize("version", range(len(MIGRATIONS)))
def test_a_store_at_any_earlier_version_is_migrated(
    tmp_path: Path, version: int, jarfalla: list[Incident]
) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    scrub.register(conn)  # the masking migration calls them, as every connection may
    conn.create_function("briefing_document_facts", 1, encoding.document_facts)  # migration 10
    for script in MIGRATIONS[:version]:
        conn.executescript(script)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.close()

    with Store(path) as store:
        assert store.save_batch("polisen", jarfalla, {"etag": "x"}, SEEN).new == 164
        assert store.check() == []
    assert _user_version(path) == len(MIGRATIONS)
    expected = {"incidents", "incident_history", "incident_versions", "briefings", "calls"}
    assert expected <= _tables(path)


RAW_COLUMN = next(n for n, script in enumerate(MIGRATIONS) if "ADD COLUMN raw" in script)


def _old_document(incident: Incident) -> str:
    """An incident as stores before the raw column kept it: `raw` inside the document."""
    document: dict[str, Any] = {
        f.name: getattr(incident, f.name) for f in dataclasses.fields(incident)
    }
    document["origin"] = incident.origin.value
    for name in ("published_at", "occurred_at"):
        if document[name] is not None:
            document[name] = document[name].isoformat()
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize("version", [1, RAW_COLUMN])
def test_incidents_stored_before_the_raw_column_come_back_whole(
    tmp_path: Path, version: int, jarfalla: list[Incident]
) -> None:
    odd = dataclasses.replace(
        jarfalla[1],
        occurred_at=datetime(2023, 3, 22, 13, 24, tzinfo=STOCKHOLM),
        text='två\nrader "citat" \\ och \u2028',
        lat=59.4231,
        lon=17.8349,
        raw='{"name": "Järfälla \\"x\\"", "id": 1}',
    )
    incidents = [jarfalla[0], odd, *jarfalla[2:5]]
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:version]:
        conn.executescript(script)
    for incident in incidents:
        published = incident.published_at.astimezone(UTC).isoformat(timespec="microseconds")
        seen = SEEN.isoformat(timespec="microseconds")
        row = (incident.id, 1, incident.fingerprint(), published, seen)
        conn.execute(
            "INSERT INTO incidents VALUES (?, 'polisen', ?, ?, 1, ?, ?, ?)",
            (incident.id, incident.key, seen, incident.fingerprint(), published, seen),
        )
        conn.execute(
            "INSERT INTO incident_versions VALUES (?, ?, ?, ?, ?, ?)",
            (*row, _old_document(incident)),
        )
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()

    with Store(path) as store:
        start = min(incident.published_at for incident in incidents)
        back = {s.incident.id: s.incident for s in store.window(start, SEEN, with_raw=True)}
        assert store.save_batch("polisen", incidents, {}, SEEN).unchanged == len(incidents)
        assert store.history(odd.id)[0].incident.raw == odd.raw
        assert store.check() == []
    for incident in incidents:
        assert back[incident.id] == incident and back[incident.id].raw == incident.raw
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT incident_id, facts, raw FROM incident_versions").fetchall()
    assert len(rows) == len(incidents)  # one version each, none added by the save
    assert {row[0]: row[2] for row in rows} == {i.id: i.raw for i in incidents}
    assert not any('"raw"' in facts or (raw and raw in facts) for _, facts, raw in rows)


def test_a_failing_migration_leaves_the_store_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "briefing.sqlite3"
    Store(path).close()
    broken = "CREATE TABLE half_done (x);\nSELECT no_such_column FROM calls;\n"
    monkeypatch.setattr(schema_module, "MIGRATIONS", [*MIGRATIONS, broken])
    with pytest.raises(sqlite3.OperationalError):
        Store(path)
    assert _user_version(path) == len(MIGRATIONS)
    assert "half_done" not in _tables(path)


def test_a_store_from_a_newer_briefing_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "briefing.sqlite3"
    Store(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match="newer briefing"):
        Store(path)


def test_a_file_that_is_not_a_store_gives_a_store_error_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "briefing.sqlite3"
    path.write_bytes(b"Detta \xe4r ingen databas.\n" * 200)
    with pytest.raises(StoreError) as caught:
        Store(path)
    assert str(path) in caught.value.message
    assert caught.value.hint is not None and "move it aside" in caught.value.hint


def test_damaged_pages_show_up_in_check_and_as_store_errors(tmp_path: Path) -> None:
    path = tmp_path / "briefing.sqlite3"
    records = polisen_records("polisen-events-2023-06-08-morning.json")
    with Store(path) as store:
        store.save_batch("polisen", [polisen_incident(r) for r in records], {}, SEEN)
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")  # the page size, from the file's header
    assert len(data) >= 6 * page
    data[3 * page : 6 * page] = b"\xff" * (3 * page)  # pages 4-6: incident rows, not the header
    path.write_bytes(bytes(data))

    with Store(path) as store:
        assert store.check() != []
        with pytest.raises(StoreError) as caught:
            store.window(datetime(2000, 1, 1, tzinfo=UTC), SEEN)
    assert str(path) in caught.value.message
    assert caught.value.hint is not None and "move it aside" in caught.value.hint


def test_check_reports_dangling_references(tmp_path: Path, jarfalla: list[Incident]) -> None:
    path = tmp_path / "briefing.sqlite3"
    with Store(path) as store:
        store.save_batch("polisen", jarfalla[:1], {}, SEEN)
        assert store.check() == []
    with sqlite3.connect(path) as conn:  # foreign keys are off by default outside the store
        conn.execute("INSERT INTO briefing_items VALUES (99, 'polisen:1', 7)")
    with Store(path) as store:
        problems = store.check()
    assert problems and all("briefing_items" in p for p in problems)


def test_a_new_store_makes_its_folder_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "briefing.sqlite3"
    with Store(path):
        pass
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_default_path_honours_briefing_home(_isolated_home: Path) -> None:
    assert default_path() == _isolated_home / "briefing.sqlite3"
    home = "/srv/briefing"
    assert default_path(environ={"BRIEFING_HOME": home}) == Path(home) / "briefing.sqlite3"


def test_default_path_is_the_user_data_folder_per_platform() -> None:
    linux = default_path(environ={"XDG_DATA_HOME": "/data"}, platform="linux")
    assert linux == Path("/data/briefing/briefing.sqlite3")
    relative_xdg = default_path(environ={"XDG_DATA_HOME": "rel"}, platform="linux")
    assert relative_xdg == Path.home() / ".local/share/briefing/briefing.sqlite3"
    mac = default_path(environ={}, platform="darwin")
    assert mac == Path.home() / "Library/Application Support/briefing/briefing.sqlite3"
    windows = default_path(environ={"LOCALAPPDATA": "/appdata"}, platform="win32")
    assert windows == Path("/appdata/briefing/briefing.sqlite3")
