"""The contract catches what it promises to catch: a sloppy plug-in adapter fails it.

The adapter below is what a hurried third party might write. It is run through
the contract the way a plug-in's own tests would (pytester: a pytest run in
this process, on a test file of its own), and exactly the promises it breaks
must fail.
"""

from __future__ import annotations

import pytest

pytest_plugins = ("pytester",)

SLOPPY = """
import json
import uuid
from datetime import datetime
from pathlib import Path

import pytest

from briefing.models import Incident
from briefing.sources.base import Batch, FetchContext, Source
from briefing.sources.contract import HttpAdapterContract, Malformed, Recorded


class SloppySource(Source):
    kind = "slarvig"

    def fetch(self, ctx: FetchContext) -> Batch:
        if self.settings.url is not None:
            body = ctx.http.get(self.settings.url, timeout=self.settings.timeout).content
        else:
            body = Path(self.settings.path).read_bytes()  # a crash when it is missing
        batch = Batch()
        for record in json.loads(body):  # a crash on a page that is not JSON
            batch.incidents.append(
                Incident(
                    source=self.name,
                    key=uuid.uuid4().hex,  # a new id every run
                    origin=self.origin,
                    type="",
                    title=record["rubrik"],
                    summary="",
                    published_at=datetime.fromisoformat(record["tid"]),  # naive
                )
            )
        return batch


class TestSloppy(HttpAdapterContract):
    @pytest.fixture
    def recorded(self, tmp_path: Path) -> Recorded:
        path = tmp_path / "rapporter.json"
        records = [{"rubrik": "Brand", "tid": "2023-06-07 22:31"},
                   {"rubrik": "Bråk", "tid": "2023-06-08 01:10"}]
        path.write_text(json.dumps(records))
        return Recorded(
            table={"kind": "slarvig", "origin": "guards"},
            path=path,
            content_type="application/json",
            refuses="not JSON",
            adapter=SloppySource,
        )

    def malformed(self, recorded: Recorded, folder: Path) -> Malformed:
        path = folder / "rapporter.json"
        path.write_text(json.dumps([{"rubrik": "Brand", "tid": "2023-06-07 22:31"}, {}]))
        return Malformed(path=path, kept=frozenset({"any"}), names="record 1")
"""

BROKEN_PROMISES = {
    "test_every_time_is_timezone_aware",
    "test_each_incident_keeps_its_own_raw_record",
    "test_a_replay_gives_the_same_ids_and_facts",
    "test_the_same_payload_over_http_gives_the_same_incidents",
    "test_a_malformed_record_is_named_counted_and_the_rest_kept",
    "test_a_missing_path_is_a_failed_source_naming_it",
    "test_a_faulty_server_is_a_failed_source_within_the_deadline[html-login]",
    "test_a_faulty_server_is_a_failed_source_within_the_deadline[truncated]",
}


def test_a_sloppy_adapter_fails_exactly_the_promises_it_breaks(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_sloppy=SLOPPY)
    run = pytester.inline_run("-p", "no:cacheprovider", "-m", "not slow")
    passed, skipped, failed = run.listoutcomes()
    assert {report.nodeid.split("::")[-1] for report in failed} == BROKEN_PROMISES
    assert len(passed) > 10 and not skipped
