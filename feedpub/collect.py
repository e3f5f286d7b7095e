"""Find the article files of a config and load them, in parallel when it pays.

Reads files, never writes them. Files whose resolved path leaves the content
root (the folder part of the glob, before its first wildcard) are skipped, so a
symlink cannot pull in ``/etc/passwd``.

Names are taken as the file system gives them: ``os.scandir`` of a folder named by a
str decodes each name once, and a name that is not UTF-8 keeps its undecodable bytes
as lone surrogates (``surrogateescape``), so that it still opens the file. Nothing
here looks at a name again; it is escaped only when a message shows it
(:func:`feedpub.errors.shown_path`), and the cache stores such a name as its bytes.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import functools
import gc
import glob
import hashlib
import marshal
import os
import re
import stat
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import tzinfo
from itertools import repeat
from pathlib import Path
from typing import Any, NamedTuple, ParamSpec, TypeVar

from .cache import Summary
from .config import Config
from .errors import ArticleError, shown_path
from .model import Article

PARALLEL_THRESHOLD = 2000
CHUNK = 256


class SourceFile(NamedTuple):
    """An article file found by the content globs (a named tuple: a build lists and
    sends a hundred thousand)."""

    path: str  # relative to the config folder, POSIX form: the name shown to users
    abspath: str
    size: int
    mtime_ns: int


P = ParamSpec("P")
T = TypeVar("T")


def no_cycle_collection(fn: Callable[P, T]) -> Callable[P, T]:
    """Run ``fn`` with the cyclic garbage collector off. Listing, gathering and selecting
    make a hundred thousand entries, rows and summaries, which hold no reference
    cycles; the collector would walk them all again and again (a third of a warm
    build's time)."""

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return run


#: What the workers of a :func:`worker_pool` find in their copy of this module: the
#: work of the build that forked them. A chunk of it is then sent as a range of
#: positions, not pickled item by item (a hundred thousand sources, each pickled by
#: Python code, cost the build a quarter of a second).
_INHERITED: list[Any] = [None]


def inherited() -> Any:
    """In a worker of :func:`worker_pool`, what the pool was given to ``inherit``."""
    return _INHERITED[0]


def fork_context() -> Any:
    """The "fork" start method on Linux (whatever the default of the Python version);
    None elsewhere, where the default start method is used and the work is sent."""
    import multiprocessing

    if not sys.platform.startswith("linux"):
        return None  # macOS has fork, but its system libraries do not survive it
    return multiprocessing.get_context("fork")


@contextlib.contextmanager
def worker_pool(workers: int, inherit: Any = None) -> Iterator[Any]:
    """A pool of ``workers`` forked processes, each holding ``inherit`` as
    :data:`_INHERITED`, whose cyclic garbage collector leaves alone the objects they
    were forked with (the build's hundred thousand sources or summaries): a
    collection would walk them all, and touching them copies their memory pages."""
    from concurrent.futures import ProcessPoolExecutor  # multiprocessing: only for a pool

    _INHERITED[0] = inherit
    try:
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=fork_context(), initializer=gc.freeze
        ) as pool:
            yield pool
    finally:
        _INHERITED[0] = None


def _root_of(pattern: str) -> str:
    """The folder part of a glob before its first wildcard."""
    head: list[str] = []
    for part in Path(pattern).parts:
        if glob.has_magic(part):
            break
        head.append(part)
    return str(Path(*head)) if head else "."


def _matches(pattern: str) -> Callable[[str], bool]:
    return re.compile(fnmatch.translate(pattern)).match  # type: ignore[return-value]


Batch = tuple[str, list[os.DirEntry[str]]]
#: A file or folder that cannot be used, found while listing: ``(path, line, reason)``
#: (plain tuples: a forked lister sends them with marshal); line 0 for a folder.
Problem = tuple[str, int, str]


def _fix(e: OSError, folder: bool = False) -> str:
    """What to do about ``e``, for the end of a message ("" when there is nothing to say)."""
    if e.errno in (errno.EACCES, errno.EPERM):
        if folder:
            return "; let the user who runs the build read and enter it, or leave it out of site.content"
        return "; let the user who runs the build read it"
    if e.errno == errno.ENAMETOOLONG:
        return "; its path is longer than the system allows: move it higher up or shorten the names"
    return ""


def _unlistable(folder: str, e: OSError, problems: list[Problem]) -> None:
    """Note a folder that is there but cannot be listed (one gone since is no problem:
    the glob simply finds nothing in it)."""
    if not isinstance(e, FileNotFoundError | NotADirectoryError):
        reason = f"cannot list the folder ({e.strerror or e}), so its files are left out"
        problems.append((folder, 0, reason + _fix(e, folder=True)))


def _scan(
    folder: str,
    parts: list[str],
    seen: set[str],
    problems: list[Problem],
    listed: list[os.DirEntry[str]] | None = None,
) -> Iterator[Batch]:
    """The entries below ``folder`` that the glob components ``parts`` match, a folder
    at a time, as ``glob.glob(..., recursive=True)`` finds them (hidden names only when
    the component starts with a dot), but in one ``scandir`` a folder (``listed``, when
    the caller has it already) and never round a symlink loop. A folder that cannot
    be listed (no permission, a path too long) goes to ``problems``, by its absolute
    path."""
    head, rest = parts[0], parts[1:]
    if head == "**":
        real = os.path.realpath(folder)
        if real in seen:
            return
        seen = seen | {real}
        try:
            everything = list(os.scandir(folder))
        except OSError as e:
            _unlistable(folder, e, problems)
            return
        if rest:
            yield from _scan(folder, rest, seen, problems, everything)
        entries = [e for e in everything if not e.name.startswith(".")]
        if not rest:
            yield folder, entries
        for entry in entries:
            with contextlib.suppress(OSError):
                if entry.is_dir():
                    yield from _scan(entry.path, parts, seen, problems)
        return
    match = _matches(head) if glob.has_magic(head) else head.__eq__
    hidden_ok = head.startswith(".")
    try:
        entries = [
            e for e in (os.scandir(folder) if listed is None else listed)
            if (hidden_ok or not e.name.startswith(".")) and match(e.name)
        ]  # fmt: skip
    except OSError as e:
        _unlistable(folder, e, problems)
        return
    if not rest:
        yield folder, entries
        return
    for entry in entries:
        with contextlib.suppress(OSError):
            if entry.is_dir():
                yield from _scan(entry.path, rest, seen, problems)


#: Share the ``lstat`` calls of a listing with a forked process from this many files.
PARALLEL_STAT = 20_000

#: A folder's listing: its entries, its name relative to the config folder, whether
#: it lies in the content root, and that root.
Listing = tuple[list[os.DirEntry[str]], str, bool, str]


Found = tuple[list[Any], list[str], list[Problem]]


def _files_of(listed: list[Listing], kind: type = SourceFile) -> Found:
    """The regular files of ``listed`` as ``kind`` (SourceFile, or plain tuples to send),
    one ``lstat`` each (a symlink is followed and resolved on its own); what was
    skipped, and why; and the entries that cannot be used (see :func:`_unusable`)."""
    out: list[Any] = []
    skipped: list[str] = []
    problems: list[Problem] = []
    add, new = out.append, tuple.__new__  # a named tuple's own __new__ is Python: slow
    is_link, is_file = stat.S_ISLNK, stat.S_ISREG
    for entries, rel_folder, folder_ok, root in listed:
        prefix = root.rstrip(os.sep) + os.sep
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
                ok = folder_ok
                if is_link(st.st_mode):
                    st = os.stat(entry.path)
                    ok = os.path.realpath(entry.path).startswith(prefix)
            except OSError as e:
                _unusable(entry, rel_folder + entry.name, e, skipped, problems)
                continue
            if not is_file(st.st_mode):
                continue
            if not ok:
                skipped.append(
                    f"{shown_path(rel_folder + entry.name)}: leads outside the content folder "
                    f"{shown_path(root)}, not followed"
                )
                continue
            add(new(kind, (rel_folder + entry.name, entry.path, st.st_size, st.st_mtime_ns)))
    return out, skipped, problems


def _unusable(
    entry: os.DirEntry[str], name: str, e: OSError, skipped: list[str], problems: list[Problem]
) -> None:
    """An entry the glob matched whose ``lstat``, or whose link's ``stat``, failed: a
    symbolic link that loops or leads nowhere, or a file that cannot even be looked at
    (a problem); or one that vanished since its folder was listed (a note)."""
    try:
        target: str | None = os.readlink(entry.path)
    except OSError:
        target = None  # not a link, or gone
    if e.errno == errno.ELOOP:
        problems.append(
            (name, 1, f"a symbolic link that loops ({e.strerror}): point it at an article "
                      "file or remove it")
        )  # fmt: skip
    elif target is not None and isinstance(e, FileNotFoundError | NotADirectoryError):
        problems.append(
            (name, 1, f"a symbolic link to {shown_path(target)}, which does not exist: "
                      "point it at an article file or remove it")
        )  # fmt: skip
    elif isinstance(e, FileNotFoundError | NotADirectoryError):
        skipped.append(f"{shown_path(name)}: vanished while the build ran")
    else:
        problems.append((name, 1, f"cannot read: {e.strerror or e}{_fix(e)}"))


def _files_split(listed: list[Listing], workers: int) -> Found:
    """:func:`_files_of`; with ``workers`` over 1 and many files, a forked child takes
    the first half of the folders. A stat is a system call, and two processes make
    two at a time (threads do not: they queue on the kernel's locks and the GIL). Any
    trouble with the child, and this process does its half too."""
    total = sum(len(entries) for entries, *_ in listed)
    half, count = 0, 0
    while half < len(listed) and count * 2 < total:  # the folders of the first half
        count += len(listed[half][0])
        half += 1
    if workers <= 1 or total < PARALLEL_STAT or threading.active_count() > 1 or half == 0:
        return _files_of(listed)
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return _files_of(listed)
    try:
        child = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return _files_of(listed)
    if child == 0:  # the child: stat, send, and exit with none of the parent's cleanup
        code = 1
        try:
            os.close(read_end)
            with open(write_end, "wb") as out:
                out.write(marshal.dumps(_files_of(listed[:half], tuple)))
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    pipe = open(read_end, "rb")  # noqa: SIM115 (closed before the child is waited for)
    try:
        rest = _files_of(listed[half:])
        try:
            sent: tuple[list[tuple[str, str, int, int]], list[str], list[Problem]]
            sent = marshal.loads(pipe.read())  # noqa: S302 (what our own child wrote)
            new = tuple.__new__
            first: Found = ([new(SourceFile, f) for f in sent[0]], sent[1], sent[2])
        except (EOFError, ValueError, TypeError, OSError):
            first = ([], [], [])
    finally:
        pipe.close()  # a child still writing gets EPIPE, not a wait for ever
        _, status = os.waitpid(child, 0)
    if status != 0:
        first = _files_of(listed[:half])
    return first[0] + rest[0], first[1] + rest[1], first[2] + rest[2]


def _relative(folder: str, base: str, root: Path) -> str:
    """``folder`` (absolute) relative to the config folder ``root`` (``base`` is its
    path and a separator), in POSIX form, with a trailing slash."""
    start = folder + os.sep
    if start.startswith(base) and os.sep == "/":
        return start[len(base) :]
    return Path(os.path.relpath(start, root)).as_posix() + "/"


@no_cycle_collection
def discover(
    config: Config,
    skipped: list[str] | None = None,
    jobs: int | None = 1,
    problems: list[ArticleError] | None = None,
) -> list[SourceFile]:
    """Every article file of the config, sorted by path, each once.

    One ``scandir`` a folder and one ``lstat`` a file (shared with a second process
    when ``jobs`` allows, None meaning all cores, and there are many); each folder is
    resolved once, and only a symlink is followed and resolved on its own.

    What the globs match but cannot be used goes to ``problems``, sorted: a folder that
    cannot be listed, a symbolic link that loops or leads nowhere, a file that cannot
    even be looked at. Notes on what was left out on purpose go to ``skipped``.
    """
    base = str(config.root).rstrip(os.sep) + os.sep
    listed: list[Listing] = []
    unlisted: list[Problem] = []
    for pattern in config.content:
        absolute = os.path.normpath(os.path.join(str(config.root), pattern))
        static = _root_of(absolute)
        if static == absolute:  # no wildcard: one file, looked up in its folder
            static = os.path.dirname(absolute)
        root = os.path.realpath(static)
        prefix = root.rstrip(os.sep) + os.sep
        parts = list(Path(absolute).parts[len(Path(static).parts) :])
        for folder, entries in _scan(static, parts, set(), unlisted) if parts else ():
            folder_ok = (os.path.realpath(folder) + os.sep).startswith(prefix)
            listed.append((entries, _relative(folder, base, config.root), folder_ok, root))
    files, notes, bad = _files_split(listed, jobs or os.cpu_count() or 1)
    if skipped is not None:
        skipped.extend(notes)
    if problems is not None and (bad or unlisted):
        bad += [(_relative(f, base, config.root) or "./", line, why) for f, line, why in unlisted]
        problems.extend(ArticleError(*p) for p in sorted(set(bad)))
    files.sort()
    if len(config.content) > 1:  # two patterns may find one file: keep it once
        files = [f for i, f in enumerate(files) if i == 0 or f.path != files[i - 1].path]
    return files


def _open(src: SourceFile) -> int:
    # O_NONBLOCK: a file swapped for a FIFO after listing must not hang the build
    return os.open(src.abspath, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))


def read_source(src: SourceFile, max_size: int) -> bytes | None:
    """The bytes of a file, ``None`` when it vanished (or became a folder) since it was
    listed; ArticleError when unreadable or too big."""
    try:
        fd = _open(src)
        try:
            if 0 < src.size <= max_size:  # the size the listing saw: one read, no fstat
                data = os.read(fd, src.size + 1)
                if len(data) == src.size:  # all of it: a FIFO or a device gives less or more
                    return data
                os.close(fd)
                fd = -1
                fd = _open(src)  # it changed since it was listed: the careful way
            data = _read_whole(fd, src, max_size)
        finally:
            if fd >= 0:
                os.close(fd)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    except OSError as e:
        raise ArticleError(src.path, 1, f"cannot read: {e.strerror or e}{_fix(e)}") from None
    if len(data) > max_size:
        raise ArticleError(src.path, 1, f"file grew over the limit of {max_size} bytes while read")
    return data


def _read_whole(fd: int, src: SourceFile, max_size: int) -> bytes:
    """The bytes of the open file ``fd`` (left open), checked for what it is and its size."""
    st = os.fstat(fd)
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, "Is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise ArticleError(src.path, 1, "not a regular file")
    size = st.st_size
    if size > max_size:
        raise ArticleError(
            src.path,
            1,
            f"file is {size} bytes, over the limit of {max_size} (site.max_file_size)",
        )
    with open(fd, "rb", buffering=0, closefd=False) as f:
        # the size fstat gave, plus one byte to see it grow: never a buffer of
        # max_size a file (allocating it costs more than the read)
        data = f.read(size + 1)
        if len(data) > size:  # it grew since: read on, but never past the limit
            parts = [data]
            while (got := sum(map(len, parts))) <= max_size and (
                more := f.read(max_size + 1 - got)
            ):
                parts.append(more)
            data = b"".join(parts)
    return data


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


#: ``(content digest, outcome)``; the outcome is ``None`` when the bytes still hash to
#: the digest the cache knows (nothing parsed); the whole result is ``None`` when
#: the file vanished between listing and reading.
Result = tuple[str, Article | ArticleError | None] | None
SummaryResult = tuple[str, Summary | ArticleError | None] | None


def load_one(src: SourceFile, tz: tzinfo, max_size: int, known: str | None = None) -> Result:
    """Load one file whole; errors are returned, not raised, so a batch never stops."""
    return _load(src, tz, max_size, known, summary=False)  # type: ignore[return-value]


def summarize_one(
    src: SourceFile, tz: tzinfo, max_size: int, known: str | None = None
) -> SummaryResult:
    """:func:`load_one`, but only the Summary: what a build needs of every file."""
    return _load(src, tz, max_size, known, summary=True)  # type: ignore[return-value]


def _load(
    src: SourceFile, tz: tzinfo, max_size: int, known: str | None, summary: bool
) -> tuple[str, Article | Summary | ArticleError | None] | None:
    try:
        data = read_source(src, max_size)
        if data is None:
            return None
        d = digest(data)
        if known is not None and d == known:
            return d, None
        from .articles import load_article, load_summary  # PyYAML and ftfy: only to parse

        if summary:
            return d, load_summary(src.path, data, tz, d)
        return d, load_article(src.path, data, tz)
    except ArticleError as e:
        return "", e
    except Exception as e:  # one bad file must never stop the run
        return "", ArticleError(
            src.path, 1, f"cannot load ({type(e).__name__}); please report this"
        )


#: A SummaryResult as a worker sends it: a Summary as a plain tuple, which pickles in
#: C (a named tuple pickles through Python code).
Sent = tuple[str, tuple[Any, ...] | ArticleError | None] | None


def _sendable(result: SummaryResult) -> Sent:
    if result is not None and isinstance(result[1], Summary):
        return result[0], tuple(result[1])
    return result


def _received(sent: Sent) -> SummaryResult:
    if sent is not None and type(sent[1]) is tuple:
        return sent[0], tuple.__new__(Summary, sent[1])
    return sent  # type: ignore[return-value]


def _cached(src: SourceFile) -> bool:
    """Whether the first byte of the file is in the page cache (True when that cannot
    be told: a read that does not wait, ``RWF_NOWAIT``, is Linux's alone)."""
    nowait = getattr(os, "RWF_NOWAIT", None)
    if nowait is None:
        return True
    try:
        fd = _open(src)
    except OSError:
        return True
    try:
        os.preadv(fd, [bytearray(1)], 0, nowait)
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        os.close(fd)
    return True


def read_ahead(
    chunk: list[tuple[SourceFile, str | None]], after: Sequence[tuple[SourceFile, str | None]] = ()
) -> None:
    """When the files of ``chunk`` are not in the page cache (the first one tells: a
    host may reclaim what was idle for a minute), ask the kernel for them and the
    files ``after`` them at once: read one by one, each would wait on the disk in
    turn (a cold build of 100,000 files took 19 s instead of 12)."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None or not chunk or _cached(chunk[0][0]):
        return
    for src, _ in [*chunk, *after]:
        with contextlib.suppress(OSError):
            fd = _open(src)
            try:
                advise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
            finally:
                os.close(fd)


def _summarize_chunk(
    part: list[tuple[SourceFile, str | None]] | range, tz: tzinfo, max_size: int
) -> list[Sent]:
    """The results of ``part``: the items themselves, or their positions in the
    inherited work list (see :func:`worker_pool`)."""
    if isinstance(part, range):
        work = inherited()
        chunk = work[part.start : part.stop]
        # the next chunk too (the other worker's, most likely): its files arrive while
        # these are parsed
        read_ahead(chunk, work[part.stop : part.stop + len(part)])
    else:
        chunk = part
        read_ahead(chunk)
    return [_sendable(summarize_one(s, tz, max_size, known)) for s, known in chunk]


def load_many(
    sources: list[tuple[SourceFile, str | None]],
    tz: tzinfo,
    max_size: int,
    jobs: int | None = None,
) -> Iterator[tuple[SourceFile, SummaryResult]]:
    """The Summary of each of ``sources``, in order; across processes when there are many."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(sources) < PARALLEL_THRESHOLD:
        for s, known in sources:
            yield s, summarize_one(s, tz, max_size, known)
        return
    parts = [range(i, min(i + CHUNK, len(sources))) for i in range(0, len(sources), CHUNK)]
    forked = fork_context() is not None
    chunks = parts if forked else [sources[r.start : r.stop] for r in parts]
    with worker_pool(workers, sources if forked else None) as pool:
        for part, results in zip(
            parts, pool.map(_summarize_chunk, chunks, repeat(tz), repeat(max_size)), strict=True
        ):
            for (src, _), sent in zip(sources[part.start : part.stop], results, strict=True):
                yield src, _received(sent)


class Reread(NamedTuple):
    """The whole Articles of some Summaries, parsed again from their files."""

    articles: dict[str, Article]
    #: paths whose file no longer holds the bytes its Summary was made from (changed or
    #: gone while the build ran): never published from a stale Summary
    changed: list[str]
    #: files that hold those bytes no more readably (made unreadable since, say)
    errors: dict[str, ArticleError]


def read_articles(config: Config, items: Iterable[Summary]) -> Reread:
    """The whole Articles of ``items``, parsed again from their files."""
    out = Reread({}, [], {})
    for s in {s.path: s for s in items}.values():
        src = SourceFile(s.path, os.path.join(config.root, s.path), 0, 0)
        result = load_one(src, config.timezone, config.max_file_size)
        if result is None:
            out.changed.append(s.path)
        elif result[0] == s.digest and isinstance(result[1], Article):
            out.articles[s.path] = result[1]
        elif result[0] == "" and isinstance(result[1], ArticleError):
            out.errors[s.path] = result[1]  # unreadable, or over the size limit, now
        else:
            out.changed.append(s.path)
    return out
