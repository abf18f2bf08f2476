"""The JSON incidents written straight from the items (briefing.render.json).

`texts` gives each incident as `_pretty(_incident(item, zone, briefing), 2)` in
briefing.render.json writes it, byte for byte, without the dict or the walk: the
pieces only fields with few values make (sources to category, municipality to
precision, severity and reasons) are made once per briefing (`Pieces`), the times
come from the day they are written on (`Clock.days`), and the texts every incident
has its own of (id, title, summary, link) are checked a block of incidents at a
time: when clean_text would keep them all and none has a quote or a backslash,
each is written as it is between quotes, else each as `clean_text` and
`encode_basestring` (the C one) make it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from json.encoder import encode_basestring
from operator import attrgetter

from briefing.models import FollowUp, Item, Origin, Precision, Severity, Status, clean_text
from briefing.render.json_memo import HOURS, MINUTES, SECONDS, Memo, Pieces
from briefing.render.view import safe_url

INDENT = "  "
STAKEHOLDER_KINDS = ("school", "preschool", "housing", "business", "district_centre", "other")
# The plain text of every value of the fixed sets (`.value` of an enum is slow to read).
VALUES: dict[object, str] = {
    member: member.value for kind in (Origin, Precision, Severity, Status) for member in kind
}
_KEY = f"\n{INDENT * 3}"  # an incident's key starts its line
_ELEMENT = f"\n{INDENT * 4}"  # an element of one of its lists
_MEMBER = f"\n{INDENT * 5}"  # a key of a stakeholder
_CLOSE = f"\n{INDENT * 3}]"
_END = f"\n{INDENT * 2}}}"
_QUOTED: dict[object, str] = {member: encode_basestring(text) for member, text in VALUES.items()}
_SERIOUS = {severity: "true" if severity.serious else "false" for severity in Severity}
_KINDS = {kind: encode_basestring(kind) for kind in STAKEHOLDER_KINDS}
_OTHER = encode_basestring("other")
# A link that safe_url would keep as it is: http(s), a host, printable ASCII without
# space, quotes, angle brackets, backslash or backtick (so clean_text leaves it, and
# encode_basestring only puts it in quotes).
_PLAIN_LINK = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:[/?#][!#-&(-;=?-\[\]_a-z~]*)?")
# Plain links joined by spaces, when none has a space of its own.
_PLAIN_LINKS = re.compile(f"(?:{_PLAIN_LINK.pattern} )*{_PLAIN_LINK.pattern}")
_PRINTABLE_LATIN_1 = bytes(code for code in range(256) if chr(code).isprintable())
_BLOCK = 128  # incidents whose texts are checked at once
_TITLE, _SUMMARY, _URL = map(attrgetter, ("title", "summary", "url"))
# How an incident ends when it has no stakeholders, no fused reports, nothing to check
# and no follow-up.
_NO_FOLLOWUP = f',{_KEY}"stakeholders": [],{_KEY}"followup": null{_END}'
# municipality, district, place, precision: one key of the places' pieces.
_Where = tuple[str | None, str | None, str | None, Precision]
_Kinds = tuple[str, Origin, str, str]  # source, origin, type, category
_How = tuple[Severity, tuple[str, ...]]  # severity, reasons


def texts(
    items: Iterable[Item], memo: Memo, followed: Callable[[FollowUp], str], separator: str = ""
) -> Iterator[str]:
    """Each incident's text after `separator` ("[\\n    " before the first one, then
    ",\\n    "); `followed` writes a follow-up at the incident's level.

    The items go in blocks of `_BLOCK`: the texts of a block are checked at once
    (`_kept`), and when clean_text would keep every one as it is, each goes in as
    it is, escaped (when one has a quote or a backslash) and between quotes."""
    known, time, days, followups = memo.texts, memo.time, memo.time.days, memo.followups
    # The pieces made of fields with few values, by those values.
    kinds_of: Pieces[_Kinds] = Pieces(lambda key: _kinds(key, known))
    places: Pieces[_Where] = Pieces(lambda where: _placed(where, known))
    judgements: Pieces[_How] = Pieces(lambda how: _judged(how, known))
    items = tuple(items)
    for start in range(0, len(items), _BLOCK):
        block = items[start : start + _BLOCK]
        incidents = [item.incident for item in block]
        ids = [f"{incident.source}:{incident.key}" for incident in incidents]  # Incident.id
        titles = list(map(_TITLE, incidents))
        summaries = list(map(_SUMMARY, incidents))
        urls = list(map(_URL, incidents))
        id_texts, titles, summaries = _inner(ids, titles, summaries)
        links = [f'"{url}"' for url in urls] if _plain_links(urls) else list(map(_link, urls))
        for item, incident, id_text, title, summary, link in zip(
            block, incidents, id_texts, titles, summaries, links, strict=True
        ):
            place, judgement = item.place, item.judgement
            if also := item.also:
                kinds = _fused(item, known)
            else:
                kinds = kinds_of[
                    incident.source, incident.origin, incident.type, judgement.category
                ]
            placed = places[
                place.municipality or incident.municipality,
                place.district,
                place.place,
                place.precision,
            ]
            judged = judgements[judgement.severity, judgement.reasons]
            # A time written in a fixed offset on a day the zone has it too: from `days`
            # straight, in five pieces; any other (or one not seen yet) from `time`.
            moment = incident.occurred_at
            if (
                moment is None
                or not (day := days.get((moment.toordinal(), moment.tzinfo)))
                or day[2]
            ):
                o_date, o_hour, o_minute, o_second, o_zone = time(moment), "", "", "", ""
            else:
                o_date, o_zone = day[0], day[1]
                o_hour, o_minute = HOURS[moment.hour], MINUTES[moment.minute]
                o_second = SECONDS[moment.second]
            moment = incident.published_at
            if (
                moment is None
                or not (day := days.get((moment.toordinal(), moment.tzinfo)))
                or day[2]
            ):
                p_date, p_hour, p_minute, p_second, p_zone = time(moment), "", "", "", ""
            else:
                p_date, p_zone = day[0], day[1]
                p_hour, p_minute = HOURS[moment.hour], MINUTES[moment.minute]
                p_second = SECONDS[moment.second]
            end = _NO_FOLLOWUP
            if also or judgement.check or item.stakeholders or followups:
                end = _end(item, known, followups, followed)
            yield (
                f'{separator}{{{_KEY}"id": "{id_text}"{kinds}'
                f'{_KEY}"title": "{title}",{_KEY}"summary": "{summary}",'
                f'{_KEY}"url": {link},'
                f'{_KEY}"occurred_at": {o_date}{o_hour}{o_minute}{o_second}{o_zone},'
                f'{_KEY}"published_at": {p_date}{p_hour}{p_minute}{p_second}{p_zone}'
                f'{placed}{judged}{_KEY}"status": {_QUOTED[item.status]}{end}'
            )
            separator = f",\n{INDENT * 2}"


def _end(
    item: Item,
    known: dict[str | None, str],
    followups: dict[str, FollowUp],
    followed: Callable[[FollowUp], str],
) -> str:
    """An incident from its stakeholders on, when it has more than `_NO_FOLLOWUP` says."""
    end = f',{_KEY}"stakeholders": {_stakeholders(item, known) if item.stakeholders else "[]"}'
    if item.also:
        end += f',{_KEY}"fused_because": {quoted_text(item.fused_because)}'
    if check := item.judgement.check:
        end += f',{_KEY}"check": {known[check]}'
    if (noted := followups.get(item.incident.id)) is not None:
        return end + f',{_KEY}"followup": {followed(noted)}{_END}'
    return end + f',{_KEY}"followup": null{_END}'


def _inner(*columns: list[str]) -> tuple[list[str], ...]:
    """Each text of each column as a JSON string without its quotes
    (`quoted_text(text)[1:-1]`), all of them checked at once, joined by spaces."""
    joined = " ".join(chain.from_iterable(columns))
    if not _kept(joined):
        return tuple([quoted_text(text)[1:-1] for text in column] for column in columns)
    if '"' in joined or "\\" in joined:
        return tuple([encode_basestring(text)[1:-1] for text in column] for column in columns)
    return columns


def _kept(joined: str) -> bool:
    """Whether clean_text keeps as it is each of the texts joined by spaces in `joined`:
    printable, no double space, nothing to trim (the one printable character strip()
    takes is the space). A text that starts or ends with a space makes a double space
    with the one that joins it, and so does an empty text (refused too, and then
    cleaned: this only says when cleaning can be skipped)."""
    return _printable(joined) and "  " not in joined and joined[:1] != " " != joined[-1:]


def _printable(text: str) -> bool:
    """`text.isprintable()`, sooner for a text of Latin-1 characters (most are)."""
    try:
        data = text.encode("latin-1")
    except UnicodeEncodeError:
        return text.isprintable()
    return not data.translate(None, _PRINTABLE_LATIN_1)


def _plain_links(urls: list[str | None]) -> bool:
    """Whether `_PLAIN_LINK.fullmatch(url)` holds for every one of `urls`, found at once
    on them joined by spaces (which no plain link has)."""
    if None in urls:
        return False
    joined = " ".join(urls)  # type: ignore[arg-type]
    return joined.count(" ") == len(urls) - 1 and _PLAIN_LINKS.fullmatch(joined) is not None


def quoted_text(text: str) -> str:
    """`encode_basestring(clean_text(text))`, without cleaning a text clean_text keeps."""
    return encode_basestring(text if _kept(text) else clean_text(text))


def _kinds(key: _Kinds, known: dict[str | None, str]) -> str:
    """',\\n      "sources": [...],\\n ... "category": "fire",' of one report."""
    source, origin, kind, category = key
    return (
        f',{_KEY}"sources": [{_ELEMENT}{known[source]}{_CLOSE},'
        f'{_KEY}"origins": [{_ELEMENT}{_QUOTED[origin]}{_CLOSE},'
        f'{_KEY}"type": {known[kind]},{_KEY}"category": {known[category]},'
    )


def _fused(item: Item, known: dict[str | None, str]) -> str:
    """`_kinds` of fused reports: every source and origin once, in the order reported."""
    incident, reports = item.incident, item.reports
    sources = _strings([clean_text(n) for n in dict.fromkeys(r.source for r in reports)])
    origins = _strings(list(dict.fromkeys(VALUES[report.origin] for report in reports)))
    return (
        f',{_KEY}"sources": {sources},{_KEY}"origins": {origins},'
        f'{_KEY}"type": {known[incident.type]},{_KEY}"category": {known[item.judgement.category]},'
    )


def _placed(where: _Where, known: dict[str | None, str]) -> str:
    """',\\n      "municipality": ... "precision": "district",' of one place."""
    municipality, district, place, precision = where
    return (
        f',{_KEY}"municipality": {known[municipality]},{_KEY}"district": {known[district]},'
        f'{_KEY}"place": {known[place]},{_KEY}"precision": {_QUOTED[precision]},'
    )


def _judged(how: _How, known: dict[str | None, str]) -> str:
    """'\\n      "severity": ... "reasons": [...],' of one severity and its reasons."""
    severity, reasons = how
    listed = (
        "[" + ",".join(_ELEMENT + known[reason] for reason in reasons) + _CLOSE if reasons else "[]"
    )
    return (
        f'{_KEY}"severity": {_QUOTED[severity]},{_KEY}"serious": {_SERIOUS[severity]},'
        f'{_KEY}"reasons": {listed},'
    )


def _stakeholders(item: Item, known: dict[str | None, str]) -> str:
    return (
        "["
        + ",".join(
            f'{_ELEMENT}{{{_MEMBER}"name": {known[s.name]},'
            f'{_MEMBER}"kind": {_KINDS.get(s.kind, _OTHER)},'
            f'{_MEMBER}"reason": {known[s.reason]}{_ELEMENT}}}'
            for s in item.stakeholders
        )
        + _CLOSE
    )


def _strings(texts: list[str]) -> str:
    """A list of (clean) texts as an incident's list."""
    if not texts:
        return "[]"
    return "[" + ",".join(_ELEMENT + encode_basestring(text) for text in texts) + _CLOSE


def _link(url: str | None) -> str:
    """A URL as the dict path writes it: what safe_url keeps, cleaned and quoted, or null."""
    if url and _PLAIN_LINK.fullmatch(url):
        return f'"{url}"'
    kept = safe_url(url)
    return "null" if kept is None else encode_basestring(clean_text(kept))
