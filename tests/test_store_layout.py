"""The store's layout since schema 11 (the latest version in the head row, rows numbered as
first stored, the batches' numbers instead of indexes on the times) answers as the plain
definitions do: over random saves from several sources, with clocks set back, reports
stored before their date, edits that move an incident in or out of a window or ahead of
when it was stored, and the same instants written with other offsets; for a store saved
by this code and for the same history written as schema 10 kept it and migrated."""

from __future__ import annotations

import dataclasses
import random
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from briefing.models import Incident, Origin
from briefing.store import MIGRATIONS, Store, encoding, scrub
from briefing.store.base import utc_text

STOCKHOLM = ZoneInfo("Europe/Stockholm")
START = datetime(2024, 3, 28, tzinfo=UTC)  # across the change to summer time
OFFSETS = [STOCKHOLM, UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=30))]


@dataclass
class Kept:
    """What the test knows of one incident: every version, as the plain definitions read it."""

    first_seen: datetime
    versions: list[tuple[Incident, datetime]]  # (incident, stored at), oldest first

    @property
    def latest(self) -> Incident:
        return self.versions[-1][0]


def report(source: str, number: int, published: datetime, summary: str) -> Incident:
    return Incident(
        source=source,
        key=str(number),
        origin=Origin.POLICE if source == "polisen" else Origin.GUARDS,
        type="Brand",
        title=f"Brand {number}, Järfälla",
        summary=summary,
        published_at=published,
        # in UTC: wall-clock arithmetic could land in the hour skipped in spring
        occurred_at=(published.astimezone(UTC) - timedelta(minutes=number % 50)).astimezone(
            published.tzinfo
        ),
        url=f"https://example.se/{number}",
        location="Järfälla",
        raw=f'{{"id": {number}, "summary": "{summary}"}}',
    )


def history(seed: int) -> list[tuple[str, list[Incident], datetime]]:
    """Saves (source, incidents, seen at) over ten days: mostly a report stored a while after
    it is published, some dated ahead of when they are stored, edits (of the text, of the
    date: into the future, back, the same instant in another offset), re-sent reports,
    an id twice in one save, and a clock set back now and then."""
    rng = random.Random(seed)
    saves = []
    clock = START
    number = 0
    known: dict[str, Incident] = {}
    for _ in range(60):
        clock += timedelta(minutes=rng.randrange(5, 400))
        seen = clock - timedelta(hours=rng.choice([0, 0, 0, 0, 30]))  # a clock set back
        source = rng.choice(["polisen", "polisen", "vakter"])
        batch: list[Incident] = []
        for _ in range(rng.randrange(0, 12)):
            number += 1
            late = timedelta(minutes=rng.choice([0, 1, 20, 90, 60 * 30]))
            ahead = rng.random() < 0.1
            published = seen + timedelta(hours=2) if ahead else seen - late  # in UTC
            zone = rng.choice(OFFSETS)
            batch.append(report(source, number, published.astimezone(zone), f"Text {number}."))
        mine = [i for i in known.values() if i.source == source]
        for old in rng.sample(mine, min(len(mine), rng.randrange(0, 4))):
            change = rng.random()
            if change < 0.3:
                new = dataclasses.replace(old, summary=old.summary + " Mer.")
            elif change < 0.5:
                new = dataclasses.replace(old, published_at=old.published_at + timedelta(days=2))
            elif change < 0.7:
                back = old.published_at - timedelta(days=rng.randrange(1, 4))
                new = dataclasses.replace(old, published_at=back)
            elif change < 0.85:
                moved = old.published_at.astimezone(rng.choice(OFFSETS))  # the same instant
                new = dataclasses.replace(old, published_at=moved)
            else:
                new = old  # sent again as it was
            batch.append(new)
        if batch and rng.random() < 0.2:  # the same id twice, edited in between
            batch.append(dataclasses.replace(batch[0], title=batch[0].title + " (rättad)"))
        for incident in batch:
            known[incident.id] = incident
        saves.append((source, batch, seen))
    return saves


def replay(saves: list[tuple[str, list[Incident], datetime]]) -> dict[str, Kept]:
    """The versions the store must keep: a new one when the fingerprint changes."""
    kept: dict[str, Kept] = {}
    for _, batch, seen in saves:
        for incident in batch:
            found = kept.get(incident.id)
            if found is None:
                kept[incident.id] = Kept(seen, [(incident, seen)])
            elif found.latest.fingerprint() != incident.fingerprint():
                found.versions.append((incident, seen))
    return kept


def plain_window(kept: dict[str, Kept], start: datetime, end: datetime) -> list[tuple[str, int]]:
    found = [
        k
        for k in kept.values()
        if start <= k.latest.published_at < end
        or (len(k.versions) > 1 and start <= k.versions[-1][1] < end)
    ]
    return _ids(found)


def plain_arrivals(kept: dict[str, Kept], start: datetime, end: datetime) -> list[tuple[str, int]]:
    found = [
        k for k in kept.values() if start <= k.first_seen < end and k.latest.published_at < start
    ]
    return _ids(found)


def plain_ahead(kept: dict[str, Kept], start: datetime, end: datetime) -> list[tuple[str, int]]:
    found = [
        k for k in kept.values() if start <= k.first_seen < end and k.latest.published_at >= end
    ]
    return _ids(found)


def plain_last_report(kept: dict[str, Kept], source: str, until: datetime) -> datetime | None:
    moments = [min(k.latest.published_at, k.first_seen) for k in kept.values()]
    sources = [k.latest.source for k in kept.values()]
    counted = [m for m, s in zip(moments, sources, strict=True) if s == source and m <= until]
    return max(counted, default=None)


def _ids(found: list[Kept]) -> list[tuple[str, int]]:
    ordered = sorted(found, key=lambda k: (k.latest.published_at, k.latest.id))
    return [(k.latest.id, len(k.versions)) for k in ordered]


def saved(store: Store, saves: list[tuple[str, list[Incident], datetime]]) -> None:
    for source, batch, seen in saves:
        store.save_batch(source, batch, {"etag": seen.isoformat()}, seen)


def schema_10(path: Path, kept: dict[str, Kept]) -> None:
    """`kept` written as a store at schema 10 kept it: the head row points at its latest
    version, every version a row of facts and raw payload; a briefing showed some."""
    conn = sqlite3.connect(path)
    scrub.register(conn)
    conn.create_function("briefing_document_facts", 1, encoding.document_facts)
    for script in MIGRATIONS[:10]:
        conn.executescript(script)
    conn.execute("PRAGMA user_version = 10")
    briefing = utc_text(START + timedelta(days=20))
    conn.execute("INSERT INTO briefings VALUES (1, ?, ?, ?, 1)", (briefing,) * 3)
    for n, (incident_id, k) in enumerate(kept.items()):
        latest = k.latest
        conn.execute(
            "INSERT INTO incidents (id, source, key, first_seen, version, fingerprint,"
            " published_at, changed_at) VALUES (?, ?, ?, ?, ?, '', ?, ?)",
            (
                incident_id,
                latest.source,
                latest.key,
                utc_text(k.first_seen),
                len(k.versions),
                utc_text(latest.published_at),
                utc_text(k.versions[-1][1]),
            ),
        )
        for version, (incident, stored_at) in enumerate(k.versions, start=1):
            conn.execute(
                "INSERT INTO incident_versions (incident_id, version, fingerprint, published_at,"
                " stored_at, document, raw, facts) VALUES (?, ?, '', '', ?, '', ?, ?)",
                (
                    incident_id,
                    version,
                    utc_text(stored_at),
                    incident.raw,
                    encoding.pack(incident)[0],
                ),
            )
        if n % 3 == 0:  # shown: the first version of some, the latest of others
            shown = 1 if n % 2 else len(k.versions)
            conn.execute("INSERT INTO briefing_items VALUES (1, ?, ?)", (incident_id, shown))
    conn.commit()
    conn.close()


def moments(saves: list[tuple[str, list[Incident], datetime]]) -> list[datetime]:
    """Window ends: around every save (exactly at it, a microsecond off) and between them."""
    times = sorted({seen for _, _, seen in saves})
    found = {START - timedelta(days=1), times[-1] + timedelta(days=5)}
    for seen in times[::3]:
        found |= {seen, seen + timedelta(microseconds=1), seen - timedelta(minutes=45)}
    return sorted(found)


def answers_as_the_plain_definitions(
    store: Store, kept: dict[str, Kept], ends: list[datetime]
) -> None:
    for start in ends[::2]:
        for end in [*[e for e in ends if e > start][:6], start + timedelta(hours=16)]:
            zone = OFFSETS[(start.minute + end.minute) % len(OFFSETS)]  # bounds in any offset
            bounds = (start.astimezone(zone), end.astimezone(zone))
            got = [(s.incident.id, s.version) for s in store.window(*bounds)]
            assert got == plain_window(kept, start, end), (start, end)
            got = [(s.incident.id, s.version) for s in store.arrivals(*bounds)]
            assert got == plain_arrivals(kept, start, end), (start, end)
            got = [(s.incident.id, s.version) for s in store.ahead(*bounds)]
            assert got == plain_ahead(kept, start, end), (start, end)
        for source in ("polisen", "vakter", "none"):
            assert store.last_report(source, start) == plain_last_report(kept, source, start)


@pytest.mark.parametrize("seed", range(6))
def test_saves_are_read_back_as_the_plain_definitions_say(tmp_path: Path, seed: int) -> None:
    saves = history(seed)
    kept = replay(saves)
    assert any(k.first_seen < k.latest.published_at for k in kept.values())  # ahead
    assert any(len(k.versions) > 2 for k in kept.values())
    with Store(tmp_path / "briefing.sqlite3") as store:
        saved(store, saves)
        answers_as_the_plain_definitions(store, kept, moments(saves))
        for incident_id, k in kept.items():
            versions = store.history(incident_id)
            assert [s.incident for s in versions] == [i for i, _ in k.versions]
            assert [s.incident.raw for s in versions] == [i.raw for i, _ in k.versions]
            assert [s.changed_at for s in versions] == [at for _, at in k.versions]
            assert {s.first_seen for s in versions} == {k.first_seen}
        assert store.check() == []


@pytest.mark.parametrize("seed", range(3))
def test_a_schema_10_store_with_edits_is_migrated_whole(tmp_path: Path, seed: int) -> None:
    saves = history(seed)
    kept = replay(saves)
    path = tmp_path / "old.sqlite3"
    schema_10(path, kept)
    with Store(path) as store:
        assert store.check() == []
        answers_as_the_plain_definitions(store, kept, moments(saves))
        for incident_id, k in kept.items():
            versions = store.history(incident_id)
            assert [(s.incident, s.incident.raw, s.version, s.changed_at) for s in versions] == [
                (i, i.raw, n, at) for n, (i, at) in enumerate(k.versions, start=1)
            ]
        shown = store.shown_versions(kept)
        assert shown == {
            i: (1 if n % 2 else len(k.versions))
            for n, (i, k) in enumerate(kept.items())
            if n % 3 == 0
        }
        # Saved again as it was: nothing new; edited: one more version on top of the old.
        first_id, first = next(iter(kept.items()))
        again = store.save_batch(
            first.latest.source, [first.latest], {}, START + timedelta(days=30)
        )
        assert again.unchanged == 1
        edit = dataclasses.replace(first.latest, summary="Helt ny text.")
        assert store.save_batch(edit.source, [edit], {}, START + timedelta(days=31)).updated == 1
        assert [s.incident for s in store.history(first_id)] == [
            *(i for i, _ in first.versions),
            edit,
        ]
        # a briefing may show any version the incident has, and none it lacks
        store.record_briefing(
            generated_at=START + timedelta(days=32),
            start=START,
            end=START + timedelta(days=32),
            live=True,
            shown=[(first_id, 1), (first_id, len(first.versions) + 1)],
        )
        with pytest.raises(sqlite3.IntegrityError):
            store.record_briefing(
                generated_at=START + timedelta(days=33),
                start=START,
                end=START + timedelta(days=33),
                live=True,
                shown=[(first_id, len(first.versions) + 2)],
            )
        assert store.check() == []
    with sqlite3.connect(path) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(incidents)")}
        assert {"facts", "raw", "n"} <= columns and "fingerprint" not in columns
        # the rebuilt tables' old pages are not left in the file (vacuumed after migrating)
        assert conn.execute("PRAGMA freelist_count").fetchone()[0] <= 2, "not vacuumed"
        rows = conn.execute("SELECT COUNT(*) FROM incident_versions").fetchone()[0]
        assert rows == sum(len(k.versions) for k in kept.values()) + 1


def test_a_briefing_item_naming_a_version_the_incident_lacks_shows_in_check(
    tmp_path: Path,
) -> None:
    path = tmp_path / "briefing.sqlite3"
    incident = report("polisen", 1, START, "Text.")
    with Store(path) as store:
        store.save_batch("polisen", [incident], {}, START)
        store.record_briefing(
            generated_at=START, start=START, end=START, live=True, shown=[(incident.id, 1)]
        )
        assert store.check() == []
    with sqlite3.connect(path) as conn:  # triggers and foreign keys are the store's own
        conn.execute("DROP TRIGGER briefing_items_version_update")
        conn.execute("UPDATE briefing_items SET version = 2")
    with Store(path) as store:
        assert store.check() == [
            "briefing_items row 1: refers to a missing row of incident_versions"
        ]


def test_a_report_stored_before_its_date_is_found_by_its_date_and_by_when_it_came(
    tmp_path: Path,
) -> None:
    seen = START + timedelta(hours=10)
    early = report("vakter", 1, seen + timedelta(hours=3), "Klockan går före.")
    with Store(tmp_path / "briefing.sqlite3") as store:
        store.save_batch("vakter", [early], {}, seen)
        later = seen + timedelta(hours=1)
        assert [s.incident.id for s in store.ahead(seen, later)] == [early.id]
        assert store.window(seen, later) == []
        assert store.window(later, seen + timedelta(hours=3)) == []  # half open
        # published in a window that starts after it was stored: found by its date
        dated = store.window(later, seen + timedelta(hours=3, microseconds=1))
        assert [s.incident.id for s in dated] == [early.id]
        assert store.last_report("vakter", later) == seen  # counted when it came
        # moved back before when it was stored: no longer ahead, found by its new date
        back = dataclasses.replace(early, published_at=seen - timedelta(hours=2))
        store.save_batch("vakter", [back], {}, later)
        assert store.ahead(seen, later) == []
        assert [s.version for s in store.window(seen - timedelta(hours=3), seen)] == [2]
        assert store.last_report("vakter", later) == seen - timedelta(hours=2)
