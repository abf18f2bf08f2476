"""Renderers: content, order, escaping and the JSON contract, on hand-built briefings.

Titles and summaries come from the recorded police payload of 2023-06-07/08.
Golden files live in tests/golden/; regenerate them with BRIEFING_REGEN_GOLDEN=1
and review the diff.
"""

from __future__ import annotations

import html
import io
import itertools
import json
import os
import re
from dataclasses import replace
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from jinja2 import UndefinedError
from rich.console import Console

from briefing import i18n
from briefing.errors import UsageError
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
    Suggestion,
    clean_text,
)
from briefing.render import (
    FORMATS,
    print_sources,
    print_terminal,
    render,
    safe_url,
    template_search_path,
    to_json,
)
from briefing.render.text import md_escape
from tests.schema_check import validate

TZ = ZoneInfo("Europe/Stockholm")
DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden"
SCHEMA = Path(__file__).parent.parent / "briefing" / "data" / "schema-1.json"
POLICE_EVENTS = {
    event["id"]: event
    for name in ("polisen-events-2023-06-08-morning.json", "polisen-events-jarfalla-extract.json")
    for event in json.loads((DATA / "polisen" / name).read_text("utf-8"))
}
# Järfälla's kommundelar, in the bundled gazetteer's order, as the pipeline puts them.
KOMMUNDELAR = tuple(
    DistrictShape(name) for name in ("Jakobsberg", "Viksjö", "Barkarby-Skälby", "Kallhäll-Stäket")
)
MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti")


def at(day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2023, 6, day, hour, minute, second, tzinfo=TZ)


def police(
    event_id: int, occurred: datetime | None, published: datetime | None = None, **changes: Any
) -> Incident:
    """An incident as the police adapter would give it, from a recorded event.

    Events from other nights are moved into this night: `published` replaces the
    recorded time and the title's "20 mars 17:00" prefix is rewritten to match.
    """
    event = POLICE_EVENTS[event_id]
    title = event["name"]
    if published is not None:
        when = occurred or published
        prefix = f"{when.day:02d} {MONTHS[when.month - 1]} {when:%H:%M}"
        title = re.sub(r"^\d{2} \w+ \d{2}:\d{2}", prefix, title)
    incident = Incident(
        source="polisen",
        key=str(event_id),
        origin=Origin.POLICE,
        type=event["type"],
        title=title,
        summary=clean_text(event["summary"]),
        published_at=published or datetime.strptime(event["datetime"], "%Y-%m-%d %H:%M:%S %z"),
        occurred_at=occurred,
        url="https://polisen.se" + event["url"],
        municipality=event["location"]["name"],
    )
    return replace(incident, **changes)


def item(
    incident: Incident,
    severity: Severity,
    category: str,
    *,
    district: str | None = None,
    place: str | None = None,
    precision: Precision = Precision.DISTRICT,
    status: Status = Status.NEW,
    local: bool = True,
    reasons: tuple[str, ...] = (),
    stakeholders: tuple[Suggestion, ...] = (),
) -> Item:
    municipality = "Järfälla" if local else incident.municipality
    return Item(
        incident=incident,
        status=status,
        place=Place(municipality, district, place, precision),
        judgement=Judgement(category, severity, reasons),
        local=local,
        stakeholders=stakeholders,
    )


SOURCES = (
    SourceReport(
        "polisen", "polisen", Origin.POLICE, "ok", fetched=500, new=6, updated=1, label="Polisen"
    ),
    SourceReport(
        "ordningsvakter",
        "csv",
        Origin.GUARDS,
        "error",
        error="mappen inkorg/ordningsvakter saknas",
        last_success=at(6, 8, 30),
        label="Ordningsvakter",
    ),
    SourceReport(
        "raddningstjanst",
        "rss",
        Origin.RESCUE,
        "stale",
        warnings=("ingen ny post sedan 3 dygn",),
        last_success=at(4, 7, 0),
        label="Räddningstjänsten",
        last_report=at(4, 7, 0),
    ),
)

ITEMS = (
    item(
        police(429720, at(7, 0, 9)),
        Severity.HIGH,
        "weapons",
        district="Jakobsberg",
        place="Jakobsbergs centrum",
        precision=Precision.PLACE,
        reasons=("type Knivlagen: base high",),
        stakeholders=(
            Suggestion("Jakobsbergsskolan", "school", "skola 300 m från platsen"),
            Suggestion("Jakobsbergs centrum", "business", "centrumbutiker öppnar 10:00"),
        ),
    ),
    item(
        police(420202, at(6, 23, 41), at(7, 0, 20)),
        Severity.CRITICAL,
        "shooting",
        district="Kallhäll-Stäket",
        place="Kallhäll",
        precision=Precision.PLACE,
        status=Status.UPDATED,
        reasons=("type Skottlossning, misstänkt: base critical",),
    ),
    item(
        police(425389, None, at(7, 3, 1)),
        Severity.HIGH,
        "explosion",
        precision=Precision.MUNICIPALITY,
        status=Status.UNCHANGED,
        reasons=("type Farligt föremål, misstänkt: base high",),
    ),
    item(police(429710, at(6, 23, 24)), Severity.MEDIUM, "violence", reasons=("type Misshandel",)),
    item(
        police(419311, at(6, 21, 6), at(6, 22, 17)),
        Severity.MEDIUM,
        "public_order",
        district="Barkarby-Skälby",
        place="Barkarby",
        precision=Precision.PLACE,
    ),
    item(
        police(409604, at(7, 5, 0), at(7, 5, 37)),
        Severity.LOW,
        "traffic",
        district="Barkarby-Skälby",
        place="Barkarby",
        status=Status.UNCHANGED,
    ),
    item(police(429705, at(6, 22, 51)), Severity.MEDIUM, "violence", local=False),
    item(police(429721, at(7, 0, 11)), Severity.LOW, "traffic", local=False),
    item(
        police(429807, at(6, 18, 17), at(6, 19, 14), municipality="Upplands Väsby"),
        Severity.INFO,
        "public_order",
        local=False,
    ),
)


def visible(output: str, fmt: str) -> str:
    """What a reader sees: for HTML, the text without tags, entities and pictures."""
    if fmt != "html":
        return output
    body = re.sub(r"<svg.*?</svg>", "", output.split("<body>")[1], flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def briefing(**changes: Any) -> Briefing:
    base = Briefing(
        municipality="Järfälla",
        generated_at=at(7, 8, 31, 2),
        window_start=at(6, 16, 0),
        window_end=at(7, 8, 31),
        language="sv",
        sources=SOURCES,
        items=ITEMS,
        districts=KOMMUNDELAR,
    )
    return replace(base, **changes)


HOSTILE = (
    "<script>alert(1)</script> <img src=x onerror=alert(1)> "
    "[/] [link=https://evil]klick[/link] "
    "\x1b[31mRÖD\x1b]52;c;ZXZpbA==\x07 rad1\r\nrad2 *[x](javascript:alert(1))*"
)


def hostile_briefing() -> Briefing:
    incident = police(
        429720,
        at(7, 0, 9),
        type=HOSTILE,
        title=HOSTILE,
        summary=HOSTILE,
        url="javascript:alert(1)",
        source="polisen" + HOSTILE,
    )
    bad = item(
        incident,
        Severity.CRITICAL,
        HOSTILE,
        district=HOSTILE,
        place=HOSTILE,
        reasons=(HOSTILE,),
        stakeholders=(Suggestion(HOSTILE, HOSTILE, HOSTILE),),
    )
    neighbour = replace(bad, local=False, place=Place(HOSTILE, None, None, Precision.COUNTY))
    source = SourceReport(
        HOSTILE, "csv", Origin.GUARDS, "error", error=HOSTILE, warnings=(HOSTILE,), label=HOSTILE
    )
    return briefing(
        municipality="Järfälla" + HOSTILE,
        sources=(source,),
        items=(bad, replace(bad, judgement=Judgement("x", Severity.LOW)), neighbour),
    )


# --- golden files -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "name", "lang"),
    [
        ("text", "briefing.txt", "sv"),
        ("markdown", "briefing.md", "sv"),
        ("html", "briefing.html", "sv"),
        ("json", "briefing.json", "sv"),
        ("text", "briefing-en.txt", "en"),
    ],
)
def test_golden(fmt: str, name: str, lang: str) -> None:
    output = render(briefing(language=lang, demo=True), fmt)
    golden = GOLDEN / name
    if os.environ.get("BRIEFING_REGEN_GOLDEN") == "1":
        golden.write_text(output, "utf-8")
    assert output == golden.read_text("utf-8"), f"{name} differs; BRIEFING_REGEN_GOLDEN=1 to update"


# --- content and order --------------------------------------------------------------------


def test_heading_window_and_summary_are_worded_for_the_morning_reader() -> None:
    text = render(briefing(), "text")
    assert text.startswith("Säkerhetsbriefing Järfälla — onsdag 7 juni 2023\n")
    assert "Kvällen och natten: tis 6 juni 16:00 – ons 7 juni 08:31" in text
    assert "3 allvarliga, 6 händelser i Järfälla, 3 hos grannkommunerna" in text


@pytest.mark.parametrize("fmt", ["terminal", "text", "markdown", "html"])
def test_failed_source_comes_first_and_is_announced(fmt: str) -> None:
    output = visible(render(briefing(), fmt), fmt)
    assert output.index("Ordningsvakter") < output.index("Räddningstjänsten")
    assert output.index("Räddningstjänsten") < output.index("Polisen")
    assert "FEL" in output and "inaktuell" in output
    assert "mappen inkorg/ordningsvakter saknas" in output
    assert (
        "VARNING. Ordningsvakter: hämtningen misslyckades, ingen rapport sedan tis 08:30 — "
        "kontrollera. Räddningstjänsten: ingen rapport sedan sön 07:00 — kontrollera."
    ) in re.sub(r"\s+", " ", output)


@pytest.mark.parametrize("fmt", ["terminal", "text", "markdown", "html"])
def test_serious_first_by_district_then_other_local_then_neighbours(fmt: str) -> None:
    output = re.sub(r"\s+", " ", visible(render(briefing(), fmt), fmt)).lower()
    order = [
        "Samtal kom in från personer som hört smällar i Kallhäll.",  # critical
        "Man går omkring med en kniv.",  # high, Jakobsberg
        "Okänd kommundel",  # high, no district: last of the serious
        "Polisen hanterar ett misstänkt farligt föremål",
        "I Barkarby uppehöll sig en man",  # medium, other local, earlier
        "Flicka misshandlad på fest.",  # medium, later
        "I Barkarby såg polisen en personbil",  # low
        "Slagsmål på Östermalmstorg",  # neighbours: Stockholm before Upplands Väsby
        "Rattfylleri på Lidingöbron",
        "Hon som ringde till polisen",
    ]
    positions = [output.index(marker.lower()) for marker in order]
    assert positions == sorted(positions)


@pytest.mark.parametrize("fmt", ["terminal", "text", "markdown", "html"])
def test_severity_is_told_by_shape_and_word_and_status_by_word(fmt: str) -> None:
    output = visible(render(briefing(), fmt), fmt)
    assert "▲▲ KRITISK" in output
    assert "▲ HÖG" in output
    assert "UPPDATERAD" in output and "NY" in output
    assert "Jakobsbergsskolan (skola) — skola 300 m från platsen" in output
    assert "https://polisen.se/aktuellt/handelser/2023/juni/7/07-juni-0009-knivlagen-jarfalla/" in (
        output
    )


@pytest.mark.parametrize("fmt", ["terminal", "text", "markdown", "html"])
def test_empty_night_with_failed_source_says_we_may_have_heard_nothing(fmt: str) -> None:
    output = render(briefing(items=()), fmt)
    assert "Inga händelser rapporterade i Järfälla." in output
    assert "minst en källa fungerade inte" in output.replace("\n", " ").replace("  ", " ")


@pytest.mark.parametrize("fmt", ["terminal", "text", "markdown", "html"])
def test_empty_night_with_healthy_sources_has_no_caveat(fmt: str) -> None:
    output = render(briefing(items=(), sources=SOURCES[:1]), fmt)
    assert "Inga händelser rapporterade i Järfälla." in output
    assert "källa fungerade inte" not in output
    assert "VARNING" not in output


def test_empty_night_without_any_source_does_not_pass_for_quiet() -> None:
    assert "inga källor har rapporterat" in render(briefing(items=(), sources=()), "text")


@pytest.mark.parametrize("fmt", ["terminal", "text", "markdown", "html"])
def test_demo_marker(fmt: str) -> None:
    assert "DEMO — inspelade data" in render(briefing(demo=True), fmt)
    assert "DEMO" not in render(briefing(), fmt)


@pytest.mark.parametrize("fmt", ["terminal", "text", "markdown", "html"])
def test_english_variant(fmt: str) -> None:
    output = visible(render(briefing(language="en"), fmt), fmt)
    assert "Security briefing Järfälla — Wednesday 7 June 2023" in output
    assert "District unknown" in output and "▲▲ CRITICAL" in output
    assert "FAILED" in output and "Wed 7 Jun 08:31" in output
    for swedish in ("allvarlig", "Okänd kommundel", "KRITISK", "Källor", "Grannkommun"):
        assert swedish not in output


def test_plain_text_fits_78_columns_except_urls() -> None:
    for line in render(briefing(), "text").splitlines():
        assert len(line) <= 78 or line.strip().startswith("https://"), line


@pytest.mark.parametrize("width", [80, 100])
def test_terminal_stays_within_its_width(width: int) -> None:
    console = Console(file=io.StringIO(), width=width, color_system=None, legacy_windows=False)
    print_terminal(briefing(), console)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    for line in output.splitlines():  # URLs are soft-wrapped by the terminal, never folded
        assert len(line) <= width or line.strip().startswith("https://"), line
    assert "\n     https://polisen.se/aktuellt/handelser/2023/april/16/16-april-1433-" in output
    assert "Man går omkring med en kniv." in output.replace("\n", " ")


def test_print_sources_lists_failures_first() -> None:
    console = Console(file=io.StringIO(), width=100, color_system=None)
    print_sources(SOURCES[::-1], "sv", console)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert output.index("Ordningsvakter") < output.index("Polisen")


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        render(briefing(), "pdf")
    assert FORMATS == ("terminal", "text", "markdown", "html", "json")


# --- hostile feed text --------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def test_html_escapes_hostile_text_and_links_nothing_unsafe() -> None:
    page = render(hostile_briefing(), "html")
    tags = _tags(page)
    assert {tag for tag, _ in tags} <= {
        "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p",
        "main", "section", "table", "thead", "tbody", "tr", "th", "td", "span", "strong", "ul",
        "li", "time", "dl", "dt", "dd", "a", "br", "footer",
        "div", "figure", "figcaption", "caption", "nav",  # the pictures and the site's nav
        "svg", "text", "rect", "circle", "polygon", "polyline", "line", "path",
    }  # fmt: skip
    assert not any(name.startswith("on") for _, attrs in tags for name in attrs)
    assert "&lt;script&gt;" in page and "<script" not in page
    assert "javascript:" not in page.replace("(javascript:alert(1))", "")  # only as text
    assert 'href="javascript' not in page
    assert "\x1b" not in page and "\r" not in page


def test_html_links_only_safe_urls_with_noopener() -> None:
    page = render(briefing(), "html")
    links = [attrs for tag, attrs in _tags(page) if tag == "a" and attrs["href"] != "#main"]
    assert len(links) == len(ITEMS)
    for attrs in links:
        assert safe_url(attrs["href"]) == attrs["href"]
        assert attrs["rel"] == "noopener noreferrer"


def test_terminal_shows_markup_and_escapes_as_text() -> None:
    output = render(hostile_briefing(), "terminal")
    assert "\x1b" not in output and "\x07" not in output
    assert "[/]" in output and "[link=https://evil]" in output


def test_terminal_string_has_no_escapes_even_when_the_environment_forces_colour(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    assert "\x1b" not in render(briefing(), "terminal")


def test_terminal_on_a_colour_terminal_emits_only_its_own_styles() -> None:
    console = Console(file=io.StringIO(), width=100, force_terminal=True, color_system="truecolor")
    print_terminal(hostile_briefing(), console)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert "\x1b]" not in output  # no OSC: no clipboard write (52), no injected link (8)
    without_styles = re.sub(r"\x1b\[[0-9;]*m", "", output)
    assert "\x1b" not in without_styles
    assert "[link=https://evil]" in without_styles


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_text_formats_carry_no_control_characters(fmt: str) -> None:
    output = render(hostile_briefing(), fmt)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", output)
    assert not any(line.strip() == "javascript:alert(1)" for line in output.splitlines())
    if fmt == "markdown":  # "](" only opens a link target when the "]" is not escaped
        assert not re.search(r"(?<!\\)\]\(javascript", output)


def test_markdown_escapes_feed_text() -> None:
    assert md_escape("*[x](javascript:alert(1))*") == r"\*\[x\](javascript:alert(1))\*"
    assert md_escape("# rubrik") == r"\# rubrik"
    assert md_escape("1. punkt") == r"1\. punkt"
    assert md_escape("<b>&amp;") == r"\<b\>\&amp;"
    markdown = render(hostile_briefing(), "markdown")
    assert "\\<script\\>" in markdown and "<script>" not in markdown


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://polisen.se/a/", "https://polisen.se/a/"),
        ("http://example.se", "http://example.se"),
        ("mailto:sakerhet@example.se", "mailto:sakerhet@example.se"),
        ("javascript:alert(1)", None),
        ("JavaScript:alert(1)", None),
        ("java\tscript:alert(1)", None),
        (" https://polisen.se", None),
        ("data:text/html,<b>", None),
        ("file:///etc/passwd", None),
        ("/aktuellt/handelser/", None),
        ('https://x.se/"onmouseover=', None),
        ("https:///nohost", None),
        (None, None),
    ],
)
def test_safe_url(url: str | None, expected: str | None) -> None:
    assert safe_url(url) == expected


# --- HTML page structure --------------------------------------------------------------------


def test_html_page_is_self_contained_and_accessible() -> None:
    page = render(briefing(), "html")
    tags = _tags(page)
    assert '<html lang="sv">' in page
    assert render(briefing(language="en"), "html").count('<html lang="en">') == 1
    csp = [a["content"] for t, a in tags if t == "meta" and a.get("http-equiv")]
    assert csp == [
        "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
        "base-uri 'none'; form-action 'none'"
    ]
    headings = [int(tag[1]) for tag, _ in tags if re.fullmatch(r"h[1-6]", tag)]
    assert headings.count(1) == 1 and headings[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(headings))
    assert all("scope" in attrs for tag, attrs in tags if tag == "th")
    assert not any("src" in attrs for _, attrs in tags)


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_html_colour_pairs_have_enough_contrast() -> None:
    page = render(briefing(), "html")
    rules = re.findall(r"\{([^}]*)\}", page.split("<style>")[1].split("</style>")[0])
    pairs = 0
    for rule in rules:
        colour = re.search(r"(?<![-\w])color: (#[0-9a-f]{6})", rule)
        background = re.search(r"background: (#[0-9a-f]{6})", rule)
        if colour:
            lighter, darker = sorted(
                (_luminance(colour[1]), _luminance(background[1] if background else "#ffffff")),
                reverse=True,
            )
            assert (lighter + 0.05) / (darker + 0.05) >= 4.5, rule
            pairs += 1
    assert pairs >= 8


def test_template_search_path_puts_the_configured_folder_first(tmp_path: Path) -> None:
    checkout = Path(__file__).parent.parent / "templates"
    assert template_search_path(tmp_path)[0] == tmp_path
    assert template_search_path(tmp_path)[-1] == checkout
    assert template_search_path(tmp_path / "missing") == template_search_path(None)


def test_template_dir_overrides_and_strict_undefined(tmp_path: Path) -> None:
    (tmp_path / "page.html.j2").write_text("<p>{{ view.title }} {{ csp[:11] }}</p>\n", "utf-8")
    output = render(briefing(), "html", template_dir=tmp_path)
    assert output == "<p>Säkerhetsbriefing Järfälla — onsdag 7 juni 2023 default-src</p>\n"
    (tmp_path / "page.html.j2").write_text("{{ view.no_such_field }}", "utf-8")
    with pytest.raises(UndefinedError):
        render(briefing(), "html", template_dir=tmp_path)


# --- JSON, schema 1 --------------------------------------------------------------------------


SCHEMA_1 = json.loads(SCHEMA.read_text("utf-8"))


@pytest.mark.parametrize(
    "subject", [briefing(), briefing(items=(), sources=()), hostile_briefing()], ids=str
)
def test_json_validates_against_schema_1(subject: Briefing) -> None:
    document = json.loads(render(subject, "json"))
    validate(document, SCHEMA_1)
    assert document == to_json(subject)


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d["incidents"][0].update(local=True),
        lambda d: d["incidents"][0].update(severity="severe"),
        lambda d: d["sources"][0].pop("error"),
        lambda d: d["window"].update(start="2023-06-06T16:00:00"),
        lambda d: d["incidents"][0]["stakeholders"][0].update(kind="skola"),
        lambda d: d.update(schema=2),
    ],
)
def test_schema_validator_rejects_broken_documents(breakage: Any) -> None:
    document = to_json(briefing())
    breakage(document)
    with pytest.raises(AssertionError):
        validate(document, SCHEMA_1)


def test_json_fields_follow_the_contract() -> None:
    document = to_json(briefing())
    assert document["generated_at"] == "2023-06-07T08:31:02+02:00"
    assert [s["status"] for s in document["sources"]] == ["ok", "error", "stale"]
    knife = document["incidents"][0]
    assert knife["id"] == "polisen:429720"
    assert knife["sources"] == ["polisen"] and knife["origins"] == ["police"]
    assert knife["occurred_at"] == "2023-06-07T00:09:00+02:00"
    assert knife["published_at"] == "2023-06-07T08:08:33+02:00"
    assert (knife["district"], knife["place"], knife["precision"]) == (
        "Jakobsberg",
        "Jakobsbergs centrum",
        "place",
    )
    assert knife["serious"] is True and knife["severity"] == "high"
    assert document["incidents"][2]["occurred_at"] is None
    hostile = to_json(hostile_briefing())["incidents"][0]
    assert hostile["url"] is None and hostile["stakeholders"][0]["kind"] == "other"


def test_json_keeps_non_ascii_readable_and_drops_control_characters() -> None:
    assert '"municipality": "Järfälla"' in render(briefing(), "json")
    assert "\\u001b" not in render(hostile_briefing(), "json")


# --- i18n ------------------------------------------------------------------------------------


def test_swedish_and_english_dates_are_formatted_by_hand() -> None:
    thursday = datetime(2025, 11, 27, 8, 31, tzinfo=TZ)  # the brief's 2026 date is a Friday
    assert i18n.short_datetime("sv", thursday) == "tors 27 nov 08:31"
    assert i18n.long_date("sv", thursday) == "torsdag 27 november 2025"
    assert i18n.short_datetime("en", thursday) == "Thu 27 Nov 08:31"
    assert i18n.long_date("fi", thursday) == "torsdag 27 november 2025"  # unknown → Swedish


def test_languages_have_the_same_keys_and_unknown_words_fall_back() -> None:
    assert i18n.STRINGS["sv"].keys() == i18n.STRINGS["en"].keys()
    assert i18n.label("sv", "category", "fire") == "brand"
    assert i18n.label("en", "category", "new_category") == "new_category"
    assert i18n.t_count("sv", "summary.serious", 1) == "1 allvarlig"
    with pytest.raises(KeyError):
        i18n.t("sv", "no.such.key")
