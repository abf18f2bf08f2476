"""The municipality extracts of the 2023–2024 police corpus in tests/data/corpus/.

Made by tools/corpus_extract.py (see tests/data/PROVENANCE.md). Each
municipality has `<slug>-events.json.gz` (a JSON array of API records) and
`<slug>-pages.json.gz` (`{"<id>": {"h1", "preamble", "body_paragraphs"}}`).
The polisen adapter reads plain `.json` and a folder of `<id>.html` pages, so
`write_replay` unpacks an extract into that shape for `path =` and
`details_path =`.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

from tests.conftest import DATA

CORPUS = DATA / "corpus"


@cache
def events(slug: str) -> list[dict[str, Any]]:
    """The API records of the municipality's 2023–2024 events, oldest first."""
    records: list[dict[str, Any]] = _read(CORPUS / f"{slug}-events.json.gz")
    return records


@cache
def pages(slug: str) -> dict[str, dict[str, Any]]:
    """The page of each event that has one with text, as the corpus gives it."""
    found: dict[str, dict[str, Any]] = _read(CORPUS / f"{slug}-pages.json.gz")
    return found


def _read(path: Path) -> Any:
    with gzip.open(path, "rt", encoding="utf-8") as file:
        return json.load(file)


def page_html(page: dict[str, Any]) -> str:
    """A page in polisen.se's event layout, with just the parts the page reader reads."""
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in page.get("body_paragraphs") or ())
    return (
        '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"></head><body>'
        '<div class="event-page editorial-content">'
        f"<h1>{escape(page.get('h1') or '')}</h1>"
        f'<p class="preamble">{escape(page.get("preamble") or "")}</p>'
        f'<div class="text-body editorial-html">{paragraphs}</div>'
        "</div></body></html>\n"
    )


def write_replay(slug: str, folder: Path) -> tuple[Path, Path]:
    """`events.json` and a `pages/` folder of `<id>.html` in `folder`: the adapter's input."""
    events_file = folder / "events.json"
    events_file.write_text(json.dumps(events(slug), ensure_ascii=False), encoding="utf-8")
    pages_dir = folder / "pages"
    pages_dir.mkdir(exist_ok=True)
    for key, page in pages(slug).items():
        (pages_dir / f"{key}.html").write_text(page_html(page), encoding="utf-8")
    return events_file, pages_dir
