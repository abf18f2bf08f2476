"""Krisinformation.se news: HTML read safely, lon-first points, "Sverige" areas, and the
county's items placed in the municipality."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from briefing import config as configuration
from briefing.errors import ConfigError
from briefing.models import Incident, Origin
from briefing.sources.base import Batch, FetchContext
from briefing.sources.http import HttpClient
from briefing.sources.krisinformation import KrisinformationSettings, KrisinformationSource
from briefing.store import Store
from tests.builders import DATA, make_config, table
from tests.clirun import run

KRIS = DATA / "krisinformation"
SAMPLE = KRIS / "krisinformation-v3-news-2023-03.json"
DERIVED = KRIS / "derived"
WINDOW = ("--since", "2026-11-26", "--until", "2026-11-28")
_ALL_TIME = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def fetch(path: Path, municipality: str = "Järfälla", **keys: Any) -> Batch:
    settings = KrisinformationSettings(
        kind="krisinformation", origin=Origin.AUTHORITY, path=path, **keys
    )
    ctx = FetchContext(
        http=HttpClient(),
        now=datetime(2026, 11, 27, 7, tzinfo=UTC),
        tz=ZoneInfo("Europe/Stockholm"),
        municipality=municipality,
    )
    return KrisinformationSource("kris", settings).fetch(ctx)


def by_key(batch: Batch) -> dict[str, Incident]:
    return {incident.key: incident for incident in batch.incidents}


def test_the_sample_reads_as_plain_text_with_lon_first_points() -> None:
    batch = fetch(SAMPLE)
    assert batch.problems == []
    found = by_key(batch)
    assert list(found) == ["18478", "18435", "18434"]
    vma = found["18434"]
    assert vma.title == "Viktigt meddelande till allmänheten i Åhus, Skåne län."
    assert (
        vma.summary == "Uppdatering 2/3 kl. 09.30: Faran är över. Meddelandet gäller inte längre."
    )
    assert vma.text.startswith("Ursprungligt meddelande: ⚠ Viktigt meddelande till allmänheten")
    assert "{0}" not in vma.text and "<p>" not in vma.text
    assert (vma.lat, vma.lon) == (55.92231, 14.30884)  # "14.30884,55.92231": longitude first
    assert (vma.county, vma.location) == ("Skåne län", "Åhus; Skåne län")
    assert vma.published_at == datetime.fromisoformat("2023-03-02T06:15:00+01:00")
    wind = found["18478"]
    assert "&nbsp;" not in wind.summary and "bland annat leda till" in wind.summary
    assert (wind.lat, wind.county) == (None, None)  # only "Sverige": a centroid, no place
    assert found["18435"].lat is None  # a county's centroid is not a position


def test_placement_by_county_by_point_and_nationwide() -> None:
    assert {i.key: i.municipality for i in fetch(SAMPLE).incidents} == {
        "18478": None,
        "18435": None,
        "18434": None,
    }
    assert by_key(fetch(SAMPLE, municipality="Kristianstad"))["18434"].municipality == (
        "Kristianstad"
    )
    nationwide = by_key(fetch(SAMPLE, nationwide=True))
    assert nationwide["18478"].municipality == "Järfälla"  # only "Sverige"
    assert nationwide["18435"].municipality is None  # Jämtlands län is named


def test_the_countys_news_is_shown_and_its_update_is_a_new_version(tmp_path: Path) -> None:
    feed = tmp_path / "feed"
    feed.mkdir()
    cfg = make_config(tmp_path, table("kris", "krisinformation", "authority", path=feed))
    seen = []
    for snapshot in ("news-1-evening.json", "news-2-night.json", "news-2-night.json"):
        shutil.copy(DERIVED / snapshot, feed / "news.json")
        result = run(cfg, *WINDOW, window=False)
        assert result.code == 0, result.stdout
        seen.append({item["id"]: item for item in result.doc["incidents"]})
    assert [set(shown) for shown in seen] == [{"kris:90001"}] * 3  # not Uppsala, not national
    first, later, again = (shown["kris:90001"] for shown in seen)
    assert (first["severity"], first["type"], first["status"]) == (
        "medium",
        "Krisinformation",
        "new",
    )
    assert first["municipality"] == "Järfälla" and first["origins"] == ["authority"]
    assert first["url"] == "https://www.krisinformation.se/nyheter/2026/november/vma-jakobsberg/"
    assert (later["status"], again["status"]) == ("updated", "unchanged")
    assert str(later["summary"]).startswith("Uppdatering 27/11 kl. 01.10: Faran är över.")
    with Store(tmp_path / "store.sqlite3") as store:
        [stored] = [s for s in store.window(*_ALL_TIME) if s.incident.key == "90001"]
    text = stored.incident.text
    assert "alert" not in text and "javascript" not in text and "<" not in text
    assert text.endswith("Läs mer hos Polisen & räddningstjänsten.")
    assert (stored.incident.lat, stored.incident.lon) == (59.4231, 17.8339)


def test_a_replay_of_both_files_changes_nothing(tmp_path: Path) -> None:
    cfg = make_config(tmp_path, table("kris", "krisinformation", "authority", path=DERIVED))
    for _ in range(3):
        assert run(cfg, *WINDOW, window=False).code == 0
    with Store(tmp_path / "store.sqlite3") as store:
        versions = {s.incident.key: s.version for s in store.window(*_ALL_TIME)}
    assert versions == {"90001": 2, "90002": 1, "90003": 1}


def test_a_malformed_item_is_named_and_the_rest_kept(tmp_path: Path) -> None:
    items = json.loads(SAMPLE.read_text(encoding="utf-8"))
    items += [
        {**items[0], "Identifier": "77", "Published": "2023-03-06 12:04"},
        {**items[0], "Identifier": None},
        {**items[0], "Identifier": "78", "Headline": "", "Preamble": "", "PushMessage": None},
        ["not", "an", "item"],
    ]
    path = tmp_path / "news.json"
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    batch = fetch(path)
    assert len(batch.incidents) == 3
    assert batch.problems == [
        "kris: news.json: item 3 (Identifier 77): Published '2023-03-06 12:04' has no UTC offset",
        "kris: news.json: item 4: missing Identifier",
        "kris: news.json: item 5 (Identifier 78): no Headline, Preamble or PushMessage",
        "kris: news.json: item 6: not an object but list",
    ]


def test_origin_defaults_from_the_kind_but_csv_must_say(tmp_path: Path) -> None:
    cfg = tmp_path / "sources.toml"
    head = '[briefing]\nmunicipality = "Järfälla"\n\n'
    kris = f'[sources.kris]\nkind = "krisinformation"\npath = {json.dumps(str(SAMPLE))}\n'
    cfg.write_text(head + kris, encoding="utf-8")
    assert configuration.load(cfg).sources["kris"].origin is Origin.AUTHORITY
    guards = '\n[sources.vakter]\nkind = "csv"\npath = "inkorg"\n'
    cfg.write_text(head + kris + guards, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"sources.vakter.origin"):
        configuration.load(cfg)
