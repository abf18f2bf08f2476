"""Case-insensitive matching, fast: the text lowered once, the patterns lowered once.

A pattern compiled with re.IGNORECASE compares every character case-folded,
for every pattern over the same text; the severity rules run dozens of them
over every report. Lowering the text once and matching a lower-case twin of
each pattern case-sensitively gives the same matches at half the cost
(bench/RESULTS.md), as long as nothing exotic is involved: the twin is made
only from patterns written with plain letters, classes and escapes, and used
only on text made of the characters in `_SAFE`, for which lowering changes
neither length nor what `\\w`, `\\s`, `\\d` or a case-insensitive comparison
says (tests/test_wordmatch.py checks that character by character). Anything
else is matched with the original pattern, so the answer is always the one
re.IGNORECASE gives, and the words reported are the text's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefing.judge.needles import class_end, needles

# Tab, newline, printable ASCII, Latin-1 and Latin Extended-A without the three letters
# that re.IGNORECASE pairs with another letter (İ ı ſ), general punctuation, € and ™.
_SAFE_CHARS = "\t\n -~\xa0-\u012f\u0132-\u017e\u2010-\u2027\u2030-\u205e\u20ac\u2122"
_UNSAFE = re.compile(f"[^{_SAFE_CHARS}]")
_ESCAPES = set("wWsSdDbBAZntrfva")  # letters after a backslash that keep their meaning
_GROUPS = ("?:", "?=", "?!", "?<=", "?<!")
_RANGE_ENDS = ("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789")


class Text:
    """A text to match, and the same text in lower case when the twins may read it."""

    __slots__ = ("lowered", "original")

    def __init__(self, original: str) -> None:
        self.original = original
        self.lowered = original.lower() if _UNSAFE.search(original) is None else None


@dataclass(frozen=True, slots=True)
class Words:
    """A pattern compiled with re.IGNORECASE, and its lower-case twin when it has one,
    with the needles of the twin (briefing.judge.needles): a text without them cannot match."""

    pattern: re.Pattern[str]
    twin: re.Pattern[str] | None
    needles: tuple[str, ...] | None = None

    @classmethod
    def of(cls, pattern: re.Pattern[str]) -> Words:
        twin = lower_case_twin(pattern)
        return cls(pattern, twin, None if twin is None else needles(twin.pattern))

    def search(self, text: Text | str) -> str | None:
        """The words that match first, as the text writes them; None if nothing does."""
        if isinstance(text, str):
            text = Text(text)
        if (lowered := text.lowered) is not None and self.twin is not None:
            if self.needles is not None and not _holds_one(lowered, self.needles):
                return None
            hit = self.twin.search(lowered)
            return None if hit is None else text.original[hit.start() : hit.end()]
        found = self.pattern.search(text.original)
        return None if found is None else found.group(0)

    def found_in(self, text: Text | str) -> bool:
        return self.search(text) is not None


def _holds_one(text: str, needles: tuple[str, ...]) -> bool:
    for needle in needles:  # noqa: SIM110 (any() over a generator costs twice as much)
        if needle in text:
            return True
    return False


def lower_case_twin(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """`pattern` (re.IGNORECASE) as a case-sensitive pattern for lowered text, or None
    when the pattern uses anything whose meaning lowering could change."""
    source = twin_source(pattern)
    if source is None:
        return None
    try:
        return re.compile(source)
    except re.error:
        return None


def twin_source(pattern: re.Pattern[str]) -> str | None:
    """The source of `lower_case_twin(pattern)`, not compiled (None: it has no twin)."""
    if pattern.flags & ~re.UNICODE != re.IGNORECASE:
        return None
    return _lowered_source(pattern.pattern)


def _lowered_source(source: str) -> str | None:
    """The letters of `source` lowered, escapes kept; None for what is not plain."""
    out: list[str] = []
    position = 0
    while position < len(source):
        char = source[position]
        if char == "\\":
            escape = source[position : position + 2]
            if not _plain_escape(escape):
                return None
            out.append(escape)
            position += 2
        elif char == "[":
            end = class_end(source, position, plain=True)
            lowered = None if end is None else _lowered_class(source[position:end])
            if end is None or lowered is None:
                return None
            out.append(lowered)
            position = end
        elif char == "(" and source.startswith("?", position + 1):
            if not source.startswith(_GROUPS, position + 1):
                return None  # named groups, inline flags, conditionals, comments
            out.append(char)
            position += 1
        elif _UNSAFE.match(char) or len(char.lower()) != 1:
            return None
        else:
            out.append(char.lower())
            position += 1
    return "".join(out)


def _plain_escape(escape: str) -> bool:
    """A shorthand class or anchor, an escaped punctuation character: not \\x41 or \\1."""
    if len(escape) != 2:
        return False
    char = escape[1]
    return char in _ESCAPES or not (char.isalnum() or _UNSAFE.match(char))


def _lowered_class(text: str) -> str | None:
    """A `[...]` class with its letters lowered. A range must run within a-z, A-Z or
    0-9: `[A-z]` also holds `[`, `_` and others, which lowering would lose."""
    negated = text.startswith("[^")
    items = _class_items(text[2 if negated else 1 : -1])
    if items is None:
        return None
    index = 0
    while index < len(items):  # read as the re module reads a class
        if index + 2 < len(items) and items[index + 1] == "-":
            low, high = items[index], items[index + 2]
            if not any(low in ends and high in ends for ends in _RANGE_ENDS):
                return None
            index += 3
        else:
            index += 1
    lowered = (item if item.startswith("\\") else item.lower() for item in items)
    return ("[^" if negated else "[") + "".join(lowered) + "]"


def _class_items(body: str) -> list[str] | None:
    """The characters and escapes of a class body; None when one is not plain."""
    items = []
    position = 0
    while position < len(body):
        step = 2 if body[position] == "\\" else 1
        item = body[position : position + step]
        if step == 2 and not _plain_escape(item):
            return None
        if step == 1 and (_UNSAFE.match(item) or len(item.lower()) != 1):
            return None
        items.append(item)
        position += step
    return items
