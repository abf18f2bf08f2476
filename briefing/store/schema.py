"""The store's file: its schema and migrations, how it is opened, where it lives.

Trouble with the file (damaged, not a store, read-only, a full disk) becomes a
StoreError that names the file and says what to do; SQL mistakes are bugs and
keep their traceback.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from briefing.errors import StoreError
from briefing.store import encoding, scrub

FILENAME = "briefing.sqlite3"

# Numbered migrations: MIGRATIONS[n - 1] takes a store from user_version n - 1 to n.
# Append only; never edit one that has shipped.
MIGRATIONS: list[str] = [
    # 1: the initial schema. `incidents` points at the latest version of each;
    # `incident_versions` keeps every version as a JSON document.
    """
    CREATE TABLE incidents (
        id TEXT PRIMARY KEY, source TEXT NOT NULL, key TEXT NOT NULL,
        first_seen TEXT NOT NULL, version INTEGER NOT NULL, fingerprint TEXT NOT NULL,
        published_at TEXT NOT NULL, changed_at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX incidents_published_at ON incidents (published_at);
    CREATE INDEX incidents_changed_at ON incidents (changed_at);
    CREATE TABLE incident_versions (
        incident_id TEXT NOT NULL REFERENCES incidents (id), version INTEGER NOT NULL,
        fingerprint TEXT NOT NULL, published_at TEXT NOT NULL, stored_at TEXT NOT NULL,
        document TEXT NOT NULL,
        PRIMARY KEY (incident_id, version)
    );
    CREATE TABLE source_state (
        source TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (source, key)
    );
    CREATE TABLE source_health (
        source TEXT PRIMARY KEY, last_attempt TEXT, last_success TEXT,
        consecutive_failures INTEGER NOT NULL, last_error TEXT, last_count INTEGER NOT NULL
    );
    CREATE TABLE briefings (
        id INTEGER PRIMARY KEY, generated_at TEXT NOT NULL,
        window_start TEXT NOT NULL, window_end TEXT NOT NULL, live INTEGER NOT NULL
    );
    CREATE INDEX briefings_live_generated_at ON briefings (live, generated_at);
    CREATE TABLE briefing_items (
        briefing_id INTEGER NOT NULL REFERENCES briefings (id),
        incident_id TEXT NOT NULL, version INTEGER NOT NULL,
        PRIMARY KEY (briefing_id, incident_id),
        FOREIGN KEY (incident_id, version) REFERENCES incident_versions (incident_id, version)
    );
    CREATE INDEX briefing_items_incident ON briefing_items (incident_id, version);
    CREATE TABLE calls (key TEXT NOT NULL, at REAL NOT NULL);
    CREATE INDEX calls_key_at ON calls (key, at);
    CREATE INDEX calls_at ON calls (at);
    """,
    # 2: late arrivals (first seen now, published long ago) are looked up by first_seen.
    """
    CREATE INDEX incidents_first_seen ON incidents (first_seen);
    """,
    # outbox: every message made for a channel (e-mail), kept until a server accepts it
    # and a while after (`briefing send --force` resends the latest). sent: the ledger of
    # (day, channel) deliveries, written only after a server accepted the message.
    """
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY, day TEXT NOT NULL, channel TEXT NOT NULL,
        made_at TEXT NOT NULL, payload BLOB NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT, sent_at TEXT
    );
    CREATE INDEX outbox_channel_sent_at ON outbox (channel, sent_at);
    CREATE TABLE sent (
        day TEXT NOT NULL, channel TEXT NOT NULL, sent_at TEXT NOT NULL,
        PRIMARY KEY (day, channel)
    );
    """,
    # pages: the text read from an event's page on the source's site, kept for good so a
    # page is asked for once ever; `gone` marks a page the site no longer has (404).
    """
    CREATE TABLE pages (
        key TEXT PRIMARY KEY, text TEXT NOT NULL, fetched_at TEXT NOT NULL,
        gone INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    """,
    # source health: how many records the last fetch could not read, and the URL that
    # answered 404/410 (not asked again until the URL changes or a check succeeds);
    # each source's newest report is looked up by source.
    """
    ALTER TABLE source_health ADD COLUMN last_problems INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE source_health ADD COLUMN gone TEXT;
    CREATE INDEX incidents_source_published_at ON incidents (source, published_at);
    """,
    # raw payloads move out of the documents into a column of their own, so a window
    # reads the facts without decoding them; history() still gives them back.
    """
    ALTER TABLE incident_versions ADD COLUMN raw TEXT NOT NULL DEFAULT '';
    UPDATE incident_versions
    SET raw = json_extract(document, '$.raw'), document = json_remove(document, '$.raw')
    WHERE json_type(document, '$.raw') = 'text';
    """,
    # every kept text masked again with the mask that knows every written form of a
    # personnummer (dashes, spaces, invisible characters; raw payloads as decoded text),
    # and logins and tokens removed from URLs. The briefing_scrub_* functions are
    # registered on every connection (briefing.store.scrub). Ids are masked with their
    # references, so the foreign keys are checked at commit. A masked document gets the
    # fingerprint of its masked facts: the next fetch, masked at the border, is no edit.
    """
    PRAGMA defer_foreign_keys = ON;
    UPDATE incident_versions SET document = briefing_scrub_json(document),
        raw = briefing_scrub_json(raw), incident_id = briefing_scrub_text(incident_id),
        fingerprint = CASE WHEN document IS NOT briefing_scrub_json(document)
            THEN briefing_fingerprint(briefing_scrub_json(document), fingerprint)
            ELSE fingerprint END
    WHERE document IS NOT briefing_scrub_json(document) OR raw IS NOT briefing_scrub_json(raw)
        OR incident_id IS NOT briefing_scrub_text(incident_id);
    UPDATE incidents SET id = briefing_scrub_text(id), key = briefing_scrub_text(key)
    WHERE id IS NOT briefing_scrub_text(id) OR key IS NOT briefing_scrub_text(key);
    UPDATE incidents SET fingerprint = (
        SELECT v.fingerprint FROM incident_versions v
        WHERE v.incident_id = incidents.id AND v.version = incidents.version
    )
    WHERE fingerprint IS NOT (
        SELECT v.fingerprint FROM incident_versions v
        WHERE v.incident_id = incidents.id AND v.version = incidents.version
    );
    UPDATE briefing_items SET incident_id = briefing_scrub_text(incident_id)
    WHERE incident_id IS NOT briefing_scrub_text(incident_id);
    UPDATE OR REPLACE source_state
    SET key = briefing_scrub_text(key), value = briefing_scrub_text(value)
    WHERE key IS NOT briefing_scrub_text(key) OR value IS NOT briefing_scrub_text(value);
    UPDATE source_health
    SET last_error = briefing_scrub_text(last_error), gone = briefing_scrub_text(gone)
    WHERE last_error IS NOT briefing_scrub_text(last_error)
        OR gone IS NOT briefing_scrub_text(gone);
    UPDATE OR REPLACE pages SET key = briefing_scrub_text(key), text = briefing_scrub_text(text)
    WHERE key IS NOT briefing_scrub_text(key) OR text IS NOT briefing_scrub_text(text);
    UPDATE outbox
    SET payload = briefing_scrub_mail(payload), last_error = briefing_scrub_text(last_error)
    WHERE payload IS NOT briefing_scrub_mail(payload)
        OR last_error IS NOT briefing_scrub_text(last_error);
    """,
    # 8: the follow-up log (briefing.store.followups): one row per `briefing ack` or message
    # sent by `briefing notify --send` (`sent_to`); rows are never changed.
    """
    CREATE TABLE followups (
        id INTEGER PRIMARY KEY, incident_id TEXT NOT NULL, at TEXT NOT NULL, by TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '', informed TEXT NOT NULL DEFAULT '[]',
        done INTEGER NOT NULL DEFAULT 0, sent_to TEXT
    );
    CREATE INDEX followups_incident_at ON followups (incident_id, at);
    CREATE INDEX followups_at ON followups (at);
    """,
    # 9: fewer index writes per new event, and a source's newest report found in its index:
    # edits only (version > 1) are looked up by changed_at, so only they are indexed; the
    # reports first stored before their date (a source with a clock ahead: rare) get an
    # index of their own, so last_report reads two index ends instead of every row.
    """
    DROP INDEX incidents_changed_at;
    CREATE INDEX incidents_changed_at ON incidents (changed_at) WHERE version > 1;
    CREATE INDEX incidents_source_ahead ON incidents (source, first_seen)
        WHERE first_seen < published_at;
    """,
    # 10: each version's facts as one text (briefing.store.encoding) instead of a JSON
    # document and its sha256: a save neither encodes nor hashes, a window decodes no JSON;
    # equal texts are equal facts. The old columns stay, empty (SQLite before 3.35, as in
    # RHEL 9, cannot drop a column). briefing_document_facts is registered on every
    # connection (briefing.store.schema.connect).
    """
    ALTER TABLE incident_versions ADD COLUMN facts TEXT NOT NULL DEFAULT '';
    UPDATE incident_versions SET facts = briefing_document_facts(document),
        document = '', fingerprint = '', published_at = '';
    UPDATE incidents SET fingerprint = '';
    """,
    # 11: the latest version of an incident lives in its head row (`incidents`), older ones
    # in `incident_history`, moved there when an edit comes (a few in a hundred events):
    # a new event writes one row and its id's index. Rows are numbered (`n`) in the order
    # they were first stored; `incident_batches` gives the numbers each save stored first
    # and when, in place of an index on first_seen (a window reads the rows stored since
    # its start, as a report is stored after it is published; `incidents_ahead` has those
    # stored before their date). A briefing's items refer to the incident; triggers refuse
    # a version it does not have. `incident_versions` is every version, as a view. Runs with
    # the foreign keys off and checked before the commit (`_migrate`): tables are rebuilt.
    """
    CREATE TABLE incidents_11 (
        n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, source TEXT NOT NULL,
        key TEXT NOT NULL, first_seen TEXT NOT NULL, version INTEGER NOT NULL,
        published_at TEXT NOT NULL, changed_at TEXT NOT NULL, facts TEXT NOT NULL,
        raw TEXT NOT NULL
    );
    INSERT INTO incidents_11
        (n, id, source, key, first_seen, version, published_at, changed_at, facts, raw)
    SELECT row_number() OVER (ORDER BY i.first_seen, i.source, i.id), i.id, i.source,
        i.key, i.first_seen, i.version, i.published_at, i.changed_at, v.facts, v.raw
    FROM incidents AS i
    JOIN incident_versions AS v ON v.incident_id = i.id AND v.version = i.version;
    CREATE TABLE incident_history_11 (
        incident_id TEXT NOT NULL REFERENCES incidents (id), version INTEGER NOT NULL,
        stored_at TEXT NOT NULL, facts TEXT NOT NULL, raw TEXT NOT NULL,
        UNIQUE (incident_id, version)
    );
    INSERT INTO incident_history_11 (incident_id, version, stored_at, facts, raw)
    SELECT v.incident_id, v.version, v.stored_at, v.facts, v.raw
    FROM incident_versions AS v JOIN incidents AS i ON i.id = v.incident_id
    WHERE v.version <> i.version;
    CREATE TABLE briefing_items_11 (
        briefing_id INTEGER NOT NULL REFERENCES briefings (id),
        incident_id TEXT NOT NULL REFERENCES incidents (id), version INTEGER NOT NULL,
        PRIMARY KEY (briefing_id, incident_id)
    );
    INSERT INTO briefing_items_11 (briefing_id, incident_id, version)
    SELECT briefing_id, incident_id, version FROM briefing_items;
    DROP TABLE briefing_items;
    DROP TABLE incident_versions;
    DROP TABLE incidents;
    ALTER TABLE incidents_11 RENAME TO incidents;
    ALTER TABLE incident_history_11 RENAME TO incident_history;
    ALTER TABLE briefing_items_11 RENAME TO briefing_items;
    CREATE INDEX briefing_items_incident ON briefing_items (incident_id, version);
    CREATE INDEX incidents_changed_at ON incidents (changed_at) WHERE version > 1;
    CREATE INDEX incidents_ahead ON incidents (published_at) WHERE first_seen < published_at;
    CREATE TABLE incident_batches (
        source TEXT NOT NULL, seen TEXT NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL
    );
    INSERT INTO incident_batches (source, seen, first, last)
    SELECT source, first_seen, MIN(n), MAX(n) FROM incidents GROUP BY first_seen, source;
    CREATE INDEX incident_batches_seen ON incident_batches (seen, first, last);
    CREATE INDEX incident_batches_source_seen ON incident_batches (source, seen);
    CREATE TRIGGER briefing_items_version BEFORE INSERT ON briefing_items
    WHEN NEW.version NOT BETWEEN 1 AND (SELECT version FROM incidents WHERE id = NEW.incident_id)
    BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: no such version'); END;
    CREATE TRIGGER briefing_items_version_update BEFORE UPDATE OF version ON briefing_items
    WHEN NEW.version NOT BETWEEN 1 AND (SELECT version FROM incidents WHERE id = NEW.incident_id)
    BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: no such version'); END;
    CREATE VIEW incident_versions (incident_id, version, stored_at, facts, raw) AS
    SELECT incident_id, version, stored_at, facts, raw FROM incident_history
    UNION ALL
    SELECT id, version, changed_at, facts, raw FROM incidents;
    """,
]

_PAGE_SIZE = 8 * 1024  # for a new store; SQLite's default is 4096
_CHECKPOINT_BYTES = 128 * 1024 * 1024  # SQLite's default is 1000 pages (4 MB of 4 KiB pages)
_WAL_LIMIT = 64 * 1024 * 1024  # what the WAL file is cut back to after a checkpoint

_MOVE_ASIDE = "move it aside; a new store will be made"
# SQLite's primary result code → what went wrong, and what to do. Other errors
# (constraint violations, SQL mistakes) are bugs and keep their traceback.
_TROUBLE = {
    "SQLITE_NOTADB": ("is not a briefing store or is damaged", _MOVE_ASIDE),
    "SQLITE_CORRUPT": ("is damaged", _MOVE_ASIDE),
    "SQLITE_CANTOPEN": ("cannot be opened", "check that its folder exists and is writable"),
    "SQLITE_READONLY": ("is read-only", "check the permissions of the file and its folder"),
    "SQLITE_PERM": ("may not be written", "check the permissions of the file and its folder"),
    "SQLITE_FULL": ("cannot grow: the disk is full", "free some disk space"),
    "SQLITE_IOERR": ("could not be read or written", "check the disk"),
    "SQLITE_BUSY": ("is in use by another run", "try again when the other run has finished"),
    "SQLITE_LOCKED": ("is in use by another run", "try again when the other run has finished"),
}


def default_path(*, environ: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """$BRIEFING_HOME/briefing.sqlite3, else the store in the user's data folder."""
    env = os.environ if environ is None else environ
    if home := env.get("BRIEFING_HOME"):
        return Path(home).expanduser() / FILENAME
    return _user_data_dir(env, platform or sys.platform) / "briefing" / FILENAME


def _user_data_dir(env: Mapping[str, str], platform: str) -> Path:
    if platform == "darwin":
        return Path.home() / "Library" / "Application Support"
    if platform == "win32":
        local = env.get("LOCALAPPDATA")
        return Path(local) if local else Path.home() / "AppData" / "Local"
    xdg = env.get("XDG_DATA_HOME")
    # The XDG spec says a relative path is invalid and must be ignored.
    return Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"


def connect(path: Path) -> sqlite3.Connection:
    memory = str(path) == ":memory:"
    try:
        if not memory:
            path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"store {path}: cannot make its folder ({exc})", _PATH_HINT) from exc
    with translated(path):
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA busy_timeout = 30000")
            # A new file only (an existing one keeps its page size): an edit rewrites the
            # pages of its old version (head row, history), which 8 KiB pages halve against
            # 16 KiB; a fetch's new rows fill whole pages either way (4 KiB: more b-tree work).
            # The 2024 replay: 94k/s with 16 KiB, 119k/s with 8 KiB, 79k/s with 4 KiB.
            conn.execute(f"PRAGMA page_size = {_PAGE_SIZE}")
            if not memory:
                conn.execute("PRAGMA journal_mode = WAL")
            # With WAL, NORMAL cannot corrupt; at worst a power cut loses the last commit.
            conn.execute("PRAGMA synchronous = NORMAL")
            # A checkpoint (two fsyncs) per 128 MB of WAL instead of per 4 MB: a backlog of
            # fetches is written in a fifth of the time (40 MB), and the 2023-2024 x2 replay
            # waits for one checkpoint instead of four (its store ~9 % faster than with 40 MB;
            # 124 MB written instead of 185). With synchronous = NORMAL the WAL is synced at a
            # checkpoint: a power cut (not a killed run) may roll back the commits since the
            # last one, never damage the file; a longer interval puts more of them at risk.
            page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
            conn.execute(f"PRAGMA wal_autocheckpoint = {_CHECKPOINT_BYTES // page_size}")
            conn.execute(f"PRAGMA journal_size_limit = {_WAL_LIMIT}")
            conn.execute("PRAGMA foreign_keys = ON")
            # What a cleaning migration or an update replaces is overwritten, not left in
            # the file's free pages (some SQLite builds leave this off by default).
            conn.execute("PRAGMA secure_delete = ON")
            scrub.register(conn)
            conn.create_function(
                "briefing_document_facts", 1, encoding.document_facts, deterministic=True
            )
            _migrate(conn, path)
        except BaseException:
            conn.close()
            raise
    return conn


@contextmanager
def translated(path: Path) -> Iterator[None]:
    """Trouble with the file becomes a StoreError with a hint; bugs keep their traceback."""
    try:
        yield
    except sqlite3.Error as exc:
        name = getattr(exc, "sqlite_errorname", "") or ""
        trouble = _TROUBLE.get("_".join(name.split("_")[:2]))
        if trouble is None:
            raise
        raise StoreError(f"store {path} {trouble[0]} ({exc})", trouble[1]) from exc


_PATH_HINT = "check the store path ([store] path or $BRIEFING_HOME) and its permissions"


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the schema up to len(MIGRATIONS), each migration atomically with its number."""
    if _user_version(conn) == len(MIGRATIONS):
        return
    # Tables are rebuilt (migration 11), which SQLite allows only with the foreign keys off
    # (a dropped parent would count its children as dangling); they are checked instead.
    conn.execute("PRAGMA foreign_keys = OFF")  # no effect inside a transaction: set before
    conn.execute("BEGIN IMMEDIATE")  # another run may be migrating: read the version under the lock
    try:
        current = _user_version(conn)
        if current > len(MIGRATIONS):
            raise StoreError(
                f"store {path}: made by a newer briefing (schema {current}, "
                f"this one knows {len(MIGRATIONS)})",
                "upgrade briefing, or move the file aside; a new store will be made",
            )
        for number, script in enumerate(MIGRATIONS[current:], start=current + 1):
            for statement in _statements(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
        if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
            raise sqlite3.IntegrityError("FOREIGN KEY constraint failed")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
    if 0 < current < _REBUILT:  # the old tables' pages (zeroed) would stay in the file
        conn.execute("VACUUM")


_REBUILT = 11  # the last migration that rebuilds the incidents' tables


def _user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _statements(script: str) -> Iterator[str]:
    """The statements of a script, one by one, so they run inside our transaction
    (`executescript` would commit first)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""
    if pending.strip():
        yield pending
