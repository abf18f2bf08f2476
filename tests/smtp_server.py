"""A real SMTP server on 127.0.0.1 for the e-mail tests (aiosmtpd in a thread).

It records every envelope it accepts, can refuse chosen recipients, ask for a
login, offer STARTTLS or speak TLS from the first byte, with a certificate made
by the `openssl` command line for the test (nothing is downloaded).
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

HOST = "127.0.0.1"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, _class=EmailMessage, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Recorder:
    """The server's handler: keeps what it accepted, refuses what it is told to."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        self.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), raw))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost: (cert.pem, key.pem)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed: cannot make a test certificate")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "2", "-subj", "/CN=briefing test server",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )  # fmt: skip
    return cert, key


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def password_checker(user: str, password: str, recorder: Recorder, echo: bool) -> Any:
    """An aiosmtpd authenticator accepting one login; with `echo`, a careless server
    that repeats the password it was given in its refusal.

    A refusal must be `handled=False`, so aiosmtpd answers 535; with the default
    (handled=True) it answers nothing and the client hangs until its timeout.
    """

    def check(
        server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, given = data.login.decode(), data.password.decode()
        recorder.logins.append((login, given))
        if (login, given) == (user, password):
            return AuthResult(success=True)
        refusal = f"535 5.7.8 {login}/{given} is not valid" if echo else None
        return AuthResult(success=False, handled=False, message=refusal)

    return check


@contextmanager
def smtp_server(
    port: int | None = None,
    *,
    login: tuple[str, str] | None = None,
    starttls: ssl.SSLContext | None = None,
    implicit_tls: ssl.SSLContext | None = None,
    refuse: set[str] | None = None,
    echo_login: bool = False,
    smtputf8: bool = False,
) -> Iterator[tuple[Recorder, int]]:
    """A running server on 127.0.0.1: (its recorder, its port)."""
    recorder = Recorder(refuse=set(refuse or ()))
    options: dict[str, Any] = {"auth_require_tls": False, "enable_SMTPUTF8": smtputf8}
    if login:
        options["authenticator"] = password_checker(*login, recorder, echo_login)
    if starttls:
        options.update(tls_context=starttls, require_starttls=True)
    port = port or free_port()
    controller = Controller(
        recorder, hostname=HOST, port=port, ssl_context=implicit_tls, ready_timeout=10, **options
    )
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()
