"""Which of many patterns a text can match, from one pass over its words.

The severity rules are a hundred patterns and more, and most reports fire
none of them. Each pattern has needles (briefing.judge.needles): strings one of
which every match contains. A needle's longest run of word characters (`\\w`)
is in every match too, and a run of word characters never holds white space,
so it lies inside one of the text's white-space separated tokens. A `WordScan`
gives each pattern a bit, and each token the bits of the patterns whose runs it
holds; a text's bits are the union of its tokens'. A pattern whose bit is not
set cannot match, so it is not run at all; one whose bit is set is run as
before, so the answer is always the pattern's own (a bit only says "maybe").

A token's bits are worked out once, by looking up each of its two-letter pairs
among the runs' beginnings, and kept: the police write the same few thousand
words every day. The cost of a text is one split and a dictionary look-up per
token, whatever the number of rules. Text that the lower-case twins cannot
read (`Text.lowered` is None) gets every bit: there the patterns themselves
decide, as they always did.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import reduce
from operator import or_

from briefing.judge.wordmatch import Text, Words

__all__ = ["WordScan", "runs"]

_RUN = re.compile(r"\w+")
_MAX_TOKENS = 200_000  # tokens remembered; past that the memory starts afresh


def runs(words: Words) -> tuple[str, ...] | None:
    """The longest word-character run of each needle of `words`, or None when a match
    is not known to hold any (no twin, no needles, or a needle with no word character)."""
    if words.twin is None or not words.needles:
        return None
    found = []
    for needle in words.needles:
        parts = _RUN.findall(needle)
        if not parts:
            return None
        found.append(max(parts, key=len))
    return tuple(dict.fromkeys(found))


class WordScan:
    """The bits of the patterns a text can match: bit i is set when one of words[i] can.

    An empty words[i] is never set; one holding a pattern with no known runs is
    always set (`always`)."""

    def __init__(self, words: Sequence[Iterable[Words]]) -> None:
        self.every = (1 << len(words)) - 1
        self.always = 0
        by_run: dict[str, int] = {}
        for bit, alternatives in enumerate(words):
            for found in alternatives:
                needed = runs(found)
                if needed is None:
                    self.always |= 1 << bit
                    continue
                for run in needed:
                    by_run[run] = by_run.get(run, 0) | 1 << bit
        # The runs by their first two characters (runs of one character by that one).
        self._pairs: dict[str, tuple[tuple[str, int], ...]] = {}
        self._single: dict[str, int] = {}
        for run, bits in by_run.items():
            if len(run) == 1:
                self._single[run] = bits
            else:
                self._pairs[run[:2]] = (*self._pairs.get(run[:2], ()), (run, bits))
        self._tokens: dict[str, int] = {}

    def bits(self, text: Text) -> int:
        """The bits of the patterns that can match `text`."""
        lowered = text.lowered
        if lowered is None:
            return self.every
        tokens = lowered.split()
        known = self._tokens
        try:
            return reduce(or_, map(known.get, tokens), self.always)
        except TypeError:  # a token not seen before (None): work it out
            if len(known) > _MAX_TOKENS:
                known.clear()
            found = [known.get(token) for token in tokens]
            pairs = zip(tokens, found, strict=True)
            return reduce(or_, [self._token(t) if b is None else b for t, b in pairs], self.always)

    def _token(self, token: str) -> int:
        """The bits of the runs `token` holds, worked out and remembered."""
        bits = 0
        pairs, single = self._pairs, self._single
        for at in range(len(token)):
            if single:
                bits |= single.get(token[at], 0)
            for run, run_bits in pairs.get(token[at : at + 2], ()):
                if token.startswith(run, at):
                    bits |= run_bits
        self._tokens[token] = bits
        return bits
