"""Build tests/data/eval/polisen-events-national-labelled.json: the events of the national labels.

    python tools/national_extract.py LABELS SNAPSHOT.json [SNAPSHOT.json ...] > OUT.json

LABELS is labels-national.jsonl (one JSON object a line with an `id`); each SNAPSHOT is a
full response of the police events API (a JSON array, as in tests/data/polisen/). Every
labelled event is written once, exactly as the API returned it, one a line, ordered by
id; an id found in no snapshot is reported on stderr and the exit status is 1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    wanted = {
        json.loads(line)["id"]
        for line in Path(argv[0]).read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    found: dict[int, object] = {}
    for snapshot in argv[1:]:
        for event in json.loads(Path(snapshot).read_text(encoding="utf-8")):
            if event["id"] in wanted:
                found.setdefault(event["id"], event)
    missing = sorted(wanted - found.keys())
    if missing:
        print(f"not in any snapshot: {missing}", file=sys.stderr)
    lines = [json.dumps(found[key], ensure_ascii=False) for key in sorted(found)]
    print("[\n" + ",\n".join(lines) + "\n]")  # one event a line
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
