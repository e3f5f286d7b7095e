"""The pipeline: find, load (from the cache when unchanged), select, render,
validate, write. The only module that writes files.

Load and check everything first, then write: a feed that fails validation or
cannot be written keeps its old file, and the other feeds are still written.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from . import __version__
from .archive import Document, documents, is_page_of
from .cache import Cache, Row, Summary
from .collect import SourceFile, discover, load_many
from .config import Config, FeedConfig
from .errors import ArticleError, LockError
from .jsonfeed import render_json
from .model import Article
from .render import render
from .select import pick_all, visible
from .site import headline_paths, site_files
from .validate import Problem, validate_bytes

#: Part of every output fingerprint: bump when rendering changes.
RENDER_VERSION = "2"
#: A file modified this close to the last cache write may change again within the
#: same mtime tick; its content hash is checked instead of trusting size and mtime.
RACY_NS = 2_000_000_000

Progress = Callable[[int, int], None]


@dataclass(slots=True)
class Outcome:
    """What happened to one output file."""

    name: str
    status: str  # written | unchanged | failed | differs | removed
    problems: list[Problem | str] = field(default_factory=list)


@dataclass(slots=True)
class Gathered:
    """Every article file's summary (or rejection), with counts."""

    summaries: list[Summary] = field(default_factory=list)
    errors: list[ArticleError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    fresh: dict[str, Article] = field(default_factory=dict)
    files: int = 0
    read: int = 0
    cached: int = 0


@dataclass(slots=True)
class BuildResult:
    gathered: Gathered
    outcomes: list[Outcome] = field(default_factory=list)
    refused: str | None = None

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in ("failed", "differs")]


def _summary(a: Article, digest: str) -> Summary:
    return Summary(a.path, a.url, a.published, a.published_at, a.topics, a.quality, digest)


def _settings(config: Config) -> str:
    return f"tz={config.timezone.key} max={config.max_file_size}"


def open_cache(config: Config, *, readonly: bool, fresh: bool = False) -> Cache:
    if fresh and not readonly:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{config.cache}{suffix}")
    return Cache(config.cache, _settings(config), readonly=readonly)


def _cache_written_ns(path: Path) -> int:
    newest = 0
    for suffix in ("", "-wal"):
        with contextlib.suppress(OSError):
            newest = max(newest, os.stat(f"{path}{suffix}").st_mtime_ns)
    return newest


def gather(
    config: Config, cache: Cache, *, jobs: int | None = None, progress: Progress | None = None
) -> Gathered:
    """Find every article file and get its summary, parsing only what changed."""
    g = Gathered()
    sources = discover(config, g.skipped)
    g.files = len(sources)
    racy_after = _cache_written_ns(config.cache) - RACY_NS
    rows = cache.rows()
    todo: list[tuple[SourceFile, str | None]] = []
    for src in sources:
        row = rows.get(src.path)
        if (
            row
            and row.size == src.size
            and row.mtime_ns == src.mtime_ns
            and src.mtime_ns < racy_after
        ):
            _take(g, row)
            g.cached += 1
        else:
            todo.append((src, row.digest if row else None))
    store: list[tuple[str, int, int, str, Article | ArticleError]] = []
    keep_fresh = cache.db is None or cache.readonly
    for done, (src, result) in enumerate(
        load_many(todo, config.timezone, config.max_file_size, jobs), 1
    ):
        if progress:
            progress(done, len(todo))
        if result is None:
            g.skipped.append(f"{src.path}: vanished while the build ran")
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
            g.summaries.append(_summary(outcome, digest))
            if keep_fresh and outcome.published:
                g.fresh[outcome.path] = outcome
        store.append((src.path, src.size, src.mtime_ns, digest, outcome))
    present = {s.path for s in sources}
    if not cache.store(store, [p for p in rows if p not in present]) and not keep_fresh:
        # the cache refused them (read-only folder, full disk): keep them in memory
        g.fresh.update((i[0], i[4]) for i in store if isinstance(i[4], Article) and i[4].published)
    g.errors.sort(key=lambda e: (e.path, e.line))
    return g


def _take(g: Gathered, row: Row) -> None:
    if row.error is not None:
        g.errors.append(row.error)
    elif row.summary is not None:
        g.summaries.append(row.summary)


def plan(config: Config, summaries: Sequence[Summary], now: datetime,
         slugs: Sequence[str] | None = None) -> dict[str, list[Summary]]:  # fmt: skip
    """Each wanted feed's items at ``now``, in order; uncut for a feed with archives."""
    feeds = [
        replace(f, max_items=len(summaries) + 1) if f.archive else f
        for f in config.feeds
        if not slugs or f.slug in slugs
    ]
    return pick_all(visible(summaries, now), feeds)


def fingerprint(config: Config, feed: FeedConfig, fmt: str, items: Sequence[Summary],
                doc: Document[Summary] | None = None) -> str:  # fmt: skip
    """Everything an output's bytes depend on, hashed."""
    parts = [
        RENDER_VERSION, __version__, fmt, config.title, config.link, config.feeds_url,
        config.description, config.language, feed.slug, feed.title, feed.description,
        list(feed.topics), [[s.path, s.digest] for s in items], doc.key() if doc else None,
        config.hub,
    ]  # fmt: skip
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


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
    """Hold an exclusive flock on ``<output>/.feedpub.lock``; LockError after ``timeout`` s.

    The OS releases the lock when the process dies, so a killed build leaves none.
    """
    wait = config.lock_timeout if timeout is None else timeout
    config.output.mkdir(parents=True, exist_ok=True)
    fd = os.open(config.output / ".feedpub.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as e:
                if e.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise LockError(
                        f"another build holds {config.output / '.feedpub.lock'} "
                        f"(waited {wait:g} s; see site.lock_timeout)"
                    ) from None
                time.sleep(0.05)
        _remove_stale_temps(config.output)
        yield
    finally:
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
        g = gather(config, cache, jobs=jobs, progress=progress)
        result = BuildResult(g)
        selected = plan(config, g.summaries, now, slugs)
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
        needed = {s.path for f in feeds for s in selected[f.slug]} - g.fresh.keys()
        loaded: dict[str, Article] | None = None
        for feed in feeds:
            docs = documents(feed, selected[feed.slug])
            for fmt in feed.formats:
                for doc in docs:
                    items = doc.items
                    name = f"{doc.stem}.{fmt}"
                    path = config.output / name
                    fp = fingerprint(config, feed, fmt, items, doc)
                    if not check and not full and _up_to_date(path, known.get(name), fp):
                        result.outcomes.append(Outcome(name, "unchanged"))
                        continue
                    if loaded is None:
                        loaded = {**cache.articles(needed), **g.fresh}
                    articles = [loaded[s.path] for s in items if s.path in loaded]
                    if len(articles) != len(items):
                        lost = "the article cache lost items; run with --full"
                        result.outcomes.append(Outcome(name, "failed", [lost]))
                        continue
                    result.outcomes.append(
                        _emit(config, feed, fmt, articles, now, path, fp, cache, check, doc)
                    )
                result.outcomes.extend(_prune_pages(config, feed, fmt, docs, check))
        if not slugs:  # the site-wide files list every feed: not for a --feed build
            result.outcomes.extend(_emit_site(config, selected, cache, g, check))
        return result
    finally:
        cache.close()


def _prune_pages(config: Config, feed: FeedConfig, fmt: str, docs: Sequence[Document[Summary]],
                 check: bool) -> list[Outcome]:  # fmt: skip
    """Remove archive pages of ``feed`` that its documents no longer include."""
    wanted = {d.stem for d in docs}
    out: list[Outcome] = []
    for path in sorted(config.output.glob(f"{feed.slug}-archive-*.{fmt}")):
        stem = path.name[: -len(fmt) - 1]
        if is_page_of(feed, stem) is None or stem in wanted:
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


def _up_to_date(path: Path, known: tuple[str, int, int] | None, fp: str) -> bool:
    if known is None or known[0] != fp:
        return False
    try:
        st = path.stat()
    except OSError:
        return False
    return (st.st_size, st.st_mtime_ns) == (known[1], known[2])


def _emit(config: Config, feed: FeedConfig, fmt: str, articles: list[Article], now: datetime,
          path: Path, fp: str, cache: Cache, check: bool,
          doc: Document[Any] | None = None) -> Outcome:  # fmt: skip
    name = path.name
    page = None if doc is None else replace(doc, items=articles)
    data = (render_json if fmt == "json" else render)(config, feed, articles, fmt, page)
    _, problems = validate_bytes(data, now)
    if problems:
        return Outcome(name, "failed", list(problems))
    if check:
        try:
            same = path.read_bytes() == data
        except OSError:
            same = False
        return Outcome(name, "unchanged" if same else "differs")
    try:
        changed = write_atomic(path, data)
        st = path.stat()
    except OSError as e:
        return Outcome(name, "failed", [f"cannot write {path}: {e.strerror or e}"])
    cache.set_output(name, fp, st.st_size, st.st_mtime_ns)
    return Outcome(name, "written" if changed else "unchanged")


def _emit_site(config: Config, selected: dict[str, list[Summary]], cache: Cache, g: Gathered,
               check: bool) -> list[Outcome]:  # fmt: skip
    """``feeds.opml`` and ``index.html``: rendered at every build (they are small),
    checked, then written like a feed, only when their bytes change."""
    wanted = headline_paths(config, selected)
    articles = {**cache.articles(wanted - g.fresh.keys()), **g.fresh}
    out: list[Outcome] = []
    for f in site_files(config, selected, articles):
        path = config.output / f.name
        if f.problems:
            out.append(Outcome(f.name, "failed", list(f.problems)))
        elif check:
            try:
                same = path.read_bytes() == f.data
            except OSError:
                same = False
            out.append(Outcome(f.name, "unchanged" if same else "differs"))
        else:
            try:
                changed = write_atomic(path, f.data)
            except OSError as e:
                out.append(Outcome(f.name, "failed", [f"cannot write {path}: {e.strerror or e}"]))
                continue
            out.append(Outcome(f.name, "written" if changed else "unchanged"))
    return out
