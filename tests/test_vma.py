"""VMA from Sveriges Radio: one incident per alert, its updates and cancellation as versions,
critical when it covers the municipality, never a test message, never another county's."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from briefing.errors import SourceError
from briefing.models import Origin
from briefing.sources.base import FetchContext
from briefing.sources.http import HttpClient
from briefing.sources.vma import VmaSettings, VmaSource
from briefing.store import Store
from tests.builders import DATA, make_config, table
from tests.clirun import run

VMA = DATA / "vma"
SAMPLE = VMA / "sr-vma-api-v2-alerts-example.json"
GOTEBORG_ALERT = "vma:SRCAP20220524111301I"
JARFALLA_ALERT = "vma:SRCAP20261126221400I"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
_ALL_TIME = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def config(tmp: Path, path: Path, municipality: str = "Järfälla", **keys: object) -> Path:
    cfg = make_config(tmp, table("vma", "vma", "authority", path=path, **keys))
    text = cfg.read_text(encoding="utf-8").replace('"Järfälla"', json.dumps(municipality), 1)
    cfg.write_text(text, encoding="utf-8")
    return cfg


def items(result_doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The briefing's incidents by id."""
    return {item["id"]: item for item in result_doc["incidents"]}


def test_the_sample_alert_is_critical_and_its_cancel_closes_it_as_an_update(
    tmp_path: Path,
) -> None:
    feed = tmp_path / "feed"
    feed.mkdir()
    sample = json.loads(SAMPLE.read_text(encoding="utf-8"))
    # The feed before the cancellation: the recorded alerts without the Cancel.
    before = {**sample, "alerts": [a for a in sample["alerts"] if a["msgType"] != "Cancel"]}
    (feed / "alerts.json").write_text(json.dumps(before, ensure_ascii=False), encoding="utf-8")
    cfg = config(tmp_path, feed, municipality="Göteborg")
    window = ("--since", "2022-05-01", "--until", "2022-06-01")

    first = run(cfg, *window, window=False)
    assert first.code == 0, first.stdout
    alert = items(first.doc)[GOTEBORG_ALERT]
    assert (alert["severity"], alert["status"], alert["type"]) == ("critical", "new", "VMA")
    assert alert["origins"] == ["authority"] and alert["municipality"] == "Göteborg"
    assert "VMA" in alert["reasons"][0]
    assert "Kongahällavägen" in alert["summary"]

    shutil.copy(SAMPLE, feed / "alerts.json")
    second = run(cfg, *window, window=False)
    cancelled = items(second.doc)[GOTEBORG_ALERT]
    assert cancelled["status"] == "updated"
    assert str(cancelled["title"]).startswith("Upphävt: VMA: Göteborgs kommun")
    assert str(cancelled["summary"]).startswith("VMA upphävt 2022-05-24 14:43. ")
    assert cancelled["severity"] == "critical"  # what it was is still the news of the night
    with Store(tmp_path / "store.sqlite3") as store:
        versions = store.history(GOTEBORG_ALERT)
    assert [s.version for s in versions] == [1, 2]
    # Uppsala and Skåne are neither Göteborg nor its neighbours.
    assert set(items(second.doc)) == {GOTEBORG_ALERT}


def test_the_sample_shows_nothing_in_jarfalla(tmp_path: Path) -> None:
    result = run(config(tmp_path, SAMPLE), "--since", "2021-01-01", window=False)
    assert result.code == 0
    assert result.source("vma")["fetched"] == 4  # stored, all of them
    assert items(result.doc) == {}


def test_versions_follow_references_across_runs_and_a_rerun_changes_nothing(
    tmp_path: Path,
) -> None:
    feed = tmp_path / "feed"
    feed.mkdir()
    cfg = config(tmp_path, feed)
    window = ("--since", "2026-11-26", "--until", "2026-11-28")
    seen = []
    for step in ("1-alert", "2-update", "3-cancel", "3-cancel"):
        shutil.copy(VMA / f"v3-jarfalla-{step}.json", feed / "vma.json")
        result = run(cfg, *window, window=False)
        assert result.code == 0, result.stdout
        seen.append(items(result.doc)[JARFALLA_ALERT])
    assert [item["status"] for item in seen] == ["new", "updated", "updated", "unchanged"]
    assert {item["severity"] for item in seen} == {"critical"}
    assert seen[1]["title"] == "Uppdaterat VMA i Jakobsberg, Järfälla kommun: området utökat"
    assert "Viksjö" in str(seen[1]["summary"])
    # The Cancel names the Update, which names the Alert: the same incident.
    assert seen[2]["title"] == "Upphävt: " + str(seen[1]["title"])
    assert str(seen[2]["summary"]).startswith("VMA upphävt 2026-11-27 02:05. Viktigt meddelande")
    assert seen[2]["published_at"] == seen[0]["published_at"]
    with Store(tmp_path / "store.sqlite3") as store:
        assert [s.version for s in store.history(JARFALLA_ALERT)] == [1, 2, 3]
        assert len(store.window(*_ALL_TIME)) == 1


def test_a_cancel_whose_alert_only_an_earlier_run_saw_keeps_its_place(tmp_path: Path) -> None:
    feed = tmp_path / "feed"
    feed.mkdir()
    cfg = config(tmp_path, feed)
    window = ("--since", "2026-11-26", "--until", "2026-11-28")
    shutil.copy(VMA / "v3-jarfalla-2-update.json", feed / "vma.json")
    run(cfg, *window, window=False)
    cancel_only = json.loads((VMA / "v3-jarfalla-3-cancel.json").read_text(encoding="utf-8"))
    cancel_only["alerts"] = cancel_only["alerts"][:1]  # the Cancel, info null
    (feed / "vma.json").write_text(json.dumps(cancel_only), encoding="utf-8")
    closed = items(run(cfg, *window, window=False).doc)[JARFALLA_ALERT]
    assert str(closed["title"]).startswith("Upphävt: Uppdaterat VMA i Jakobsberg")
    assert (closed["municipality"], closed["severity"], closed["status"]) == (
        "Järfälla",
        "critical",
        "updated",
    )


def test_another_county_a_neighbour_the_whole_county_and_no_tests(tmp_path: Path) -> None:
    result = run(config(tmp_path, VMA / "v3-mixed.json"), "--since", "2026-11-26", window=False)
    assert result.code == 0
    shown = items(result.doc)
    assert set(shown) == {"vma:SRCAP20261126193000I", "vma:SRCAP20261126201000I"}
    county = shown["vma:SRCAP20261126193000I"]  # all of Stockholms län: Järfälla too
    assert (county["municipality"], county["severity"]) == ("Järfälla", "critical")
    neighbour = shown["vma:SRCAP20261126201000I"]
    assert neighbour["municipality"] == "Sollentuna"  # a neighbour: shown as one
    # Skåne's alert is stored, never shown; the test and the exercise are not even stored.
    with Store(tmp_path / "store.sqlite3") as store:
        keys = {s.incident.key for s in store.window(*_ALL_TIME)}
    assert "SRCAP20261126180500I" in keys
    assert not keys & {"SRCAP20261126120000I", "SRCAP20261126130000I"}
    text = run(config(tmp_path, VMA / "v3-mixed.json"), "--since", "2026-11-26", fmt="text",
               window=False).stdout  # fmt: skip
    assert "alerts that are not real VMA skipped (1 Exercise, 1 Test)" in " ".join(text.split())


def context(handler: object = None, municipality: str = "Järfälla") -> FetchContext:
    transport = httpx.MockTransport(handler) if handler else None  # type: ignore[arg-type]
    return FetchContext(
        http=HttpClient(transport=transport),
        now=datetime(2026, 11, 27, 7, tzinfo=UTC),
        tz=STOCKHOLM,
        municipality=municipality,
    )


def test_it_asks_for_the_municipality_and_its_county_and_merges_the_answers() -> None:
    asked: list[str] = []
    agents: set[str] = set()
    body = (VMA / "v3-jarfalla-1-alert.json").read_bytes()

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        agents.add(request.headers["User-Agent"])
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    settings = VmaSettings(
        kind="vma",
        origin=Origin.AUTHORITY,
        url="https://vmaapi.sr.se/api/v3/alerts",
        user_agent="briefing/0.1 (Järfälla kommun; sakerhet@example.se)",
    )
    batch = VmaSource("vma", settings).fetch(context(handler))
    assert asked == [
        "https://vmaapi.sr.se/api/v3/alerts?geocode=0123",
        "https://vmaapi.sr.se/api/v3/alerts?geocode=01",
    ]
    assert [i.key for i in batch.incidents] == ["SRCAP20261126221400I"]  # once, not twice
    assert agents == {"briefing/0.1 (Jarfalla kommun; sakerhet@example.se)"}


def test_the_test_endpoint_is_refused_without_asking_it() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("the test endpoint must not be asked")

    url = "https://vmaapi.sr.se/testapi/v3/alerts"
    source = VmaSource("vma", VmaSettings(kind="vma", origin=Origin.AUTHORITY, url=url))
    with pytest.raises(SourceError, match="test endpoint"):
        source.fetch(context(handler))


def test_a_malformed_alert_is_named_and_the_rest_kept(tmp_path: Path) -> None:
    document = json.loads((VMA / "v3-mixed.json").read_text(encoding="utf-8"))
    broken = dict(document["alerts"][1], identifier="SRCAP-BROKEN", sent="igår")
    document["alerts"] += [broken, {"identifier": "", "status": "Actual"}, "VMA"]
    path = tmp_path / "vma.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    batch = VmaSource("vma", VmaSettings(kind="vma", origin=Origin.AUTHORITY, path=path)).fetch(
        context()
    )
    assert len(batch.incidents) == 3
    problems = "\n".join(batch.problems)
    assert "vma.json: alert 5: unreadable SRCAP-BROKEN: sent 'igår'" in problems
    assert "alert 6: missing identifier" in problems
    assert "alert 7: not an object but str" in problems


def test_not_an_alerts_document_fails_the_source(tmp_path: Path) -> None:
    path = tmp_path / "vma.json"
    path.write_text("[]", encoding="utf-8")
    source = VmaSource("vma", VmaSettings(kind="vma", origin=Origin.AUTHORITY, path=path))
    with pytest.raises(SourceError, match="expected a JSON object with an `alerts` array"):
        source.fetch(context())


def test_origin_defaults_to_authority_and_geocodes_are_checked(tmp_path: Path) -> None:
    from briefing import config as configuration
    from briefing.errors import ConfigError

    cfg = tmp_path / "sources.toml"
    text = '[briefing]\nmunicipality = "Järfälla"\n\n[sources.vma]\nkind = "vma"\n'
    text += f"path = {json.dumps(str(SAMPLE))}\n"
    cfg.write_text(text, encoding="utf-8")
    assert str(configuration.load(cfg).sources["vma"].origin) == "authority"
    cfg.write_text(text + 'geocodes = ["123"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"sources.toml:7: sources.vma.geocodes.*'123'"):
        configuration.load(cfg)
