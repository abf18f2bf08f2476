"""A real IMAP server on 127.0.0.1 for the mailbox tests: Debian's dovecot.

`running_dovecot()` starts a private dovecot (its own config, base and state
folders, log and mail in a fresh folder under the system's temporary folder,
which its unprivileged users can reach — pytest's own folders are private),
listening for IMAP over TLS on a
free loopback port with a self-signed certificate made for the test, one user
with a plain password, and Maildir mail. Messages are delivered the way a mail
server would leave them: with IMAP APPEND, byte for byte.

`.ci/run` installs `dovecot-imapd`. Without it the tests skip, except under
CI=true, where a missing server is a failure: CI must never pass by skipping.
"""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.smtp_server import free_port, make_certificate

HOST = "127.0.0.1"
USER = "rapporter@example.se"
PASSWORD = "imap-test-l0senord"


@dataclass(frozen=True)
class Dovecot:
    host: str
    port: int
    cafile: Path
    user: str
    password: str
    folder: Path

    def connect(self) -> imaplib.IMAP4_SSL:
        context = ssl.create_default_context(cafile=str(self.cafile))
        conn = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=context, timeout=10)
        conn.login(self.user, self.password)
        return conn

    def deliver(self, raw: bytes, mailbox: str = "INBOX") -> None:
        """Put one message in `mailbox` (made if missing), as a mail server would."""
        conn = self.connect()
        try:
            if mailbox != "INBOX":
                conn.create(mailbox)
            status, detail = conn.append(mailbox, None, None, raw)
            assert status == "OK", detail
        finally:
            conn.logout()

    def messages(self, mailbox: str = "INBOX") -> list[bytes]:
        """Every message now in `mailbox`, whole (read without setting \\Seen)."""
        conn = self.connect()
        try:
            status, _ = conn.select(f'"{mailbox}"', readonly=True)
            if status != "OK":
                return []
            _, data = conn.uid("SEARCH", "ALL")
            found: list[bytes] = []
            for uid in data[0].split():
                _, parts = conn.uid("FETCH", uid, "(BODY.PEEK[])")
                for part in parts:
                    if isinstance(part, tuple):
                        found.append(part[1])
            return found
        finally:
            conn.logout()


def _dovecot_binary() -> str:
    binary = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
    )
    if binary is None:
        reason = "dovecot is not installed (Debian: apt-get install dovecot-imapd)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: in CI the mailbox tests must run, not skip")
        pytest.skip(reason)
    return binary


def _accounts(home: Path) -> tuple[str, str, str, str]:
    """(login user, internal user, mail uid, mail gid) for this process.

    As root, dovecot's own unprivileged users run the login and mail processes
    (mail as `nobody`); as anyone else, everything runs as that user.
    """
    if os.getuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(home, nobody.pw_uid, nobody.pw_gid)
        login = "dovenull" if _has_user("dovenull") else "nobody"
        internal = "dovecot" if _has_user("dovecot") else "nobody"
        return login, internal, str(nobody.pw_uid), str(nobody.pw_gid)
    me = pwd.getpwuid(os.getuid()).pw_name
    return me, me, str(os.getuid()), grp.getgrgid(os.getgid()).gr_name


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _config(folder: Path, port: int, cert: Path, key: Path) -> Path:
    home = folder / "home"
    home.mkdir()
    run = folder / "run"
    run.mkdir()
    login, internal, uid, gid = _accounts(home)
    users = folder / "users"
    users.write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n", encoding="utf-8")
    config = folder / "dovecot.conf"
    config.write_text(
        f"""
base_dir = {run}
state_dir = {run}
log_path = {folder / "dovecot.log"}
protocols = imap
listen = {HOST}
ssl = required
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = yes
auth_mechanisms = plain login
first_valid_uid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {users}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={home}/%u
}}
mail_location = maildir:~/Maildir
default_login_user = {login}
default_internal_user = {internal}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
""",
        encoding="utf-8",
    )
    return config


def _wait_for(port: int, log: Path, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    text = log.read_text(encoding="utf-8") if log.exists() else "(no log)"
    raise RuntimeError(f"dovecot did not start on {HOST}:{port}:\n{text}")


@contextmanager
def running_dovecot() -> Iterator[Dovecot]:
    """A dovecot on a free loopback port, stopped (and its files gone) on exit."""
    binary = _dovecot_binary()
    folder = Path(tempfile.mkdtemp(prefix="briefing-dovecot-"))
    os.chmod(folder, 0o755)  # the mail processes run as another user when we are root
    cert, key = make_certificate(folder)
    port = free_port()
    config = _config(folder, port, cert, key)
    # In the foreground, in a session of its own, so stopping reaches every process.
    master = subprocess.Popen([binary, "-F", "-c", str(config)], start_new_session=True)
    try:
        _wait_for(port, folder / "dovecot.log", time.monotonic() + 10)
        yield Dovecot(HOST, port, cert, USER, PASSWORD, folder)
    finally:
        stop(master)
        shutil.rmtree(folder, ignore_errors=True)


def stop(master: subprocess.Popen[bytes]) -> None:
    """Stop dovecot: every process of its session at once, then reap the master.

    A test server keeps nothing worth a graceful shutdown (which takes dovecot a
    second or two), so the whole session is killed.
    """
    with suppress(ProcessLookupError):
        os.killpg(master.pid, signal.SIGKILL)
    master.wait(timeout=5)
