"""A real year of Sweden: the 2023–2024 police corpus replayed as the API's responses.

The corpus (`shared/corpus/polisen-events-2023-2024.json.gz`, see its
PROVENANCE.md) keeps, per event, the latest version the API returned, the
first version when an edit changed it, and when each was first and last seen.
`responses()` turns that back into what a poller storing every response saw:
500-event responses in the order the events appeared, an edited event first in
its first version and, in the response of the save where it was last seen, in
its final version (so the store sees every edit as a new version).

`scaled()` repeats the replay with fresh ids and times moved back by whole
years, for volume beyond one real year (the whole corpus ×2 ≈ 90 000 events).

The benchmark reads the corpus from the path given (default: the shared folder
beside the checkout); nothing in the package or the tests reads it.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.backlog import ID_STRIDE, moved_back

REPO = Path(__file__).resolve().parent.parent
_CORPUS = Path("shared") / "corpus" / "polisen-events-2023-2024.json.gz"
# The shared folder beside the checkout, or beside the folder of worktrees it is in.
DEFAULT = next(
    (found for up in REPO.parents if (found := up / _CORPUS).exists()), REPO.parent / _CORPUS
)
RESPONSE = 500  # events in one response of the police API
YEAR = timedelta(days=364)  # 52 weeks: the weekday of every event stays the same


def entries(path: Path = DEFAULT) -> list[dict[str, Any]]:
    if not path.exists():
        raise SystemExit(
            f"{path}: the police corpus is not there; give its path with --corpus "
            "(shared/corpus/polisen-events-2023-2024.json.gz)"
        )
    with gzip.open(path, "rt", encoding="utf-8") as file:
        found: list[dict[str, Any]] = json.load(file)
    return found


def responses(
    path: Path = DEFAULT, years: tuple[str, ...] | None = ("2024",)
) -> Iterator[list[dict[str, Any]]]:
    """The corpus (or its events of `years`) as consecutive 500-event API responses."""
    chosen = [e for e in entries(path) if years is None or e["event"]["datetime"][:4] in years]
    # (when it was seen, order, record): first sightings, then each edit where it was last seen.
    sightings: list[tuple[int, int, dict[str, Any]]] = []
    for order, entry in enumerate(chosen):
        first = entry.get("first_version")
        sightings.append((int(entry["first_seen"]), order, first or entry["event"]))
        if first is not None:
            edited_at = max(int(entry["last_seen"]), int(entry["first_seen"]) + 1)
            sightings.append((edited_at, order, entry["event"]))
    sightings.sort(key=lambda sighting: (sighting[0], sighting[1]))
    for start in range(0, len(sightings), RESPONSE):
        chunk = [record for _, _, record in sightings[start : start + RESPONSE]]
        # The API lists the newest first; the adapter must not rely on the order.
        yield sorted(chunk, key=lambda record: record["datetime"], reverse=True)


def scaled(
    path: Path = DEFAULT, copies: int = 2, years: tuple[str, ...] | None = None
) -> Iterator[list[dict[str, Any]]]:
    """The replay `copies` times, each copy two years older than the one before, fresh ids."""
    for copy in range(copies):
        for response in responses(path, years):
            if copy:
                response = [moved_back(r, YEAR * 2 * copy, copy * ID_STRIDE) for r in response]
            yield response


def write(path: Path, response_list: Iterator[list[dict[str, Any]]]) -> tuple[int, int]:
    """The responses as one JSON array of arrays; (responses, records) written."""
    count = records = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("[")
        for response in response_list:
            out.write("," if count else "")
            json.dump(response, out, ensure_ascii=False)
            count += 1
            records += len(response)
        out.write("]")
    return count, records
