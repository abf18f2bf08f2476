"""The briefing by e-mail: one multipart/alternative message, sent over verified
TLS, kept in the store's outbox until a server has accepted it.

The outbox keeps the rendered message (its bytes), not the briefing. A retry
then sends exactly what failed, with the same content, Date and Message-ID (so a
client can drop a duplicate if the first attempt did get through), even after
the rules, the templates or the program changed; and no briefing has to be
rebuilt from JSON. Only the addressing comes from the current `[email]` section
on each attempt, so a mistyped recipient can be fixed and the message retried.

The password comes only from $BRIEFING_SMTP_PASSWORD or the file named by
$BRIEFING_SMTP_PASSWORD_FILE (a systemd credential). It is never put in a
message: errors are worded here, with it scrubbed, and raised without the
underlying exception attached, so not even `--debug` can print it.
"""

from __future__ import annotations

import base64
import os
import smtplib
import ssl
from collections.abc import Mapping
from datetime import datetime
from email import message_from_bytes, policy
from email.headerregistry import Address, AddressHeader, HeaderRegistry
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from briefing.config import EmailSection
from briefing.errors import DeliveryError
from briefing.i18n import language, short_datetime, t
from briefing.models import Briefing, clean_text
from briefing.render import render
from briefing.render.email import morning, render_email_html, subject
from briefing.store import Outgoing, Store

CHANNEL = "email"
PASSWORD_ENV = "BRIEFING_SMTP_PASSWORD"  # noqa: S105 - the variable's name, not a password
PASSWORD_FILE_ENV = "BRIEFING_SMTP_PASSWORD_FILE"  # noqa: S105
# Plain-text AUTH is allowed only where the password never crosses a network.
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
_OUTBOX_NOTE = "The briefing waits in the outbox: `briefing send` retries it."


def email_briefing(
    briefing: Briefing,
    settings: EmailSection,
    store: Store,
    *,
    now: datetime,
    force: bool = False,
    template_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """Send the briefing once per morning (again only with `force`); what was done, worded.

    The message goes into the outbox before the first attempt, so a crash or a
    failed send leaves it there; the sent ledger is written only after the
    server accepted it. Raises DeliveryError when it was not sent.
    """
    lang, day = language(briefing.language), morning(briefing)
    sent_at = store.sent_at(CHANNEL, day)
    if sent_at is not None and not force:
        return t(lang, "mail.already_sent", day=day.isoformat(), time=_local(lang, sent_at, now))
    message = build_message(briefing, settings, now=now, template_dir=template_dir)
    outgoing = store.enqueue(CHANNEL, day, message.as_bytes(), now)
    _attempt(store, outgoing, message, settings, now, environ)
    return _sent_note(lang, message, settings)


def send_outbox(
    settings: EmailSection,
    store: Store,
    *,
    now: datetime,
    lang: str,
    force: bool = False,
    environ: Mapping[str, str] | None = None,
) -> list[str]:
    """`briefing send`: every message in the outbox, oldest first, stopping at the first
    failure. With an empty outbox, the latest message again, but only with `force`."""
    waiting = store.undelivered(CHANNEL)
    if waiting:
        return [_resend(store, item, settings, now, lang, environ) for item in waiting]
    latest = store.latest_outgoing(CHANNEL)
    if latest is None:
        return [t(lang, "mail.nothing_made")]
    if not force:
        assert latest.sent_at is not None  # nothing is undelivered
        when = _local(lang, latest.sent_at, now)
        return [
            t(lang, "mail.outbox_empty"),
            t(lang, "mail.latest_sent", day=latest.day, time=when),
        ]
    return [_resend(store, latest, settings, now, lang, environ, fresh_id=True)]


def _resend(
    store: Store,
    item: Outgoing,
    settings: EmailSection,
    now: datetime,
    lang: str,
    environ: Mapping[str, str] | None,
    fresh_id: bool = False,
) -> str:
    message = message_from_bytes(item.payload, _class=EmailMessage, policy=policy.default)
    address(message, settings)
    if fresh_id:  # a deliberate second copy, not a retry: clients must not merge the two
        del message["Message-ID"]
        message["Message-ID"] = make_msgid("briefing", domain=_id_domain(settings.sender))
    _attempt(store, item.id, message, settings, now, environ)
    return _sent_note(lang, message, settings)


def _attempt(
    store: Store,
    outgoing: int,
    message: EmailMessage,
    settings: EmailSection,
    now: datetime,
    environ: Mapping[str, str] | None,
) -> None:
    try:
        refused = transmit(message, settings, smtp_password(settings, environ))
    except DeliveryError as exc:
        store.delivery_failed(outgoing, exc.message)
        raise DeliveryError(f"{exc.message}. {_OUTBOX_NOTE}", exc.hint) from None
    store.delivered(outgoing, now)
    if refused:  # the others have it: a retry would send them a second copy
        listed = ", ".join(f"{rcpt} ({reply})" for rcpt, reply in refused.items())
        raise DeliveryError(
            f"e-mail sent, but {settings.host} refused {listed}",
            "fix the address in [email] and run `briefing send --force` (everyone gets it again)",
        )


def _sent_note(lang: str, message: EmailMessage, settings: EmailSection) -> str:
    recipients = ", ".join(parse_address(v).addr_spec for v in (*settings.to, *settings.cc))
    return t(lang, "mail.sent", recipients=recipients, subject=str(message["Subject"]))


def _local(lang: str, moment: datetime, now: datetime) -> str:
    return short_datetime(lang, moment.astimezone(now.tzinfo))


def build_message(
    briefing: Briefing, settings: EmailSection, *, now: datetime, template_dir: Path | None = None
) -> EmailMessage:
    """The briefing as one message: a plain-text part and an HTML part of the same content."""
    message = EmailMessage(policy=policy.default)
    message["Subject"] = subject(briefing)
    message["Date"] = now
    message["Message-ID"] = make_msgid("briefing", domain=_id_domain(settings.sender))
    # RFC 3834: keeps vacation responders and Outlook's out-of-office replies away.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    # Quoted-printable keeps both parts readable in the raw message and in spam filters.
    message.set_content(render(briefing, "text"), cte="quoted-printable")
    html = render_email_html(briefing, template_dir)
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    message["Content-Language"] = language(briefing.language)  # after: parts take content-*
    return address(message, settings)


def address(message: EmailMessage, settings: EmailSection) -> EmailMessage:
    """Set From, To and Cc from `settings`, replacing whatever the message had."""
    for name in ("From", "To", "Cc", "Bcc"):
        del message[name]
    message["From"] = parse_address(settings.sender)
    message["To"] = [parse_address(value) for value in settings.to]
    if settings.cc:
        message["Cc"] = [parse_address(value) for value in settings.cc]
    return message


def parse_address(value: str) -> Address:
    """One configured address (validated when the config was loaded)."""
    header = HeaderRegistry()("To", value)
    assert isinstance(header, AddressHeader)
    return header.addresses[0]


def _id_domain(sender: str) -> str:
    # An explicit domain: make_msgid would otherwise ask DNS for this host's name.
    try:
        return parse_address(sender).domain.encode("idna").decode("ascii")
    except (UnicodeError, IndexError):
        return "briefing.invalid"


def smtp_password(settings: EmailSection, environ: Mapping[str, str] | None = None) -> str | None:
    """The SMTP password from the environment, or None when no login is configured."""
    env = os.environ if environ is None else environ
    if not settings.username:
        return None
    if env.get(PASSWORD_ENV):
        return env[PASSWORD_ENV]
    if file := env.get(PASSWORD_FILE_ENV):
        try:
            return Path(file).read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            raise DeliveryError(f"cannot read the SMTP password file {file}: {exc}") from None
    raise DeliveryError(
        f"[email] username is {settings.username!r} but no password is given",
        f"set {PASSWORD_ENV}, or {PASSWORD_FILE_ENV} to a file that holds it",
    )


def transmit(message: EmailMessage, settings: EmailSection, password: str | None) -> dict[str, str]:
    """Hand `message` to the SMTP server of `settings`; the recipients it refused, if any.

    Raises DeliveryError, worded here and without the password, when nothing
    was accepted.
    """
    if password is not None and settings.security == "none" and settings.host not in LOOPBACK:
        raise DeliveryError(
            f"refusing to send the SMTP password to {settings.host} without TLS",
            'set security = "starttls" or "ssl" in [email]',
        )
    sender = parse_address(settings.sender).addr_spec
    recipients = [parse_address(value).addr_spec for value in (*settings.to, *settings.cc)]
    try:
        with _connect(settings) as smtp:
            if settings.username and password is not None:
                _login(smtp, settings.username, password)
            refused = smtp.send_message(message, sender, recipients)
    except (smtplib.SMTPException, OSError) as exc:
        raise _delivery_error(exc, settings, password) from None
    return {rcpt: _reply(*reply) for rcpt, reply in refused.items()}


def _connect(settings: EmailSection) -> smtplib.SMTP:
    """A connection, encrypted as configured; certificates and host names are verified."""
    context = ssl.create_default_context()
    host, port, timeout = settings.host, settings.port, settings.timeout
    if settings.security == "ssl":
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    smtp = smtplib.SMTP(host, port, timeout=timeout)
    if settings.security == "starttls":
        try:
            smtp.starttls(context=context)
        except BaseException:
            smtp.close()
            raise
    return smtp


def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
    """Log in; a non-ASCII password (å, ä, ö) by AUTH PLAIN in UTF-8 (RFC 4616), which
    smtplib's own login cannot do: it encodes credentials as ASCII."""
    if (username + password).isascii():
        smtp.login(username, password)
        return
    smtp.ehlo_or_helo_if_needed()
    if "PLAIN" not in smtp.esmtp_features.get("auth", "").upper().split():
        raise smtplib.SMTPNotSupportedError("the server offers no AUTH PLAIN for a non-ASCII login")
    token = base64.b64encode(f"\0{username}\0{password}".encode()).decode("ascii")
    code, reply = smtp.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def _delivery_error(
    exc: BaseException, settings: EmailSection, password: str | None
) -> DeliveryError:
    where = f"{settings.host}:{settings.port}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason, hint = (
            f"the certificate of {where} failed verification ({exc.verify_message})",
            (
                f"the server's certificate must be valid for {settings.host!r} and signed by an "
                "authority this machine trusts"
            ),
        )
    elif isinstance(exc, smtplib.SMTPAuthenticationError):
        reply = _reply(exc.smtp_code, exc.smtp_error)
        reason = f"{where} refused the login of {settings.username!r} ({reply})"
        hint = f"check [email] username and {PASSWORD_ENV}"
    elif isinstance(exc, smtplib.SMTPNotSupportedError):
        reason, hint = f"{where}: {exc}", 'check [email] security ("starttls", "ssl" or "none")'
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(f"{rcpt} ({_reply(*reply)})" for rcpt, reply in exc.recipients.items())
        reason, hint = f"{where} refused every recipient: {refused}", "check [email] to and cc"
    elif isinstance(exc, smtplib.SMTPResponseException):
        reason, hint = f"{where} answered {_reply(exc.smtp_code, exc.smtp_error)}", None
    elif isinstance(exc, OSError) and not isinstance(exc, ssl.SSLError):
        reason = f"cannot reach {where} ({exc.strerror or type(exc).__name__})"
        hint = "check [email] host and port, and that the mail server is up"
    else:
        reason, hint = f"{where}: {type(exc).__name__}: {exc}", None
    if password:
        reason = reason.replace(password, "***")
    return DeliveryError(f"e-mail not sent: {reason}", hint)


def _reply(code: object, text: object = b"") -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return clean_text(f"{code} {words}", single_line=True)
