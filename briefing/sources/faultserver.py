"""A misbehaving HTTP server on 127.0.0.1 for the fault tests.

Only tests import it: the adapter contract (`briefing.sources.contract`) runs
every adapter against it, a plug-in's as well as the built-ins, so it ships in
the package; the briefing itself never starts it.

Every way a source has failed a feed reader in the wild, as a route: a server
that hangs, drips, floods, bombs, resets, errs, throttles, moves, or answers
200 with something that is not the feed. Loops are bounded and watch a stop
event; the server shuts itself down after `lifetime` seconds even if a test
forgets to.

    with FaultServer() as server:
        server.add("feed", body, "application/rss+xml", etag='"v1"')
        url = server.url("/feed/feed")          # serves it, with 304 on a match
        url = server.url("/status/503?times=2&then=feed")   # 503, 503, then the feed

Routes (GET):

| route | behaviour |
|---|---|
| /hang | reads the request, never answers |
| /drip | 200, then one byte of body every `interval` s |
| /drip-headers | a status line, then one header byte every `interval` s |
| /big | 200 MiB body (Content-Length set) |
| /bomb | gzip of 200 MiB of zeros, streamed |
| /reset | reads the request, then resets the connection (RST) |
| /status/<code> | that status; `retry_after=N`, `times=K` (then `then=<payload>`) |
| /moved/<payload> | 301 to the payload on another host name (localhost) |
| /moved-to-file | 301 to file:///etc/passwd |
| /loop | 302 to itself, forever |
| /login | 200 with an HTML login page |
| /empty | 200 with an empty body |
| /truncated.json | JSON cut off mid-record |
| /bom.json | a polisen event list with a UTF-8 byte-order mark |
| /latin1.xml | an RSS feed in Latin-1 that says (header and prolog) it is UTF-8 |
| /entity-bomb.xml | billion laughs |
| /feed/<payload> | a registered payload, honouring If-None-Match / If-Modified-Since |
"""

from __future__ import annotations

import gzip
import socket
import struct
import sys
import threading
import zlib
from collections import Counter
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

MIB = 1024 * 1024
BIG_BYTES = 200 * MIB
CHUNK = 64 * 1024

LOGIN_PAGE = b"""<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8"><title>Logga in</title></head>
<body><form method="post" action="/login"><label>Anv\xc3\xa4ndarnamn <input name="u"></label>
<label>L\xc3\xb6senord <input type="password" name="p"></label><button>Logga in</button></form>
</body></html>
"""

# A real-shaped polisen event, cut off in the middle of its second record.
TRUNCATED_JSON = (
    b'[{"id": 420202, "datetime": "2023-06-08 6:11:43 +02:00", '
    b'"name": "08 juni 06.11, Brand, J\xc3\xa4rf\xc3\xa4lla", "summary": "Brand i radhus.", '
    b'"url": "/aktuellt/handelser/2023/juni/8/08-juni-0611-brand-jarfalla/", '
    b'"type": "Brand", "location": {"name": "J\xc3\xa4rf\xc3\xa4lla", "gps": "59.4,17.8"}},'
    b' {"id": 420203, "datetime": "2023-06-08 6:20'
)

LATIN1_FEED = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<rss version="2.0"><channel><title>Polisen Stockholms län</title>'
    "<item><title>08 juni 06.11, Brand, Järfälla</title>"
    "<guid>latin1-1</guid><link>https://polisen.se/aktuellt/handelser/latin1-1/</link>"
    "<description>Brand i förråd på Söderhöjden, Jakobsberg.</description>"
    "<pubDate>Thu, 08 Jun 2023 06:15:00 +0200</pubDate></item>"
    "</channel></rss>\n"
).encode("latin-1")

_LOLS = "".join(f' <!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">\n' for n in range(1, 10))
ENTITY_BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol0 "lol">\n'
    + _LOLS
    + ']>\n<rss version="2.0"><channel><title>&lol9;</title>'
    "<item><title>&lol9;</title><guid>bomb-1</guid></item></channel></rss>\n"
).encode()


@dataclass
class Payload:
    body: bytes
    content_type: str
    etag: str | None = None
    last_modified: str | None = None  # an HTTP date


@dataclass
class Seen:
    """One request the server received."""

    path: str
    headers: dict[str, str]


@dataclass
class _State:
    payloads: dict[str, Payload] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)
    hits: Counter[str] = field(default_factory=Counter)
    stop: threading.Event = field(default_factory=threading.Event)
    interval: float = 0.05
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    state: _State

    def handle_error(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        # A client that gives up (a deadline passed, a size cap hit) closes or resets
        # the connection mid-request: that is what the faults are for, not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


class FaultServer:
    """The server, started on enter and stopped on exit (or after `lifetime` seconds)."""

    def __init__(self, lifetime: float = 60.0, interval: float = 0.05) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.state = _State(interval=interval)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._deadman = threading.Timer(lifetime, self.stop)
        self._deadman.daemon = True

    @property
    def requests(self) -> list[Seen]:
        return self._server.state.requests

    def hits(self, path: str) -> int:
        return self._server.state.hits[path]

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def add(
        self,
        name: str,
        body: bytes,
        content_type: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> str:
        """Serve `body` at /feed/<name>; returns its URL."""
        self._server.state.payloads[name] = Payload(body, content_type, etag, last_modified)
        return self.url(f"/feed/{name}")

    def start(self) -> FaultServer:
        self._thread.start()
        self._deadman.start()
        return self

    def stop(self) -> None:
        state = self._server.state
        if state.stop.is_set():
            return
        state.stop.set()
        self._deadman.cancel()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    @property
    def state(self) -> _State:
        return self.server.state

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        with self.state.lock:
            self.state.requests.append(Seen(self.path, dict(self.headers.items())))
            self.state.hits[self.path] += 1
        head, _, rest = parts.path.strip("/").partition("/")
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        route = getattr(self, "route_" + head.replace("-", "_").replace(".", "_"), None)
        try:
            if route is None:
                self._send(404, b"no such route\n", "text/plain")
            else:
                route(rest, query)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should

    # --- faults of the connection ----------------------------------------------------

    def route_hang(self, rest: str, query: dict[str, str]) -> None:
        self.state.stop.wait(timeout=10.0)
        self.close_connection = True

    def route_drip(self, rest: str, query: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        for _ in range(1000):  # bounded: 1000 bytes at most
            self.wfile.write(b"x")
            self.wfile.flush()
            if self.state.stop.wait(self.state.interval):
                break
        self.close_connection = True

    def route_drip_headers(self, rest: str, query: dict[str, str]) -> None:
        self.wfile.write(b"HTTP/1.1 200 OK\r\n")
        for _ in range(1000):  # bounded; never reaches the blank line
            self.wfile.write(b"X")
            self.wfile.flush()
            if self.state.stop.wait(self.state.interval):
                break
        self.close_connection = True

    def route_big(self, rest: str, query: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(BIG_BYTES))
        self.end_headers()
        block = b" " * CHUNK
        for _ in range(BIG_BYTES // CHUNK):
            if self.state.stop.is_set():
                break
            self.wfile.write(block)
        self.close_connection = True

    def route_bomb(self, rest: str, query: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Encoding", "gzip")
        self.end_headers()  # no length: the body ends when the connection closes
        self.close_connection = True
        squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip wrapper
        zeros = bytes(MIB)
        for _ in range(BIG_BYTES // MIB):
            if self.state.stop.is_set():
                return
            self.wfile.write(squeeze.compress(zeros))
        self.wfile.write(squeeze.flush())

    def route_reset(self, rest: str, query: dict[str, str]) -> None:
        # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    # --- faults of the answer -----------------------------------------------------------

    def route_status(self, rest: str, query: dict[str, str]) -> None:
        times = int(query.get("times", "1000000"))
        then = query.get("then")
        if self.state.hits[self.path] > times and then:
            self._serve_payload(then)
            return
        code = int(rest)
        extra = {"Retry-After": query["retry_after"]} if "retry_after" in query else {}
        self._send(code, f"status {code}\n".encode(), "text/plain", extra)

    def route_moved(self, rest: str, query: dict[str, str]) -> None:
        target = f"http://localhost:{self.server.server_address[1]}/feed/{rest}"
        self._send(301, b"", "text/plain", {"Location": target})

    def route_moved_to_file(self, rest: str, query: dict[str, str]) -> None:
        self._send(301, b"", "text/plain", {"Location": "file:///etc/passwd"})

    def route_loop(self, rest: str, query: dict[str, str]) -> None:
        self._send(302, b"", "text/plain", {"Location": "/loop"})

    def route_login(self, rest: str, query: dict[str, str]) -> None:
        self._send(200, LOGIN_PAGE, "text/html; charset=utf-8")

    def route_empty(self, rest: str, query: dict[str, str]) -> None:
        self._send(200, b"", "application/json")

    def route_truncated_json(self, rest: str, query: dict[str, str]) -> None:
        self._send(200, TRUNCATED_JSON, "application/json; charset=utf-8")

    def route_bom_json(self, rest: str, query: dict[str, str]) -> None:
        payload = self.state.payloads.get("bom-source")
        body = payload.body if payload else b"[]"
        self._send(200, b"\xef\xbb\xbf" + body, "application/json; charset=utf-8")

    def route_latin1_xml(self, rest: str, query: dict[str, str]) -> None:
        self._send(200, LATIN1_FEED, "application/rss+xml; charset=utf-8")

    def route_entity_bomb_xml(self, rest: str, query: dict[str, str]) -> None:
        self._send(200, ENTITY_BOMB, "application/rss+xml")

    def route_feed(self, rest: str, query: dict[str, str]) -> None:
        self._serve_payload(rest)

    # --- helpers -----------------------------------------------------------------------

    def _serve_payload(self, name: str) -> None:
        payload = self.state.payloads.get(name)
        if payload is None:
            self._send(404, b"no such payload\n", "text/plain")
            return
        validators = {}
        if payload.etag:
            validators["ETag"] = payload.etag
        if payload.last_modified:
            validators["Last-Modified"] = payload.last_modified
        if self._not_modified(payload):
            self._send(304, b"", payload.content_type, validators)
            return
        self._send(200, payload.body, payload.content_type, validators)

    def _not_modified(self, payload: Payload) -> bool:
        match = self.headers.get("If-None-Match")
        if match is not None:
            return payload.etag is not None and payload.etag in match
        since = self.headers.get("If-Modified-Since")
        if since and payload.last_modified:
            try:
                return parsedate_to_datetime(payload.last_modified) <= parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
        return False

    def _send(
        self, code: int, body: bytes, ctype: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        if code != 304:
            self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if code != 304:
            self.wfile.write(body)


def http_date(epoch: float) -> str:
    """An HTTP date (for Last-Modified)."""
    return formatdate(epoch, usegmt=True)


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data)
