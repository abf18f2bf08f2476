"""A slow HTTP server on 127.0.0.1 for the fetching benchmark.

Each path serves a fixed body after a fixed delay, from its own thread, so
five requests at once take one delay, not five. The server is bounded: it
binds to loopback only, answers only the paths it was given, and shuts itself
down after `lifetime` seconds even if the benchmark forgets to stop it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


@dataclass(frozen=True, slots=True)
class Route:
    body: bytes
    content_type: str
    delay: float


class SlowServer:
    """`with SlowServer(routes) as server:` … `server.url("/feed")`."""

    def __init__(self, routes: Mapping[str, Route], *, lifetime: float = 120.0) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(dict(routes)))
        self._server.daemon_threads = True
        # A short poll, so shutting down takes milliseconds, not the default half second.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._watchdog = threading.Timer(lifetime, self._server.shutdown)
        self._watchdog.daemon = True

    def url(self, path: str) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def __enter__(self) -> SlowServer:
        self._thread.start()
        self._watchdog.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._watchdog.cancel()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _handler(routes: dict[str, Route]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            route = routes.get(self.path)
            if route is None:
                self.send_error(404)
                return
            time.sleep(route.delay)
            self.send_response(200)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            self.wfile.write(route.body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: the benchmark prints its own table

    return Handler
