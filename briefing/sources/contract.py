"""The adapter contract as a pytest suite: what every adapter promises, tested.

Only tests import this module (it needs pytest, which the briefing itself never
imports). Subclass `HttpAdapterContract` (an adapter that fetches a URL) or
`AdapterContract` (one that does not, such as a mailbox) in a test module, give
the `recorded` fixture, the adapter's table on a real recorded payload, and the
`malformed` method, and pytest runs every promise against your adapter:

    from briefing.sources.contract import HttpAdapterContract, Malformed, Recorded

    class TestTrafik(HttpAdapterContract):
        @pytest.fixture
        def recorded(self) -> Recorded:
            return Recorded(
                table={"kind": "trafik", "origin": "authority"},
                path=Path(__file__).parent / "data" / "trafik.json",
                content_type="application/json",
                refuses=r"not valid JSON",
            )

        def malformed(self, recorded: Recorded, folder: Path) -> Malformed:
            ...  # the recording with one record broken, written into `folder`

The promises: every time is timezone-aware; replaying the same payload (from
another file name, or over HTTP) gives the same ids and the same facts; each
incident keeps its own raw record; a malformed record is named in one problem
and the rest kept; a missing path is a `SourceError` naming it; and every fault
of `briefing.sources.faultserver` (a server that hangs, drips, floods, resets,
errs, loops, or answers with a login page) is a `SourceError` within the
source's deadline, never a crash or a wait.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

try:
    import pytest
except ImportError as exc:  # pragma: no cover - only without the test extra
    raise ImportError("briefing.sources.contract is a pytest suite: install pytest") from exc

import httpx

from briefing import sources
from briefing.errors import SourceError
from briefing.models import Incident, clean_text
from briefing.sources import border
from briefing.sources.base import Batch, FetchContext, Source
from briefing.sources.faultserver import FaultServer
from briefing.sources.http import MAX_BYTES, HttpClient

NAME = "kontrakt"
TZ = ZoneInfo("Europe/Stockholm")
MUNICIPALITY = "Järfälla"
DEADLINE = 0.5  # seconds a source on the fault server may take, per request
SLACK = 1.0  # seconds on top of the deadline: thread start, the handshake, a slow machine


def no_network(request: httpx.Request) -> httpx.Response:
    """A transport for sources read from files: any request fails the test."""
    raise AssertionError(f"a source read from a file asked {request.url}")


def offline() -> HttpClient:
    """An HTTP client that refuses to send anything."""
    return HttpClient(transport=httpx.MockTransport(no_network))


def context(
    http: HttpClient,
    now: datetime,
    *,
    state: Mapping[str, str] | None = None,
    tz: ZoneInfo = TZ,
    municipality: str = MUNICIPALITY,
) -> FetchContext:
    """What the pipeline hands an adapter, with nothing saved from earlier runs."""
    return FetchContext(
        http=http, now=now, tz=tz, municipality=municipality, state=dict(state or {})
    )


@dataclass(frozen=True)
class Recorded:
    """An adapter's table and a real recorded payload it reads without problems."""

    table: Mapping[str, object]  # `kind`, `origin` and the adapter's own keys; no url/path
    path: Path  # one recorded file, at least two incidents in it
    # For an adapter that fetches a URL (HttpAdapterContract):
    content_type: str = "application/octet-stream"  # what a server sends the recording with
    refuses: str = ""  # regex: what the adapter says of a page that is not its format
    now: datetime = field(default_factory=lambda: datetime(2026, 7, 30, 8, 30, tzinfo=TZ))
    # The class, before it is installed; by default the registry's for `kind`, so the
    # entry point is tested too.
    adapter: type[Source] | None = None

    def build(self, **where: object) -> Source:
        """The adapter on `path=` or `url=` (default: the recording)."""
        kind = str(self.table["kind"])
        cls = self.adapter or sources.adapter(kind)
        assert cls.kind == kind, f"{cls.__name__}.kind is {cls.kind!r}, the table says {kind!r}"
        given = where or {"path": self.path}
        return cls(NAME, cls.Settings.model_validate({**self.table, **given}))

    def read(self, http: HttpClient | None = None, **where: object) -> Batch:
        with http or offline() as client:
            return self.build(**where).fetch(context(client, self.now))


@dataclass(frozen=True)
class Malformed:
    """A payload with one broken record among good ones."""

    path: Path
    kept: frozenset[str]  # keys of the good records, which must all be kept
    names: str  # regex the one problem must match: it names the broken record


# Every fault of the server and what the HTTP layer says of it. None: the
# adapter's own words for a payload that is not its format (`Recorded.refuses`).
_KIB = MAX_BYTES // 1024
_WAITS = pytest.mark.slow  # waits out the whole deadline
FAULTS = [
    pytest.param("/hang", r"(not complete|no answer) within", id="hang", marks=_WAITS),
    pytest.param("/drip", r"not complete within", id="drip", marks=_WAITS),
    pytest.param(
        "/drip-headers", r"(not complete|no answer) within", id="drip-headers", marks=_WAITS
    ),
    pytest.param("/big", rf"larger than {_KIB} KiB", id="200-MiB"),
    pytest.param("/bomb", rf"larger than {_KIB} KiB", id="gzip-bomb"),
    pytest.param("/reset", r"(?i)reset", id="connection-reset"),
    pytest.param("/status/500", r"HTTP 500", id="500"),
    pytest.param("/status/503", r"HTTP 503", id="503"),
    pytest.param("/status/429?retry_after=120", r"HTTP 429.*wait 120 s", id="429"),
    pytest.param("/status/403", r"HTTP 403", id="403"),
    pytest.param("/status/404", r"HTTP 404", id="404"),
    pytest.param("/loop", r"more than 5 redirects", id="redirect-loop"),
    pytest.param("/moved-to-file", r"not http\(s\)", id="redirect-to-file"),
    pytest.param("/login", None, id="html-login"),
    pytest.param("/empty", r"empty response", id="empty-200"),
    pytest.param("/truncated.json", None, id="truncated"),
]


_READ: dict[str, Batch] = {}


def _times(incident: Incident) -> list[datetime]:
    return [t for t in (incident.published_at, incident.occurred_at) if t is not None]


def _facts(batch: Batch) -> list[tuple[str, str]]:
    return [(incident.key, incident.fingerprint()) for incident in batch.incidents]


class AdapterContract:
    """The promises every adapter keeps. Subclass it per adapter (see the module's doc)."""

    # True for an adapter whose one payload can hold an incident and its later versions
    # (a VMA, its update and its cancellation): it gives one incident per version, oldest
    # first, so an id repeats in the batch, but never with the same facts or raw record.
    versions_in_one_payload: ClassVar[bool] = False

    @pytest.fixture
    def recorded(self) -> Recorded:
        raise NotImplementedError("give the adapter's table and a recording: see Recorded")

    def malformed(self, recorded: Recorded, folder: Path) -> Malformed:
        """Write the recording with one record broken into `folder`."""
        raise NotImplementedError

    @pytest.fixture
    def batch(self, recorded: Recorded) -> Batch:
        """The recording, read once and shared: tests must not change it."""
        key = repr(recorded)
        if key not in _READ:
            _READ[key] = recorded.read()
        return _READ[key]

    # --- the recording ------------------------------------------------------------------

    def test_the_recording_is_read_whole(self, recorded: Recorded, batch: Batch) -> None:
        assert batch.problems == []
        assert len(batch.incidents) >= 2
        for incident in batch.incidents:
            assert incident.source == NAME
            assert incident.origin == recorded.table["origin"]
            assert incident.key, incident
            for text in (incident.title, incident.summary, incident.type, incident.location):
                assert clean_text(text) == text, text

    def test_every_time_is_timezone_aware(self, batch: Batch) -> None:
        for incident in batch.incidents:
            for moment in _times(incident):
                assert moment.tzinfo is not None and moment.utcoffset() is not None, incident

    def test_each_incident_keeps_its_own_raw_record(self, recorded: Recorded, batch: Batch) -> None:
        size = recorded.path.stat().st_size
        raws = [incident.raw for incident in batch.incidents]
        assert all(raw.strip() for raw in raws), "an incident without its raw record"
        assert len(set(raws)) == len(raws), "two records share one raw payload"
        assert all(len(raw) < size for raw in raws), "raw is the whole payload"

    # --- replays --------------------------------------------------------------------------

    def test_a_replay_gives_the_same_ids_and_facts(
        self, recorded: Recorded, batch: Batch, tmp_path: Path
    ) -> None:
        copy = tmp_path / f"replayed-again{recorded.path.suffix}"
        shutil.copyfile(recorded.path, copy)
        again = recorded.read(path=copy)
        assert _facts(again) == _facts(batch)
        assert [i.raw for i in again.incidents] == [i.raw for i in batch.incidents]
        ids = [incident.id for incident in batch.incidents]
        if self.versions_in_one_payload:
            assert len(set(_facts(batch))) == len(ids), "one version given twice"
        else:
            assert len(set(ids)) == len(ids), "ids not unique"

    # --- what cannot be read ----------------------------------------------------------------

    def test_a_malformed_record_is_named_counted_and_the_rest_kept(
        self, recorded: Recorded, tmp_path: Path
    ) -> None:
        broken = self.malformed(recorded, tmp_path)
        batch = recorded.read(path=broken.path)
        assert len(batch.problems) == 1, batch.problems
        assert re.search(broken.names, batch.problems[0]), batch.problems[0]
        assert broken.kept <= {incident.key for incident in batch.incidents}
        assert broken.kept, "Malformed.kept names no good record"

    def test_a_missing_path_is_a_failed_source_naming_it(
        self, recorded: Recorded, tmp_path: Path
    ) -> None:
        missing = tmp_path / f"not-there{recorded.path.suffix}"
        with pytest.raises(SourceError) as caught:
            recorded.read(path=missing)
        assert str(missing) in border.failure(caught.value)


class HttpAdapterContract(AdapterContract):
    """The promises of an adapter that fetches a URL, as well: the same incidents over
    HTTP, and every fault of the fault server a failed source within the deadline."""

    @pytest.fixture(scope="class")
    @classmethod
    def fault_server(cls) -> Iterator[FaultServer]:
        with FaultServer(lifetime=300) as server:
            yield server

    def test_the_same_payload_over_http_gives_the_same_incidents(
        self, recorded: Recorded, batch: Batch, fault_server: FaultServer
    ) -> None:
        url = fault_server.add(
            type(self).__name__, recorded.path.read_bytes(), recorded.content_type
        )
        with HttpClient() as http:
            served = recorded.read(http, url=url)
        assert served.problems == []
        assert _facts(served) == _facts(batch)

    @pytest.mark.parametrize(("route", "says"), FAULTS)
    def test_a_faulty_server_is_a_failed_source_within_the_deadline(
        self, recorded: Recorded, fault_server: FaultServer, route: str, says: str | None
    ) -> None:
        table: dict[str, Any] = {"url": fault_server.url(route), "timeout": DEADLINE}
        started = time.monotonic()
        with pytest.raises(SourceError) as caught:
            recorded.read(HttpClient(), **table)
        elapsed = time.monotonic() - started
        message = border.failure(caught.value)
        assert says or recorded.refuses, "Recorded.refuses: what the adapter says of a login page"
        assert re.search(says or recorded.refuses, message), message
        assert "\n" not in message
        assert elapsed < DEADLINE + SLACK, f"{route} took {elapsed:.1f} s"
