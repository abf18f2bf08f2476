"""How the police write each family of serious events, read off the 2023–2024 corpus.

    python tools/corpus_families.py CORPUS_DIR [FAMILY|re:REGEX ...] [--examples N] [--pages]

CORPUS_DIR holds polisen-events-2023-2024.json.gz and polisen-pages-2023-2024.json.gz
(see its PROVENANCE.md). For each family (seed words below, on the title and summary,
and with --pages the page text too; summaries and notices left out), it prints how
many events carry the family's words, under which police types, how many the bundled
rules flag serious from the API text alone, and the commonest words and word pairs of
the summaries the rules leave unflagged, with the over-read phrases ("inga skador",
"visade sig" …) counted. The corpus is unlabelled: this says where the rules are
silent, a reader decides whether they should speak. It is a reading aid for writing
briefing/data/rules.toml, never run by briefing or its tests.
"""

from __future__ import annotations

import gzip
import itertools
import json
import re
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from briefing.errors import SourceError
from briefing.judge.classify import Rules, classify
from briefing.models import Incident, Origin, Place
from briefing.sources.polisen import parse_event

TZ = ZoneInfo("Europe/Stockholm")
FAMILIES = {
    "shots": r"\bskott\w*|\bsköt\w*|\bskjut\w*|kulhål",
    "explosions": r"\bexplo\w*|\bdetonat\w*|\bspräng\w*|\bhandgranat\w*|\bbomb\w*",
    "lethal": r"\bmord\w*|\bdråp\w*|\bavliden\b|\bavled\b|\bomkom\w*|livshotande",
    "robbery": r"\brån\w*",
    "extortion": r"utpress\w*|\bhot\w*\b[^.]{0,60}\b(?:butik|restaurang|företag|pengar)\w*",
    "arson_vehicles": r"mordbrand\w*|anlagd\w*|\bbilbrand\w*|\bbil\w* brinner|brinnande bil\w*"
    r"|\bbil(?:ar|en)? (?:har )?(?:brunnit|brann)",
    "building_fire": r"\bbrand\w*|\bbrinn\w*|\bbrann\b|rökutveckl\w*",
    "shared_spaces": r"trapphus\w*|källar\w*|soprum\w*|förråd\w*|tvättstug\w*|cykelrum\w*",
    "weapons": r"\bkniv\w*|\bvapen\w*|\bpistol\w*|\bmachete\w*|\byxa\b",
    "school_threats": r"\bskol\w*[^.]{0,80}\bhot\w*|\bhot\w*[^.]{0,80}\bskol\w*",
    "staff": r"personal(?:en)?\b|anställd\w*|vakt\w*|ordningsvakt\w*|väktare\w*|chauffö\w*",
    "youth": r"ungdom\w*|tonår\w*|\bpojk\w*|\bflick\w*|\d\d-åri\w*|minderårig\w*",
    "unrest": r"oroligheter|stenkast\w*|upplopp\w*|\bbråk\w*|\bstökig\w*|folksamling\w*",
    "sexual": r"\bvåldtäkt\w*|sexuell\w*|\bblott\w*|\bonan\w*|ofredande",
    "search": r"\befter(?:sök|sökning)\w*|\bflydde\b|\bflyr\b|\bförföljande\b|\bjakt\b"
    r"|\bstopptecken",
}
OVER_READS = [
    "inga skador",
    "ingen skadad",
    "ingen brand",
    "falsklarm",
    "falskt larm",
    "visade sig",
    "matlagning",
    "matos",
    "släckt",
    "släcktes",
    "tekniskt fel",
    "ömsesidig",
    "inga tecken",
    "ingen fara",
    "ingen person",
    "kunde inte hittas",
    "fyrverkeri",
    "smällare",
]
WORD = re.compile(r"[a-zåäöé]+(?:-[a-zåäöé]+)?")
_STOP = """i på en ett och att som har är av till med för om det den vid var sig efter från där
inte under man kvinna polisen polis sin hans hennes de ska kan men också när han hon"""
STOP = set(_STOP.split())


def load(folder: Path) -> tuple[list[Incident], dict[str, str]]:
    with gzip.open(folder / "polisen-events-2023-2024.json.gz") as stream:
        records = json.load(stream)
    with gzip.open(folder / "polisen-pages-2023-2024.json.gz") as stream:
        pages = json.load(stream)
    incidents = []
    for record in records:
        try:
            incidents.append(
                parse_event(record["event"], source="corpus", origin=Origin.POLICE, tz=TZ)
            )
        except SourceError as exc:  # the adapter refuses it: say so, read on
            print(f"skipped: {exc}", file=sys.stderr)
            continue
    text = {
        key: " ".join([page.get("preamble") or "", *(page.get("body_paragraphs") or [])])
        for key, page in pages.items()
    }
    return incidents, text


def words(text: str) -> list[str]:
    return [w for w in WORD.findall(text.lower()) if w not in STOP and len(w) > 2]


def main(argv: list[str]) -> int:
    examples = 0
    with_pages = "--pages" in argv
    argv = [a for a in argv if a != "--pages"]
    if "--examples" in argv:
        at = argv.index("--examples")
        examples, argv = int(argv[at + 1]), argv[:at] + argv[at + 2 :]
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    incidents, pages = load(Path(argv[0]))
    rules = Rules.load()
    wanted = argv[1:] or list(FAMILIES)
    for family in wanted:
        # a family's name, or a seed of one's own ("re:stucken|skuren")
        seed = re.compile(family[3:] if family.startswith("re:") else FAMILIES[family], re.I)
        members = [
            i
            for i in incidents
            if i.type not in rules.types or rules.types[i.type].category != "info"
            if seed.search(f"{i.title} {i.summary} {pages.get(i.key, '') if with_pages else ''}")
        ]
        unflagged = [i for i in members if not classify(i, Place(i.municipality), rules).serious]
        types = Counter(i.type for i in members)
        types_un = Counter(i.type for i in unflagged)
        print(
            f"\n== {family}: {len(members)} events, {len(unflagged)} not serious from the API text"
        )
        print(
            "types (all / unflagged):",
            ", ".join(f"{t} {n}/{types_un[t]}" for t, n in types.most_common(14)),
        )
        single, pairs = Counter[str](), Counter[str]()
        reads = Counter[str]()
        for incident in unflagged:
            found = words(incident.summary)
            single.update(set(found))
            pairs.update({" ".join(p) for p in itertools.pairwise(found)})
            full = f"{incident.summary} {pages.get(incident.key, '')}".lower()
            reads.update(phrase for phrase in OVER_READS if phrase in full)
        print("words:", ", ".join(f"{w} {n}" for w, n in single.most_common(40)))
        print("pairs:", ", ".join(f"{w} {n}" for w, n in pairs.most_common(25)))
        print("over-reads (summary+page):", ", ".join(f"{w} {n}" for w, n in reads.most_common()))
        step = max(1, len(unflagged) // examples) if examples else 1
        for incident in unflagged[::step][:examples]:
            print(f"  {incident.key} [{incident.type}] {incident.summary}")
    return 0


if __name__ == "__main__":
    started = datetime.now()
    status = main(sys.argv[1:])
    print(f"\n({(datetime.now() - started).total_seconds():.0f} s)", file=sys.stderr)
    sys.exit(status)
