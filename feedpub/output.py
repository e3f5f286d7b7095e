"""The output folder: the only module that writes files there (and the build lock).

A file is written atomically, and only when its bytes change; one that failed its
checks, or cannot be written, keeps its old file. A build stages its files (each
written to a temp file beside it) and then publishes them together (:class:`Stage`).
Archive pages a feed no longer has are removed; what an older feedpub or a killed
build left is cleared.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import stat
import time
from collections import deque
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from . import parallel
from .archive import Document, is_page_of
from .cache import COMPANIONS
from .config import Config, FeedConfig, as_uri
from .errors import LockError, counted, shown_path, utf8_reading

if TYPE_CHECKING:
    from .formats import Problem


@dataclass(slots=True)
class Outcome:
    """What happened to one output file."""

    name: str
    status: str  # written | unchanged | failed | differs | removed | deferred
    #: what is wrong; for "deferred", the article files that changed while it was built
    problems: list[Problem | str] = field(default_factory=list)


#: The name of a build's staging folder in the output folder begins so (see :class:`Stage`).
STAGING = ".feedpub-stage."

#: An output's bytes, what is wrong with them, and the article files that changed
#: while the build ran (then it is not rendered: see :func:`deliver`).
Rendered = tuple[bytes | None, list["Problem | str"], list[str]]


def sync_folder_of(path: Path) -> None:
    """Make the renames in ``path``'s folder durable (best effort: not every file
    system can sync a folder)."""
    with contextlib.suppress(OSError):
        dirfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dirfd)
        finally:
            os.close(dirfd)


class Stage:
    """The files a build writes, staged, then published together by :meth:`commit`.

    Each is written to a temp file (``.NAME.*.tmp``) in a staging folder the build makes
    in the output folder (``.feedpub-stage.*``, see :class:`feedpub.parallel.NewFiles`;
    a killed build's is removed by the next one, see :func:`_remove_stale_temps`),
    unsynced, by whichever process rendered it (:func:`make`), and staged here in the
    build's order (:meth:`adopt`). The commit
    syncs them all at once (:class:`feedpub.parallel.Durable`: many files, by one sync of
    their file system), renames the archive pages, then the others, each in the order staged
    (the build's: feed by feed, the site files last; a document is never published
    before the pages it links), then syncs the folder once, and removes the staging
    folder. A file's bytes are on disk before the rename that publishes them: a crash
    at any moment leaves each file old or new, whole.
    """

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        """``clock`` times the making of the temp files (see :class:`feedpub.parallel.NewFiles`)."""
        self.clock = clock
        #: ``(path, temp file)``, in the order staged
        self.staged: deque[tuple[Path, str]] = deque()
        #: names staged whose new bytes were not published (failed, or discarded)
        self.unpublished: set[str] = set()
        self._firsts = 0  # how many staged first
        self._folders: dict[Path, parallel.NewFiles] = {}  # a folder written to -> its staging
        self._durable = parallel.Durable()

    def files(self, folder: Path, reserve: bool = False) -> parallel.NewFiles:
        """Where the temp files of ``folder``'s files are made. With ``reserve``, every
        staging folder it may move to is made now (see :meth:`parallel.NewFiles.reserve`):
        for the processes about to be forked, which make temp files there too (see
        :func:`make`), in folders this one knows of, syncs and removes."""
        new = self._folders.get(folder)
        if new is None:
            new = self._folders[folder] = parallel.NewFiles(
                folder, STAGING, self._durable.watch, self.clock
            )
        if reserve:
            try:
                new.reserve()
            except OSError as e:  # (named for the folder: the staging one never was)
                raise OSError(
                    e.errno,
                    f"cannot make files in the output folder ({e.strerror}): a build writes "
                    f"each file there, then renames it; {_cannot_make(folder, e)}",
                    str(folder),
                ) from e
        return new

    def adopt(
        self, path: Path, made: Made, first: bool = False
    ) -> tuple[Outcome, tuple[int, int] | None]:
        """Stage what :func:`make` made of the output ``path`` (in any process, in a
        folder of :meth:`files`): its temp file, which :meth:`commit` renames to
        ``path``. The files staged ``first`` (archive pages) are renamed before the
        others (the documents that link them), each group in the order staged. Its
        outcome, and the size and mtime of the file to be published, or found holding
        its bytes (for the cache)."""
        if made.tmp is None:
            return Outcome(path.name, made.status, list(made.problems)), made.stat
        self._stage(path, made.tmp, first)
        return Outcome(path.name, "written"), made.stat

    def _stage(self, path: Path, tmp: str, first: bool) -> None:
        if first:  # after the other first ones, before the rest
            self.staged.insert(self._firsts, (path, tmp))
            self._firsts += 1
        else:
            self.staged.append((path, tmp))

    def write_back(self) -> None:
        """Begin to make what is staged so far durable, while the build goes on (see
        :meth:`feedpub.parallel.Durable.start`); :meth:`commit` finishes it. Only for
        files enough to be synced together (a few are fsynced each, at the commit)."""
        if len(self.staged) >= parallel.SYNC_TOGETHER:
            self._durable.start()

    def commit(self, hold: Collection[str] = ()) -> dict[str, str]:
        """Publish what was staged: make every temp file durable (see
        :class:`feedpub.parallel.Durable`), rename each, then sync the folder. A file
        that cannot be synced or renamed keeps its old one, and so does each named in
        ``hold`` staged after it (the site files, which list the others); what is wrong
        with each such name."""
        errors = self._durable.sync([tmp for _, tmp in self.staged])
        failed: dict[str, str] = {}
        renamed: Path | None = None
        # (the renames, each with its bookkeeping, are one step to Ctrl-C or SIGTERM, held
        # until all are done: between a rename and its bookkeeping, a file would count
        # not published, and be neither in the cache nor told to the hub)
        with parallel.signals_held():
            for error in errors:
                path, tmp = self.staged[0]  # taken off once done: the rest, discard() removes
                if failed and path.name in hold:
                    with contextlib.suppress(OSError):
                        os.unlink(tmp)
                    self.unpublished.add(path.name)
                    failed[path.name] = HELD_BACK
                    self.staged.popleft()
                    continue
                if error is None:
                    try:
                        os.replace(tmp, path)
                        renamed = path
                    except OSError as e:
                        error = e
                if error is not None:
                    with contextlib.suppress(OSError):
                        os.unlink(tmp)
                    self.unpublished.add(path.name)
                    failed[path.name] = CannotWrite(path, error)
                self.staged.popleft()
        self._firsts = 0
        if renamed is not None:
            sync_folder_of(renamed)  # the renames, at once
        self._remove_folders()
        return failed

    def discard(self) -> None:
        """Remove the temp files not published (a build stopped before its commit), and
        every staging folder in the folders written to: also one made an instant before
        a signal stopped the build, before it was known here (a SIGTERM sent as a staging
        folder appeared left it, empty or with temp files in it; we hold the build lock:
        none is another build's)."""
        for path, tmp in self.staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            self.unpublished.add(path.name)
        self.staged.clear()
        self._firsts = 0
        written_to = list(self._folders)
        self._remove_folders()
        for folder in written_to:
            for staging in _stagings(folder):
                shutil.rmtree(staging, ignore_errors=True)

    def _remove_folders(self) -> None:
        """The staging folders, emptied by the renames (or unlinks) before."""
        self._durable.close()
        for staging in (f for new in self._folders.values() for f in new.every_folder()):
            shutil.rmtree(staging, ignore_errors=True)
        self._folders.clear()


#: What to do when no file can be made in the output folder, by its cause (a full disk:
#: a new folder takes a block of ext4, an inode of any file system).
_DENIED = ("make the folder writable by the user that runs feedpub, or point site.output "
           "elsewhere")  # fmt: skip
_KEPT = "; each file keeps its previous version meanwhile"
_CANNOT_MAKE = {
    errno.ENOSPC: f"the disk it is on is full: free space on it{_KEPT}",
    errno.EDQUOT: ("the disk quota of the user that runs feedpub is used up: free space "
                   f"in it, or raise it{_KEPT}"),
    errno.EROFS: ("the file system it is on is read-only: mount it writable, or point "
                  f"site.output elsewhere{_KEPT}"),
}  # fmt: skip


#: What to do when the output folder's file system has no inode left (a tmpfs made with
#: few): ``df -h`` shows space free there, so "the disk is full" would mislead.
_NO_INODE = ("its file system has no inode left to make a file with (df -i), however much "
             f"space is free: remove files from it, or give it more inodes{_KEPT}")  # fmt: skip


def _cannot_make(folder: Path, e: OSError) -> str:
    """What to do when no file can be made in the output ``folder`` (``e`` says why)."""
    if e.errno == errno.ENOSPC and no_inode_left(folder):
        return _NO_INODE
    return _CANNOT_MAKE.get(e.errno or 0, _DENIED)


def no_inode_left(folder: Path | str) -> bool:
    """Whether the file system of ``folder`` can make no more files for want of inodes
    (one that does not count them, as btrfs, says it has none at all: never)."""
    try:
        st = os.statvfs(folder)
    except OSError:
        return False
    return st.f_files > 0 and st.f_favail == 0


#: Why a site file (``index.html``, ``feeds.opml``) is not written: a feed document was
#: not, and they list every feed (its old files are kept, and so are theirs).
HELD_BACK = "held back with the feed documents that could not be written: it lists them"


class CannotWrite(str):
    """What is wrong with an output file that could not be written, synced or renamed:
    ``cannot write PATH: REASON``, with the reason (the system's words for it) alone as
    :attr:`reason`, so that the report can say it once of many files (a full disk)."""

    reason: str

    def __new__(cls, path: Path | str, error: Exception | str) -> CannotWrite:
        reason = error if isinstance(error, str) else _reason(error)
        if (isinstance(error, OSError) and error.errno == errno.ENOSPC
                and no_inode_left(os.path.dirname(path))):  # fmt: skip
            reason += "; no inode left: df -i"  # (df -h shows space free)
        if isinstance(error, OSError) and error.errno == errno.EISDIR:  # (made as it ran)
            reason += "; a folder is in its place: remove it, or rename it"
        made = super().__new__(cls, f"cannot write {path}: {reason}")
        made.reason = reason
        return made

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:  # (from a worker, pickled)
        return CannotWrite, (self.removeprefix("cannot write ")[: -len(self.reason) - 2],
                             self.reason)  # fmt: skip


def _reason(error: Exception) -> str:
    return (error.strerror if isinstance(error, OSError) else None) or str(error)


class Made(NamedTuple):
    """What :func:`make` made of one output, in whichever process rendered it, for the
    build to stage in its own order (:meth:`Stage.adopt`)."""

    #: "written" (then ``tmp`` holds the new bytes), "unchanged", "differs" (a check),
    #: "failed" or "deferred"
    status: str
    problems: list[Problem | str]
    #: the temp file that holds the new bytes, to be renamed to the output
    tmp: str | None
    #: the size and mtime of the file to be published, or found holding these bytes
    stat: tuple[int, int] | None


def make(config: Config, name: str, rendered: Rendered, check: bool,
         new: parallel.NewFiles | None,
         recorded: Mapping[str, tuple[str, int, int]] | None = None) -> Made:  # fmt: skip
    """One checked output compared with its file and, when its bytes changed, written to
    a temp file made by ``new`` (None with ``check``: nothing is written). A failed one
    (``rendered`` holds problems), or one with an article file that changed while the
    build ran, is not written: its file is kept, untouched. So is a file feedpub did not
    write (see :func:`foreign`; ``recorded``: the outputs the cache records as written,
    by name: fingerprint, size and mtime)."""
    data, problems, changed = rendered
    path = config.output / name
    if changed:
        return Made("deferred", list(changed), None, None)
    if problems or data is None:
        return Made("failed", list(problems), None, None)
    try:
        there = _there(path, len(data))
    except _Link as e:  # (the rename would replace the link, not what it leads to)
        return Made("failed", [LINK.format(target=shown_path(e.target))], None, None)
    except _NotAFile as e:  # (a folder: the rename would fail, "Is a directory")
        return Made("failed", [NOT_A_FILE.format(what=e.what)], None, None)
    except OSError as e:  # (a file it cannot read: whose it is cannot be told)
        return Made("failed", [UNREADABLE.format(reason=_reason(e))], None, None)
    same = there == data
    if there and not same and foreign(config, name, there, _as_recorded(path, recorded)):
        return Made("failed", [FOREIGN_LIST if name.endswith(".opml") else FOREIGN], None, None)
    if check or new is None:
        return Made("unchanged" if same else "differs", [], None, None)
    try:
        if same and (st := readable_by_all(path)) is not None:
            return Made("unchanged", [], None, (st.st_size, st.st_mtime_ns))
        # (the same bytes in a file another user owns, 0600, which the build may not
        # make readable: written again, its own, readable by all)
        tmp, stat = _write_temp(new, path, data)
        return Made("written", [], tmp, stat)
    except OSError as e:
        return Made("failed", [CannotWrite(path, e)], None, None)


def readable_by_all(path: Path) -> os.stat_result | None:
    """A file that holds the bytes a build would write, but that not everyone may read
    (0600: checked out, or copied, under ``umask 077``), is made readable as a written
    one is (0644), its bytes and mtime untouched: else a web server answers 403 for it
    (``rsync -a`` copies the mode to the host) until its feed changes, and a full
    archive page never does. None for one the build may not change (another user's,
    ``sudo tar x`` of a backup): to be written again, the build's own (left as it was,
    it stayed 403 for ever, without a word).
    The file itself, as opened: never what a symlink put there since leads to (a build
    run by root made /etc/shadow readable by all). Its status, as it is then."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | _NOFOLLOW)
    try:
        st = os.fstat(fd)
        if stat.S_ISREG(st.st_mode) and st.st_mode & 0o044 != 0o044:
            try:
                os.fchmod(fd, stat.S_IMODE(st.st_mode) | 0o044)
            except PermissionError:  # (EPERM: another user's; the build's own on a
                if st.st_uid != os.geteuid():  # FAT disk, which has no modes: as it is)
                    return None
            except OSError:  # (a file system that has no modes to change: as it is)
                pass
        return st
    finally:
        os.close(fd)


#: The most of a file of another size read to tell whose it is (a feed's head, with
#: hundreds of categories and a long description, is a few tens of KB).
_HEAD_READ = 1 << 20


def _there(path: Path, size: int) -> bytes | None:
    """What the file at ``path`` holds, to be compared with ``size`` bytes: all of it
    when it has that size, else its first :data:`_HEAD_READ` bytes (a 1 GB file put at
    an output's name is not read whole); None when there is none. :class:`_NotAFile`
    for what is no regular file (a folder; a FIFO would have stopped the build, waiting
    for a writer), OSError for what cannot be read; :class:`_Link` for a symbolic link
    (the link itself: the output folder may be reached through one)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | _NOFOLLOW)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as e:
        if e.errno in (errno.ELOOP, errno.EMLINK) and os.path.islink(path):  # (EMLINK: BSD's)
            raise _Link(os.readlink(path)) from None
        if e.errno == errno.ENXIO and stat.S_ISSOCK(os.lstat(path).st_mode):
            raise _NotAFile("a socket") from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _NotAFile(_KINDS.get(stat.S_IFMT(st.st_mode), "something not a file"))
        with open(fd, "rb", closefd=False) as f:
            return f.read(st.st_size if st.st_size == size else min(st.st_size, _HEAD_READ))
    finally:
        os.close(fd)


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # (not on Windows)


class _NotAFile(OSError):
    """What is no regular file at an output's name (a folder, a FIFO), said as ``what``."""

    def __init__(self, what: str) -> None:
        super().__init__(errno.EISDIR if what == "a folder" else errno.EINVAL, what)
        self.what = what


_KINDS = {stat.S_IFDIR: "a folder", stat.S_IFIFO: "a named pipe (FIFO)",
          stat.S_IFCHR: "a device", stat.S_IFBLK: "a device"}  # fmt: skip


class _Link(OSError):
    """A symbolic link at an output's name, and where it leads."""

    def __init__(self, target: str) -> None:
        super().__init__(errno.ELOOP, "a symbolic link")
        self.target = target


def _as_recorded(path: Path, recorded: Mapping[str, tuple[str, int, int]] | None) -> bool:
    """Whether the file at ``path`` is as the cache records feedpub wrote it."""
    known = recorded.get(path.name) if recorded else None
    if known is None:
        return False
    try:
        st = path.stat()
    except OSError:
        return False
    return (st.st_size, st.st_mtime_ns) == known[1:]


#: What is said of a file in the output folder that feedpub did not write.
FOREIGN = ("a file feedpub did not write is there (no feedpub generator in it): not "
           "replaced; move it out of the output folder, or give site.output a folder of "
           "feedpub's own, and the next build writes it")  # fmt: skip
FOREIGN_LIST = ("a list that is not this site's is there (it names feeds outside "
                "site.feeds_url, or none: a blogroll, another config's list, or this site's "
                "from before feeds_url changed): not replaced; move it out of the output "
                "folder, or delete it, and the next build writes it")  # fmt: skip
UNREADABLE = ("a file feedpub cannot read is there ({reason}): not replaced, as whose it is "
              "cannot be told; let the user that runs feedpub read it, or remove it")  # fmt: skip
NOT_A_FILE = ("{what} is in its place (not a file): remove it, or rename it, and the next "
              "build writes the file")  # fmt: skip
LINK = ("a symbolic link is there (to {target}): not replaced (a build would replace the "
        "link, not the file it leads to); remove the link, or give site.output the folder "
        "it leads to")  # fmt: skip
#: What feedpub writes in the head of each of its documents (before the first item or
#: entry), in every version: RSS's and Atom's generator, JSON Feed's ``_feedpub``.
_OURS_IN_HEAD = (b">feedpub</generator>", b'"generator": "feedpub ')
_PAGE_MARK = b'<meta name="generator" content="feedpub '
_XML_URL = re.compile(rb'xmlUrl="([^"]*)"')


def foreign(config: Config, name: str, there: bytes, recorded: bool = False) -> bool:
    """Whether ``there``, the bytes of the output file ``name``, were not written by
    feedpub (a page, a blogroll or another tool's feed in a folder feedpub shares). A
    feed of feedpub's names it as its generator in its head (before its first item or
    entry: a channel's hundreds of categories come first), its ``index.html`` in a
    ``<meta name="generator">`` of its ``<head>``. Its ``feeds.opml``, which has no
    such mark, is told by the feeds it lists (see :func:`_our_list`), or by the cache's
    record of it, while it is as written (``recorded``: its size and modification time)."""
    if name.endswith(".html"):
        return _PAGE_MARK not in there[: max(there.find(b"</head>"), 0) or 65536]
    if name.endswith(".opml"):
        return not (recorded or _our_list(config, there))
    return not any(m in feed_head(name, there) for m in _OURS_IN_HEAD)


def feed_head(name: str, data: bytes) -> bytes:
    """The head of the feed document ``data`` (the file ``name``): up to its first item
    (RSS), entry (Atom) or its items (JSON Feed), where feedpub writes its generator and
    self link. (Each format's own mark: a ``"items"`` in an RSS title is text.)"""
    mark = _FIRST_ITEM.get(name.rpartition(".")[2])
    end = data.find(mark) if mark else -1
    return data if end < 0 else data[:end]


#: Where the items of a feed feedpub writes begin, by its file's extension (an element's
#: name in text is escaped, a key in a JSON text has its quotes escaped).
_FIRST_ITEM = {"rss": b"<item>", "atom": b"<entry>", "json": b'"items": ['}


def _our_list(config: Config, there: bytes) -> bool:
    """Whether ``there`` is an OPML list of feedpub's for ``config``: every feed it names
    under ``site.feeds_url``; or else, all under one other folder, more than half named
    as feeds of the config are (``all.rss``): the list before ``feeds_url`` changed
    (and a feed was renamed or taken out, maybe, in the same change). Each URL is read
    as a URI, as ``feeds_url`` is: a list an older feedpub wrote of
    ``https://News.Example.com/Café/feeds/`` as written is this site's."""
    urls = _XML_URL.findall(there)
    if b"<opml" not in there or not urls:
        return False
    urls = [_as_written(u) for u in urls]
    ours = config.feeds_url.replace("&", "&amp;").encode()
    if all(u.startswith(ours) for u in urls):
        return True
    names = {f"/{f.slug}.{fmt}".encode() for f in config.feeds for fmt in f.formats}
    folders = {u[: u.rfind(b"/")] for u in urls}
    # (most, not all: a feed may have been renamed or taken out in the same change; two
    # at least, unless the config has one: a blogroll naming another site's all.rss is not)
    matched = sum(u[u.rfind(b"/") :] in names for u in urls)
    return (len(folders) == 1 and 2 * matched > len(urls)
            and (matched >= 2 or len(config.feeds) == 1))  # fmt: skip


def _as_written(url: bytes) -> bytes:
    """A feed's URL in a list (XML-escaped) as the config's URLs are written
    (:func:`~.config.as_uri`); as it is where it is no sound URL."""
    import html  # (with its table of entities: only for a list to compare)

    try:
        uri = as_uri(html.unescape(url.decode()))
    except (ValueError, UnicodeError):
        return url
    return uri.replace("&", "&amp;").encode()


def held(made: Made, status: str, problems: list[Problem | str]) -> Made:
    """``made`` not to be published after all (another document of its feed was not:
    see ``build._held_back``): its temp file removed, ``status`` and ``problems`` its."""
    if made.tmp is not None:
        with contextlib.suppress(OSError):
            os.unlink(made.tmp)
    return Made(status, problems, None, None)


def _write_temp(new: parallel.NewFiles, path: Path, data: bytes) -> tuple[str, tuple[int, int]]:
    """A temp file made by ``new`` holding ``data``, mode 0644; its path, and the size
    and mtime ``path`` will have once it is renamed there."""
    fd, tmp = new.make(path.name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fchmod(f.fileno(), 0o644)
            st = os.fstat(f.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp, (st.st_size, st.st_mtime_ns)


def deliver(
    config: Config, name: str, rendered: Rendered, check: bool, stage: Stage,
    first: bool = False, recorded: Mapping[str, tuple[str, int, int]] | None = None,
) -> tuple[Outcome, tuple[int, int] | None]:  # fmt: skip
    """Stage (or with ``check``, compare) one checked output; a failed one keeps its
    file. With the outcome, the size and mtime of the file to be published (or found
    holding these bytes), for the cache: :func:`make`, then :meth:`Stage.adopt`.

    The file is published by the build's :meth:`Stage.commit`, which may still fail
    it. An output with an article file that changed while the build ran keeps its file
    too, untouched and unrecorded, so that the next build (which sees the change)
    renders it: a feed never shows an article its Summary no longer describes.
    """
    new = None if check else stage.files(config.output)
    return stage.adopt(config.output / name,
                       make(config, name, rendered, check, new, recorded), first)  # fmt: skip


def make_folder(config: Config) -> list[Path]:
    """The output folder, and the folders above it that are missing: each made here
    readable by all (0755, as the files are 0644), whatever the umask: a web server
    serves them, and ``rsync -a`` copies their modes to the host. Existing folders keep
    their modes. The folders made, the deepest first (see :func:`unmake_folders`)."""
    missing = []
    folder = config.output.absolute()
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    config.output.mkdir(parents=True, exist_ok=True)
    for made in missing:
        with contextlib.suppress(OSError):  # (made by another process meanwhile: its own)
            os.chmod(made, 0o755)  # noqa: S103 (public: what a web server serves)
    return missing


def unmake_folders(made: Sequence[Path]) -> None:
    """Remove the folders :func:`make_folder` made, while they are empty: a refused
    first build leaves no empty output folder (to serve, or to deploy)."""
    for folder in made:
        with contextlib.suppress(OSError):  # (not empty, or gone: left as it is)
            folder.rmdir()


def has_items(path: Path) -> bool:
    """Whether the feed file at ``path`` holds an item (in its first MB)."""
    try:
        # (a named pipe put at its name: its open would wait for a writer, for ever)
        with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC), "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                return False
            head = f.read(1 << 20)
    except OSError:
        return False
    return (
        b"<item>" in head or b"<entry>" in head or b"<item " in head or b"<entry " in head
        or b'"items": [\n' in head  # a JSON Feed's first item (an empty one has "items": [])
    )  # fmt: skip


def refusal(config: Config, feeds: Sequence[FeedConfig], files: int = 1,
            future: tuple[datetime, datetime] | None = None,
            excluded: int = 0, literal: Sequence[str] = ()) -> str | None:  # fmt: skip
    """Why nothing is written when the content yielded no article (an unmounted folder,
    a wrong glob, a site.exclude that leaves out every file: ``excluded`` of them), or
    every article it yielded is dated after now (``future``: now, and the first such
    date; a clock set back): some of these feeds hold items now, or the globs found no
    file at all (``files``; a first build's glob with a typo; ``literal``: what to write
    for a glob that names a folder with a glob character in its name, see
    :func:`feedpub.sources.literal_hint`). None otherwise."""
    nonempty = [
        f"{f.slug}.{fmt}" for f in feeds for fmt in f.formats
        if has_items(config.output / f"{f.slug}.{fmt}")
    ]  # fmt: skip
    globs = ", ".join(map(utf8_reading, config.content))  # (as config.toml has them)
    if not nonempty:
        if not files and excluded:
            return (
                f"the content ({globs}) matches {counted(excluded, 'file')}, every one "
                "left out by site.exclude: check site.exclude, or pass --allow-empty to "
                "publish empty feeds."
            )
        if not files:
            return (
                f"the content ({globs}) matches no file: {''.join(h + '; ' for h in literal)}"
                "check site.content (its globs are relative to the config file's folder), or "
                "pass --allow-empty to publish empty feeds."
            )
        return None
    if future is not None:
        now, first = (f"{d:%Y-%m-%dT%H:%M:%SZ}" for d in future)
        return (
            f"every published article is dated after now ({now}; the first {first}): is "
            f"the clock right? Kept {counted(len(nonempty), 'existing non-empty feed file')}; "
            "pass --allow-empty to publish empty feeds."
        )
    left_out = f" ({counted(excluded, 'file')} left out by site.exclude)" if excluded else ""
    return (
        f"the content ({globs}) yielded no articles{left_out}; "
        f"kept {counted(len(nonempty), 'existing non-empty feed file')}. "
        f"Check site.content{' and site.exclude' if excluded else ''}, or pass "
        "--allow-empty to publish empty feeds."
    )


def archive_pages(config: Config) -> set[str]:
    """The names in the output folder that may be archive pages."""
    try:
        return {n for n in os.listdir(config.output) if "-archive-" in n}
    except OSError:
        return set()


def prune_pages(config: Config, feed: FeedConfig, fmt: str, docs: Sequence[Document[Any]],
                check: bool, existing: set[str]) -> list[Outcome]:  # fmt: skip
    """Remove archive pages of ``feed`` (among the ``existing`` file names of the output
    folder) that its documents no longer include."""
    wanted = {d.stem for d in docs}
    out: list[Outcome] = []
    prefix, suffix = f"{feed.slug}-archive-", f".{fmt}"
    for name in sorted(n for n in existing if n.startswith(prefix) and n.endswith(suffix)):
        stem = name[: -len(suffix)]
        if is_page_of(feed, stem) is None or stem in wanted:
            continue
        path = config.output / name
        try:  # (another tool's file that has the name of a page, or no regular file: left)
            there = _there(path, -1)
        except OSError:
            continue
        if there is None or foreign(config, name, there) or not _a_page_of(feed, fmt, there):
            continue
        if check:
            out.append(Outcome(path.name, "differs", ["archive page no longer part of the feed"]))
            continue
        try:
            path.unlink()
        except OSError as e:
            out.append(Outcome(path.name, "failed", [f"cannot remove {path}: {e.strerror or e}"]))
        else:
            out.append(Outcome(path.name, "removed"))
    return out


#: The formats' file name extensions (their names).
_FEED_EXTENSIONS = ("rss", "atom", "json")


def _a_page_of(feed: FeedConfig, fmt: str, there: bytes) -> bool:
    """Whether ``there`` is an archive page of ``feed`` in ``fmt``: it links the feed's
    subscription document as its current one (RFC 5005; JSON Feed: ``_feedpub.current``),
    under any ``feeds_url`` (a page from before it changed), where a feed of another name
    (``news-archive-2024``, another config's) links none."""
    name = re.escape(f"/{feed.slug}.{fmt}".encode())
    current = rb'(?:rel="current" href="|"current": ")[^"]*' + name + rb'"'
    return re.search(current, feed_head(f"x.{fmt}", there)) is not None


def prune_unlisted(config: Config, produced: Collection[str],
                   recorded: Mapping[str, tuple[str, int, int]], check: bool,
                   unrecorded: list[str] | None = None) -> list[Outcome]:  # fmt: skip
    """Remove the feed files of the output folder that no feed of the config makes any
    more (a feed, a format or archive pages taken out of ``config.toml``): those, not in
    ``produced``, that the builds of this config wrote (``recorded``, by the cache, which
    forgets a file once it is removed: another config may write that name since) and
    that still say so (feedpub's generator and the file's own URL under
    ``site.feeds_url``, or another, in their head: one that changed in the same
    build). Anything else is left alone: files of other tools or of another config
    writing to the same folder, links. To ``unrecorded`` (when given: a cache that
    records no output, new or lost) go the names of those the cache does not record
    that are feedpub's and say so: maybe this config's, from before its cache, maybe
    another config's; left, for the build to say."""
    try:
        names = os.listdir(config.output)
    except OSError:
        return []
    out: list[Outcome] = []
    for name in sorted(names):
        stem, _, ext = name.rpartition(".")
        if (name in produced or (name not in recorded and unrecorded is None)
                or name.startswith(".") or ext not in _FEED_EXTENSIONS):  # fmt: skip
            continue
        path = config.output / name
        try:  # (a link, a FIFO, what cannot be read: left; its head may be long)
            there = _there(path, -1)
        except OSError:
            continue
        if there is None:
            continue
        head = feed_head(name, there)
        # its own URL: under site.feeds_url, or under the one it was written for when
        # that changed in the same build as a feed was renamed or taken out
        url = config.feed_url(stem, ext)
        mine = (url.encode(), url.replace("&", "&amp;").encode(), f'/{name}"'.encode())  # fmt: skip
        if not (any(m in head for m in _OURS_IN_HEAD) and any(u in head for u in mine)):
            continue
        if name not in recorded:
            if unrecorded is not None:
                unrecorded.append(name)
            continue
        if check:
            out.append(Outcome(name, "differs", ["no feed of the config makes it any more"]))
            continue
        try:
            path.unlink()
        except OSError as e:
            out.append(Outcome(name, "failed", [f"cannot remove {path}: {e.strerror or e}"]))
        else:
            out.append(Outcome(name, "removed"))
    return out


# ---------------------------------------------------------------- the build lock


@contextlib.contextmanager
def build_lock(config: Config, timeout: float | None = None) -> Iterator[list[str]]:
    """Hold an exclusive flock on ``<site.cache>.lock``; LockError after ``timeout`` s.

    The lock sits beside the cache (by default in ``.feedpub/`` beside the config
    file), never in the output folder. The OS releases it when the process dies, so
    a killed build leaves none. Once it is held, what an older feedpub or a killed
    build left in the output folder is removed (see :func:`_clear_output_folder`);
    what of a killed build's cannot be, each said in a line, is what it gives.
    """
    wait = config.lock_timeout if timeout is None else timeout
    deadline = time.monotonic() + wait
    fd = -1
    unwritable: OSError | None = None
    try:
        config.lock.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(config.lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        # A lock there that cannot be written (the cache's file system mounted read-only,
        # a lock root made, 0644, and cron running as another user): flock takes a
        # read-only descriptor all the same, and the build goes on without the cache,
        # which says why. (Never a folder at its name: EISDIR, not taken for the lock.)
        unwritable = OSError(
            e.errno,
            f"{e.strerror}: the cache and the build lock need a folder feedpub can "
            "write (see site.cache)",
            e.filename,
        )
        if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            with contextlib.suppress(OSError):  # (not waiting, as a FIFO's open for
                fd = os.open(config.lock, os.O_RDONLY | os.O_NONBLOCK)  # reading does)
        if fd < 0:
            raise unwritable from e
    try:
        try:
            _flock(fd, deadline, f"another build holds {config.lock} (waited {wait:g} s; "
                   "see site.lock_timeout)")  # fmt: skip
        except OSError as e:  # (NFS, whose flock is a lock of the file's bytes: not taken
            if unwritable is not None and e.errno == errno.EBADF:  # on a read-only one)
                raise unwritable from e
            raise
        except LockError:
            if _shared(fd):  # (checks hold it, as check_lock takes it: not "another build")
                raise LockError(f"a build --check holds {config.lock} (waited {wait:g} s; "
                                "see site.lock_timeout)") from None  # fmt: skip
            raise
        yield _clear_output_folder(config.output, deadline, wait)
    finally:
        os.close(fd)


@contextlib.contextmanager
def check_lock(config: Config, timeout: float | None = None) -> Iterator[None]:
    """For ``build --check``: wait for a build that runs, as a build does (LockError
    after ``timeout`` s), so that its staging folders are not taken for a killed build's
    leftovers nor its files, half renamed, for stale ones. A shared flock on the build
    lock, when there is one: none (no build yet) or one it cannot open is not waited
    for, and nothing is made (a check writes nothing, beside the config neither)."""
    wait = config.lock_timeout if timeout is None else timeout
    try:  # (not waiting, as a FIFO's open for reading does, for a writer)
        fd = os.open(config.lock, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        fd = -1
    try:
        if fd >= 0:
            _flock(fd, time.monotonic() + wait, f"another build holds {config.lock} "
                   f"(waited {wait:g} s; see site.lock_timeout)", fcntl.LOCK_SH)  # fmt: skip
        yield
    finally:
        if fd >= 0:
            os.close(fd)


def _shared(fd: int) -> bool:
    """Whether the lock ``fd`` is on is held shared alone (by checks: see
    :func:`check_lock`), not by a build; taken and let go at once."""
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return False
    fcntl.flock(fd, fcntl.LOCK_UN)
    return True


def _flock(fd: int, deadline: float, busy: str, how: int = fcntl.LOCK_EX) -> None:
    """Take a flock on ``fd`` (exclusive, or ``how``), polling until ``deadline``;
    LockError(busy) then."""
    while True:
        try:
            fcntl.flock(fd, how | fcntl.LOCK_NB)
            return
        except OSError as e:
            if e.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            if time.monotonic() >= deadline:
                raise LockError(busy) from None
            time.sleep(0.05)


#: What feedpub 0.1 kept in the output folder: the cache (with SQLite's companion
#: files) and the lock. The output folder is published, and the cache names every
#: article, unpublished and embargoed ones included: a build removes them.
OLD_CACHE = ".feedpub-cache.sqlite"
OLD_LOCK = ".feedpub.lock"
_OLD_STATE = (*(OLD_CACHE + s for s in COMPANIONS), OLD_LOCK)


def _clear_output_folder(folder: Path, deadline: float, wait: float) -> list[str]:
    """Remove from the output folder what is not for publishing: an older feedpub's
    cache and lock, and the temp files a killed build left (we hold the build lock);
    what of these cannot be removed, said (see :func:`_remove_stale_temps`).

    A build of an older feedpub that still runs holds the old lock: it is waited for
    (until ``deadline``), so that its cache is not removed under it.
    """
    old_lock = folder / OLD_LOCK
    try:
        fd: int | None = os.open(old_lock, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0))
    except OSError:  # none (the usual case), or not a file we can lock: removed below
        fd = None
    try:
        if fd is not None:
            _flock(fd, deadline, f"an older feedpub build holds {old_lock} (waited {wait:g} s)")
        for name in _OLD_STATE:
            try:
                os.unlink(folder / name)
            except (FileNotFoundError, IsADirectoryError):  # a folder so named is not ours
                pass
            except OSError as e:
                if not os.path.lexists(folder / name):  # (a read-only file system says
                    continue  # so even of a file that is not there: EROFS, not ENOENT)
                raise OSError(
                    e.errno,
                    f"cannot remove an older feedpub's {name} from the output folder, "
                    f"which is published ({e.strerror}); remove it by hand",
                    str(folder / name),
                ) from e
        return _remove_stale_temps(folder)
    finally:
        if fd is not None:
            os.close(fd)


def _remove_stale_temps(folder: Path) -> list[str]:
    """The staging folders and temp files a killed build left behind (safe: we hold the
    lock; an older feedpub made its temp files beside their files); what of them cannot
    be removed (a build run as another user, root, killed), said: each build would
    leave it for a deploy to publish, without a word (the lines are said, not raised:
    the feeds are built all the same)."""
    stuck = []
    for path in [*_stagings(folder), *_old_temps(folder)]:
        try:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
        except FileNotFoundError:
            continue
        except OSError as e:
            stuck.append(f"{shown_path(str(path))}: {LEFT_BY_A_KILLED_BUILD} ({e.strerror or e}): "
                         "remove it by hand (a deploy that does not leave it out publishes "
                         "it)")  # fmt: skip
    return stuck


#: How a build says what a killed build left in the output folder that it cannot remove.
LEFT_BY_A_KILLED_BUILD = "left by a killed build, and it cannot be removed"


def _stagings(folder: Path) -> list[Path]:
    return [p for p in folder.glob(f"{STAGING}*") if p.is_dir() and not p.is_symlink()]


def _old_temps(folder: Path) -> list[Path]:
    # (another tool's ".notes.tmp" stays)
    return [p for p in folder.glob(".*.tmp")
            if _OLD_TEMP.fullmatch(p.name) and p.is_file() and not p.is_symlink()]  # fmt: skip


def leftovers(folder: Path) -> list[tuple[str, str]]:
    """The names in the output folder that a build removes and a deploy would publish,
    each with what ``build --check`` says of it: a killed build's staging folders and
    temp files, an older feedpub's cache and lock; of a killed build's, one this process
    may not remove is said as a build says it (see :func:`_remove_stale_temps`)."""
    removes = "left by a killed build or an older feedpub: a build removes it"
    stuck = (f"{LEFT_BY_A_KILLED_BUILD} (Permission denied): remove it by hand (a deploy "
             "that does not leave it out publishes it)")  # fmt: skip
    old = [(n, removes) for n in _OLD_STATE if (folder / n).is_file()]
    return sorted([*old, *((p.name, removes if removable(p) else stuck)
                           for p in (*_stagings(folder), *_old_temps(folder)))])  # fmt: skip


def removable(path: Path) -> bool:
    """Whether this process may remove ``path``, a killed build's staging folder (with
    the files in it) or temp file, as :func:`_remove_stale_temps` does: what
    ``build --check`` says of it. A build run as another user (``sudo feedpub build``)
    and killed left a folder the cron user can neither list nor empty."""
    folder = path.parent
    try:
        if not os.access(folder, os.W_OK | os.X_OK):
            return False
        mode, owner = folder.stat().st_mode, folder.stat().st_uid
        if mode & stat.S_ISVTX and os.geteuid() not in (0, owner, path.lstat().st_uid):
            return False  # (a sticky folder, /tmp's: only an entry's owner removes it)
    except OSError:
        return False
    if path.is_symlink() or not path.is_dir():
        return True
    stuck: list[OSError] = []
    for sub, _, _ in os.walk(path, onerror=stuck.append):
        if not os.access(sub, os.R_OK | os.W_OK | os.X_OK):
            return False
    return not stuck


#: The name of a temp file an older feedpub made beside its file (``.azure.rss.k2j4h1.tmp``).
_OLD_TEMP = re.compile(r"\..+\.(?:rss|atom|json|opml|html)\.[A-Za-z0-9_]+\.tmp")
