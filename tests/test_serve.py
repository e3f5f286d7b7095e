"""``feedpub serve`` over real HTTP on an ephemeral port: feedparser fetches, conditional
GETs answer 304, gzip, content types, nothing outside the feeds, and --watch rebuilds."""

from __future__ import annotations

import gzip
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner

from feedpub.cli import cli
from feedpub.serve import FeedServer, Watcher, make_server

from .conftest import SEEDS

NOW = "2021-01-01T00:00:00Z"
FEEDS = """
[feeds.azure]
title = "Azure"
topics = ["Azure"]
formats = ["rss", "atom", "json"]
"""
ARTICLE = "002_882cc4a5fc2a4bd2.txt"


@dataclass
class Site:
    cfg: Path
    folder: Path
    server: FeedServer
    url: str

    def request(
        self, path: str, method: str = "GET", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        host, port = self.server.server_address[:2]
        conn = http.client.HTTPConnection(str(host), int(port), timeout=10)
        try:
            conn.request(method, path, headers=headers or {})
            response = conn.getresponse()
            body = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            conn.close()


@pytest.fixture
def site(write_config, seeds_dir: Path) -> Iterator[Site]:  # type: ignore[no-untyped-def]
    cfg = write_config(["content/*.txt"], FEEDS)
    result = CliRunner().invoke(cli, ["build", "-c", str(cfg), "--now", NOW])
    assert result.exit_code == 0, result.output
    folder = cfg.parent / "feeds"
    server = make_server(folder, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield Site(cfg, folder, server, server.url)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def edit_title(seeds_dir: Path, new: str) -> None:
    f = seeds_dir / ARTICLE
    text = (SEEDS / ARTICLE).read_text("utf-8")
    f.write_text(text.replace("Microsoft builds massive supercomputer for smarter AI", new, 1))


def test_feedparser_fetches_then_gets_304_with_the_etag_or_the_date(site: Site) -> None:
    url = site.url + "azure.rss"
    first = feedparser.parse(url)
    assert first.status == 200 and not first.bozo, first.get("bozo_exception")
    assert first.entries[0].title.startswith("Microsoft builds massive")
    assert first.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert first.headers["content-encoding"] == "gzip"  # feedparser asks for it
    assert first.headers["vary"] == "Accept-Encoding"
    assert first.etag.startswith('"') and first.etag.endswith('"')  # strong
    again = feedparser.parse(url, etag=first.etag)
    assert again.status == 304 and not again.entries
    dated = feedparser.parse(url, modified=first.modified)
    assert dated.status == 304


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/azure.rss", "application/rss+xml; charset=utf-8"),
        ("/azure.atom", "application/atom+xml; charset=utf-8"),
        ("/azure.json", "application/feed+json; charset=utf-8"),
        ("/feeds.opml", "text/x-opml; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/", "text/html; charset=utf-8"),
    ],
)
def test_content_types_head_and_validators(site: Site, path: str, content_type: str) -> None:
    status, headers, body = site.request(path)
    assert status == 200 and headers["content-type"] == content_type
    name = "index.html" if path == "/" else path[1:]
    assert body == (site.folder / name).read_bytes()
    assert headers["content-length"] == str(len(body))
    assert "last-modified" in headers and headers["vary"] == "Accept-Encoding"
    status, head_headers, head_body = site.request(path, "HEAD")
    assert status == 200 and head_body == b""
    assert head_headers["etag"] == headers["etag"]
    assert head_headers["content-length"] == headers["content-length"]
    status, _, body = site.request(path, headers={"If-None-Match": headers["etag"]})
    assert (status, body) == (304, b"")
    status, _, _ = site.request(path, headers={"If-None-Match": '"other", ' + headers["etag"]})
    assert status == 304
    status, _, _ = site.request(path, headers={"If-None-Match": '"other"'})
    assert status == 200
    since = {"If-Modified-Since": headers["last-modified"]}
    assert site.request(path, headers=since)[0] == 304
    # If-None-Match wins over If-Modified-Since (RFC 9110)
    assert site.request(path, headers={**since, "If-None-Match": '"other"'})[0] == 200
    old = {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
    assert site.request(path, headers=old)[0] == 200


def test_gzip_only_when_asked(site: Site) -> None:
    raw = (site.folder / "azure.atom").read_bytes()
    status, plain, body = site.request("/azure.atom")
    assert status == 200 and body == raw and "content-encoding" not in plain
    status, zipped, body = site.request("/azure.atom", headers={"Accept-Encoding": "br, gzip"})
    assert status == 200 and zipped["content-encoding"] == "gzip"
    assert gzip.decompress(body) == raw
    assert zipped["etag"] != plain["etag"]  # another representation, another strong ETag
    again = site.request("/azure.atom", headers={"Accept-Encoding": "gzip"})
    assert again[2] == body  # deterministic bytes
    refused = site.request("/azure.atom", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in refused[1] and refused[2] == raw


@pytest.mark.parametrize(
    "path",
    [
        "/.feedpub.lock",
        "/.feedpub-cache.sqlite",
        "/../config.toml",
        "/%2e%2e/config.toml",
        "/..%2fconfig.toml",
        "/%2E%2E%2Fcontent%2F" + ARTICLE,
        "//etc/passwd",
        "/sub/azure.rss",
        "/config.toml",
        "/azure.rss%00.html",
        "/leak.rss",
        "/missing.rss",
        "/%ff.rss",
    ],
)
def test_nothing_but_the_feeds_is_served(site: Site, path: str) -> None:
    (site.folder / "leak.rss").symlink_to(site.cfg)  # a symlink out of the folder
    status, _, body = site.request(path)
    assert status == 404, path
    assert b"[site]" not in body and b"secured" not in body


def test_read_only(site: Site) -> None:
    for method in ("POST", "PUT", "DELETE"):
        status, headers, _ = site.request("/azure.rss", method)
        assert status == 405 and headers["allow"] == "GET, HEAD"
    assert (site.folder / "azure.rss").exists()


def read_to_end(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_the_listen_backlog_holds_many_waiting_connections(site: Site) -> None:
    assert site.server.request_queue_size >= 128
    # a server bound and listening, not yet accepting: the kernel queues the connections
    waiting = make_server(site.folder, "127.0.0.1", 0)
    address = waiting.server_address[:2]
    sockets: list[socket.socket] = []
    thread = threading.Thread(target=waiting.serve_forever, args=(0.05,), daemon=True)
    try:
        for _ in range(128):
            # past the backlog, the SYN is dropped and connect() waits for its retry
            # (1 s, 3 s, ...) until this timeout
            sockets.append(socket.create_connection((str(address[0]), int(address[1])), 10))
        thread.start()
        for sock in sockets:
            sock.sendall(b"GET /azure.rss HTTP/1.1\r\nConnection: close\r\n\r\n")
        for sock in sockets:
            assert read_to_end(sock).split(b"\r\n", 1)[0].endswith(b" 200 OK")
    finally:
        for sock in sockets:
            sock.close()
        if thread.is_alive():
            waiting.shutdown()
            thread.join()
        waiting.server_close()


def test_watch_rebuilds_on_change_and_serves_the_new_feed(site: Site, seeds_dir: Path) -> None:
    warnings: list[str] = []
    builds: list[int] = []
    watcher = Watcher(
        site.cfg,
        lambda: datetime(2021, 1, 1, tzinfo=UTC),
        lambda config, result, seconds: builds.append(len(result.outcomes)),
        warnings.append,
        interval=0.05,
        debounce=0.05,
    )
    url = site.url + "azure.atom"
    before = feedparser.parse(url)
    assert watcher.poll() is False  # nothing changed: no build
    edit_title(seeds_dir, "Edited by the watcher test")
    assert watcher.poll() is True
    after = feedparser.parse(url, etag=before.etag)
    assert after.status == 200
    assert after.entries[0].title == "Edited by the watcher test"
    assert feedparser.parse(url, etag=after.etag).status == 304

    # a config that stops loading keeps the last good files served
    good_config = site.cfg.read_text("utf-8")
    site.cfg.write_text(good_config + "\n[feeds.bad]\n", "utf-8")
    assert watcher.poll() is False
    assert any("config not reloaded" in w for w in warnings)
    assert feedparser.parse(url, etag=after.etag).status == 304
    site.cfg.write_text(good_config, "utf-8")

    # the background thread does the same by itself
    watcher.start()
    try:
        edit_title(seeds_dir, "Seen by the background watcher")
        deadline = time.monotonic() + 20
        title = ""
        while time.monotonic() < deadline and title != "Seen by the background watcher":
            time.sleep(0.1)
            title = feedparser.parse(url).entries[0].title
    finally:
        watcher.stop()
    assert title == "Seen by the background watcher"
    assert len(builds) >= 2 and not [w for w in warnings if "failed" in w]


def test_serve_command_listens_and_stops_on_ctrl_c(write_config, seeds_dir: Path) -> None:  # type: ignore[no-untyped-def]
    cfg = write_config(["content/*.txt"], FEEDS)
    process = subprocess.Popen(
        [sys.executable, "-m", "feedpub", "serve", "-c", str(cfg), "--port", "0", "--watch"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )
    try:
        assert process.stderr is not None
        lines = []
        for line in process.stderr:
            lines.append(line)
            if line.startswith("Serving "):
                break
        url = lines[-1].split(" at ")[1].split(" ")[0]
        assert url.startswith("http://127.0.0.1:")
        parsed = feedparser.parse(url + "azure.rss")
        assert parsed.status == 200 and len(parsed.entries) == 2
    finally:
        process.send_signal(signal.SIGINT)
        _, rest = process.communicate(timeout=20)
    assert process.returncode == 0, "".join(lines) + rest
    assert "Traceback" not in rest
