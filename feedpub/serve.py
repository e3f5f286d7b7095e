"""``feedpub serve``: the output folder over HTTP, as a good static host serves it,
for trying feeds in a real reader before they are published.

- Read-only (GET and HEAD; anything else is 405), flat: only files directly in
  the output folder, never a dotfile (the cache, the lock, a build's staging
  folder), never a path with ``/`` or ``..`` in it, never a symlink out of the
  folder, and only the types a build writes (anything else is 404).
- Content types: ``.rss`` application/rss+xml, ``.atom`` application/atom+xml,
  ``.json`` application/feed+json, ``.opml`` text/x-opml, ``.html`` text/html,
  all UTF-8.
- Conditional GET: a strong ``ETag`` (a hash of the bytes sent) and
  ``Last-Modified`` (the file's mtime); ``If-None-Match`` (which wins) or
  ``If-Modified-Since`` (any of the three forms of an HTTP date) answer ``304 Not Modified``.
- gzip when ``Accept-Encoding`` asks for it, always with ``Vary: Accept-Encoding``.
- HTTP/1.1 with keep-alive: every response (errors, 304 and HEAD included) carries
  its ``Content-Length``; a connection closes after a request that sends a body (none
  is read) or a malformed one, when the client asks, or after :data:`KEEP_ALIVE`
  idle seconds. ``TCP_NODELAY``: a body never waits for the ACK of its headers.
- A listen backlog of :data:`BACKLOG`, so that many readers connecting at once wait
  in the kernel's queue instead of overflowing it (a dropped SYN is retried by the
  client after 1 s, then 3 s).
- One access-log line per response, as in the common log format: client, time,
  request line (cut at :data:`LOG_REQUEST_MAX` characters, with quotes, backslashes,
  control and non-ASCII characters escaped, so a line is always one line), status and
  body bytes sent.

With ``--watch``, a :class:`Watcher` polls the content files and the config
for changes, waits until they settle, and rebuilds in a background thread with
:func:`feedpub.build.build` under the build lock. A build writes each file
atomically and keeps the old file of a feed that fails, so the server always
serves the last good files.
"""

from __future__ import annotations

import _thread
import contextlib
import gzip
import hashlib
import os
import re
import socket
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from . import __version__
from .build import BuildResult, build
from .config import Config, load_config
from .errors import ConfigError, LockError, shown_path
from .output import build_lock
from .parallel import WorkerLost
from .sources import find

CONTENT_TYPES = {
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".json": "application/feed+json; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}
INDEX = "index.html"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
#: Smaller bodies are sent as they are: gzip would not pay for its header.
GZIP_MIN = 256
#: Connections the kernel may queue before the server accepts them (Linux caps it at
#: net.core.somaxconn: 4096 since 5.4, 128 before); socketserver's default is 5.
BACKLOG = 1024
#: Seconds an idle keep-alive connection (and its thread) is kept.
KEEP_ALIVE = 30.0
#: Characters of a request line written to the log; the rest is counted, not written.
LOG_REQUEST_MAX = 200
#: The versions of HTTP whose requests need no ``Host`` field (HTTP/1.1's must hold one).
_BEFORE_HOST = ("HTTP/0.9", "HTTP/1.0")
#: The reason phrase of each status the server sends, as RFC 9110 (and RFC 6585, for 431)
#: names it: the same status line on every Python (``http.HTTPStatus`` renamed some in
#: 3.13: 414 was ``Request-URI Too Long`` before).
REASONS = {
    200: "OK",
    304: "Not Modified",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    414: "URI Too Long",
    431: "Request Header Fields Too Large",
    501: "Not Implemented",
    505: "HTTP Version Not Supported",
}
_RESPONSES = {
    **BaseHTTPRequestHandler.responses,
    **{code: (phrase, HTTPStatus(code).description) for code, phrase in REASONS.items()},
}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ESCAPES = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F)} | {ord('"'): '\\"', ord("\\"): "\\\\"}


def log_text(text: str, limit: int = LOG_REQUEST_MAX) -> str:
    """``text`` for a log line: its first ``limit`` characters, escaped (``\\"``,
    ``\\\\``, ``\\xhh`` for control characters and Latin-1 bytes, ``\\uhhhh`` beyond)
    and, when cut, ``...[+N chars]``."""
    out = text[:limit].translate(_ESCAPES).encode("ascii", "backslashreplace").decode("ascii")
    return out if len(text) <= limit else f"{out}...[+{len(text) - limit} chars]"


def log_time(when: float) -> str:
    """``10/Oct/2000:13:55:36 +0200``: the common log format's time, local, any locale."""
    t = datetime.fromtimestamp(when).astimezone()
    return f"{t.day:02d}/{_MONTHS[t.month - 1]}/{t:%Y:%H:%M:%S %z}"


class FeedServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer for one folder; ``log`` receives one line per request,
    dated by ``clock`` (seconds since the epoch), which a conditional request's date is
    read against too."""

    request_queue_size = BACKLOG

    def __init__(
        self,
        root: Path,
        address: tuple[str, int],
        log: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.root = root.resolve()
        self.log = log
        self.clock = clock
        if ":" in address[0]:  # an IPv6 address (``::1``, ``::``)
            self.address_family = socket.AF_INET6
        super().__init__(address, FeedHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """The connection's thread, started without waiting for it to run.

        ``threading.Thread.start`` waits until the new thread has run; on the accept
        loop, with many handler threads taking turns on the GIL, that wait held up
        the next ``accept``: 50 readers connecting at once waited up to 0.5 s for
        their first response, against about 0.1 s without it (bench/serve_load.py).
        Like a daemon thread, such a thread ends with the process.
        """
        _thread.start_new_thread(self.process_request_thread, (request, client_address))

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client gone mid-exchange (a reset, a broken pipe: a reader that closed its
        connection early) is nothing to report; anything else is one line of the log,
        never a traceback (the base class's)."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError) or self.log is None:
            return
        self.log(f"{client_address[0]} - error: {log_text(f'{type(error).__name__}: {error}')}")

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{f'[{host}]' if ':' in host else host}:{port}/"


def _accepts_gzip(header: str | None) -> bool:
    """Whether ``Accept-Encoding`` admits gzip (``gzip``, ``x-gzip`` or ``*``, q > 0)."""
    best: dict[str, float] = {}
    for part in (header or "").split(","):
        coding, _, params = part.partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        best[coding.strip().lower()] = q
    for coding in ("gzip", "x-gzip", "*"):
        if coding in best:
            return best[coding] > 0
    return False


class FeedHandler(BaseHTTPRequestHandler):
    """GET and HEAD of the files of ``server.root``; see the module docstring."""

    server: FeedServer
    server_version = f"feedpub/{__version__}"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = KEEP_ALIVE
    disable_nagle_algorithm = True
    responses = _RESPONSES

    def version_string(self) -> str:
        return self.server_version

    # ------------------------------------------------------------ one request, one line

    def handle_one_request(self) -> None:
        """The base class's, then the access-log line of the response it sent (none for a
        response its reader did not wait for: a reset or a broken pipe)."""
        self.raw_requestline = b""
        self.requestline = ""
        self._received: float | None = None
        self._status: int | None = None
        self._sent = 0
        try:
            super().handle_one_request()
        except (ConnectionError, TimeoutError):
            self._status = None  # a reader gone mid-response: not logged (nor reported)
            raise
        finally:
            if self._status is not None:
                self._log_access()

    def parse_request(self) -> bool:
        """The base class's, noting the time; a request with a body (nothing here
        reads one) is answered, then its connection closed. An HTTP/1.1 request without
        one ``Host`` field (none, or two) is refused with 400, as RFC 9112 (3.2) says a
        server must."""
        self._received = self.server.clock()
        if not super().parse_request():
            return False
        if self.request_version not in _BEFORE_HOST and len(self.headers.get_all("Host", ())) != 1:
            self.send_error(HTTPStatus.BAD_REQUEST)
            return False
        length = self.headers.get("Content-Length", "0").strip()
        if length not in ("", "0") or "Transfer-Encoding" in self.headers:
            self.close_connection = True
        return True

    def handle_expect_100(self) -> bool:
        """No interim ``100 Continue``: the final answer comes at once (RFC 9110 10.1.1)."""
        return True

    def end_headers(self) -> None:
        """Says whether the connection stays open (HTTP/1.0 clients must be told)."""
        if self.close_connection:
            self.send_header("Connection", "close")
        elif self.request_version == "HTTP/1.0":
            self.send_header("Connection", "keep-alive")
        super().end_headers()

    def _write(self, body: bytes) -> None:
        self.wfile.write(body)
        self._sent += len(body)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Notes the status; the line is written once the body is sent (its size known)."""
        self._status = int(code)

    def _log_access(self) -> None:
        if self.server.log is None:
            return
        request = self.requestline or self.raw_requestline.decode("latin-1").rstrip("\r\n")
        when = log_time(self._received if self._received is not None else self.server.clock())
        self.server.log(
            f'{self.address_string()} - - [{when}] "{log_text(request)}" {self._status} {self._sent}'
        )

    def log_error(self, format: str, *args: Any) -> None:
        """Nothing: the base class reports only the errors that :meth:`send_error` answers
        (the access line has their status) and an idle keep-alive connection timing out."""

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log is not None:
            self.server.log(f"{self.address_string()} {log_text(format % args)}")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The base class's errors (400, 414, 431, 501, 505) in plain text, with their
        length, and the connection closed: what follows a bad request is not trusted.
        The message (which quotes the request) is not echoed. A request line with a
        version the base class refuses (``HTTP/2.0``, as ``PRI * HTTP/2.0`` opens HTTP/2
        without TLS; ``HTTP/1.x``) is no HTTP/0.9 request: its answer has a status line and
        headers (the base class sent the bare body, as to HTTP/0.9)."""
        if self.request_version == "HTTP/0.9" and len(self.requestline.split()) >= 3:
            self.request_version = "HTTP/1.0"
        status = HTTPStatus(code)
        body = f"{self.responses[status][0].lower()}\n".encode()
        self.close_connection = True
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self._write(body)

    # ------------------------------------------------------------ the files

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def _refuse(self) -> None:
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse

    def _not_found(self, send_body: bool) -> None:
        body = b"not found\n"
        self.send_response(HTTPStatus.NOT_FOUND)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self._write(body)

    def _file(self) -> Path | None:
        """The file the request names, or None when it may not be served."""
        try:
            raw = urlsplit(self.path).path
        except ValueError:
            return None
        name = unquote(raw, errors="strict") if raw != "/" else INDEX
        if name.startswith("/"):
            name = name[1:]
        if not _NAME.fullmatch(name) or ".." in name:
            return None
        if os.path.splitext(name)[1] not in CONTENT_TYPES:
            return None
        path = self.server.root / name
        try:
            resolved = path.resolve(strict=True)
        except OSError:
            return None
        if resolved.parent != self.server.root or not resolved.is_file():
            return None
        return resolved

    def _serve(self, send_body: bool) -> None:
        try:
            path = self._file()
        except UnicodeDecodeError:
            path = None
        if path is None:
            self._not_found(send_body)
            return
        try:
            with open(path, "rb") as f:
                st = os.fstat(f.fileno())
                data = f.read()
        except OSError:
            self._not_found(send_body)
            return
        digest = hashlib.sha256(data).hexdigest()[:32]
        encoding = None
        if len(data) >= GZIP_MIN and _accepts_gzip(self.headers.get("Accept-Encoding")):
            data = gzip.compress(data, mtime=0)
            encoding = "gzip"
        etag = f'"{digest}-gzip"' if encoding else f'"{digest}"'
        headers = {
            "ETag": etag,
            "Last-Modified": formatdate(st.st_mtime, usegmt=True),
            "Vary": "Accept-Encoding",
            "Cache-Control": "no-cache",
        }
        if self._not_modified(etag, int(st.st_mtime)):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            # no body; the length a 200 would have (RFC 9110 8.6)
            self.send_header("Content-Length", str(len(data)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", CONTENT_TYPES[path.suffix])
        self.send_header("Content-Length", str(len(data)))
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if send_body:
            self._write(data)

    def _not_modified(self, etag: str, mtime: int) -> bool:
        """RFC 9110 13.2.2: If-None-Match when present, else If-Modified-Since."""
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = [t.strip() for t in inm.split(",")]
            return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)
        ims = self.headers.get("If-Modified-Since")
        if ims is None:
            return False
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError, IndexError):
            return False
        # asctime's form (``Sun Nov  6 08:49:37 1994``) has no zone: GMT (RFC 9110 5.6.7)
        if since.tzinfo is None and "," not in ims:
            since = since.replace(tzinfo=UTC)
        # a date after this server's clock is ignored (as Apache and nginx do): a reader
        # whose clock runs ahead would be told "not modified" of a feed changed since
        return since.tzinfo is not None and mtime <= since.timestamp() <= self.server.clock()


def make_server(
    root: Path,
    host: str = "127.0.0.1",
    port: int = 8080,
    log: Callable[[str], None] | None = None,
    clock: Callable[[], float] = time.time,
) -> FeedServer:
    """A server for ``root`` bound to ``host:port`` (port 0: any free one); not started.
    Its log lines are dated by ``clock``, and conditional requests read against it."""
    return FeedServer(root, (host, port), log, clock)


# --------------------------------------------------------------------------- watch

Snapshot = tuple[tuple[str, int, int], ...]


class _Stopped(Exception):
    """A rebuild stopped by :meth:`Watcher.stop`."""


class Watcher:
    """Rebuilds the feeds when the content files or the config change.

    :meth:`poll` checks once (and rebuilds, after the changes settle for
    ``debounce`` seconds); :meth:`start` polls every ``interval`` seconds in a
    background thread until :meth:`stop`. A config that no longer loads, a
    build that fails or a lock held by another build is reported and retried
    at the next change; the files on disk stay the last good ones.
    """

    def __init__(
        self,
        config_path: str | Path,
        now: Callable[[], datetime],
        report: Callable[[Config, BuildResult, float], None],
        warn: Callable[[str], None],
        *,
        interval: float = 0.5,
        debounce: float = 0.5,
    ) -> None:
        self.config_path = Path(config_path)
        self.config = load_config(self.config_path)
        #: the folder the server serves, whatever a reloaded config says
        self.served = self.config.output
        self.now = now
        self.report = report
        self.warn = warn
        self.interval = interval
        self.debounce = debounce
        self._snapshot = self._take()
        self._stop = threading.Event()
        #: what was said of the list of feeds waiting for the hub at the last rebuild
        self._list_said: str | None = None
        self._thread: threading.Thread | None = None
        self.builds = 0

    def _take(self) -> Snapshot:
        """Name, size and mtime of the config and of every content file."""
        out: list[tuple[str, int, int]] = []
        with contextlib.suppress(OSError):
            st = self.config_path.stat()
            out.append((str(self.config_path), st.st_size, st.st_mtime_ns))
        out.extend((s.path, s.size, s.mtime_ns) for s in find(self.config).sources)
        return tuple(out)

    def poll(self) -> bool:
        """Rebuild if anything changed since the last look; True when a build ran."""
        snapshot = self._take()
        if snapshot == self._snapshot:
            return False
        while not self._stop.wait(self.debounce):  # let an editor finish saving
            again = self._take()
            if again == snapshot:
                break
            snapshot = again
        else:
            return False
        self._snapshot = snapshot
        return self.rebuild()

    def rebuild(self) -> bool:
        """Reload the config and build; True when a build ran (whatever its outcome)."""
        try:
            config = load_config(self.config_path)
        except ConfigError as e:
            for p in e.problems:
                self.warn(f"{e.path}:{p}")
            self.warn("feedpub: serve: config not reloaded; still serving the last good files")
            return False
        if config.output != self.served:  # (said at every rebuild: the preview is stale)
            self.warn(f"feedpub: serve: site.output is now {shown_path(str(config.output))}; "
                      f"still serving {shown_path(str(self.served))}: restart feedpub serve "
                      "to preview it")  # fmt: skip
        self.config = config
        if config.hub:  # (a waiting list that cannot be read: said, as a build says it;
            from . import websub  # one that stays so, a folder, not again at each rebuild)

            said = websub.mend(config)
            if said and said != self._list_said:
                self.warn(f"feedpub: {said}")
            self._list_said = said
        started = time.monotonic()
        try:
            with build_lock(config) as stuck:
                # (settled for debounce seconds: a file that does not read is broken, not
                # being saved, and no change may come to build again)
                result = build(config, self.now(), progress=self._go_on, grace=False)
            result.leftovers = stuck
        except (LockError, OSError, WorkerLost) as e:
            self.warn(f"feedpub: serve: rebuild failed: {e}")
            self._snapshot = ()  # try again at the next poll
            return False
        except _Stopped:  # (its staging folders removed, as a build stopped by Ctrl-C)
            self.warn("feedpub: serve: rebuild stopped; the last good files stay")
            return False
        self.builds += 1
        self.report(config, result, time.monotonic() - started)
        return True

    def _go_on(self, phase: str, done: int, total: int) -> None:
        """The build's progress: where it stops, once :meth:`stop` is asked, instead of
        running to its end (a big one takes seconds, and a second Ctrl-C would end the
        process with the build's staging folders left)."""
        if self._stop.is_set():
            raise _Stopped

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="feedpub-watch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.poll()
            except Exception as e:  # a watcher must outlive any one failure
                self.warn(f"feedpub: serve: watch failed: {type(e).__name__}: {e}")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
