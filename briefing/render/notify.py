"""The message to a stakeholder about an incident: subject and body, worded once for
`briefing notify` (shown, written as .eml, sent) and for the `mailto:` links of the
page and the e-mail.

No personal data: only the incident's kind, place, time, the source's summary and
what the municipality asks; every text masked again for personnummer and made one
line, so a header made from feed text never carries a newline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import tzinfo
from urllib.parse import quote

from briefing.i18n import label, language, short_datetime, t
from briefing.models import Item, Suggestion, clean_text, mask_personnummer
from briefing.render.health import local_time

# A plain address, as the registry's contact column holds it; anything else gets no link.
_ADDRESS = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$")


@dataclass(frozen=True, slots=True)
class Draft:
    to_name: str
    to: str  # the address
    subject: str
    body: str


def address(suggestion: Suggestion) -> str | None:
    """The stakeholder's e-mail address, if its contact is one."""
    contact = clean_text(suggestion.contact, single_line=True).removeprefix("mailto:")
    return contact if _ADDRESS.fullmatch(contact) else None


def _safe(text: str | None) -> str:
    return mask_personnummer(clean_text(text or "", single_line=True))


def draft(
    item: Item, suggestion: Suggestion, municipality: str, lang: str, zone: tzinfo | None
) -> Draft | None:
    """The message to `suggestion` about `item`; None when it has no e-mail address."""
    to = address(suggestion)
    if to is None:
        return None
    lang = language(lang)
    incident = item.incident
    kind = _safe(incident.type) or label(lang, "category", item.judgement.category)
    place = _safe(", ".join(p for p in (item.place.place, item.place.district) if p))
    place = place or _safe(item.place.municipality or municipality)
    when = short_datetime(lang, local_time(incident.when, zone))
    home = _safe(municipality)
    subject = t(lang, "notify.subject", municipality=home, kind=kind, place=place, time=when)
    ask_key = f"notify.ask.{suggestion.kind}"
    ask = t(lang, ask_key if ask_key in _asks(lang) else "notify.ask.other")
    lines = [
        t(lang, "notify.greeting", name=_safe(suggestion.name)),
        "",
        t(lang, "notify.intro", municipality=home),
        "",
        f"{t(lang, 'notify.what')}: {kind}",
        f"{t(lang, 'notify.where')}: {place}",
        f"{t(lang, 'notify.when')}: {when}",
    ]
    if summary := _safe(incident.summary):
        lines.append(f"{t(lang, 'notify.details')}: {summary}")
    lines += [
        f"{t(lang, 'notify.source')}: {label(lang, 'origin', incident.origin.value)}",
        "",
        f"{t(lang, 'notify.ask')}: {ask}",
        "",
        t(lang, "notify.regards", municipality=home),
    ]
    return Draft(_safe(suggestion.name), to, _safe(subject), "\n".join(lines) + "\n")


def mailto(message: Draft) -> str:
    """A `mailto:` URL with the subject and body, every character outside the unreserved
    set percent-encoded (so nothing in it can end the attribute or the URL)."""
    subject = quote(message.subject, safe="")
    body = quote(message.body.replace("\n", "\r\n"), safe="")
    return f"mailto:{quote(message.to, safe='@')}?subject={subject}&body={body}"


def _asks(lang: str) -> set[str]:
    from briefing.i18n import STRINGS

    return {key for key in STRINGS[lang] if key.startswith("notify.ask.")}
