"""Cut one municipality's police events and pages out of the 2023–2024 corpus.

    python tools/corpus_extract.py --events polisen-events-2023-2024.json.gz \
        --pages polisen-pages-2023-2024.json.gz --out tests/data/corpus Sollentuna Umeå

For each municipality it writes, into `--out`:

- `<slug>-events.json.gz`: the events whose `location.name` is the municipality,
  as a JSON array of API records (the latest version the corpus saw of each,
  exactly as the API returned it), oldest first: what the polisen adapter reads
  with `path =` once unpacked;
- `<slug>-pages.json.gz`: `{"<id>": {"h1", "preamble", "body_paragraphs"}}` for
  those events whose page has text, as the corpus gives it. The test helper
  `tests/corpus.py` writes them out as a `details_path` folder of `<id>.html`
  pages that the adapter's page reader parses.

The slug is the name folded to ASCII ("Umeå" -> "umea"). The files are gzip'd
with no timestamp, so running the script again gives the same bytes. The
corpus is read only here, never at run time or test time.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

PAGE_FIELDS = ("h1", "preamble", "body_paragraphs")


def slug(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def read_gzip_json(path: Path) -> Any:
    with gzip.open(path, "rt", encoding="utf-8") as file:
        return json.load(file)


def write_gzip_json(path: Path, data: Any) -> int:
    """Write `data` as gzip'd JSON, one array item or mapping entry a line; the size written."""
    if isinstance(data, list):
        body = "[\n" + ",\n".join(json.dumps(item, ensure_ascii=False) for item in data) + "\n]\n"
    else:
        lines = (f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in data.items())
        body = "{\n" + ",\n".join(lines) + "\n}\n"
    raw = body.encode("utf-8")
    path.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
    return len(raw)


def events_of(corpus: list[dict[str, Any]], municipality: str) -> list[dict[str, Any]]:
    """The API records of the municipality's events, oldest first."""
    found = [
        item["event"]
        for item in corpus
        if (item.get("event", {}).get("location") or {}).get("name") == municipality
    ]
    return sorted(found, key=lambda event: (_published(event), event["id"]))


def _published(event: dict[str, Any]) -> str:
    """The API's "2024-12-28 2:50:46 +01:00" as a sortable string (hours are not padded)."""
    date, clock, offset = str(event.get("datetime", "")).split(" ")
    return f"{date} {clock.zfill(8)} {offset}"


def pages_of(
    pages: dict[str, dict[str, Any]], events: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The pages of these events that have any text, with only the fields a page shows."""
    found: dict[str, dict[str, Any]] = {}
    for event in events:
        page = pages.get(str(event["id"]))
        if page and (page.get("preamble") or page.get("body_paragraphs")):
            found[str(event["id"])] = {key: page.get(key) or "" for key in PAGE_FIELDS}
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=Path, required=True, help="polisen-events-*.json.gz")
    parser.add_argument("--pages", type=Path, required=True, help="polisen-pages-*.json.gz")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the extracts to")
    parser.add_argument("municipalities", nargs="+", help="as in location.name: Umeå")
    args = parser.parse_args(argv)
    corpus = read_gzip_json(args.events)
    all_pages = read_gzip_json(args.pages)
    args.out.mkdir(parents=True, exist_ok=True)
    for municipality in args.municipalities:
        events = events_of(corpus, municipality)
        if not events:
            print(f"{municipality}: no events with that location.name", file=sys.stderr)
            return 1
        pages = pages_of(all_pages, events)
        name = slug(municipality)
        events_size = write_gzip_json(args.out / f"{name}-events.json.gz", events)
        pages_size = write_gzip_json(args.out / f"{name}-pages.json.gz", pages)
        print(
            f"{municipality}: {len(events)} events ({events_size:,} bytes unpacked), "
            f"{len(pages)} pages with text ({pages_size:,} bytes unpacked)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
