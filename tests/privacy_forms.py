"""Personnummer in every written form, for the property tests, and a matcher that finds
one in any output however it was written there."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hypothesis import strategies as st

from briefing.pnr import DASHES, INVISIBLE, PLUSES, SPACES

JOINS = ["-", "+", " ", "  ", " - ", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212"]
JOINS += ["\ufe63", "\uff0d", "\u00ad", "\u200b", "\x00", "\u00a0", "\u202f", "\t", "\u2060-"]
INVISIBLES = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff", "\u00ad"]
INVISIBLES += ["\x00", "\x1b", "\u202a", "\u202e", "\u2066", "\u2069", "\u034f", "\ufe0f"]


@dataclass(frozen=True)
class Written:
    """One personnummer as written (`text`) and its ten digits (`digits`)."""

    text: str
    digits: str


def check_digit(nine: str) -> str:
    total = 0
    for index, char in enumerate(nine):
        product = int(char) * (2 - index % 2)
        total += product - 9 if product > 9 else product
    return str((10 - total % 10) % 10)


@st.composite
def personnummer(draw: st.DrawFn) -> Written:
    year = draw(st.integers(1890, 2025))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 31)) + (60 if draw(st.booleans()) else 0)
    serial = f"{draw(st.integers(0, 999)):03d}"
    date = f"{year % 100:02d}{month:02d}{day:02d}"
    join = draw(st.sampled_from(["", *JOINS]))
    right = check_digit(date + serial)
    # Bare digits are masked when the check digit is right; joined, whatever it is.
    check = right if join == "" else draw(st.sampled_from([right, str(draw(st.integers(0, 9)))]))
    century = str(year // 100) if draw(st.booleans()) else ""
    chars = [*century, *date, join, *serial, check]
    for _ in range(draw(st.integers(0, 3))):  # invisible characters among the digits
        at = draw(st.integers(1, len(chars) - 1))
        chars.insert(at, draw(st.sampled_from(INVISIBLES)))
    return Written("".join(chars), date + serial + check)


_BETWEEN = f"[{INVISIBLE}{DASHES}{PLUSES}{SPACES}]*"


def finder(digits: str) -> re.Pattern[str]:
    """Matches `digits` written with any separators or invisible characters between them."""
    body = _BETWEEN.join(re.escape(d) for d in digits)
    century = rf"(?:\d{_BETWEEN}\d{_BETWEEN})?"
    return re.compile(rf"(?<!\d){century}{body}(?![{INVISIBLE}]*\d)")


def survivors(text: str, numbers: list[Written]) -> list[str]:
    """The numbers still readable in `text`."""
    return [n.text for n in numbers if finder(n.digits).search(text)]
