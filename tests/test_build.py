"""Cron-grade promises of `feedpub build`: atomic, locked, incremental, deterministic."""

from __future__ import annotations

import errno
import fcntl
import os
import pickle
import random
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Collection
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import click
import pytest

from feedpub import formats, parallel
from feedpub.build import build
from feedpub.cache import Cache
from feedpub.config import Config, load_config
from feedpub.output import STAGING, Made, Stage, deliver, make

from .conftest import AZURE_AI_FEEDS, OLD_MTIME_NS, ROOT, SEEDS, run_cli

NOW = "2021-01-01T00:00:00Z"
#: The temp files of a build, in its staging folder in the output folder.
STAGED = f"{STAGING}*/.*.tmp"


def run(*args: str) -> tuple[int, str]:
    code, _, err = run_cli(*args)
    return code, err


@pytest.fixture
def cfg(write_config, seeds_dir: Path) -> Path:  # type: ignore[no-untyped-def]
    return write_config(["content/*.txt"], AZURE_AI_FEEDS)


def outputs(cfg: Path) -> dict[str, bytes]:
    return {
        p.name: p.read_bytes()
        for p in sorted((cfg.parent / "feeds").iterdir())
        if p.suffix in (".rss", ".atom")
    }


def test_only_changed_bytes_are_staged_and_an_unchanged_file_is_not_touched(cfg: Path) -> None:
    config = load_config(cfg)
    config.output.mkdir(exist_ok=True)
    target = config.output / "a.rss"
    one, two = (b"<rss><channel><generator>feedpub</generator>" + n for n in (b"1", b"2"))
    for data, status in ((one, "written"), (one, "unchanged"), (two, "written")):
        before = target.stat().st_mtime_ns if target.exists() else None
        stage = Stage()
        outcome, stat = deliver(config, "a.rss", (data, [], []), False, stage)
        assert outcome.status == status
        assert len(stage.staged) == (status == "written")
        assert stage.commit() == {}
        st = target.stat()
        assert target.read_bytes() == data and stat == (st.st_size, st.st_mtime_ns)
        if status == "unchanged":
            assert st.st_mtime_ns == before
    assert [p.name for p in config.output.iterdir()] == ["a.rss"]


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_full_disk_or_read_only_folder_keeps_old_feeds(
    cfg: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch, error: int
) -> None:
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    before = outputs(cfg)
    f = seeds_dir / "002_882cc4a5fc2a4bd2.txt"
    f.write_text(
        f.read_text(encoding="utf-8").replace('smarter AI"', 'smarter AI!"', 1), encoding="utf-8"
    )
    real_fsync = os.fsync

    def failing_fsync(fd: int) -> None:
        if os.path.basename(os.readlink(f"/proc/self/fd/{fd}")).startswith(".azure.rss"):
            raise OSError(error, os.strerror(error))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing_fsync)
    code, err = run("build", "-c", str(cfg), "--now", NOW)
    assert code == 3
    assert f"azure.rss: not written ({os.strerror(error)}); the previous file is kept" in err
    after = outputs(cfg)
    assert after["azure.rss"] == before["azure.rss"]
    assert after["azure.atom"] != before["azure.atom"]  # the other feeds are still written
    assert not [p for p in (cfg.parent / "feeds").iterdir() if p.name.endswith(".tmp")]


def test_a_feed_that_fails_validation_is_not_written(
    cfg: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    before = outputs(cfg)
    (seeds_dir / "002_882cc4a5fc2a4bd2.txt").write_text(
        (SEEDS / "002_882cc4a5fc2a4bd2.txt")
        .read_text(encoding="utf-8")
        .replace('smarter AI"', 'smarter AI?"', 1),
        encoding="utf-8",
    )
    real = formats.assemble

    def broken(config, feed, entries, fmts, doc):  # type: ignore[no-untyped-def]
        data: dict[str, bytes] = real(config, feed, entries, fmts, doc)
        if feed.slug != "azure":
            return data
        return {fmt: b.replace(b'length="0"', b'length="None"') for fmt, b in data.items()}

    # the door RSS and Atom documents come through (JSON Feed's, formats.render, is
    # broken the same way in tests/test_jsonfeed.py)
    monkeypatch.setattr(formats, "assemble", broken)
    code, err = run("build", "-c", str(cfg), "--now", NOW)
    assert code == 3
    assert "azure.rss: line" in err and "enclosure" in err
    assert outputs(cfg)["azure.rss"] == before["azure.rss"]


def test_a_feed_whose_rendering_raises_fails_alone(
    cfg: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An exception while one document is rendered (an article no check foresaw, or a
    bug) fails that document, which keeps its old file; the other feeds are written,
    and the build says which failed and why, with no traceback."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    before = outputs(cfg)
    for seed in seeds_dir.iterdir():  # every title changes: each document is rendered again
        text = seed.read_text(encoding="utf-8")
        seed.write_text(text.replace('\ntitle: "', '\ntitle: "Updated: ', 1), encoding="utf-8")
    real = formats.assemble

    def raising(config, feed, entries, fmts, doc):  # type: ignore[no-untyped-def]
        if feed.slug == "azure":
            raise ValueError("Required fields not set")
        return real(config, feed, entries, fmts, doc)

    monkeypatch.setattr(formats, "assemble", raising)
    code, err = run("build", "-c", str(cfg), "--now", NOW)
    assert code == 3
    assert "azure.rss" in err and "ValueError: Required fields not set" in err
    assert "Traceback" not in err
    after = outputs(cfg)
    assert after["azure.rss"] == before["azure.rss"] and after["azure.atom"] == before["azure.atom"]
    assert after["ai.rss"] != before["ai.rss"]  # the other feed is written


def test_an_article_whose_entry_raises_is_rendered_from_the_article(
    cfg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An exception while an article's entries are written does not stop the build:
    its documents are rendered from the Articles instead (feedgen), to the same bytes."""
    assert run("build", "-c", str(cfg), "--now", NOW, "--full")[0] == 0
    before = outputs(cfg)

    def raising(article):  # type: ignore[no-untyped-def]
        raise ValueError("no entry")

    monkeypatch.setattr(formats, "entry", raising)
    code, err = run("build", "-c", str(cfg), "--now", NOW, "--full")
    assert code == 0, err
    assert outputs(cfg) == before


def test_documents_not_assembled_from_entries_are_rendered_from_the_articles(
    cfg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where a document cannot be put together from its articles' entries (here: none
    can), it is rendered from the Articles, parsed again: the same bytes."""
    assert run("build", "-c", str(cfg), "--now", NOW, "--full")[0] == 0
    assembled = outputs(cfg)
    rendered: list[str] = []
    real = formats.render

    def recording(config, feed, items, fmts, doc=None):  # type: ignore[no-untyped-def]
        rendered.extend(fmts)
        return real(config, feed, items, fmts, doc)

    monkeypatch.setattr(formats, "assemble", lambda *args: None)
    monkeypatch.setattr(formats, "render", recording)
    shutil.rmtree(cfg.parent / "feeds")
    assert run("build", "-c", str(cfg), "--now", NOW, "--full", "--jobs", "1")[0] == 0
    assert outputs(cfg) == assembled
    assert "rss" in rendered and "atom" in rendered


def test_second_build_waits_then_exits_75(cfg: Path) -> None:
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    fd = os.open(cfg.parent / ".feedpub" / "cache.sqlite.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        started = time.monotonic()
        code, err = run("build", "-c", str(cfg), "--now", NOW, "--lock-timeout", "0.3")
        assert code == 75 and "another build holds" in err
        assert time.monotonic() - started >= 0.3
    finally:
        os.close(fd)
    assert run("build", "-c", str(cfg), "--now", NOW, "--lock-timeout", "0")[0] == 0


@pytest.mark.parametrize(
    "damage", ["garbage", "truncated", "old-version", "empty", "naive date", "no date", "bad page"]
)
def test_damaged_cache_is_rebuilt_never_a_wrong_feed(cfg: Path, damage: str) -> None:
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    good = outputs(cfg)
    cache = cfg.parent / ".feedpub" / "cache.sqlite"
    for extra in cache.parent.glob("cache.sqlite-*"):
        extra.unlink()
    if damage == "garbage":
        cache.write_bytes(b"not a database at all" * 100)
    elif damage == "truncated":
        data = cache.read_bytes()
        cache.write_bytes(data[: len(data) // 3])
    elif damage == "old-version":
        db = sqlite3.connect(cache)
        db.execute("UPDATE meta SET value='feedpub-cache-0' WHERE key='version'")
        db.commit()
        db.close()
    elif damage == "bad page":  # the files table's page overwritten, the rest intact
        db = sqlite3.connect(cache)
        (root,) = db.execute("SELECT rootpage FROM sqlite_master WHERE name='files'").fetchone()
        (size,) = db.execute("PRAGMA page_size").fetchone()
        db.close()
        with open(cache, "r+b") as f:
            f.seek((root - 1) * size)
            f.write(b"\x0d\xff\xff" + b"\xee" * 40)
    elif damage in ("naive date", "no date"):  # rows that cannot have been written so
        db = sqlite3.connect(cache)
        value = "2020-01-01T00:00:00" if damage == "naive date" else None
        db.execute("UPDATE files SET published_at=? WHERE rowid=1", (value,))
        db.commit()
        db.close()
    else:
        cache.write_bytes(b"")
    for f in (cfg.parent / "feeds").iterdir():
        if f.suffix in (".rss", ".atom"):
            f.unlink()
    code, err = run("build", "-c", str(cfg), "--now", NOW, "-v")
    assert code == 0, err
    assert outputs(cfg) == good
    # and the cache is whole again: a build that must select anew reads no file
    for f in (cfg.parent / "feeds").iterdir():
        if f.suffix in (".rss", ".atom"):
            f.unlink()
    code, err = run("build", "-c", str(cfg), "--now", NOW, "-v")
    assert code == 0 and "read 0, from cache 5" in err, err


def test_a_cache_that_refuses_writes_still_gives_right_feeds(
    cfg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache in a read-only folder or on a full disk: the build carries on from memory."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    good = outputs(cfg)
    for f in (cfg.parent / "feeds").iterdir():
        if f.suffix in (".rss", ".atom"):
            f.unlink()
    (cfg.parent / ".feedpub" / "cache.sqlite").unlink()
    monkeypatch.setattr(Cache, "commit", lambda self, changes: False)
    code, err = run("build", "-c", str(cfg), "--now", NOW)
    assert (code, err) == (0, "")
    assert outputs(cfg) == good


def test_a_cache_another_program_holds_locked_is_kept_and_the_build_says_so(cfg: Path) -> None:
    """A cache held locked by another program (an sqlite3 shell, a backup) was thrown
    away under it without a word, and every build after read every file again."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    cache = cfg.parent / ".feedpub" / "cache.sqlite"
    (cfg.parent / "feeds" / "azure.rss").unlink()  # (something for the build to do)
    stranger = sqlite3.connect(cache, isolation_level=None)
    try:
        stranger.execute("BEGIN EXCLUSIVE")
        code, err = run("build", "-c", str(cfg), "--now", NOW)
        assert code == 0 and (cfg.parent / "feeds" / "azure.rss").is_file()
        assert err == (
            f"feedpub: {cache}: the cache could not be used or written, another program holds "
            "it locked (an sqlite3 shell, a backup?): end it; the feeds are written, and what "
            "the cache could not keep is read again by the next build\n"
        )
        stranger.execute("ROLLBACK")
    finally:
        stranger.close()
    (cfg.parent / "feeds" / "azure.rss").unlink()
    code, err = run("build", "-c", str(cfg), "--now", NOW, "-v")
    assert code == 0 and "read 0, from cache 5" in err, err  # (the same cache, whole)


@pytest.mark.parametrize(("make", "what"), [(os.mkdir, "a folder"),
                                            (os.mkfifo, "a named pipe (FIFO)")])  # fmt: skip
def test_a_folder_at_a_feeds_name_is_named_with_what_to_do(
    cfg: Path, seeds_dir: Path, make: Callable[[Path], None], what: str
) -> None:
    """A folder where a feed's file goes (``feeds/azure.rss/``, a deploy tool's slip)
    was said as ``feeds/azure.rss: not written (Is a directory)``, with nothing to do."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    feeds = cfg.parent / "feeds"
    (feeds / "azure.rss").unlink()
    make(feeds / "azure.rss")
    for f in seeds_dir.iterdir():  # every feed changes
        f.write_text(f.read_text(encoding="utf-8").replace('title: "', 'title: "New: ', 1),
                     encoding="utf-8")  # fmt: skip
    for args in (["--check"], []):
        code, err = run("build", "-c", str(cfg), "--now", NOW, *args)
        assert code == 3
        assert err.splitlines()[0] == (
            f"{feeds}/azure.rss: {what} is in its place (not a file): remove it, or rename "
            "it, and the next build writes the file"
        ), err
        assert not [line for line in err.splitlines() if line.startswith(f"{feeds}/azure.rss")][1:]
    assert b"New: " in (feeds / "ai.rss").read_bytes()  # (the other feeds are written)
    if what == "a folder":
        (feeds / "azure.rss").rmdir()
    else:
        (feeds / "azure.rss").unlink()
    assert run("build", "-c", str(cfg), "--now", NOW) == (0, "")
    assert b"New: " in (feeds / "azure.rss").read_bytes()


def test_a_folder_made_at_a_feeds_name_as_the_build_ran_is_named(cfg: Path) -> None:
    config = load_config(cfg)
    config.output.mkdir(exist_ok=True)
    stage = Stage()
    data = b"<rss><channel><generator>feedpub</generator></channel></rss>"
    assert deliver(config, "a.rss", (data, [], []), False, stage)[0].status == "written"
    (config.output / "a.rss").mkdir()
    assert stage.commit() == {"a.rss": (
        f"cannot write {config.output}/a.rss: Is a directory; a folder is in its place: "
        "remove it, or rename it"
    )}  # fmt: skip


def test_a_cache_on_a_read_only_file_system_is_done_without_and_said_so(
    cfg: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache's file system mounted read-only (``site.cache`` on a mount made
    read-only after a build): the build lock beside it could not be opened for writing,
    and every build exited 3 and wrote nothing. The lock is taken read-only now (flock
    needs no more), and the build goes on without the cache and says what to do."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    state = cfg.parent / ".feedpub"
    real_open, real_statvfs = os.open, os.statvfs

    def open_(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if Path(path).parent == state and flags & (os.O_RDWR | os.O_WRONLY | os.O_CREAT):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)

    def statvfs(path: Any) -> Any:
        st = real_statvfs(path)
        if Path(path) != state:
            return st
        fields = list(st)  # f_bsize … f_favail f_flag f_namemax
        fields[8] |= os.ST_RDONLY
        return os.statvfs_result(fields)

    real_connect = sqlite3.connect

    def connect(database: Any, *args: Any, **kwargs: Any) -> Any:
        if str(state) not in str(database):
            return real_connect(database, *args, **kwargs)
        e = sqlite3.OperationalError("unable to open database file")  # (SQLite's word there)
        e.sqlite_errorcode = 14  # type: ignore[attr-defined]  # SQLITE_CANTOPEN
        raise e

    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "statvfs", statvfs)
    monkeypatch.setattr(sqlite3, "connect", connect)
    for f in seeds_dir.iterdir():  # every feed changes
        f.write_text(f.read_text(encoding="utf-8").replace('title: "', 'title: "New: ', 1),
                     encoding="utf-8")  # fmt: skip
    code, err = run("build", "-c", str(cfg), "--now", NOW)
    assert (code, err) == (0, (
        f"feedpub: {state}/cache.sqlite: the cache could not be used or written, the file "
        "system it is on is mounted read-only: mount it writable, or point site.cache "
        "elsewhere; the feeds are written, and what the cache could not keep is read again "
        "by the next build\n"
    ))  # fmt: skip
    assert any(b"New: " in data for data in outputs(cfg).values())


def test_a_lock_that_is_a_fifo_the_build_cannot_write_does_not_hang_it(
    cfg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A FIFO at the lock's path that the build's user may not write (root's, 0644): the
    lock taken read-only as a fallback was opened waiting for a writer, and every cron
    build hung for ever, one more each time. It is opened without waiting, as
    ``build --check`` opens it, and the build goes on."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    lock = load_config(cfg).lock
    lock.unlink()
    os.mkfifo(lock)
    real_open = os.open

    def open_(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if Path(path) == lock and flags & (os.O_RDWR | os.O_WRONLY):  # (not root's to write)
            raise OSError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args, **kwargs)

    unblocked: list[bool] = []

    def writer() -> None:  # (the hung open freed, the test goes on: said below)
        try:
            os.close(real_open(lock, os.O_WRONLY | os.O_NONBLOCK))
            unblocked.append(True)
        except OSError:  # (ENXIO: no reader waits, the build is done)
            pass

    monkeypatch.setattr(os, "open", open_)
    timer = threading.Timer(10, writer)
    timer.start()
    try:
        code, err = run("build", "-c", str(cfg), "--now", NOW, "--lock-timeout", "0")
    finally:
        timer.cancel()
        timer.join()
    assert (code, err, unblocked) == (0, "", [])


def test_a_lock_the_build_cannot_write_on_nfs_is_said_as_such(
    cfg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lock the build's user may not write (another user's, 0644) on NFS, where flock
    is a lock of the file's bytes, which an exclusive lock takes only on a descriptor
    open for writing: the read-only fallback's flock failed "Bad file descriptor", and
    the build said 'feedpub: …/feeds: Bad file descriptor', naming the output folder.
    It says what it said before the fallback: the lock and what to do."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    lock = load_config(cfg).lock
    real_open, real_flock = os.open, fcntl.flock

    def open_(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if Path(path) == lock and flags & (os.O_RDWR | os.O_WRONLY):  # (not the user's)
            raise OSError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args, **kwargs)

    def flock(fd: int, how: int) -> None:  # (as NFS answers)
        if how & fcntl.LOCK_EX and fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY:
            raise OSError(errno.EBADF, os.strerror(errno.EBADF))
        real_flock(fd, how)

    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(fcntl, "flock", flock)
    assert run("build", "-c", str(cfg), "--now", NOW) == (3, (
        f"feedpub: {lock}: Permission denied: the cache and the build lock need a folder "
        "feedpub can write (see site.cache)\n"
    ))  # fmt: skip


def test_a_folder_where_the_cache_goes_is_named(cfg: Path) -> None:
    cache = cfg.parent / ".feedpub" / "cache.sqlite"
    cache.mkdir(parents=True)
    code, err = run("build", "-c", str(cfg), "--now", NOW)
    assert code == 0 and (cfg.parent / "feeds" / "azure.rss").is_file()
    assert f"{cache}: the cache could not be used or written, a folder is in its place: " \
        "remove the folder;" in err, err  # fmt: skip
    assert cache.is_dir()  # (not ours to remove)


def test_cache_never_holds_secured_or_unpublished_bodies(cfg: Path) -> None:
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    blob = b"".join(p.read_bytes() for p in (cfg.parent / ".feedpub").glob("cache.sqlite*"))
    for f in SEEDS.glob("*.txt"):
        secret = f.read_text(encoding="utf-8").split('secured: "')[1].split('"')[0]
        assert secret[:24].encode() not in blob
    # the unpublished 001 is known only as a summary: its excerpt is nowhere
    assert b"counting on to improve the AI capabilities" not in blob


def test_a_draft_in_the_making_fails_no_build_until_it_is_published(
    cfg: Path, seeds_dir: Path
) -> None:
    """A Jekyll site keeps its drafts beside its posts (``published: false``), often
    with no URL or date yet: a cron build must not exit 1 for one, every few minutes.
    Once it says ``published: true``, what it lacks is reported at its line."""
    assert run("build", "-c", str(cfg), "--now", NOW) == (0, "")
    good = outputs(cfg)
    draft = seeds_dir / "900_draft.txt"
    draft.write_text('---\ntitle: "Coming soon"\npublished: false\ntopics: [Azure]\n'
                     "publishedDateTime: someday\n---\n", encoding="utf-8")  # fmt: skip
    assert run("build", "-c", str(cfg), "--now", NOW) == (0, "")
    assert run("build", "-c", str(cfg), "--now", NOW, "--full") == (0, "")
    assert outputs(cfg) == good
    draft.write_text(draft.read_text(encoding="utf-8").replace("false", "true"), encoding="utf-8")
    code, err = run("build", "-c", str(cfg), "--now", NOW)
    assert code == 1
    assert (
        err
        == "content/900_draft.txt:2: no usable webUrl or originalUrl: give an absolute http(s) URL\n"
    )
    assert outputs(cfg) == good


def test_touched_but_unchanged_file_is_not_reparsed(cfg: Path, seeds_dir: Path) -> None:
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    f = seeds_dir / "003_e437473dcdcad073.txt"
    os.utime(f, ns=(f.stat().st_atime_ns, f.stat().st_mtime_ns + 5_000_000_000))
    code, err = run("build", "-c", str(cfg), "--now", NOW, "-v")
    assert code == 0
    assert "written 0" in err  # hashed, found identical, nothing rendered


def test_symlink_out_of_the_content_root_is_not_followed(
    cfg: Path, seeds_dir: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    text = (SEEDS / "004_17b6bf656801d13b.txt").read_text(encoding="utf-8")
    (outside / "evil.txt").write_text(
        text.replace("hothardware.com/news/", "hothardware.com/evil/"), encoding="utf-8"
    )
    (seeds_dir / "link.txt").symlink_to(outside / "evil.txt")
    code, err = run("build", "-c", str(cfg), "--now", NOW, "-v")
    assert code == 0
    assert "leads outside the content folder" in err
    assert b"/evil/" not in b"".join(outputs(cfg).values())


def test_future_article_appears_only_once_its_time_has_come(cfg: Path, seeds_dir: Path) -> None:
    text = (SEEDS / "004_17b6bf656801d13b.txt").read_text(encoding="utf-8")
    (seeds_dir / "future.txt").write_text(
        text.replace("2020-05-20T14:25:00Z", "2030-01-01T00:00:00Z", 1).replace(
            "/news/openai", "/news/future"
        ),
        encoding="utf-8",
    )
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    assert b"/news/future" not in b"".join(outputs(cfg).values())
    assert run("build", "-c", str(cfg), "--now", "2030-01-01T00:00:00Z")[0] == 0
    assert b"/news/future" in outputs(cfg)["ai.rss"]


def _feedpub(
    cfg: Path, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "feedpub", "build", "-c", str(cfg), "--now", NOW, *args],
        env={**os.environ, **(env or {})},
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_same_bytes_whatever_tz_locale_hash_seed_cwd_or_file_order(
    cfg: Path, seeds_dir: Path, tmp_path: Path
) -> None:
    runs = [
        {"TZ": "Asia/Tokyo", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "1"},
        {"TZ": "America/New_York", "LC_ALL": "C", "LANG": "de_DE.UTF-8", "PYTHONHASHSEED": "987"},
    ]
    results = []
    for i, env in enumerate(runs):
        # recreate the files in another order, and run from another folder
        names = sorted(p.name for p in seeds_dir.iterdir())
        data = {n: (seeds_dir / n).read_bytes() for n in names}
        shutil.rmtree(seeds_dir)
        seeds_dir.mkdir()
        for n in reversed(names) if i else names:
            (seeds_dir / n).write_bytes(data[n])
        shutil.rmtree(cfg.parent / "feeds", ignore_errors=True)
        proc = _feedpub(cfg, "--full", env=env, cwd=tmp_path if i else Path("/"))
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        results.append(outputs(cfg))
    assert results[0] == results[1]


def test_sigkill_at_any_moment_leaves_old_or_new_bytes(tmp_path: Path, write_config) -> None:  # type: ignore[no-untyped-def]
    content = tmp_path / "content"
    content.mkdir()
    base = (SEEDS / "002_882cc4a5fc2a4bd2.txt").read_text(encoding="utf-8")
    for i in range(300):
        (content / f"{i:04}.txt").write_text(
            base.replace("/news/microsoft-builds", f"/news/{i}-microsoft-builds").replace(
                'smarter AI"', f'smarter AI {i}"', 1
            ),
            encoding="utf-8",
        )
    cfg = write_config(
        ["content/*.txt"],
        AZURE_AI_FEEDS.replace('topics = ["Azure"]', 'topics = ["Azure"]\nmax_items = 300'),
    )
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    old = outputs(cfg)
    for f in content.iterdir():
        f.write_text(
            f.read_text(encoding="utf-8").replace("smarter AI", "smarter AI (updated)"),
            encoding="utf-8",
        )
    rng = random.Random(7)
    seen_new = False
    for _ in range(6):
        proc = _feedpub(cfg, "--jobs", "1")
        time.sleep(rng.uniform(0.05, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        now_files = outputs(cfg)
        assert now_files.keys() == old.keys()
        for name, data in now_files.items():
            if data != old[name]:
                seen_new = True
                assert b"smarter AI (updated)" in data and data.rstrip().endswith(
                    (b"</rss>", b"</feed>")
                )
    # no stale lock: the next build runs at once and finishes the job
    assert run("build", "-c", str(cfg), "--now", NOW, "--lock-timeout", "0")[0] == 0
    final = outputs(cfg)
    # only the azure feed holds these articles (the ai feed stays empty)
    assert (
        b"smarter AI (updated)" in final["azure.rss"]
        and b"smarter AI (updated)" in final["azure.atom"]
    )
    assert final["ai.rss"] == old["ai.rss"]
    assert not [p for p in (cfg.parent / "feeds").iterdir() if p.name.endswith(".tmp")]
    assert seen_new or final != old


def when(stage: str, do: Callable[[], None]) -> Callable[[str, list[str]], None]:
    """A build's ``observe`` hook that does ``do`` the first time ``stage`` begins."""
    done: list[bool] = []

    def observe(seen: str, paths: list[str]) -> None:
        if seen == stage and not done:
            done.append(True)
            do()

    return observe


def test_an_article_unpublished_while_the_build_runs_is_never_published(
    cfg: Path, seeds_dir: Path
) -> None:
    """A build reads every file once for its Summary and parses again the articles a
    feed shows. When a file changes in between (here: unpublished), the feeds that show
    it keep their old files and the next build, which sees the change, renders them."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    before = outputs(cfg)
    page = (cfg.parent / "feeds" / "index.html").read_bytes()
    article = seeds_dir / "002_882cc4a5fc2a4bd2.txt"  # an Azure article
    url = b"https://www.cnet.com/news/microsoft-builds-massive-supercomputer-for-smarter-ai/"
    assert url in before["azure.rss"]
    # a new article for the Azure feed, so that the next build must render it
    extra = seeds_dir / "new.txt"
    extra.write_bytes(article.read_bytes().replace(b"/news/", b"/news2/"))

    def unpublish() -> None:  # once summarised, before it is parsed again to be shown
        article.write_bytes(article.read_bytes().replace(b"published: true", b"published: false"))

    result = build(load_config(cfg), datetime.fromisoformat(NOW), observe=when("parse", unpublish))
    deferred = {o.name: o.problems for o in result.outcomes if o.status == "deferred"}
    assert deferred["azure.rss"] == ["content/002_882cc4a5fc2a4bd2.txt"]
    # and the feeds page, which would list headlines the kept feed does not show
    assert deferred["index.html"] == ["content/002_882cc4a5fc2a4bd2.txt"]
    assert not result.failed
    assert outputs(cfg)["azure.rss"] == before["azure.rss"]  # untouched: old bytes
    assert (cfg.parent / "feeds" / "index.html").read_bytes() == page
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    after = outputs(cfg)
    assert url not in after["azure.rss"] and url not in after["azure.atom"]
    assert b"/news2/" in after["azure.rss"]
    assert (cfg.parent / "feeds" / "index.html").read_bytes() != page


def _built_with_an_azure_article(
    cfg: Path, seeds_dir: Path
) -> tuple[dict[str, bytes], Path, bytes, bytes]:
    """A build of ``cfg``: its outputs, an Azure article's file, URL and bytes."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    before = outputs(cfg)
    article = seeds_dir / "002_882cc4a5fc2a4bd2.txt"
    url = b"https://www.cnet.com/news/microsoft-builds-massive-supercomputer-for-smarter-ai/"
    assert url in before["azure.rss"]
    return before, article, url, article.read_bytes()


def test_a_file_git_replaces_while_the_build_runs_is_not_taken_as_deleted(
    cfg: Path, seeds_dir: Path
) -> None:
    """``git checkout`` (pull, reset, stash) replaces a file: removed, then made again.
    A build that lists it and then finds it gone takes it as the last build read it:
    the feeds that show it are kept for the next build (never written without it),
    which reads the new file and publishes what it holds."""
    before, article, url, data = _built_with_an_azure_article(cfg, seeds_dir)
    edited = data.replace(b'title: "', b'title: "Edited: ', 1)
    article.write_bytes(edited)  # (a new mtime: the build reads it again)
    extra = seeds_dir / "new.txt"  # a new Azure article: the Azure feed is due
    extra.write_bytes(data.replace(b"/news/", b"/news2/"))

    def gone() -> None:  # listed, then removed before it is read
        article.unlink()

    result = build(load_config(cfg), datetime.fromisoformat(NOW), observe=when("listed", gone))
    deferred = {o.name: o.problems for o in result.outcomes if o.status == "deferred"}
    assert deferred["azure.rss"] == ["content/002_882cc4a5fc2a4bd2.txt"]
    assert not result.failed and not result.gathered.errors
    assert outputs(cfg)["azure.rss"] == before["azure.rss"]  # not written without it
    assert "vanished while the build ran; taken as the last build read it" in " ".join(
        result.gathered.skipped
    )
    article.write_bytes(edited)  # git writes the new file
    code, err = run("build", "-c", str(cfg), "--now", NOW)
    assert code == 0, err
    after = outputs(cfg)["azure.rss"]
    assert url in after and b"Edited: " in after and b"/news2/" in after


def test_a_file_kept_for_the_next_build_then_replaced_is_still_not_taken_as_deleted(
    cfg: Path, seeds_dir: Path
) -> None:
    """A file that changed while its feeds were rendered (kept for the next build) is
    read again by the next build; git may be replacing it then too: the cache still
    knows it as the last build read it, and the feeds are never written without it."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    article = seeds_dir / "002_882cc4a5fc2a4bd2.txt"  # an Azure article
    url = b"https://www.cnet.com/news/microsoft-builds-massive-supercomputer-for-smarter-ai/"
    data = article.read_bytes()
    (seeds_dir / "new.txt").write_bytes(data.replace(b"/news/", b"/news2/"))  # Azure is due

    def edit() -> None:  # once summarised, before its feeds are rendered
        article.write_bytes(data.replace(b'title: "', b'title: "Edited: ', 1))

    kept = build(load_config(cfg), datetime.fromisoformat(NOW), observe=when("parse", edit))
    assert "azure.rss" in {o.name for o in kept.outcomes if o.status == "deferred"}
    before = outputs(cfg)
    assert url in before["azure.rss"]

    def gone() -> None:
        article.unlink()

    result = build(load_config(cfg), datetime.fromisoformat(NOW), observe=when("listed", gone))
    assert not result.failed and not result.gathered.errors
    assert url in outputs(cfg)["azure.rss"]  # kept, or written with it: never without it
    assert any("taken as the last build read it" in line for line in result.gathered.skipped)
    article.write_bytes(data.replace(b'title: "', b'title: "Edited: ', 1))
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    assert b"Edited: " in outputs(cfg)["azure.rss"] and b"/news2/" in outputs(cfg)["azure.rss"]


def test_a_file_found_empty_when_it_is_read_is_being_written_not_an_empty_article(
    cfg: Path, seeds_dir: Path
) -> None:
    """git makes a file empty, then writes it: listed with its bytes, read in between, it
    is a change in progress (as the last build read it), not an "empty file" to reject."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    before = outputs(cfg)
    article = seeds_dir / "002_882cc4a5fc2a4bd2.txt"  # an Azure article
    data = article.read_bytes()
    edited = data.replace(b'title: "', b'title: "Edited: ', 1)
    article.write_bytes(edited)  # (read again by the next build)

    def emptied() -> None:  # listed with its bytes; empty when read
        article.write_bytes(b"")

    result = build(load_config(cfg), datetime.fromisoformat(NOW), observe=when("read", emptied))
    assert not result.gathered.errors and not result.failed
    assert outputs(cfg)["azure.rss"] == before["azure.rss"]
    article.write_bytes(edited)
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    assert b"Edited: " in outputs(cfg)["azure.rss"]


def _half_saved(article: Path, data: bytes, mtime: str) -> None:
    """What an editor that saves in place (truncate, then write) leaves for an instant:
    the first part of the file, at ``mtime``."""
    article.write_bytes(data[: len(data) // 3])
    ns = int(datetime.fromisoformat(mtime).timestamp()) * 10**9
    os.utime(article, ns=(ns, ns))


def test_a_published_article_read_half_saved_is_kept_as_the_last_build_read_it(
    cfg: Path, seeds_dir: Path
) -> None:
    """An editor that saves in place leaves the file half written for an instant; a
    build that reads it then, a second after it was modified, does not reject the
    article and write its feeds without it (readers would see it go, then come back):
    it takes it as the last build read it, exit 0, and the next build reads it again."""
    before, article, url, data = _built_with_an_azure_article(cfg, seeds_dir)
    (seeds_dir / "new.txt").write_bytes(data.replace(b"/news/", b"/news2/"))  # Azure is due
    _half_saved(article, data, "2020-12-31T23:59:59Z")  # a second before NOW
    code, err = run("build", "-c", str(cfg), "--now", NOW)
    assert (code, err) == (0, "")
    assert outputs(cfg)["azure.rss"] == before["azure.rss"]  # never written without it
    code, err = run("build", "-c", str(cfg), "--now", NOW, "-v")
    assert code == 0 and "002_882cc4a5fc2a4bd2.txt: modified 1 s before the build" in err
    edited = data.replace(b'title: "', b'title: "Edited: ', 1)
    article.write_bytes(edited)  # the save done
    os.utime(article, ns=(OLD_MTIME_NS, OLD_MTIME_NS))  # (even with an old mtime: read again)
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    after = outputs(cfg)["azure.rss"]
    assert url in after and b"Edited: " in after and b"/news2/" in after
    assert run("build", "-c", str(cfg), "--now", NOW, "--check")[0] == 0


def test_a_feed_kept_for_a_half_saved_file_says_it_was_skipped_not_changed_behind(
    cfg: Path, seeds_dir: Path
) -> None:
    """A feed kept for the next build because a file it shows was skipped as a save in
    progress: -v says so, not that the file "changed while the build ran, or before it
    keeping its size and modification time" (it did neither: it was saved a second
    before the build, and its line above says so)."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    article = seeds_dir / "002_882cc4a5fc2a4bd2.txt"  # an Azure article
    data = article.read_bytes()
    _half_saved(article, data, NOW)
    new = data.replace(b"cnet.com/news/", b"cnet.com/news2/")
    (seeds_dir / "new.txt").write_bytes(new)  # (so that the Azure feed is rendered)
    code, err = run("build", "-c", str(cfg), "--now", NOW, "-v")
    assert code == 0, err
    kept = [line for line in err.splitlines() if "azure.rss: kept for the next build" in line]
    assert kept == [
        f"{cfg.parent / 'feeds' / 'azure.rss'}: kept for the next build: "
        "content/002_882cc4a5fc2a4bd2.txt skipped (vanished or being saved as the build read it)"
    ]


def test_a_file_half_saved_in_the_second_of_the_build_is_not_said_modified_as_it_ran(
    cfg: Path, seeds_dir: Path
) -> None:
    """The build's moment is the clock cut to the second: a file saved at 12:00:00.5 by
    a build started at 12:00:00.9 (its moment 12:00:00) was not "modified as the build
    ran" (the -v line a person reads to know what happened)."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    article = seeds_dir / "002_882cc4a5fc2a4bd2.txt"  # an Azure article
    data = article.read_bytes()
    article.write_bytes(data[: len(data) // 3])
    ns = int(datetime.fromisoformat(NOW).timestamp()) * 10**9 + 500_000_000  # NOW + 0.5 s
    os.utime(article, ns=(ns, ns))
    code, err = run("build", "-c", str(cfg), "--now", NOW, "-v")
    assert code == 0
    assert "002_882cc4a5fc2a4bd2.txt: modified within a second of the build" in err


@pytest.mark.parametrize("modified", ["2020-12-31T23:59:00Z", "2021-01-01T00:01:00Z"])
def test_a_published_article_that_stays_broken_is_still_rejected(
    cfg: Path, seeds_dir: Path, modified: str
) -> None:
    """Only a file modified in the seconds around the build is taken as a save in
    progress: one broken a minute before it (or dated a minute after it: a build
    --now in the past) is rejected, and so is a half-saved file the next build finds
    as it was, once those seconds are past."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    article = seeds_dir / "002_882cc4a5fc2a4bd2.txt"  # an Azure article
    url = b"https://www.cnet.com/news/microsoft-builds-massive-supercomputer-for-smarter-ai/"
    data = article.read_bytes()
    _half_saved(article, data, modified)
    code, err = run("build", "-c", str(cfg), "--now", NOW)
    assert code == 1 and "content/002_882cc4a5fc2a4bd2.txt:" in err
    assert url not in outputs(cfg)["azure.rss"]
    article.write_bytes(data)
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    _half_saved(article, data, NOW)
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0  # a save in progress
    assert url in outputs(cfg)["azure.rss"]
    code, err = run("build", "-c", str(cfg), "--now", "2021-01-01T00:05:00Z")  # cron, 5 min on
    assert code == 1 and "content/002_882cc4a5fc2a4bd2.txt:" in err


@pytest.mark.parametrize("stage", ["listed", "read"])
def test_a_file_gone_while_read_is_read_next_time_even_back_as_it_was_listed(
    cfg: Path, seeds_dir: Path, stage: str
) -> None:
    """A file missing (or empty) when the build reads it, then back with the size and
    mtime it was listed with (``cp -p`` again, a sync tool): the build kept nothing that
    says it was read, so the next build reads it, and publishes its edit."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    article = seeds_dir / "002_882cc4a5fc2a4bd2.txt"  # an Azure article
    article.write_bytes(article.read_bytes().replace(b'title: "', b'title: "Edited: ', 1))
    os.utime(article, ns=(OLD_MTIME_NS + 10**9, OLD_MTIME_NS + 10**9))  # (settled)
    aside = seeds_dir.parent / "aside.txt"

    def away() -> None:
        if stage == "listed":
            article.rename(aside)
        else:  # being written: listed with its bytes, read empty
            shutil.copy2(article, aside)
            article.write_bytes(b"")

    build(load_config(cfg), datetime.fromisoformat(NOW), observe=when(stage, away))
    aside.replace(article)  # back, with the size and mtime it was listed with
    assert article.stat().st_mtime_ns == OLD_MTIME_NS + 10**9
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    assert b"Edited: " in outputs(cfg)["azure.rss"]
    assert run("build", "-c", str(cfg), "--now", NOW, "--check")[0] == 0


def test_a_file_being_written_when_its_feed_is_rendered_is_kept_for_the_next_build(
    cfg: Path, seeds_dir: Path
) -> None:
    """git makes a file empty, then writes it. A shown article read again in that
    moment holds other bytes than its Summary's: its feeds are kept for the next build,
    exit 0, never failed with "empty file" (exit 3) for a sound article."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    before = outputs(cfg)
    article = seeds_dir / "002_882cc4a5fc2a4bd2.txt"  # an Azure article
    data = article.read_bytes()
    extra = seeds_dir / "new.txt"  # a new Azure article: the Azure feed is due
    extra.write_bytes(data.replace(b"/news/", b"/news2/"))

    def truncate() -> None:
        article.write_bytes(b"")

    result = build(load_config(cfg), datetime.fromisoformat(NOW), observe=when("parse", truncate))
    deferred = {o.name: o.problems for o in result.outcomes if o.status == "deferred"}
    assert deferred["azure.rss"] == ["content/002_882cc4a5fc2a4bd2.txt"]
    assert not result.failed
    assert outputs(cfg)["azure.rss"] == before["azure.rss"]
    article.write_bytes(data)
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    assert b"/news2/" in outputs(cfg)["azure.rss"]


def test_the_feeds_page_takes_unchanged_headlines_from_the_cache(
    cfg: Path, seeds_dir: Path
) -> None:
    """After one Azure article changes, the Azure feeds are rendered again and so is
    index.html, but the AI feed's headline comes from the cache: no file outside the
    changed feed is parsed again."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    article = seeds_dir / "003_e437473dcdcad073.txt"
    article.write_bytes(article.read_bytes().replace(b'title: "', b'title: "Edited: ', 1))
    asked: list[str] = []

    def recording(stage: str, paths: list[str]) -> None:
        if stage == "parse":
            asked.extend(paths)

    result = build(load_config(cfg), datetime.fromisoformat(NOW), observe=recording)
    assert ("index.html", "written") in [(o.name, o.status) for o in result.outcomes]
    page = (cfg.parent / "feeds" / "index.html").read_text(encoding="utf-8")
    assert "Edited: Microsoft just built" in page
    assert "Microsoft And OpenAI Team To Build" in page  # the AI headline, from the cache
    assert sorted(set(asked)) == [
        "content/002_882cc4a5fc2a4bd2.txt",
        "content/003_e437473dcdcad073.txt",
    ]


def test_a_file_changed_behind_the_caches_back_is_read_again_next_time(
    cfg: Path, seeds_dir: Path
) -> None:
    """Same size, same old mtime, other bytes (a sync tool that restores mtimes): the
    cache trusts the row; when the feed is rendered (here: a new article arrives), the
    bytes are found changed, the feed is deferred and the row forgotten; the next build
    reads the file again and publishes what it says."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    article = seeds_dir / "003_e437473dcdcad073.txt"
    st = article.stat()
    data = article.read_bytes()
    article.write_bytes(data.replace(b"Microsoft just built", b"Microsoft JUST built", 1))
    os.utime(article, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert article.stat().st_size == st.st_size
    (seeds_dir / "new.txt").write_bytes(data.replace(b"thenextweb.com/", b"thenextweb.com/new/"))
    before = outputs(cfg)
    code, err = run("build", "-c", str(cfg), "--now", NOW, "-v")
    assert code == 0, err
    assert (
        ": kept for the next build: content/003_e437473dcdcad073.txt changed while the "
        "build ran, or before it keeping its size and modification time\n"
    ) in err
    assert outputs(cfg)["azure.rss"] == before["azure.rss"]
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    assert b"Microsoft JUST built" in outputs(cfg)["azure.rss"]


def test_an_article_that_cannot_be_read_again_fails_its_feeds_loudly(cfg: Path) -> None:
    """A shown article whose file cannot be read when its feed is rendered (here: grown
    past the size limit since it was summarised): its feeds keep their old files and
    the build says why, rather than deferring them for ever."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    content = cfg.parent / "content"
    new = (content / "003_e437473dcdcad073.txt").read_bytes().replace(b".com/", b".com/new/")
    (content / "new.txt").write_bytes(new)  # a new Azure article: the Azure feed is due
    before = outputs(cfg)
    shown = content / "002_882cc4a5fc2a4bd2.txt"

    def grow() -> None:
        with open(shown, "ab") as f:
            f.truncate(3 << 20)

    result = build(load_config(cfg), datetime.fromisoformat(NOW), observe=when("parse", grow))
    failed = {o.name: [str(p) for p in o.problems] for o in result.failed}
    assert failed["azure.rss"] == [
        "content/002_882cc4a5fc2a4bd2.txt:1: file is 3145728 bytes, over the limit of "
        "2097152 (site.max_file_size)"
    ]
    assert outputs(cfg)["azure.rss"] == before["azure.rss"]


def test_a_damaged_stored_headline_is_parsed_again_never_a_crash(
    cfg: Path, seeds_dir: Path
) -> None:
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    db = sqlite3.connect(cfg.parent / ".feedpub" / "cache.sqlite")
    with db:
        db.execute("UPDATE files SET headline='[not json' WHERE headline IS NOT NULL")
    db.close()
    article = seeds_dir / "003_e437473dcdcad073.txt"
    article.write_bytes(article.read_bytes().replace(b'title: "', b'title: "Edited: ', 1))
    code, err = run("build", "-c", str(cfg), "--now", NOW)
    assert code == 0, err
    page = (cfg.parent / "feeds" / "index.html").read_text(encoding="utf-8")
    assert "Edited: Microsoft just built" in page and "Microsoft And OpenAI Team" in page


def test_each_written_file_is_synced_and_the_folder_once(
    cfg: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bytes of every file are on disk before it replaces the old one; the renames
    are made durable by one sync of the output folder, not one a file."""
    real_fsync = os.fsync
    synced: list[str] = []

    def counting_fsync(fd: int) -> None:
        synced.append("folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counting_fsync)
    code, _ = run("build", "-c", str(cfg), "--now", NOW, "-v")
    assert code == 0
    written = [p for p in (cfg.parent / "feeds").iterdir() if not p.name.startswith(".")]
    assert synced.count("file") == len(written) > 4
    assert synced.count("folder") == 1
    synced.clear()
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0  # nothing to write
    assert synced == []


# ---------------------------------------------------------------- staged, then published


def cached_outputs(cfg: Path) -> dict[str, tuple[str, int, int]]:
    """Each output's cached ``(fingerprint, size, mtime_ns)``."""
    db = sqlite3.connect(cfg.parent / ".feedpub" / "cache.sqlite")
    try:
        rows = db.execute("SELECT name, fingerprint, size, mtime_ns FROM outputs").fetchall()
    finally:
        db.close()
    return {name: (fp, size, mtime) for name, fp, size, mtime in rows}


def edit_an_azure_article(seeds_dir: Path) -> None:
    f = seeds_dir / "002_882cc4a5fc2a4bd2.txt"
    f.write_text(
        f.read_text(encoding="utf-8").replace('smarter AI"', 'smarter AI!"', 1), encoding="utf-8"
    )


def test_a_build_publishes_its_files_in_one_batch(
    cfg: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file is written whole to its temp file before any is synced; every temp
    file is synced before the first rename; the renames go in the build's order; the
    folder is synced once, after the last rename; the cache records the size and mtime
    of the files published."""
    folder = cfg.parent / "feeds"
    events: list[tuple[str, str]] = []  # ("file" | "folder" | "rename", temp file name)
    renamed: list[str] = []
    at_first_sync: dict[str, bytes] = {}
    lock = threading.Lock()
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        with lock:  # (called from several threads)
            if not at_first_sync:
                at_first_sync.update((p.name, p.read_bytes()) for p in folder.glob(STAGED))
            kind = "folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file"
            events.append((kind, os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))))
        real_fsync(fd)

    def replace(src: str, dst: str) -> None:
        events.append(("rename", os.path.basename(src)))
        renamed.append(os.path.basename(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    result = build(load_config(cfg), datetime.fromisoformat(NOW))
    written = [o.name for o in result.outcomes if o.status == "written"]
    assert len(written) == 6 and not result.failed
    assert renamed == written
    temps = [name for kind, name in events if kind == "rename"]
    assert sorted(at_first_sync) == sorted(temps)  # all of them, before any sync
    for temp, name in zip(temps, renamed, strict=True):
        assert temp.startswith(f".{name}.") and temp.endswith(".tmp")
        assert at_first_sync[temp] == (folder / name).read_bytes()  # whole
    kinds = [kind for kind, _ in events]
    assert sorted(name for kind, name in events if kind == "file") == sorted(temps)
    assert kinds == ["file"] * 6 + ["rename"] * 6 + ["folder"]
    assert events[-1] == ("folder", "feeds")  # the output folder, where the renames went
    recorded = cached_outputs(cfg)
    for name in written:
        st = (folder / name).stat()
        assert recorded[name][1:] == (st.st_size, st.st_mtime_ns)
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]  # nor the stage


@pytest.mark.parametrize("syncfs_fails", [False, True])
def test_many_files_are_synced_by_one_syncfs_before_any_rename(
    cfg: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch, syncfs_fails: bool
) -> None:
    """A build that writes many files has their file system written back (through the
    staging folder) once every feed is written whole, while it renders the site files,
    then synced once more before the first rename; when the first sync fails, each file
    is synced on its own, and one that fails keeps its old bytes."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    before = outputs(cfg)
    edit_an_azure_article(seeds_dir)
    folder = cfg.parent / "feeds"
    page_before = (folder / "index.html").read_bytes()
    events: list[tuple[str, str]] = []
    lock = threading.Lock()
    real_fsync, real_replace = os.fsync, os.replace

    def syncfs(fd: int) -> int:
        # whole: every feed at the first (the write-back, while the site files may be
        # being written), every file at the second
        early = not events
        staged = {p.name: p.read_bytes() for p in folder.glob(STAGED)
                  if not (early and p.name.startswith((".index.html.", ".feeds.opml.")))}  # fmt: skip
        assert staged and all(data.endswith(b">\n") for data in staged.values())
        events.append(("syncfs", os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))))
        if syncfs_fails:
            return -1
        os.sync()
        return 0

    def fsync(fd: int) -> None:
        name = os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))
        with lock:  # (called from several threads)
            events.append(("folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file", name))
        if name.startswith(".azure.rss."):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_fsync(fd)

    def replace(src: str, dst: str) -> None:
        events.append(("rename", os.path.basename(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(parallel, "SYNC_TOGETHER", 2)
    monkeypatch.setattr(parallel, "libc_syncfs", lambda: syncfs)
    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    result = build(load_config(cfg), datetime.fromisoformat(NOW))
    kinds = [kind for kind, _ in events]
    assert events[0][0] == "syncfs" and events[0][1].startswith(STAGING)
    staged = len([o for o in result.outcomes if o.status in ("written", "failed")])
    assert staged >= 3  # the azure feeds and the site files
    if syncfs_fails:
        # the site files, staged after the feeds, are held back with the one that failed
        # (they list it): their old files kept
        failed = [o.name for o in result.failed]
        assert failed[0] == "azure.rss" and "index.html" in failed[1:]
        assert set(failed[1:]) <= {"index.html", "feeds.opml"}
        assert kinds == (["syncfs"] + ["file"] * staged + ["rename"] * (staged - len(failed))
                         + ["folder"])  # fmt: skip
        assert outputs(cfg)["azure.rss"] == before["azure.rss"]
        assert page_before == (folder / "index.html").read_bytes()
    else:
        # (twice each staging folder: one, unless making files there turned slow)
        folders = {name for kind, name in events if kind == "syncfs"}
        assert all(name.startswith(STAGING) for name in folders)
        assert kinds == ["syncfs"] * (2 * len(folders)) + ["rename"] * staged + ["folder"]
        assert not result.failed
        assert outputs(cfg)["azure.rss"] != before["azure.rss"]
    assert b"smarter AI!" in outputs(cfg)["azure.atom"]
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_a_first_build_that_cannot_publish_a_file_claims_no_previous_one(
    cfg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "the previous file is kept" was said of a file that never was."""
    real_replace = os.replace

    def failing_replace(src: str, dst: str) -> None:
        if os.path.basename(dst) == "azure.rss":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    code, err = run("build", "-c", str(cfg), "--now", NOW)
    assert code == 3
    assert [line for line in err.splitlines() if "azure.rss" in line] == [
        f"{cfg.parent / 'feeds' / 'azure.rss'}: not written ({os.strerror(errno.ENOSPC)})",
    ]
    assert not (cfg.parent / "feeds" / "azure.rss").exists()


@pytest.mark.parametrize("verbose", [False, True])
def test_a_full_disk_is_said_once_for_every_file_it_stops(
    cfg: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch, verbose: bool
) -> None:
    """A full output disk printed two lines a file (602 for a site of 301 feeds, one
    cause): one line now, naming the first files; ``-v`` names each, one line a file."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    before = outputs(cfg)
    for f in seeds_dir.iterdir():  # every feed changes
        f.write_text(f.read_text(encoding="utf-8").replace('title: "', 'title: "New: ', 1),
                     encoding="utf-8")  # fmt: skip
    real_replace = os.replace

    def full(src: str, dst: str) -> None:
        if str(dst).endswith((".rss", ".atom")):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", full)
    code, err = run("build", "-c", str(cfg), "--now", NOW, *(["-v"] if verbose else []))
    assert code == 3
    failed = sorted(n for n in before if n.endswith((".rss", ".atom")))
    assert len(failed) > 3 and outputs(cfg) == before  # each keeps its old bytes
    feeds, full_disk = cfg.parent / "feeds", os.strerror(errno.ENOSPC)
    lines = [line for line in err.splitlines() if full_disk in line]
    if verbose:
        assert sorted(lines) == sorted(
            f"{feeds / n}: not written ({full_disk}); the previous file is kept" for n in failed
        )
    else:
        assert len(lines) == 1, err
        assert lines[0].startswith(f"{feeds}: {len(failed)} files not written ({full_disk}): ")
        assert lines[0].endswith(f" and {len(failed) - 3} more (build -v names each); each "
                                 "keeps its previous file, where it had one")  # fmt: skip
        # the page lists the feeds: it waits for them, its old file kept
        assert err.splitlines()[1:] == [f"{feeds / 'index.html'}: not written, as it lists "
                                        "the feeds that could not be; the previous file is kept"]  # fmt: skip


@pytest.mark.parametrize(
    ("error", "advice"),
    [
        (errno.ENOSPC, "the disk it is on is full: free space on it; each file keeps its "
                       "previous version meanwhile"),
        (errno.EROFS, "the file system it is on is read-only: mount it writable, or point "
                      "site.output elsewhere; each file keeps its previous version meanwhile"),
        (errno.EACCES, "make the folder writable by the user that runs feedpub, or point "
                       "site.output elsewhere"),
    ],
)  # fmt: skip
def test_an_output_folder_no_staging_folder_can_be_made_in_says_why_and_what_to_do(
    cfg: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch, error: int, advice: str
) -> None:
    """A full disk (ext4 gives a new folder a block; the inodes of a tmpfs run out) or
    a file system mounted read-only refuses the build's staging folder: the build said
    to "make the folder writable by the user that runs feedpub", which it was."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    before = outputs(cfg)
    for f in seeds_dir.iterdir():  # every feed changes
        f.write_text(f.read_text(encoding="utf-8").replace('title: "', 'title: "New: ', 1),
                     encoding="utf-8")  # fmt: skip

    def refused(*args: Any, **kwargs: Any) -> str:
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr("tempfile.mkdtemp", refused)
    code, err = run("build", "-c", str(cfg), "--now", NOW)
    assert code == 3 and outputs(cfg) == before
    assert err.splitlines() == [
        f"feedpub: {cfg.parent / 'feeds'}: cannot make files in the output folder "
        f"({os.strerror(error)}): a build writes each file there, then renames it; {advice}"
    ]


def _no_inode_left(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """``folder``'s file system says it has no inode left (a tmpfs made with few, every
    one used), and space free, as ``statvfs`` gives it then."""
    real = os.statvfs

    def statvfs(path: Any) -> Any:
        st = real(path)
        if Path(path) != folder:
            return st
        fields = list(st)  # f_bsize f_frsize f_blocks f_bfree f_bavail f_files f_ffree f_favail …
        fields[5:8] = [1000, 0, 0]
        return os.statvfs_result(fields)

    monkeypatch.setattr(os, "statvfs", statvfs)


@pytest.mark.parametrize("where", ["the staging folder", "the files"])
def test_a_file_system_without_an_inode_left_is_not_said_full_of_space(
    cfg: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """A tmpfs whose inodes are all used (``mount -o nr_inodes=...``) refuses a new file
    or folder with ENOSPC: the build said "the disk it is on is full: free space on it",
    and ``df -h`` showed it nearly empty. It says that no inode is left now."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    before = outputs(cfg)
    for f in seeds_dir.iterdir():  # every feed changes
        f.write_text(f.read_text(encoding="utf-8").replace('title: "', 'title: "New: ', 1),
                     encoding="utf-8")  # fmt: skip
    feeds = cfg.parent / "feeds"
    _no_inode_left(monkeypatch, feeds)
    if where == "the staging folder":

        def refused(*args: Any, **kwargs: Any) -> str:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr("tempfile.mkdtemp", refused)
    else:
        _a_full_disk_for(monkeypatch)
    code, err = run("build", "-c", str(cfg), "--now", NOW, "--jobs", "1")
    assert code == 3 and outputs(cfg) == before
    if where == "the staging folder":
        assert err.splitlines() == [
            f"feedpub: {feeds}: cannot make files in the output folder (No space left on "
            "device): a build writes each file there, then renames it; its file system has "
            "no inode left to make a file with (df -i), however much space is free: remove "
            "files from it, or give it more inodes; each file keeps its previous version "
            "meanwhile"
        ]
    else:
        assert err.splitlines()[0].startswith(
            f"{feeds}: {len(before)} files not written (No space left on device; no inode "
            "left: df -i): "
        ), err


def _a_full_disk_for(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    """The temp file of each output of ``names`` (of every output, when none) cannot be
    written, as on a full disk: ``os.fdopen``, through which a build writes each one (in
    whichever process renders it), refuses it."""
    real = os.fdopen

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        name = os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))
        if name.endswith(".tmp") and (not names or name.startswith(tuple(f".{n}." for n in names))):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, *args, **kwargs)

    monkeypatch.setattr(os, "fdopen", fdopen)


def test_the_site_files_wait_for_a_feed_that_could_not_be_written(
    cfg: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """feeds.opml listed a feed whose first file could not be written (a full disk),
    a URL that answers 404 to whoever imports the list: the site files, which list
    every feed, are written with them or not at all (their old files kept)."""
    _a_full_disk_for(monkeypatch, "azure.rss")
    feeds = cfg.parent / "feeds"
    code, err = run("build", "-c", str(cfg), "--now", NOW)  # a first build
    assert code == 3 and not (feeds / "azure.rss").exists()
    assert not (feeds / "feeds.opml").exists() and not (feeds / "index.html").exists()
    assert f"{feeds / 'feeds.opml'}: not written, as it lists the feeds that could not be" in err
    monkeypatch.undo()
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    assert b"/azure.rss" in (feeds / "feeds.opml").read_bytes()
    page = (feeds / "index.html").read_bytes()
    edit_an_azure_article(seeds_dir)  # the page shows its new title, once the feed does
    _a_full_disk_for(monkeypatch, "azure.rss")
    code, err = run("build", "-c", str(cfg), "--now", NOW)
    assert code == 3 and (feeds / "index.html").read_bytes() == page, err
    assert (f"{feeds / 'index.html'}: not written, as it lists the feeds that could not be; "
            "the previous file is kept") in err.splitlines()  # fmt: skip


def test_check_says_only_what_differs_of_the_site_files(cfg: Path) -> None:
    """--check of a site whose one feed is stale said the page and the list were "not
    written, as it lists the feeds that could not be" (they were the same bytes)."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    feeds = cfg.parent / "feeds"
    with (feeds / "azure.rss").open("ab") as f:
        f.write(b" ")
    code, err = run("build", "-c", str(cfg), "--now", NOW, "--check")
    assert (code, err) == (3, f"{feeds / 'azure.rss'}: differs from what a build would write\n")


def test_a_file_a_worker_could_not_write_is_reported_with_its_reason(
    cfg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a worker process found (its temp file could not be written) comes back to
    the report with the reason apart: pickled, it is a CannotWrite again."""
    import feedpub.output as output_module

    _a_full_disk_for(monkeypatch)
    monkeypatch.setattr(parallel, "RENDERING", parallel.Shape(1, 0))  # (workers, however few)
    code, err = run("build", "-c", str(cfg), "--now", NOW, "--jobs", "2")
    assert code == 3
    assert (
        f"{cfg.parent / 'feeds'}: " in err
        and f"files not written ({os.strerror(errno.ENOSPC)})" in err
    )
    again = pickle.loads(pickle.dumps(output_module.CannotWrite(cfg / "a b: c.rss", "Disk: full")))
    assert (type(again), again, again.reason) == (
        output_module.CannotWrite,
        f"cannot write {cfg / 'a b: c.rss'}: Disk: full",
        "Disk: full",
    )


@pytest.mark.parametrize("fails", ["fsync", "rename"])
def test_a_file_that_cannot_be_published_keeps_its_old_bytes_and_is_written_next_time(
    cfg: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch, fails: str
) -> None:
    """When the sync or the rename of one staged file fails, that file keeps its old
    bytes, the build says which and why, the other files are published, no temp file
    is left, and the cache does not record it: the next build writes it."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    folder = cfg.parent / "feeds"
    before, recorded = outputs(cfg), cached_outputs(cfg)
    edit_an_azure_article(seeds_dir)
    real_fsync, real_replace = os.fsync, os.replace

    def failing_fsync(fd: int) -> None:
        if os.path.basename(os.readlink(f"/proc/self/fd/{fd}")).startswith(".azure.rss."):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_fsync(fd)

    def failing_replace(src: str, dst: str) -> None:
        if os.path.basename(dst) == "azure.rss":
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_replace(src, dst)

    if fails == "fsync":
        monkeypatch.setattr(os, "fsync", failing_fsync)
    else:
        monkeypatch.setattr(os, "replace", failing_replace)
    code, err = run("build", "-c", str(cfg), "--now", NOW)
    assert code == 3  # EXIT_FEED_FAILED, as for a feed that cannot be written at all
    assert (
        f"{folder / 'azure.rss'}: not written ({os.strerror(errno.EIO)}); the previous file is kept"
        in err.splitlines()
    )
    after = outputs(cfg)
    assert after["azure.rss"] == before["azure.rss"]
    assert after["azure.atom"] != before["azure.atom"]  # the other files are published
    assert b"smarter AI!" in after["azure.atom"]
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]
    now_recorded = cached_outputs(cfg)
    assert now_recorded["azure.rss"] == recorded["azure.rss"]  # still the old file's
    assert now_recorded["azure.atom"] != recorded["azure.atom"]
    monkeypatch.undo()
    code, err = run("build", "-c", str(cfg), "--now", NOW, "-v")
    assert code == 0, err
    assert f"wrote {folder / 'azure.rss'}" in err
    assert b"smarter AI!" in outputs(cfg)["azure.rss"]


@pytest.mark.parametrize("stop", [RuntimeError, KeyboardInterrupt])
def test_a_build_stopped_before_its_commit_publishes_nothing(
    cfg: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch, stop: type[BaseException]
) -> None:
    """Stopped once every file is staged (here, as the commit begins), a build
    removes its temp files and leaves every old file as it was, and the cache does
    not record them: the next build writes them."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    folder = cfg.parent / "feeds"

    def everything() -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in folder.iterdir()}

    before, recorded = everything(), cached_outputs(cfg)
    edit_an_azure_article(seeds_dir)
    staged: list[str] = []

    def stopping(self: Stage, hold: Collection[str] = ()) -> dict[str, str]:
        staged.extend(p.name for p in folder.glob(STAGED))
        raise stop("stopped")

    monkeypatch.setattr(Stage, "commit", stopping)
    with pytest.raises(stop):
        build(load_config(cfg), datetime.fromisoformat(NOW))
    names = {n[1:-4].rsplit(".", 1)[0] for n in staged}  # .NAME.n.tmp
    assert {"azure.rss", "azure.atom", "index.html"} <= names  # it did stage them
    assert everything() == before
    now_recorded = cached_outputs(cfg)
    assert {n: now_recorded[n] for n in names} == {n: recorded[n] for n in names}
    for name, (_, size, mtime_ns) in now_recorded.items():  # what is there, not the temps
        st = (folder / name).stat()
        assert (size, mtime_ns) == (st.st_size, st.st_mtime_ns)
    monkeypatch.undo()
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    assert b"smarter AI!" in outputs(cfg)["azure.rss"]


@pytest.mark.parametrize("stop", [RuntimeError, KeyboardInterrupt])
def test_a_first_build_stopped_leaves_no_empty_output_folder(
    write_config, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch, stop: type[BaseException]
) -> None:  # type: ignore[no-untyped-def]
    """A first build stopped (Ctrl-C, SIGTERM, an error) left the output folder it made,
    and the folders above it, empty: `serve` served it, and a deploy that runs whatever
    the exit code (`feedpub build; rsync -a --delete feeds/ host:…`) emptied the site.
    They go, as a refused first build's do; a folder that was there stays."""
    cfg = write_config(["content/*.txt"], AZURE_AI_FEEDS, extra='output = "public/feeds"\n')
    (cfg.parent / "kept").mkdir()

    def stopping(self: Stage, hold: Collection[str] = ()) -> dict[str, str]:
        assert list(load_config(cfg).output.glob(STAGED))  # (staged, not published)
        raise stop("stopped")

    monkeypatch.setattr(Stage, "commit", stopping)
    with pytest.raises(stop):
        build(load_config(cfg), datetime.fromisoformat(NOW))
    assert not (cfg.parent / "public").exists()
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text.replace('output = "public/feeds"', 'output = "kept"'), "utf-8")
    with pytest.raises(stop):
        build(load_config(cfg), datetime.fromisoformat(NOW))
    assert list((cfg.parent / "kept").iterdir()) == []  # (there before: its own)
    monkeypatch.undo()
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    assert (cfg.parent / "kept" / "azure.rss").is_file()


def test_a_staging_folder_made_an_instant_before_a_stop_is_removed_too(
    cfg: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A SIGTERM sent as a staging folder appeared (between ``mkdtemp`` and the line that
    keeps its name) left it in the output folder, empty or with temp files: a deploy then
    published it. The stop removes every staging folder of the folders written to."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    folder = cfg.parent / "feeds"
    edit_an_azure_article(seeds_dir)

    def stopping(self: Stage, hold: Collection[str] = ()) -> dict[str, str]:
        orphan = folder / f"{STAGING}orphan"  # (made, not yet known to the stage)
        orphan.mkdir()
        (orphan / ".azure.rss.1.tmp").write_bytes(b"half a feed")
        raise KeyboardInterrupt

    monkeypatch.setattr(Stage, "commit", stopping)
    with pytest.raises(KeyboardInterrupt):
        build(load_config(cfg), datetime.fromisoformat(NOW))
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_build_stopped_by_a_signal_cleans_up_and_says_so(
    cfg: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch, signum: int
) -> None:
    """SIGTERM (``kill``, ``timeout``, systemd) stops a build as Ctrl-C does: its
    staging folders removed, every old file as it was, exit 128 + the signal's number
    and one line that says so; the next build writes what it did not."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    folder = cfg.parent / "feeds"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    edit_an_azure_article(seeds_dir)
    commit = Stage.commit
    staged: list[Path] = []

    def signalled(self: Stage, hold: Collection[str] = ()) -> dict[str, str]:
        staged.extend(folder.glob(STAGED))
        os.kill(os.getpid(), signum)
        return commit(self, hold)

    monkeypatch.setattr(Stage, "commit", signalled)
    missed: list[int] = []  # (the signal, had the build not taken it: not this process's end)

    def net(n: int, _: object) -> None:
        missed.append(n)

    previous = signal.signal(signal.SIGTERM, net)
    try:
        code, err = run("build", "-c", str(cfg), "--now", NOW)
        assert missed == [] and signal.getsignal(signal.SIGTERM) is net  # given back
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert staged and (code, err.splitlines()) == (128 + signum, [
        f"feedpub: stopped by {signal.Signals(signum).name}: no file half-written, none of "
        "the new ones left in the output folder; the next build does the rest"])  # fmt: skip
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # no staging folder
    monkeypatch.undo()
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    assert b"smarter AI!" in outputs(cfg)["azure.rss"]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("check", [False, True])
def test_ctrl_c_while_the_report_is_said_exits_130_not_1(
    cfg: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch, check: bool, signum: int
) -> None:
    """Ctrl-C as a build said what it found (a long report: every rejected file) ended
    it with click's ``Aborted!`` and exit 1, "some article files were rejected", on
    which the deploy script of *Running from cron* deploys: 130, as anywhere else.
    SIGTERM there ended the process without a word: 143 and the same line, as the
    README's exit codes have it."""
    (seeds_dir / "broken.txt").write_text("no front matter\n", encoding="utf-8")
    edit_an_azure_article(seeds_dir)
    echo = click.echo
    said: list[str] = []

    def interrupted(message: Any = None, *args: Any, **kwargs: Any) -> None:
        if not said:
            said.append(str(message))
            os.kill(os.getpid(), signum)  # (Python raises it here, in the main thread)
        echo(message, *args, **kwargs)

    monkeypatch.setattr(click, "echo", interrupted)
    missed: list[int] = []  # (SIGTERM, had the build not taken it: not this process's end)
    previous = signal.signal(signal.SIGTERM, lambda n, _: missed.append(n))
    try:
        code, err = run("build", "-c", str(cfg), "--now", NOW, *(["--check"] if check else []))
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert said and said[0].endswith(
        "broken.txt:1: no front matter: the first line must be "
        "'---' (a file that is no article, a README: leave it out "
        "with site.exclude)"
    )
    assert (missed, code, err.splitlines()[-1:]) == ([], 128 + signum, [
        f"feedpub: stopped by {signal.Signals(signum).name}: its report cut short; the "
        "build itself was done" + ("" if check else ", its files published")])  # fmt: skip
    monkeypatch.undo()
    assert run("build", "-c", str(cfg), "--now", NOW, "--check")[0] == (3 if check else 1)


def _sample_built(tmp_path: Path) -> tuple[Path, str, Path]:
    """The sample site copied to ``tmp_path`` and built: its config, the config's text,
    its output folder."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    cfg = tmp_path / "config.toml"
    cfg.write_text(text, encoding="utf-8")
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    return cfg, text, tmp_path / "feeds"


@pytest.mark.parametrize("full", [[], ["--full"]])
def test_the_files_of_a_feed_or_format_taken_out_of_the_config_are_removed(
    tmp_path: Path, full: list[str]
) -> None:
    """A feed taken out of ``config.toml`` (``top``), a format (``space`` without its
    Atom and JSON Feed), archive pages turned off: their files go (``--check`` names
    them first), by a plain build or a ``--full`` one (which starts the cache afresh);
    what feedpub did not write there for this site stays: another tool's feed, a link,
    a feed of feedpub's served from another URL."""
    cfg, text, feeds = _sample_built(tmp_path)
    (feeds / "theirs.rss").write_text("<rss><channel><generator>other</generator>", "utf-8")
    (feeds / "alias.rss").symlink_to("top.rss")
    moved = (
        (feeds / "ai.rss")
        .read_bytes()
        .replace(b"https://news.example.com/", b"https://old.example/")
    )
    (feeds / "old.rss").write_bytes(moved)
    kept = {p.name for p in feeds.iterdir()}
    gone = {"top.rss", "space.atom", "space.json", *(p.name for p in feeds.glob("all-archive-*"))}
    top = text.index("[feeds.top]")
    cut = text[:top] + text[text.index("\n[", top) + 1 :] if "\n[" in text[top:] else text[:top]
    cfg.write_text(cut.replace('formats = ["rss", "atom", "json"]', 'formats = ["rss"]')
                   .replace("archive = true", "archive = false"), encoding="utf-8")  # fmt: skip
    code, err = run("build", "-c", str(cfg), "--now", NOW, "--check")
    assert code == 3 and all(f"{feeds / n}: no feed of the config makes it any more" in err
                             for n in ("top.rss", "space.atom", "space.json"))  # fmt: skip
    for n in ("top.rss", "space.atom", "space.json"):  # each named once, with why
        assert [ln for ln in err.splitlines() if ln.startswith(f"{feeds / n}:")] == [
            f"{feeds / n}: no feed of the config makes it any more"
        ]
    code, err = run("build", "-c", str(cfg), "--now", NOW, "-v", *full)
    assert code == 0, err
    assert {
        ln.removeprefix(f"removed {feeds}/") for ln in err.splitlines() if ln.startswith("removed ")
    } == gone
    assert {p.name for p in feeds.iterdir()} == kept - gone
    assert run("build", "-c", str(cfg), "--now", NOW, "--check") == (0, "")


@pytest.mark.parametrize("how", ["deleted", "damaged", "--full", "feeds_url moved"])
def test_a_feed_taken_out_with_the_cache_lost_is_said_and_left(tmp_path: Path, how: str) -> None:
    """A cache that records no complete build (deleted, damaged and rebuilt; a CI clone
    that does not keep it) cannot tell a feed taken out of the config from another
    config's in the same folder: its files were left without a word, exit 0, build
    after build. Left still, but said, in one line, with what to do; another site's
    feed (another feeds_url) and another tool's are not named."""
    cfg, text, feeds = _sample_built(tmp_path)
    moved = (
        (feeds / "ai.rss").read_bytes().replace(b"https://news.example.com/", b"https://x.example/")
    )
    (feeds / "other-site.rss").write_bytes(moved)
    (feeds / "theirs.rss").write_text("<rss><channel><generator>other</generator>", "utf-8")
    cache = tmp_path / ".feedpub" / "cache.sqlite"
    if how == "deleted":
        shutil.rmtree(cache.parent)
    elif how == "damaged":
        cache.write_bytes(b"not a database" * 100)
    top = text.index("[feeds.top]")
    after = text.find("\n[", top)  # (the table after it, if any)
    cut = text[:top] + (text[after + 1 :] if after >= 0 else "")
    if how == "feeds_url moved":  # (in the same edit: its files name the old one)
        shutil.rmtree(cache.parent)
        cut = cut.replace('feeds_url = "https://news.example.com/feeds/"',
                          'feeds_url = "https://cdn.example.org/f/"')  # fmt: skip
        assert "cdn.example.org" in cut
    cfg.write_text(cut, encoding="utf-8")
    full = ["--full"] if how == "--full" else []
    if how == "--full":
        shutil.rmtree(cache.parent)
    code, err = run("build", "-c", str(cfg), "--now", NOW, *full)
    said = [ln for ln in err.splitlines() if "that no feed of this config makes" in ln]
    assert code == 0 and len(said) == 1, err
    # (the feed's own file first, its archive pages, if any, after)
    assert said[0].startswith(f"{cfg}:") and f": {feeds / 'top.rss'}" in said[0]
    assert "other-site.rss" not in said[0] and "theirs.rss" not in said[0]
    assert "a feed taken out of config.toml? remove them" in said[0]
    assert (feeds / "top.rss").exists()
    # the next build's cache records a complete build: not said again
    assert "that no feed of this config makes" not in run("build", "-c", str(cfg), "--now", NOW)[1]


SAMPLE_NOW = "2026-11-01T00:00:00Z"  # (the sample's articles all published by then)


def test_a_feed_renamed_as_the_feeds_url_moves_is_removed(tmp_path: Path) -> None:
    """A feed renamed (``climate`` to ``climate-energy``) in the build that moves
    ``site.feeds_url`` to a subpath: the old feed's files named the old URL, and stayed
    published for ever, ``--check`` content (exit 0)."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    cfg = tmp_path / "config.toml"
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    cfg.write_text(text, encoding="utf-8")
    assert run("build", "-c", str(cfg), "--now", SAMPLE_NOW) == (0, "")
    feeds = tmp_path / "feeds"
    assert {"climate.rss", "climate.atom"} <= {p.name for p in feeds.iterdir()}
    moved = text.replace('feeds_url = "https://news.example.com/feeds/"',
                         'feeds_url = "https://example.com/blog/feeds/"')  # fmt: skip
    moved = moved.replace("[feeds.climate]", "[feeds.climate-energy]")
    assert moved.count("example.com/blog/feeds/") == 1 and "[feeds.climate-energy]" in moved
    cfg.write_text(moved, encoding="utf-8")
    code, err = run("build", "-c", str(cfg), "--now", SAMPLE_NOW, "--check")
    assert code == 3 and f"{feeds / 'climate.rss'}: no feed of the config makes it any more" in err
    code, err = run("build", "-c", str(cfg), "--now", SAMPLE_NOW, "-v")
    assert code == 0, err
    assert f"removed {feeds / 'climate.rss'}" in err.splitlines()
    names = {p.name for p in feeds.iterdir()}
    assert not names & {"climate.rss", "climate.atom"}
    assert {"climate-energy.rss", "climate-energy.atom"} <= names
    assert run("build", "-c", str(cfg), "--now", SAMPLE_NOW, "--check") == (0, "")


def test_two_configs_writing_to_one_folder_remove_none_of_each_others_feeds(
    tmp_path: Path,
) -> None:
    """Each removes only the files its own builds wrote (its cache records them): the
    files of the other config's feeds stay (though the folder's feeds.opml and
    index.html are the last build's)."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    sections = (ROOT / "config.toml").read_text(encoding="utf-8").split("\n[feeds.")
    site = sections[0].replace('output = "feeds"', 'output = "../out"')
    feeds = {s.split("]", 1)[0]: "[feeds." + s for s in sections[1:]}
    for name, slug in (("a", "azure"), ("b", "climate")):
        (tmp_path / name).mkdir()
        text = site.replace('"content/', '"../content/') + "\n" + feeds[slug]
        (tmp_path / name / "config.toml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    for name in ("a", "b", "a", "b"):
        code, err = run("build", "-c", str(tmp_path / name / "config.toml"), "--now", NOW)
        assert code == 0, err
    names = {p.name for p in out.iterdir()}
    assert {"azure.rss", "azure.atom", "climate.rss", "climate.atom"} <= names


def test_archive_pages_are_published_before_the_documents_that_link_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sample's "all" feed has archive pages: every page is renamed into place
    before any other file, so that a crash between two renames never leaves a
    document linking a page that is not there."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    renamed: list[str] = []
    real_replace = os.replace

    def replace(src: str, dst: str) -> None:
        renamed.append(os.path.basename(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    sample_now = datetime.fromisoformat("2026-11-01T00:00:00+00:00")  # as feeds/ is built
    result = build(load_config(tmp_path / "config.toml"), sample_now)
    assert not result.failed
    pages = [n for n in renamed if "-archive-" in n]
    assert pages and renamed[: len(pages)] == pages
    assert sorted(renamed) == sorted(o.name for o in result.outcomes if o.status == "written")


def test_a_killed_builds_staging_folder_is_removed_by_the_next_build(
    cfg: Path, seeds_dir: Path, tmp_path: Path
) -> None:
    """What a build killed mid-way left in the output folder (its staging folder, with
    a temp file) is gone after the next build; a symlink that happens to bear the name
    is not followed (what it points to is untouched)."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    folder = cfg.parent / "feeds"
    before = outputs(cfg)
    stale = folder / f"{STAGING}k2j4h1"
    stale.mkdir()
    (stale / ".azure.rss.x8f2.tmp").write_bytes(b"half a feed")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_bytes(b"not ours")
    (folder / f"{STAGING}link").symlink_to(elsewhere, target_is_directory=True)
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    assert not stale.exists()
    assert (elsewhere / "keep.txt").read_bytes() == b"not ours"
    assert outputs(cfg) == before
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == [f"{STAGING}link"]


def test_a_stage_that_moved_its_files_between_folders_publishes_them_all(cfg: Path) -> None:
    """Temp files made in several staging folders (making them was slow: see
    parallel.NewFiles) are all published, and every staging folder is removed."""
    from feedpub import parallel

    config = load_config(cfg)
    config.output.mkdir(exist_ok=True)
    ticks = iter(range(10**6))
    stage = Stage(clock=lambda: next(ticks) * parallel.SLOW_FILE * 2)  # every file slow
    n = parallel.SLOW_WINDOW * (parallel.MOVES + 2)
    for i in range(n):
        outcome, _ = deliver(config, f"f{i}.rss", (b"%d" % i, [], []), False, stage)
        assert outcome.status == "written"
    staging = {os.path.dirname(tmp) for _, tmp in stage.staged}
    assert len(staging) == parallel.MOVES + 1
    assert stage.commit() == {}
    assert sorted(p.name for p in config.output.iterdir()) == sorted(f"f{i}.rss" for i in range(n))
    assert all((config.output / f"f{i}.rss").read_bytes() == b"%d" % i for i in range(n))
    assert not any(os.path.exists(folder) for folder in staging)


def _made_elsewhere(config: Config, new: parallel.NewFiles, names: list[str]) -> list[Made]:
    """What a process that renders makes of its documents: each name's bytes, in a temp file."""
    return [make(config, n, (n.encode(), [], []), False, new) for n in names]


@pytest.mark.parametrize("publish", [True, False])
def test_temp_files_made_by_other_processes_are_published_or_removed_by_the_stage(
    cfg: Path, publish: bool
) -> None:
    """The processes that render write their documents' temp files themselves, with
    forked copies of the stage's NewFiles. Where making files is slow they move, among
    the folders the stage made for them before they were forked (NewFiles.reserve): so
    this process syncs and publishes them all, in its own order, or removes every one."""
    config = load_config(cfg)
    config.output.mkdir(exist_ok=True)
    ticks = iter(range(10**6))
    stage = Stage(clock=lambda: next(ticks) * parallel.SLOW_FILE * 2)  # every file slow
    new = stage.files(config.output, reserve=True)
    names = [f"f{i}.rss" for i in range(parallel.SLOW_WINDOW * (parallel.MOVES + 2))]
    ex = parallel.Workers(2, least=1, chunk=parallel.SLOW_WINDOW * 2)
    made = list(ex.map(partial(_made_elsewhere, config, new), names, parallel.RENDERING))
    assert [m.status for m in made] == ["written"] * len(names)
    staging = {os.path.dirname(m.tmp) for m in made if m.tmp}
    assert len(staging) > 1  # they moved
    assert staging <= {str(f) for f in new.every_folder()}  # among the folders made before
    if publish:
        for n, m in zip(names, made, strict=True):
            outcome, stat = stage.adopt(config.output / n, m)
            assert outcome.status == "written" and stat is not None
        assert stage.commit() == {}
        assert sorted(p.name for p in config.output.iterdir()) == sorted(names)
        assert all((config.output / n).read_bytes() == n.encode() for n in names)
    else:  # a build stopped before it took them all: none is published, none is left
        stage.adopt(config.output / names[0], made[0])
        stage.discard()
        assert list(config.output.iterdir()) == []


def test_a_copy_of_new_files_sent_to_another_process_keeps_its_folders(tmp_path: Path) -> None:
    """A NewFiles sent to a process that is not forked (pickled) makes its files in the
    folders made before, and watches none it makes itself (its files are fsynced)."""
    watched: list[Path] = []
    new = parallel.NewFiles(tmp_path, STAGING, watched.append)
    new.reserve()
    assert len(watched) == parallel.MOVES + 1 == len(new.every_folder())
    copy = pickle.loads(pickle.dumps(new))
    assert copy.every_folder() == new.every_folder()
    fd, path = copy.make("a.rss")
    os.close(fd)
    assert os.path.dirname(path) == str(new.every_folder()[0])
    assert len(watched) == parallel.MOVES + 1  # the copy told this process of nothing


def _zone_file(key: str) -> bytes:
    """The rules of time zone ``key`` as zoneinfo finds them (its TZPATH, or tzdata's)."""
    import zoneinfo
    from importlib.resources import files

    for folder in zoneinfo.TZPATH:
        if os.path.isfile(path := os.path.join(folder, key)):
            return Path(path).read_bytes()
    return files("tzdata.zoneinfo").joinpath(*key.split("/")).read_bytes()


def test_a_time_zone_database_update_reaches_the_dates_of_a_warm_build(
    tmp_path: Path, write_config: Callable[..., Path]
) -> None:
    """A date without an offset is taken in site.timezone; when the zone's rules change
    under the site (a tzdata upgrade after a country drops summer time), the cached
    summaries kept the old instants: a plain build kept the old dates for good while
    --check said they differ. The zone's rules are part of what the cache was made with."""
    import zoneinfo

    from feedpub import incremental

    zones = tmp_path / "zones"
    (zones / "Test").mkdir(parents=True)
    rules = zones / "Test" / "Zone"
    rules.write_bytes(_zone_file("Europe/Berlin"))

    def new_process() -> None:  # (what a cron run starts with: no zone read yet)
        zoneinfo.ZoneInfo.clear_cache()
        incremental.zone_rules.cache_clear()

    zoneinfo.reset_tzpath(to=[str(zones)])  # (the default again after)
    try:
        new_process()
        content = tmp_path / "content"
        content.mkdir()
        (content / "a.txt").write_bytes(
            b'---\ntitle: "Naive"\npublishedDateTime: 2024-07-10 12:00:00\n'
            b'webUrl: "https://example.com/a"\npublished: true\ntopics: [Azure]\n---\n'
        )
        cfg = write_config(["content/*.txt"], AZURE_AI_FEEDS, 'timezone = "Test/Zone"\n')
        now = "2024-08-01T00:00:00Z"
        feed = tmp_path / "feeds" / "azure.rss"
        assert run_cli("build", "-c", str(cfg), "--now", now)[0] == 0
        assert b"<pubDate>Wed, 10 Jul 2024 10:00:00 +0000</pubDate>" in feed.read_bytes()

        rules.write_bytes(_zone_file("Asia/Tokyo"))
        new_process()
        assert run_cli("build", "-c", str(cfg), "--now", now)[0] == 0
        assert b"<pubDate>Wed, 10 Jul 2024 03:00:00 +0000</pubDate>" in feed.read_bytes()
        assert run_cli("build", "-c", str(cfg), "--now", now, "--check")[0] == 0
    finally:
        zoneinfo.reset_tzpath()
        new_process()


def test_check_names_what_a_killed_build_or_an_older_feedpub_left(cfg: Path) -> None:
    """``build --check && deploy`` shipped a killed build's staging folder and an older
    feedpub's cache files: --check said nothing (exit 0). It names each (exit 3); a
    build removes them, another tool's dotfile stays."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    feeds = cfg.parent / "feeds"
    (feeds / f"{STAGING}k2j4h1").mkdir()
    (feeds / ".feedpub-cache.sqlite-journal").write_bytes(b"https://news.example.org/")
    (feeds / ".azure.rss.x8f2.tmp").write_bytes(b"half a feed")
    (feeds / ".notes.tmp").write_bytes(b"not ours")
    (feeds / ".dir.rss.k2j4h1.tmp").mkdir()  # (a folder: no temp file of ours; it stays)
    code, err = run("build", "-c", str(cfg), "--now", NOW, "--check")
    assert code == 3
    named = sorted(line.split(": ")[0].rsplit("/", 1)[1] for line in err.splitlines())
    assert named == [".azure.rss.x8f2.tmp", ".feedpub-cache.sqlite-journal", f"{STAGING}k2j4h1"]
    assert "left by a killed build or an older feedpub: a build removes it" in err
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    assert run("build", "-c", str(cfg), "--now", NOW, "--check") == (0, "")
    assert (feeds / ".notes.tmp").read_bytes() == b"not ours"
    assert (feeds / ".dir.rss.k2j4h1.tmp").is_dir()


def test_check_waits_for_a_build_that_runs(cfg: Path) -> None:
    """``build --check`` took no lock: run while a build ran (a monitoring cron job, CI
    beside a deploy), it named that build's staging folders as "left by a killed build"
    and its files, half renamed, as stale (exit 3). It waits for the build, as a build
    does (exit 75 after --lock-timeout), and another check does not hold it up."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    feeds, lock = cfg.parent / "feeds", load_config(cfg).lock
    staging = feeds / f"{STAGING}k2j4h1"  # (the running build's)
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        staging.mkdir()
        code, err = run("build", "-c", str(cfg), "--now", NOW, "--check", "--lock-timeout", "0")
        assert (code, err) == (75, f"feedpub: another build holds {lock} (waited 0 s; see "
                                   "site.lock_timeout)\n")  # fmt: skip
        staging.rmdir()  # (the build done)
        fcntl.flock(fd, fcntl.LOCK_SH)  # another check
        code, err = run("build", "-c", str(cfg), "--now", NOW, "--check", "--lock-timeout", "0")
        assert (code, err) == (0, "")
        # a build waits for a check, and says so (it said "another build holds")
        code, err = run("build", "-c", str(cfg), "--now", NOW, "--lock-timeout", "0")
        assert (code, err) == (75, f"feedpub: a build --check holds {lock} (waited 0 s; see "
                                   "site.lock_timeout)\n")  # fmt: skip
    finally:
        os.close(fd)


def test_a_file_swapped_for_a_symlink_is_not_made_readable_through_it(
    cfg: Path, tmp_path: Path
) -> None:
    """A feed file 0600 with the right bytes is made readable by all; one replaced by a
    symlink once read (another user who may write in the output folder) had what the
    link leads to made so: under a build run by root, /etc/shadow. Never through it."""
    from feedpub import output

    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    feed = cfg.parent / "feeds" / "azure.rss"
    feed.chmod(0o600)
    assert output.readable_by_all(feed) is not None and feed.stat().st_mode & 0o044 == 0o044
    secret = tmp_path / "secret"
    secret.write_bytes(b"root:$6$...\n")
    secret.chmod(0o600)
    feed.unlink()  # (read as a file with the right bytes: a link now)
    feed.symlink_to(secret)
    with pytest.raises(OSError) as e:
        output.readable_by_all(feed)
    assert e.value.errno == errno.ELOOP and oct(secret.stat().st_mode & 0o7777) == "0o600"


def test_a_feed_file_of_another_user_made_0600_is_written_again(
    cfg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feed file with the right bytes, its size and mtime as recorded, but 0600 and
    another user's (root's, a ``sudo tar x`` of a backup under ``umask 077``), which the
    build's user may not chmod: it was left so, the web server's 403 for ever, without a
    word. It is written again, the build's own, readable by all."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    feed = cfg.parent / "feeds" / "azure.rss"
    before = feed.read_bytes()
    real_fchmod = os.fchmod
    # the files refused, by inode and mtime: a file the build makes later may be given
    # the number of one removed since (ext4 hands freed inodes out again), never its mtime
    refused: dict[int, int] = {}

    def fchmod(fd: int, mode: int) -> None:  # (as the system answers for another's file)
        st = os.fstat(fd)
        if refused.get(st.st_ino) == st.st_mtime_ns:
            raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))
        real_fchmod(fd, mode)

    def theirs() -> None:
        feed.chmod(0o600)
        if os.geteuid() == 0:
            os.chown(feed, 65534, 65534)
        else:  # (no other user's file to be made: the build taken for another user's)
            monkeypatch.setattr(os, "geteuid", lambda: feed.stat().st_uid + 1)
        refused[feed.stat().st_ino] = feed.stat().st_mtime_ns

    monkeypatch.setattr(os, "fchmod", fchmod)
    theirs()
    for _ in range(2):  # (the no-change shortcut, then a full build)
        assert run("build", "-c", str(cfg), "--now", NOW, "--jobs", "1") == (0, "")
        assert (feed.stat().st_mode & 0o777, feed.read_bytes()) == (0o644, before)
    monkeypatch.undo()
    monkeypatch.setattr(os, "fchmod", fchmod)
    feed.unlink()
    feed.write_bytes(before)
    theirs()
    assert run("build", "-c", str(cfg), "--now", NOW, "--jobs", "1", "--full") == (0, "")
    assert (feed.stat().st_mode & 0o777, feed.read_bytes()) == (0o644, before)
    # the build user's own file on a disk that has no modes (FAT: chmod is refused too)
    # is left as it is, not written at every build
    monkeypatch.undo()
    monkeypatch.setattr(os, "fchmod", fchmod)
    feed.chmod(0o600)
    mtime = feed.stat().st_mtime_ns
    refused[feed.stat().st_ino] = mtime
    assert run("build", "-c", str(cfg), "--now", NOW, "--jobs", "1", "--full") == (0, "")
    assert (feed.stat().st_mode & 0o777, feed.stat().st_mtime_ns) == (0o600, mtime)


def test_check_does_not_hang_on_a_lock_that_is_a_fifo(cfg: Path) -> None:
    """A FIFO at the lock's path (a build takes it: its open reads and writes): the
    check's open, for reading only, waited for a writer that never came, and the CI job
    hung until it was killed. It takes the lock as a build does, without waiting."""
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    lock = load_config(cfg).lock
    lock.unlink()
    os.mkfifo(lock)
    unblocked: list[bool] = []

    def writer() -> None:  # (the hung open freed, the test goes on: said below)
        try:
            os.close(os.open(lock, os.O_WRONLY | os.O_NONBLOCK))
            unblocked.append(True)
        except OSError:  # (ENXIO: no reader waits, the check is done)
            pass

    timer = threading.Timer(10, writer)
    timer.start()
    try:
        code, err = run("build", "-c", str(cfg), "--now", NOW, "--check", "--lock-timeout", "0")
    finally:
        timer.cancel()
        timer.join()
    assert (code, err, unblocked) == (0, "", [])


def test_a_copy_that_becomes_an_article_or_stops_being_one_is_seen_by_the_next_build(
    write_config, seeds_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    """Whether ``a.txt~`` is a copy depends on ``a.txt`` beside it: when that is renamed
    the copy is an article, and when it comes back the copy is none. Each plain build
    sees it as ``--full`` does (``--check`` agrees), though the copy itself never changed."""
    cfg = write_config(["content/*"], AZURE_AI_FEEDS)
    article = seeds_dir / "002_882cc4a5fc2a4bd2.txt"
    data = article.read_bytes()
    copy = seeds_dir / (article.name + "~")
    copy.write_bytes(data.replace(b"/news/", b"/copy/"))
    os.utime(copy, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    assert b"/copy/" not in outputs(cfg)["azure.rss"]
    moved = seeds_dir / "renamed.txt"
    article.rename(moved)  # the original renamed: the copy is an article now
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    assert b"/copy/" in outputs(cfg)["azure.rss"]
    assert run("build", "-c", str(cfg), "--now", NOW, "--check")[0] == 0
    moved.rename(article)  # back: a copy again
    assert run("build", "-c", str(cfg), "--now", NOW)[0] == 0
    assert b"/copy/" not in outputs(cfg)["azure.rss"]
    assert run("build", "-c", str(cfg), "--now", NOW, "--check")[0] == 0
    code, err = run("build", "-c", str(cfg), "--now", NOW, "-v")  # named by every build
    assert code == 0 and f"skipped content/{copy.name}: an editor's backup" in err, err


def test_editor_and_mergetool_files_beside_an_article_are_never_published(
    write_config, seeds_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    """With a glob that takes every name (``content/*``), the files an editor or git's
    mergetool makes beside an article hold its URL; Emacs' autosave, its name sorting
    first, stood in for the article with edits never saved. They are named with ``-v``
    and left out; the article is published as saved."""
    cfg = write_config(["content/*"], AZURE_AI_FEEDS)
    name = "002_882cc4a5fc2a4bd2"
    data = (seeds_dir / f"{name}.txt").read_bytes()
    unsaved = data.replace(b'title: "', b'title: "Unsaved: ', 1)
    debris = [f"#{name}.txt#", f"{name}.txt~", f"{name}_BACKUP_4242.txt", f"{name}_BASE_4242.txt",
              f"{name}_LOCAL_4242.txt", f"{name}_REMOTE_4242.txt", f"{name}.txt.orig",
              f"{name}.txt.~1~", f"{name}.txt.~12~", f"{name}.txt.bak"]  # fmt: skip
    for debris_name in debris:
        (seeds_dir / debris_name).write_bytes(unsaved)
    # a numbered backup from before the article's webUrl was fixed: the story twice
    (seeds_dir / f"{name}.txt.~2~").write_bytes(unsaved.replace(b"/news/", b"/typo/"))
    debris.append(f"{name}.txt.~2~")
    # named like copies, but of no file beside them (or of no mergetool: one copy of
    # the four, a year for its number, beside the article): articles
    (seeds_dir / "rates.txt").write_bytes(data.replace(b"/news/", b"/rates/"))
    alone_names = ["fy_BASE_2024.txt", "#tag#", "notes~", "rates_BASE_2024.txt", "old.txt.bak"]
    for i, alone in enumerate(alone_names):
        (seeds_dir / alone).write_bytes(data.replace(b"/news/", f"/alone{i}/".encode()))
    code, err = run("build", "-c", str(cfg), "--now", NOW, "-v")
    assert code == 0, err
    feeds = outputs(cfg)
    assert all(f"/alone{i}/".encode() in feeds["azure.rss"] for i in range(len(alone_names)))
    assert b"Unsaved: " not in feeds["azure.rss"] + feeds["azure.atom"]
    assert b"/typo/" not in feeds["azure.rss"]
    assert b"Microsoft builds massive supercomputer" in feeds["azure.rss"]
    assert "hidden by" not in err
    for debris_name in debris:
        kind = (
            "an editor's backup"
            if debris_name[0] == "#" or debris_name.endswith(("~", ".bak"))
            else "mergetool"
        )
        assert any(f"content/{debris_name}: " in line and kind in line for line in err.splitlines())


def test_a_file_a_download_or_a_sync_tool_is_still_writing_is_not_an_article(
    write_config, seeds_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    """Resilio Sync writes ``a.md.!sync`` and a browser ``a.md.part`` (``.crdownload``,
    ``.partial``) and renames it once whole: read half written under a glob that takes
    every name, it was an article "not closed", exit 1, until the tool was done. Named
    with ``-v`` and left out, whether the article is there yet or not."""
    cfg = write_config(["content/*"], AZURE_AI_FEEDS)
    data = (seeds_dir / "002_882cc4a5fc2a4bd2.txt").read_bytes()
    writing = ["002_882cc4a5fc2a4bd2.txt.!sync", "new.txt.part", "new.txt.crdownload",
               "new.txt.partial"]  # fmt: skip
    for name in writing:
        (seeds_dir / name).write_bytes(data[: len(data) // 3])
    code, err = run("build", "-c", str(cfg), "--now", NOW, "-v")
    assert code == 0, err
    for name in writing:
        assert f"content/{name}: a file a download or a sync tool is still writing" in err, err
    assert b"Microsoft builds massive supercomputer" in outputs(cfg)["azure.rss"]


def test_the_files_a_jetbrains_ide_makes_as_it_saves_are_not_articles(
    write_config, seeds_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    """IntelliJ, PyCharm and WebStorm save ``a.md`` by writing ``a.md___jb_tmp___``, then
    renaming ``a.md`` to ``a.md___jb_old___`` and the new file to ``a.md``. A build that
    lists the folder in between, under a glob that takes every name, rejected the one
    half written (exit 1) and published the other, the article as it was before the
    save (here: an old URL, the story twice). Both are named with ``-v`` and left out."""
    cfg = write_config(["content/*"], AZURE_AI_FEEDS)
    name = "002_882cc4a5fc2a4bd2.txt"
    data = (seeds_dir / name).read_bytes()
    (seeds_dir / f"{name}___jb_old___").write_bytes(data.replace(b"/news/", b"/typo/"))
    (seeds_dir / f"{name}___jb_tmp___").write_bytes(data[: len(data) // 3])
    code, err = run("build", "-c", str(cfg), "--now", NOW, "-v")
    assert code == 0, err
    for debris in (f"{name}___jb_old___", f"{name}___jb_tmp___"):
        assert f"content/{debris}: a file an editor makes as it saves" in err, err
    feeds = outputs(cfg)
    assert b"/typo/" not in feeds["azure.rss"] and b"/news/" in feeds["azure.rss"]


def test_a_content_glob_whose_folder_is_not_there_is_said_once_a_config(
    write_config: Callable[..., Path], seeds_dir: Path
) -> None:
    """content = ["content/*.txt", "contnet/*.txt"]: the second glob's folder misspelt
    found nothing, and the build said nothing: its articles were in no feed (a glob of
    a folder that is there and matches nothing, a _drafts/ emptied, is said nothing)."""
    (seeds_dir.parent / "drafts").mkdir()
    cfg = write_config(["content/*.txt", "contnet/*.txt", "drafts/*.txt"], AZURE_AI_FEEDS)
    said = (f"{cfg}:8: site.content: 'contnet/*.txt' matches no file: its folder contnet is "
            "not there (misspelt?); the articles it was to find are in no feed\n")  # fmt: skip
    assert run_cli("build", "-c", str(cfg), "--now", NOW)[::2] == (0, said)
    assert run_cli("build", "-c", str(cfg), "--now", NOW)[::2] == (0, "")  # said once
    assert run_cli("build", "-c", str(cfg), "--now", NOW, "--full")[::2] == (0, said)
    cfg.write_text(cfg.read_text("utf-8").replace("contnet", "content/sub"), "utf-8")
    assert run_cli("build", "-c", str(cfg), "--now", NOW)[::2] == (0, said.replace(
        "'contnet/*.txt'", "'content/sub/*.txt'").replace("contnet", "content/sub"))  # fmt: skip
    (seeds_dir / "sub").mkdir()  # (there now: a config of the same globs says nothing)
    assert run_cli("build", "-c", str(cfg), "--now", NOW, "--full")[::2] == (0, "")


def test_a_content_glob_whose_folder_is_not_there_is_not_said_again_by_feed_builds(
    write_config: Callable[..., Path], seeds_dir: Path
) -> None:
    """A --feed build between complete ones (a feed rebuilt more often than the site):
    each build, --feed or not, said the missing folder again, as if the config were new
    (the feeds asked for are no part of the config)."""
    cfg = write_config(["content/*.txt", "contnet/*.txt"], AZURE_AI_FEEDS)
    said = (f"{cfg}:8: site.content: 'contnet/*.txt' matches no file: its folder contnet is "
            "not there (misspelt?); the articles it was to find are in no feed\n")  # fmt: skip
    assert run_cli("build", "-c", str(cfg), "--now", NOW)[::2] == (0, said)
    for extra in (["--feed", "azure"], [], ["--feed", "azure"], ["--feed", "ai"], []):
        assert run_cli("build", "-c", str(cfg), "--now", NOW, *extra)[::2] == (0, ""), extra


def test_a_content_glob_whose_folder_is_not_there_is_said_by_check_as_by_the_build(
    write_config: Callable[..., Path], seeds_dir: Path
) -> None:
    """``build --check`` said the missing folder at every run (a cron job's, every few
    minutes: a mail each time, its feeds up to date): it says it as the build it checks
    would, when no build of this config is recorded (a fresh clone's CI), not after one."""
    cfg = write_config(["content/*.txt", "contnet/*.txt"], AZURE_AI_FEEDS)
    said = (f"{cfg}:8: site.content: 'contnet/*.txt' matches no file: its folder contnet is "
            "not there (misspelt?); the articles it was to find are in no feed")  # fmt: skip

    def check() -> tuple[int, list[str]]:
        code, _, err = run_cli("build", "-c", str(cfg), "--now", NOW, "--check")
        return code, [line for line in err.splitlines() if "site.content" in line]

    assert check() == check() == (3, [said])  # (no build recorded: every feed missing)
    assert run_cli("build", "-c", str(cfg), "--now", NOW)[::2] == (0, said + "\n")
    assert check() == check() == (0, [])
    cfg.write_text(cfg.read_text("utf-8").replace("contnet", "content/sub"), "utf-8")
    assert check() == (0, [said.replace("'contnet/*.txt'", "'content/sub/*.txt'")
                           .replace("contnet", "content/sub")])  # fmt: skip


def test_a_content_glob_whose_folder_is_a_file_or_absolute_is_said_as_it_is(
    write_config: Callable[..., Path], seeds_dir: Path, tmp_path: Path
) -> None:
    """An absolute glob's folder was shown relative to the config's folder (its folder
    ../../gone, for '/srv/gone/*.md'), and a file where the folder should be, or a link
    to nothing, was 'not there (misspelt?)', though ls shows it there."""
    (tmp_path / "notes.txt").write_text("x", "utf-8")
    (tmp_path / "linked").symlink_to(tmp_path / "nowhere")
    gone = tmp_path.parent / f"{tmp_path.name}-gone"
    cfg = write_config(["content/*.txt", f"{gone}/*.txt", "notes.txt/*.txt", "linked/*.txt"],
                       AZURE_AI_FEEDS)  # fmt: skip
    err = run_cli("build", "-c", str(cfg), "--now", NOW)[2]
    assert err.splitlines() == [
        f"{cfg}:8: site.content: '{gone}/*.txt' matches no file: its folder {gone} is not "
        "there (misspelt?); the articles it was to find are in no feed",
        f"{cfg}:8: site.content: 'notes.txt/*.txt' matches no file: notes.txt is a file, not "
        "a folder; the articles it was to find are in no feed",
        f"{cfg}:8: site.content: 'linked/*.txt' matches no file: its folder linked is a link "
        "to nothing; the articles it was to find are in no feed",
    ]
