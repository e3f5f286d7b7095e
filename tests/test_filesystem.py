"""Any file name, any file system oddity, never a crash.

Each case builds with the real command line beside a good article and checks: no
traceback, the documented exit code, the good article still published, and the odd
file either read (a strange but valid name is fine) or named on exactly one stderr
line, escaped (:func:`feedpub.errors.shown_path`: ``\\xe9`` for a byte that is not
UTF-8, ``\\n`` for a newline), so that no name can split a line or forge one.

Names are generated (hypothesis: any bytes but ``/`` and NUL, up to 255 of them) with
the states a file can be in: regular (an article, or a rejected one), unreadable,
vanished or replaced by a folder between listing and reading, a symbolic link that
loops, one that leads nowhere. Tests run as root here and in CI, and root reads a
file whatever its mode: an unreadable file is then built by a ``feedpub`` process
running as uid 65534 (by ``setpriv``, else ``subprocess.run(user=...)``; skipped,
saying why, only when that user cannot run this Python), in a folder it owns; as any
other user, plain ``chmod`` does it. "Between listing and reading" is the build's
public ``observe`` hook, told when the files have been listed: the file is changed then.
"""

from __future__ import annotations

import contextlib
import fnmatch
import functools
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from feedpub import parallel
from feedpub.build import BuildResult, build
from feedpub.cli import cli
from feedpub.config import load_config
from feedpub.errors import ConfigError, shown_path
from feedpub.model import SourceFile
from feedpub.sources import read_source

from .conftest import OLD_MTIME_NS, ROOT, SEEDS, SITE

NOW = "2026-01-01T00:00:00Z"
GOOD = "002_882cc4a5fc2a4bd2.txt"
GOOD_URL = "https://www.cnet.com/news/microsoft-builds-massive-supercomputer-for-smarter-ai/"
ODD_URL = "https://odd.example.com/news/odd-name/"
ODD = (
    '---\ntitle: "An article with an odd file name"\nexcerpt: "Read all the same."\n'
    f'publishedDateTime: 2020-05-20T10:00:00Z\nwebUrl: "{ODD_URL}"\npublished: true\n'
    "topics: [Oddity]\n---\n"
).encode()
#: rejected at line 4: "impossible date"
BAD = (
    b'---\ntitle: "Broken"\nwebUrl: "https://odd.example.com/broken/"\n'
    b"publishedDateTime: 2020-02-30T10:00:00Z\npublished: true\n---\n"
)
BAD_LINE = ":4: YAML error: impossible date '2020-02-30T10:00:00Z' (day is out of range for month)"
FEEDS = """
[feeds.all]
title = "All"
topics = ["*"]

[feeds.azure]
title = "Azure"
topics = ["Azure"]

[feeds.odd]
title = "Oddity"
topics = ["Oddity"]
"""
NOBODY = 65534
LOOP = "a symbolic link that loops (Too many levels of symbolic links): point it at an article file or remove it"
DENIED = "cannot read: Permission denied; let the user who runs the build read it"


# ------------------------------------------------------------------ projects and builds


def _project(root: Path, content: str = "content/*", feeds: str = FEEDS) -> Path:
    """A config in ``root`` whose glob ``content`` finds ``content/good.txt``."""
    (root / "content").mkdir()
    good = root / "content" / "good.txt"
    good.write_bytes((SEEDS / GOOD).read_bytes())
    os.utime(good, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    cfg = root / "config.toml"
    cfg.write_text(SITE.format(content=f'["{content}"]') + feeds, encoding="utf-8")
    return cfg


def _odd(cfg: Path, name: bytes) -> str:
    """The path of a file ``name`` in the content folder (a str: the bytes that are not
    UTF-8 held as surrogates, as ``os`` takes them)."""
    return os.path.join(cfg.parent, "content", os.fsdecode(name))


def _feed(cfg: Path, slug: str = "all") -> str:
    return (cfg.parent / "feeds" / f"{slug}.rss").read_text(encoding="utf-8")


class Built:
    """What one ``feedpub build`` did: exit code and stderr, checked for what every
    build must hold: no traceback, valid UTF-8, every line printable."""

    def __init__(self, code: int, err: bytes) -> None:
        self.code = code
        self.err = err.decode("utf-8")  # strict: no raw byte of a name ever printed
        assert "Traceback" not in self.err, self.err
        assert all(line.isprintable() for line in self.err.splitlines()), self.err
        #: what it said of the files (the notice of a feed it wrote empty, the ``odd``
        #: feed's, whose article these tests make unreadable, aside: tests/test_notices.py)
        self.lines = [x for x in self.err.splitlines() if ": feeds.odd: written empty: " not in x]

    def about(self, shown: str) -> list[str]:
        """The lines that name ``shown`` (a path as messages show it)."""
        return [line for line in self.lines if shown in line]


def _build(cfg: Path, *args: str) -> Built:
    """``feedpub build`` in this process (CliRunner)."""
    result = CliRunner().invoke(
        cli, ["build", "-c", str(cfg), "--now", NOW, *args], catch_exceptions=False
    )
    return Built(result.exit_code, result.stderr_bytes or b"")


def _as_nobody(*command: str, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    """``command`` run as uid and gid 65534 with no other group: by setpriv (util-linux)
    where there is one, else by Python's own ``user=``."""
    if shutil.which("setpriv"):
        ids = [f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
        return subprocess.run(["setpriv", *ids, *command], capture_output=True, **kwargs)
    return subprocess.run(
        command, user=NOBODY, group=NOBODY, extra_groups=[], capture_output=True, **kwargs
    )


@functools.cache
def _why_nobody_cannot_run() -> str | None:
    """None when a process as uid 65534 can run this Python and import feedpub."""
    try:
        probe = _as_nobody(sys.executable, "-c", "import feedpub.cli", check=False)
    except OSError as e:
        return str(e)
    return None if probe.returncode == 0 else probe.stderr.decode(errors="replace")[-300:]


def _build_unprivileged(cfg: Path, *args: str) -> Built:
    """``feedpub build`` by a user that file modes apply to: as root (who reads any
    file), a process as uid 65534 that owns the project folder; as anyone else, this
    process."""
    if os.geteuid() != 0:
        return _build(cfg, *args)
    why = _why_nobody_cannot_run()
    if why is not None:
        pytest.fail(  # never a skip: the case would go untested without a word
            "as root, an unreadable file needs a build as another user, and uid 65534 "
            f"cannot run {sys.executable} with feedpub: {why}"
        )
    for folder, dirs, files in os.walk(cfg.parent):
        for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
            os.chown(name, NOBODY, NOBODY, follow_symlinks=False)
    proc = _as_nobody(
        sys.executable, "-m", "feedpub", "build", "-c", str(cfg), "--now", NOW, *args,
        cwd="/", timeout=120, check=False,
    )  # fmt: skip
    return Built(proc.returncode, proc.stderr)


@contextlib.contextmanager
def _project_dir() -> Iterator[Path]:
    """A fresh folder any user may enter (pytest's own are root's alone), removed after,
    whatever modes were set in it."""
    with tempfile.TemporaryDirectory(prefix="feedpub-fs-") as tmp:
        os.chmod(tmp, 0o755)
        try:
            yield Path(tmp)
        finally:
            for folder, dirs, _ in os.walk(tmp):
                for d in dirs:
                    with contextlib.suppress(OSError):
                        os.chmod(os.path.join(folder, d), 0o755, follow_symlinks=False)


def _built_after_listing(cfg: Path, change: Callable[[], None]) -> BuildResult:
    """A build (``feedpub build``'s function) that ``change``s the content once it has
    listed it."""

    def observe(stage: str, paths: list[str]) -> None:
        if stage == "listed":
            change()

    return build(load_config(cfg), datetime.fromisoformat(NOW), observe=observe)


# ------------------------------------------------------------------ how names are shown


def _unescape(shown: str) -> bytes:
    """The bytes of the name that :func:`shown_path` showed as ``shown``."""
    out, i = bytearray(), 0
    while i < len(shown):
        if shown[i] != "\\":
            out += shown[i].encode()
            i += 1
            continue
        kind = shown[i + 1]
        if kind in "\\ntr":
            out += {"\\": b"\\", "n": b"\n", "t": b"\t", "r": b"\r"}[kind]
            i += 2
        elif kind == "x":
            out.append(int(shown[i + 2 : i + 4], 16))
            i += 4
        else:
            width = {"u": 4, "U": 8}[kind]
            out += chr(int(shown[i + 2 : i + 2 + width], 16)).encode()
            i += 2 + width
    return bytes(out)


NAMES = st.one_of(
    st.binary(min_size=1, max_size=255),
    st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=100).map(
        lambda t: t.encode()[:255]
    ),
)


@settings(max_examples=500, deadline=None)
@given(NAMES)
@example(b"caf\xe9.md")
@example(b"a\nb")
@example("\\xe9 é \u00a0 \u202e \x85 \U0001f600 \U000e0001".encode())
def test_a_shown_name_is_one_printable_line_and_tells_which_name_it_is(raw: bytes) -> None:
    shown = shown_path(os.fsdecode(raw))
    assert shown.isprintable()  # no newline, no control character, no terminal escape
    assert _unescape(shown) == raw  # each name shown its own way
    if raw.isascii() and raw.decode().isprintable() and b"\\" not in raw:
        assert shown == raw.decode()  # a plain name is shown as it is


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (b"caf\xe9.md", "caf\\xe9.md"),
        ("café.md".encode(), "café.md"),
        (b"a\nb.txt:1: forged", "a\\nb.txt:1: forged"),
        (b"\x1b[2Jclear.txt", "\\x1b[2Jclear.txt"),
        ("\u202etxt.exe".encode(), "\\u202etxt.exe"),
        (b"back\\slash", "back\\\\slash"),
        ("nbsp\u00a0.txt".encode(), "nbsp\\u00a0.txt"),
    ],
)
def test_how_names_are_shown(raw: bytes, shown: str) -> None:
    assert shown_path(os.fsdecode(raw)) == shown


# ------------------------------------------------------------------ any name, any state

STATES = ["article", "rejected", "unreadable", "vanished", "folder", "loop", "dangling"]


def _file_name(raw: bytes) -> bytes:
    """``raw`` made a name a file can have in the content folder that ``content/*``
    matches: no ``/`` or NUL, and not hidden (see test_sources for those)."""
    name = raw.replace(b"/", b"_").replace(b"\0", b"_")
    return b"_" + name[1:] if name.startswith(b".") else name


BUILD_NAMES = NAMES.map(_file_name).filter(lambda b: b != b"good.txt")


def _check_state(cfg: Path, name: bytes, state: str) -> None:
    odd = _odd(cfg, name)
    shown = "content/" + shown_path(os.fsdecode(name))
    if state == "article":
        Path(odd).write_bytes(ODD)
        built = _build(cfg)
        assert (built.code, built.lines) == (0, [])
        assert ODD_URL in _feed(cfg) and ODD_URL in _feed(cfg, "odd")
        preview = CliRunner().invoke(
            cli, ["preview", "odd", "-c", str(cfg), "--now", NOW, "--format", "json"]
        )
        assert [i["source"] for i in json.loads(preview.stdout_bytes.decode())] == [shown]
    elif state == "rejected":
        Path(odd).write_bytes(BAD)
        built = _build(cfg)
        assert built.code == 1 and built.lines == [shown + BAD_LINE]
    elif state == "unreadable":
        Path(odd).write_bytes(ODD)
        os.chmod(odd, 0)
        built = _build_unprivileged(cfg)
        assert built.code == 1 and built.lines == [f"{shown}:1: {DENIED}"]
    elif state in ("vanished", "folder"):
        Path(odd).write_bytes(ODD)

        def change() -> None:
            os.unlink(odd)
            if state == "folder":
                os.mkdir(odd)

        result = _built_after_listing(cfg, change)
        assert not result.gathered.errors and not result.failed
        notes = [n for n in result.gathered.skipped if shown in n]
        assert notes == [f"{shown}: vanished while the build ran"] and notes[0].isprintable()
        assert ODD_URL not in _feed(cfg)
        built = _build(cfg, "-v")  # and the next build: the file gone, the folder no article
        assert built.code == 0 and built.about(shown) == []
    elif state == "loop":
        os.symlink(os.fsdecode(name), odd)
        built = _build(cfg)
        assert built.code == 1 and built.lines == [f"{shown}:1: {LOOP}"]
    else:
        os.symlink("nothing-here.txt", odd)
        built = _build(cfg)
        assert built.code == 1
        assert built.lines == [
            f"{shown}:1: a symbolic link to nothing-here.txt, which does not exist: "
            "point it at an article file or remove it"
        ]
    assert GOOD_URL in _feed(cfg)
    if state in ("article", "rejected", "loop", "dangling"):
        # again: with nothing changed (the last build's memo), then with the cache's rows
        assert _build(cfg).lines == built.lines
        os.utime(cfg.parent / "content" / "good.txt")
        again = _build(cfg)
        assert (again.code, again.lines) == (built.code, built.lines)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)  # each example is a build or three
@given(name=BUILD_NAMES, state=st.sampled_from(STATES))
@example(name=b"caf\xe9.txt", state="article")  # the issue: a Latin-1 name
@example(name=b"caf\xe9.txt", state="rejected")
@example(name=b"x.txt\ngood.txt:1: forged", state="rejected")
@example(name=b"\x1b[31m\xff" * 42 + b"\xe2\x80\xae", state="unreadable")  # 255 bytes
@example(name=b"gone\r\n", state="vanished")
@example(name="é".encode() * 127, state="folder")  # 254 bytes of valid UTF-8
@example(name=b"\xc3(loop", state="loop")
@example(name=b"\\dangling\t", state="dangling")
def test_any_name_in_any_state_never_crashes_the_build(name: bytes, state: str) -> None:
    with _project_dir() as root:
        _check_state(_project(root), name, state)


# ------------------------------------------------------------------ fixed cases


def test_the_issue_a_latin1_name_beside_the_sample_content(tmp_path: Path) -> None:
    """The report: ``café.md`` copied as Latin-1 from an old machine crashed the build of
    the bundled sample. (Its glob is ``content/news/*.txt``: a ``.md`` file is not an
    article there at all, so the copy is named ``.txt``.)"""
    cfg = tmp_path / "config.toml"
    cfg.write_bytes((ROOT / "config.toml").read_bytes())
    news = tmp_path / "content" / "news"
    news.mkdir(parents=True)
    for f in (ROOT / "content" / "news").iterdir():
        (news / f.name).write_bytes(f.read_bytes())
    cafe = os.path.join(news, os.fsdecode(b"caf\xe9.txt"))
    Path(cafe).write_bytes(ODD.replace(b"[Oddity]", b"[Azure]"))
    (news / os.fsdecode(b"caf\xe9.md")).write_bytes(b"not an article: not matched")
    built = _build(cfg, "--now", "2026-11-01T00:00:00Z")
    assert (built.code, built.lines) == (0, [])
    assert ODD_URL in (tmp_path / "feeds" / "azure.rss").read_text(encoding="utf-8")
    Path(cafe).write_bytes(BAD)
    built = _build(cfg, "--now", "2026-11-01T00:00:00Z")
    assert built.code == 1 and built.lines == ["content/news/caf\\xe9.txt" + BAD_LINE]


def test_a_newline_in_a_name_cannot_forge_a_line_in_any_command(tmp_path: Path) -> None:
    """A folder ``x.txt\ncontent`` holding ``good.txt:1: forged``: printed as it is, the
    rejection would be a line about x.txt, then one about good.txt."""
    cfg = _project(tmp_path, "content/**/*")
    os.mkdir(_odd(cfg, b"x.txt\ncontent"))
    Path(_odd(cfg, b"x.txt\ncontent/good.txt:1: forged")).write_bytes(BAD)
    expected = ["content/x.txt\\ncontent/good.txt:1: forged" + BAD_LINE]
    assert _build(cfg).lines == expected
    for command in (["list"], ["preview", "all", "--format", "json"]):
        result = CliRunner().invoke(cli, [*command, "-c", str(cfg), "--now", NOW])
        assert result.exit_code == 0 and result.stderr.splitlines() == expected


def test_an_article_hidden_by_another_names_both_escaped_on_one_line(tmp_path: Path) -> None:
    """``build -v`` says which file hides which (the same URL and date: the first by
    path is published): both names as every message shows them."""
    cfg = _project(tmp_path)
    for name in (b"a\nb.txt", b"caf\xe9.txt"):
        Path(_odd(cfg, name)).write_bytes(ODD)
    built = _build(cfg, "-v")
    assert built.code == 0
    assert [ln for ln in built.lines if "hidden by" in ln] == [
        "content/caf\\xe9.txt: hidden by content/a\\nb.txt (same URL "
        f"{ODD_URL}; same date: the first by path is published)"
    ]


def test_the_cache_keeps_a_name_that_is_not_utf8_as_its_bytes(tmp_path: Path) -> None:
    """Its row (and the headline stored in it) is found again: a later build takes the
    page's headline of the unchanged feed from the cache, not from the file."""
    no_all = "[feeds.azure]" + FEEDS.split("[feeds.azure]", 1)[1]  # no feed shows both
    cfg = _project(tmp_path, feeds=no_all)
    odd = _odd(cfg, b"caf\xe9.txt")
    Path(odd).write_bytes(ODD)
    os.utime(odd, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    assert _build(cfg).code == 0
    db = sqlite3.connect(load_config(cfg).cache)
    try:
        rows = db.execute(
            "SELECT path, headline IS NOT NULL FROM files WHERE typeof(path) = 'blob'"
        ).fetchall()
    finally:
        db.close()
    assert rows == [(b"content/caf\xe9.txt", 1)]
    # same size and mtime, another title: a cached headline shows the old one
    Path(odd).write_bytes(ODD.replace(b"odd file name", b"ODD FILE NAME"))
    os.utime(odd, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    good = tmp_path / "content" / "good.txt"
    good.write_bytes(good.read_bytes().replace(b"smarter AI", b"smarter A.I."))  # Azure is due
    built = _build(cfg, "-v")
    assert built.code == 0 and "from cache 1" in built.err
    page = (tmp_path / "feeds" / "index.html").read_text(encoding="utf-8")
    assert "An article with an odd file name" in page and "smarter A.I." in page


def test_an_article_made_unreadable_is_read_again_by_the_next_build() -> None:
    """Made unreadable with its size and mtime kept (chmod, an ACL, a sync tool's
    umask), an article keeps its summary in the cache; the next build that renders a
    feed showing it cannot read it then: those documents fail (exit 3, their old files
    kept), and the build after reads the file again, rejects it (exit 1) and writes
    the feed without it, as a ``--full`` build does. (It was failed by every build.)"""
    with _project_dir() as root:
        cfg = _project(root)
        odd = Path(_odd(cfg, b"odd.txt"))
        odd.write_bytes(ODD)
        os.utime(odd, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
        assert _build_unprivileged(cfg).code == 0 and ODD_URL in _feed(cfg)
        os.chmod(odd, 0)
        good = cfg.parent / "content" / "good.txt"
        good.write_bytes(good.read_bytes().replace(b'title: "', b'title: "Edited: ', 1))
        first = _build_unprivileged(cfg)
        assert first.code == 3 and f"content/odd.txt:1: {DENIED}" in first.err
        assert ODD_URL in _feed(cfg) and "Edited: " not in _feed(cfg)  # kept as it was
        second = _build_unprivileged(cfg)
        assert (second.code, second.lines) == (1, [f"content/odd.txt:1: {DENIED}"])
        assert ODD_URL not in _feed(cfg) and "Edited: " in _feed(cfg)
        assert _build_unprivileged(cfg).lines == second.lines


def test_an_article_made_readable_again_is_published_by_the_next_build() -> None:
    """The message says to let the build's user read the file; once that is done (its
    size and mtime kept: ``chmod`` changes neither), the next build reads it and
    publishes it, with or without other files changed. (The rejection stood, from the
    cache, until the file was edited or a ``--full`` build ran.)"""
    with _project_dir() as root:
        cfg = _project(root)
        odd = Path(_odd(cfg, b"odd.txt"))
        odd.write_bytes(ODD)
        os.utime(odd, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
        odd.chmod(0)
        for _ in range(2):  # (the second, with nothing changed, says it again)
            built = _build_unprivileged(cfg)
            assert (built.code, built.lines) == (1, [f"content/odd.txt:1: {DENIED}"])
        odd.chmod(0o644)
        built = _build_unprivileged(cfg)
        assert (built.code, built.lines) == (0, [])
        assert ODD_URL in _feed(cfg) and ODD_URL in _feed(cfg, "odd")
        # unreadable again, and made readable as another file is edited
        odd.chmod(0)
        os.utime(odd, ns=(OLD_MTIME_NS + 10**9, OLD_MTIME_NS + 10**9))
        assert _build_unprivileged(cfg).code == 1 and ODD_URL not in _feed(cfg)
        assert _build_unprivileged(cfg).code == 1
        odd.chmod(0o644)
        good = cfg.parent / "content" / "good.txt"
        good.write_bytes(good.read_bytes().replace(b'title: "', b'title: "Edited: ', 1))
        built = _build_unprivileged(cfg)
        assert (built.code, built.lines) == (0, [])
        assert ODD_URL in _feed(cfg) and "Edited: " in _feed(cfg)


def test_a_file_rejected_for_its_size_is_not_read_again_by_every_build(tmp_path: Path) -> None:
    """Only a file the system would not let be read is read again by every build (see
    above): one too big changes its size to be read again, and a build that finds
    nothing changed stops at one stat a file, its rejection said from the cache."""
    cfg = _project(tmp_path, feeds="max_file_size = 4096\n" + FEEDS)
    big = Path(_odd(cfg, b"big.txt"))
    big.write_bytes(ODD + b"x" * 5000)
    os.utime(big, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    first = _build(cfg, "-v")
    too_big = f"content/big.txt:1: file is {5000 + len(ODD)} bytes, over the limit of 4096"
    assert first.code == 1 and first.about("content/big.txt:1:")[0].startswith(too_big)
    second = _build(cfg, "-v")
    assert second.code == 1 and second.about("content/big.txt:1:") == first.about(
        "content/big.txt:1:"
    )
    assert "files 2: read 0, from cache 2, " in second.err


def test_an_article_made_unreadable_is_read_again_after_the_page_could_not_show_it() -> None:
    """The same for ``index.html``, which takes the headlines of the feeds it does not
    render again from the cache (here none has one: as an older cache), else from
    their files: the page fails once, then the file is read again and rejected."""
    with _project_dir() as root:
        cfg = _project(root, feeds="[feeds.azure]" + FEEDS.split("[feeds.azure]", 1)[1])
        odd = Path(_odd(cfg, b"odd.txt"))
        odd.write_bytes(ODD)
        os.utime(odd, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
        assert _build_unprivileged(cfg).code == 0
        os.chmod(odd, 0)
        with contextlib.closing(sqlite3.connect(cfg.parent / ".feedpub" / "cache.sqlite")) as db:
            db.execute("UPDATE files SET headline=NULL")
            db.commit()
        good = cfg.parent / "content" / "good.txt"
        good.write_bytes(good.read_bytes().replace(b'title: "', b'title: "Edited: ', 1))
        first = _build_unprivileged(cfg)  # (the odd feed is not rendered again)
        assert (first.code, first.about("index.html")) == (3, [
            f"{root}/feeds/index.html: an article the page shows could not be read",
            f"{root}/feeds/index.html: content/odd.txt:1: {DENIED}",
            f"{root}/feeds/index.html: not written; the previous file is kept"])  # fmt: skip
        second = _build_unprivileged(cfg)
        assert (second.code, second.lines) == (1, [f"content/odd.txt:1: {DENIED}"])


def test_a_folder_that_cannot_be_listed_is_named_and_the_rest_built() -> None:
    with _project_dir() as root:
        cfg = _project(root, "content/**/*.txt")
        private = root / "content" / "private"
        private.mkdir()
        (private / "inside.txt").write_bytes(ODD)
        private.chmod(0)
        built = _build_unprivileged(cfg)
        assert built.code == 1
        assert built.lines == [
            "content/private/: cannot list the folder (Permission denied), so its files are "
            "left out; let the user who runs the build read and enter it, or leave it out "
            "of site.content"
        ]
        assert GOOD_URL in _feed(cfg) and ODD_URL not in _feed(cfg)


def test_a_damaged_cache_the_build_cannot_write_is_rebuilt_in_its_folder() -> None:
    """A damaged cache file left by a build as another user (``sudo feedpub build``) in a
    folder the cron user may write in: rebuilt, as every damaged cache is; not named, for
    ever, as one that "cannot be written"."""
    with _project_dir() as root:
        cfg = _project(root)
        assert _build_unprivileged(cfg).code == 0
        cache = root / ".feedpub" / "cache.sqlite"
        for extra in cache.parent.glob("cache.sqlite-*"):
            extra.unlink()
        cache.write_bytes(cache.read_bytes()[:100] + b"\xee" * 50_000)
        cache.chmod(0o444)  # (the cron user may not write it)
        (root / "feeds" / "all.rss").unlink()  # (something to do)
        built = _build_unprivileged(cfg)
        assert (built.code, built.lines) == (0, [])
        assert cache.stat().st_mode & 0o200  # a new file, made by the build
        with contextlib.closing(sqlite3.connect(cache)) as db:
            assert db.execute("SELECT count(*) FROM files").fetchone() == (1,)


def test_an_output_folder_the_build_cannot_write_in_is_named_with_what_to_do() -> None:
    """The message named a staging folder that never was (``feeds/.feedpub-stage.x1y2:
    Permission denied``), with nothing to do about it."""
    with _project_dir() as root:
        cfg = _project(root)
        assert _build_unprivileged(cfg).code == 0
        before = {p.name: p.read_bytes() for p in (root / "feeds").iterdir()}
        cfg.write_text(cfg.read_text(encoding="utf-8").replace("Test site", "Renamed"))
        (root / "feeds").chmod(0o555)
        built = _build_unprivileged(cfg)
        assert built.code == 3
        assert built.lines == [
            f"feedpub: {root}/feeds: cannot make files in the output folder (Permission "
            "denied): a build writes each file there, then renames it; make the folder "
            "writable by the user that runs feedpub, or point site.output elsewhere"
        ]
        assert {p.name: p.read_bytes() for p in (root / "feeds").iterdir()} == before


def test_a_killed_builds_staging_folder_the_build_cannot_remove_is_said() -> None:
    """A build run as another user (``sudo feedpub build``) and killed left its staging
    folder, which the cron user cannot remove: each build left it, without a word, for a
    deploy to publish (and ``build --check`` said "a build removes it": it says now what
    a build says)."""
    with _project_dir() as root:
        cfg = _project(root)
        assert _build_unprivileged(cfg).code == 0
        left = root / "feeds" / ".feedpub-stage.k1ll3d"
        left.mkdir(mode=0o700)
        (left / ".all.rss.1.tmp").write_bytes(b"<rss/>")

        def run(*args: str) -> Built:
            if os.geteuid() == 0:  # (root's, in root's folder: the build runs as uid 65534)
                proc = _as_nobody(
                    sys.executable, "-m", "feedpub", "build", "-c", str(cfg), "--now", NOW,
                    *args, cwd="/", timeout=120, check=False,
                )  # fmt: skip
                return Built(proc.returncode, proc.stderr)
            left.chmod(0o500)  # (a folder its files cannot be taken out of)
            try:
                return _build(cfg, *args)
            finally:
                left.chmod(0o700)

        said = (
            f"{left}: left by a killed build, and it cannot be removed (Permission denied): "
            "remove it by hand (a deploy that does not leave it out publishes it)"
        )
        # (build --check said "a build removes it", which no build of this user does)
        checked = run("--check")
        assert (checked.code, checked.lines) == (3, [said])
        built = run()
        assert (built.code, built.lines) == (0, [f"feedpub: {said}"])
        assert run("--check").code == 3
        shutil.rmtree(left)
        assert _build_unprivileged(cfg).lines == []


def test_a_lock_the_cron_user_cannot_write_lets_the_build_go_on_without_the_cache() -> None:
    """A first build run by root (``sudo feedpub build``) left the cache and its lock
    root's, 0644: every build of the cron user after exited 3 and wrote nothing ("the
    cache and the build lock need a folder feedpub can write"), where a cache that cannot
    be used is done without. The lock is taken read-only (flock needs no more), and the
    build goes on without the cache, saying so."""
    with _project_dir() as root:
        cfg = _project(root)
        assert _build(cfg).code == 0  # (root's: .feedpub/ and its files)
        state = root / ".feedpub"
        (root / "content" / "good.txt").write_bytes(
            (root / "content" / "good.txt").read_bytes().replace(b'title: "', b'title: "New: ', 1)
        )
        if os.geteuid() == 0:
            for folder, _, files in os.walk(root):
                if Path(folder) != state:
                    for name in [folder, *(os.path.join(folder, n) for n in files)]:
                        os.chown(name, NOBODY, NOBODY, follow_symlinks=False)
        else:
            state.chmod(0o555)
            for f in state.iterdir():
                f.chmod(0o444)
        for _ in range(2):  # (and again: nothing of it was kept)
            built = Built(*_nobody_build(cfg)) if os.geteuid() == 0 else _build(cfg)
            assert (built.code, built.lines) == (0, [
                f"feedpub: {state}/cache.sqlite: the cache could not be used or written, it "
                "cannot be written: let the user that runs feedpub write it and its folder, "
                "or point site.cache elsewhere; the feeds are written, and what the cache "
                "could not keep is read again by the next build"
            ])  # fmt: skip
            assert "New: " in _feed(cfg)


def _nobody_build(cfg: Path) -> tuple[int, bytes]:
    """``feedpub build`` as uid 65534, leaving the owners of the files as they are."""
    assert _why_nobody_cannot_run() is None, _why_nobody_cannot_run()
    proc = _as_nobody(
        sys.executable, "-m", "feedpub", "build", "-c", str(cfg), "--now", NOW,
        cwd="/", timeout=120, check=False,
    )  # fmt: skip
    return proc.returncode, proc.stderr


def test_a_path_longer_than_the_system_allows_is_named_and_the_rest_built(
    tmp_path: Path,
) -> None:
    """Folders nested past PATH_MAX (4096 bytes): made, and looked at, one level at a
    time; the build names the first one it cannot list."""
    cfg = _project(tmp_path, "content/**/*.txt")
    fd = os.open(tmp_path / "content", os.O_RDONLY)
    names = [f"{i:02d}" + "x" * 253 for i in range(20)]  # 255 bytes each
    try:
        for name in names:
            os.mkdir(name, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = inner
        out = os.open("deep.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(out, ODD)
        os.close(out)
    finally:
        os.close(fd)
    built = _build(cfg)
    assert built.code == 1 and len(built.lines) == 1
    where, reason = built.lines[0].split("/: ", 1)
    assert where.startswith("content/00xxx") and len(str(tmp_path) + where) >= 4000
    assert reason.startswith("cannot list the folder (File name too long), so its files")
    assert GOOD_URL in _feed(cfg)


@pytest.mark.parametrize("glob_", ["content/*.txt", "content/**/*.txt"])
def test_a_name_that_ends_in_white_space_is_named_not_left_out_unsaid(
    tmp_path: Path, glob_: str
) -> None:
    """``a.txt `` (a name typed or pasted with a space after it), which ``*.txt`` does not
    match: the article was never published, and no build said a word."""
    cfg = _project(tmp_path, glob_)
    odd = Path(_odd(cfg, b"odd.txt "))
    odd.write_bytes(ODD)
    Path(_odd(cfg, b"tab.txt\t")).write_bytes(ODD)
    Path(_odd(cfg, b"other.md ")).write_bytes(ODD)  # (not one the glob is near to)
    built = _build(cfg)
    rename = "so it is not read: rename it {} to publish it, or move it out of the content folder"
    assert (built.code, built.lines) == (1, [
        "content/odd.txt :1: its name ends in white space, which the content glob '*.txt' "
        f"does not match, {rename.format(repr('odd.txt'))}",
        "content/tab.txt\\t:1: its name ends in white space, which the content glob '*.txt' "
        f"does not match, {rename.format(repr('tab.txt'))}",
    ])  # fmt: skip
    assert GOOD_URL in _feed(cfg) and ODD_URL not in _feed(cfg)
    os.remove(_odd(cfg, b"tab.txt\t"))
    odd.rename(_odd(cfg, b"odd.txt"))
    built = _build(cfg)
    assert (built.code, built.lines) == (0, []) and ODD_URL in _feed(cfg)


def test_a_glob_that_names_a_folder_with_brackets_in_its_name_says_to_escape_them(
    tmp_path: Path,
) -> None:
    """``content = ["content/news[1]/*.txt"]`` for a folder named ``news[1]``: to a glob,
    ``[1]`` is a class of one character (``news1``), and the build said only that the
    content matches no file, or nothing at all beside a glob that matches some."""
    cfg = _project(tmp_path, "content/news[1]/*.txt")
    folder = tmp_path / "content" / "news[1]"
    folder.mkdir()
    (tmp_path / "content" / "good.txt").rename(folder / "good.txt")
    hint = (
        "'content/news[1]/*.txt' reads the [ ] in it as glob characters, and "
        "content/news[1] is a folder so named: write 'content/news[[]1]/*.txt' to take its "
        "name literally (as Python's glob.escape writes it)"
    )
    built = _build(cfg)
    assert (built.code, built.lines) == (3, [
        f"feedpub: refused: the content (content/news[1]/*.txt) matches no file: {hint}; "
        "check site.content (its globs are relative to the config file's folder), or pass "
        "--allow-empty to publish empty feeds."
    ])  # fmt: skip
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "odd.txt").write_bytes(ODD)
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text.replace('"content/news[1]/*.txt"', '"content/news[1]/*.txt", "other/*"'))
    built = _build(cfg)
    assert built.code == 0
    assert built.about("site.content") == [  # (azure's notice aside: written empty)
        f"{cfg}:8: site.content: {hint}; the articles it was to find are in no feed"
    ]
    cfg.write_text(text.replace('"content/news[1]/*.txt"', '"content/news[[]1]/*.txt"'))
    assert (_build(cfg).lines, GOOD_URL in _feed(cfg)) == ([], True)


@pytest.mark.parametrize("glob", ["content/news[12]/*.txt", "content/[nm]ews*/*.txt"])
def test_a_glob_that_finds_files_or_names_no_folder_literally_is_not_told(
    tmp_path: Path, glob: str
) -> None:
    """No word of a glob that matches files (``news1``), though a folder is named as it
    is written (``news[12]``), nor of one whose name no folder has."""
    cfg = _project(tmp_path, glob)
    (tmp_path / "content" / "news1").mkdir()
    (tmp_path / "content" / "news[12]").mkdir()
    (tmp_path / "content" / "good.txt").rename(tmp_path / "content" / "news1" / "good.txt")
    built = _build(cfg, "--full")
    assert (built.code, built.lines, GOOD_URL in _feed(cfg)) == (0, [], True)


def test_an_article_file_replaced_by_a_folder_is_named_at_every_build(tmp_path: Path) -> None:
    """``a.md`` turned into a folder ``a.md/`` (a sync tool's mishap): its article left the
    feeds without a word, ``build -v`` included. A folder where a glob looks for files by
    their ending (``*.txt``) is named now, as a rejected file is, at every build."""
    cfg = _project(tmp_path, "content/*.txt")
    (tmp_path / "content" / "odd.txt").write_bytes(ODD)  # (the feeds are not emptied)
    assert _build(cfg).code == 0 and GOOD_URL in _feed(cfg)
    good = tmp_path / "content" / "good.txt"
    article = good.read_bytes()
    good.unlink()
    good.mkdir()
    (good / "x.txt").write_bytes(article)
    for _ in range(2):
        built = _build(cfg)
        assert (built.code, built.about("content/good.txt")) == (1, [
            "content/good.txt:1: a folder, where 'content/*.txt' looks for article files (an "
            "article's file replaced by a folder, a sync tool's mishap?): no article is read "
            "from it; put the article's file back in its place, or rename the folder, or "
            "leave it out with site.exclude"
        ])  # fmt: skip
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text.replace("content = [", 'exclude = ["content/good.txt"]\ncontent = ['))
    assert _build(cfg).lines == []
    cfg.write_text(text)
    shutil.rmtree(good)
    good.write_bytes(article)
    assert (_build(cfg).lines, GOOD_URL in _feed(cfg)) == ([], True)


@pytest.mark.parametrize("glob", ["content/*", "content/**/*.txt"])
def test_an_article_file_a_folder_now_where_folders_are_no_mistake_is_said_once(
    tmp_path: Path, glob: str
) -> None:
    """Where a glob matches folders too (``content/*``, beside an ``images/`` folder; a
    ``**`` tree, whose folders it searches, ``notes.txt/`` too), a folder is no mistake and
    nothing is said of one; but an article file the last build read that is a folder now
    is said, by the build that finds it so."""
    cfg = _project(tmp_path, glob)
    (tmp_path / "content" / "odd.txt").write_bytes(ODD)  # (the feeds are not emptied)
    (tmp_path / "content" / "images").mkdir()
    assert (_build(cfg).lines, GOOD_URL in _feed(cfg)) == ([], True)
    good = tmp_path / "content" / "good.txt"
    good.unlink()
    good.mkdir()
    built = _build(cfg)
    assert (built.code, built.about("content/good.txt")) == (0, [
        "content/good.txt:1: an article file the last build read is a folder now (a sync "
        "tool's mishap?): its article is in no feed; put the article's file back in its "
        "place, or remove the folder"
    ])  # fmt: skip
    assert _build(cfg).lines == []


@pytest.mark.parametrize("glob", ["content/**/*", "content/**", "content/*.*", "content/**/*.txt"])
def test_folders_a_glob_matches_among_articles_are_no_mistake(tmp_path: Path, glob: str) -> None:
    cfg = _project(tmp_path, glob)
    for folder in ("images", "2024/05", "v1.2", "notes.txt"):
        (tmp_path / "content" / folder).mkdir(parents=True)
    built = _build(cfg)
    assert (built.code, built.lines, GOOD_URL in _feed(cfg)) == (0, [], True)
    said = _build(cfg, "-v", "--full").lines
    assert "files 1: read 1, from cache 0, skipped 0; rejected 0," in said[0], said
    assert not [
        line for line in said if any(f in line for f in ("images", "2024", "v1.2", "notes"))
    ]


def test_a_link_out_of_the_content_folder_is_skipped_and_named_safely(tmp_path: Path) -> None:
    cfg = _project(tmp_path)
    (tmp_path / "secret.txt").write_bytes(ODD)
    os.symlink(tmp_path / "secret.txt", _odd(cfg, b"out\n\xff.txt"))
    built = _build(cfg, "-v")
    assert built.code == 0
    assert [line.split(", not followed")[0] for line in built.about("out\\n")] == [
        f"skipped content/out\\n\\xff.txt: leads outside the content folder {tmp_path}/content"
    ]
    assert ODD_URL not in _feed(cfg)


def test_a_fifo_among_the_articles_is_said_skipped_and_never_opened(tmp_path: Path) -> None:
    """A named pipe that a glob matches was left out without a word, even with -v; a
    folder it matches stays unsaid (a glob of every name finds folders too)."""
    cfg = _project(tmp_path)
    os.mkfifo(_odd(cfg, b"pipe\x1b.txt"))  # (opened to be read, it would wait forever)
    os.mkdir(_odd(cfg, b"sub.txt"))
    built = _build(cfg, "-v")
    assert built.code == 0
    assert built.about("pipe") == [
        "skipped content/pipe\\x1b.txt: not a regular file (a named pipe, FIFO); not an article"
    ]
    assert built.about("sub.txt") == []
    assert GOOD_URL in _feed(cfg)


def test_the_config_and_the_cache_are_never_articles(tmp_path: Path) -> None:
    """A glob as wide as ``content = ["*"]`` matches the site's own config.toml, and a
    cache put beside it (``cache = "cache.sqlite"``, with SQLite's files and the lock):
    each was read as an article and rejected at every build ("no front matter", "binary
    file"), exit 1. Skipped now, and said so with -v; the articles beside them read."""
    cfg = _project(tmp_path)
    shutil.move(tmp_path / "content" / "good.txt", tmp_path / "good.txt")
    # (two globs that list one folder: each skipped file said once)
    text = cfg.read_text(encoding="utf-8").replace('["content/*"]', '["*", "./*"]')
    cfg.write_text(text.replace("[site]\n", '[site]\ncache = "cache.sqlite"\n'), encoding="utf-8")
    built = _build(cfg, "-v")
    assert built.code == 0, built.err
    assert built.about("config.toml") == ["skipped config.toml: the site's config, not an article"]
    said = built.about("cache.sqlite")
    assert "skipped cache.sqlite: feedpub's cache, not an article" in said
    assert "skipped cache.sqlite.lock: feedpub's cache, not an article" in said
    assert all(ln.endswith(": feedpub's cache, not an article") for ln in said), said
    assert not [ln for ln in built.lines if "rejected" in ln and "rejected 0" not in ln]
    assert GOOD_URL in _feed(cfg)
    assert _build(cfg).code == 0  # (a warm build: the same listing, nothing rejected)


def test_forked_listing_and_workers_carry_odd_names(tmp_path: Path) -> None:
    """With many files the listing is shared with a forked process (names sent with
    marshal) and files are read by worker processes (pickle): odd names survive both."""
    cfg = _project(tmp_path)
    for i in range(6):
        Path(_odd(cfg, b"caf\xe9\n%d.txt" % i)).write_bytes(
            ODD.replace(b"odd-name/", b"odd-name/%d/" % i)
        )
    Path(_odd(cfg, b"bad\xff.txt")).write_bytes(BAD)
    os.symlink(os.fsdecode(b"loop\xff"), _odd(cfg, b"loop\xff"))
    workers = parallel.Workers(2, least=4, chunk=2)
    result = build(load_config(cfg), datetime.fromisoformat(NOW), executor=workers)
    assert [str(e) for e in result.gathered.errors] == [
        "content/bad\\xff.txt" + BAD_LINE,
        f"content/loop\\xff:1: {LOOP}",
    ]
    feed = _feed(cfg, "odd")
    assert all(f"{ODD_URL}{i}/" in feed for i in range(6))


@pytest.mark.parametrize("listed_size", [0, 100])
def test_a_file_that_became_a_folder_is_gone_and_leaks_no_descriptor(
    tmp_path: Path, listed_size: int
) -> None:
    fds = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    src = SourceFile("x.txt", str(tmp_path), listed_size, 0)
    for _ in range(3):
        assert read_source(src, 1 << 20) is None
    if fds is not None:
        assert len(os.listdir("/proc/self/fd")) == fds


def test_validate_names_each_file_escaped_on_one_line(tmp_path: Path) -> None:
    odd = os.path.join(tmp_path, os.fsdecode(b"feed\n\xe9.rss"))
    Path(odd).write_bytes(b'<rss version="2.0"><channel></channel></rss>')
    result = CliRunner().invoke(cli, ["validate", odd, "--now", NOW])
    assert result.exit_code == 1
    lines = result.stdout_bytes.decode().splitlines()
    assert lines and all(line.startswith(f"{tmp_path}/feed\\n\\xe9.rss:1: ") for line in lines)


# ------------------------------------------------------------------ sync conflicts

CONFLICT = (
    "a copy a sync tool made of an article edited in two places: merge what it holds "
    "into the article, then delete it (it is not published)"
)


@pytest.mark.parametrize(
    "name",
    [
        "good (Bob's conflicted copy 2024-05-01).txt",  # Dropbox
        "good (Bob's conflicted copy 2024-05-01 (1)).txt",
        "good (Case Conflict).txt",
        "good (conflicted copy 2024-05-01 101500).txt",  # Nextcloud, ownCloud
        "good_conflict-20240501-101500.txt",  # their clients before 2.5
        "good_conflict_bob-20240501-101500.txt",
        "good (case clash from 2024-05-01 101500).txt",  # Nextcloud
        "good (SFConflict bob@example.com 2024-05-01-10-15-00).txt",  # Seafile
        "good.Conflict.txt",  # Resilio Sync
        "good.Conflict2.txt",
        "good.sync-conflict-20240501-101500-ABCDEF7.txt",  # Syncthing
        "good-DESKTOP-ABC1234.txt",  # OneDrive: the computer's name, as Windows makes it
        "good-LAPTOP-AB12CD34.txt",
        "good-WIN-AB12CD34EF5.txt",
        "good-DESKTOP-ABC1234-2.txt",
    ],
)
def test_a_sync_conflict_copy_never_stands_in_for_its_article(tmp_path: Path, name: str) -> None:
    """It has the article's URL and date, and its name sorts first: it took the
    article's place in every feed, silently (a tie goes to the first path). It is
    reported instead, at every build until a person merges it, and never published."""
    cfg = _project(tmp_path)
    good = tmp_path / "content" / "good.txt"
    copy = tmp_path / "content" / name
    copy.write_bytes(good.read_bytes().replace(b'title: "', b'title: "The other edit: ', 1))
    for _ in range(2):  # and the same from the cache
        built = _build(cfg)
        assert built.code == 1
        assert built.lines == [f"content/{name}:1: {CONFLICT}"]
        assert "The other edit" not in _feed(cfg) and GOOD_URL in _feed(cfg)
    copy.unlink()
    assert _build(cfg).code == 0


@pytest.mark.parametrize(
    "name",
    [
        "conflict.txt",
        "Conflicts of interest (2024).txt",
        "sync-conflict.txt",
        "iran.conflict.txt",
        "Iran.Conflict.txt",  # (Resilio Sync's name, but no Iran.txt beside it)
        "Iran.Conflict2.txt",
        "border_conflict-2024.txt",
        "good-2024.txt",  # (beside good.txt: no computer's name)
        "good-draft.txt",
        "news-AI.txt",  # (OneDrive's name, but no news.txt beside it)
        "good-DESKTOP-ABC1234.md",  # (beside good.txt, not good.md)
    ],
)
def test_an_article_that_only_mentions_a_conflict_in_its_name_is_an_article(
    tmp_path: Path, name: str
) -> None:
    cfg = _project(tmp_path)
    (tmp_path / "content" / name).write_bytes(ODD)
    built = _build(cfg)
    assert (built.code, built.lines) == (0, [])
    assert ODD_URL in _feed(cfg)


@pytest.mark.parametrize(
    "name",
    [
        "good-AI.txt",
        "good-COVID-19.txt",
        "good-Q3-2024.txt",
        "good-UK.txt",
        "good-LAPTOP-REVIEWS.txt",
    ],
)
def test_an_article_named_as_another_with_capitals_after_is_an_article(
    tmp_path: Path, name: str
) -> None:
    """report-Q3-2024.md beside report.md, news-COVID-19.md beside news.md, a Jekyll
    post 2024-05-01-my-post-AI.md beside 2024-05-01-my-post.md: each was taken for
    OneDrive's copy (a computer's name, any capitals), never published, and the build
    said to delete it (exit 1). A computer's name is looked for as Windows makes one
    (DESKTOP-ABC1234); OneDrive's copy from a computer named otherwise has the
    article's URL: the hidden-article notice names it."""
    cfg = _project(tmp_path)
    (tmp_path / "content" / name).write_bytes(ODD)
    built = _build(cfg)
    assert (built.code, built.lines) == (0, [])
    assert ODD_URL in _feed(cfg) and GOOD_URL in _feed(cfg)


def test_site_exclude_leaves_out_what_the_content_globs_match_that_is_no_article(
    tmp_path: Path,
) -> None:
    """A README, a drafts folder, a template beside the articles under a glob as wide as
    ``content/**/*``: each was rejected at every build ("no front matter"), exit 1, or
    published. ``site.exclude`` names them (a file, a folder and what is below it, a
    glob with ``**``, a bracket in a name); each is skipped and said so with -v; an
    incremental build after the list changes writes what ``--full`` writes."""
    cfg = _project(tmp_path, content="content/**/*")
    content = tmp_path / "content"
    (content / "README.md").write_text("# Articles\n\nOne file a story.\n", encoding="utf-8")
    (content / "drafts").mkdir()
    (content / "drafts" / "draft.txt").write_bytes(ODD)
    (content / "2024").mkdir()
    (content / "2024" / "_template [1].txt").write_bytes(BAD)
    text = cfg.read_text(encoding="utf-8")
    exclude = 'exclude = ["content/README.md", "content/drafts", "**/_template [[]1].txt"]\n'
    cfg.write_text(text.replace("[site]\n", "[site]\n" + exclude), encoding="utf-8")
    built = _build(cfg, "-v")
    assert built.code == 0, built.err
    assert [ln for ln in built.lines if ln.startswith("skipped")] == [
        "skipped content/2024/_template [1].txt: excluded by site.exclude",
        "skipped content/README.md: excluded by site.exclude",
        "skipped content/drafts/draft.txt: excluded by site.exclude",
    ]
    assert GOOD_URL in _feed(cfg) and ODD_URL not in _feed(cfg)
    assert _build(cfg).code == 0  # (a warm build: nothing said)

    # the drafts folder taken off the list: its story is published, by an incremental
    # build as by a full one
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(' "content/drafts",', ""),
                   encoding="utf-8")  # fmt: skip
    assert _build(cfg).code == 0
    assert ODD_URL in _feed(cfg)
    incremental = {p.name: p.read_bytes() for p in (tmp_path / "feeds").iterdir()}
    assert _build(cfg, "--full").code == 0
    assert {p.name: p.read_bytes() for p in (tmp_path / "feeds").iterdir()} == incremental


def test_a_site_exclude_glob_that_leaves_out_no_file_is_told(tmp_path: Path) -> None:
    """exclude = ["content/READNE.md"], a name misspelt: nothing was said, and the
    README was rejected ('no front matter: ... leave it out with site.exclude', which
    it was). Now the build that first reads the config (and every --full one) names
    the glob, as a content glob whose folder is missing is named (not one of the
    output's files, which a first build has yet to write)."""
    cfg = _project(tmp_path)
    (tmp_path / "content" / "README.md").write_text("# Articles\n", encoding="utf-8")
    text = cfg.read_text(encoding="utf-8")
    exclude = 'exclude = ["content/READNE.md", "content/READ*", "feeds"]\n'
    cfg.write_text(text.replace("[site]\n", "[site]\n" + exclude), encoding="utf-8")
    idle = (
        "site.exclude: 'content/READNE.md' leaves out no file: none the content globs "
        "match is named so (misspelt?)"
    )
    built = _build(cfg)
    assert built.code == 0, built.err
    assert [ln.split(": ", 1)[1] for ln in built.lines] == [idle]
    assert _build(cfg).lines == []  # (said once a config)
    assert [ln.split(": ", 1)[1] for ln in _build(cfg, "--full").lines] == [idle]


def test_site_exclude_leaves_out_what_the_listing_cannot_use(tmp_path: Path) -> None:
    """A link that leads nowhere (to a mount that comes and goes), one that loops, a
    sync tool's copy, a name ending in a space, that site.exclude names: each was
    rejected at every build all the same (exit 1), and its glob said to leave out no
    file ("misspelt?"). Left out now, as any file it names."""
    cfg = _project(tmp_path, "content/*.txt")
    content = tmp_path / "content"
    (content / "gone.txt").symlink_to("/mnt/archive/gone.txt")
    (content / "loop.txt").symlink_to("loop.txt")
    (content / "good (Bob's conflicted copy 2024-05-01).txt").write_bytes(ODD)
    (content / "spaced.txt ").write_bytes(ODD)
    text = cfg.read_text(encoding="utf-8")
    exclude = 'exclude = ["content/gone.txt", "content/loop.txt", "content/*copy*", "content/* "]\n'
    cfg.write_text(text.replace("[site]\n", "[site]\n" + exclude), encoding="utf-8")
    built = _build(cfg, "-v")
    assert built.code == 0, built.err
    assert sorted(ln for ln in built.lines if "excluded" in ln) == [
        "skipped content/gone.txt: excluded by site.exclude",
        "skipped content/good (Bob's conflicted copy 2024-05-01).txt: excluded by site.exclude",
        "skipped content/loop.txt: excluded by site.exclude",
        "skipped content/spaced.txt : excluded by site.exclude",
    ]
    assert not [ln for ln in built.lines if "site.exclude:" in ln or ":1: " in ln], built.err
    assert GOOD_URL in _feed(cfg) and ODD_URL not in _feed(cfg)


def test_site_exclude_globs_are_checked_as_the_content_globs_are(write_config) -> None:  # type: ignore[no-untyped-def]
    for value, said in (
        ('"{a,b}/*.md"', "a {…,…} list is not expanded here"),
        ('["~/drafts"]', "a ~ is not the home folder here"),
        ('[""]', "must be a list of glob patterns"),
        ("3", "must be a glob or a list of globs"),
    ):
        cfg = write_config(["content/*.txt"], '[feeds.a]\ntitle = "A"\ntopics = ["x"]\n',
                           extra=f"exclude = {value}\n")  # fmt: skip
        with pytest.raises(ConfigError, match=r"site\.exclude") as e:
            load_config(cfg)
        assert said in str(e.value), str(e.value)


@given(
    st.text(alphabet="ab[]!-*?^\\.", max_size=8),
    st.text(alphabet="ab[]!-^\\.", max_size=6),
)
@example("[!]a]", "b")
@example("[]a]", "]")
@example("[a-b]", "-")
@example("[[]", "[")
@example("a[", "a[")
@example("[b-a]", "a")  # (re.error: bad character range, a traceback at every build)
@example("[a--]", "-")  # (re's FutureWarning, on stderr at every build)
@example("[a&&b]", "&")
@example("[~~]", "~")
def test_an_exclude_glob_reads_a_name_as_fnmatch_does(pattern: str, name: str) -> None:
    """``site.exclude`` compiles its globs to one regular expression (a file of a
    hundred thousand is looked at once): a name part of it matches what fnmatch, which
    the content globs use, matches."""
    from feedpub.sources import _name_pattern

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        shown = re.compile(_name_pattern(pattern))
    assert bool(shown.fullmatch(name)) == fnmatch.fnmatchcase(name, pattern)


def test_an_exclude_glob_looks_for_what_follows_a_star_once() -> None:
    """``_posts/*-*-*-*-*-draft-*.md`` took 0.1 ms a Jekyll name (12 s over 100,000
    files) and seconds a long one: each way to share its hyphens among the stars was
    tried. As fnmatch does, what follows a star that is not the last is looked for once
    (an atomic group: no way back into it), and the name is read once a star."""
    from feedpub.sources import _name_pattern

    pattern = _name_pattern("*-*-*-*-*-draft-*.md")
    assert pattern.count("(?>") == 5, pattern
    name = "2024-05-01-" + "-".join(["word"] * 30)
    assert not re.fullmatch(pattern, name + ".md")
    assert re.fullmatch(pattern, name + "-draft-1.md")


def test_an_exclude_class_matches_no_folder_separator(tmp_path: Path) -> None:
    """``news[!x]a.txt`` (a class in a name) left out content/news/a.txt: a negated
    class matched the /, as no glob's name part does."""
    from feedpub.sources import exclusion

    left_out = exclusion(tmp_path, ["content/news[!x]a.txt", "content/news[!x]*"])
    assert left_out is not None
    assert not left_out(str(tmp_path / "content" / "news" / "a.txt"))
    assert left_out(str(tmp_path / "content" / "news-a.txt"))
