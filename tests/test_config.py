from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from briefing import config
from briefing.config import tomllines
from briefing.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent

GOOD = """\
[briefing]
municipality = "0123"
neighbours = ["Upplands väsby", "upplands-bro"]
night_starts = "17:30"

[sources.polisen]
kind = "polisen"
origin = "police"
url = "https://polisen.se/api/events"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        config.load(write(tmp_path, text))
    return info.value.problems


def test_repository_config_is_valid() -> None:
    cfg = config.load(ROOT / "sources.toml")
    assert cfg.municipality.name == "Järfälla"
    assert cfg.municipality.code == "0123"
    assert "Upplands Väsby" in cfg.briefing.neighbours
    assert {"polisen", "ordningsvakter", "raddningstjanst"} <= set(cfg.sources)
    assert cfg.sources["polisen"].url == "https://polisen.se/api/events"
    public = {name: cfg.sources[name] for name in ("vma", "krisinformation", "smhi")}
    assert {(s.kind, s.origin.value) for s in public.values()} == {
        ("vma", "authority"),
        ("krisinformation", "authority"),
        ("smhi", "authority"),
    }
    assert public["vma"].url == "https://vmaapi.sr.se/api/v3/alerts"


def test_names_are_canonical_and_times_parsed(tmp_path: Path) -> None:
    cfg = config.load(write(tmp_path, GOOD))
    assert cfg.briefing.municipality == "Järfälla"
    assert cfg.briefing.neighbours == ("Upplands Väsby", "Upplands-Bro")
    assert cfg.briefing.night_starts == time(17, 30)
    assert cfg.briefing.language == "sv"
    assert str(cfg.tz) == "Europe/Stockholm"


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    text = GOOD.replace('url = "https://polisen.se/api/events"', 'path = "data/events.json"')
    cfg = config.load(write(tmp_path, text + '\n[store]\npath = "state/b.sqlite3"\n'))
    assert cfg.sources["polisen"].path == tmp_path / "data" / "events.json"
    assert cfg.store.path == tmp_path / "state" / "b.sqlite3"


def test_every_problem_is_reported_at_once_with_line_and_key(tmp_path: Path) -> None:
    text = """\
[briefing]
municipality = "Gotham"
language = "de"
colour = "blue"

[sources.polisen]
kind = "polisen"
origin = "police"
url = "ftp://polisen.se/api/events"

[sources.vakter]
kind = "csv"
origin = "bouncers"
path = "x"
columns = { time = "Datum" }

[sources.other]
kind = "telepathy"
origin = "police"
"""
    found = problems(tmp_path, text)
    path = tmp_path / "sources.toml"
    assert f"{path}:2: briefing.municipality: 'Gotham' is not a Swedish municipality" in found[0]
    joined = "\n".join(found)
    assert f"{path}:3: briefing.language:" in joined
    assert f"{path}:4: briefing.colour: unknown key" in joined
    assert f"{path}:9: sources.polisen.url: not an http(s) URL" in joined
    assert f"{path}:13: sources.vakter.origin:" in joined
    assert f"{path}:18: sources.other.kind: unknown kind 'telepathy'" in joined
    assert len(found) == 6


def test_file_urls_are_refused(tmp_path: Path) -> None:
    text = GOOD.replace("https://polisen.se/api/events", "file:///etc/passwd")
    (found,) = problems(tmp_path, text)
    assert "sources.polisen.url: file:// URLs are refused" in found


def test_url_or_path_exactly_one(tmp_path: Path) -> None:
    text = GOOD + 'path = "also.json"\n'
    (found,) = problems(tmp_path, text)
    assert "sources.polisen: give exactly one of `url` or `path`" in found
    assert f"{tmp_path / 'sources.toml'}:6:" in found


def test_toml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    (found,) = problems(tmp_path, GOOD + "broken = [\n")
    assert found.startswith(f"{tmp_path / 'sources.toml'}:10: TOML syntax")
    (found,) = problems(tmp_path, GOOD.replace('kind = "polisen"', "kind = polisen"))
    assert found.startswith(f"{tmp_path / 'sources.toml'}:7:8: TOML syntax: Invalid value")


def test_unknown_section_and_missing_briefing(tmp_path: Path) -> None:
    text = '[sourcez.polisen]\nkind = "polisen"\n'
    found = problems(tmp_path, text)
    assert any("sourcez: unknown section" in p for p in found)
    assert any("briefing: missing section" in p for p in found)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        config.load(tmp_path / "nope.toml")


def test_find_prefers_explicit_then_cwd_then_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"no sources\.toml"):
        config.find(None)
    monkeypatch.setenv("BRIEFING_CONFIG", "/etc/briefing.toml")
    assert config.find(None) == Path("/etc/briefing.toml")
    write(tmp_path, GOOD)
    assert config.find(None) == Path("sources.toml")
    assert config.find(Path("x.toml")) == Path("x.toml")


def test_optional_sections(tmp_path: Path) -> None:
    text = (
        GOOD
        + """
[rules]
file = "regler.toml"

[places]
gazetteer = "platser.toml"

[email]
host = "smtp.example.se"
from = "briefing@example.se"
to = ["chef@example.se"]

[site]
dir = "/srv/intranet/briefing"
"""
    )
    cfg = config.load(write(tmp_path, text))
    assert cfg.rules.file == tmp_path / "regler.toml"
    assert cfg.places.gazetteer == tmp_path / "platser.toml"
    assert cfg.places.polygons is None
    assert cfg.email is not None
    assert cfg.email.sender == "briefing@example.se"
    assert cfg.email.port == 587 and cfg.email.security == "starttls"
    assert cfg.site.dir == Path("/srv/intranet/briefing")
    assert cfg.stakeholders.file is None


def test_email_problems_are_named(tmp_path: Path) -> None:
    text = GOOD + '\n[email]\nhost = "smtp.example.se"\nsecurity = "tls"\npassword = "x"\n'
    found = "\n".join(problems(tmp_path, text))
    assert "email.security:" in found
    assert "email.password: unknown key" in found
    assert "email.from: required key is missing" in found
    assert "email.to: required key is missing" in found


def test_a_quoted_unknown_key_is_reported_on_its_own_line(tmp_path: Path) -> None:
    text = GOOD.replace(
        'night_starts = "17:30"\n',
        'night_starts = "17:30"\n\'colour\' = "blue"\n"odd \\"key\\"" = 1\n',
    )
    found = problems(tmp_path, text)
    path = tmp_path / "sources.toml"
    assert found == [
        f"{path}:5: briefing.colour: unknown key",
        f'{path}:6: briefing."odd \\"key\\"": unknown key',
    ]


def test_the_line_finder_knows_tables_entries_and_keys() -> None:
    text = (
        "top = 1\n"  # 1
        "[types]\n"  # 2
        '"Mord/dråp" = { category = "homicide" }\n'  # 3
        "[[rules]]\n"  # 4
        "name = 'a'\n"  # 5
        "[[rules]]\n"  # 6
        "  name = 'b'\n"  # 7
        "[rules.extra]\n"  # 8
        "deep.key = 2\n"  # 9
        "[ settings . 'school' ]\n"  # 10
        "pattern = 'x'\n"  # 11
    )
    lines = tomllines.Lines(text)
    assert lines.of(("top",)) == 1
    assert lines.of(("types", "Mord/dråp", "severity")) == 3  # inside an inline table
    assert lines.of(("rules", 0)) == 4 and lines.of(("rules", 0, "name")) == 5
    assert lines.of(("rules", 1, "name")) == 7 and lines.of(("rules", 1, "pattern")) == 6
    assert lines.of(("rules", 1, "extra", "deep", "key")) == 9
    assert lines.of(("settings", "school", "pattern")) == 11
    assert lines.of(("rules", 2)) is None and lines.of(("elsewhere",)) is None


def test_problems_name_entries_and_quote_keys_as_toml_does() -> None:
    data = {"rules": [{"name": "a"}, {"pattern": "x"}], "types": {"Mord/dråp": {}}}
    problems = tomllines.Problems("r.toml", "[[rules]]\nname = 'a'\n[[rules]]\n", data)
    problems.add(("types", "Mord/dråp", "severity"), "required key is missing")
    problems.add(("rules", 1, "pattern"), "bad")
    problems.add(("rules", 0, "raise"), "bad")
    assert problems.lines == [
        'r.toml: types."Mord/dråp".severity: required key is missing',
        "r.toml:1: rules[0] ('a').raise: bad",
        "r.toml:3: rules[1].pattern: bad",
    ]
    with pytest.raises(ConfigError) as caught:
        problems.check("fix it")
    assert caught.value.problems == problems.lines and caught.value.hint == "fix it"
