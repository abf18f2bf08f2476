"""The one place that talks HTTP.

httpx's timeouts are per operation and it has no size cap, so this module adds
a total deadline per request (`briefing.sources.watchdog` shuts the socket when it passes, so
a server dripping its headers cannot hold us either), a cap on the decoded
body, an http(s)-only rule for URLs and redirects, a descriptive User-Agent,
rate limits that hold across runs (the police API allows one call per 10 s
and 60 an hour), and retries only where a retry can help: a refused or failed
connection, a 5xx, and a 429, waiting as long as `Retry-After` asks (capped)
but never past the request's deadline. 404 and 410 raise `Gone`: stop asking.

A source's login (`username` + a password from the environment) goes to its URL's
origin only (`HttpClient.add_login`). Conditional requests are made by
`briefing.sources.base.fetch_if_changed`.
"""

from __future__ import annotations

import functools
import json
import random
import ssl
import threading
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from briefing import __version__
from briefing.errors import FetchError, Gone, RateLimited
from briefing.sources.watchdog import Watchdog

DEFAULT_USER_AGENT = f"briefing/{__version__} (municipal security briefing)"
MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
MAX_ATTEMPTS = 3
RETRY_AFTER_CAP = 120.0  # seconds; a server asking for more is asked again next run
BACKOFF = 0.5  # seconds before the first retry; doubled for the next
_GONE = (404, 410)
_NEVER_RETRIED_5XX = (501, 505)  # "not implemented" does not get implemented by asking again


@dataclass(frozen=True, slots=True)
class Response:
    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes
    moved_permanently: bool = False  # a 301/308 on the way: the configured URL is outdated

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def charset(self) -> str | None:
        ctype = self.headers.get("content-type", "")
        for part in ctype.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                return value.strip("\"'")
        return None

    def json(self) -> Any:
        """The body as JSON; a byte-order mark is allowed (polisen has sent one), also
        when the header says charset=utf-8, which keeps it in the text."""
        try:
            return json.loads(self.content.decode(self.charset or "utf-8").removeprefix("\ufeff"))
        except (UnicodeDecodeError, LookupError, ValueError) as exc:
            raise FetchError(f"{self.url}: not valid JSON ({exc})") from exc


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most one call per `min_interval` seconds and `per_hour` calls an hour, per `key`."""

    key: str
    min_interval: float = 10.0
    per_hour: int = 60


class CallLog(Protocol):
    """Where calls are remembered across runs (the store implements it)."""

    def recent_calls(self, key: str, since: float) -> list[float]: ...

    def record_call(self, key: str, at: float) -> None: ...


@dataclass
class MemoryCallLog:
    """A CallLog for one process only."""

    calls: dict[str, list[float]] = field(default_factory=dict)

    def recent_calls(self, key: str, since: float) -> list[float]:
        return [t for t in self.calls.get(key, []) if t >= since]

    def record_call(self, key: str, at: float) -> None:
        self.calls.setdefault(key, []).append(at)


def ascii_header(value: str) -> str:
    """A header value HTTP can carry: diacritics dropped ("Järfälla" → "Jarfalla"), no controls."""
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in plain if ch.isprintable())


def _refuse_non_http(request: httpx.Request) -> None:
    # Runs before every request, redirects included, whatever the transport.
    if request.url.scheme not in ("http", "https"):
        raise FetchError(f"redirected to {str(request.url)!r}, which is not http(s)")


def check_url(url: str) -> str:
    """The URL, if it is http(s) with a host; FetchError otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FetchError(f"refusing to fetch {url!r}: only http(s) URLs are allowed")
    return url


def _origin(url: str) -> str:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}:{parts.port or default}"


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process (loading the CA bundle takes a while)."""
    return httpx.create_ssl_context()


class _Retry(Exception):
    """One attempt failed in a way another attempt may not; `wait` is the server's wish."""

    def __init__(self, error: FetchError, wait: float | None = None) -> None:
        super().__init__(error.message)
        self.error = error
        self.wait = wait


class HttpClient:
    """A small, strict wrapper around one `httpx.Client`."""

    def __init__(
        self,
        *,
        user_agent: str = DEFAULT_USER_AGENT,
        transport: httpx.BaseTransport | None = None,
        max_bytes: int = MAX_BYTES,
        call_log: CallLog | None = None,
        max_wait: float = 15.0,
        sleep: Callable[[float], None] = time.sleep,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.user_agent = ascii_header(user_agent)
        self.max_bytes = max_bytes
        self.call_log: CallLog = call_log if call_log is not None else MemoryCallLog()
        self.max_wait = max_wait
        self._sleep = sleep
        self._wall = wall_clock
        self._transport = transport
        self._made: httpx.Client | None = None
        self._making = threading.Lock()
        self._logins: dict[str, tuple[str, str]] = {}

    @property
    def _client(self) -> httpx.Client:
        """Made on the first request: a run that only reads files never pays for TLS set-up."""
        with self._making:
            if self._made is None:
                self._made = httpx.Client(
                    transport=self._transport,
                    verify=_tls_context() if self._transport is None else True,
                    follow_redirects=True,
                    max_redirects=MAX_REDIRECTS,
                    headers={"User-Agent": self.user_agent},
                    event_hooks={"request": [_refuse_non_http]},
                    # A new connection per request, so the watchdog always sees its socket.
                    limits=httpx.Limits(max_keepalive_connections=0),
                )
            return self._made

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._making:
            if self._made is not None:
                self._made.close()

    def add_login(self, url: str, username: str, password: str) -> None:
        """Send HTTP basic auth to `url`'s origin (scheme, host, port) and nowhere else.

        httpx drops the login on a redirect to another origin. The password is kept
        in memory only; no message, state or output of briefing ever holds it.
        """
        origin = _origin(url)
        known = self._logins.get(origin)
        if known is not None and known != (username, password):
            raise FetchError(f"{origin}: two sources log in to it as different users")
        self._logins[origin] = (username, password)

    def get(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        rate: RateLimit | None = None,
        user_agent: str | None = None,
    ) -> Response:
        """GET `url` within `timeout` seconds in total, retries included; FetchError on failure.

        A 304 is returned as is (conditional requests); 404 and 410 raise `Gone`;
        other non-2xx raise FetchError after the retries that may help.
        """
        check_url(url)
        if rate is not None:
            self._respect(rate, self.max_wait)
        request_headers = dict(headers or {})
        if user_agent:
            request_headers["User-Agent"] = ascii_header(user_agent)
        deadline = time.monotonic() + timeout
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return self._attempt(url, request_headers, deadline, timeout)
            except _Retry as retry:
                wait = self._wait_before_retry(retry, attempt, deadline, rate)
                if wait is None:
                    raise retry.error from None
                self._sleep(wait)
                if rate is not None:
                    self._respect(rate, max(0.0, deadline - time.monotonic()))
        raise AssertionError("unreachable: the last attempt raises or returns")

    def _wait_before_retry(
        self, retry: _Retry, attempt: int, deadline: float, rate: RateLimit | None
    ) -> float | None:
        """Seconds to wait before the next attempt, or None when retrying cannot help in time."""
        if attempt >= MAX_ATTEMPTS:
            return None
        wait = retry.wait if retry.wait is not None else BACKOFF * 2 ** (attempt - 1)
        wait += random.uniform(0, BACKOFF / 2) if retry.wait is None else 0.0
        if rate is not None:
            wait = max(wait, rate.min_interval)
        if wait > RETRY_AFTER_CAP or wait >= deadline - time.monotonic():
            if retry.wait is not None:
                retry.error.hint = (
                    f"the server asked us to wait {retry.wait:.0f} s; it is asked again next run"
                )
            return None
        return wait

    def _attempt(
        self, url: str, headers: dict[str, str], deadline: float, timeout: float
    ) -> Response:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"{url}: not complete within {timeout:g} s")
        with Watchdog(remaining) as watchdog:
            try:
                return self._stream(url, headers, deadline, timeout, watchdog)
            except httpx.TooManyRedirects as exc:
                raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects") from exc
            except httpx.UnsupportedProtocol as exc:
                raise FetchError(f"{url}: redirected to a URL that is not http(s)") from exc
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                error = FetchError(f"{url}: cannot connect ({exc or type(exc).__name__})")
                raise _Retry(error) from exc
            except httpx.TimeoutException as exc:
                raise FetchError(f"{url}: no answer within {timeout:g} s") from exc
            except httpx.HTTPError as exc:
                if watchdog.fired:
                    raise FetchError(f"{url}: not complete within {timeout:g} s") from exc
                raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc

    def _stream(
        self,
        url: str,
        headers: dict[str, str],
        deadline: float,
        timeout: float,
        watchdog: Watchdog,
    ) -> Response:
        limits = httpx.Timeout(max(0.001, deadline - time.monotonic()))
        extensions = {"trace": watchdog.trace}
        login = self._logins.get(_origin(url))
        auth = httpx.BasicAuth(*login) if login is not None else None
        with self._client.stream(
            "GET", url, headers=headers, timeout=limits, extensions=extensions, auth=auth
        ) as resp:
            final = str(resp.url)
            check_url(final)
            moved = any(step.status_code in (301, 308) for step in resp.history)
            if resp.status_code == 304:
                return Response(final, 304, dict(resp.headers), b"", moved)
            if not 200 <= resp.status_code < 300:
                raise self._status_error(url, resp)
            chunks: list[bytes] = []
            size = 0
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(f"{url}: response larger than {self.max_bytes // 1024} KiB")
                if time.monotonic() > deadline:
                    raise FetchError(f"{url}: not complete within {timeout:g} s")
                chunks.append(chunk)
            if not size:
                raise FetchError(
                    f"{url}: empty response (HTTP {resp.status_code} with no body)",
                    "a feed or API that answers with nothing is not working; ask its owner",
                )
            return Response(final, resp.status_code, dict(resp.headers), b"".join(chunks), moved)

    def _status_error(self, url: str, resp: httpx.Response) -> Exception:
        status = resp.status_code
        message = f"{url}: HTTP {status} {resp.reason_phrase}".rstrip()
        if status in _GONE:
            hint = "the address does not exist (any more): correct `url`, or disable the source"
            return Gone(message, hint, url=url, status=status)
        if status in (401, 403):
            hint = "access refused: a login, or the server blocks us; ask the source's owner"
            return FetchError(message, hint, status=status)
        error = FetchError(message, status=status)
        if status == 429 or (status >= 500 and status not in _NEVER_RETRIED_5XX):
            return _Retry(error, retry_after(resp.headers.get("retry-after"), self._wall()))
        return error

    def calls_left(self, rate: RateLimit) -> int:
        """How many more calls `rate` allows within the hour, as things stand now."""
        recent = self.call_log.recent_calls(rate.key, self._wall() - 3600)
        return max(0, rate.per_hour - len(recent))

    def _respect(self, rate: RateLimit, max_wait: float) -> None:
        now = self._wall()
        calls = sorted(self.call_log.recent_calls(rate.key, now - 3600))
        if len(calls) >= rate.per_hour:
            next_at = datetime.fromtimestamp(calls[-rate.per_hour] + 3600).astimezone()
            raise RateLimited(
                f"{rate.key}: {rate.per_hour} calls in the last hour; "
                f"next call allowed at {next_at:%H:%M:%S}",
                "the source's terms limit calls per hour; the stored incidents are still shown",
            )
        if calls:
            wait = calls[-1] + rate.min_interval - now
            if wait > max_wait:
                raise RateLimited(f"{rate.key}: next call allowed in {wait:.0f} s")
            if wait > 0:
                self._sleep(wait)
                now = self._wall()
        self.call_log.record_call(rate.key, now)


def retry_after(value: str | None, now: float) -> float | None:
    """Seconds a `Retry-After` header asks for (a number or an HTTP date); None if unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)
