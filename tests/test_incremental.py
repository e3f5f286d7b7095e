"""The keys of incremental builds hold everything that shapes an output's bytes."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import feedpub
from feedpub import incremental
from feedpub.archive import documents
from feedpub.build import build
from feedpub.cache import Row
from feedpub.config import load_config
from feedpub.errors import ArticleError
from feedpub.model import SourceFile, Summary
from feedpub.sources import Found

from .conftest import AZURE_AI_FEEDS

ROOT = Path(__file__).resolve().parent.parent


def test_library_versions_are_the_ones_importlib_finds() -> None:
    assert incremental.library_versions() == {
        name: metadata.version(name) for name in incremental.LIBRARIES
    }


def _other(value: Any) -> Any:
    """A value of the same kind as ``value`` that differs from it."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, Path):
        return value / "x"
    if isinstance(value, ZoneInfo):
        return ZoneInfo("Europe/Paris" if value.key != "Europe/Paris" else "UTC")
    if isinstance(value, frozenset):
        return value | {"x"}
    if isinstance(value, tuple):
        return (*value, "x")
    if value is None:
        return "x"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # (its last field)
        name = dataclasses.fields(value)[-1].name
        return dataclasses.replace(value, **{name: _other(getattr(value, name))})
    raise AssertionError(f"no other value for {value!r}")


def test_every_field_of_the_configuration_is_part_of_the_keys() -> None:
    """Derived from the dataclasses: a field added later is in the key with no edit."""
    config = load_config(ROOT / "config.toml")
    fields = [f.name for f in dataclasses.fields(config) if f.name != "feeds"]
    assert len(fields) >= 14
    for name in fields:
        changed = dataclasses.replace(config, **{name: _other(getattr(config, name))})
        assert incremental.site_key(changed) != incremental.site_key(config), name
        assert incremental.config_key(changed) != incremental.config_key(config), name
    feed = config.feeds[0]
    for f in dataclasses.fields(feed):
        changed_feed = dataclasses.replace(feed, **{f.name: _other(getattr(feed, f.name))})
        assert incremental.feed_key(changed_feed) != incremental.feed_key(feed), f.name
        changed = dataclasses.replace(config, feeds=(changed_feed, *config.feeds[1:]))
        assert incremental.config_key(changed) != incremental.config_key(config), f.name


def test_the_configuration_key_is_the_same_in_every_process(tmp_path: Path) -> None:
    """A feed's topics are a set: its key lists them in one order whatever the hash
    seed, or a build would take an unchanged config for a changed one (and render
    every feed again)."""
    topics = ", ".join(f'"Topic {c}"' for c in "ABCDEFGHIJ")
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        (ROOT / "config.toml").read_text(encoding="utf-8")
        + f'\n[feeds.many]\ntitle = "Many"\ntopics = [{topics}]\n',
        encoding="utf-8",
    )
    code = (
        "import sys; from feedpub import config, incremental; "
        "c = config.load_config(sys.argv[1]); "
        "print(incremental.config_key(c))"
    )
    keys = {
        subprocess.run(
            [sys.executable, "-c", code, str(cfg)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True, text=True, check=True,
        ).stdout
        for seed in ("1", "2", "3", "4")
    }  # fmt: skip
    assert len(keys) == 1
    assert "Topic A" in keys.pop()


def _feedpub(lib: Path, site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(lib), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "feedpub", *args], cwd=site, env=env, text=True,
        capture_output=True, timeout=300, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("module", "old", "new"),
    [
        ("__init__.py", 'GENERATOR_URI = "https://pypi.org/project/feedpub/"',
         'GENERATOR_URI = "https://example.org/feedpub-fork/"'),
        # how articles are read: cached summaries and index.html's headlines too
        ("articles.py", "MAX_TITLE = 500", "MAX_TITLE = 24"),
    ],
)  # fmt: skip
def test_a_change_to_the_installed_code_reaches_every_feed(
    tmp_path: Path, module: str, old: str, new: str
) -> None:
    """Change a rendering constant (or a schema) in an installed copy of feedpub: the
    next plain build rewrites what it changed, and ``--check`` then finds all fresh."""
    lib = tmp_path / "lib"
    shutil.copytree(Path(feedpub.__file__).parent, lib / "feedpub",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(ROOT / "config.toml", site)
    shutil.copytree(ROOT / "content", site / "content")
    first = _feedpub(lib, site, "build")
    assert first.returncode == 0, first.stderr
    assert _feedpub(lib, site, "build", "--check").returncode == 0

    edited = lib / "feedpub" / module
    text = edited.read_text()
    assert old in text
    edited.write_text(text.replace(old, new))
    second = _feedpub(lib, site, "build", "-v")
    assert second.returncode == 0, second.stderr
    check = _feedpub(lib, site, "build", "--check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "feed files " in second.stderr and "written 0," not in (
        second.stdout + second.stderr.split("; site files ")[0]
    )  # (the feed files: some written)
    if module == "formats/items.py":
        atoms = sorted((site / "feeds").glob("*.atom"))
        assert atoms and all("https://example.org/feedpub-fork/" in p.read_text() for p in atoms)


def test_the_listing_state_changes_with_any_path_size_or_mtime() -> None:
    config = load_config(ROOT / "config.toml")

    def state(files: list[tuple[str, int, int]]) -> str:
        names, sizes, mtimes = (list(column) for column in zip(*files, strict=True))
        return incremental.state(config, Found([("", "/x/", names, sizes, mtimes)], [], []),
                                 None, False)  # fmt: skip

    base = [("a.txt", 10, 1_000), ("b.txt", 20, 2_000)]
    variants = [
        base,
        [("a.txt", 10, 1_001), ("b.txt", 20, 2_000)],  # one mtime, by a nanosecond
        [("a.txt", 20, 1_000), ("b.txt", 10, 2_000)],  # sizes swapped
        [("a.txt", 10, 2_000), ("b.txt", 20, 1_000)],  # mtimes swapped
        [("a.txt", 10, 1_000), ("c.txt", 20, 2_000)],  # renamed
        [("a.txt", 10, 1_000)],  # one gone
        [("a.txt\0b.txt", 10, 1_000)],  # (no path holds NUL; still not the pair's state)
        [("a.txt", 10, -5), ("b.txt", 20, 2_000)],  # before 1970
        [("a.txt", 10, 1 << 70), ("b.txt", 20, 2_000)],  # past 64 bits: still told apart
        [("a.txt", 10, (1 << 70) + 1), ("b.txt", 20, 2_000)],
    ]
    states = [state(v) for v in variants]
    assert len(set(states)) == len(states)
    assert state(list(base)) == states[0]  # the same listing, the same state


def test_unchanged_takes_from_the_cache_what_is_as_it_was_and_names_the_rest() -> None:
    when = datetime(2026, 1, 2, tzinfo=UTC)

    def row(path: str, size: int, mtime: int, digest: str) -> Row:
        return Row(size, mtime, digest, Summary(path, f"https://e.example/{path}", True, when,
                                                ("T",), None, digest), None)  # fmt: skip

    found = Found(
        [("b/", "/r/b/", ["z.txt"], [30], [3_000]),
         ("a/", "/r/a/", ["w.txt", "x.txt", "y.txt"], [5, 10, 20], [500, 1_000, 2_000])],
        [], [],
    )  # fmt: skip
    rows = {
        "a/w.txt": row("a/w.txt", 5, 500, "dw")._replace(summary=None,
                                                          error=ArticleError("a/w.txt", 3, "bad")),
        "a/x.txt": row("a/x.txt", 10, 1_000, "dx"),  # as it was
        "a/y.txt": row("a/y.txt", 20, 1_999, "dy"),  # touched since
        "c/gone.txt": row("c/gone.txt", 1, 1, "dg"),  # listed no more
    }  # fmt: skip
    summaries, errors, todo, gone = incremental.unchanged(found, rows, racy=10_000)
    assert summaries == [rows["a/x.txt"].summary]
    assert [(e.path, e.line) for e in errors] == [("a/w.txt", 3)]
    assert todo == [(SourceFile("a/y.txt", "/r/a/y.txt", 20, 2_000), "dy"),
                    (SourceFile("b/z.txt", "/r/b/z.txt", 30, 3_000), None)]  # fmt: skip
    assert gone == ["c/gone.txt"]
    # every row listed: nothing gone; a file modified after the cache was written is
    # read again, whatever its size and mtime say
    del rows["c/gone.txt"]
    summaries, _, todo, gone = incremental.unchanged(found, rows, racy=1_000)
    assert summaries == [] and gone == []
    assert [src.path for src, _ in todo] == ["a/x.txt", "a/y.txt", "b/z.txt"]


def test_a_file_removed_since_the_last_build_leaves_the_cache(
    seeds_dir: Path, write_config: Callable[..., Path]
) -> None:
    config = load_config(write_config(["content/*.txt"], AZURE_AI_FEEDS))
    now = datetime(2026, 11, 1, tzinfo=UTC)
    build(config, now, jobs=1)
    gone = sorted(seeds_dir.glob("*.txt"))[0]
    gone.unlink()
    build(config, now, jobs=1)
    cache = incremental.open_cache(config, readonly=True)
    try:
        paths = set(cache.rows())
    finally:
        cache.close()
    assert paths == {f"content/{f.name}" for f in seeds_dir.glob("*.txt")}
    assert f"content/{gone.name}" not in paths and len(paths) == 4


def test_a_fingerprint_changes_with_everything_an_output_depends_on() -> None:
    """The site's and the feed's keys, the format, each item's path and content hash and
    their order, and the document's own key (an archive page): change one, and the
    fingerprint changes; change nothing, and it does not."""
    config = load_config(ROOT / "config.toml")
    feed = config.feeds[0]
    when = datetime(2024, 1, 1, tzinfo=UTC)
    a = Summary("a.txt", "https://e.com/a", True, when, (), None, "d1")
    b = Summary("b.txt", "https://e.com/b", True, when, (), None, "d2")
    docs = documents(dataclasses.replace(feed, archive=True, max_items=1, archive_size=1), [a, b])
    base = incremental.fingerprint(config, feed, "rss", [a, b], docs[0])
    assert incremental.fingerprint(config, feed, "rss", [a, b], docs[0]) == base
    others = [
        incremental.fingerprint(
            dataclasses.replace(config, title="Other"), feed, "rss", [a, b], docs[0]
        ),
        incremental.fingerprint(
            config, dataclasses.replace(feed, title="Other"), "rss", [a, b], docs[0]
        ),
        incremental.fingerprint(config, config.feeds[1], "rss", [a, b], docs[0]),
        incremental.fingerprint(config, feed, "atom", [a, b], docs[0]),
        incremental.fingerprint(config, feed, "rss", [b, a], docs[0]),
        incremental.fingerprint(config, feed, "rss", [a], docs[0]),
        incremental.fingerprint(config, feed, "rss", [a, b._replace(digest="d3")], docs[0]),
        incremental.fingerprint(config, feed, "rss", [a, b._replace(path="c.txt")], docs[0]),
        # the same characters, cut elsewhere between path and hash
        incremental.fingerprint(
            config, feed, "rss", [a, b._replace(path="b.txtd", digest="2")], docs[0]
        ),
        incremental.fingerprint(config, feed, "rss", [a, b], docs[1]),
        incremental.fingerprint(config, feed, "rss", [a, b]),
    ]
    assert len({base, *others}) == len(others) + 1
