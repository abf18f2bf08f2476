"""A rule's pattern as the judge runs it: its alternatives one by one, and only those
the word scan says can match.

A pattern of the rules file is a list of alternatives, compiled as one
`\\b(?:(?:a1)|(?:a2)|…)\\b` (briefing.judge.rulecheck.words_pattern). Its first
match is, of the first matches of `\\b(?:a1)\\b`, `\\b(?:a2)\\b` … alone, the one
that starts first, and of those starting at the same place the earliest
alternative's: at each place the engine tries the alternatives in order, and
each alone would be tried the same way. That holds as long as an alternative
means alone what it means among the others — it is `closed`: its groups and
classes close within it, and it neither refers to a group nor sets flags. So
a `Matcher` splits such a pattern's lower-case twin (briefing.judge.wordmatch)
into its alternatives, gives each its own bit in the word scan
(briefing.judge.wordscan) with the word runs of its needles, and runs only the
alternatives whose bits are set, each compiled when first needed. A rule of a
hundred alternatives then costs what its one or two candidates cost. A pattern
of another shape is run whole, as `Words` runs it; text the twins cannot read
is matched with the pattern itself. Either way the answer is the pattern's.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from briefing.judge.needles import needles
from briefing.judge.wordmatch import Text, Words, twin_source

__all__ = ["Finder", "Matcher", "closed", "literal", "split", "word_runs"]

_RUN = re.compile(r"\w+")
_OPENINGS = ("(?:", "(?=", "(?!", "(?<=", "(?<!")
_HEAD, _TAIL = r"\b(?:", r")\b"


def _bars(source: str) -> list[int] | None:
    """Where `source` has a `|` outside its groups and classes; None unless it is closed
    (see `closed`). Reads the syntax of the `re` module and errs towards None."""
    depth, position, end = 0, 0, len(source)
    bars = []
    while position < end:
        char = source[position]
        if char == "\\":
            following = source[position + 1 : position + 2]
            if not following or following.isdigit():  # a back reference, an octal escape
                return None
            position += 2
        elif char == "[":
            position += 1
            position += source.startswith("^", position)
            position += source.startswith("]", position)  # a "]" first is a letter
            while position < end and source[position] != "]":
                position += 2 if source[position] == "\\" else 1
            if position >= end:
                return None
            position += 1
        elif char == "(":
            if source.startswith("(?", position) and not source.startswith(_OPENINGS, position):
                return None  # named groups and references, flags, comments, conditions
            depth += 1
            position += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return None
            position += 1
        else:
            if char == "|" and depth == 0:
                bars.append(position)
            position += 1
    return bars if depth == 0 else None


def closed(alternative: str) -> bool:
    """Whether `alternative` means inside `(?:...)` among others what it means alone: its
    groups and classes close within it, it refers to no group (\\\\1, (?P=name), (?(1)…))
    and sets no flags. Errs towards False."""
    return _bars(alternative) is not None


def split(source: str) -> list[str] | None:
    """The alternatives of a source written `\\b(?:(?:a1)|(?:a2)|…)\\b` with each closed;
    None for a source of any other shape."""
    if not (source.startswith(_HEAD) and source.endswith(_TAIL)):
        return None
    body = source[len(_HEAD) : -len(_TAIL)]
    bars = _bars(body)
    if bars is None:
        return None
    found = []
    for start, end in zip([-1, *bars], [*bars, len(body)], strict=True):
        piece = body[start + 1 : end]
        if not (piece.startswith("(?:") and piece.endswith(")") and closed(piece[3:-1])):
            return None
        found.append(piece[3:-1])
    return found


def word_runs(found: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """The longest word-character run of each needle, or None when a match is not known
    to hold any (no needles, or a needle without a word character)."""
    if not found:
        return None
    out = []
    for needle in found:
        parts = _RUN.findall(needle)
        if not parts:
            return None
        out.append(max(parts, key=len))
    return tuple(dict.fromkeys(out))


class Matcher:
    """A pattern (re.IGNORECASE) and how to run it fast; `needs[i]` are the word runs
    one of which text must hold for bit i of the matcher to be worth reading (None:
    always read)."""

    __slots__ = ("_finders", "mask", "needs", "pattern", "pieces", "words")

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        source = twin_source(pattern)
        pieces = None if source is None else split(source)
        self.words: Words | None = None
        self.needs: tuple[tuple[str, ...] | None, ...]
        if pieces is None:
            self.words = Words.of(pattern)
            self.pieces: tuple[str, ...] = ()
            has_twin = self.words.twin is not None
            self.needs = (word_runs(self.words.needles) if has_twin else None,)
            self._finders: list[Finder | None] = []
        else:
            self.pieces = tuple(pieces)
            # A plain alternative's word is in every match of it: no needles to work out.
            self._finders = [literal(piece) for piece in self.pieces]
            self.needs = tuple(
                word_runs((_plain_word(piece),) if finder else needles(piece))
                for piece, finder in zip(self.pieces, self._finders, strict=True)
            )
        self.mask = (1 << len(self.pieces)) - 1

    def search(self, text: Text, bits: int = -1) -> str | None:
        """The words the pattern finds first in `text`, as the text writes them, or None.

        `bits` are the matcher's bits of the word scan, lowest first (-1: read all)."""
        lowered = text.lowered
        if lowered is None:  # the twins cannot read it: the pattern itself decides
            found = self.pattern.search(text.original)
            return None if found is None else found.group(0)
        if self.words is not None:
            return self.words.search(text) if bits & 1 else None
        best: tuple[int, int] | None = None
        todo = bits & self.mask
        finders = self._finders
        while todo:
            lowest = todo & -todo
            todo ^= lowest
            index = lowest.bit_length() - 1
            finder = finders[index] or self._finder(index)
            if finder is None:
                return self._whole(text)
            span = finder(lowered)
            if span is not None and (best is None or span[0] < best[0]):
                best = span
        return None if best is None else text.original[best[0] : best[1]]

    def found_in(self, text: Text, bits: int = -1) -> bool:
        """Whether the pattern matches anywhere in `text` (`bits` as for `search`)."""
        lowered = text.lowered
        if lowered is None or self.words is not None:
            return self.search(text, bits) is not None
        todo = bits & self.mask
        finders = self._finders
        while todo:
            lowest = todo & -todo
            todo ^= lowest
            index = lowest.bit_length() - 1
            finder = finders[index] or self._finder(index)
            if finder is None:
                return self._whole(text) is not None
            if finder(lowered) is not None:
                return True
        return False

    def _finder(self, index: int) -> Finder | None:
        """What finds alternative `index` in lowered text (its span), made on first use:
        plain words by `str.find`, anything else by its compiled twin; None if that
        does not compile."""
        finder = self._finders[index]
        if finder is None:
            piece = self.pieces[index]
            finder = literal(piece)
            if finder is None:
                try:
                    finder = _spans(re.compile(rf"\b(?:{piece})\b"))
                except re.error:
                    return None
            self._finders[index] = finder
        return finder

    def _whole(self, text: Text) -> str | None:
        """The pattern itself, for when an alternative's twin does not compile."""
        found = self.pattern.search(text.original)
        return None if found is None else found.group(0)


Finder = Callable[[str], tuple[int, int] | None]
_ANY_WORD = r"\w*"


def _spans(twin: re.Pattern[str]) -> Finder:
    def find(text: str) -> tuple[int, int] | None:
        found = twin.search(text)
        return None if found is None else found.span()

    return find


def _word(char: str) -> bool:
    """What `\\w` matches (the `re` module: alphanumeric or the underscore)."""
    return char.isalnum() or char == "_"


def _edge(text: str, at: int) -> bool:
    """Whether `\\b` holds at `at` in `text`: a word character on one side only."""
    before = at > 0 and _word(text[at - 1])
    return before != (at < len(text) and _word(text[at]))


def _plain_word(piece: str) -> str:
    """The word of an alternative `literal` reads: without its `\\w*` ends."""
    start = 3 if piece.startswith(_ANY_WORD) else 0
    return piece[start : len(piece) - 3 if piece.endswith(_ANY_WORD) else len(piece)]


def literal(piece: str) -> Finder | None:
    """A finder for `\\b(?:piece)\\b` without the regular expression engine, for the
    shapes most alternatives have — `word`, `word\\w*`, `\\w*word\\w*`, `\\w*word`
    (a word: letters, digits, `_`, and in the first two also spaces) — that gives the
    span the engine gives: the first where the pattern matches. None for other shapes."""
    head, tail = piece.startswith(_ANY_WORD), piece.endswith(_ANY_WORD)
    word = _plain_word(piece)
    if not word or not all(_word(c) or (c == " " and not head) for c in word):
        return None
    size = len(word)

    def plain(text: str) -> tuple[int, int] | None:
        at = text.find(word)
        while at >= 0:
            if _edge(text, at) and _edge(text, at + size):
                return at, at + size
            at = text.find(word, at + 1)
        return None

    def stem(text: str) -> tuple[int, int] | None:  # word\w*: the rest of its word
        at = text.find(word)
        while at >= 0:
            if _edge(text, at):
                end = _word_end(text, at + size)
                if end > at + size or _edge(text, end):
                    return at, end
            at = text.find(word, at + 1)
        return None

    def inside(text: str) -> tuple[int, int] | None:  # \w*word\w*: the word holding it
        at = text.find(word)
        return None if at < 0 else (_word_start(text, at), _word_end(text, at + size))

    def ending(text: str) -> tuple[int, int] | None:  # \w*word: a word ending so
        at = text.find(word)
        while at >= 0:
            if at + size == len(text) or not _word(text[at + size]):
                return _word_start(text, at), at + size
            at = text.find(word, at + 1)
        return None

    if head:
        return inside if tail else ending
    return stem if tail else plain


def _word_start(text: str, at: int) -> int:
    while at > 0 and _word(text[at - 1]):
        at -= 1
    return at


def _word_end(text: str, at: int) -> int:
    while at < len(text) and _word(text[at]):
        at += 1
    return at
