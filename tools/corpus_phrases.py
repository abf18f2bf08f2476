"""Which of a list of phrases the police write in the events of some types, summary and page.

    python tools/corpus_phrases.py CORPUS_DIR TYPES PHRASE [PHRASE ...]

TYPES is a comma-separated list of police types ("Brand,Skadegörelse"); each PHRASE a
regular expression. Prints, for each phrase, in how many of those events' summaries and
pages it occurs, and two summaries that carry it (the first and the last, by id). A
reading aid for writing the negations and extents of briefing/data/rules.toml.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    folder, types = Path(argv[0]), set(argv[1].split(","))
    with gzip.open(folder / "polisen-events-2023-2024.json.gz") as stream:
        events = [r["event"] for r in json.load(stream) if r["event"].get("type") in types]
    with gzip.open(folder / "polisen-pages-2023-2024.json.gz") as stream:
        pages = json.load(stream)

    def page(key: int) -> str:
        found = pages.get(str(key)) or {}
        return " ".join([found.get("preamble") or "", *(found.get("body_paragraphs") or [])])

    print(f"{len(events)} events of {', '.join(sorted(types))}")
    for phrase in argv[2:]:
        pattern = re.compile(rf"\b(?:{phrase})\b", re.IGNORECASE)
        in_summary = [e for e in events if pattern.search(e.get("summary") or "")]
        in_page = [e for e in events if pattern.search(page(e["id"]))]
        print(f"{phrase!r}: summary {len(in_summary)}, page {len(in_page)}")
        for event in in_summary[:1] + in_summary[-1:]:
            print(f"    {event['id']} {event['summary'][:110]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
