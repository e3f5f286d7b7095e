"""The article cache, the SQLite store only: a stdlib SQLite file keyed by path, size
and mtime, with a content hash for when mtime cannot be trusted. What its contents
mean for a build (what changed since the last one) is :mod:`feedpub.incremental`'s.

A build reads it at most twice (the last build's memo and outputs, a few pages; then,
when something changed, every file's row) and writes it once, in one transaction at
the end (:meth:`Cache.commit`); or twice, when other processes render its feeds: the
files' rows while they do (:meth:`Cache.commit_files`), the rest at the end.

It holds, per article file, either the few columns selection needs (a
:class:`Summary`: the whole Article is parsed again from its file when a feed
shows it, so the cache stays small), or the rejection (line and reason); and
per output file, the fingerprint of what was rendered into it. ``secured``
never reaches it: the loader drops it before anything else is made.

A cache that is corrupt, truncated or of another version is thrown away and
rebuilt; it never fails a build. One that cannot be used for a cause outside it (a
full disk, another program holding it locked, a folder in its place, no write access)
is left as it is: the build goes on without it and says why (:attr:`Cache.trouble`).

A path is stored as text, but a path whose name is not UTF-8 (which Python holds
with lone surrogates, see :mod:`feedpub.sources`) as a BLOB of its bytes: SQLite's
text must be UTF-8. Such rows are found again by the primary key's index (a BLOB
sorts after every text), so the common case pays nothing for them.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from .errors import ArticleError
from .model import Summary
from .parallel import maker

#: Bump when the loader or the Article shape changes: old caches are then rebuilt.
SCHEMA_VERSION = "feedpub-cache-13"
#: Topics are stored joined by this character, which cleaned text never holds.
TOPIC_SEP = "\x1f"
#: SQLite's primary result codes: a database another connection holds locked; a full
#: disk; a file that is no sound database (never a cause outside it).
_BUSY, _LOCKED, _FULL = 5, 6, 13
_UNSOUND = (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB
#: Less free space than this where the cache is, after SQLite failed: a full disk.
_ROOM = 1 << 20
_DISK_FULL = "the disk it is on is full: free space on it"
#: SQLite's files of a database at ``path``: ``f"{path}{suffix}"``.
COMPANIONS = ("", "-wal", "-shm", "-journal")


#: The digest of a file the system would not let be read (``errors.UnreadableError``):
#: read again by every build, as its size and mtime stay when it is made readable
#: (``chmod``). (``-``: one whose bytes were not read for another cause, as too big.)
UNREAD = "unreadable"


class Row(NamedTuple):
    """What the cache knows of one article file."""

    size: int
    mtime_ns: int
    digest: str
    summary: Summary | None
    error: ArticleError | None
    #: what the feeds page shows of it (:meth:`feedpub.model.Headline.to_json`), when kept
    headline: str | None = None


class KeptParts(NamedTuple):
    """A selection kept between builds as the cache stores it (:mod:`feedpub.kept`):
    the parts to write, by name (the others it is made of are stored already: a build
    writes again only what changed), and the names of all its parts (the cache's other
    parts are removed). It is valid while its part ``selection`` is there."""

    write: dict[str, str | bytes]
    names: frozenset[str]


@dataclass(slots=True)
class Changes:
    """What a build learnt, written by :meth:`Cache.commit` in one transaction, in
    this order."""

    #: rows of files gone from the listing
    vanished: list[str] = field(default_factory=list)
    #: rows of files read, as stored (see :meth:`store`)
    stored: list[tuple[object, ...]] = field(default_factory=list)
    #: ``(path, size, mtime_ns)`` of files read whose bytes did not change
    touched: list[tuple[str, int, int]] = field(default_factory=list)
    #: ``(path, digest, headline JSON)``, for the row of that path and digest
    headlines: list[tuple[str, str, str]] = field(default_factory=list)
    #: rows to read again next time, whatever their size and mtime say (kept, as the
    #: last build read the file, for a build that finds it gone: see build.summarise)
    stale: list[str] = field(default_factory=list)
    #: ``(name, fingerprint, size, mtime_ns)`` of output files written or found current
    outputs: list[tuple[str, str, int, int]] = field(default_factory=list)
    #: output files removed (a feed taken out of the config): their rows go, so that a
    #: name another config writes since is never taken for this one's
    removed: list[str] = field(default_factory=list)
    #: the memo of a complete build (see :mod:`feedpub.incremental`)
    last_build: str | None = None
    #: what a complete build selected, kept for the next (:func:`feedpub.kept.dump`); the
    #: one kept before is thrown away by any build that writes rows, complete or not
    kept: KeptParts | None = None

    def store(
        self, path: str, size: int, mtime_ns: int, digest: str, result: Summary | ArticleError
    ) -> None:
        """Keep what a file read holds (made into its row now, while the build waits on
        the files still being read: a hundred thousand rows take a second)."""
        self.stored.append(_file_row(_key(path), size, mtime_ns, digest, result))


class Cache:
    """Open (or create) the cache at ``path``; ``settings`` invalidate it when they change.
    ``fresh``: throw away what is there first. Read-only, a missing cache is not created
    (nor its folder); read-only and fresh, none is opened (a ``build --check --full``
    trusts nothing cached, and leaves the cache as it is)."""

    def __init__(
        self, path: Path, settings: str, *, readonly: bool = False, fresh: bool = False
    ) -> None:
        self.path = path
        self.readonly = readonly
        self.settings = settings
        self.db: sqlite3.Connection | None = None
        #: why the cache could not be opened or written, though it may be sound (a full
        #: disk, a lock held by another program, a folder in its place, no write access):
        #: the file is left as it is, the build goes on without it and says so
        self.trouble: str | None = None
        if not readonly:
            with contextlib.suppress(OSError):  # a cache that cannot be made: a build without one
                path.parent.mkdir(parents=True, exist_ok=True)
            if fresh:
                self._remove()
        if readonly and (fresh or not path.exists()):
            return
        try:
            self.db = self._open(settings)
        except sqlite3.Error as e:
            if not readonly and (trouble := self._trouble(e)) is not None:
                self.trouble = trouble  # (not thrown away: it is sound, most likely)
            else:
                self._start_afresh()

    def _start_afresh(self) -> None:
        """Throw the cache away and begin an empty one (read-only: do without)."""
        self.close()
        if self.readonly:
            return
        self._remove()
        try:
            self.db = self._open(self.settings)
        except sqlite3.Error as e:
            self.db = None
            self.trouble = self._trouble(e) or f"it cannot be made ({e})"

    def _trouble(self, e: sqlite3.Error) -> str | None:
        """Why the cache cannot be used now, when the cause is outside it (what to do,
        too); None when it may be unsound (then it is started afresh)."""
        code = getattr(e, "sqlite_errorcode", 0) & 0xFF
        if code in (_BUSY, _LOCKED):
            return "another program holds it locked (an sqlite3 shell, a backup?): end it"
        if code in _UNSOUND:
            return None
        if code == _FULL:
            return _DISK_FULL
        if self.path.is_dir():
            return "a folder is in its place: remove the folder"
        folder = self.path.parent
        try:
            disk = os.statvfs(folder)
        except OSError:
            return None
        size = 0
        with contextlib.suppress(OSError):
            size = self.path.stat().st_size
        if disk.f_bavail * disk.f_frsize < max(_ROOM, size) or (disk.f_files and not disk.f_favail):
            return _DISK_FULL  # (SQLite may say only "disk I/O error" of it)
        if disk.f_flag & os.ST_RDONLY:  # (the build lock beside it is taken all the same)
            return ("the file system it is on is mounted read-only: mount it writable, or "
                    "point site.cache elsewhere")  # fmt: skip
        if not os.access(folder, os.W_OK) or (
            self.path.exists() and not os.access(self.path, os.W_OK)
        ):
            return ("it cannot be written: let the user that runs feedpub write it and its "
                    "folder, or point site.cache elsewhere")  # fmt: skip
        return None

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
        for suffix in COMPANIONS:
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
                    DROP TABLE IF EXISTS outputs; DROP TABLE IF EXISTS kept;
                    CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
                    CREATE TABLE files(
                        path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
                        digest TEXT NOT NULL, url TEXT, published INTEGER, published_at TEXT,
                        topics TEXT, quality REAL, line INTEGER, error TEXT, headline TEXT);
                    CREATE TABLE outputs(
                        name TEXT PRIMARY KEY, fingerprint TEXT NOT NULL,
                        size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL);
                    CREATE TABLE kept(part TEXT PRIMARY KEY, value BLOB NOT NULL);
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

    def rows(self, paths: Collection[str] | None = None) -> dict[str, Row]:
        """Every file's row (after checking the whole file: see :meth:`_sound`); or
        with ``paths``, the rows of those (a path the cache does not know is left out)."""
        if paths is None and not self._sound():
            return {}
        if self.db is None:
            return {}
        query = "SELECT path, size, mtime_ns, digest, url, published, published_at, topics," \
                " quality, line, error, headline FROM files"  # fmt: skip
        out: dict[str, Row] = {}
        try:
            if paths is None:
                self._rows(self.db.execute(query), out)
                # the paths stored as bytes (see _key), found by the index: none, usually
                blobs = [b for (b,) in self.db.execute("SELECT path FROM files WHERE path >= x''")]
            else:
                keys = [_key(p) for p in paths]
                for cursor in self._among(f"{query} WHERE path IN", keys):
                    self._rows(cursor, out)
                held: dict[str | bytes, Row] = out  # type: ignore[assignment]
                blobs = [k for k in keys if isinstance(k, bytes) and k in held]
            for blob in blobs:
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

    @staticmethod
    def _rows(cursor: sqlite3.Cursor, out: dict[str, Row]) -> None:
        """The rows of ``cursor`` (the columns of :meth:`rows`' query), into ``out``."""
        topic_tuples: dict[str, tuple[str, ...]] = {"": ()}  # a few hundred distinct sets
        when_of = datetime.fromisoformat  # ISO text: three times quicker than a timestamp
        summary_of, row_of = maker(Summary), maker(Row)
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
            headline,
        ) in cursor:
            if error is not None:
                out[path] = Row(size, mtime, digest, None, ArticleError(path, line, error))
                continue
            if not when.endswith("+00:00"):  # never so written: a damaged cache
                raise ValueError(when)
            tuple_ = topic_tuples.get(topics)
            if tuple_ is None:
                tuple_ = topic_tuples[topics] = tuple(topics.split(TOPIC_SEP))
            summary = summary_of((path, url, pub == 1, when_of(when), tuple_, quality, digest))
            out[path] = row_of((size, mtime, digest, summary, None, headline))

    def holders(self, urls: Collection[str]) -> set[str] | None:
        """The paths of the files whose article (as last read) has one of these URLs;
        None when the cache cannot tell."""
        if self.db is None:
            return None
        try:
            # every row looked at (there is no index of URLs): a few tens of ms at 100,000
            found = self._among("SELECT path FROM files WHERE url IN", list(urls))
            return {_path(p) for cursor in found for (p,) in cursor}
        except sqlite3.Error:
            return None

    def _among(self, query: str, values: list[str | bytes]) -> Iterator[sqlite3.Cursor]:
        """``query`` (ending ``... IN``) for these values, a few hundred at a time (SQLite
        once took at most 999 parameters)."""
        assert self.db is not None
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            yield self.db.execute(f"{query} ({','.join('?' * len(chunk))})", chunk)

    def kept(self) -> dict[str, str | bytes] | None:
        """The parts of the selection the last build kept (see :class:`KeptParts`), by
        name; None when it kept none."""
        if self.db is None:
            return None
        try:
            parts = dict(self.db.execute("SELECT part, value FROM kept"))
        except sqlite3.Error:
            return None
        return parts if "selection" in parts else None

    def last_build(self) -> tuple[str | None, dict[str, tuple[str, int, int]]]:
        """The memo of the last complete build, and each output file's
        ``(fingerprint, size, mtime_ns)`` as written: a few pages."""
        if self.db is None:
            return None, {}
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key='last_build'").fetchone()
            outputs = {
                n: (f, s, m)
                for n, f, s, m in self.db.execute(
                    "SELECT name, fingerprint, size, mtime_ns FROM outputs"
                )
            }
        except sqlite3.Error:
            return None, {}
        return (None if row is None else str(row[0])), outputs

    def commit_files(self, changes: Changes) -> bool:
        """Write what ``changes`` says of the article files (gone, read, touched) in one
        transaction, and take it out of ``changes``; False when the cache could not take
        it (then it stays, for :meth:`commit`). A build does it while it reads the files,
        each time it holds a few thousand rows (:data:`feedpub.build.ROWS_HELD`), and
        then while its feeds are rendered, in other processes: the rows of a hundred
        thousand files take half a second to write. (Rows say what a file holds,
        whatever the outputs: they may be written before them.)"""
        if self.db is None or self.readonly or not self._in_transaction(self._write_files, changes):
            return False
        changes.vanished, changes.stored, changes.touched = [], [], []
        return True

    def commit_headlines(self, changes: Changes) -> bool:
        """Write the headlines of ``changes`` in one transaction, and take them out of
        it, once the rows they go in are written (:meth:`commit_files`: else they wait
        for :meth:`commit`); False when none were written. A build does it while its
        feeds are rendered, in other processes, not at its end. (A headline is of a file's
        bytes, by their digest, whatever the outputs: it may be written before them.)"""
        if (self.db is None or self.readonly or not changes.headlines
                or changes.vanished or changes.stored or changes.touched
                or not self._in_transaction(self._write_headlines, changes)):  # fmt: skip
            return False
        changes.headlines = []
        return True

    def _in_transaction(self, write: Callable[[Changes], None], changes: Changes) -> bool:
        """``write(changes)`` in one transaction; False, and the reason kept as
        :attr:`trouble`, when the cache refused it (rolled back)."""
        assert self.db is not None
        try:
            self.db.execute("BEGIN")
            write(changes)
            self.db.execute("COMMIT")
        except sqlite3.Error as e:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")
            self.trouble = self._trouble(e) or str(e)
            return False
        return True

    def _write_headlines(self, changes: Changes) -> None:
        assert self.db is not None
        self.db.executemany(
            "UPDATE files SET headline=? WHERE path=? AND digest=?",
            ((h, _key(p), d) for p, d, h in changes.headlines),
        )

    def _write_files(self, changes: Changes) -> None:
        assert self.db is not None
        db = self.db
        # the selection kept by the last build holds only while its rows are all there are
        db.execute("DELETE FROM kept WHERE part='selection'")
        db.executemany("DELETE FROM files WHERE path=?", ((_key(p),) for p in changes.vanished))
        db.executemany(
            "INSERT OR REPLACE INTO files VALUES(?,?,?,?,?,?,?,?,?,?,?,NULL)", changes.stored
        )
        db.executemany(
            "UPDATE files SET size=?, mtime_ns=? WHERE path=?",
            ((size, mtime, _key(p)) for p, size, mtime in changes.touched),
        )

    def commit(self, changes: Changes) -> bool:
        """Write ``changes`` in one transaction; False when the cache could not take them
        (read-only, a full disk: no loss, the next build reads those files again)."""
        if self.db is None or self.readonly:
            return False
        return self._in_transaction(self._write_all, changes)

    def _write_all(self, changes: Changes) -> None:
        assert self.db is not None
        db = self.db
        self._write_files(changes)
        self._write_headlines(changes)
        db.executemany("UPDATE files SET size=-1 WHERE path=?", ((_key(p),) for p in changes.stale))
        db.executemany("INSERT OR REPLACE INTO outputs VALUES(?,?,?,?)", changes.outputs)
        db.executemany("DELETE FROM outputs WHERE name=?", ((n,) for n in changes.removed))
        if changes.last_build is not None:
            db.execute("INSERT OR REPLACE INTO meta VALUES('last_build', ?)", (changes.last_build,))
        if changes.kept is not None:
            db.executemany("INSERT OR REPLACE INTO kept VALUES(?, ?)", changes.kept.write.items())
            old = [p for (p,) in db.execute("SELECT part FROM kept") if p not in changes.kept.names]
            db.executemany("DELETE FROM kept WHERE part=?", ((p,) for p in old))


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
