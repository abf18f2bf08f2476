"""Messages to the stakeholders of one incident: drafted, written as .eml, or sent.

`briefing notify ID` judges the stored incident again (as every briefing does) to
find the stakeholders suggested for it, and drafts one message for each that has an
e-mail address (briefing.render.notify: no personal data). Sending goes through the
`[email]` SMTP settings, to the stakeholder alone, once per stakeholder and incident
unless forced; each message a server accepted is recorded in the follow-up log.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from briefing.config import Config, EmailSection
from briefing.errors import UsageError
from briefing.i18n import short_datetime, t
from briefing.models import Item, clean_text
from briefing.render.notify import Draft, draft
from briefing.store import Store
from briefing.store.followups import stored_id

_FILE_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class Outcome:
    draft: Draft
    note: str  # what was done, worded for the chief


def item(config: Config, store: Store, incident_id: str, lang: str) -> Item:
    """The incident as a briefing would show it, with its stakeholders."""
    from briefing import pipeline

    versions = store.history(stored_id(incident_id))
    if not versions:
        raise UsageError(t(lang, "ack.unknown", id=incident_id), t(lang, "ack.hint"))
    published = versions[-1].incident.published_at
    span = pipeline.Window(published, published + timedelta(microseconds=1), live=False)
    made = pipeline.assemble(config, store, span, [], now=published, language=lang)
    found = [i for i in made.items if incident_id in {r.id for r in i.reports}]
    if not found:  # outside the municipality and its neighbours: nobody to inform
        raise UsageError(t(lang, "notify.none", id=incident_id))
    return found[0]


def drafts(config: Config, found: Item, lang: str, names: Sequence[str] = ()) -> list[Draft]:
    """One draft per suggested stakeholder with an address (only those `names` name)."""
    wanted = {name.casefold() for name in names}
    made = [
        message
        for suggestion in found.stakeholders
        if not wanted or suggestion.name.casefold() in wanted
        if (message := draft(found, suggestion, config.municipality.name, lang, config.tz))
    ]
    if not made:
        raise UsageError(t(lang, "notify.none", id=found.incident.id))
    return made


def message(
    note: Draft, sender: str | None, *, now: datetime, lang: str, draft_only: bool = False
) -> EmailMessage:
    """`note` as an e-mail; a draft (.eml) carries X-Unsent so Outlook opens it to edit."""
    built = EmailMessage(policy=policy.default)
    built["Subject"] = clean_text(note.subject, single_line=True)
    if sender:
        built["From"] = sender
    built["To"] = f'"{note.to_name.replace(chr(34), "")}" <{note.to}>'
    built["Date"] = now
    domain = (
        sender.rsplit("@", 1)[-1].strip(">") if sender and "@" in sender else "briefing.invalid"
    )
    built["Message-ID"] = make_msgid("notify", domain=domain)
    built["Content-Language"] = lang
    if draft_only:
        built["X-Unsent"] = "1"
    built.set_content(note.body, cte="quoted-printable")
    return built


def write_eml(
    notes: Sequence[Draft],
    folder: Path,
    incident_id: str,
    *,
    now: datetime,
    lang: str,
    sender: str | None,
) -> list[Path]:
    """Each draft as FOLDER/<incident>-<stakeholder>.eml, to open in Outlook."""
    from briefing.deliver.files import write_atomic

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for note in notes:
        name = _FILE_UNSAFE.sub("_", f"{incident_id}-{note.to_name}").strip("_")[:120]
        path = folder / f"{name}.eml"
        built = message(note, sender, now=now, lang=lang, draft_only=True)
        write_atomic(path, built.as_bytes().decode("utf-8", "replace"))
        paths.append(path)
    return paths


def send(
    notes: Sequence[Draft],
    incident_id: str,
    settings: EmailSection,
    store: Store,
    *,
    now: datetime,
    by: str,
    lang: str,
    force: bool = False,
) -> list[Outcome]:
    """Send each draft to its stakeholder alone, once per stakeholder and incident unless
    `force`; each accepted message is recorded in the follow-up log."""
    from briefing.deliver.mail import smtp_password, transmit

    outcomes = []
    password = smtp_password(settings)
    for note in notes:
        before = store.sent_before(incident_id, note.to_name)
        if before is not None and not force:
            when = short_datetime(lang, before.astimezone(now.tzinfo))
            outcomes.append(Outcome(note, t(lang, "notify.skipped", name=note.to_name, time=when)))
            continue
        one = settings.model_copy(update={"to": (note.to,), "cc": ()})
        transmit(message(note, settings.sender, now=now, lang=lang), one, password)
        store.record_followup(
            incident_id, at=now, by=by, informed=(note.to_name,), sent_to=note.to_name
        )
        sent = t(lang, "notify.sent", name=note.to_name, address=note.to)
        outcomes.append(Outcome(note, sent))
    return outcomes


def shown(note: Draft, lang: str) -> str:
    """The draft as the terminal shows it."""
    head = [f"To: {note.to_name} <{note.to}>", f"Subject: {note.subject}", ""]
    return "\n".join(head) + "\n" + note.body
