"""``feedpub serve`` over real HTTP on an ephemeral port: feedparser fetches, conditional
GETs answer 304, gzip, content types, nothing outside the feeds, --watch rebuilds,
HTTP/1.1 keep-alive, the listen backlog and the access log."""

from __future__ import annotations

import gzip
import http.client
import os
import re
import shutil
import signal
import socket
import struct
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
from feedpub.serve import FeedHandler, FeedServer, Watcher, make_server

from .conftest import ROOT, SEEDS, interruptible

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
    log: list[str]

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.server.server_address[:2]
        return str(host), int(port)

    def connect(self) -> socket.socket:
        return socket.create_connection(self.address, timeout=10)

    def log_lines(self, n: int) -> list[str]:
        """The log, once it has ``n`` lines: a line is written just after its response."""
        deadline = time.monotonic() + 10
        while len(self.log) < n and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.log) == n, self.log
        return self.log

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


#: What the test server's clock says, whenever it is asked: after any file's mtime (a
#: conditional request's date is read against it, as against the real clock).
CLOCK_AT = datetime(2090, 11, 1, 12, 34, 56, tzinfo=UTC)


@pytest.fixture
def site(write_config, seeds_dir: Path) -> Iterator[Site]:  # type: ignore[no-untyped-def]
    cfg = write_config(["content/*.txt"], FEEDS)
    result = CliRunner().invoke(cli, ["build", "-c", str(cfg), "--now", NOW])
    assert result.exit_code == 0, result.output
    folder = cfg.parent / "feeds"
    log: list[str] = []
    server = make_server(folder, "127.0.0.1", 0, log=log.append, clock=CLOCK_AT.timestamp)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield Site(cfg, folder, server, server.url, log)
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


def test_if_modified_since_in_each_of_http_s_three_date_formats(site: Site) -> None:
    """RFC 9110 5.6.7: a recipient accepts the IMF-fixdate, RFC 850's and asctime's
    (a date without a zone in another form is no HTTP-date: ignored)."""
    mtime = datetime.fromtimestamp((site.folder / "azure.rss").stat().st_mtime, UTC)
    dates = {
        mtime.strftime("%a, %d %b %Y %H:%M:%S GMT"): 304,
        mtime.strftime("%A, %d-%b-%y %H:%M:%S GMT"): 304,
        f"{mtime:%a %b} {mtime.day:2d} {mtime:%H:%M:%S %Y}": 304,
        mtime.strftime("%a, %d %b %Y %H:%M:%S"): 200,
        # a date after the server's clock (a reader's clock ahead): ignored, as Apache
        # and nginx do (it was 304, a feed changed since then never fetched again)
        "Thu, 01 Jan 2099 00:00:00 GMT": 200,
        # (the server's clock, the one it is given: 2050 is before the test's)
        "Sat, 01 Jan 2050 00:00:00 GMT": 304,
    }
    for date, status in dates.items():
        assert site.request("/azure.rss", headers={"If-Modified-Since": date})[0] == status, date


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


#: host - - [time] "request line" status bytes
LOG_LINE = re.compile(
    r'(?P<host>\S+) - - \[(?P<time>[^]]+)\] "(?P<request>(?:[^"\\]|\\.)*)" '
    r"(?P<status>\d{3}) (?P<bytes>\d+)"
)


def exchange(sock: socket.socket, request: bytes) -> http.client.HTTPResponse:
    """Send ``request`` on ``sock``; its response, body read (nothing past it is)."""
    sock.sendall(request)
    response = http.client.HTTPResponse(sock, method=request.split(b" ", 1)[0].decode())
    response.begin()
    response.read()
    return response


def statuses(lines: list[str]) -> dict[str, str]:
    """Request line -> status, from log lines (those of two connections may come in
    either order: each is written just after its response)."""
    matches = [LOG_LINE.fullmatch(line) for line in lines]
    return {m["request"]: m["status"] for m in matches if m}


def read_to_end(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_http_1_1_keeps_the_connection_for_every_kind_of_response(site: Site) -> None:
    conn = http.client.HTTPConnection(*site.address, timeout=10)
    try:
        conn.request("GET", "/azure.rss")
        first = conn.getresponse()
        etag = first.getheader("ETag")
        assert (first.status, first.version) == (200, 11)
        assert first.read() == (site.folder / "azure.rss").read_bytes()
        assert conn.sock is not None and not first.will_close
        local = conn.sock.getsockname()
        # a 304, a HEAD, a 404, a 405 and a gzip body: each with its Content-Length,
        # each leaving the connection open for the next
        asks: list[tuple[str, str, dict[str, str], int]] = [
            ("GET", "/azure.rss", {"If-None-Match": str(etag)}, 304),
            ("HEAD", "/azure.atom", {}, 200),
            ("GET", "/missing.rss", {}, 404),
            ("HEAD", "/missing.rss", {}, 404),
            ("DELETE", "/azure.rss", {}, 405),
            ("GET", "/azure.atom", {"Accept-Encoding": "gzip"}, 200),
        ]
        for method, path, headers, status in asks:
            conn.request(method, path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            assert (response.status, response.version) == (status, 11), (method, path)
            assert response.getheader("Content-Length") is not None, (method, path)
            assert response.getheader("Connection") is None, (method, path)
            if method == "GET" and status != 304:
                assert len(body) == int(response.getheader("Content-Length", "-1"))
            if status == 304:  # the length a 200 would have (RFC 9110 8.6)
                assert response.getheader("Content-Length") == first.getheader("Content-Length")
            assert conn.sock is not None and conn.sock.getsockname() == local, (method, path)
    finally:
        conn.close()
    lines = site.log_lines(len(asks) + 1)
    assert {line.split(" ")[0] for line in lines} == {"127.0.0.1"}


def test_the_connection_closes_when_it_must(site: Site) -> None:
    # an HTTP/1.0 client asking for keep-alive is told so, and kept
    with site.connect() as sock:
        kept = exchange(sock, b"GET /azure.rss HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        assert kept.status == 200 and kept.getheader("Connection") == "keep-alive"
        # without asking, it is closed after the response
        closed = exchange(sock, b"GET /azure.atom HTTP/1.0\r\n\r\n")
        assert closed.status == 200 and closed.getheader("Connection") == "close"
        assert read_to_end(sock) == b""
    # an HTTP/1.1 client asking for close
    with site.connect() as sock:
        closing = b"GET /azure.rss HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        response = exchange(sock, closing)
        assert response.status == 200 and response.getheader("Connection") == "close"
        assert read_to_end(sock) == b""
    # a body is never read: never taken for the next request either
    smuggled = b"GET /azure.rss HTTP/1.1\r\nHost: x\r\n\r\n"
    with site.connect() as sock:
        head = b"POST /azure.rss HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n"
        request = head % len(smuggled)
        response = exchange(sock, request + smuggled)
        assert response.status == 405 and response.getheader("Connection") == "close"
        assert read_to_end(sock) == b""
    # nor is a request that cannot be parsed
    with site.connect() as sock:
        response = exchange(sock, b"GET /azure.rss junk HTTP/1.1\r\n\r\n" + smuggled)
        assert response.status == 400 and response.getheader("Connection") == "close"
        assert response.getheader("Content-Length") == str(len(b"bad request\n"))
        assert read_to_end(sock) == b""
    assert statuses(site.log_lines(5)) == {
        "GET /azure.rss HTTP/1.0": "200",
        "GET /azure.atom HTTP/1.0": "200",
        "GET /azure.rss HTTP/1.1": "200",
        "POST /azure.rss HTTP/1.1": "405",
        "GET /azure.rss junk HTTP/1.1": "400",
    }


@pytest.mark.parametrize(
    "head, status",
    [
        (b"GET /azure.rss HTTP/1.1\r\n", 400),  # no Host (RFC 9112 3.2: a server must refuse)
        (b"GET /azure.rss HTTP/1.1\r\nHost: a\r\nHost: b\r\n", 400),  # two
        (b"GET /azure.rss HTTP/1.1\r\nHost: a\r\n", 200),
        (b"GET /azure.rss HTTP/1.0\r\n", 200),  # (HTTP/1.0 has no Host to ask)
    ],
)
def test_an_http_1_1_request_needs_one_host(site: Site, head: bytes, status: int) -> None:
    with site.connect() as sock:
        response = exchange(sock, head + b"\r\n")
        assert response.status == status
        if status == 400:
            assert response.getheader("Connection") == "close"
            assert response.getheader("Content-Length") == str(len(b"bad request\n"))
            assert read_to_end(sock) == b""
    assert statuses(site.log_lines(1)) == {head.split(b"\r\n", 1)[0].decode(): str(status)}


@pytest.mark.parametrize(
    ("request_line", "status"),
    [
        (b"GET /azure.rss HTTP/2.0", 505),
        (b"PRI * HTTP/2.0", 505),
        (b"GET /azure.rss HTTP/1.x", 400),
    ],
)
def test_a_version_refused_is_answered_with_a_status_line(
    site: Site, request_line: bytes, status: int
) -> None:
    """Not the bare body the base class sends an HTTP/0.9 client."""
    with site.connect() as sock:
        response = exchange(sock, request_line + b"\r\nHost: x\r\n\r\n")
        assert response.status == status and response.version == 11
        assert response.getheader("Connection") == "close"
        assert response.getheader("Content-Length") is not None
        assert read_to_end(sock) == b""
    assert statuses(site.log_lines(1)) == {request_line.decode(): str(status)}


def test_an_idle_keep_alive_connection_is_closed_after_the_timeout(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(FeedHandler, "timeout", 0.2)
    with site.connect() as sock:
        for path in (b"/azure.rss", b"/azure.atom"):
            response = exchange(sock, b"GET %s HTTP/1.1\r\nHost: test\r\n\r\n" % path)
            assert response.status == 200 and response.getheader("Connection") is None
        assert read_to_end(sock) == b""  # the server closed it, after its log call
    assert len(site.log) == 2  # the routine close is not logged


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
            sock.sendall(b"GET /azure.rss HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        for sock in sockets:
            assert read_to_end(sock).split(b"\r\n", 1)[0].endswith(b" 200 OK")
    finally:
        for sock in sockets:
            sock.close()
        if thread.is_alive():
            waiting.shutdown()
            thread.join()
        waiting.server_close()


def test_one_log_line_per_response_with_time_status_and_bytes(site: Site) -> None:
    conn = http.client.HTTPConnection(*site.address, timeout=10)
    bodies = []
    try:  # one connection: its lines come in order
        for method, path in [
            ("GET", "/azure.rss"),
            ("HEAD", "/azure.rss"),
            ("GET", "/missing.rss"),
            ("POST", "/azure.rss"),
        ]:
            conn.request(method, path)
            bodies.append(conn.getresponse().read())
    finally:
        conn.close()
    lines = site.log_lines(4)
    found = []
    for line in lines:
        match = LOG_LINE.fullmatch(line)
        assert match, line
        when = datetime.strptime(match["time"], "%d/%b/%Y:%H:%M:%S %z")
        assert when == CLOCK_AT  # the server's injected clock
        found.append((match["host"], match["request"], match["status"], int(match["bytes"])))
    assert found == [
        ("127.0.0.1", "GET /azure.rss HTTP/1.1", "200", len(bodies[0])),
        ("127.0.0.1", "HEAD /azure.rss HTTP/1.1", "200", 0),
        ("127.0.0.1", "GET /missing.rss HTTP/1.1", "404", len(b"not found\n")),
        ("127.0.0.1", "POST /azure.rss HTTP/1.1", "405", 0),
    ]


def test_a_client_that_resets_its_connection_is_no_traceback(
    site: Site, capfd: pytest.CaptureFixture[str]
) -> None:
    """A reader that closes its kept-alive connection with requests still unanswered
    (a reset): the server says nothing of it, and serves the next reader."""
    sock = site.connect()
    sock.sendall(b"GET /azure.rss HTTP/1.1\r\nHost: x\r\n\r\n" * 20)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()  # (a reset: what was sent and not read is thrown away)
    time.sleep(0.3)
    assert site.request("/azure.rss")[0] == 200
    _, err = capfd.readouterr()
    assert "Traceback" not in err and "Error" not in err, err
    assert not [line for line in site.log if " error: " in line], site.log


def test_a_reader_gone_mid_response_is_not_logged(site: Site) -> None:
    """Its line would say ``200 0``: neither the whole body nor nothing was sent."""
    (site.folder / "big.json").write_bytes(b"x" * (32 << 20))  # (past any socket buffer)
    sock = site.connect()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.sendall(b"GET /big.json HTTP/1.1\r\nHost: x\r\n\r\n")
    assert sock.recv(100).startswith(b"HTTP/1.1 200 ")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
    time.sleep(0.3)
    assert site.request("/azure.rss")[0] == 200
    assert statuses(site.log_lines(1)) == {"GET /azure.rss HTTP/1.1": "200"}


def test_an_error_in_the_server_is_one_line_of_its_log(
    site: Site, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: FeedHandler) -> None:
        raise RuntimeError("boom\nforged line")

    monkeypatch.setattr(FeedHandler, "do_GET", broken)
    with pytest.raises((http.client.HTTPException, ConnectionError)):
        site.request("/azure.rss")
    deadline = time.monotonic() + 10
    while not site.log and time.monotonic() < deadline:
        time.sleep(0.01)
    assert site.log == ["127.0.0.1 - error: RuntimeError: boom\\x0aforged line"]  # (one line)
    assert "Traceback" not in capfd.readouterr().err


def test_a_long_request_line_is_cut_and_escaped_in_the_log(site: Site) -> None:
    # control characters, a quote, a backslash, a carriage return and non-ASCII bytes
    # in 1,000 characters: a 400 (the CR splits the line), logged on one line
    head = b'GET /\x1b[31m"\\\r\xc3\xa9'
    line = head + b"a" * 1000 + b" HTTP/1.1"
    with site.connect() as sock:
        response = exchange(sock, line + b"\r\n\r\n")
        assert response.status == 400 and response.getheader("Connection") == "close"
    # 65 kB (more than the server reads of a request line): a 414
    huge = b"GET /" + b"b" * (65537 - 5)
    with site.connect() as sock:
        sock.sendall(huge)
        answer = read_to_end(sock)
    # RFC 9110's name on every Python (3.13's HTTPStatus; "Request-URI Too Long" before)
    assert answer.startswith(b"HTTP/1.1 414 URI Too Long\r\n")
    assert answer.endswith(b"\r\n\r\nuri too long\n")
    assert b"\r\nConnection: close\r\n" in answer and b"\r\nContent-Length: " in answer
    lines = site.log_lines(2)
    first, second = sorted(lines, key=lambda line: " 414 " in line)
    for entry in (first, second):
        assert entry.isascii() and entry.isprintable(), entry
        assert len(entry) < 300
    cut = 200 - len(head)
    assert (
        f'"GET /\\x1b[31m\\"\\\\\\x0d\\xc3\\xa9{"a" * cut}...[+{len(line) - 200} chars]" 400 '
        in first
    )
    assert f'"GET /{"b" * 195}...[+{65537 - 200} chars]" 414 ' in second
    assert LOG_LINE.fullmatch(first) and LOG_LINE.fullmatch(second)


def test_a_rebuild_stops_at_its_next_step_when_the_watcher_is_stopped(
    site: Site, seeds_dir: Path
) -> None:
    """Stopping the watcher (Ctrl-C, SIGTERM) stops a rebuild under way where it is,
    as Ctrl-C stops a build: its staging folders removed, the last good files kept."""
    warnings: list[str] = []
    watcher = Watcher(site.cfg, lambda: datetime(2021, 1, 1, tzinfo=UTC),
                      lambda *_: None, warnings.append)  # fmt: skip
    before = {p.name: p.read_bytes() for p in site.folder.iterdir()}
    edit_title(seeds_dir, "Never published")
    watcher.stop()  # (asked before the rebuild: it stops at its first step)
    assert watcher.rebuild() is False
    assert warnings == ["feedpub: serve: rebuild stopped; the last good files stay"]
    assert {p.name: p.read_bytes() for p in site.folder.iterdir()} == before


def test_watch_reports_a_file_broken_as_it_settled_not_a_save_in_progress(
    site: Site, seeds_dir: Path
) -> None:
    """A build takes a file modified the moment before it that does not read as a save
    in progress (as the last build read it); the watcher waited for the files to settle,
    and builds again only at the next change: it reports the file, as it stands."""
    errors: list[str] = []
    watcher = Watcher(site.cfg, lambda: datetime(2021, 1, 1, tzinfo=UTC),
                      lambda config, result, seconds: errors.extend(map(str, result.gathered.errors)),
                      print, interval=0.05, debounce=0.05)  # fmt: skip
    f = seeds_dir / ARTICLE
    f.write_bytes(f.read_bytes()[:200])
    moment = int(datetime(2021, 1, 1, tzinfo=UTC).timestamp()) * 10**9
    os.utime(f, ns=(moment, moment))  # (as the clock the watcher is given says)
    assert watcher.poll() is True
    assert [e.split(":")[0] for e in errors] == [f"content/{ARTICLE}"]


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


def test_a_changed_site_output_is_said_at_every_rebuild_with_the_folder_served(
    site: Site, seeds_dir: Path
) -> None:
    """Said once, then every edit went on into the new folder while the old one was
    served; and set back, the message named the new folder as the one served."""
    warnings: list[str] = []
    watcher = Watcher(site.cfg, lambda: datetime(2021, 1, 1, tzinfo=UTC),
                      lambda config, result, seconds: None, warnings.append,
                      interval=0.05, debounce=0.05)  # fmt: skip
    served = watcher.config.output
    good = site.cfg.read_text("utf-8")
    site.cfg.write_text(good.replace("[site]\n", '[site]\noutput = "public"\n', 1), "utf-8")
    assert watcher.poll() is True
    edit_title(seeds_dir, "Edited while serving the old folder")
    assert watcher.poll() is True
    said = (f"feedpub: serve: site.output is now {site.cfg.parent / 'public'}; still serving "
            f"{served}: restart feedpub serve to preview it")  # fmt: skip
    assert warnings == [said, said]
    site.cfg.write_text(good, "utf-8")
    assert watcher.poll() is True
    assert warnings == [said, said]  # (the folder served again: nothing to say)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_serve_command_listens_and_stops_on_ctrl_c(
    write_config, seeds_dir: Path, stop: int
) -> None:  # type: ignore[no-untyped-def]
    """Ctrl-C, or SIGTERM (``kill``, systemd), stops it as it stops a build: cleanly,
    exit 0, nothing of a build's left in the output folder."""
    cfg = write_config(["content/*.txt"], FEEDS)
    process = subprocess.Popen(
        [sys.executable, "-m", "feedpub", "serve", "-c", str(cfg), "--port", "0", "--watch"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "error"},
        preexec_fn=interruptible,
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
        process.send_signal(stop)
        _, rest = process.communicate(timeout=20)
    assert process.returncode == 0, "".join(lines) + rest
    assert "Traceback" not in rest
    assert "feedpub: stopping (a rebuild under way stops at its next step)" in rest
    assert not list((cfg.parent / "feeds").glob(".feedpub-stage.*"))


def test_watch_says_each_skipped_or_hidden_file_once_a_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every rebuild said again every ``skipped`` and ``hidden by`` line of the site, the
    same each time: now once, and again when one goes and comes back."""
    from feedpub.cli import watch_report

    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    shutil.copytree(ROOT / "content", tmp_path / "content")
    (tmp_path / "elsewhere.txt").write_bytes((SEEDS / ARTICLE).read_bytes())
    link = tmp_path / "content" / "news" / "out.txt"
    link.symlink_to(tmp_path / "elsewhere.txt")
    watcher = Watcher(tmp_path / "config.toml", lambda: CLOCK_AT, watch_report(), print)

    def notes() -> list[str]:
        assert watcher.rebuild() is True
        err = capsys.readouterr().err.splitlines()
        assert any(line.startswith("files ") for line in err), err  # (each build's summary)
        return [line for line in err if line.startswith("skipped ") or " hidden by " in line]

    skipped = "skipped content/news/out.txt: leads outside the content folder"
    first = notes()
    assert len(first) == 2 and first[0].startswith(skipped) and "hidden by" in first[1], first
    assert notes() == []  # (the same: said already)
    link.unlink()
    assert notes() == []  # (gone: nothing to say)
    link.symlink_to(tmp_path / "elsewhere.txt")
    assert notes() == first[:1]  # back: said again
