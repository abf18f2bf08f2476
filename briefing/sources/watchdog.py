"""A total deadline for one HTTP request, whatever the server does.

httpx's timeouts apply to each read, so a server sending a byte a second (in
its headers too) would hold a request for as long as it likes. The watchdog
learns the request's socket from httpcore's trace of the connection being made
and shuts it when the deadline passes; the blocked read then fails at once.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any


class Watchdog:
    """Shuts the request's socket when the deadline passes.

    httpx's timeouts apply to each read, so a server sending a byte a second
    (in its headers too) would hold a request for as long as it likes. The
    socket is learnt from httpcore's trace of the connection being made.
    """

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, seconds), self._fire)
        self._timer.daemon = True

    def __enter__(self) -> Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event != "connection.connect_tcp.complete":
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            with self._lock:
                self._sockets.append(sock)
                if self.fired:
                    _shut(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)
