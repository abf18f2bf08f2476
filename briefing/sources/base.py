"""The adapter contract: one small class per kind of source.

An adapter gets its validated settings and, on `fetch`, a `FetchContext` with
the HTTP client, the clock and the state it saved last time. It returns a
`Batch` of normalised incidents. It never sees the store and never prints.

A record it cannot read goes into `Batch.problems` with a message that names
the record; the rest of the batch is kept. A source it cannot read at all
raises `SourceError`.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from briefing.errors import SourceError
from briefing.models import Incident, Origin
from briefing.redact import redact

if TYPE_CHECKING:
    from briefing.sources.http import HttpClient, RateLimit, Response

_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([mhd]?)\s*", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "": "hours", "d": "days"}


class SourceSettings(BaseModel):
    """Keys every `[sources.NAME]` table accepts. Adapters extend this."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str
    origin: Origin
    label: str | None = Field(default=None, description="name shown in the briefing")
    url: str | None = Field(default=None, description="http(s) URL to fetch")
    path: Path | None = Field(default=None, description="recorded file, or a folder of them")
    enabled: bool = True
    timeout: float = Field(default=30.0, gt=0, le=600, description="total seconds per request")
    username: str | None = Field(
        default=None, description="HTTP basic auth for `url`; the password from the environment"
    )
    password_env: str | None = Field(
        default=None,
        pattern=r"^[A-Z_][A-Z0-9_]*$",
        description="the variable holding the password (default BRIEFING_<NAME>_PASSWORD)",
    )
    stale_after: timedelta | None = Field(
        default=None,
        description='no report for this long makes the source stale: "36h", "2d", "90m" or hours',
    )

    @field_validator("stale_after", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError('a duration such as "36h", "2d" or "90m", or a number of hours')
        if isinstance(value, int | float):
            value = str(value)
        if isinstance(value, str):
            match = _DURATION.fullmatch(value)
            if match is None or float(match.group(1)) <= 0:
                raise ValueError(
                    f'{value!r} is not a duration such as "36h", "2d" or "90m" (or hours)'
                )
            return timedelta(**{_UNITS[match.group(2).lower()]: float(match.group(1))})
        return value

    @field_validator("url")
    @classmethod
    def _http_only(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme == "file":
            raise ValueError("file:// URLs are refused; put local data in `path`")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"not an http(s) URL: {value!r}")
        return value

    @model_validator(mode="after")
    def _login_with_url(self) -> SourceSettings:
        if self.username is not None and self.url is None:
            raise ValueError("`username` logs in to `url`: give a `url` too")
        return self

    @model_validator(mode="after")
    def _url_or_path(self) -> SourceSettings:
        if (self.url is None) == (self.path is None):
            raise ValueError("give exactly one of `url` or `path`")
        return self


def password_variable(name: str, settings: SourceSettings) -> str:
    """The environment variable holding a source's password: `password_env`, or
    BRIEFING_<NAME>_PASSWORD (the name upper-cased, other characters as "_")."""
    if settings.password_env:
        return settings.password_env
    return "BRIEFING_" + re.sub(r"[^A-Z0-9]", "_", name.upper()) + "_PASSWORD"


def source_password(name: str, settings: SourceSettings, env: Mapping[str, str]) -> str:
    """The password of a source's login: from $VARIABLE, or the file named by $VARIABLE_FILE."""
    variable = password_variable(name, settings)
    if env.get(variable):
        return env[variable]
    if file := env.get(f"{variable}_FILE"):
        try:
            return Path(file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SourceError(
                f"${variable}_FILE: cannot read {file} ({exc.strerror or exc})"
            ) from None
    raise SourceError(
        f"no password for {settings.username} (sources.{name}.username)",
        f"set ${variable}, or ${variable}_FILE to a file that holds it",
    )


class PageCache(Protocol):
    """Where text read from a source's web pages is kept for good (the store implements it)."""

    def page(self, key: str) -> str | None:
        """The kept text ("" for a page that is gone), None if never read."""

    def save_page(self, key: str, text: str, at: datetime, *, gone: bool = False) -> None: ...


@dataclass(frozen=True, slots=True)
class FetchContext:
    """What an adapter may use while fetching. Injected, so tests swap it."""

    http: HttpClient
    now: datetime
    tz: ZoneInfo
    municipality: str
    since: datetime | None = None
    state: Mapping[str, str] = field(default_factory=dict)
    pages: PageCache | None = None


@dataclass(slots=True)
class Batch:
    """What one fetch produced. `state` is saved with the incidents, atomically."""

    incidents: list[Incident] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    state: dict[str, str] = field(default_factory=dict)


class Source(ABC):
    """Base of every adapter. Subclasses set `kind` and, if they take more keys, `Settings`."""

    kind: ClassVar[str]
    Settings: ClassVar[type[SourceSettings]] = SourceSettings

    def __init__(self, name: str, settings: SourceSettings) -> None:
        if not isinstance(settings, self.Settings):
            # Given the common keys only (e.g. by a test): validate as this adapter's own.
            settings = self.Settings.model_validate(settings.model_dump())
        self.name = name
        self.settings = settings

    @property
    def origin(self) -> Origin:
        return self.settings.origin

    @property
    def label(self) -> str:
        return self.settings.label or self.name

    @abstractmethod
    def fetch(self, ctx: FetchContext) -> Batch:
        """Read the source and return its incidents, normalised."""


def payload_files(
    path: Path, suffixes: tuple[str, ...], problems: list[str] | None = None
) -> list[Path]:
    """A recorded file, or the files with one of `suffixes` in a folder, sorted by name.

    A file in the folder that is a link to somewhere outside it is skipped (and
    reported in `problems`): whoever may drop files there must not be able to
    make the briefing read, and show, any other file.
    """
    if path.is_file():
        return [path]
    if path.is_dir():
        folder = path.resolve()
        found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in suffixes)
        inside = [p for p in found if p.resolve().is_relative_to(folder)]
        if problems is not None:
            problems += [
                f"{p.name}: a link to outside {path}; not read" for p in found if p not in inside
            ]
        return inside
    raise SourceError(f"{path}: no such file or folder", "check `path` in the source's table")


def fetch_if_changed(
    ctx: FetchContext,
    batch: Batch,
    url: str,
    *,
    timeout: float,
    rate: RateLimit | None = None,
    user_agent: str | None = None,
) -> Response | None:
    """GET `url` with the validators saved last time; None when the server says "not modified".

    The new validators go into `batch.state`, so they are saved with the
    incidents, in the same transaction, and never get ahead of them. On "not
    modified" the whole saved state is kept as it was.
    """
    headers = conditional_headers(ctx.state, url)
    response = ctx.http.get(url, headers=headers, timeout=timeout, rate=rate, user_agent=user_agent)
    if response.not_modified:
        batch.state.update(ctx.state)
        return None
    batch.state.update(validators(response, url))
    if response.moved_permanently:
        batch.problems.append(
            f"{url} has moved permanently to {response.url}; update `url` in the configuration"
        )
    return response


# Conditional requests: the validators an adapter saved in its state become
# If-None-Match / If-Modified-Since; the new ones are saved with the incidents.
_STATE_URL, _STATE_ETAG, _STATE_MODIFIED = "http.url", "http.etag", "http.last_modified"


def conditional_headers(state: Mapping[str, str], url: str) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from validators saved for `url` (none for another URL)."""
    if state.get(_STATE_URL) != redact(url):
        return {}
    headers = {}
    if etag := state.get(_STATE_ETAG):
        headers["If-None-Match"] = etag
    if modified := state.get(_STATE_MODIFIED):
        headers["If-Modified-Since"] = modified
    return headers


def validators(response: Response, url: str) -> dict[str, str]:
    """The state entries that make the next request to `url` conditional."""
    found = {_STATE_URL: redact(url)}  # the state is stored: no login, no token
    if etag := response.headers.get("etag"):
        found[_STATE_ETAG] = _ascii(etag)
    if modified := response.headers.get("last-modified"):
        found[_STATE_MODIFIED] = _ascii(modified)
    return found if len(found) > 1 else {}


def _ascii(value: str) -> str:
    from briefing.sources.http import ascii_header

    return ascii_header(value)
