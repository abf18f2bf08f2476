"""Every string the reader sees, in Swedish (default) and English: the words are in
briefing/i18n/sv.py and en.py, the dates and the lookups here.

Dates are formatted by hand, never through the C locale: cron and containers
rarely have sv_SE installed, and the briefing must read the same everywhere.
"""

from __future__ import annotations

from datetime import datetime

from briefing.i18n import en, sv
from briefing.models import clean_text

LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"
_SV = sv.STRINGS
STRINGS: dict[str, dict[str, str]] = {"sv": _SV, "en": en.STRINGS}

_WEEKDAYS_SHORT = {
    "sv": ("mån", "tis", "ons", "tors", "fre", "lör", "sön"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
_WEEKDAYS_LONG = {
    "sv": ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS_SHORT = {
    "sv": ("jan", "feb", "mars", "apr", "maj", "juni", "juli", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
_MONTHS_LONG = {
    "sv": (
        "januari", "februari", "mars", "april", "maj", "juni",
        "juli", "augusti", "september", "oktober", "november", "december",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip


def language(lang: str | None) -> str:
    """The language to use: the one asked for if we have it, else Swedish."""
    return lang if lang in STRINGS else DEFAULT_LANGUAGE


def t(lang: str, key: str, **values: object) -> str:
    """The string `key` in `lang`, with `values` filled in.

    A key missing in English falls back to Swedish; a key missing everywhere
    is a programming error and raises KeyError, so tests catch typos.
    """
    table = STRINGS[language(lang)]
    template = table[key] if key in table else _SV[key]
    return template.format(**values) if values else template


def t_count(lang: str, key: str, count: int, **values: object) -> str:
    """`key.one` or `key.other` depending on `count`."""
    form = "one" if count == 1 else "other"
    return t(lang, f"{key}.{form}", count=count, **values)


def label(lang: str, group: str, value: str) -> str:
    """A vocabulary word (severity, category, …); the raw value, cleaned, if unknown.

    Categories and stakeholder kinds come from data files other people edit, so
    an unknown value is shown as it is rather than hidden.
    """
    key = f"{group}.{value}"
    table = STRINGS[language(lang)]
    return table.get(key) or _SV.get(key) or clean_text(value, single_line=True)


def short_date(lang: str, moment: datetime) -> str:
    """'tors 27 nov' / 'Thu 27 Nov'."""
    lang = language(lang)
    weekday = _WEEKDAYS_SHORT[lang][moment.weekday()]
    return f"{weekday} {moment.day} {_MONTHS_SHORT[lang][moment.month - 1]}"


def short_datetime(lang: str, moment: datetime) -> str:
    """'tors 27 nov 08:31' / 'Thu 27 Nov 08:31'."""
    lang = language(lang)
    weekday = _WEEKDAYS_SHORT[lang][moment.weekday()]
    month = _MONTHS_SHORT[lang][moment.month - 1]
    return f"{weekday} {moment.day} {month} {moment:%H:%M}"


def short_weekday_time(lang: str, moment: datetime) -> str:
    """'tis 18:02' / 'Tue 18:02': for a moment within the last few days."""
    return f"{_WEEKDAYS_SHORT[language(lang)][moment.weekday()]} {moment:%H:%M}"


def long_date(lang: str, moment: datetime) -> str:
    """'torsdag 27 november 2026' / 'Thursday 27 November 2026'."""
    lang = language(lang)
    weekday = _WEEKDAYS_LONG[lang][moment.weekday()]
    month = _MONTHS_LONG[lang][moment.month - 1]
    return f"{weekday} {moment.day} {month} {moment.year}"


def month_year(lang: str, moment: datetime) -> str:
    """'november 2026' / 'November 2026': the archive's month headings."""
    return f"{_MONTHS_LONG[language(lang)][moment.month - 1]} {moment.year}"
