"""The JSON incidents written straight from the items (briefing.render.json).

`texts` gives each incident as `_pretty(_incident(item, zone, briefing), 2)` in
briefing.render.json writes it, byte for byte, without the dict or the walk: the
pieces only fields with few values make (sources to category, municipality to
status) are made once per briefing (`Memo.pieces`), the times come from the hour
they fall in (`Clock`), and the texts every incident has its own of (id, title,
summary) are cleaned and quoted one by one, as `clean_text` and
`encode_basestring` (the C one) would.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from json.encoder import encode_basestring

from briefing.models import FollowUp, Item, Origin, Precision, Severity, Status, clean_text
from briefing.render.json_memo import Memo
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
# municipality, district, place, precision, severity, reasons, status: one `Memo.pieces` key.
_Where = tuple[str | None, str | None, str | None, Precision, Severity, tuple[str, ...], Status]


def texts(
    items: Iterable[Item], memo: Memo, followed: Callable[[FollowUp], str], separator: str = ""
) -> Iterator[str]:
    """Each incident's text after `separator` ("[\\n    " before the first one, then
    ",\\n    "); `followed` writes a follow-up at the incident's level."""
    known, pieces, time = memo.texts, memo.pieces, memo.time
    followups = memo.followups
    quoted, clean, plain = encode_basestring, clean_text, _PLAIN_LINK.fullmatch
    text_of = quoted_text
    for item in items:
        incident, place, judgement = item.incident, item.place, item.judgement
        also = item.also
        if also:
            kinds = _fused(item, known)
        else:
            key = (incident.source, incident.origin, incident.type, judgement.category)
            kinds = pieces.get(key) or pieces.setdefault(key, _kinds(key, known))
        where: _Where = (
            place.municipality or incident.municipality,
            place.district,
            place.place,
            place.precision,
            judgement.severity,
            judgement.reasons,
            item.status,
        )
        judged = pieces.get(where) or pieces.setdefault(where, _judged(where, known))
        url = incident.url
        link = f'"{url}"' if url and plain(url) else _link(url)
        identity = incident.id
        text = (
            f'{separator}{{{_KEY}"id": {text_of(identity)}{kinds}'
            f'{_KEY}"title": {text_of(incident.title)},'
            f'{_KEY}"summary": {text_of(incident.summary)},'
            f'{_KEY}"url": {link},'
            f'{_KEY}"occurred_at": {time(incident.occurred_at)},'
            f'{_KEY}"published_at": {time(incident.published_at)}{judged}'
            f"{_stakeholders(item, known) if item.stakeholders else '[]'}"
        )
        if also:
            text += f',{_KEY}"fused_because": {quoted(clean(item.fused_because))}'
        if judgement.check:
            text += f',{_KEY}"check": {known[judgement.check]}'
        if followups and (noted := followups.get(identity)) is not None:
            yield text + f',{_KEY}"followup": {followed(noted)}{_END}'
        else:
            yield text + f',{_KEY}"followup": null{_END}'
        separator = f",\n{INDENT * 2}"


def quoted_text(text: str) -> str:
    """`encode_basestring(clean_text(text))`, at once for a text that is clean already:
    printable, no double space, nothing to trim (clean_text keeps such a text as it is),
    no quote or backslash (printable, it has no control character either: nothing to
    escape)."""
    if (
        text.isprintable()
        and "  " not in text
        and text == text.strip()
        and '"' not in text
        and "\\" not in text
    ):
        return f'"{text}"'
    return encode_basestring(clean_text(text))


def _kinds(key: tuple[str, Origin, str, str], known: dict[str | None, str]) -> str:
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


def _judged(where: _Where, known: dict[str | None, str]) -> str:
    """',\\n      "municipality": ... "stakeholders": ' of one place and judgement."""
    municipality, district, place, precision, severity, reasons, status = where
    listed = (
        "[" + ",".join(_ELEMENT + known[reason] for reason in reasons) + _CLOSE if reasons else "[]"
    )
    return (
        f',{_KEY}"municipality": {known[municipality]},'
        f'{_KEY}"district": {known[district]},'
        f'{_KEY}"place": {known[place]},'
        f'{_KEY}"precision": {_QUOTED[precision]},{_KEY}"severity": {_QUOTED[severity]},'
        f'{_KEY}"serious": {_SERIOUS[severity]},'
        f'{_KEY}"reasons": {listed},'
        f'{_KEY}"status": {_QUOTED[status]},{_KEY}"stakeholders": '
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
    """A URL that is not plainly a link: what safe_url keeps, cleaned and quoted, or null."""
    kept = safe_url(url)
    return "null" if kept is None else encode_basestring(clean_text(kept))
