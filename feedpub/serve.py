"""``feedpub serve``: the output folder over HTTP, as a good static host serves it,
for trying feeds in a real reader before they are published.

- Read-only (GET and HEAD; anything else is 405), flat: only files directly in
  the output folder, never a dotfile (the cache, the lock, temp files), never a
  path with ``/`` or ``..`` in it, never a symlink out of the folder, and only
  the types a build writes (anything else is 404).
- Content types: ``.rss`` application/rss+xml, ``.atom`` application/atom+xml,
  ``.json`` application/feed+json, ``.opml`` text/x-opml, ``.html`` text/html,
  all UTF-8.
- Conditional GET: a strong ``ETag`` (a hash of the bytes sent) and
  ``Last-Modified`` (the file's mtime); ``If-None-Match`` (which wins) or
  ``If-Modified-Since`` answer ``304 Not Modified``.
- gzip when ``Accept-Encoding`` asks for it, always with ``Vary: Accept-Encoding``.
- A listen backlog of :data:`BACKLOG`, so that many readers connecting at once wait
  in the kernel's queue instead of overflowing it (a dropped SYN is retried by the
  client after 1 s, then 3 s).

With ``--watch``, a :class:`Watcher` polls the content files and the config
for changes, waits until they settle, and rebuilds in a background thread with
:func:`feedpub.build.build` under the build lock. A build writes each file
atomically and keeps the old file of a feed that fails, so the server always
serves the last good files.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import re
import threading
import time
from collections.abc import Callable
from datetime import datetime
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import __version__
from .build import BuildResult, build, build_lock
from .collect import discover
from .config import Config, load_config
from .errors import ConfigError, LockError

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


class FeedServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer for one folder; ``log`` receives one line per request."""

    daemon_threads = True
    request_queue_size = BACKLOG

    def __init__(
        self, root: Path, address: tuple[str, int], log: Callable[[str], None] | None = None
    ) -> None:
        self.root = root.resolve()
        self.log = log
        super().__init__(address, FeedHandler)

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

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: object) -> None:
        if self.server.log is not None:
            self.server.log(f"{self.address_string()} {format % args}")

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
            self.wfile.write(body)

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
            self.wfile.write(data)

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
        return since.tzinfo is not None and mtime <= since.timestamp()


def make_server(
    root: Path, host: str = "127.0.0.1", port: int = 8080, log: Callable[[str], None] | None = None
) -> FeedServer:
    """A server for ``root`` bound to ``host:port`` (port 0: any free one); not started."""
    return FeedServer(root, (host, port), log)


# --------------------------------------------------------------------------- watch

Snapshot = tuple[tuple[str, int, int], ...]


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
        self.now = now
        self.report = report
        self.warn = warn
        self.interval = interval
        self.debounce = debounce
        self._snapshot = self._take()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.builds = 0

    def _take(self) -> Snapshot:
        """Name, size and mtime of the config and of every content file."""
        out: list[tuple[str, int, int]] = []
        with contextlib.suppress(OSError):
            st = self.config_path.stat()
            out.append((str(self.config_path), st.st_size, st.st_mtime_ns))
        out.extend((s.path, s.size, s.mtime_ns) for s in discover(self.config))
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
        if config.output != self.config.output:
            self.warn(f"feedpub: serve: site.output changed; still serving {self.config.output}")
        self.config = config
        started = time.monotonic()
        try:
            with build_lock(config):
                result = build(config, self.now())
        except (LockError, OSError) as e:
            self.warn(f"feedpub: serve: rebuild failed: {e}")
            self._snapshot = ()  # try again at the next poll
            return False
        self.builds += 1
        self.report(config, result, time.monotonic() - started)
        return True

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
