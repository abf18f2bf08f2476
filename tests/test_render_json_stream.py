"""The JSON writer: the same bytes as json.dumps(indent=2), written incident by incident."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.deliver.files import write_atomic
from briefing.errors import DeliveryError
from briefing.models import Briefing, FollowUp, LogEntry, Repeat, Trend
from briefing.render import json as render_json
from briefing.render import render
from tests.test_render import briefing, hostile_briefing


def reference(subject: Briefing) -> str:
    """What the renderer wrote before it streamed: the standard library's indented dump."""
    return json.dumps(render_json.to_json(subject), ensure_ascii=False, indent=2) + "\n"


def with_everything() -> Briefing:
    """Fused reports, trends with awkward floats, repeats, and text that needs cleaning."""
    base = briefing()
    first = base.items[0]
    fused = replace(
        first,
        also=(replace(first.incident, source="vakter\x07", key="9"), first.incident),
        fused_because="samma\tplats  och tid ",
    )
    trends = (
        Trend("Jakobsberg", "fire", 3, 0.1, True, "fler än vanligt"),
        Trend(None, "theft", 0, 1e-7, False, ""),
        Trend("Viksjö", "violence", 1, 2.0, False, "text\x1b[31m"),
    )
    repeats = (Repeat("Jakobsbergs station", None, 3, 14, ("polisen:1", "polisen:2"), "3:e"),)
    return replace(
        base, items=(fused, *base.items[1:]), trends=trends, repeats=repeats, language="en"
    )


SUBJECTS = {
    "golden": lambda: briefing(demo=True),
    "empty": lambda: briefing(items=(), sources=()),
    "hostile": hostile_briefing,
    "everything": with_everything,
}


@pytest.mark.parametrize("name", SUBJECTS)
def test_dumps_is_byte_for_byte_the_standard_librarys_indented_dump(name: str) -> None:
    subject = SUBJECTS[name]()
    assert render_json.dumps(subject) == reference(subject)
    assert render(subject, "json") == reference(subject)


@pytest.mark.parametrize("name", SUBJECTS)
def test_the_file_is_written_in_pieces_one_per_incident(name: str, tmp_path: Path) -> None:
    subject = SUBJECTS[name]()
    pieces = list(render_json.chunks(subject))
    assert len(pieces) == len(subject.items) + 3  # the head, the closing bracket, the rest
    write_atomic(tmp_path / "briefing.json", render_json.chunks(subject))
    assert (tmp_path / "briefing.json").read_text("utf-8") == reference(subject)


def test_no_control_character_or_unsafe_url_reaches_the_file(tmp_path: Path) -> None:
    write_atomic(tmp_path / "b.json", render_json.chunks(hostile_briefing()))
    text = (tmp_path / "b.json").read_text("utf-8")
    assert "\\u001b" not in text and "\x1b" not in text and "\\u0007" not in text
    assert "javascript:" not in json.dumps(json.loads(text)["incidents"][0]["url"])


def test_a_failure_while_writing_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "briefing.json"
    path.write_text("old\n", "utf-8")
    broken = replace(briefing(), trends=(Trend("x", "fire", 1, 1.0, False, object()),))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        write_atomic(path, render_json.chunks(broken))
    assert path.read_text("utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["briefing.json"]  # no temporary left


def test_an_unwritable_place_is_a_delivery_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("", "utf-8")
    with pytest.raises(DeliveryError):
        write_atomic(tmp_path / "file" / "briefing.json", render_json.chunks(briefing()))


def test_output_file_and_standard_output_are_the_same_document(tmp_path: Path) -> None:
    runner = CliRunner()
    shown = runner.invoke(app, ["today", "--demo", "-f", "json"], catch_exceptions=False)
    out = tmp_path / "briefing.json"
    written = runner.invoke(
        app, ["today", "--demo", "-f", "json", "-o", str(out)], catch_exceptions=False
    )
    assert shown.exit_code == written.exit_code == 0
    assert written.stdout == ""
    assert out.read_text("utf-8") == shown.stdout
    assert len(json.loads(shown.stdout)["incidents"]) > 5


URLS = (
    "https://polisen.se/aktuellt/handelser/2024/januari/9/09-januari-08.05-natt/",
    "http://example.se:8080/a?b=c&d=%C3%A5#frag",
    "https://exa_mple.se/x",
    "HTTPS://polisen.se/a",
    "https://polisen.se/a b",
    "https://polisen.se/<script>",
    'https://polisen.se/a"b',
    "https://polisen.se/a`b",
    "https://polisen.se/a\\b",
    "https://polisen.se/å",
    "https://",
    "https:///path",
    "javascript:alert(1)",
    "mailto:vakt@example.se",
    "ftp://example.se/file",
    "https://polisen.se/a\x1b[31m",
    "https://[::1]/x",
    "",
    None,
)


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("name", SUBJECTS)
def test_an_incident_written_straight_is_the_dict_path_byte_for_byte(
    name: str, url: str | None
) -> None:
    subject = SUBJECTS[name]()
    zone = subject.window_end.tzinfo
    noted = [
        FollowUp(
            item.incident.id,
            (LogEntry(subject.generated_at, "chef", "Ring\x07 skolan", ("Rektor",), done=True),),
        )
        for item in subject.items[:1]
    ]
    for whole in (subject, replace(subject, followups=tuple(noted))):
        for original in whole.items:
            item = replace(original, incident=replace(original.incident, url=url))
            checked = replace(item, judgement=replace(item.judgement, check="kolla\x07  detta "))
            for one in (item, checked):
                expected = render_json._pretty(render_json._incident(one, zone, whole), 2)
                assert render_json._incident_text(one, zone, whole) == expected
