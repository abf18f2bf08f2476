"""`briefing init KOMMUN`: a working sources.toml for any of Sweden's 290 municipalities.

The file names the municipality and its bordering municipalities (SCB's RegSO areas,
briefing.geo.areas), the police source with page text, the public warnings, drop
folders for the guards and the rescue service, a commented report mailbox, the
districts (RegSO areas, or the bundled kommundelar) and a stakeholder registry to fill
in. Everything written goes through `briefing.config.parse` in the tests.
"""

from __future__ import annotations

import textwrap
import unicodedata
from pathlib import Path

from briefing.geo import areas
from briefing.judge import districts
from briefing.sources import municipalities

CONFIG = "sources.toml"
REGISTRY = "stakeholders.csv"
DROP_FOLDERS = ("inkorg/ordningsvakter", "inkorg/raddningstjanst")


def ascii_name(name: str) -> str:
    """The name without diacritics, for a User-Agent header (ASCII only)."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def find(name_or_code: str) -> municipalities.Municipality:
    """The municipality in any common spelling: "Järfälla", "jarfalla", "Järfälla kommun",
    "0123"; ValueError naming the value when there is none."""
    found = municipalities.lookup(name_or_code)
    if found is None:
        wanted = municipalities.fold(ascii_name(name_or_code)).removesuffix(" kommun")
        matches = [
            m
            for code in areas.atlas().codes
            if (m := municipalities.lookup(code))
            and municipalities.fold(ascii_name(m.name)) == wanted
        ]
        found = matches[0] if len(matches) == 1 else None
    if found is None:
        raise ValueError(f"{name_or_code!r} is not a Swedish municipality name or kommunkod")
    return found


def render(name_or_code: str) -> str:
    """The sources.toml text for the municipality; ValueError for an unknown name or code."""
    home = find(name_or_code)
    names = [municipalities.canonical(code) for code in areas.neighbours(home.code)]
    agent = f"briefing/0.1 ({ascii_name(home.name)} kommun, sakerhetsenheten; sakerhet@example.se)"
    agent_line = f"user_agent = {_quoted(agent)}"
    neighbours = ", ".join(_quoted(n) for n in names)
    lines = [
        f"# The {home.name} configuration, written by `briefing init {home.code}`.",
        '# Every key is described in README.md ("Configuration", "Set up your municipality").',
        "# Secrets never go here. Area names and borders: Källa: SCB (RegSO 2025, CC BY 4.0).",
        "",
        "[briefing]",
        f"municipality = {_quoted(home.name)}    # kommunkod {home.code}, {home.county}",
        "# The municipalities that share a border with it (by land or water), from SCB's areas:",
        f"neighbours = [{neighbours}]",
        "# What the neighbours' section shows: their serious incidents (this severity or above)",
        "# and the others within this many km of the shared border.",
        '# neighbour_min_severity = "high"',
        "# neighbour_radius_km = 2.0",
        'timezone = "Europe/Stockholm"',
        'language = "sv"                           # "sv" or "en"',
        'night_starts = "16:00"                    # first run: the window starts yesterday then',
        "",
        "[store]",
        '# path = "/var/lib/briefing/briefing.sqlite3"   # default: the user data directory',
        "",
        "[sources.polisen]",
        'kind = "polisen"',
        'origin = "police"',
        'label = "Polisen"',
        'url = "https://polisen.se/api/events"',
        "details = true                            # the event pages' text: far better places",
        "# The police's terms ask for a User-Agent that names the application and a contact.",
        agent_line,
        "",
        *_drop_folders(),
        *_mailbox(),
        *_warnings(home.code, home.name, agent_line),
        *_districts(home.code, home.name),
        *_stakeholders(),
    ]
    return "\n".join(lines) + "\n"


def write(folder: Path, name_or_code: str) -> list[Path]:
    """sources.toml, the drop folders and an empty registry in `folder`.

    FileExistsError (naming the file) when sources.toml is already there: never overwritten.
    """
    text = render(name_or_code)
    target = folder / CONFIG
    with target.open("x", encoding="utf-8") as file:  # "x": refuses an existing file
        file.write(text)
    written = [target]
    for drop in DROP_FOLDERS:
        (folder / drop).mkdir(parents=True, exist_ok=True)
        written.append(folder / drop)
    registry = folder / REGISTRY
    if not registry.exists():
        registry.write_text(_REGISTRY, encoding="utf-8")
        written.append(registry)
    return written


def _drop_folders() -> list[str]:
    return [
        "[sources.ordningsvakter]",
        'kind = "csv"',
        'origin = "guards"',
        'label = "Ordningsvakter"',
        'path = "inkorg/ordningsvakter"            # the guard company drops its CSV export here',
        'stale_after = "36h"',
        'delimiter = ";"',
        'columns = { time = "Datum", place = "Plats", category = "Händelse", '
        'text = "Beskrivning" }',
        "",
        "[sources.raddningstjanst]",
        'kind = "csv"',
        'origin = "rescue"',
        'label = "Räddningstjänsten"',
        'path = "inkorg/raddningstjanst"           # daily export from the rescue service',
        'stale_after = "2d"',
        'columns = { time = "Larmtid", category = "Händelsetyp", place = "Adress", '
        'text = "Beskrivning" }',
        "",
    ]


def _mailbox() -> list[str]:
    return [
        "# The report mailbox: the guards and the rescue service e-mail their reports. Ask IT",
        "# for a mailbox and an IMAP user, then remove the #s. The password only from",
        "# $BRIEFING_IMAP_PASSWORD or $BRIEFING_IMAP_PASSWORD_FILE.",
        "# [sources.rapporter]",
        '# kind = "imap"',
        '# origin = "guards"',
        '# label = "Ordningsvakter (e-post)"',
        '# host = "imap.example.se"',
        '# username = "sakerhetsrapporter@example.se"',
        '# folder = "Vakter"',
        '# senders = ["rapport@vaktbolaget.example.se"]',
        '# processed_folder = "Lästa"',
        '# columns = { time = "Datum", place = "Plats", category = "Händelse", '
        'text = "Beskrivning" }',
        '# stale_after = "36h"',
        "",
    ]


def _warnings(code: str, name: str, agent_line: str) -> list[str]:
    return [
        '# Public warnings; `origin` defaults to "authority". None needs a key.',
        "[sources.vma]",
        'kind = "vma"',
        'label = "VMA (Sveriges Radio)"',
        f'url = "https://vmaapi.sr.se/api/v3/alerts"   # asked with geocode={code} ({name})',
        agent_line,
        "",
        "[sources.krisinformation]",
        'kind = "krisinformation"',
        'label = "Krisinformation.se"',
        'url = "https://api.krisinformation.se/v3/news?days=7&format=json"',
        agent_line,
        "",
        "[sources.smhi]",
        'kind = "smhi"',
        'label = "SMHI vädervarningar"',
        'url = "https://opendata-download-warnings.smhi.se/ibww/api/version/1/warning.json"',
        agent_line,
        "",
    ]


def _districts(code: str, name: str) -> list[str]:
    """The bundled kommundelar as a live [districts] table; else the RegSO areas, commented."""
    bundled = areas.atlas().groupings.get(code)
    grouped = districts.groups(code)
    head = [
        "# Districts: by default each of SCB's RegSO areas is one. Group them into kommundelar",
        '# here: every area in exactly one group (README.md, "Set up your municipality").',
    ]
    if bundled is not None:
        note = "the bundled kommundelar of " + name
        if bundled.get("confirm"):
            note += ", to be confirmed by the municipality"
        body = ["[districts]", f"# {note}"]
        for district, members in grouped.items():
            body.append(f"{_quoted(district)} = [")
            body.extend(f"    {_quoted(member)}," for member in members)
            body.append("]")
        return [*head, *body, ""]
    listed = [area.name for area in areas.load(code).areas]
    example = ", ".join(_quoted(n) for n in listed[:2])
    text = f"{name}'s {len(listed)} areas: " + ", ".join(listed) + "."
    return [
        *head,
        *(f"# {line}" for line in textwrap.wrap(text, 94, break_on_hyphens=False)),
        "# [districts]",
        f"# Norra = [{example}]",
        "",
    ]


def _stakeholders() -> list[str]:
    return [
        '# Whom to inform: schools, housing, businesses, centres (README.md, "[stakeholders]").',
        f"# Fill in {REGISTRY} (written beside this file), then remove the #s.",
        "# [stakeholders]",
        f'# file = "{REGISTRY}"',
    ]


_REGISTRY = """\
# The stakeholder registry: one row per school, preschool, housing area, business or centre
# the chief may want to inform (README.md, "[stakeholders]"). Lines starting with # are
# comments. kind: school, preschool, housing, business, district_centre, other. Give a
# district, a place of the gazetteer, or lat and lon (WGS84). tags separated by ;
# Then set [stakeholders] file = "stakeholders.csv" in sources.toml.
name,kind,district,place,lat,lon,contact,tags,note
# Exempelskolan,school,,,59.4200,17.8300,rektor@example.se,,an example: replace it
"""
