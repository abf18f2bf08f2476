"""The intranet site (`briefing today --site DIR`) and the page's pictures, without a browser.

The site is built the way the chief's cron job builds it: the demo pipeline run
on two mornings into one folder. What a browser makes of it is tested in
test_browser.py.
"""

from __future__ import annotations

import json
import re
import shutil
import stat
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner, Result

from briefing.cli import app
from briefing.deliver.site import DatedPage, atom_feed, write_site
from briefing.models import (
    Briefing,
    DistrictShape,
    Incident,
    Item,
    Judgement,
    Origin,
    Place,
    Precision,
    Severity,
    SourceReport,
    Status,
)
from briefing.render.html import CSP, render_html
from briefing.render.svg import district_map, pictures, sparklines
from tests.schema_check import validate

TZ = ZoneInfo("Europe/Stockholm")
ATOM = "{http://www.w3.org/2005/Atom}"
SCHEMA_1 = json.loads(
    (Path(__file__).parent.parent / "briefing" / "data" / "schema-1.json").read_text("utf-8")
)
DISTRICTS = ("Jakobsberg", "Viksjö", "Barkarby-Skälby", "Kallhäll-Stäket")
# Feed text that would run script if it ever reached the page as markup.
PWN = "document.title='PWNED'"
HOSTILE = (
    f'<img src=x onerror="{PWN}"><script>{PWN}</script>'
    f'<svg onload="{PWN}"></svg><a href="javascript:{PWN}">klick</a> & "\''
)

runner = CliRunner()


# --- briefings to build pages from -------------------------------------------------------


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2023, 6, day, hour, minute, tzinfo=TZ)


def make_item(
    n: int,
    severity: Severity,
    district: str | None,
    *,
    text: str = "Brand i flerbostadshus.",
    url: str | None = "https://polisen.se/aktuellt/handelser/2023/juni/8/",
    local: bool = True,
) -> Item:
    incident = Incident(
        source="polisen",
        key=str(n),
        origin=Origin.POLICE,
        type="Brand",
        title=f"08 juni 0{n % 10}.00, Brand, Järfälla",
        summary=text,
        published_at=at(8, n % 8),
        url=url,
        municipality="Järfälla" if local else "Sollentuna",
    )
    place = Place("Järfälla" if local else "Sollentuna", district, district, Precision.DISTRICT)
    return Item(incident, Status.NEW, place, Judgement("fire", severity, ("type Brand",)), local)


def make_briefing(**changes: object) -> Briefing:
    items = (
        make_item(1, Severity.CRITICAL, "Jakobsberg"),
        make_item(2, Severity.HIGH, "Jakobsberg"),
        make_item(3, Severity.MEDIUM, "Viksjö"),
        make_item(4, Severity.LOW, None),
        make_item(5, Severity.INFO, "Kallhäll-Stäket"),
        make_item(6, Severity.MEDIUM, None, local=False),
    )
    base = Briefing(
        municipality="Järfälla",
        generated_at=at(8, 8, 31),
        window_start=at(7, 16),
        window_end=at(8, 8, 31),
        language="sv",
        sources=(SourceReport("polisen", "polisen", Origin.POLICE, "ok", 500, 6, label="Polisen"),),
        items=items,
        districts=tuple(DistrictShape(name) for name in DISTRICTS),
        daily=(
            ("Jakobsberg", (0,) * 20 + (1, 2, 0, 3, 1, 0, 4, 3)),
            ("Viksjö", (0,) * 27 + (1,)),
            (None, (1,) * 28),
        ),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def hostile_briefing() -> Briefing:
    """Every text a feed or a config controls carries markup, script and javascript: links."""
    bad = make_item(1, Severity.CRITICAL, HOSTILE, text=HOSTILE, url=f"javascript:{PWN}")
    bad = replace(bad, incident=replace(bad.incident, type=HOSTILE, title=HOSTILE))
    source = SourceReport(HOSTILE, "csv", Origin.GUARDS, "error", error=HOSTILE, label=HOSTILE)
    return make_briefing(
        items=(bad, replace(bad, local=False)),
        sources=(source,),
        daily=((HOSTILE, (1, 2, 3)),),
    )


def extract_config(folder: Path, section: str) -> Path:
    """A config in `folder`: Järfälla, `section`, and the recorded Järfälla extract."""
    extract = Path(__file__).parent / "data" / "polisen" / "polisen-events-jarfalla-extract.json"
    config = folder / "sources.toml"
    config.write_text(
        f'[briefing]\nmunicipality = "Järfälla"\n\n{section}\n'
        f'[sources.polisen]\nkind = "polisen"\norigin = "police"\npath = "{extract}"\n',
        encoding="utf-8",
    )
    return config


# --- what a page is made of ---------------------------------------------------------------


class Outline(HTMLParser):
    """Tags with their attributes, and the heading levels in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))


def outline(page: str) -> Outline:
    parser = Outline()
    parser.feed(page)
    return parser


def assert_accessible_structure(page: str) -> None:
    parsed = outline(page)
    html_attrs = next(attrs for tag, attrs in parsed.tags if tag == "html")
    assert html_attrs["lang"] == "sv"
    assert parsed.headings.count(1) == 1 and parsed.headings[0] == 1
    for before, after in zip(parsed.headings, parsed.headings[1:], strict=False):
        assert after <= before + 1, f"heading h{after} follows h{before}"
    first_link = next(attrs for tag, attrs in parsed.tags if tag == "a")
    assert first_link["href"] == "#main"
    assert any(tag == "main" and attrs.get("id") == "main" for tag, attrs in parsed.tags)
    for tag, attrs in parsed.tags:
        if tag == "svg":
            assert attrs["role"] == "img" and attrs["aria-label"], attrs


def assert_inert(page: str) -> None:
    """No script, no event handler, no javascript: link, nothing fetched from elsewhere."""
    parsed = outline(page)
    assert "script" not in {tag for tag, _ in parsed.tags}
    for tag, attrs in parsed.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for name in ("href", "src", "xlink:href"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith("javascript"), (tag, attrs)
        assert tag not in {"img", "iframe", "object", "embed", "link", "base", "form"}, tag
    assert f'content="{CSP}"' in page.replace("&#39;", "'")


# --- the site, built by the command line on two mornings -----------------------------------


def demo(site: Path, *args: str) -> Result:
    return runner.invoke(app, ["today", "--demo", "--site", str(site), *args])


def build_two_mornings(site: Path) -> list[str]:
    """The demo on 7 and 8 June 2023 into `site`; returns what each run printed."""
    first = demo(site, "-f", "text", "--since", "2023-06-06T16:00", "--now", "2023-06-07T08:30")
    second = demo(site, "-f", "text")
    for result in (first, second):
        assert result.exit_code == 0, result.output
    return [first.stdout, second.stdout]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site") / "intranet"
    build_two_mornings(folder)
    return folder


def test_two_mornings_give_dated_pages_index_latest_json_and_feed(site: Path) -> None:
    names = sorted(p.name for p in site.iterdir())
    assert names == [
        "2023-06-07.html",
        "2023-06-07.json",
        "2023-06-08.html",
        "2023-06-08.json",
        "briefing.json",
        "feed.xml",
        "index.html",
    ]
    latest = json.loads((site / "briefing.json").read_text("utf-8"))
    assert latest["schema"] == 1 and latest["generated_at"].startswith("2023-06-08T08:44")
    assert (site / "briefing.json").read_text() == (site / "2023-06-08.json").read_text()
    validate(latest, SCHEMA_1)


def test_index_is_the_latest_briefing_with_the_archive_newest_first(site: Path) -> None:
    index = (site / "index.html").read_text("utf-8")
    latest = (site / "2023-06-08.html").read_text("utf-8")
    assert index.split("<!--site-nav-->")[0] == latest.split("<!--site-nav-->")[0]
    archive = index.split("<!--site-nav-->")[1]
    assert "<h3>Juni 2023</h3>" in archive
    links = re.findall(r'<a href="(\d{4}-\d{2}-\d{2}\.html)">([^<]+)</a>', archive)
    assert links == [
        ("2023-06-08.html", "torsdag 8 juni 2023"),
        ("2023-06-07.html", "onsdag 7 juni 2023"),
    ]
    assert re.search(
        r"torsdag 8 juni 2023</a> — \d+ allvarliga?, \d+ händelser? i Järfälla", archive
    )
    assert 'href="feed.xml"' in archive


def test_dated_pages_link_back_to_the_index_and_to_the_feed(site: Path) -> None:
    page = (site / "2023-06-07.html").read_text("utf-8")
    nav = page.split("<!--site-nav-->")[1]
    assert 'href="index.html"' in nav and 'href="feed.xml"' in nav
    assert "2023-06-08.html" not in page  # a dated page is never rewritten later


@pytest.mark.parametrize("name", ["index.html", "2023-06-07.html", "2023-06-08.html"])
def test_every_page_is_self_contained_accessible_and_printable(site: Path, name: str) -> None:
    page = (site / name).read_text("utf-8")
    assert_accessible_structure(page)
    assert_inert(page)
    assert "@media print" in page and "size: A4" in page
    assert ":focus-visible" in page
    assert 'role="img" class="district-map"' in page


def test_feed_is_atom_with_one_entry_per_dated_page(site: Path) -> None:
    root = ET.fromstring((site / "feed.xml").read_bytes())
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}link").get("href") for e in entries] == [  # type: ignore[union-attr]
        "2023-06-08.html",
        "2023-06-07.html",
    ]
    for entry in entries:
        assert entry.findtext(f"{ATOM}id", "").startswith("urn:uuid:")
        updated = datetime.fromisoformat(entry.findtext(f"{ATOM}updated", ""))
        assert updated.utcoffset() == timedelta(hours=2)  # Swedish summer time, with offset
        assert entry.findtext(f"{ATOM}title", "").startswith("Säkerhetsbriefing Järfälla — ")
    assert root.findtext(f"{ATOM}updated") == entries[0].findtext(f"{ATOM}updated")
    assert root.find(f"{ATOM}author/{ATOM}name") is not None


def test_feed_ids_are_stable_and_a_rerun_replaces_its_morning(site: Path, tmp_path: Path) -> None:
    site = Path(shutil.copytree(site, tmp_path / "site"))
    before = ET.fromstring((site / "feed.xml").read_bytes())
    again = demo(site, "-q")
    assert again.exit_code == 0 and again.stdout == ""
    after = ET.fromstring((site / "feed.xml").read_bytes())

    def ids(root: ET.Element) -> list[str]:
        return [e.findtext(f"{ATOM}id", "") for e in root.iter(f"{ATOM}entry")]

    assert ids(before) == ids(after) and len(set(ids(after))) == 2


def test_feed_escapes_titles_and_summaries() -> None:
    page = DatedPage(date(2023, 6, 8), Path("2023-06-08.html"), HOSTILE, HOSTILE, at(8, 8))
    text = atom_feed([page], "sv", "Järfälla")
    assert "<script>" not in text and "<img" not in text
    entry = ET.fromstring(text).find(f"{ATOM}entry")
    assert entry is not None
    assert entry.findtext(f"{ATOM}title") == HOSTILE  # the same text, as text
    assert entry.findtext(f"{ATOM}summary") == HOSTILE


def test_archive_is_rebuilt_from_the_dated_files_present(site: Path, tmp_path: Path) -> None:
    site = Path(shutil.copytree(site, tmp_path / "site"))
    for name in ("index.html", "feed.xml", "2023-06-08.json"):
        (site / name).unlink()
    (site / "2023-06-08.html").rename(site / "2023-05-31.html")  # an older morning, no JSON
    (site / "notes.html").write_text("not a briefing", "utf-8")
    # Replay an older morning: it joins the archive, the index stays the newest morning.
    result = demo(site, "-q", "--since", "2023-06-05T16:00", "--now", "2023-06-06T08:30")
    assert result.exit_code == 0, result.output
    index = (site / "index.html").read_text("utf-8")
    archive = index.split("<!--site-nav-->")[1]
    assert re.findall(r'href="([\d-]+\.html)"', archive) == [
        "2023-06-07.html",
        "2023-06-06.html",
        "2023-05-31.html",
    ]
    assert "<h3>Juni 2023</h3>" in archive and "<h3>Maj 2023</h3>" in archive
    assert "onsdag 7 juni 2023" in index.split("<!--site-nav-->")[0]  # the newest morning
    assert json.loads((site / "briefing.json").read_text())["generated_at"].startswith("2023-06-07")
    feed = ET.fromstring((site / "feed.xml").read_bytes())
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    assert titles[-1] == "Säkerhetsbriefing Järfälla — torsdag 8 juni 2023"  # from its <title>


def test_site_files_are_readable_by_the_web_server(site: Path) -> None:
    for path in site.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path
    assert not [p for p in site.iterdir() if p.name.startswith(".")]  # no temporary left


def test_a_site_that_cannot_be_written_exits_4_after_printing_the_briefing(tmp_path: Path) -> None:
    blocker = tmp_path / "site"
    blocker.write_text("a file where the folder should be", "utf-8")
    result = demo(blocker, "-f", "text")
    assert result.exit_code == 4
    assert "Säkerhetsbriefing Järfälla" in result.stdout
    assert "briefing: " in result.stderr and str(blocker) in result.stderr


def test_config_site_dir_is_the_default(tmp_path: Path) -> None:
    config = extract_config(tmp_path, '[site]\ndir = "intranät"\n')
    result = runner.invoke(app, ["today", "-c", str(config), "-q", "--now", "2024-03-05"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "intranät" / "2024-03-05.html").is_file()
    assert (tmp_path / "intranät" / "index.html").is_file()


# --- the site from a Briefing, hostile text included -----------------------------------------


def test_hostile_text_stays_text_on_every_page_and_in_the_feed(tmp_path: Path) -> None:
    write_site(hostile_briefing(), tmp_path)
    for name in ("index.html", "2023-06-08.html"):
        page = (tmp_path / name).read_text("utf-8")
        assert_inert(page)
        assert_accessible_structure(page)
        assert "&lt;img src=x onerror=" in page
    ET.fromstring((tmp_path / "feed.xml").read_bytes())  # well-formed


def test_the_page_language_follows_the_briefing(tmp_path: Path) -> None:
    write_site(make_briefing(language="en"), tmp_path)
    index = (tmp_path / "index.html").read_text("utf-8")
    assert '<html lang="en">' in index and "Skip to the content" in index
    assert "<h3>June 2023</h3>" in index


# --- the pictures ----------------------------------------------------------------------------


def test_map_says_in_words_what_it_shows() -> None:
    briefing = make_briefing()
    drawn = district_map("sv", "Järfälla", DISTRICTS, briefing.local)
    assert drawn is not None
    label = (
        "Karta: 2 händelser i Jakobsberg, 1 i Viksjö, 1 i Kallhäll-Stäket, 1 utan känd kommundel."
    )
    assert f'aria-label="{label}"' in drawn and f"<title>{label}</title>" in drawn
    for name in (*DISTRICTS, "Okänd kommundel"):
        assert f">{name}</text>" in drawn  # every kommundel is labelled, empty ones too


def test_map_draws_severity_as_shapes_with_a_legend() -> None:
    one_each = tuple(make_item(n, s, "Viksjö") for n, s in enumerate(Severity))
    drawn = district_map("sv", "Järfälla", DISTRICTS, one_each)
    assert drawn is not None
    # critical: two triangles, high: one; medium, low, info: circles; all again in the legend
    assert drawn.count("<polygon") == 2 * (2 + 1)
    assert drawn.count("<circle") == 2 * 3
    for word in ("kritisk", "hög", "medel", "låg", "info"):
        assert f">{word}</text>" in drawn


def test_map_of_a_quiet_night_and_of_nothing() -> None:
    quiet = district_map("sv", "Järfälla", DISTRICTS, ())
    assert quiet is not None and 'aria-label="Karta: inga händelser i Järfälla."' in quiet
    assert district_map("sv", "Järfälla", (), ()) is None


def test_map_with_district_outlines_places_incidents_in_their_district() -> None:
    square = [(17.80, 59.40), (17.85, 59.40), (17.85, 59.43), (17.80, 59.43), (17.80, 59.40)]
    east = [(x + 0.05, y) for x, y in square]
    outlines = {"Jakobsberg": [square], "Viksjö": [east]}
    drawn = district_map(
        "sv", "Järfälla", ("Jakobsberg", "Viksjö"), make_briefing().local, outlines
    )
    assert drawn is not None
    assert drawn.count("<path") == 2 and "Karta: 2 händelser i Jakobsberg" in drawn


def test_sparklines_have_text_alternatives_and_vanish_without_data() -> None:
    lines = sparklines("sv", make_briefing().daily)
    assert [line.district for line in lines] == ["Jakobsberg", "Viksjö", "Okänd kommundel"]
    jakobsberg = lines[0]
    assert (jakobsberg.total, jakobsberg.last_week) == (14, 13)
    label = "Jakobsberg: 14 händelser på 28 dagar, 13 senaste veckan"
    assert f'aria-label="{label}"' in jakobsberg.svg
    assert "Viksjö: 1 händelse på 28 dagar, 1 senaste veckan" in lines[1].svg
    assert sparklines("sv", ()) == () and sparklines("sv", (("Viksjö", ()),)) == ()
    page = render_html(make_briefing(daily=()))
    assert "sparkline" not in page.split("</style>")[1] and "district-map" in page


def test_pictures_escape_district_names_and_counts_from_feeds() -> None:
    drawn = pictures(hostile_briefing())
    assert drawn.map is not None
    assert "<img" not in drawn.map and "<script" not in drawn.map and "&lt;img" in drawn.map
    assert "<img" not in drawn.sparklines[0].svg and "onerror=&#34;" in drawn.sparklines[0].svg


def test_page_overview_has_a_real_table_for_the_sparklines() -> None:
    page = render_html(make_briefing())
    table = page.split('<table class="sparks">')[1].split("</table>")[0]
    assert "<caption>Händelser per dag i varje kommundel, de senaste 28 dagarna</caption>" in table
    assert '<th scope="col">Kommundel</th>' in table
    assert '<th scope="row">Jakobsberg</th>' in table
    assert_accessible_structure(page)


def test_generated_at_decides_the_dated_page_in_local_time(tmp_path: Path) -> None:
    # 23:30 UTC on 7 June is 01:30 on 8 June in Stockholm: the page is the 8th's.
    late = datetime(2023, 6, 7, 23, 30, tzinfo=UTC).astimezone(TZ)
    written = write_site(make_briefing(generated_at=late), tmp_path)
    assert written.page.name == "2023-06-08.html"


def test_ci_installs_the_browser_and_axe_and_never_skips_the_browser_tests() -> None:
    root = Path(__file__).resolve().parent.parent
    ci = (root / ".ci" / "run").read_text("utf-8")
    assert "apt-get install" in ci and "chromium chromium-driver" in ci
    assert "npm ci --prefix tests/browser" in ci and 'export CI="${CI:-true}"' in ci
    lock = json.loads((root / "tests" / "browser" / "package-lock.json").read_text("utf-8"))
    assert lock["packages"]["node_modules/axe-core"]["version"] == "4.14.1"
    browser_tests = (root / "tests" / "test_browser.py").read_text("utf-8")
    assert 'os.environ.get("CI") == "true"' in browser_tests and "pytest.fail(" in browser_tests


def test_configured_district_polygons_outline_the_map(tmp_path: Path) -> None:
    squares = {  # invented test shapes, one square per kommundel, in Järfälla's corner of Sweden
        "Kallhäll-Stäket": (17.78, 59.45),
        "Jakobsberg": (17.83, 59.45),
        "Viksjö": (17.78, 59.42),
        "Barkarby-Skälby": (17.83, 59.42),
    }
    features = [
        {
            "type": "Feature",
            "properties": {"name": name},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[x, y], [x + 0.05, y], [x + 0.05, y + 0.03], [x, y + 0.03], [x, y]]
                ],
            },
        }
        for name, (x, y) in squares.items()
    ]
    geojson = {"type": "FeatureCollection", "features": features}
    (tmp_path / "kommundelar.geojson").write_text(json.dumps(geojson), encoding="utf-8")
    config = extract_config(tmp_path, '[places]\npolygons = "kommundelar.geojson"\n')
    site = tmp_path / "site"
    result = runner.invoke(
        app, ["today", "-c", str(config), "-q", "--now", "2024-03-05", "--site", str(site)]
    )
    assert result.exit_code == 0, result.output
    drawn = (site / "index.html").read_text("utf-8").split('class="district-map"')[1]
    drawn = drawn.split("</svg>")[0]
    assert drawn.count("<path") == 4
    for name in squares:
        assert f">{name}</text>" in drawn


def drawn_districts(page: str) -> tuple[list[str], list[str]]:
    """The districts the page's map names (its bold labels), and its sparkline table's rows."""
    drawn = page.split('class="district-map"')[1].split("</svg>")[0]
    table = page.split('<table class="sparks">')[1].split("</table>")[0]
    labels = re.findall(r'<text [^>]*font-weight="bold">([^<]+)</text>', drawn)
    return labels, re.findall(r'<th scope="row">([^<]+)</th>', table)


def test_a_configured_gazetteer_draws_the_same_districts_in_html_and_on_the_site(
    tmp_path: Path,
) -> None:
    """The districts travel on the Briefing: no renderer reads a gazetteer of its own."""
    bundled = Path(__file__).parent.parent / "briefing" / "data" / "gazetteer" / "jarfalla.toml"
    added = '\n[[districts]]\nname = "Nya Görväln"\n'  # invented, for the test
    (tmp_path / "gazetteer.toml").write_text(bundled.read_text("utf-8") + added, "utf-8")
    config = extract_config(tmp_path, '[places]\ngazetteer = "gazetteer.toml"\n')
    replay = ("today", "-c", str(config), "--now", "2024-03-05")
    html = runner.invoke(app, [*replay, "-f", "html"])
    assert html.exit_code == 0, html.output
    site = runner.invoke(app, [*replay, "-q", "--site", str(tmp_path / "site")])
    assert site.exit_code == 0, site.output
    on_site = (tmp_path / "site" / "index.html").read_text("utf-8")
    map_html, sparks_html = drawn_districts(html.stdout)
    map_site, sparks_site = drawn_districts(on_site)
    assert "Nya Görväln" in map_html and "Nya Görväln" in sparks_html
    assert (map_html, sparks_html) == (map_site, sparks_site)
    kommundelar = ["Jakobsberg", "Viksjö", "Barkarby-Skälby", "Kallhäll-Stäket", "Nya Görväln"]
    unknown = "Okänd kommundel"  # a box only when an incident of the window has no district
    assert [n for n in map_html if n != unknown] == kommundelar
    assert [n for n in sparks_html if n != unknown] == kommundelar


def test_readme_shows_the_page_and_how_to_serve_the_folder() -> None:
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text("utf-8")
    section = readme.split("## The intranet page", 1)[1].split("\n## ", 1)[0]
    image = re.search(r"!\[[^\]]+\]\((docs/[\w-]+\.png)\)", section)
    assert image is not None
    assert (root / image.group(1)).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert "briefing today --demo --site site && python3 -m http.server" in section
    assert "[site]" in section and "feed.xml" in section
