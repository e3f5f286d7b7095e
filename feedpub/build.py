"""The pipeline: find, load (from the cache when unchanged), select, render,
validate, write. The only module that writes files.

Load and check everything first, then write: a feed that fails validation or
cannot be written keeps its old file, and the other feeds are still written.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import gc
import hashlib
import json
import operator
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import formats
from .archive import Document, documents, is_page_of
from .cache import Cache, Row, Summary
from .collect import (
    Reread,
    SourceFile,
    discover,
    fork_context,
    inherited,
    load_many,
    no_cycle_collection,
    read_articles,
    worker_pool,
)
from .config import Config, FeedConfig
from .errors import ArticleError, LockError, shown_path
from .incremental import code_key, config_key, feed_key, site_key
from .model import Article, Headline
from .select import Hidden, pick_all, visible

if TYPE_CHECKING:
    from .formats import Problem

#: A file modified this close to the last cache write may change again within the
#: same mtime tick; its content hash is checked instead of trusting size and mtime.
RACY_NS = 2_000_000_000

#: Loaded summaries are handed to the cache in batches of this many.
STORE_BATCH = 2000

#: ``progress(phase, done, total)``: "Reading articles", then "Writing feeds".
Progress = Callable[[str, int, int], None]


@dataclass(slots=True)
class Outcome:
    """What happened to one output file."""

    name: str
    status: str  # written | unchanged | failed | differs | removed | deferred
    #: what is wrong; for "deferred", the article files that changed while it was built
    problems: list[Problem | str] = field(default_factory=list)


@dataclass(slots=True)
class Gathered:
    """Every article file's summary (or rejection), with counts."""

    summaries: list[Summary] = field(default_factory=list)
    errors: list[ArticleError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    files: int = 0
    read: int = 0
    cached: int = 0


@dataclass(slots=True)
class BuildResult:
    gathered: Gathered
    outcomes: list[Outcome] = field(default_factory=list)
    refused: str | None = None
    #: published articles that a newer one with the same URL hides (``build -v`` names them)
    hidden: list[Hidden] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in ("failed", "differs")]

    @property
    def deferred(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "deferred"]


def _settings(config: Config) -> str:
    """What the cached summaries and headlines were made with: the code that reads
    articles, and the settings it reads them with."""
    return f"tz={config.timezone.key} max={config.max_file_size} code={code_key()}"


def open_cache(config: Config, *, readonly: bool, fresh: bool = False) -> Cache:
    """The cache at ``site.cache``; read-only, a missing one is not created (nor its folder)."""
    if not readonly:
        with contextlib.suppress(OSError):  # a cache that cannot be made: a build without one
            config.cache.parent.mkdir(parents=True, exist_ok=True)
        if fresh:
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(f"{config.cache}{suffix}")
    return Cache(config.cache, _settings(config), readonly=readonly)


def _cache_written_ns(path: Path) -> int:
    newest = 0
    for suffix in ("", "-wal"):
        with contextlib.suppress(OSError):
            newest = max(newest, os.stat(f"{path}{suffix}").st_mtime_ns)
    return newest


@no_cycle_collection
def gather(
    config: Config,
    cache: Cache,
    *,
    jobs: int | None = None,
    progress: Progress | None = None,
    found: tuple[list[SourceFile], list[str], list[ArticleError]] | None = None,
) -> Gathered:
    """Find every article file (unless ``found`` already: sources, skip notes and what
    the listing found unusable) and get its summary, parsing only what changed."""
    g = Gathered()
    if found is None:
        sources = discover(config, g.skipped, jobs, g.errors)
    else:
        sources, g.skipped = found[0], list(found[1])
        g.errors.extend(found[2])
    g.files = len(sources)
    racy_after = _cache_written_ns(config.cache) - RACY_NS
    rows = cache.rows()
    todo: list[tuple[SourceFile, str | None]] = []
    summaries, errors, cached = g.summaries, g.errors, 0
    for src in sources:
        path, _, size, mtime_ns = src
        row = rows.get(path)
        if row and row[0] == size and row[1] == mtime_ns and mtime_ns < racy_after:
            if row[4] is not None:  # what _take does, inline: a hundred thousand times
                errors.append(row[4])
            elif row[3] is not None:
                summaries.append(row[3])
            cached += 1
        else:
            todo.append((src, row.digest if row else None))
    g.cached = cached
    store: list[tuple[str, int, int, str, Summary | ArticleError]] = []
    for done, (src, result) in enumerate(
        load_many(todo, config.timezone, config.max_file_size, jobs), 1
    ):
        if progress:
            progress("Reading articles", done, len(todo))
        if result is None:
            g.skipped.append(f"{shown_path(src.path)}: vanished while the build ran")
            continue
        digest, outcome = result
        g.read += 1
        if outcome is None:  # same bytes as cached: no parse needed
            row = rows[src.path]
            _take(g, row)
            cache.touch(src.path, src.size, src.mtime_ns)
            continue
        if isinstance(outcome, ArticleError):
            g.errors.append(outcome)
            digest = digest or "-"
        else:
            g.summaries.append(outcome)
        store.append((src.path, src.size, src.mtime_ns, digest, outcome))
        if len(store) >= STORE_BATCH:
            cache.store(store, [])  # a cache that refuses (read-only, full disk) is no loss
            store.clear()
    cache.store(store, [])
    present = {s.path for s in sources}
    cache.store([], [p for p in rows if p not in present])
    g.errors.sort(key=lambda e: (e.path, e.line))
    return g


def _take(g: Gathered, row: Row) -> None:
    if row.error is not None:
        g.errors.append(row.error)
    elif row.summary is not None:
        g.summaries.append(row.summary)


@no_cycle_collection
def plan(config: Config, summaries: Sequence[Summary], now: datetime,
         slugs: Sequence[str] | None = None,
         hidden: list[Hidden] | None = None) -> dict[str, list[Summary]]:  # fmt: skip
    """Each wanted feed's items at ``now``, in order; uncut for a feed with archives.
    The articles hidden by another with the same URL go to ``hidden`` when given."""
    feeds = [
        replace(f, max_items=len(summaries) + 1) if f.archive else f
        for f in config.feeds
        if not slugs or f.slug in slugs
    ]
    return pick_all(visible(summaries, now, hidden), feeds)


def fingerprint(config: Config, feed: FeedConfig, fmt: str, items: Sequence[Summary],
                doc: Document[Summary] | None = None) -> str:  # fmt: skip
    """Everything an output's bytes depend on, hashed: the code and every field of the
    configuration (:mod:`feedpub.incremental`), the format, and the items."""
    parts = [site_key(config), feed_key(feed), fmt, [[s.path, s.digest] for s in items],
             doc.key() if doc else None]  # fmt: skip
    return hashlib.sha256(_utf8(json.dumps(parts, ensure_ascii=False))).hexdigest()


def _utf8(text: str) -> bytes:
    """``text`` as bytes to hash, whatever it holds: a path whose name is not UTF-8 holds
    lone surrogates, which plain UTF-8 refuses (and which change nothing else)."""
    return text.encode("utf-8", "surrogatepass")


def write_atomic(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically (temp file, fsync, rename), mode 0644.

    Returns False, touching nothing, when the file already holds these bytes.
    """
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
            os.fchmod(f.fileno(), 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dirfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dirfd)
        finally:
            os.close(dirfd)
    return True


def _has_items(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            head = f.read(1 << 20)
    except OSError:
        return False
    return (
        b"<item>" in head or b"<entry>" in head or b"<item " in head or b"<entry " in head
        or b'"items": [\n' in head  # a JSON Feed's first item (an empty one has "items": [])
    )  # fmt: skip


@contextlib.contextmanager
def build_lock(config: Config, timeout: float | None = None) -> Iterator[None]:
    """Hold an exclusive flock on ``<site.cache>.lock``; LockError after ``timeout`` s.

    The lock sits beside the cache (by default in ``.feedpub/`` beside the config
    file), never in the output folder. The OS releases it when the process dies, so
    a killed build leaves none. Once it is held, what an older feedpub or a killed
    build left in the output folder is removed (see :func:`_clear_output_folder`).
    """
    wait = config.lock_timeout if timeout is None else timeout
    deadline = time.monotonic() + wait
    try:
        config.lock.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(config.lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise OSError(
            e.errno,
            f"{e.strerror}: the cache and the build lock need a folder feedpub can "
            "write (see site.cache)",
            e.filename,
        ) from e
    try:
        _flock(fd, deadline, f"another build holds {config.lock} (waited {wait:g} s; "
               "see site.lock_timeout)")  # fmt: skip
        _clear_output_folder(config.output, deadline, wait)
        yield
    finally:
        os.close(fd)


def _flock(fd: int, deadline: float, busy: str) -> None:
    """Take an exclusive flock on ``fd``, polling until ``deadline``; LockError(busy) then."""
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
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
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def _clear_output_folder(folder: Path, deadline: float, wait: float) -> None:
    """Remove from the output folder what is not for publishing: an older feedpub's
    cache and lock, and the temp files a killed build left (we hold the build lock).

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
        for name in [*(OLD_CACHE + s for s in SQLITE_COMPANIONS), OLD_LOCK]:
            try:
                os.unlink(folder / name)
            except (FileNotFoundError, IsADirectoryError):  # a folder so named is not ours
                pass
            except OSError as e:
                raise OSError(
                    e.errno,
                    f"cannot remove an older feedpub's {name} from the output folder, "
                    f"which is published ({e.strerror}); remove it by hand",
                    str(folder / name),
                ) from e
        _remove_stale_temps(folder)
    finally:
        if fd is not None:
            os.close(fd)


def _remove_stale_temps(folder: Path) -> None:
    """Temp files a killed build left behind (safe: we hold the lock)."""
    for tmp in folder.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            tmp.unlink()


def build(
    config: Config,
    now: datetime,
    *,
    slugs: Sequence[str] | None = None,
    full: bool = False,
    check: bool = False,
    allow_empty: bool = False,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build (or with ``check``, compare) every feed; never raises for bad articles."""
    if not check:
        config.output.mkdir(parents=True, exist_ok=True)
    cache = open_cache(config, readonly=check, fresh=full)
    try:
        skipped: list[str] = []
        unusable: list[ArticleError] = []
        sources = discover(config, skipped, jobs, unusable)
        state = _state(config, sources, slugs, allow_empty, unusable)
        if not check and not full:
            done = _nothing_to_do(config, cache, sources, skipped, state, now)
            if done is not None:
                return done
        found = (sources, skipped, unusable)
        g = gather(config, cache, jobs=jobs, progress=progress, found=found)
        result = BuildResult(g)
        # from the summaries (cached or read), as selection sees them: a warm build that
        # reads no file reports the same hidden articles as a cold one
        selected = plan(config, g.summaries, now, slugs, result.hidden)
        # The summaries, rows and sources live to the end of the build and hold no
        # cycles: the collector (which rendering, importing feedgen, wakes up) need
        # not walk them again and again.
        gc.freeze()
        feeds = [f for f in config.feeds if f.slug in selected]
        if not g.summaries and not allow_empty:
            nonempty = [
                f"{f.slug}.{fmt}" for f in feeds for fmt in f.formats
                if _has_items(config.output / f"{f.slug}.{fmt}")
            ]  # fmt: skip
            if nonempty:
                result.refused = (
                    f"the content ({', '.join(config.content)}) yielded no articles; "
                    f"kept {len(nonempty)} existing non-empty feed file(s). "
                    "Check site.content, or pass --allow-empty to publish empty feeds."
                )
                return result
        known = cache.outputs()
        try:  # archive pages on disk (see _prune_pages)
            existing = {n for n in os.listdir(config.output) if "-archive-" in n}
        except OSError:
            existing = set()
        pending: list[_Job] = []
        slots: list[Outcome | _Job] = []  # outcomes in feed order, jobs where one is due
        for feed in feeds:
            docs = documents(feed, selected[feed.slug])
            for fmt in feed.formats:
                for doc in docs:
                    name = f"{doc.stem}.{fmt}"
                    fp = fingerprint(config, feed, fmt, doc.items, doc)
                    if (
                        not check
                        and not full
                        and _up_to_date(config.output / name, known.get(name), fp)
                    ):
                        slots.append(Outcome(name, "unchanged"))
                        continue
                    job = _Job(feed, fmt, doc, name, fp)
                    pending.append(job)
                    slots.append(job)
                slots.extend(_prune_pages(config, feed, fmt, docs, check, existing))
        shown: Shown = {}
        rendered = _render_all(config, pending, now, jobs, shown)
        written = 0
        for slot in slots:
            if isinstance(slot, Outcome):
                result.outcomes.append(slot)
            else:
                result.outcomes.append(
                    _deliver(config, slot.name, next(rendered), slot.fp, cache, check)
                )
                written += 1
                if progress:
                    progress("Writing feeds", written, len(pending))
        if not slugs:  # the site-wide files list every feed: not for a --feed build
            if not check:
                cache.set_headlines((p, d, h.to_json()) for p, (d, h) in shown.items())
            result.outcomes.extend(_emit_site(config, selected, cache, check, known, full, shown))
        if result.deferred and not check:
            # re-read them next time, even if their size and mtime look unchanged
            cache.store([], sorted({str(p) for o in result.deferred for p in o.problems}))
        if not check and not result.failed and not result.deferred:
            _remember(cache, state, now, g, result)
        return result
    finally:
        gc.unfreeze()
        cache.close()


# ---------------------------------------------------------------- the no-change shortcut
#
# A cron build usually finds nothing new. The cache remembers the state of the last
# complete build: the list of files with their sizes and mtimes, the config, the files
# it wrote, the rejections it reported, and the next moment an already known article
# becomes visible. When all of that still holds, the build is over after one stat per
# file: nothing is read, selected, rendered or written.


def _state(config: Config, sources: Sequence[SourceFile], slugs: Sequence[str] | None,
           allow_empty: bool, unusable: Sequence[ArticleError] = ()) -> str:  # fmt: skip
    """A hash of everything a build depends on but the files' bytes: the config, the
    listing (each path, size and mtime) and what the listing found unusable (their
    rejections are remembered with the state, so the state must change with them)."""
    h = hashlib.sha256()
    h.update(_utf8(json.dumps([config_key(config), sorted(slugs or []), allow_empty])))
    # (a path never holds NUL, so each line reads back one way whatever the names hold,
    # and a line that starts with one is no file's)
    h.update(_utf8("".join([f"{path}\0{size}\0{mtime}\n" for path, _, size, mtime in sources])))
    if unusable:
        h.update(_utf8("".join([f"\0{e.path}\0{e.line}\0{e.message}\n" for e in unusable])))
    return h.hexdigest()


def _remember(cache: Cache, state: str, now: datetime, g: Gathered, result: BuildResult) -> None:
    upcoming = [s.published_at for s in g.summaries if s.published and s.published_at > now]
    memo = {
        "state": state,
        "now": now.isoformat(),
        "next": min(upcoming).isoformat() if upcoming else None,
        "outputs": sorted(o.name for o in result.outcomes if o.status in ("written", "unchanged")),
        "errors": [[e.path, e.line, e.message] for e in g.errors],
        "hidden": [list(h) for h in result.hidden],
        "refused": result.refused,
    }
    # ASCII: a path that is not UTF-8 holds lone surrogates, which SQLite's text cannot
    # (escaped as \udce9, they read back as they were)
    cache.set_meta("last_build", json.dumps(memo))


def _nothing_to_do(config: Config, cache: Cache, sources: Sequence[SourceFile],
                   skipped: list[str], state: str, now: datetime) -> BuildResult | None:  # fmt: skip
    """The result of a build that would change nothing, or None when one is needed."""
    try:
        memo = json.loads(cache.get_meta("last_build") or "null")
        if not memo or memo["state"] != state or memo["refused"]:
            return None
        if now < datetime.fromisoformat(memo["now"]):
            return None
        if memo["next"] is not None and now >= datetime.fromisoformat(memo["next"]):
            return None
        racy_after = _cache_written_ns(config.cache) - RACY_NS
        if sources and max(map(_MTIME, sources)) >= racy_after:
            return None  # maybe changed within the same mtime tick: hash them (gather)
        known = cache.outputs()
        for name in memo["outputs"]:
            entry = known.get(name)
            if entry is None or not _same_stat(config.output / name, entry):
                return None
        errors = [ArticleError(p, line, msg) for p, line, msg in memo["errors"]]
        hidden = [Hidden(*h) for h in memo["hidden"]]  # the same files and visibility
    except (ValueError, KeyError, TypeError):
        return None
    g = Gathered(errors=errors, skipped=skipped, files=len(sources), cached=len(sources))
    outcomes = [Outcome(name, "unchanged") for name in memo["outputs"]]
    return BuildResult(g, outcomes, hidden=hidden)


_MTIME = operator.itemgetter(3)  # of a SourceFile


def _same_stat(path: Path, known: tuple[str, int, int]) -> bool:
    try:
        st = path.stat()
    except OSError:
        return False
    return (st.st_size, st.st_mtime_ns) == (known[1], known[2])


def _prune_pages(config: Config, feed: FeedConfig, fmt: str, docs: Sequence[Document[Summary]],
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


def _up_to_date(path: Path, known: tuple[str, int, int] | None, fp: str) -> bool:
    if known is None or known[0] != fp:
        return False
    try:
        st = path.stat()
    except OSError:
        return False
    return (st.st_size, st.st_mtime_ns) == (known[1], known[2])


#: Render in worker processes when at least this many outputs are due.
PARALLEL_RENDER = 64


@dataclass(frozen=True, slots=True)
class _Job:
    """One output file to render: a document of a feed, in one format."""

    feed: FeedConfig
    fmt: str
    doc: Document[Summary]
    name: str
    fp: str


#: An output's bytes, what is wrong with them, and the article files that changed
#: while the build ran (then it is not rendered: see :func:`_deliver`).
Rendered = tuple[bytes | None, list["Problem | str"], list[str]]


def _render_doc(config: Config, jobs: list[_Job], reread: Reread,
                now: datetime) -> list[Rendered]:  # fmt: skip
    """The bytes of ``jobs`` (one document of one feed, in several formats) and what is
    wrong with each (validated here, before any write). RSS and Atom share one feedgen
    generator, so the document's entries are made once."""
    loaded = reread.articles
    doc = jobs[0].doc
    unreadable = [str(reread.errors[s.path]) for s in doc.items if s.path in reread.errors]
    if unreadable:
        return [(None, list(unreadable), []) for _ in jobs]
    missing = [s.path for s in doc.items if s.path not in loaded]
    if missing:
        return [(None, [], missing) for _ in jobs]
    articles = [loaded[s.path] for s in doc.items]
    page: Document[Article] = Document(doc.stem, articles, doc.page, doc.pages)
    data = formats.render(config, jobs[0].feed, articles, [j.fmt for j in jobs], page)
    out: list[Rendered] = []
    for job in jobs:
        _, problems = formats.check(data[job.fmt], now)
        out.append((data[job.fmt], list(problems), []))
    return out


Shown = dict[str, tuple[str, Headline]]  # path -> (digest, what the page shows of it)


def _render_chunk(config: Config | None, part: list[_Job] | range,
                  now: datetime) -> tuple[list[Rendered], Shown]:  # fmt: skip
    """Parse the articles ``chunk`` shows from their files, render each job, check it;
    and what the feeds page shows of the newest items of each subscription document.
    In a worker that inherited the build's ``(config, jobs)`` (see
    :func:`feedpub.collect.worker_pool`), ``config`` is None and ``part`` a range."""
    chunk: list[_Job]
    if isinstance(part, range):
        config, pending = inherited()
        chunk = pending[part.start : part.stop]
    else:
        chunk = part
    assert config is not None
    reread = read_articles(config, (s for job in chunk for s in job.doc.items))
    loaded = reread.articles
    shown = {
        s.path: (s.digest, Headline.of(loaded[s.path]))
        for job in chunk if job.doc.page is None
        for s in job.doc.items[:HEADLINES] if s.path in loaded
    }  # fmt: skip
    docs: dict[tuple[str, str], list[int]] = {}  # a feed's formats of one document
    for i, job in enumerate(chunk):
        docs.setdefault((job.feed.slug, job.doc.stem), []).append(i)
    results: dict[int, Rendered] = {}
    for positions in docs.values():
        jobs = [chunk[i] for i in positions]
        results.update(zip(positions, _render_doc(config, jobs, reread, now), strict=True))
    return [results[i] for i in range(len(chunk))], shown


def _render_all(config: Config, pending: list[_Job], now: datetime, jobs: int | None,
                shown: Shown) -> Iterator[Rendered]:  # fmt: skip
    """Render and check every due output, in order: across processes when there are many
    (parsing the shown articles, rendering and validating are CPU-bound). A feed's
    formats are adjacent jobs, so a chunk parses their articles once. Headlines for
    the feeds page are collected in ``shown``."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers > 1 and len(pending) >= PARALLEL_RENDER:
        size = max(4, len(pending) // (workers * 16))
        parts = [range(i, min(i + size, len(pending))) for i in range(0, len(pending), size)]
        if fork_context() is not None:  # the workers inherit the jobs: send where they are
            work: tuple[Config | None, list[Any]] = (None, parts)
        else:
            work = (config, [pending[r.start : r.stop] for r in parts])
        with worker_pool(workers, (config, pending)) as pool:
            for results, heads in pool.map(_render_chunk, repeat(work[0]), work[1], repeat(now)):
                shown.update(heads)
                yield from results
        return
    results, heads = _render_chunk(config, pending, now)
    shown.update(heads)
    yield from results


def _deliver(config: Config, name: str, rendered: Rendered, fp: str, cache: Cache,
             check: bool) -> Outcome:  # fmt: skip
    """Write (or with ``check``, compare) one checked output; a failed one keeps its file.

    An output with an article file that changed while the build ran keeps its file
    too, untouched and unrecorded, so that the next build (which sees the change)
    renders it: a feed never shows an article its Summary no longer describes.
    """
    data, problems, changed = rendered
    path = config.output / name
    if changed:
        return Outcome(name, "deferred", list(changed))
    if problems or data is None:
        return Outcome(name, "failed", list(problems))
    if check:
        try:
            same = path.read_bytes() == data
        except OSError:
            same = False
        return Outcome(name, "unchanged" if same else "differs")
    try:
        changed_bytes = write_atomic(path, data)
        st = path.stat()
    except OSError as e:
        return Outcome(name, "failed", [f"cannot write {path}: {e.strerror or e}"])
    cache.set_output(name, fp, st.st_size, st.st_mtime_ns)
    return Outcome(name, "written" if changed_bytes else "unchanged")


#: The site-wide files (see :mod:`feedpub.site`) and how many headlines the page shows.
SITE_NAMES = ("feeds.opml", "index.html")
PAGE = "index.html"  # the one that shows articles
HEADLINES = 5


def _site_fingerprint(config: Config, selected: dict[str, list[Summary]]) -> str:
    """Everything the site files' bytes depend on: the feeds, their newest items."""
    feeds = [
        [f.slug, f.title, f.description, list(f.formats), list(f.topics), f.max_items,
         [[s.path, s.digest] for s in selected.get(f.slug, ())[: min(HEADLINES, f.max_items)]],
         selected[f.slug][0].published_at.isoformat() if selected.get(f.slug) else None]
        for f in config.feeds
    ]  # fmt: skip
    parts = [config_key(config), feeds]
    return hashlib.sha256(_utf8(json.dumps(parts, ensure_ascii=False))).hexdigest()


def _emit_site(config: Config, selected: dict[str, list[Summary]], cache: Cache, check: bool,
               known: dict[str, tuple[str, int, int]], full: bool, shown: Shown) -> list[Outcome]:  # fmt: skip
    """``feeds.opml`` and ``index.html``: rendered when what they show changed, checked,
    then written like a feed, only when their bytes change. The page's headlines come
    from this build's renders (``shown``), then from the cache, and only the rest are
    parsed from their files."""
    fp = _site_fingerprint(config, selected)
    if (
        not check
        and not full
        and all(_up_to_date(config.output / n, known.get(n), fp) for n in SITE_NAMES)
    ):
        return [Outcome(n, "unchanged") for n in SITE_NAMES]
    from .site import headline_items, site_files

    wanted = {s.path: s for s in headline_items(config, selected)}
    heads = {p: h for p, (d, h) in shown.items() if p in wanted and wanted[p].digest == d}
    stored = cache.headlines((p, s.digest) for p, s in wanted.items() if p not in heads)
    heads.update(stored)
    reread = read_articles(config, (s for p, s in wanted.items() if p not in heads))
    parsed = {p: Headline.of(a) for p, a in reread.articles.items()}
    heads.update(parsed)
    if not check:
        cache.set_headlines((p, wanted[p].digest, h.to_json()) for p, h in parsed.items())
    outcomes = []
    for f in site_files(config, selected, heads):
        problems: list[Problem | str] = list(f.problems)
        if f.name == PAGE:
            problems += [str(e) for e in reread.errors.values()]
        rendered = (f.data, problems, reread.changed if f.name == PAGE else [])
        outcomes.append(_deliver(config, f.name, rendered, fp, cache, check))
    return outcomes
