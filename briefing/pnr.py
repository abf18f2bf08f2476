"""Personal identity numbers (personnummer, samordningsnummer) found and masked.

One mask for every text that crosses the border (see `briefing.sources.border`),
whatever form the number was written in:

- 10 or 12 digits: YYMMDD or CCYYMMDD (century 18, 19 or 20), then a three-digit
  serial and a check digit;
- the date and the number joined by nothing, by any dash (Unicode class Pd, the
  minus sign, the soft hyphen …), by `+` (people over 100), by spaces, or by an
  invisible or control character;
- invisible and control characters (zero-width, direction marks, NUL, soft
  hyphen, variation selectors …) anywhere among the digits;
- ASCII digits, and the full-width and Arabic-Indic digits a copy from another
  program can bring.

The date must be one: month 01–12, day 01–31, or 61–91 for a samordningsnummer.

The check digit (Luhn) decides only for bare digit runs. Twelve or ten digits in a
row are as often a phone number (0701234567), a time stamp (202306072340) or an
order number as an identity number, and 9 in 10 of those fail the check; a
personnummer written in one run without its check digit right is the rarer case.
Written the way people write identity numbers — date, a dash, a plus, a space or
any character, then four digits — the number is masked whether or not its check
digit is right: a guard who typed one digit wrong still typed a personnummer, and
masking a near-miss costs less than showing one.

Never masked: dates and times (2023-06-07 23:40), phone numbers (070-123 45 67,
08-580 285 00), case numbers (K123456-24, 5000-K123456-24), SOS Alarm numbers
(20230607-12345: five digits), coordinates (59.4301011234), longer digit runs.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

MASK = "[personnummer]"

# Characters a text can hold among the digits without showing them: C0/C1 controls
# (tab and newline aside), soft hyphen, combining grapheme joiner, Arabic letter mark,
# Hangul fillers, Mongolian and Khmer format characters, zero-width and direction
# marks, word joiner and invisible operators, variation selectors, BOM, tags.
INVISIBLE = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f"
)
# Every dash-like character: Unicode's Pd class, the minus signs, and their look-alikes.
DASHES = (
    "\\-\u058a\u05be\u1400\u1806\u2010-\u2015\u2e17\u2e1a\u2e3a\u2e3b\u2e40\u2e5d\u301c\u3030"
    "\u30a0\ufe31\ufe32\ufe58\ufe63\uff0d\U00010ead\u2212\u02d7\u2043\u2796\u2e3a"
)
PLUSES = "+\uff0b\u2795\u207a\u208a\ufe62"
SPACES = "\t\n \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"

_I = f"[{INVISIBLE}]*"
_D = rf"\d{_I}"
# The first digit is matched before the look-behinds, so the engine can skip to digits
# quickly; a digit (or a decimal point after one) before the run means it is part of
# a longer number. The eight-digit date is tried first: "19850101-1234" is one number.
_PATTERN = re.compile(
    rf"\d(?<!\d\d)(?<!\d[.,]\d){_I}"
    rf"(?P<date>(?:{_D}){{6}}\d|(?:{_D}){{4}}\d)"
    rf"(?P<join>[{DASHES}{PLUSES}{SPACES}{INVISIBLE}]{{0,8}})"
    rf"(?P<serial>(?:{_D}){{3}}\d)(?!{_I}\d)"
)
# The same shape in JSON as written (escaped): a JSON escape may stand for any character
# among the digits. Looser than the mask, without its look-behinds ("\\u00e4" ends in
# a digit): finding nothing means no decoded string holds a personnummer, so most raw
# payloads are passed without being decoded.
_ESCAPE = r"(?:\\u[0-9a-fA-F]{4}|\\[nrtbf/\\\"])"
_ESCAPED = re.compile(
    rf"\d(?:(?:[{INVISIBLE}]|{_ESCAPE})*\d){{5,7}}"
    rf"(?:[{DASHES}{PLUSES}{SPACES}{INVISIBLE}]|{_ESCAPE}){{0,8}}"
    rf"\d(?:(?:[{INVISIBLE}]|{_ESCAPE})*\d){{3}}"
)
# Escaped digits (\\u0038, full-width, Arabic-Indic): the screen cannot see them.
_ESCAPED_DIGIT = re.compile(r"\\u(?:003\d|ff1\d|066\d|06f\d)", re.IGNORECASE)
# The digits counted by the cheap test: ASCII, and the full-width and Arabic-Indic digits
# a pasted text may bring (the pattern's \d takes every digit).
_ANY_DIGIT = re.compile("[0-9\uff10-\uff19\u0660-\u0669\u06f0-\u06f9]")
_LENGTH = 10  # the fewest digits a personnummer has


def mask_personnummer(text: str) -> str:
    """`text` with every personnummer and samordningsnummer replaced by "[personnummer]"."""
    if not _may_hold(text):
        return text
    return _PATTERN.sub(_masked, text)


def mask_json(raw: str) -> str:
    """A raw payload masked as the text it decodes to, not as its escaped form.

    JSON is decoded, every string in it (keys too) masked, and encoded again (ASCII)
    only if anything changed; anything else is masked as plain text.
    """
    if not _may_hold(raw):  # escapes only add digits: "\\u0038" holds more than "8"
        return raw
    if _ESCAPED.search(raw) is None and _ESCAPED_DIGIT.search(raw) is None:
        return raw
    try:
        value = json.loads(raw)
    except ValueError:
        return mask_personnummer(raw)
    new = _walk(value)
    return raw if new == value else json.dumps(new, ensure_ascii=True)


def digits_of(text: str) -> str:
    """The decimal digits of `text` as ASCII, everything else dropped."""
    return "".join(str(unicodedata.digit(c)) for c in text if c.isdecimal())


def luhn(digits: str) -> bool:
    """The check digit of a ten-digit personnummer (YYMMDDNNNC) is right."""
    total = 0
    for index, char in enumerate(digits):
        product = int(char) * (2 - index % 2)
        total += product - 9 if product > 9 else product
    return total % 10 == 0


def _may_hold(text: str) -> bool:
    """Cheap test first: fewer than ten digits cannot hold a personnummer."""
    return len(text) >= _LENGTH and len(_ANY_DIGIT.findall(text)) >= _LENGTH


def _masked(match: re.Match[str]) -> str:
    date = digits_of(match.group(0)[: match.start("join") - match.start()])
    if len(date) == 8:
        if date[:2] not in ("18", "19", "20"):
            return match.group(0)
        date = date[2:]
    month, day = int(date[2:4]), int(date[4:6])
    if not (1 <= month <= 12 and (1 <= day <= 31 or 61 <= day <= 91)):
        return match.group(0)
    if not match.group("join") and not luhn(date + digits_of(match.group("serial"))):
        return match.group(0)
    return MASK


def _walk(value: Any) -> Any:
    if isinstance(value, str):
        return mask_personnummer(value)
    if isinstance(value, list):
        return [_walk(item) for item in value]
    if isinstance(value, dict):
        return {mask_personnummer(key): _walk(item) for key, item in value.items()}
    return value
