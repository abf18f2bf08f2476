"""What the store's cleaning migration calls to mask a text it kept before the mask knew
every written form of a personnummer, or before logins in URLs were redacted.

Registered on every connection as SQL functions (see `register`), so a migration
stays a SQL script: `UPDATE pages SET text = briefing_scrub_text(text)`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from briefing.pnr import mask_json, mask_personnummer
from briefing.redact import redact
from briefing.store.encoding import document_incident


def scrub_text(value: object) -> object:
    """A text masked and redacted; other values (NULL, numbers) as they are."""
    return redact(mask_personnummer(value)) if isinstance(value, str) else value


def scrub_json(value: object) -> object:
    """A JSON document (or raw payload) masked as the text it decodes to."""
    return mask_json(value) if isinstance(value, str) else value


def scrub_mail(value: object) -> object:
    """An e-mail kept in the outbox, its text parts and subject masked.

    The payload is MIME (quoted-printable, base64): masking its bytes would miss
    what a mail client shows. Unchanged messages keep their bytes."""
    if not isinstance(value, bytes):
        return value
    message = message_from_bytes(value, _class=EmailMessage, policy=policy.default)
    changed = False
    for header in ("Subject",):
        if (text := message.get(header)) is not None and (
            new := str(scrub_text(str(text)))
        ) != text:
            message.replace_header(header, new)
            changed = True
    for part in message.walk():
        if part.get_content_maintype() != "text" or part.is_multipart():
            continue
        text = part.get_content()
        if (new := str(scrub_text(text))) != text:
            part.set_content(new, subtype=part.get_content_subtype())
            changed = True
    return message.as_bytes() if changed else value


def fingerprint(document: object, kept: str | None) -> str | None:
    """The fingerprint of a (masked) document's facts, so the next fetch of the same
    report, masked at the border, is not a new version; `kept` if it is not a document
    this version reads."""
    if not isinstance(document, str):
        return kept
    try:
        return document_incident(document).fingerprint()
    except (ValueError, KeyError, TypeError):
        return kept


def register(conn: sqlite3.Connection) -> None:
    functions: tuple[tuple[str, Callable[[Any], Any]], ...] = (
        ("briefing_scrub_text", scrub_text),
        ("briefing_scrub_json", scrub_json),
        ("briefing_scrub_mail", scrub_mail),
    )
    for name, function in functions:
        conn.create_function(name, 1, function, deterministic=True)
    conn.create_function("briefing_fingerprint", 2, fingerprint, deterministic=True)
