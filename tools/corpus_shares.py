"""How often the bundled rules call a corpus event serious or "to check", by police type.

    python tools/corpus_shares.py CORPUS_DIR [--pages] [--top N]

Judges every event of the 2023–2024 corpus (summaries and notices included) from the
API text, or with --pages from the API text and the page text, and prints the shares
of serious and "to check" events overall and for the N commonest types. The corpus is
unlabelled: a share that jumps after a rules change is the thing to look into.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import sys
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

from briefing.errors import SourceError
from briefing.judge.classify import Rules, classify
from briefing.models import Origin, Place
from briefing.sources.polisen import parse_event

TZ = ZoneInfo("Europe/Stockholm")


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    folder, with_pages = Path(argv[0]), "--pages" in argv
    top = int(argv[argv.index("--top") + 1]) if "--top" in argv else 25
    with gzip.open(folder / "polisen-events-2023-2024.json.gz") as stream:
        records = json.load(stream)
    pages = {}
    if with_pages:
        with gzip.open(folder / "polisen-pages-2023-2024.json.gz") as stream:
            pages = {
                key: " ".join([p.get("preamble") or "", *(p.get("body_paragraphs") or [])])
                for key, p in json.load(stream).items()
            }
    rules = Rules.load()
    events, serious, check = Counter[str](), Counter[str](), Counter[str]()
    for record in records:
        try:
            incident = parse_event(record["event"], source="corpus", origin=Origin.POLICE, tz=TZ)
        except SourceError as exc:  # the adapter refuses it: say so, read on
            print(f"skipped: {exc}", file=sys.stderr)
            continue
        if pages.get(incident.key):
            incident = dataclasses.replace(incident, text=pages[incident.key])
        judgement = classify(incident, Place(incident.municipality), rules)
        events[incident.type] += 1
        serious[incident.type] += judgement.serious
        check[incident.type] += judgement.check is not None
    total = events.total()
    print(
        f"{total} events ({'API and page text' if with_pages else 'API text'}): "
        f"serious {serious.total() / total:.3f}, to check {check.total() / total:.3f}"
    )
    for kind, count in events.most_common(top):
        print(
            f"  {kind:<34}{count:>6}  serious {serious[kind] / count:.2f}  "
            f"to check {check[kind] / count:.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
