"""Event pages on polisen.se: the parser on real pages of three layouts, and the
polisen adapter reading pages from a folder or from a fake polisen.se (through
the real HTTP client, rate limit and SQLite store), within the site's limits.

The pages in tests/data/polisen-pages/ are byte copies of the archived pages
(see its README.md); `polisen-details-jarfalla-parsed.json` was derived from
the same pages by another parser, so the two must agree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from briefing import config, pipeline
from briefing.evaluate.measure import Label, load_labels
from briefing.judge.classify import Rules, classify
from briefing.judge.places import Area, Gazetteer, resolve
from briefing.models import Incident, Origin
from briefing.sources import municipalities
from briefing.sources.base import Batch, FetchContext
from briefing.sources.http import HttpClient
from briefing.sources.polisen import PolisenSettings, PolisenSource
from briefing.sources.polisen_details import cache_key, page_url
from briefing.sources.polisen_page import EventPage, parse_page
from briefing.store import Store
from tests.builders import DATA, fetch_context

PAGES = DATA / "polisen-pages"
EXTRACT = DATA / "polisen" / "polisen-events-jarfalla-extract.json"
MORNING_2023 = DATA / "polisen" / "polisen-events-2023-06-08-morning.json"
PARSED = DATA / "eval" / "polisen-details-jarfalla-parsed.json"
LABELS = DATA / "eval" / "labels-dev.jsonl"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
API = "https://polisen.se/api/events"


@cache
def page(event_id: int | str) -> EventPage:
    return parse_page((PAGES / f"{event_id}.html").read_bytes())


def squeezed(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --- the parser: three layouts ------------------------------------------------


def test_2023_layout() -> None:
    found = page(409604)
    assert found.found
    assert found.h1 == "20 mars 17:00, Trafikbrott, Järfälla"
    assert found.preamble == "I Barkarby såg polisen en personbil som stod i diket."  # &#160;
    assert found.paragraphs == (
        "Polisen som körde på Norrviksvägen i närheten av Herculesgatan såg hur en personbil "
        "stod i diket. Polisen har pratat med de tre personerna i bilen, inga av dessa är skadade.",
    )
    assert (found.text_by, found.published, found.published_at) == (
        "Polisen Stockholms län",
        "20 mars 17:37",
        None,
    )
    # The footer's span.text-body ("Jag har råkat ut för något") is not the event's.
    assert "råkat ut" not in found.text and "Händelsenotiserna" not in found.text


def test_2024_layout_drops_the_advice_and_the_related_links() -> None:
    found = page(552332)
    assert found.h1 == "12 oktober 13.08, Misshandel, grov, Järfälla"
    assert found.paragraphs[2:] == (
        "Brott i nära relation",
        "Blir du slagen eller hotad av någon som står dig nära? Det kan vara en sambo, "
        "förälder eller ett syskon. Tveka inte att anmäla till polisen.",
    )
    assert found.narrative == found.paragraphs[:2]
    assert found.text == (
        "Polis griper en man misstänkt för att ha misshandlat sin flickvän.\n"
        "Två patruller åker till en bostad i Järfälla efter larm om brott i nära relation. "
        "På platsen hittats en misshandlad kvinna och hon åker med ambulans till sjukhus.\n"
        "Polisen griper en man och en anmälan om grov misshandel och olaga hot upprättas."
    )
    assert "Om jag anmäler" not in found.text  # ul.related-pages
    assert (found.text_by, found.published) == ("Polisen region Stockholm", "12 oktober 15.43")


def test_2026_layout_with_numeric_entities_and_a_time_element() -> None:
    found = page(648133)
    assert found.preamble == "Larm om brand under Skanstullsbron på Södermalm."  # p&#xE5; S&#xF6;
    assert len(found.paragraphs) == 3  # the two <p>&nbsp;</p> at the end are no paragraphs
    assert found.paragraphs[2] == (
        "En anmälan om allmänfarlig vårdslöshet upprättas och orsaken till branden utreds."
    )
    assert found.text_by == "Polisen Stockholms län"
    assert found.published == "29 juli 2026 08.12"
    assert found.published_at == datetime(2026, 7, 29, 8, 12, 53, tzinfo=STOCKHOLM)
    assert found.published_at.utcoffset() is not None


def test_line_breaks_inside_a_paragraph_are_kept() -> None:
    (paragraph,) = page(419561).paragraphs
    assert paragraph.startswith("En man som fått sin bil stulen")
    assert paragraph.count("\n") == 3 and paragraph.endswith("tillbaka till sin ägare.")


@pytest.mark.slow  # every saved page of the corpus
def test_agrees_with_the_parsed_json_on_every_page() -> None:
    parsed = json.loads(PARSED.read_text(encoding="utf-8"))
    compared = 0
    for expected in parsed:
        if not (PAGES / f"{expected['id']}.html").exists():
            continue
        found = page(expected["id"])
        assert found.h1 == expected["h1"], expected["id"]
        assert squeezed(found.preamble) == squeezed(expected["preamble"]), expected["id"]
        assert [squeezed(p) for p in found.paragraphs] == [
            squeezed(p) for p in expected["body_paragraphs"]
        ], expected["id"]
        assert found.text_by == expected["text_by"], expected["id"]
        assert found.published == expected["published_text"], expected["id"]
        compared += 1
    assert compared == len(parsed) == 159


def test_advice_is_cut_only_at_the_end_of_real_pages() -> None:
    cut = {}
    for file in sorted(PAGES.glob("*.html")):
        found = page(int(file.stem))
        if found.narrative != found.paragraphs:
            assert found.paragraphs[: len(found.narrative)] == found.narrative
            cut[file.stem] = len(found.paragraphs) - len(found.narrative)
    assert cut == {"521634": 1, "544849": 1, "552332": 2, "555949": 2, "560004": 2}


@pytest.mark.parametrize("empty", [b"", b"   \r\n", b"<html><body>Sidan finns inte</body></html>"])
def test_empty_or_foreign_pages_give_no_text(empty: bytes) -> None:
    assert parse_page(empty) == EventPage()
    assert parse_page(empty).text == ""


def test_the_archived_empty_pages() -> None:
    for event_id in (560656, 560938, 561431, 563620, 563626):
        assert page(event_id).text == ""


# --- the parser: hostile and unusual markup -------------------------------------


def content(inner: str) -> str:
    return (
        '<html><body><span class="text-body">sidfot</span>'
        f'<div class="event-page editorial-content">{inner}</div>'
        '<div class="event-page"><h1>en andra</h1></div>'
        '<footer><span class="text-body">Tipsa polisen</span></footer></body></html>'
    )


def test_scripts_and_styles_never_contribute_text() -> None:
    found = parse_page(
        content(
            "<h1>Rubrik<script>alert('h1')</script></h1>"
            '<p class="preamble">Före <script>document.write("x")</script>efter</p>'
            '<div class="text-body"><style>p { color: red }</style>'
            "<p>Ett<script type='x'><p>inte</p></script> stycke</p><noscript>nej</noscript></div>"
        )
    )
    assert (found.h1, found.preamble, found.paragraphs) == ("Rubrik", "Före efter", ("Ett stycke",))


def test_only_the_first_event_page_and_nothing_outside_it() -> None:
    found = parse_page(content("<h1>Rätt</h1>"))
    assert found.h1 == "Rätt"
    assert found.text == ""


def test_unclosed_paragraphs_entities_and_loose_text() -> None:
    found = parse_page(
        content(
            '<p class="preamble">Br&auml;nd &amp; r&#xF6;k&nbsp;i&#160;Viksj&ouml;</p>'
            '<div class="text-body editorial-html">Inledning utan p<p>Ett<p>Två<br>rad'
            "<div><p>Tre</p></div></div>"
        )
    )
    assert found.preamble == "Bränd & rök i Viksjö"
    assert found.paragraphs == ("Inledning utan p", "Ett", "Två\nrad", "Tre")


def test_a_page_cut_off_midway_keeps_what_it_has() -> None:
    html = (PAGES / "409604.html").read_bytes()
    cut = html[: html.index(b"Herculesgatan")]
    found = parse_page(cut)
    assert found.preamble == "I Barkarby såg polisen en personbil som stod i diket."
    assert found.paragraphs[0].endswith("i närheten av")


def test_undecodable_bytes_and_odd_markup_do_not_raise() -> None:
    odd = (
        b'<div class="event-page"><h1>\xff\xfe</h1><![if !IE]><!DOCTYPE <p class="preamble">'
        b"<<>>&#0;&#xD800;&bogus;</p></div></div></p><br/></br>"
    )
    found = parse_page(odd)
    assert found.found
    assert "\x00" not in found.text


def test_a_second_person_in_the_narrative_or_a_quotation_is_kept() -> None:
    found = parse_page(
        content(
            '<div class="text-body">'
            "<p>Han sa till vakten att du ska flytta dig.</p>"
            "<p>Polisen griper mannen.</p>"
            "<p><strong>Uppdatering 16.14</strong></p><p>Mannen släpps.</p>"
            '<p>Mannen skrek "jag ska ta dig".</p></div>'
        )
    )
    assert found.narrative == found.paragraphs
    assert len(found.paragraphs) == 5


# --- the adapter: saved pages (details_path) -------------------------------------


def offline(municipality: str = "Järfälla") -> FetchContext:
    now = datetime(2024, 12, 28, 8, 30, tzinfo=STOCKHOLM)
    return fetch_context(now=now, municipality=municipality)


def settings(**given: Any) -> PolisenSettings:
    return PolisenSettings(kind="polisen", origin=Origin.POLICE, **given)


def saved(events: Path, pages: Path) -> Batch:
    return PolisenSource("polisen", settings(path=events, details_path=pages)).fetch(offline())


def by_key(batch: Batch) -> dict[str, Incident]:
    return {incident.key: incident for incident in batch.incidents}


@pytest.fixture(scope="module")
def with_pages() -> Batch:
    """The labelled events through the adapter, with every saved page (parsed once)."""
    return saved(EXTRACT, PAGES)


@pytest.mark.slow  # every saved page of the corpus
def test_saved_pages_give_every_event_its_text(with_pages: Batch) -> None:
    batch = with_pages
    incidents = by_key(batch)
    assert batch.problems == []
    assert len(incidents) == 164
    assert sum(bool(i.text) for i in incidents.values()) == 159  # five pages were empty
    assert incidents["409604"].text == page(409604).text
    assert "Norrviksvägen" in incidents["409604"].text
    assert incidents["560656"].text == ""


def copy_pages(folder: Path, *ids: str) -> None:
    folder.mkdir(exist_ok=True)
    for event_id in ids:
        (folder / f"{event_id}.html").write_bytes((PAGES / f"{event_id}.html").read_bytes())


def test_a_broken_page_file_is_a_problem_not_a_failure(tmp_path: Path) -> None:
    pages = tmp_path / "sidor"
    copy_pages(pages, "409604", "552332")
    (pages / "410909.html").write_text("<html><body>503 Service Unavailable</body></html>")
    (pages / "410976.html").mkdir()  # unreadable as a file
    batch = saved(EXTRACT, pages)
    incidents = by_key(batch)
    assert "Norrviksvägen" in incidents["409604"].text
    assert "misshandlad kvinna" in incidents["552332"].text
    assert incidents["410909"].text == incidents["410976"].text == incidents["411108"].text == ""
    assert len(batch.problems) == 2
    assert batch.problems[0].startswith("polisen: event 410909: page ")
    assert "no event content" in batch.problems[0]
    assert batch.problems[1].startswith("polisen: event 410976: page ")


def test_a_missing_pages_folder_is_reported_once(tmp_path: Path) -> None:
    batch = saved(EXTRACT, tmp_path / "saknas")
    assert len(batch.incidents) == 164
    assert batch.problems == [
        f"polisen: details_path {tmp_path / 'saknas'}: no such folder; no page text read"
    ]


def test_details_needs_a_url_or_saved_pages() -> None:
    with pytest.raises(ValueError, match="details_path"):
        settings(path=EXTRACT, details=True)
    with pytest.raises(ValueError, match="details_per_run"):
        settings(url=API, details_per_run=-1)
    assert settings(path=EXTRACT, details=True, details_path=PAGES).details_per_run == 5


# --- the adapter: fetching from polisen.se ---------------------------------------


def newest_jarfalla(count: int) -> list[dict[str, Any]]:
    """Real Järfälla events whose saved page has content, newest first."""
    extract = json.loads(EXTRACT.read_text(encoding="utf-8"))
    usable = [e for e in extract if (PAGES / f"{e['id']}.html").stat().st_size > 0]
    usable = [e for e in usable if e["name"].endswith("Järfälla")]
    return sorted(usable, key=lambda e: e["id"], reverse=True)[:count]


def elsewhere(count: int) -> list[dict[str, Any]]:
    events = json.loads(MORNING_2023.read_text(encoding="utf-8"))
    upplands_bro = [e for e in json.loads(EXTRACT.read_text()) if e["id"] == 472285]
    return upplands_bro + [e for e in events if "Järfälla" not in e["name"]][:count]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_785_000_000.0
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class FakeSite:
    """polisen.se: the events API and the saved pages, by the events' own paths."""

    def __init__(self, listing: list[dict[str, Any]]) -> None:
        self.listing = listing
        self.status: dict[str, int] = {}
        self.body: dict[str, bytes] = {}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if str(request.url) == API:
            return httpx.Response(200, json=self.listing)
        ids = {e["url"]: str(e["id"]) for e in self.listing}
        key = ids.get(request.url.path)
        if key is None or self.status.get(key, 200) != 200:
            return httpx.Response(self.status.get(key or "", 404))
        body = self.body.get(key, (PAGES / f"{key}.html").read_bytes())
        return httpx.Response(200, content=body, headers={"content-type": "text/html"})

    def pages_asked(self) -> list[str]:
        ids = {e["url"]: str(e["id"]) for e in self.listing}
        return [ids.get(r.url.path, r.url.path) for r in self.requests if str(r.url) != API]


class Polisen:
    """Runs of a live polisen source against the fake site, sharing one store and clock."""

    def __init__(self, store: Store, site: FakeSite) -> None:
        self.store, self.site, self.clock = store, site, FakeClock()

    def run(self, **extra: Any) -> Batch:
        live = settings(url=API, details=True, **extra)
        http = HttpClient(
            transport=httpx.MockTransport(self.site),
            call_log=self.store,
            sleep=self.clock.sleep,
            wall_clock=self.clock.time,
        )
        ctx = FetchContext(
            http=http,
            now=datetime(2024, 12, 28, 8, 30, tzinfo=STOCKHOLM),
            tz=STOCKHOLM,
            municipality="Järfälla",
            pages=self.store,
        )
        with http:
            batch = PolisenSource("polisen", live).fetch(ctx)
        self.clock.now += 900  # the next run, a quarter of an hour later
        return batch


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "briefing.sqlite3") as opened:
        yield opened


def polisen(store: Store, jarfalla: int = 3, others: int = 3) -> Polisen:
    return Polisen(store, FakeSite(newest_jarfalla(jarfalla) + elsewhere(others)))


def test_pages_of_own_events_only_once_ever(store: Store) -> None:
    source = polisen(store)
    own = [str(e["id"]) for e in newest_jarfalla(3)]
    first = source.run()
    assert first.problems == []
    assert source.site.pages_asked() == own  # newest first; Upplands-Bro and others never
    assert all(r.headers["User-Agent"].startswith("briefing/") for r in source.site.requests)
    assert all(
        str(r.url).startswith("https://polisen.se/aktuellt/") for r in source.site.requests[1:]
    )
    assert {k: bool(i.text) for k, i in by_key(first).items() if k in own} == dict.fromkeys(
        own, True
    )
    assert not any(i.text for k, i in by_key(first).items() if k not in own)
    assert by_key(first)[own[0]].text == page(own[0]).text
    # A 10 s pause before every page, after the events list.
    assert source.clock.slept == [pytest.approx(10.0)] * 3
    assert store.page(cache_key(own[0])) == page(own[0]).text

    source.site.requests.clear()
    second = source.run()
    assert source.site.pages_asked() == []
    assert [r.url.path for r in source.site.requests] == ["/api/events"]
    assert by_key(second)[own[1]].text == by_key(first)[own[1]].text  # from the store


def test_a_page_that_is_gone_is_remembered_as_gone(store: Store) -> None:
    source = polisen(store)
    gone = str(newest_jarfalla(1)[0]["id"])
    source.site.status[gone] = 404
    first = source.run()
    assert first.problems == []
    assert by_key(first)[gone].text == ""
    assert store.page(cache_key(gone)) == ""
    source.site.requests.clear()
    source.run()
    assert source.site.pages_asked() == []


def test_at_most_details_per_run_pages_a_run_newest_first(store: Store) -> None:
    source = polisen(store, jarfalla=7)
    own = [str(e["id"]) for e in newest_jarfalla(7)]
    first = source.run(details_per_run=3)
    assert source.site.pages_asked() == own[:3]
    assert first.problems == ["polisen: 4 event page(s) left for a later run (at most 3 a run)"]
    source.run(details_per_run=3)
    assert source.site.pages_asked() == own[:6]
    last = source.run(details_per_run=3)
    assert source.site.pages_asked() == own
    assert last.problems == []
    assert all(by_key(last)[key].text for key in own)


def test_details_per_run_0_fetches_nothing_but_uses_what_is_kept(store: Store) -> None:
    source = polisen(store, jarfalla=4)
    own = [str(e["id"]) for e in newest_jarfalla(4)]
    source.run(details_per_run=2)
    source.site.requests.clear()
    quiet = source.run(details_per_run=0)
    assert source.site.pages_asked() == []
    assert quiet.problems == []
    assert [bool(by_key(quiet)[key].text) for key in own] == [True, True, False, False]


def test_a_server_error_stops_the_pages_for_this_run_and_is_retried(store: Store) -> None:
    source = polisen(store)
    own = [str(e["id"]) for e in newest_jarfalla(3)]
    source.site.status[own[0]] = 503
    first = source.run()
    assert set(source.site.pages_asked()) == {own[0]}  # (the HTTP client may retry a 503)
    assert len(first.problems) == 1
    assert f"event {own[0]}: page not read:" in first.problems[0]
    assert "HTTP 503" in first.problems[0]
    assert store.page(cache_key(own[0])) is None  # not kept: asked again next run
    del source.site.status[own[0]]
    source.site.requests.clear()
    second = source.run()
    assert source.site.pages_asked() == own
    assert second.problems == []


def test_a_page_without_event_content_is_not_kept(store: Store) -> None:
    source = polisen(store, jarfalla=1)
    key = str(newest_jarfalla(1)[0]["id"])
    source.site.body[key] = "<html><body><h1>Tillfälligt underhåll</h1></body></html>".encode()
    first = source.run()
    assert first.problems == [
        f"polisen: event {key}: https://polisen.se{newest_jarfalla(1)[0]['url']} "
        "has no event content (div.event-page)"
    ]
    assert store.page(cache_key(key)) is None


def test_pages_leave_the_last_calls_of_the_hour_to_the_api(store: Store) -> None:
    source = polisen(store)
    for minute in range(50):  # 50 calls in the last hour: the API call is the 51st
        store.record_call("polisen.se", source.clock.now - 3000 + minute * 60)
    batch = source.run()
    assert source.site.pages_asked() == []
    assert batch.problems == [
        "polisen: event pages: the hour's remaining calls are kept for the API"
    ]
    assert len(batch.incidents) == 7


def test_a_page_address_off_polisen_se_is_never_fetched(store: Store) -> None:
    events = newest_jarfalla(2)
    events[0] = {**events[0], "url": "https://evil.example/aktuellt/x/"}
    source = Polisen(store, FakeSite(events))
    batch = source.run()
    assert source.site.pages_asked() == [str(events[1]["id"])]
    assert batch.problems == [f"polisen: event {events[0]['id']}: no polisen.se page address"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://polisen.se/aktuellt/handelser/x/", "https://polisen.se/aktuellt/handelser/x/"),
        ("http://www.polisen.se/a/?q=1#f", "https://polisen.se/a/"),
        ("https://polisen.se.evil.example/a/", None),
        ("https://user@evil.example/a/", None),
        (None, None),
        ("", None),
    ],
)
def test_page_url(given: str | None, expected: str | None) -> None:
    assert page_url(given) == expected


# --- the pipeline keeps pages in its store ----------------------------------------


def test_the_pipeline_keeps_pages_in_the_store(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(
        '[briefing]\nmunicipality = "Järfälla"\n\n'
        f'[sources.polisen]\nkind = "polisen"\norigin = "police"\nurl = "{API}"\n'
        "details = true\ndetails_per_run = 2\n",
        encoding="utf-8",
    )
    cfg = config.load(path)
    site, clock = FakeSite(newest_jarfalla(2)), FakeClock()
    now = datetime(2024, 12, 28, 8, 30, tzinfo=STOCKHOLM)
    with Store(tmp_path / "store.sqlite3") as store:
        for _ in range(2):
            http = HttpClient(
                transport=httpx.MockTransport(site),
                call_log=store,
                sleep=clock.sleep,
                wall_clock=clock.time,
            )
            with http:
                (report,) = pipeline.fetch_all(cfg, store, http, now)
            clock.now += 900
        assert report.status == "ok" and report.warnings == ()
        assert len(site.pages_asked()) == 2  # all in the first run
        texts = [s.incident.text for s in store.window(datetime(2024, 1, 1, tzinfo=STOCKHOLM), now)]
        assert all(texts) and len(texts) == 2


# --- what the page text is worth -----------------------------------------------------


def test_saved_pages_place_the_labelled_events(with_pages: Batch) -> None:
    """District accuracy on the hand labels with the page text read by the adapter
    (the issue's target: ≥ 0.93, and a district for at most 5 % of the events whose
    label has none), better than the API fields alone; serious recall holds."""
    pages = Judged(by_key(with_pages))
    api_only = Judged(by_key(PolisenSource("p", settings(path=EXTRACT)).fetch(offline())))
    labels = load_labels(LABELS)
    labelled = [label for label in labels if label.district]
    unlabelled = [label for label in labels if not label.district]
    assert (len(labelled), len(unlabelled)) == (133, 31)
    assert pages.district_accuracy(labelled) >= 0.93
    assert pages.district_accuracy(labelled) > api_only.district_accuracy(labelled)
    assert sum(pages.district(label.id) is not None for label in unlabelled) <= 0.05 * 31
    serious = [label for label in labels if label.severity.serious]
    assert sum(pages.serious(label.id) for label in serious) >= 0.95 * len(serious)


class Judged:
    """Incidents placed and judged as a briefing would."""

    def __init__(self, incidents: dict[str, Incident]) -> None:
        home = municipalities.lookup("Järfälla")
        assert home is not None
        self.area = Area(home.name, home.county, ())
        self.gazetteer = Gazetteer.bundled(home.name)
        self.rules = Rules.load()
        self.incidents = incidents

    def district(self, key: str) -> str | None:
        return resolve(self.incidents[key], self.area, self.gazetteer).district

    def serious(self, key: str) -> bool:
        incident = self.incidents[key]
        place = resolve(incident, self.area, self.gazetteer)
        return classify(incident, place, self.rules).serious

    def district_accuracy(self, labels: list[Label]) -> float:
        return sum(self.district(label.id) == label.district for label in labels) / len(labels)
