"""Needles: strings one of which every match of a regular expression contains.

`\\b(?:(?:skott\\w*)|(?:\\w*spräng\\w*))\\b` cannot match a text that holds
neither "skott" nor "spräng", and looking for those two with `in` costs a tenth
of running the expression. Most reports fire none of the severity rules, so
most searches end there (bench/RESULTS.md).

The reading is deliberately simple and errs on one side only: whatever it does
not understand gives no needle (a shorter one, or None), never a wrong one.
It follows the syntax of the `re` module: a literal character is required
unless a quantifier that allows zero (`?`, `*`, `{`) follows it; a group is
required unless such a quantifier follows it, and then one of its alternatives'
needles is; escapes, classes, `.` and lookarounds match no known string.
"""

from __future__ import annotations

import re

_SPECIAL = set(".^$*+?{}[]\\|()")
_QUANTIFIER = re.compile(r"\{\d*(?:,\d*)?\}")
# Escapes that stand for a character written another way (\x41, \u00e5, \N{...}, octal)
# or for a group (\1): what they match is not read, so nothing is known.
_UNREAD_ESCAPE = re.compile(r"\\[0-9xuUNg]")
_INLINE_FLAGS = re.compile(r"\(\?[aiLmsux-]")


def needles(source: str) -> tuple[str, ...] | None:
    """Strings one of which every match of `source` contains; None if none is known.

    `source` is read as compiled without flags (case-sensitive, not verbose)."""
    if _UNREAD_ESCAPE.search(source) or _INLINE_FLAGS.search(source):
        return None
    found: list[str] = []
    for alternative in _alternatives(source):
        best = _sequence(alternative)
        if best is None:
            return None
        found.extend(best)
    return tuple(dict.fromkeys(found))


def _alternatives(source: str) -> list[str]:
    """`source` split at the `|` that are not inside a group, a class or an escape."""
    parts, start, position = [], 0, 0
    while position < len(source):
        char = source[position]
        if char == "\\":
            position += 2
        elif char == "[":
            position = _class_end(source, position)
        elif char == "(":
            position = _group_end(source, position)
        else:
            if char == "|":
                parts.append(source[start:position])
                start = position + 1
            position += 1
    parts.append(source[start:])
    return parts


def _sequence(source: str) -> tuple[str, ...] | None:
    """The best needles of a sequence without top-level `|`: its longest literal run, or
    the needles of a required group, whichever has the longest shortest needle."""
    candidates: list[tuple[str, ...]] = []
    run = ""
    position = 0
    while position < len(source):
        char = source[position]
        if char in "?*{":  # the character before may be absent
            candidates.append((run[:-1],))
            run = ""
            quantifier = _QUANTIFIER.match(source, position) if char == "{" else None
            position = quantifier.end() if quantifier else position + 1
            continue
        if char not in _SPECIAL:
            run += char
            position += 1
            continue
        candidates.append((run,))
        run = ""
        if char == "(":
            end = _group_end(source, position)
            if not source.startswith(("?", "*", "{"), end):
                candidates.append(_group(source[position + 1 : end - 1]) or ("",))
            position = end
        elif char == "[":
            position = _class_end(source, position)
        else:
            position += 2 if char == "\\" else 1
    candidates.append((run,))
    usable = [c for c in candidates if all(c)]
    return max(usable, key=lambda c: (min(map(len, c)), -len(c)), default=None)


def _group(inside: str) -> tuple[str, ...] | None:
    """The needles of a group's content: a plain or capturing group's, not a lookaround's."""
    if inside.startswith("?:"):
        return needles(inside[2:])
    if inside.startswith("?"):
        return None  # lookarounds match nothing; flags and named groups are not read
    return needles(inside)


def _group_end(source: str, start: int) -> int:
    """The index after the `)` closing the group opened at `start` (the end if none)."""
    depth, position = 0, start
    while position < len(source):
        char = source[position]
        if char == "\\":
            position += 2
            continue
        if char == "[":
            position = _class_end(source, position)
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        position += 1
        if depth == 0:
            return position
    return len(source)


def class_end(source: str, start: int, *, plain: bool = False) -> int | None:
    """The index after the `]` closing the class opened at `start` (the end if none).

    With `plain`, None for a class that holds another `[` (nested sets and set
    operations), which the callers that rewrite patterns do not handle.
    """
    position = start + 1
    if source.startswith("^", position):
        position += 1
    if source.startswith("]", position):  # a "]" first is a literal
        position += 1
    while position < len(source):
        if source[position] == "\\":
            position += 2
        elif plain and source[position] == "[":
            return None
        elif source[position] == "]":
            return position + 1
        else:
            position += 1
    return None if plain else len(source)


def _class_end(source: str, start: int) -> int:
    end = class_end(source, start)
    assert end is not None  # only None with plain=True
    return end
