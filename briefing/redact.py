"""Secrets removed from every text briefing shows, writes or keeps.

A URL may carry a login (`https://user:password@host/feed`) or a token in its
query (`?apikey=…`). Neither may appear in a message, an error, the store, a page
or an e-mail: `redact` writes `https://***@host/feed` and `?apikey=***`.

It is applied where texts leave their makers: every `BriefingError` (so every
HTTP, source, config and store error) redacts its message and hint; the intake
border (`briefing.sources.border`) redacts every problem and failure of a source;
the HTTP layer keeps only the redacted URL in a source's state.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

HIDDEN = "***"
# scheme://userinfo@ — userinfo up to the last "@" before the path: a password may hold "@".
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/?#\s\"'<>]*@")
# Query (or fragment, or matrix) parameters that carry a credential.
TOKEN_KEYS = (
    "key",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "access_token",
    "auth_token",
    "password",
    "passwd",
    "pwd",
    "secret",
    "client_secret",
    "signature",
    "sig",
)
_TOKEN = re.compile(
    rf"(?i)([?&;#](?:{'|'.join(re.escape(k) for k in TOKEN_KEYS)})=)[^&#;\s\"'<>]*",
)


def redact(text: str) -> str:
    """`text` with logins in URLs and credential query parameters replaced by "***"."""
    if "@" not in text and "=" not in text:  # the cheap test: most texts hold neither
        return text
    text = _USERINFO.sub(rf"\g<1>{HIDDEN}@", text)
    return _TOKEN.sub(rf"\g<1>{HIDDEN}", text)


def redact_all(texts: Iterable[str]) -> list[str]:
    return [redact(text) for text in texts]


class _HasUrl(Protocol):
    @property
    def url(self) -> str | None: ...


def credential_warnings(
    path: Path, sources: Mapping[str, _HasUrl], variable: Callable[[str, Any], str]
) -> list[str]:
    """A warning for every source whose URL holds a login or a token.

    `variable(name, settings)` names the environment variable a source's password
    belongs in (the sources layer decides; this module imports nothing of it).

    briefing never shows them (see `redact`), but a config file is read by whoever
    maintains it and copied into tickets.
    """
    warnings = []
    for name, settings in sources.items():
        url = settings.url
        if url is None or redact(url) == url:
            continue
        what = "a user name and password" if urlsplit(url).password else "a login or a token"
        warnings.append(
            f"{path}: sources.{name}.url holds {what}: briefing writes it as {HIDDEN} in "
            f"every message and keeps it out of the store, but whoever reads {path.name} "
            "reads it: put the user in `username` and the password in "
            f"${variable(name, settings)} (or ${variable(name, settings)}_FILE), "
            "as for SMTP, and take them out of the URL"
        )
    return warnings
