from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from briefing.errors import FetchError, RateLimited
from briefing.sources.http import HttpClient, MemoryCallLog, RateLimit
from briefing.store import Store


def client(handler: object, **kwargs: object) -> HttpClient:
    return HttpClient(transport=httpx.MockTransport(handler), **kwargs)  # type: ignore[arg-type]


def test_user_agent_and_body() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["user-agent"])
        return httpx.Response(200, content=b"\xef\xbb\xbf[1, 2]")

    with client(handler) as http:
        assert http.get("https://example.se/a").json() == [1, 2]
        http.get("https://example.se/a", user_agent="briefing (Järfälla kommun)")
    assert seen[0].startswith("briefing/")
    assert seen[1] == "briefing (Jarfalla kommun)"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.se/x", "javascript:alert(1)"])
def test_only_http_urls(url: str) -> None:
    with (
        client(lambda r: httpx.Response(200)) as http,
        pytest.raises(FetchError, match="only http"),
    ):
        http.get(url)


def test_error_status_names_the_url() -> None:
    with (
        client(lambda r: httpx.Response(503), sleep=lambda seconds: None) as http,
        pytest.raises(FetchError, match=r"https://example.se/x: HTTP 503"),
    ):
        http.get("https://example.se/x")


def test_size_cap_on_decoded_body() -> None:
    with (
        client(lambda r: httpx.Response(200, content=b"x" * 5000), max_bytes=1000) as http,
        pytest.raises(FetchError, match="larger than"),
    ):
        http.get("https://example.se/big")


def test_redirect_to_file_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"location": "file:///etc/passwd"})

    with client(handler) as http, pytest.raises(FetchError, match="not http"):
        http.get("https://example.se/r")


def test_not_modified_is_returned() -> None:
    with client(lambda r: httpx.Response(304)) as http:
        assert http.get("https://example.se/x", headers={"If-None-Match": '"a"'}).status == 304


def test_rate_limit_waits_and_caps_per_hour() -> None:
    clock = [1_000_000.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    log = MemoryCallLog()
    rate = RateLimit("polisen.se", min_interval=10, per_hour=60)
    with client(
        lambda r: httpx.Response(200, content=b"[]"),
        call_log=log,
        sleep=sleep,
        wall_clock=lambda: clock[0],
    ) as http:
        http.get("https://polisen.se/api/events", rate=rate)
        clock[0] += 3
        http.get("https://polisen.se/api/events", rate=rate)
        assert slept == [pytest.approx(7)]
        for _ in range(58):
            http.get("https://polisen.se/api/events", rate=rate)
        assert len(log.calls["polisen.se"]) == 60
        with pytest.raises(RateLimited, match="60 calls in the last hour"):
            http.get("https://polisen.se/api/events", rate=rate)
        assert len(log.calls["polisen.se"]) == 60


class _Drip(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "100")
        self.end_headers()
        for _ in range(100):  # bounded: at most 10 s
            try:
                self.wfile.write(b"x")
                self.wfile.flush()
            except OSError:
                return
            time.sleep(0.1)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def drip_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Drip)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/drip"
    server.shutdown()
    server.server_close()


@pytest.mark.slow  # waits out the deadline
@pytest.mark.timeout(15)
def test_total_deadline_on_a_dripping_server(drip_server: str) -> None:
    started = time.monotonic()
    with HttpClient() as http, pytest.raises(FetchError, match=r"within 0\.5 s"):
        http.get(drip_server, timeout=0.5)
    assert time.monotonic() - started < 3


def test_rate_limit_holds_across_runs(tmp_path: Path) -> None:
    """Two runs, two processes' worth of objects, one store: the second run waits."""
    clock = [1_000_000.0]
    slept: list[float] = []
    rate = RateLimit("polisen.se", min_interval=10, per_hour=60)

    def run() -> None:
        with (
            Store(tmp_path / "store.sqlite3") as store,
            client(
                lambda r: httpx.Response(200, content=b"[]"),
                call_log=store,
                sleep=slept.append,
                wall_clock=lambda: clock[0],
            ) as http,
        ):
            http.get("https://polisen.se/api/events", rate=rate)

    run()
    clock[0] += 4
    run()
    assert slept == [pytest.approx(6)]
