"""The article cache: a stdlib SQLite file keyed by path, size and mtime, with a
content hash for when mtime cannot be trusted.

It holds, per article file, either the few columns selection needs (a
:class:`Summary`: the whole Article is parsed again from its file when a feed
shows it, so the cache stays small), or the rejection (line and reason); and
per output file, the fingerprint of what was rendered into it. ``secured``
never reaches it: the loader drops it before anything else is made.

A cache that is corrupt, truncated, locked by a stranger or of another version
is thrown away and rebuilt; it never fails a build.

A path is stored as text, but a path whose name is not UTF-8 (which Python holds
with lone surrogates, see :mod:`feedpub.collect`) as a BLOB of its bytes: SQLite's
text must be UTF-8. Such rows are found again by the primary key's index (a BLOB
sorts after every text), so the common case pays nothing for them.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from .errors import ArticleError
from .model import Headline

#: Bump when the loader or the Article shape changes: old caches are then rebuilt.
SCHEMA_VERSION = "feedpub-cache-8"
#: The cache file is read ahead in windows of this many bytes (see Cache._prefetch).
PREFETCH_WINDOW = 4 << 20
#: Topics are stored joined by this character, which cleaned text never holds.
TOPIC_SEP = "\x1f"


class Summary(NamedTuple):
    """What selection needs of an article, read from the cache without the Article.

    A named tuple, not a dataclass: a build sends a hundred thousand of them between
    processes, and a tuple pickles in C.
    """

    path: str
    url: str
    published: bool
    published_at: datetime
    topics: tuple[str, ...]
    quality: float | None
    digest: str


class Row(NamedTuple):
    """What the cache knows of one article file."""

    size: int
    mtime_ns: int
    digest: str
    summary: Summary | None
    error: ArticleError | None


class Cache:
    """Open (or create) the cache at ``path``; ``settings`` invalidate it when they change."""

    def __init__(self, path: Path, settings: str, *, readonly: bool = False) -> None:
        self.path = path
        self.readonly = readonly
        self.settings = settings
        self.db: sqlite3.Connection | None = None
        if readonly and not path.exists():
            return
        try:
            self.db = self._open(settings)
        except sqlite3.Error:
            self._start_afresh()
        self._prefetch()

    def _prefetch(self) -> None:
        """Ask the kernel to read the whole file in, in the background, while the build
        lists the articles: a build that selects reads every page, and a page cache
        reclaimed since the last build (a minute idle may be enough) made that a
        wait on the disk."""
        advise = getattr(os, "posix_fadvise", None)
        if advise is None or self.db is None:
            return
        with contextlib.suppress(OSError):
            fd = os.open(self.path, os.O_RDONLY)
            try:  # in windows: Linux reads ahead 8 MB at most for one call
                for offset in range(0, os.fstat(fd).st_size, PREFETCH_WINDOW):
                    advise(fd, offset, PREFETCH_WINDOW, os.POSIX_FADV_WILLNEED)
            finally:
                os.close(fd)

    def _start_afresh(self) -> None:
        """Throw the cache away and begin an empty one (read-only: do without)."""
        self.close()
        if self.readonly:
            return
        self._remove()
        try:
            self.db = self._open(self.settings)
        except sqlite3.Error:
            self.db = None

    def _sound(self) -> bool:
        """Whether SQLite finds the whole file sound; an unsound one is started afresh.

        It reads every page: run when they are all about to be read (by :meth:`rows`),
        never to open the cache (a build with nothing to do reads a few pages, and
        after the page cache was reclaimed, checking them all cost it half a second).
        """
        if self.db is None:
            return False
        try:
            row = self.db.execute("PRAGMA quick_check").fetchone()
        except sqlite3.Error:
            row = None
        if row is not None and row[0] == "ok":
            return True
        self._start_afresh()
        return False

    def _remove(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(OSError):  # gone already, or a read-only folder
                os.unlink(f"{self.path}{suffix}")

    def _open(self, settings: str) -> sqlite3.Connection:
        # the path percent-encoded: a folder named with ?, # or % (or in bytes that are
        # not UTF-8) must not end the file name, nor put the cache elsewhere
        path = quote(os.fsencode(self.path))
        uri = f"file:{path}?mode=ro" if self.readonly else f"file:{path}"
        db = sqlite3.connect(uri, uri=True, timeout=5, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            version = f"{SCHEMA_VERSION} {settings}"
            row = None
            with contextlib.suppress(sqlite3.Error):
                row = db.execute("SELECT value FROM meta WHERE key='version'").fetchone()
            if row is None or row[0] != version:
                if self.readonly:
                    raise sqlite3.DatabaseError("old cache")
                db.executescript(
                    """
                    DROP TABLE IF EXISTS meta; DROP TABLE IF EXISTS files;
                    DROP TABLE IF EXISTS outputs;
                    CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
                    CREATE TABLE files(
                        path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
                        digest TEXT NOT NULL, url TEXT, published INTEGER, published_at TEXT,
                        topics TEXT, quality REAL, line INTEGER, error TEXT, headline TEXT);
                    CREATE TABLE outputs(
                        name TEXT PRIMARY KEY, fingerprint TEXT NOT NULL,
                        size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL);
                    """
                )
                db.execute("INSERT INTO meta VALUES('version', ?)", (version,))
        except sqlite3.Error:
            db.close()
            raise
        return db

    def close(self) -> None:
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
            self.db = None

    # ------------------------------------------------------------------ files

    def rows(self) -> dict[str, Row]:
        if not self._sound():
            return {}
        assert self.db is not None
        out: dict[str, Row] = {}
        topic_tuples: dict[str, tuple[str, ...]] = {"": ()}  # a few hundred distinct sets
        when_of = datetime.fromisoformat  # ISO text: three times quicker than a timestamp
        new = tuple.__new__  # a named tuple's own __new__ is Python: twice as slow
        try:
            for (
                path,
                size,
                mtime,
                digest,
                url,
                pub,
                when,
                topics,
                quality,
                line,
                error,
            ) in self.db.execute(
                "SELECT path, size, mtime_ns, digest, url, published, published_at, topics,"
                " quality, line, error FROM files"
            ):
                if error is not None:
                    out[path] = Row(size, mtime, digest, None, ArticleError(path, line, error))
                    continue
                if not when.endswith("+00:00"):  # never so written: a damaged cache
                    raise ValueError(when)
                tuple_ = topic_tuples.get(topics)
                if tuple_ is None:
                    tuple_ = topic_tuples[topics] = tuple(topics.split(TOPIC_SEP))
                summary = new(
                    Summary, (path, url, pub == 1, when_of(when), tuple_, quality, digest)
                )
                out[path] = new(Row, (size, mtime, digest, summary, None))
            # the paths stored as bytes (see _key), found by the index: none, usually
            for (blob,) in self.db.execute("SELECT path FROM files WHERE path >= x''"):
                row = out.pop(blob)
                path = _path(blob)
                if row.error is not None:
                    row = row._replace(error=ArticleError(path, row.error.line, row.error.message))
                else:
                    assert row.summary is not None
                    row = row._replace(summary=row.summary._replace(path=path))
                out[path] = row
        except (sqlite3.Error, ValueError, TypeError, AttributeError, KeyError):
            return {}
        return out

    def store(
        self,
        items: Sequence[tuple[str, int, int, str, Summary | ArticleError]],
        forget: Sequence[str],
    ) -> bool:
        """Record loaded files; False when the cache could not take them."""
        if self.db is None or self.readonly:
            return False
        try:
            return self._store(items, forget)
        except UnicodeEncodeError:  # a path that is not UTF-8: again, with such paths as bytes
            keyed = [(_key(i[0]), *i[1:]) for i in items]
            return self._store(keyed, [_key(p) for p in forget])

    def _store(
        self,
        items: Sequence[tuple[str | bytes, int, int, str, Summary | ArticleError]],
        forget: Sequence[str | bytes],
    ) -> bool:
        assert self.db is not None
        try:
            self.db.execute("BEGIN")
            self.db.executemany("DELETE FROM files WHERE path=?", ((p,) for p in forget))
            self.db.executemany(
                "INSERT OR REPLACE INTO files VALUES(?,?,?,?,?,?,?,?,?,?,?,NULL)",
                (_file_row(*item) for item in items),
            )
            self.db.execute("COMMIT")
        except (sqlite3.Error, UnicodeEncodeError) as e:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")
            if isinstance(e, UnicodeEncodeError):
                raise
            return False
        return True

    def headlines(self, items: Iterable[tuple[str, str]]) -> dict[str, Headline]:
        """The stored headlines of the ``(path, digest)`` items that have a sound one
        (any other is simply not returned: the caller parses its file)."""
        if self.db is None:
            return {}
        wanted = dict(items)
        out: dict[str, Headline] = {}
        paths = [_key(p) for p in wanted]
        try:
            for i in range(0, len(paths), 500):
                chunk = paths[i : i + 500]
                marks = ",".join("?" * len(chunk))
                for key, digest, headline in self.db.execute(
                    f"SELECT path, digest, headline FROM files WHERE path IN ({marks})"  # noqa: S608
                    " AND headline IS NOT NULL",
                    chunk,
                ):
                    path = _path(key)
                    if wanted[path] == digest:
                        with contextlib.suppress(ValueError, TypeError, KeyError):
                            out[path] = Headline.from_json(headline)
        except sqlite3.Error:
            return {}
        return out

    def set_headlines(self, items: Iterable[tuple[str, str, str]]) -> None:
        """Keep ``(path, digest, headline JSON)``, for the row of that path and digest."""
        if self.db is None or self.readonly:
            return
        try:
            self.db.execute("BEGIN")
            self.db.executemany(
                "UPDATE files SET headline=? WHERE path=? AND digest=?",
                ((h, _key(p), d) for p, d, h in items),
            )
            self.db.execute("COMMIT")
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")

    def touch(self, path: str, size: int, mtime_ns: int) -> None:
        """Record a new size and mtime for a file whose bytes did not change."""
        if self.db is None or self.readonly:
            return
        with contextlib.suppress(sqlite3.Error):
            self.db.execute(
                "UPDATE files SET size=?, mtime_ns=? WHERE path=?", (size, mtime_ns, _key(path))
            )

    # ------------------------------------------------------------------ meta

    def get_meta(self, key: str) -> str | None:
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        except sqlite3.Error:
            return None
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        if self.db is None or self.readonly:
            return
        with contextlib.suppress(sqlite3.Error):
            self.db.execute("INSERT OR REPLACE INTO meta VALUES(?, ?)", (key, value))

    # ------------------------------------------------------------------ outputs

    def outputs(self) -> dict[str, tuple[str, int, int]]:
        if self.db is None:
            return {}
        try:
            return {
                n: (f, s, m)
                for n, f, s, m in self.db.execute(
                    "SELECT name, fingerprint, size, mtime_ns FROM outputs"
                )
            }
        except sqlite3.Error:
            return {}

    def set_output(self, name: str, fingerprint: str, size: int, mtime_ns: int) -> None:
        if self.db is None or self.readonly:
            return
        with contextlib.suppress(sqlite3.Error):
            self.db.execute(
                "INSERT OR REPLACE INTO outputs VALUES(?,?,?,?)",
                (name, fingerprint, size, mtime_ns),
            )


def _key(path: str) -> str | bytes:
    """``path`` as the cache stores it: as text, or as its bytes when it is no UTF-8
    text (a file name that is not UTF-8, whose bytes Python holds as lone surrogates)."""
    if not path.isascii():
        try:
            path.encode()
        except UnicodeEncodeError:
            return path.encode("utf-8", "surrogateescape")
    return path


def _path(key: str | bytes) -> str:
    """The path of a stored ``key`` (see :func:`_key`)."""
    return key.decode("utf-8", "surrogateescape") if isinstance(key, bytes) else key


def _file_row(
    path: str | bytes, size: int, mtime_ns: int, digest: str, result: Summary | ArticleError
) -> tuple[object, ...]:
    if isinstance(result, ArticleError):
        return (path, size, mtime_ns, digest, None, None, None, None, None,
                result.line, result.message)  # fmt: skip
    s = result
    return (
        path, size, mtime_ns, digest, s.url, int(s.published), s.published_at.isoformat(),
        TOPIC_SEP.join(s.topics), s.quality, None, None,
    )  # fmt: skip
