"""The judgement engine of this checkout against another commit's, on the real corpus.

It compares the places (briefing.judge.places) and the fused items (briefing.judge.fuse)
too: every event's place, and the items of every event in Swedish, every fourth also
reported by a guard a few minutes later, fused with windows of 90 and 20 minutes.

    python tools/classify_compare.py [--against REF] [--events N] [--corpus DIR]

Classifies the first N events (default 5,000; 0 for every one) of the 2023–2024
police corpus (CORPUS_DIR holds polisen-events-2023-2024.json.gz and
polisen-pages-2023-2024.json.gz, default ../shared/corpus beside the checkout)
with this checkout's `briefing.judge.classify` and with REF's (default: where this
branch left main, `git merge-base HEAD main`; exported with `git archive` into a
temporary folder and run in a child process), both reading this checkout's
briefing/data/rules.toml, and compares the whole `Judgement` of every case:
category, severity, every reason and its order, and "to check". Each event is
judged several ways, so the rare paths are run too:

- its API text, in Swedish, with the place resolved for Järfälla (so gazetteer kinds
  such as school and centre reach the settings);
- the same in English, on the clock of UTC instead of Stockholm (other times of day);
- with the text of its page (preamble and paragraphs) when the corpus has one;
- every fifth event in upper case, and with a character lowering could misread
  (ı, ſ, İ, K), which takes the engine off its fast path.

Exit status 0 when every judgement is the same, 1 otherwise (the first differences
are printed). A reading aid for changing the engine, never run by briefing or its
tests (they may not read the shared corpus).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import UTC
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Europe/Stockholm")
DEFAULT_CORPUS = next(
    (found for up in REPO.parents if (found := up / "shared" / "corpus").is_dir()),
    REPO.parent / "shared" / "corpus",
)
RULES = REPO / "briefing" / "data" / "rules.toml"  # both engines read the same rules
EXOTIC = "ıſİK\u212a"  # letters re.IGNORECASE pairs with another, a Kelvin sign


def cases(corpus: Path, count: int) -> list[tuple[str, dict[str, Any], str]]:
    """(case name, API record, page text) for the first `count` events (0: all)."""
    with gzip.open(corpus / "polisen-events-2023-2024.json.gz", "rt", encoding="utf-8") as file:
        entries = json.load(file)
    with gzip.open(corpus / "polisen-pages-2023-2024.json.gz", "rt", encoding="utf-8") as file:
        pages = json.load(file)
    chosen = entries[:count] if count else entries
    found = []
    for entry in chosen:
        for version in (entry["event"], entry.get("first_version")):
            if version is None:
                continue
            page = pages.get(str(version.get("id"))) or {}
            parts = (page.get("preamble"), *(page.get("body_paragraphs") or []))
            text = "\n".join(part for part in parts if part)
            found.append((str(version.get("id")), version, text))
    return found


def judgements(corpus: Path, count: int) -> list[str]:
    """Every case's judgement as its repr, judged by the `briefing` on sys.path."""
    import dataclasses
    from datetime import timedelta

    from briefing.errors import SourceError
    from briefing.judge.classify import Rules, classify
    from briefing.judge.fuse import fuse
    from briefing.judge.places import Area, Gazetteer, resolve
    from briefing.models import Item, Origin, Status
    from briefing.sources.polisen import parse_event

    rules = Rules.load(RULES)
    in_utc = rules.in_zone(UTC)
    area = Area("Järfälla", "Stockholms län", ("Sollentuna", "Upplands-Bro", "Sundbyberg"))
    gazetteer = Gazetteer.bundled("Järfälla")
    chosen = random.Random(13)
    out: list[str] = []
    items: list[Item] = []
    started = time.perf_counter()
    for number, (key, record, page_text) in enumerate(cases(corpus, count)):
        try:
            incident = parse_event(record, source="polisen", origin=Origin.POLICE, tz=TZ)
        except SourceError as exc:
            out.append(f"{key}: refused: {exc}")
            continue
        place = resolve(incident, area, gazetteer)
        out.append(f"{key} place: {place!r}")
        judged = classify(incident, place, rules, "sv")
        out.append(f"{key} sv: {judged!r}")
        items.append(
            Item(incident, Status.NEW, place, judged, local=place.municipality == "Järfälla")
        )
        if number % 4 == 0:  # the same event from a guard a little later: something to join
            later = (incident.occurred_at or incident.published_at) + timedelta(minutes=number % 40)
            guard = dataclasses.replace(
                incident, source="guards", origin=Origin.GUARDS, key=f"g{key}", occurred_at=later
            )
            items.append(dataclasses.replace(items[-1], incident=guard))
        out.append(f"{key} en utc: {classify(incident, place, in_utc, 'en')!r}")
        if page_text:
            paged = dataclasses.replace(incident, text=page_text)
            paged_place = resolve(paged, area, gazetteer)
            out.append(f"{key} page: {classify(paged, paged_place, rules, 'sv')!r}")
        if number % 5 == 0:
            upper = dataclasses.replace(
                incident, summary=incident.summary.upper(), text=page_text.swapcase()
            )
            out.append(f"{key} upper: {classify(upper, place, rules, 'sv')!r}")
            summary = list(incident.summary or " ")
            summary[chosen.randrange(len(summary))] = chosen.choice(EXOTIC)
            exotic = dataclasses.replace(incident, summary="".join(summary), text=page_text)
            out.append(f"{key} exotic: {classify(exotic, place, rules, 'sv')!r}")
    for window in (90, 20):
        fused = fuse(items, window_minutes=window, lang="sv")
        out.append(f"fused {window}: {len(fused)} of {len(items)}")
        out += [f"fused {window}: {item!r}" for item in fused if item.also]
    print(f"{len(out):,} judgements in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return out


def exported(ref: str, folder: Path) -> Path:
    """REF's `briefing` package, unpacked into `folder`."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", ref, "briefing"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def theirs(ref: str, corpus: Path, count: int) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="classify-compare-") as tmp:
        tree = exported(ref, Path(tmp) / "tree")
        out = Path(tmp) / "judgements.json"
        env = {**os.environ, "PYTHONPATH": str(tree)}
        command = [sys.executable, __file__, "--dump", str(out)]
        command += ["--events", str(count), "--corpus", str(corpus)]
        subprocess.run(command, check=True, env=env)
        found: list[str] = json.loads(out.read_text(encoding="utf-8"))
        return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", help="the commit to compare with (default: the fork point)")
    parser.add_argument("--events", type=int, default=5000, help="events to read (0: all)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--dump", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.dump is not None:  # the child: judge with the briefing on PYTHONPATH
        import briefing

        print(f"judging with {Path(briefing.__file__).parent}", file=sys.stderr)
        found = judgements(options.corpus, options.events)
        options.dump.write_text(json.dumps(found, ensure_ascii=False), encoding="utf-8")
        return 0
    sys.path.insert(0, str(REPO))
    if options.against is None:
        options.against = subprocess.run(
            ["git", "-C", str(REPO), "merge-base", "HEAD", "main"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    mine = judgements(options.corpus, options.events)
    other = theirs(options.against, options.corpus, options.events)
    differ = [(a, b) for a, b in zip(mine, other, strict=False) if a != b]
    if len(mine) != len(other):
        print(f"{len(mine):,} judgements here, {len(other):,} at {options.against}")
    for here, there in differ[:10]:
        print(f"here:  {here}\nthere: {there}\n")
    print(f"{len(mine):,} judgements compared with {options.against}: {len(differ):,} differ")
    return 0 if not differ and len(mine) == len(other) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
