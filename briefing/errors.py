"""Errors that carry a message for the user and a hint for the next step.

Domain code raises these; `briefing.cli` is the one place that turns them into
a message on stderr and an exit code (see `ExitStatus`).
"""

from __future__ import annotations

from enum import IntEnum

from briefing.redact import redact, redact_all


class ExitStatus(IntEnum):
    OK = 0
    UNEXPECTED = 1
    USAGE = 2
    SOURCE_FAILED = 3
    DELIVERY_FAILED = 4
    BUSY = 5  # another run holds the lock; this one did nothing
    DAMAGED = 6  # `briefing store check`: the store is damaged


class BriefingError(Exception):
    """Base of every error the user is meant to read.

    Message and hint are redacted (no login or token from a URL) when made, so no
    error can carry a secret to a report, the store, a page or an e-mail."""

    exit_status = ExitStatus.UNEXPECTED

    def __init__(self, message: str, hint: str | None = None) -> None:
        message = redact(message)
        super().__init__(message)
        self.message = message
        self.hint = None if hint is None else redact(hint)

    def __str__(self) -> str:
        return self.message


class ConfigError(BriefingError):
    """The configuration file is missing, unreadable or invalid."""

    exit_status = ExitStatus.USAGE

    def __init__(self, problems: list[str], hint: str | None = None) -> None:
        self.problems = redact_all(problems)
        super().__init__("\n".join(self.problems), hint)


class UsageError(BriefingError):
    """A command-line option has a bad value."""

    exit_status = ExitStatus.USAGE


class SourceError(BriefingError):
    """A source could not be read. Never aborts the briefing: it is reported per source."""

    exit_status = ExitStatus.SOURCE_FAILED


class FetchError(SourceError):
    """The HTTP layer gave up on a request (timeout, size cap, status, redirect)."""

    def __init__(self, message: str, hint: str | None = None, *, status: int | None = None):
        super().__init__(message, hint)
        self.status = status  # the HTTP status that ended the request, if one did


class RateLimited(FetchError):
    """Calling now would break the source's terms of use; nothing was sent."""


class Gone(FetchError):
    """The server says the resource does not exist (404, 410): stop asking for it."""

    def __init__(self, message: str, hint: str | None = None, *, url: str, status: int) -> None:
        super().__init__(message, hint, status=status)
        self.url = redact(url)  # kept in the store (source_health.gone): compared redacted


class StoreError(BriefingError):
    """The SQLite store is unreadable or damaged."""


class DeliveryError(BriefingError):
    """The briefing was made but could not be delivered (e-mail, site)."""

    exit_status = ExitStatus.DELIVERY_FAILED
