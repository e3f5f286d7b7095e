"""discover(): the files glob would find (scanned faster), never outside the content root."""

from __future__ import annotations

import glob
import os
from pathlib import Path

import pytest

from feedpub.collect import discover
from feedpub.config import load_config

from .conftest import SITE

TREE = ["a.txt", ".hidden.txt", "b.md", "sub/b.txt", "sub/.h/c.txt", "sub/deeper/d.txt",
        "sub/deeper/e.TXT", "sub/.f.txt", "other/g.txt", "x[1]/h.txt"]  # fmt: skip


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in TREE:
        path = tmp_path / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    return tmp_path


def _config(root: Path, patterns: list[str]) -> Path:
    globs = "[" + ", ".join(f'"{p}"' for p in patterns) + "]"
    cfg = root / "config.toml"
    cfg.write_text(
        SITE.format(content=globs) + '\n[feeds.a]\ntitle = "A"\ntopics = ["*"]\n', encoding="utf-8"
    )
    return cfg


@pytest.mark.parametrize(
    "pattern",
    [
        "content/*.txt",
        "content/**/*.txt",
        "content/**",
        "content/sub/*/*.txt",
        "content/.*.txt",
        "content/sub/deeper/d.txt",
        "content/**/deeper/*",
        "content/*/*.txt",
        "content/sub/**/*.txt",
    ],
)
def test_finds_what_glob_finds(tree: Path, pattern: str) -> None:
    config = load_config(_config(tree, [pattern]))
    expected = sorted(
        Path(os.path.relpath(p, tree)).as_posix()
        for p in glob.glob(str(tree / pattern), recursive=True)
        if os.path.isfile(p)
    )
    assert [s.path for s in discover(config)] == expected


def test_a_symlink_loop_ends_and_links_out_of_the_root_are_skipped(tree: Path) -> None:
    outside = tree / "secret.txt"
    outside.write_text("x", encoding="utf-8")
    (tree / "content" / "sub" / "loop").symlink_to(tree / "content")
    (tree / "content" / "leak.txt").symlink_to(outside)
    (tree / "content" / "inside.txt").symlink_to(tree / "content" / "a.txt")
    config = load_config(_config(tree, ["content/**/*.txt"]))
    skipped: list[str] = []
    paths = [s.path for s in discover(config, skipped)]
    assert "content/leak.txt" not in paths and any("leak.txt" in n for n in skipped)
    assert "content/inside.txt" in paths and "content/a.txt" in paths
    assert len(paths) == len(set(paths)) and len(paths) < 40
