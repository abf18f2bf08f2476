"""Kind "imap": a dedicated report mailbox (the guard company's and rescue service's e-mail).

The mailbox is read over IMAP with TLS and verified certificates, as one user
whose password comes only from the environment ($BRIEFING_IMAP_PASSWORD, or the
file named by $BRIEFING_IMAP_PASSWORD_FILE; `password_env` names another
variable for a second mailbox), never from the configuration file.

Only messages from the configured `senders` (addresses, or "@domain") are read
as reports; any other message is counted and reported by its id and its
sender's domain, never read. Each message is read once: its Message-ID (or,
without one, its hash) goes into the source state with the hash of its bytes.
The folder is opened read-only and messages are fetched with BODY.PEEK, so
`briefing` changes nothing in the mailbox, not even the \\Seen flag; with
`processed_folder` it moves a message there, on the fetch after the one whose
incidents were stored (so a crash can never lose one). It never deletes.

`path` instead of `host` reads a folder of saved .eml files the same way
(replays, the demo).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import imaplib
import os
import re
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import ClassVar

from pydantic import Field, field_validator, model_validator

from briefing.errors import SourceError
from briefing.sources._incidents import in_order
from briefing.sources.base import (
    Batch,
    FetchContext,
    Source,
    SourceSettings,
    payload_files,
    source_password,
)
from briefing.sources.mailreports import MailContext, message_id, read_message, refused, sender
from briefing.sources.tables import TableColumns, TableSettings

PASSWORD_ENV = "BRIEFING_IMAP_PASSWORD"  # noqa: S105 - the variable's name, not a password
MIB = 1_048_576
_PARSER = BytesParser(_class=EmailMessage, policy=policy.default)
_FETCHED = re.compile(rb"UID (\d+)")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class ImapSettings(SourceSettings, TableSettings):
    """`[sources.NAME]` keys for kind "imap"."""

    host: str | None = Field(default=None, description="the IMAP server (TLS from the start)")
    port: int = Field(default=993, ge=1, le=65535)
    username: str | None = None
    password_env: str | None = Field(default=PASSWORD_ENV, pattern=r"^[A-Z_][A-Z0-9_]*$")
    folder: str = "INBOX"
    processed_folder: str | None = Field(
        default=None, description="move read messages here (never deleted)"
    )
    senders: tuple[str, ...] = Field(min_length=1, description='addresses or "@domain"')
    columns: TableColumns | None = Field(
        default=None, description="how attached CSV/XLSX exports map to our fields"
    )
    cafile: Path | None = Field(default=None, description="a CA bundle for a private CA")
    max_message_mb: float = Field(default=25, gt=0, le=200)
    max_attachment_mb: float = Field(default=10, gt=0, le=100)

    @field_validator("senders")
    @classmethod
    def _addresses(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            if "@" not in value or any(c.isspace() or c in "<>,;" for c in value):
                raise ValueError(f'{value!r} is not an address or "@domain"')
        return tuple(value.lower() for value in values)

    @model_validator(mode="after")
    def _login_with_url(self) -> ImapSettings:  # the login is to `host`, checked below
        return self

    @model_validator(mode="after")
    def _url_or_path(self) -> ImapSettings:  # replaces the common "url or path" rule
        if self.url is not None:
            raise ValueError("an IMAP mailbox is given by `host` (and `port`), not `url`")
        if (self.host is None) == (self.path is None):
            raise ValueError("give exactly one of `host` or `path` (a folder of .eml files)")
        if self.host is not None and self.username is None:
            raise ValueError("`username` is needed with `host`")
        return self

    def allows(self, address: str) -> bool:
        return any(
            address == allowed or (allowed.startswith("@") and address.endswith(allowed))
            for allowed in self.senders
        )


@dataclass(frozen=True, slots=True)
class Waiting:
    """A message in the mailbox: its UID, size and headers (the body not yet fetched)."""

    uid: bytes
    size: int
    headers: EmailMessage
    raw_headers: bytes


class ImapSource(Source):
    """Reports from a mailbox, each message read once."""

    kind: ClassVar[str] = "imap"
    Settings: ClassVar[type[SourceSettings]] = ImapSettings
    settings: ImapSettings

    def fetch(self, ctx: FetchContext) -> Batch:
        batch = Batch()
        mail = MailContext(
            source=self.name,
            origin=self.origin,
            fetch=ctx,
            tables=self.settings,
            columns=self.settings.columns,
            max_attachment=int(self.settings.max_attachment_mb * MIB),
        )
        if self.settings.path is not None:
            for file in payload_files(self.settings.path, (".eml",), batch.problems):
                self._take(file.read_bytes(), ctx, batch, mail)
        else:
            self._from_server(ctx, batch, mail)
        batch.incidents = in_order(batch.incidents)
        return batch

    def _take(
        self,
        raw: bytes,
        ctx: FetchContext,
        batch: Batch,
        mail: MailContext,
        *,
        note: str | None = None,
    ) -> None:
        """Read one message, unless it was read before; refuse one from an unknown sender.

        A refused message is reported once (its id is kept in the state), not
        every morning it stays in the mailbox.
        """
        message = _PARSER.parsebytes(raw)
        ident = message_id(message, raw)
        for key in (f"read:{ident}", f"refused:{ident}"):
            if key in ctx.state:
                batch.state[key] = ctx.state[key]
                return
        if not self.settings.allows(sender(message)):
            batch.problems.append(refused(message, raw))
            batch.state[f"refused:{ident}"] = "1"
            return
        reading = read_message(message, raw, mail, note=note)
        batch.incidents += reading.incidents
        batch.problems += reading.problems
        batch.state[f"read:{ident}"] = hashlib.sha256(raw).hexdigest()

    # --- the server ---------------------------------------------------------------------

    def _from_server(self, ctx: FetchContext, batch: Batch, mail: MailContext) -> None:
        settings = self.settings
        assert settings.host is not None and settings.username is not None  # the validator
        password = source_password(self.name, settings, os.environ)
        where = f"{settings.host}:{settings.port}"
        try:
            conn = imaplib.IMAP4_SSL(
                settings.host,
                settings.port,
                ssl_context=_tls(settings.cafile),
                timeout=settings.timeout,
            )
        except ssl.SSLCertVerificationError as exc:
            raise SourceError(
                f"{where}: the server's certificate is not trusted ({exc.verify_message})",
                "the mailbox must have a valid certificate (or set `cafile` for a private CA)",
            ) from None
        except (OSError, imaplib.IMAP4.error) as exc:
            raise SourceError(f"{where}: cannot connect ({_reason(exc)})") from None
        try:
            self._session(conn, password, ctx, batch, mail)
        except (OSError, imaplib.IMAP4.error, EOFError) as exc:
            raise SourceError(f"{where}: {_reason(exc)}") from None
        finally:
            with contextlib.suppress(OSError, imaplib.IMAP4.error, EOFError):
                conn.logout()

    def _session(
        self,
        conn: imaplib.IMAP4_SSL,
        password: str,
        ctx: FetchContext,
        batch: Batch,
        mail: MailContext,
    ) -> None:
        settings = self.settings
        assert settings.username is not None
        try:
            conn.login(settings.username, password)
        except imaplib.IMAP4.error:
            raise SourceError(
                f"{settings.host}: login refused for {settings.username}",
                f"check `username` and ${settings.password_env}",
            ) from None
        moving = settings.processed_folder is not None
        status, detail = conn.select(_quoted(settings.folder), readonly=not moving)
        if status != "OK":
            raise SourceError(f"{settings.host}: no folder {settings.folder!r} ({_text(detail)})")
        waiting = list(self._waiting(conn))
        done = [w for w in waiting if f"read:{message_id(w.headers, w.raw_headers)}" in ctx.state]
        if moving and done:
            self._move(conn, done, batch)
        limit = int(settings.max_message_mb * MIB)
        for item in waiting:
            if item in done:
                ident = message_id(item.headers, item.raw_headers)
                batch.state[f"read:{ident}"] = ctx.state[f"read:{ident}"]
            elif item.size > limit and self.settings.allows(sender(item.headers)):
                size = f"{item.size / MIB:.1f} MB"
                note = f"meddelandet ({size}) är för stort för att läsas här"
                self._take(item.raw_headers, ctx, batch, mail, note=note)
                batch.problems.append(
                    f"{message_id(item.headers, item.raw_headers)}: a message of {size} is over "
                    f"the cap of {settings.max_message_mb:g} MB; read it in the mailbox"
                )
            else:  # an unknown sender's message is refused on its headers alone
                raw = item.raw_headers if not self._known(item) else self._body(conn, item)
                self._take(raw, ctx, batch, mail)

    def _known(self, item: Waiting) -> bool:
        return self.settings.allows(sender(item.headers))

    def _waiting(self, conn: imaplib.IMAP4_SSL) -> Iterator[Waiting]:
        status, data = conn.uid("SEARCH", "ALL")
        uids = data[0].split() if status == "OK" and data and data[0] else []
        for start in range(0, len(uids), 200):
            chunk = b",".join(uids[start : start + 200]).decode()
            status, parts = conn.uid("FETCH", chunk, "(UID RFC822.SIZE BODY.PEEK[HEADER])")
            for part in parts if status == "OK" else []:
                if not isinstance(part, tuple):
                    continue
                uid, size = _FETCHED.search(part[0]), _SIZE.search(part[0])
                if uid is None:
                    continue
                raw_headers = bytes(part[1])
                yield Waiting(
                    uid.group(1),
                    int(size.group(1)) if size else 0,
                    _PARSER.parsebytes(raw_headers, headersonly=True),
                    raw_headers,
                )

    def _body(self, conn: imaplib.IMAP4_SSL, item: Waiting) -> bytes:
        status, parts = conn.uid("FETCH", item.uid.decode(), "(BODY.PEEK[])")
        for part in parts if status == "OK" else []:
            if isinstance(part, tuple):
                return bytes(part[1])
        raise SourceError(f"{self.settings.host}: message UID {item.uid.decode()} vanished")

    def _move(self, conn: imaplib.IMAP4_SSL, done: list[Waiting], batch: Batch) -> None:
        """Move messages whose incidents are stored to `processed_folder` (MOVE only)."""
        target = self.settings.processed_folder
        assert target is not None
        if b"MOVE" not in b" ".join(_capabilities(conn)):
            batch.problems.append(
                f"{self.settings.host} cannot MOVE (RFC 6851); read messages are left where "
                "they are (nothing is ever deleted)"
            )
            return
        conn.create(_quoted(target))  # "already exists" is fine
        uids = b",".join(item.uid for item in done).decode()
        status, detail = conn.uid("MOVE", uids, _quoted(target))
        if status != "OK":
            batch.problems.append(f"cannot move read messages to {target!r}: {_text(detail)}")


def _tls(cafile: Path | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(cafile) if cafile else None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _capabilities(conn: imaplib.IMAP4_SSL) -> tuple[bytes, ...]:
    """What the server can do once logged in (the greeting lists less, e.g. no MOVE)."""
    status, data = conn.capability()
    if status != "OK" or not data or not isinstance(data[0], bytes):
        return ()
    return tuple(data[0].upper().split())


def _quoted(folder: str) -> str:
    """A folder name as IMAP wants it: modified UTF-7 (RFC 3501 §5.1.3), quoted."""
    return '"' + imap_utf7(folder).replace("\\", "\\\\").replace('"', '\\"') + '"'


def imap_utf7(name: str) -> str:
    """ "Lästa" → "L&AOQ-sta": printable ASCII as itself ("&" as "&-"), the rest in base64."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            encoded = base64.b64encode("".join(pending).encode("utf-16-be")).decode()
            out.append("&" + encoded.rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if " " <= char <= "~":
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)


def _text(detail: object) -> str:
    if isinstance(detail, list) and detail:
        detail = detail[0]
    if isinstance(detail, bytes):
        detail = detail.decode("utf-8", errors="replace")
    return " ".join(str(detail).split())[:200]


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, EOFError):
        return "the server closed the connection"
    return _text(str(exc) or type(exc).__name__)
