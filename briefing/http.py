"""The one place that talks HTTP.

httpx's timeouts are per operation and it has no size cap, so this module adds
a total deadline per request, a cap on the decoded body, an http(s)-only rule
for URLs and redirects, a descriptive User-Agent, and rate limits that hold
across runs (the police API allows one call per 10 s and 60 an hour).
"""

from __future__ import annotations

import json
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from briefing import __version__
from briefing.errors import FetchError, RateLimited

DEFAULT_USER_AGENT = f"briefing/{__version__} (municipal security briefing)"
MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5


@dataclass(frozen=True, slots=True)
class Response:
    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes

    @property
    def charset(self) -> str | None:
        ctype = self.headers.get("content-type", "")
        for part in ctype.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                return value.strip("\"'")
        return None

    def json(self) -> Any:
        """The body as JSON; a UTF-8 byte-order mark is allowed (polisen has sent one)."""
        try:
            return json.loads(self.content.decode(self.charset or "utf-8-sig"))
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
        self._client = httpx.Client(
            transport=transport,
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            headers={"User-Agent": self.user_agent},
            event_hooks={"request": [_refuse_non_http]},
        )

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        rate: RateLimit | None = None,
        user_agent: str | None = None,
    ) -> Response:
        """GET `url` within `timeout` seconds in total; FetchError on any failure.

        A 304 is returned as is (conditional requests); other non-2xx raise.
        """
        check_url(url)
        if rate is not None:
            self._respect(rate)
        request_headers = dict(headers or {})
        if user_agent:
            request_headers["User-Agent"] = ascii_header(user_agent)
        try:
            return self._stream(url, request_headers, timeout)
        except httpx.TooManyRedirects as exc:
            raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects") from exc
        except httpx.UnsupportedProtocol as exc:
            raise FetchError(f"{url}: redirected to a URL that is not http(s)") from exc
        except httpx.TimeoutException as exc:
            raise FetchError(f"{url}: no answer within {timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc

    def _stream(self, url: str, headers: dict[str, str], timeout: float) -> Response:
        deadline = time.monotonic() + timeout
        with self._client.stream("GET", url, headers=headers, timeout=timeout) as resp:
            final = str(resp.url)
            check_url(final)
            if resp.status_code == 304:
                return Response(final, 304, dict(resp.headers), b"")
            if not 200 <= resp.status_code < 300:
                message = f"{url}: HTTP {resp.status_code} {resp.reason_phrase}".rstrip()
                raise FetchError(message, status=resp.status_code)
            chunks: list[bytes] = []
            size = 0
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(f"{url}: response larger than {self.max_bytes // 1024} KiB")
                if time.monotonic() > deadline:
                    raise FetchError(f"{url}: not complete within {timeout:g} s")
                chunks.append(chunk)
            return Response(final, resp.status_code, dict(resp.headers), b"".join(chunks))

    def calls_left(self, rate: RateLimit) -> int:
        """How many more calls `rate` allows within the hour, as things stand now."""
        recent = self.call_log.recent_calls(rate.key, self._wall() - 3600)
        return max(0, rate.per_hour - len(recent))

    def _respect(self, rate: RateLimit) -> None:
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
            if wait > self.max_wait:
                raise RateLimited(f"{rate.key}: next call allowed in {wait:.0f} s")
            if wait > 0:
                self._sleep(wait)
                now = self._wall()
        self.call_log.record_call(rate.key, now)
