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

from briefing.judge.wordmatch import Text

__all__ = ["WordScan"]

_EDGES = ".,:;!?()[]{}\"'-–—/«»…"  # none of them a word character
_MAX_TOKENS = 200_000  # tokens remembered; past that the memory starts afresh


class WordScan:
    """The bits a text can have: bit i is set when the text holds one of the word runs
    of one of needs[i] (briefing.judge.matchers.word_runs). An empty needs[i] is never
    set; one holding None (a pattern no run is known for) is always set (`always`)."""

    def __init__(self, needs: Sequence[Iterable[tuple[str, ...] | None]]) -> None:
        self.every = (1 << len(needs)) - 1
        self.always = 0
        by_run: dict[str, int] = {}
        for bit, alternatives in enumerate(needs):
            for needed in alternatives:
                if needed is None:
                    self.always |= 1 << bit
                    continue
                for run in needed:
                    by_run[run] = by_run.get(run, 0) | 1 << bit
        # A run found at a place in a token means every run it begins with is there too.
        closed = {
            run: reduce(or_, (by_run.get(run[:end], 0) for end in range(1, len(run) + 1)))
            for run in by_run
        }
        self._tokens = _Tokens(sorted(by_run), closed)

    def bits(self, text: Text) -> int:
        """The bits of the patterns that can match `text`."""
        lowered = text.lowered
        if lowered is None:
            return self.every
        # Most tokens hold no run (0): only the others are joined in, bits being wide.
        return reduce(
            or_, filter(None, map(self._tokens.__getitem__, lowered.split())), self.always
        )


class _Tokens(dict[str, int]):
    """token -> the bits of the runs it holds, each worked out on first sight."""

    def __init__(self, runs: list[str], closed: dict[str, int]) -> None:
        super().__init__()
        self.runs, self.closed = runs, closed
        self.finder: re.Pattern[str] | None = None

    def __missing__(self, token: str) -> int:
        if self.finder is None:
            # The longest run that begins at each place of a token, all of them in one go.
            self.finder = re.compile(f"(?=({_trie(self.runs)}))")
        if len(self) > _MAX_TOKENS:
            self.clear()
        core = token.strip(_EDGES)  # "skott," holds the runs "skott" holds
        if core and core != token:
            bits = self[token] = self[core]
            return bits
        closed = self.closed
        bits = self[token] = reduce(or_, [closed[run] for run in self.finder.findall(token)], 0)
        return bits


def _trie(words: list[str]) -> str:
    """A pattern matching each of `words` (sorted), longest first where one begins another,
    written as a tree of their letters so the regular expression engine reads each
    letter once."""
    if not words:
        return "(?!)"
    branches = []
    at = 0
    while at < len(words):
        head = words[at][0]
        end = at
        while end < len(words) and words[end][0] == head:
            end += 1
        rests = [word[1:] for word in words[at:end]]
        tails = [rest for rest in rests if rest]
        tail = _trie(tails) if tails else ""
        if tails and len(tails) < len(rests):  # the word ends here or goes on
            tail = f"(?:{tail})?"
        branches.append(re.escape(head) + tail)
        at = end
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
