"""Nothing but published files in the output folder: the cache and the build lock live
in ``.feedpub/`` beside config.toml (or beside ``site.cache``), an older feedpub's cache
and lock are removed from the output folder, and no command leaves there a byte of an
article that is not published."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedpub import build as build_module
from feedpub.config import load_config
from feedpub.serve import Watcher

from .conftest import OLD_MTIME_NS, interruptible, run_cli

NOW = "2024-06-01T00:00:00Z"
LATER = "2031-01-01T00:00:00Z"
FEEDS = """
[feeds.azure]
title = "Azure"
topics = ["Azure"]
formats = ["rss", "atom", "json"]

[feeds.all]
title = "Everything"
topics = ["*"]
formats = ["rss", "atom", "json"]
archive = true
max_items = 2
archive_size = 2
"""

#: Article file name -> (token, published flag as written, date). Every field of an
#: article (title, excerpt, URL, provider, topics, images, related, body, secured)
#: holds its token, and so does its file name: a token found anywhere under the output
#: folder is a leak of that article.
PUBLIC = {
    "a_Pubone.txt": ("Pubone", "true", "2024-01-01T10:00:00Z"),
    "b_Pubtwo.txt": ("Pubtwo", "true", "2024-02-01T10:00:00Z"),
    "c_Pubthree.txt": ("Pubthree", "true", "2024-03-01T10:00:00Z"),
}
HIDDEN = {
    "d_Unpubfalse.txt": ("Unpubfalse", "false", "2024-01-15T10:00:00Z"),
    "e_Unpubstring.txt": ("Unpubstring", '"true"', "2024-01-16T10:00:00Z"),
    "f_Unpubmissing.txt": ("Unpubmissing", None, "2024-01-17T10:00:00Z"),
    "g_Embargoed.txt": ("Embargoed", "true", "2030-12-31T10:00:00Z"),  # after NOW
}
BROKEN = "h_Rejectedfile.txt"  # a YAML error: its path and reason are in the cache
FILES = len(PUBLIC) + len(HIDDEN) + 1


def article(token: str, published: str | None, date: str) -> str:
    flag = f"published: {published}\n" if published is not None else ""
    return (
        "---\n"
        f'title: "Title {token} headline"\n'
        f'excerpt: "Excerpt {token}excerpt words"\n'
        f"publishedDateTime: {date}\n"
        f'webUrl: "https://news.example.org/{token.lower()}-story/"\n'
        "type: article\n"
        "quality: 80\n"
        f"{flag}"
        f'provider: {{name: "Prov{token}", domain: "{token.lower()}.example.net"}}\n'
        f'topics: [Azure, "Topic{token}"]\n'
        f'images: [{{url: "https://img.example.org/{token.lower()}.jpg", width: 8, height: 8}}]\n'
        f'related: [{{title: "Related{token}", webUrl: "https://rel.example.org/{token}/",'
        f" publishedDateTime: {date}}}]\n"
        f'secured: "Secret{token}"\n'
        "---\n"
        f"Body {token}body.\n"
    )


@pytest.fixture
def site(tmp_path: Path, write_config: Callable[..., Path]) -> Path:
    """A config with published, unpublished, future-dated and rejected articles."""
    content = tmp_path / "content"
    content.mkdir()
    for name, (token, published, date) in {**PUBLIC, **HIDDEN}.items():
        (content / name).write_text(article(token, published, date), encoding="utf-8")
    (content / BROKEN).write_text("---\ntitle: [Rejectedfile\n---\n", encoding="utf-8")
    for f in content.iterdir():  # settled: the cache may trust size and mtime
        os.utime(f, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    return write_config(["content/*.txt"], FEEDS)


def build(cfg: Path, *args: str) -> tuple[int, str]:
    code, _, err = run_cli("build", "-c", str(cfg), "--now", NOW, *args)
    return code, err


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, dotfiles and subfolders included, by relative path."""
    out: dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            path = Path(dirpath, name)
            out[str(path.relative_to(folder))] = b"" if path.is_symlink() else path.read_bytes()
    return out


def leaks(folder: Path, site_root: Path) -> list[str]:
    """Where under ``folder`` (file names or bytes, case-insensitively) any trace of a
    hidden article is found: its token, its file name, its path."""
    needles = {token for token, _, _ in HIDDEN.values()} | {"Rejectedfile"}
    for name in [*HIDDEN, BROKEN]:
        needles |= {name, f"content/{name}", str(site_root / "content" / name)}
    found = []
    for rel, data in tree(folder).items():
        haystack = rel.encode().lower() + b"\0" + data.lower()
        found += [
            f"{needle!r} in {rel}" for needle in needles if needle.lower().encode() in haystack
        ]
    return found


def published_files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if not p.name.startswith(".")}


def test_no_byte_of_an_unpublished_or_future_article_in_the_output_folder(site: Path) -> None:
    root, feeds = site.parent, site.parent / "feeds"
    assert build(site)[0] == 1  # the rejected file
    assert build(site, "-v")[0] == 1  # the no-change path
    assert build(site, "--full")[0] == 1
    assert build(site, "--feed", "azure")[0] == 1
    assert build(site, "--check")[0] == 1
    for args in (["list"], ["preview", "azure"], ["preview", "all", "--format", "jsonfeed"]):
        assert run_cli(*args, "-c", str(site), "--now", NOW)[0] == 0
    watcher = Watcher(site, lambda: datetime(2024, 6, 1, tzinfo=UTC), lambda *a: None, print)
    assert watcher.rebuild() is True  # what serve --watch does

    files = tree(feeds)
    assert files and not [name for name in files if name.startswith(".") or "/" in name]
    assert leaks(feeds, root) == []
    # the published articles are there: the search would see a leak
    blob = b"".join(files.values())
    for token, _, _ in PUBLIC.values():
        assert f"Title {token} headline".encode() in blob
        assert f"https://news.example.org/{token.lower()}-story/".encode() in blob
    # and what is private is where it belongs, beside config.toml
    state = root / ".feedpub"
    assert sorted(p.name for p in state.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
        "cache.sqlite",
        "cache.sqlite.lock",
    ]
    cache = b"".join(p.read_bytes() for p in state.iterdir())
    assert b"unpubfalse-story" in cache  # the cache does know them: it must stay private

    # the embargo lifts: the future-dated article appears once its time has come
    code, _, _ = run_cli("build", "-c", str(site), "--now", LATER)
    assert code == 1
    assert b"Title Embargoed headline" in (feeds / "azure.rss").read_bytes()


def test_an_older_feedpubs_cache_and_lock_are_removed_from_the_output_folder(site: Path) -> None:
    root, feeds = site.parent, site.parent / "feeds"
    assert build(site)[0] == 1
    good = tree(feeds)
    # the layout of an older feedpub: its cache (a real one) with SQLite's companions,
    # its lock, a temp file a killed build left; and no .feedpub/ yet
    shutil.copy(root / ".feedpub" / "cache.sqlite", feeds / ".feedpub-cache.sqlite")
    for extra in ("-wal", "-shm", "-journal"):
        (feeds / f".feedpub-cache.sqlite{extra}").write_bytes(b"https://news.example.org/")
    (feeds / ".feedpub.lock").write_bytes(b"")
    (feeds / ".azure.rss.k2j4h1.tmp").write_bytes(b"half a feed")
    shutil.rmtree(root / ".feedpub")
    assert leaks(feeds, root) != []  # what the older layout published
    good[".notes.tmp"] = b"another tool's"  # (not feedpub's: it stays)
    (feeds / ".notes.tmp").write_bytes(good[".notes.tmp"])

    code, err = build(site, "--check")  # --check writes nothing, removes nothing,
    assert code == 3 and ".feedpub-cache.sqlite: left by" in err  # but names them
    assert (feeds / ".feedpub-cache.sqlite").exists() and not (root / ".feedpub").exists()

    code, err = build(site, "-v")
    assert code == 1, err
    assert tree(feeds) == good  # the feeds' bytes are the same, and nothing else is left
    assert leaks(feeds, root) == []
    assert (root / ".feedpub" / "cache.sqlite").is_file()
    with contextlib.closing(sqlite3.connect(root / ".feedpub" / "cache.sqlite")) as db:
        assert db.execute("SELECT count(*) FROM files").fetchone() == (FILES,)
    code, err = build(site, "-v")
    assert code == 1 and f"read 0, from cache {FILES}" in err, err


def test_a_running_older_build_is_waited_for_before_its_cache_is_removed(site: Path) -> None:
    feeds = site.parent / "feeds"
    assert build(site)[0] == 1
    (feeds / ".feedpub-cache.sqlite").write_bytes(b"an older build's cache")
    fd = os.open(feeds / ".feedpub.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # an older feedpub, building
        code, err = build(site, "--lock-timeout", "0.2")
        assert code == 75 and "an older feedpub build holds" in err and ".feedpub.lock" in err
        assert (feeds / ".feedpub-cache.sqlite").exists()
        threading.Timer(0.3, os.close, [fd]).start()  # it finishes while we wait
        fd = -1
        code, err = build(site, "--lock-timeout", "10")
        assert code == 1, err
    finally:
        if fd >= 0:
            os.close(fd)
    assert not [p.name for p in feeds.iterdir() if p.name.startswith(".")]


def test_an_old_cache_that_cannot_be_removed_fails_the_build_loudly(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feeds = site.parent / "feeds"
    assert build(site)[0] == 1
    (feeds / ".feedpub-cache.sqlite").write_bytes(b"old")
    real = os.unlink

    def refuse(path: str | os.PathLike[str], *args: object, **kwargs: object) -> None:
        if Path(path).name == ".feedpub-cache.sqlite":
            raise PermissionError(13, "Permission denied", str(path))
        real(path)

    monkeypatch.setattr(os, "unlink", refuse)
    code, err = build(site)
    assert code == 3
    assert f"feedpub: {feeds / '.feedpub-cache.sqlite'}: cannot remove" in err
    assert "published" in err and "Permission denied" in err


def test_an_old_cache_that_is_not_there_is_no_problem_on_a_read_only_file_system(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a read-only file system, unlink says EROFS even of a file that is not there:
    the build blamed an older feedpub's cache that never was, where the folder itself
    was the trouble."""
    feeds = site.parent / "feeds"
    assert build(site)[0] == 1
    real = os.unlink

    def read_only(path: str | os.PathLike[str], *args: object, **kwargs: object) -> None:
        if (
            Path(path).name.startswith(".feedpub-cache.sqlite")
            or Path(path).name == ".feedpub.lock"
        ):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        real(path)

    monkeypatch.setattr(os, "unlink", read_only)
    code, err = build(site)
    assert code == 1 and "cannot remove" not in err, err
    (feeds / ".feedpub-cache.sqlite").write_bytes(b"old")  # one that is there: named
    code, err = build(site)
    assert code == 3 and f"{feeds / '.feedpub-cache.sqlite'}: cannot remove" in err, err


@pytest.mark.parametrize("where", ["relative", "absolute"])
def test_site_cache_moves_the_cache_and_the_lock(site: Path, tmp_path: Path, where: str) -> None:
    root = site.parent
    target = "state/news.db" if where == "relative" else str(tmp_path / "elsewhere" / "news.db")
    text = site.read_text(encoding="utf-8")
    site.write_text(text.replace("[site]\n", f'[site]\ncache = "{target}"\n', 1), "utf-8")
    cache = root / target
    code, err = build(site, "-v")
    assert code == 1 and f"read {FILES}, from cache 0" in err, err
    assert cache.is_file() and Path(f"{cache}.lock").is_file()
    assert not (root / ".feedpub").exists()
    assert not [p for p in (root / "feeds").iterdir() if p.name.startswith(".")]
    (root / "content" / "a_Pubone.txt").touch()
    code, err = build(site, "-v")
    # (touched: read again and found the same, its summary the cache's)
    assert code == 1 and f"read 0, from cache {FILES} (1 of them read again: the same" in err, err
    # the lock is the one beside the moved cache
    fd = os.open(f"{cache}.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        code, err = build(site, "--lock-timeout", "0")
        assert code == 75 and f"another build holds {cache}.lock" in err
    finally:
        os.close(fd)


@pytest.mark.parametrize(
    ("setting", "key"),
    [
        ('cache = "feeds/cache.sqlite"', "site.cache"),
        ('cache = "feeds/sub/cache.sqlite"', "site.cache"),
        ('cache = "./content/../feeds/.cache"', "site.cache"),
        ('cache = "linked/cache.sqlite"', "site.cache"),  # a symlink to the output folder
        ('cache = "feeds"', "site.cache"),
        ('output = "."', "site.output"),  # the default .feedpub/ would be published
        ('output = ".feedpub"', "site.output"),
        ('cache = ""', "site.cache"),
        ('cache = "state/"', "site.cache"),
    ],
)
def test_a_cache_inside_the_output_folder_is_a_config_error(
    site: Path, setting: str, key: str
) -> None:
    root = site.parent
    (root / "linked").symlink_to(root / "feeds", target_is_directory=True)
    text = site.read_text(encoding="utf-8")
    site.write_text(text.replace("[site]\n", f"[site]\n{setting}\n", 1), "utf-8")
    code, out, err = run_cli("build", "-c", str(site), "--now", NOW)
    assert code == 2 and out == ""
    line = text.splitlines().index("[site]") + 2
    assert err.startswith(f"{site}:{line}: {key}: "), err
    assert not (root / "feeds").exists() and not (root / ".feedpub").exists()
    assert not (root / "state").exists()


@pytest.mark.parametrize("where", ["public", "public/conf"])
def test_an_output_folder_that_holds_the_config_file_is_a_config_error(
    site: Path, where: str
) -> None:
    # output = "." (or a parent) with the cache and the content moved out of it: the
    # folder deployed whole would publish config.toml and every file beside it
    root = site.parent
    folder = root / where
    folder.mkdir(parents=True)
    (folder / "deploy.sh").write_text("rsync -a . host:/srv/www/\n", encoding="utf-8")
    up = "../" * len(Path(where).parts)
    output = "." if where == "public" else ".."
    text = (
        site.read_text(encoding="utf-8")
        .replace("[site]\n", f'[site]\noutput = "{output}"\ncache = "{up}state/cache.sqlite"\n', 1)
        .replace('"content/*.txt"', f'"{up}content/*.txt"')
    )
    cfg = folder / "config.toml"
    cfg.write_text(text, encoding="utf-8")
    code, out, err = run_cli("build", "-c", str(cfg), "--now", NOW)
    line = text.splitlines().index("[site]") + 2
    assert code == 2 and out == "", err
    assert err == (
        f"{cfg}:{line}: site.output: '{output}' holds this config file, config.toml: the "
        "output folder is published whole, and so would be the config and every file "
        "beside it (a deploy script, .venv/). Give the feeds a folder of their own "
        '(output = "feeds", the default)\n'
    )
    inside = "" if where == "public" else "conf/"  # (nothing made there: no feed, no cache)
    assert set(tree(root / "public")) == {f"{inside}config.toml", f"{inside}deploy.sh"}
    assert not (root / "state").exists()
    # its feeds in a folder of their own, beside it: built
    cfg.write_text(text.replace(f'output = "{output}"', 'output = "feeds"'), "utf-8")
    assert run_cli("build", "-c", str(cfg), "--now", NOW)[0] == 1
    assert (folder / "feeds" / "azure.rss").is_file()


def test_an_output_folder_that_holds_a_link_to_the_config_file_is_a_config_error(
    site: Path,
) -> None:
    # the config kept elsewhere (/etc, a dotfiles repository), linked into the folder
    # feedpub is run in, output = ".": built into, the link and what lies beside it
    # published (a web server follows it, as rsync -L does)
    root = site.parent
    (root / "public").mkdir()
    (root / "etc").mkdir()
    text = (
        site.read_text(encoding="utf-8")
        .replace("[site]\n", '[site]\noutput = "."\ncache = "../state/cache.sqlite"\n', 1)
        .replace('"content/*.txt"', '"../content/*.txt"')
    )
    (root / "etc" / "config.toml").write_text(text, encoding="utf-8")
    cfg = root / "public" / "config.toml"
    cfg.symlink_to(root / "etc" / "config.toml")
    code, out, err = run_cli("build", "-c", str(cfg), "--now", NOW)
    line = text.splitlines().index("[site]") + 2
    assert (code, out) == (2, ""), err
    assert err.startswith(f"{cfg}:{line}: site.output: '.' holds this config file, config.toml: ")
    assert sorted(os.listdir(root / "public")) == ["config.toml"]


@pytest.mark.parametrize("cache", ["feeds-cache/cache.sqlite", "../outside.sqlite"])
def test_a_cache_beside_the_output_folder_is_fine(site: Path, cache: str) -> None:
    text = site.read_text(encoding="utf-8")
    site.write_text(text.replace("[site]\n", f'[site]\ncache = "{cache}"\n', 1), "utf-8")
    assert build(site)[0] == 1
    assert (site.parent / cache).is_file()


def test_list_preview_check_and_serve_create_nothing_and_use_the_cache(site: Path) -> None:
    root, feeds = site.parent, site.parent / "feeds"
    # before any build: nothing is created, neither the output folder nor .feedpub/
    assert run_cli("list", "-c", str(site), "--now", NOW)[0] == 0
    assert run_cli("preview", "azure", "-c", str(site), "--now", NOW)[0] == 0
    assert build(site, "--check")[0] == 3
    assert sorted(p.name for p in root.iterdir()) == ["config.toml", "content"]

    assert build(site)[0] == 1
    # (a read-only SQLite reader of the cache may leave its -wal and -shm beside it)
    state = [root / ".feedpub" / "cache.sqlite", root / ".feedpub" / "cache.sqlite.lock"]
    before = {p: p.stat().st_mtime_ns for p in [*feeds.iterdir(), *state]}
    assert run_cli("list", "-c", str(site), "--now", NOW)[0] == 0
    assert run_cli("preview", "Azure", "-c", str(site), "--now", NOW, "--format", "rss")[0] == 0
    assert build(site, "--check")[0] == 1
    # every one found the cache: no article file was read (list and preview gather so)
    config, now = load_config(site), datetime.fromisoformat(NOW)
    assert build_module.gather(config).read == 0
    assert build_module.build(config, now, check=True).gathered.read == 0
    after = {p: p.stat().st_mtime_ns for p in [*feeds.iterdir(), *state]}
    assert after == before

    # feedpub serve --watch: its first build takes the cache; the output folder gets
    # nothing but the feeds
    process = subprocess.Popen(
        [sys.executable, "-m", "feedpub", "serve", "-c", str(site), "--port", "0", "--watch"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "error"},
        preexec_fn=interruptible,
    )
    lines = []
    try:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            if line.startswith("Serving "):
                break
        url = lines[-1].split(" at ")[1].split(" ")[0]
        with urllib.request.urlopen(url + "azure.rss", timeout=10) as response:
            assert b"Title Pubone headline" in response.read()
    finally:
        process.send_signal(signal.SIGINT)
        _, rest = process.communicate(timeout=20)
    assert process.returncode == 0, "".join(lines) + rest
    assert any(f"read 0, from cache {FILES}" in line for line in lines), lines
    assert published_files(feeds) == {p.name for p in feeds.iterdir()}
    assert leaks(feeds, root) == []
