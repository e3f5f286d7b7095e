"""What changed since the last build: which article files to read again, which
outputs to render again, and whether there is anything to do at all.

An output file is rewritten only when its key changes, so a key must hold
*everything* that shapes the output's bytes. Nothing here is listed by hand:

- :func:`code_key`: feedpub's version, a digest of the code and schemas of the
  installed package (every module and schema file: a change anywhere in how
  feeds are read, rendered or checked reaches every feed at the next build), and
  the versions of the libraries that write and check the bytes;
- :func:`site_key` and :func:`feed_key`: every field of the configuration
  dataclasses, read from the dataclasses themselves, so a field added later is
  part of the key without anyone remembering to add it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import stat
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from . import __version__
from .archive import Document
from .cache import UNREAD, Cache, Row
from .config import Config, FeedConfig
from .errors import ArticleError
from .model import SourceFile, Summary
from .output import readable_by_all
from .parallel import prefetch
from .select import Hidden
from .sources import Found

#: The libraries whose versions can change the bytes of an output.
LIBRARIES = ("feedgen", "lxml", "nh3", "ftfy", "PyYAML", "jsonschema")


@functools.cache
def code_key() -> str:
    """feedpub's version, its modules and schemas, and the libraries' versions, hashed."""
    package = Path(__file__).parent
    h = hashlib.sha256(__version__.encode())
    for path in sorted(
        [*package.glob("*.py"), *package.glob("*/*.py"), *package.glob("schemas/*")]
    ):
        h.update(b"\0%s\0%s" % (path.relative_to(package).as_posix().encode(), path.read_bytes()))
    for name, version in sorted(library_versions().items()):
        h.update(f"\0{name}={version}".encode())
    return h.hexdigest()


def library_versions() -> dict[str, str]:
    """The installed version of each of :data:`LIBRARIES` (``-`` when not found), from
    the ``.dist-info`` folder names on ``sys.path``, first found first, as the import
    system finds them (``importlib.metadata`` takes 10 ms for this, a warm build's
    hundredth)."""
    wanted = {_normal(n): n for n in LIBRARIES}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for n in names:
            if n.endswith(".dist-info"):
                dist, _, version = n[: -len(".dist-info")].partition("-")
                name = wanted.get(_normal(dist))
                if name and name not in found:
                    found[name] = version
    return {n: found.get(n, "-") for n in LIBRARIES}


def _normal(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def _json(value: Any) -> str:
    """A configuration value as JSON, the same in every process: a dataclass as the
    mapping of its fields, a set sorted, a Path or a ZoneInfo as its str (whose str is
    its key). What json writes itself (text, numbers, lists, tuples) it writes at C speed,
    calling :func:`_unjsonable` only for the rest."""
    return _ENCODER.encode(value)


def _unjsonable(value: Any) -> Any:
    if isinstance(value, frozenset | set):
        return sorted(value)
    if names := _field_names(value.__class__):
        return {name: getattr(value, name) for name in names}
    return str(value)


_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=_unjsonable)


@functools.cache
def _field_names(kind: Any) -> tuple[str, ...]:
    """The names of a dataclass's fields (none for another class), asked once a class:
    ``dataclasses.fields`` makes them anew at every call (a config of 300 feeds: 12 ms)."""
    return tuple(f.name for f in dataclasses.fields(kind)) if dataclasses.is_dataclass(kind) else ()


def site_key(config: Config) -> str:
    """Every field of the site's configuration but its feeds, with :func:`code_key`.
    Asked once per output file of a build, for the build's one Config: kept for the
    last Config asked about (by identity: hashing a Config hashes all its feeds)."""
    if _LAST_SITE_KEY[0] is not config:
        _LAST_SITE_KEY[:] = [config, _site_key(config)]
    return str(_LAST_SITE_KEY[1])


_LAST_SITE_KEY: list[object] = [None, ""]


def _site_key(config: Config) -> str:
    fields = {
        f.name: getattr(config, f.name) for f in dataclasses.fields(config) if f.name != "feeds"
    }
    return _json([code_key(), fields])


@functools.lru_cache(maxsize=4096)
def feed_key(feed: FeedConfig) -> str:
    """Every field of one feed's configuration."""
    return _json(feed)


def config_key(config: Config) -> str:
    """The whole configuration, feeds included, with :func:`code_key`."""
    return json.dumps([site_key(config), [feed_key(f) for f in config.feeds]], ensure_ascii=False)


def settings(config: Config) -> str:
    """What the cached summaries and headlines were made with: the code that reads
    articles, and the settings it reads them with (the cache is rebuilt when they change)."""
    tz = config.timezone.key
    return f"tz={tz} {zone_rules(tz)} max={config.max_file_size} code={code_key()}"


@functools.cache
def zone_rules(key: str) -> str:
    """A hash of time zone ``key``'s rules, as :mod:`zoneinfo` finds them (a file in its
    TZPATH, else the tzdata package's): an update of the time zone database that moves a
    zone's offsets (a country ending summer time) changes the instants of the dates
    written without one, so the summaries made before are made again."""
    import zoneinfo

    for folder in zoneinfo.TZPATH:
        path = os.path.join(folder, key)
        if os.path.isfile(path):
            return hashlib.blake2b(Path(path).read_bytes(), digest_size=8).hexdigest()
    try:
        from importlib.resources import files

        data = files("tzdata.zoneinfo").joinpath(*key.split("/")).read_bytes()
    except (ImportError, OSError, ValueError):
        return "-"
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def open_cache(config: Config, *, readonly: bool, fresh: bool = False) -> Cache:
    """The cache at ``site.cache``, read ahead into the page cache (a build that selects
    reads every page of it); read-only, a missing one is not created (nor its folder)."""
    cache = Cache(config.cache, settings(config), readonly=readonly, fresh=fresh)
    if cache.db is not None:
        prefetch(config.cache)
    return cache


# ---------------------------------------------------------------- which files changed

#: A file modified this close to the last cache write may change again within the
#: same mtime tick; its content hash is checked instead of trusting size and mtime.
RACY_NS = 2_000_000_000


def racy_after(config: Config) -> int:
    """Files modified after this moment (ns) are hashed, whatever the cache says."""
    newest = 0
    for suffix in ("", "-wal"):
        with contextlib.suppress(OSError):
            newest = max(newest, os.stat(f"{config.cache}{suffix}").st_mtime_ns)
    return newest - RACY_NS


def unchanged(
    found: Found, rows: Mapping[str, Row], racy: int
) -> tuple[list[Summary], list[ArticleError], list[tuple[SourceFile, str | None]], list[str]]:
    """From the cache, the summaries and rejections of the files that did not change
    (same size and mtime, settled before the last cache write, and read then: a file
    that could not be read is read again); the files to read, each
    with the digest the cache knows of it (a touched file whose bytes are the same is
    then not parsed), in the order of the listing; and the paths the cache knows that
    are listed no more."""
    summaries: list[Summary] = []
    errors: list[ArticleError] = []
    todo: list[tuple[SourceFile, str | None]] = []
    known = 0  # files listed that the cache has a row for
    for rel, folder, names, sizes, mtimes in found.files:
        for name, size, mtime in zip(names, sizes, mtimes, strict=True):  # a hundred thousand
            path = rel + name
            row = rows.get(path)
            if row is not None:
                known += 1
                if (row.size == size and row.mtime_ns == mtime and mtime < racy
                        and row.digest != UNREAD):  # fmt: skip
                    if row.error is not None:
                        errors.append(row.error)
                    elif row.summary is not None:
                        summaries.append(row.summary)
                    continue
            digest = None if row is None else row.digest
            todo.append((SourceFile(path, folder + name, size, mtime), digest))
    gone: list[str] = []
    if known < len(rows):  # a file the cache knows is listed no more
        listed = {rel + name for rel, _, names, _, _ in found.files for name in names}
        gone = [p for p in rows if p not in listed]
    return summaries, errors, todo, gone


# ---------------------------------------------------------------- which outputs changed


def fingerprint(config: Config, feed: FeedConfig, fmt: str, items: Sequence[Summary],
                doc: Document[Summary] | None = None) -> str:  # fmt: skip
    """Everything an output's bytes depend on, hashed: the code and every field of the
    configuration, the format, the items (each path and content hash, in order) and
    what else the document depends on. The first two are hashed once a feed, and a
    copy of that hash is taken for each document (a build asks for 600 fingerprints:
    made whole each time, they took 70 ms at 100,000 articles)."""
    h = _config_hash(site_key(config), feed).copy()
    # NUL between the parts: no format, document key, path or content hash holds one
    key = json.dumps(doc.key() if doc else None)
    h.update(_utf8("\0".join([fmt, key, *[f"{s.path}\0{s.digest}" for s in items]])))
    return h.hexdigest()


@functools.lru_cache(maxsize=4096)
def _config_hash(site: str, feed: FeedConfig) -> hashlib._Hash:
    """The hash of a site's key (:func:`site_key`) and one feed's (:func:`feed_key`)."""
    return hashlib.sha256(_utf8(json.dumps([site, feed_key(feed)], ensure_ascii=False) + "\0"))


#: How many headlines of each feed the feeds page shows.
HEADLINES = 5


def site_fingerprint(config: Config, selected: dict[str, list[Summary]]) -> str:
    """Everything the site files' bytes depend on: the feeds, their newest items."""
    feeds = [
        [f.slug, f.title, f.description, list(f.formats), list(f.topics), f.max_items,
         [[s.path, s.digest] for s in selected.get(f.slug, ())[: min(HEADLINES, f.max_items)]],
         selected[f.slug][0].published_at.isoformat() if selected.get(f.slug) else None]
        for f in config.feeds
    ]  # fmt: skip
    parts = [config_key(config), feeds]
    return hashlib.sha256(_utf8(json.dumps(parts, ensure_ascii=False))).hexdigest()


def _utf8(text: str) -> bytes:
    """``text`` as bytes to hash, whatever it holds: a path whose name is not UTF-8 holds
    lone surrogates, which plain UTF-8 refuses (and which change nothing else)."""
    return text.encode("utf-8", "surrogatepass")


Known = tuple[str, int, int]  # an output's fingerprint, size and mtime_ns, as written


def up_to_date(path: Path, known: Known | None, fp: str) -> bool:
    """Whether the output at ``path`` holds what ``fp`` describes: written so, untouched."""
    return known is not None and known[0] == fp and _same_stat(path, known)


def written_bytes(path: Path, known: Known | None, fp: str) -> bytes | None:
    """The bytes of the output at ``path`` when it holds what ``fp`` describes (see
    :func:`up_to_date`), else None."""
    if known is None or known[0] != fp:
        return None
    try:
        # (a named pipe put at its name: its open would wait for a writer, for ever)
        with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC), "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode) or (st.st_size, st.st_mtime_ns) != (known[1], known[2]):
                return None
            data = f.read()
    except OSError:
        return None
    return data if len(data) == known[1] else None


def _same_stat(path: Path, known: Known) -> bool:
    """Whether the output at ``path`` is as feedpub wrote it: its size and mtime. One
    made readable by its owner alone since (``chmod 600``, a ``tar x`` of a backup under
    ``umask 077``: its mtime kept) is made readable by all here, as a build makes one it
    finds with the right bytes (:func:`feedpub.output.readable_by_all`): else a web
    server answered 403 for it until its feed changed, and nothing is rendered again."""
    try:
        st = os.lstat(path)  # (a link put there is no file feedpub wrote: never the same)
    except OSError:
        return False
    if (st.st_size, st.st_mtime_ns) != (known[1], known[2]):
        return False
    if st.st_mode & 0o044 != 0o044:
        try:
            made = readable_by_all(path)  # (the file itself: a link put there since is not)
        except OSError:
            return False
        if made is None:  # (another user's: written again, the build's own)
            return False
        st = made
    return (st.st_size, st.st_mtime_ns) == (known[1], known[2])


# ---------------------------------------------------------------- the no-change shortcut
#
# A cron build usually finds nothing new. The cache remembers the state of the last
# complete build: the list of files with their sizes and mtimes, the config, the files
# it wrote, the rejections it reported, and the next moment an already known article
# becomes visible. When all of that still holds, the build is over after one stat per
# file: nothing is read, selected, rendered or written.


def setup_key(config: Config, slugs: Sequence[str] | None, allow_empty: bool) -> str:
    """What a build was asked to do, but its files: the config, the feeds it was asked
    for (all, when none), and whether it may publish empty feeds."""
    return json.dumps([config_key(config), sorted(slugs or []), allow_empty])


def same_config(setup: str, other: str) -> bool:
    """Whether two builds' :func:`setup_key` name the same config, whatever feeds each
    was asked for (``--feed``) and whether it might publish empty feeds."""
    try:
        return bool(json.loads(setup)[0] == json.loads(other)[0])
    except (ValueError, LookupError, TypeError):
        return False


def state(config: Config, found: Found, slugs: Sequence[str] | None, allow_empty: bool) -> str:
    """A hash of everything a build depends on but the files' bytes: the config, the
    listing (each path, size and mtime) and what the listing found unusable (their
    rejections are remembered with the state, so the state must change with them)."""
    h = hashlib.sha256()
    h.update(_utf8(setup_key(config, slugs, allow_empty)))
    # the paths, each ended by a NUL (which no path holds), then every size and every
    # mtime as 8 bytes: one way to read it back, whatever the names hold
    stamps = found.stamps()
    h.update(_utf8(stamps.paths if stamps is not None else found.paths()))
    h.update(b"\0%d\0" % found.count())
    if stamps is not None:
        h.update(stamps.sizes.tobytes())
        h.update(stamps.mtimes.tobytes())
    else:  # a size or mtime past 64 bits (a strange file system): as text
        pairs = zip(found.sizes(), found.mtimes(), strict=True)
        h.update(_utf8("".join([f"{s}\0{m}\n" for s, m in pairs])))
    if found.unusable:
        unusable = found.unusable
        h.update(_utf8("".join([f"\0{e.path}\0{e.line}\0{e.message}\n" for e in unusable])))
    return h.hexdigest()


class Memo(NamedTuple):
    """What the last complete build reported, when nothing changed since."""

    outputs: list[str]
    errors: list[ArticleError]
    hidden: list[Hidden]


def nothing_to_do(config: Config, memo_json: str | None, outputs: dict[str, Known],
                  newest: int | None, state: str, now: datetime) -> Memo | None:  # fmt: skip
    """What the last build reported, when a build now would change nothing; else None.
    ``newest``: the latest mtime of the files listed (None without any)."""
    try:
        memo = json.loads(memo_json or "null")
        if not memo or memo["state"] != state or memo["refused"] or memo.get("unread"):
            return None
        if now < datetime.fromisoformat(memo["now"]):
            return None
        if memo["next"] is not None and now >= datetime.fromisoformat(memo["next"]):
            return None
        if newest is not None and newest >= racy_after(config):
            return None  # maybe changed within the same mtime tick: hash them
        for name in memo["outputs"]:
            entry = outputs.get(name)
            if entry is None or not _same_stat(config.output / name, entry):
                return None
        errors = [ArticleError(p, line, msg) for p, line, msg in memo["errors"]]
        hidden = [Hidden(*h) for h in memo["hidden"]]  # the same files and visibility
    except (ValueError, KeyError, TypeError):
        return None
    return Memo(memo["outputs"], errors, hidden)


def upcoming(summaries: Iterable[Summary], now: datetime) -> datetime | None:
    """The next moment one of these articles is published, after ``now``."""
    return min((s.published_at for s in summaries if s.published and s.published_at > now),
               default=None)  # fmt: skip


def clock_went_back(memo_json: str | None, now: datetime) -> bool:
    """Whether ``now`` is before the moment of the last complete build (its memo), or
    that moment is not known (a first build, a lost cache: then it may be)."""
    try:
        return bool(datetime.fromisoformat(json.loads(memo_json or "null")["now"]) > now)
    except (TypeError, KeyError, ValueError):
        return True


def remember(state: str, now: datetime, upcoming: datetime | None, errors: Sequence[ArticleError],
             outputs: Sequence[str], hidden: Sequence[Hidden], refused: str | None,
             unread: bool = False) -> str:  # fmt: skip
    """The memo of a complete build, for :func:`nothing_to_do` next time; ``upcoming``:
    the next moment an article it knows of is published (see :func:`upcoming`).
    ``unread``: a file could not be read, so the next build must look at it again
    (made readable, its size and mtime are those listed now): no memo to stop at."""
    memo = {
        "state": state,
        "now": now.isoformat(),
        "next": upcoming.isoformat() if upcoming else None,
        "outputs": sorted(outputs),
        "errors": [[e.path, e.line, e.message] for e in errors],
        "hidden": [list(h) for h in hidden],
        "refused": refused,
        "unread": unread,
    }
    # ASCII: a path that is not UTF-8 holds lone surrogates, which SQLite's text cannot
    # (escaped as \udce9, they read back as they were)
    return json.dumps(memo)
