"""Run the personnummer mask over recorded police page texts and show what it touches.

    python tools/mask_corpus.py CORPUS.json.gz [--context 40] [--near]

CORPUS is a gzip JSON object {event id: {"h1", "preamble", "body_paragraphs",
"text_by"}} (the 2023-2024 page texts). Every hit is printed masked, in context,
so whether it is a real personnummer can be judged without showing one; the last
line counts hits, texts touched and texts read. With --near, digit groups the mask
leaves alone but that look like one (ten or twelve digits in a date-shaped run) are
listed too, their digits shown as "d", so a form the mask misses shows up.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from briefing.pnr import MASK, mask_personnummer

# A date-shaped run the mask did not take: 6 or 8 digits, anything short, 4 digits.
_NEAR = re.compile(r"(?<![\d.,])\d{6}(?:\d{2})?\D{0,3}\d{4}(?!\d)")


def texts(corpus: dict[str, dict[str, object]]) -> Iterator[tuple[str, str, str]]:
    for event_id, page in corpus.items():
        for name in ("h1", "preamble", "text_by"):
            if isinstance(value := page.get(name), str) and value:
                yield event_id, name, value
        paragraphs = page.get("body_paragraphs") or []
        for index, paragraph in enumerate(paragraphs if isinstance(paragraphs, list) else []):
            if isinstance(paragraph, str):
                yield event_id, f"body[{index}]", paragraph


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--context", type=int, default=40)
    parser.add_argument("--near", action="store_true", help="also list near misses")
    args = parser.parse_args(argv)
    with gzip.open(args.corpus, "rt", encoding="utf-8") as file:
        corpus = json.load(file)
    hits = touched = read = near = 0
    started = time.perf_counter()
    for event_id, name, text in texts(corpus):
        read += 1
        masked = mask_personnummer(text)
        if masked != text:
            touched += 1
            for found in re.finditer(re.escape(MASK), masked):
                hits += 1
                start, end = max(0, found.start() - args.context), found.end() + args.context
                print(f"{event_id} {name}: …{masked[start:end]}…")
        if args.near:
            for found in _NEAR.finditer(masked):
                near += 1
                start, end = max(0, found.start() - args.context), found.end() + args.context
                shape = re.sub(r"\d", "d", found.group(0))  # the shape, never the digits
                shown = masked[start : found.start()] + shape + masked[found.end() : end]
                print(f"{event_id} {name}: left alone: …{shown}…")
    seconds = time.perf_counter() - started
    print(
        f"{hits} hits in {touched} texts of {read} ({len(corpus)} pages); "
        f"{near} near misses left alone; {seconds * 1e6 / max(1, read):.1f} µs per text"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
