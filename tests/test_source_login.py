"""A feed behind a login: `username` plus a password from the environment, as for SMTP.

A real HTTP server on 127.0.0.1 asks for basic auth and serves the RSS feed only
to the right login. The password is given only by the environment and is never
written anywhere briefing writes.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from tests.builders import BLEKINGE_RSS, make_config, recorded_ids, recorded_table, table
from tests.clirun import run

USER, PASSWORD = "kommunen", "hemligt-l0senord-123"
FEED = BLEKINGE_RSS.read_bytes()


class _Feed(BaseHTTPRequestHandler):
    seen: ClassVar[list[str | None]] = []

    def do_GET(self) -> None:
        sent = self.headers.get("Authorization")
        type(self).seen.append(sent)
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        if sent != expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="feed"')
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(FEED)))
        self.end_headers()
        self.wfile.write(FEED)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def feed_url() -> Iterator[str]:
    _Feed.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def config(tmp_path: Path, url: str, **keys: object) -> Path:
    feed = table("feed", "rss", "police", url=url, username=USER, timeout=5, **keys)
    return make_config(tmp_path, recorded_table(tmp_path), feed)


def everything_written(tmp_path: Path, *outputs: str) -> str:
    """What briefing printed, and every file it wrote (the store too; not the config we wrote)."""
    written = [
        path.read_bytes().decode("utf-8", "replace")
        for path in tmp_path.rglob("*")
        if path.is_file() and path.name != "sources.toml"
    ]
    return "\n".join([*outputs, *(w for w in written)])


def test_the_login_is_sent_and_the_feed_read(
    tmp_path: Path, feed_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFING_FEED_PASSWORD", PASSWORD)
    result = run(config(tmp_path, feed_url), "--since", "2022-01-01", "--until", "2022-12-31")
    assert result.code == 0, result.stderr
    assert result.source("feed")["status"] == "ok" and result.source("feed")["fetched"] > 0
    assert _Feed.seen and all(sent is not None for sent in _Feed.seen)
    assert PASSWORD not in everything_written(tmp_path, result.stdout, result.stderr)


def test_password_env_names_another_variable_and_a_file_works_too(
    tmp_path: Path, feed_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "secret"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    monkeypatch.setenv("RSS_LOGIN_FILE", str(secret))
    cfg = config(tmp_path, feed_url, password_env="RSS_LOGIN")
    result = run(cfg, "--since", "2022-01-01", "--until", "2022-12-31")
    assert result.source("feed")["status"] == "ok"


def test_without_the_password_the_source_fails_and_says_where_it_goes(
    tmp_path: Path, feed_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BRIEFING_FEED_PASSWORD", raising=False)
    result = run(config(tmp_path, feed_url), fmt="text")
    assert result.code == 3
    assert "BRIEFING_FEED_PASSWORD" in result.stdout
    assert _Feed.seen == []  # nothing asked without the login
    assert recorded_ids() <= run(config(tmp_path, feed_url)).ids("inspelad")


def test_a_wrong_password_is_a_refusal_that_names_no_password(
    tmp_path: Path, feed_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFING_FEED_PASSWORD", "fel-l0senord-999")
    result = run(config(tmp_path, feed_url))
    assert result.code == 3 and "401" in (result.source("feed")["error"] or "")
    assert "fel-l0senord-999" not in everything_written(tmp_path, result.stdout, result.stderr)


def test_a_login_in_the_url_warns_where_it_belongs(tmp_path: Path, feed_url: str) -> None:
    url = feed_url.replace("http://", f"http://{USER}:{PASSWORD}@")
    cfg = make_config(tmp_path, table("feed", "rss", "police", url=url, timeout=5))
    result = run(cfg)
    assert "sources.feed.url holds a user name and password" in result.stderr
    assert "`username`" in result.stderr and "$BRIEFING_FEED_PASSWORD" in result.stderr
    assert PASSWORD not in everything_written(tmp_path, result.stdout, result.stderr)


def test_username_without_url_is_a_config_error(tmp_path: Path) -> None:
    cfg = make_config(tmp_path, table("feed", "rss", "police", path=BLEKINGE_RSS, username=USER))
    result = run(cfg)
    assert result.code != 0 and "give a `url` too" in result.stderr
