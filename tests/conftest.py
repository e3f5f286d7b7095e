"""Shared fixtures: paths to the real seeds and a config writer; headless Chromium."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from datetime import UTC
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedpub import articles
from feedpub.cli import cli
from feedpub.errors import ArticleError
from feedpub.model import Summary


def draft_of(path: str, data: bytes, rejected: ArticleError) -> Summary | None:
    """What ``load_summary`` gives a file that ``load_article`` rejected (``rejected``):
    None when it rejects the file too, or the placeholder of a draft rejected for a
    field (see articles.build_summary); fails on anything else."""
    try:
        summary = articles.load_summary(path, data, UTC, "d")
    except ArticleError:
        return None
    front, _ = articles.parse_front_matter(path, data)
    assert front.get("published") is not True, (str(rejected), summary)
    assert summary == articles.draft(path, "d")
    return summary


#: 2020-01-01T00:00:00Z, for files that must look settled to the cache.
OLD_MTIME_NS = 1_577_836_800 * 10**9

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
#: The five real article files (two unpublished), kept with the tests so that a clean
#: clone runs them; the project's brief keeps the originals in ../shared/seeds/.
SEEDS = DATA / "seeds"
SITE = """
[site]
title = "Test site"
link = "https://example.com/"
feeds_url = "https://example.com/feeds/"
description = "Test feeds"
language = "en"
content = {content}
"""


class _Connection(sqlite3.Connection):
    """A connection that says whether it was closed."""

    closed = False

    def close(self) -> None:
        super().close()
        self.closed = True


@pytest.fixture(autouse=True)
def every_sqlite_connection_closed() -> Iterator[None]:
    """Every SQLite connection a test makes (feedpub's cache, or the test's own) is
    closed by its end: ``serve --watch`` builds many times in one process, and a
    connection left for the collector holds a file descriptor until it runs (Python
    3.13 then warns, in whichever test it runs in; earlier ones say nothing)."""
    made: list[tuple[_Connection, object]] = []
    connect = sqlite3.connect

    def tracked(database: object, *args: object, **kwargs: object) -> _Connection:
        db: _Connection = connect(database, *args, factory=_Connection, **kwargs)  # type: ignore[call-overload]
        made.append((db, database))
        return db

    with pytest.MonkeyPatch.context() as mp:  # (not the test's: a test may undo its own)
        mp.setattr(sqlite3, "connect", tracked)
        yield
    left = [str(database) for db, database in made if not db.closed]
    for db, _ in made:
        with contextlib.suppress(sqlite3.Error):  # (closed twice is nothing)
            db.close()
    assert not left, f"SQLite connections left open: {left}"


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """Write a config.toml in tmp_path with the given content globs and feed tables."""

    def write(content: list[str], feeds: str, extra: str = "") -> Path:
        globs = "[" + ", ".join(f'"{c}"' for c in content) + "]"
        path = tmp_path / "config.toml"
        path.write_text(SITE.format(content=globs) + extra + "\n" + feeds, encoding="utf-8")
        return path

    return write


@pytest.fixture
def seeds_dir(tmp_path: Path) -> Path:
    """A copy of the five real seed files (two of them unpublished)."""
    folder = tmp_path / "content"
    folder.mkdir()
    for f in sorted(SEEDS.glob("*.txt")):
        (folder / f.name).write_bytes(f.read_bytes())
        # settled files: an mtime well before any build, so the cache may trust it
        os.utime(folder / f.name, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    return folder


AZURE_AI_FEEDS = """
[feeds.azure]
title = "Azure"
description = "Azure news"
topics = ["Azure"]

[feeds.ai]
title = "Microsoft AI"
topics = ["microsoft ai"]
"""


def run_cli(*args: str) -> tuple[int, str, str]:
    """``feedpub ARGS...`` in this process: (exit code, stdout, stderr)."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def interruptible() -> None:
    """For ``subprocess.Popen(preexec_fn=...)``: the child takes Ctrl-C (SIGINT) as it
    would at a terminal, even where the tests run with SIGINT ignored (a shell's
    background job), which Python, and so the child, would otherwise keep ignoring."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Headless Chromium with every host name unresolvable: no traffic leaves the machine."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.fail(
            "Chromium is needed to test index.html in a real browser and is not installed: "
            "run `apt-get install -y chromium` (.ci/run does it when it is missing)"
        )
    command = [
        exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'chromium-profile'}", "--host-resolver-rules=MAP * ~NOTFOUND",
        "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-extensions",
        "--disable-default-apps", "--hide-scrollbars", "--window-size=1200,2000", *args,
    ]  # fmt: skip
    env = {**os.environ, "HOME": str(tmp_path)}
    result = subprocess.run(command, capture_output=True, timeout=180, check=False, env=env)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    return result
