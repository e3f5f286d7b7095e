"""The keys of incremental builds hold everything that shapes an output's bytes."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import feedpub
from feedpub import incremental
from feedpub.config import load_config
from feedpub.sources import Found

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


def _feedpub(lib: Path, site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(lib), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "feedpub", *args], cwd=site, env=env, text=True,
        capture_output=True, timeout=300, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("module", "old", "new"),
    [
        ("formats/items.py", 'GENERATOR_URI = "https://pypi.org/project/feedpub/"',
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
    assert "written 0," not in second.stdout + second.stderr
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
